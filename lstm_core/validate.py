"""Input checks that fail early with a message naming the argument and the expected shape.

Dimensions are named by letters (``T, B, D, H``); a shape spec is a tuple of letters
or ints, e.g. ``("B", "D")``. Letters seen once are bound, so a later mismatch reports
both the argument that set the size and the one that disagrees.
"""

import numpy as np

FLOAT_DTYPES = (np.float32, np.float64)


def as_float_array(name, value, dtype=None):
    """Return ``value`` as a float32/float64 ndarray, or raise ``TypeError`` naming ``name``.

    Python floats and lists of floats become float64. Integer, bool, complex and
    float16 arrays are refused: the course computes in float32 or float64 only.
    If ``dtype`` is given the array must already have that dtype.
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = np.array(value, dtype=np.float64)
    elif not isinstance(value, np.ndarray):
        try:
            value = np.asarray(value)
        except (TypeError, ValueError) as error:
            raise TypeError(f"{name} must be an array of floats, got {type(value).__name__}") from error
        if value.dtype.kind in "iu":
            value = value.astype(np.float64)
    if value.dtype.type not in FLOAT_DTYPES:
        raise TypeError(
            f"{name} has dtype {value.dtype}; expected float32 or float64 "
            f"(convert with {name}.astype(np.float64))"
        )
    if dtype is not None and value.dtype != dtype:
        raise TypeError(
            f"{name} has dtype {value.dtype} but the parameters are {np.dtype(dtype)}; "
            f"use one dtype throughout (e.g. {name}.astype(np.{np.dtype(dtype)}))"
        )
    return value


def check_shape(name, array, spec, sizes, legend=None):
    """Check ``array.shape`` against ``spec``, binding letters in the dict ``sizes``.

    Parameters
    ----------
    name : str, the argument's name, used in the message.
    array : ndarray
    spec : tuple of str or int, e.g. ``("T", "B", "D")``.
    sizes : dict str -> (int, str), letters already bound, with the argument that bound them.
        Updated in place.
    legend : optional str appended to the message (e.g. "time-major: (T, B, D)").

    Raises
    ------
    ValueError naming ``name``, the shape it got and the shape expected.
    """
    expected = "(" + ", ".join(str(s) for s in spec) + ("," if len(spec) == 1 else "") + ")"
    hint = f" ({legend})" if legend else ""
    if array.ndim != len(spec):
        raise ValueError(
            f"{name} has shape {array.shape} but expected a {len(spec)}-D array of shape "
            f"{expected}{hint}"
        )
    for axis, (size, letter) in enumerate(zip(array.shape, spec)):
        if isinstance(letter, int):
            if size != letter:
                raise ValueError(f"{name} has shape {array.shape} but expected {expected}{hint}")
            continue
        if letter in sizes:
            bound, source = sizes[letter]
            if size != bound:
                concrete = tuple(s if isinstance(s, int) else sizes.get(s, (array.shape[k],))[0]
                                 for k, s in enumerate(spec))
                raise ValueError(
                    f"{name} has shape {array.shape} but expected {expected} = {concrete}{hint}: "
                    f"axis {axis} ({letter}) is {size}, while {source} has {letter}={bound}"
                )
        else:
            sizes[letter] = (size, name)


def check_finite(name, array):
    """Raise ``ValueError`` if ``array`` holds NaN or inf, saying where the first one is."""
    if not np.all(np.isfinite(array)):
        bad = np.argwhere(~np.isfinite(array))[0]
        raise ValueError(
            f"{name} contains a non-finite value ({array[tuple(bad)]}) at index {tuple(int(b) for b in bad)}"
        )


def checked(name, value, spec, sizes, dtype=None, legend=None):
    """``as_float_array`` + ``check_shape`` + ``check_finite`` in one call; returns the array."""
    array = as_float_array(name, value, dtype)
    check_shape(name, array, spec, sizes, legend)
    check_finite(name, array)
    return array
