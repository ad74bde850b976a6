"""Checks for exercise test cells that explain *what* is wrong, not just that something is.

``expect_close`` compares a learner's array with the reference and, on failure, names the
array, the size of the error and the most likely cause: wrong shape, a transpose, a sign flip,
a constant factor, a missing sum over the batch, or one of the named mistakes passed in
``mistakes`` (each a wrong array that a known mistake would produce).
"""

import numpy as np


def _close(a, b, rtol, atol):
    return a.shape == b.shape and np.allclose(a, b, rtol=rtol, atol=atol)


def diagnose(got, expected, mistakes=None, rtol=1e-6, atol=1e-8):
    """The most likely cause of ``got`` differing from ``expected``, as a sentence (or None)."""
    for label, wrong in (mistakes or {}).items():
        if _close(got, np.asarray(wrong), rtol, atol):
            return f"it equals what you get with this mistake: {label}"
    if got.shape != expected.shape:
        if got.T.shape == expected.shape:
            return f"its shape is {got.shape}, the transpose of {expected.shape}: check the order of an outer product"
        if got.ndim == expected.ndim + 1 and got.shape[1:] == expected.shape:
            return f"its shape is {got.shape}; did you forget to sum over the batch (axis 0)?"
        return f"its shape is {got.shape} but should be {expected.shape}"
    if got.ndim == 2 and got.shape[0] == got.shape[1] and _close(got.T, expected, rtol, atol):
        return "it is the transpose of the right answer: check the order of the outer product"
    if _close(-got, expected, rtol, atol):
        return "it has the wrong sign everywhere"
    flat_expected = expected.reshape(-1)
    if flat_expected.size > 1 and np.any(flat_expected != 0):  # a ratio of two numbers says nothing
        k = int(np.argmax(np.abs(flat_expected)))
        ratio = got.reshape(-1)[k] / flat_expected[k]
        if (np.isfinite(ratio) and abs(ratio) > 1e-12 and abs(ratio - 1) > 1e-3
                and _close(got, ratio * expected, 1e-5, 1e-9)):
            return f"it is the right answer times {ratio:.4g}: a constant factor is wrong or missing"
    if not np.all(np.isfinite(got)):
        return "it contains NaN or inf"
    return None


def expect_close(name, got, expected, mistakes=None, rtol=1e-6, atol=1e-8):
    """Raise ``AssertionError`` with a specific message unless ``got`` is close to ``expected``.

    Parameters
    ----------
    name : str, what the array is (e.g. "dc_prev").
    got : array-like, the learner's answer.
    expected : ndarray, the reference answer.
    mistakes : dict label -> ndarray, arrays that known mistakes would produce.
    rtol, atol : tolerances of ``np.allclose``.
    """
    if got is None:
        raise AssertionError(f"{name} is None: did the function forget to return it?")
    got = np.asarray(got, dtype=float)
    expected = np.asarray(expected, dtype=float)
    if _close(got, expected, rtol, atol):
        return
    message = f"{name} is wrong"
    if got.shape == expected.shape:
        error = np.max(np.abs(got - expected)) / max(np.max(np.abs(expected)), 1e-12)
        message += f" (largest error {error:.2g} relative to its size)"
    cause = diagnose(got, expected, mistakes, rtol, atol)
    if cause:
        message += f": {cause}"
    raise AssertionError(message)
