"""The twelve LSTM parameters, named as in the source article, and the vanilla RNN's three.

Convention (column vectors, as in the article): for each gate ``k`` in ``GATES``,
``z_k = w_xk x + w_hk h + b_k``, so ``w_xk`` has shape (H, D), ``w_hk`` (H, H), ``b_k`` (H,).
Batched code stores x as rows, shape (B, D), and computes ``x @ w_xk.T``.

Dimensions: D input size, H hidden size.
"""

from dataclasses import dataclass, fields

import numpy as np

from lstm_core.validate import as_float_array, check_finite

GATES = ("i", "f", "g", "o")
"""Gate order everywhere in lstm_core: input, forget, candidate (cell input), output."""

PARAM_NAMES = tuple(name for k in GATES for name in (f"w_x{k}", f"w_h{k}", f"b_{k}"))
RNN_PARAM_NAMES = ("w_xh", "w_hh", "b_h")


def param_shape(name, input_size, hidden_size):
    """Expected shape of a parameter from its name: w_x* (H, D), w_h* (H, H), anything else (H,)."""
    if name.startswith("w_x"):
        return (hidden_size, input_size)
    if name.startswith("w_h"):
        return (hidden_size, hidden_size)
    return (hidden_size,)


def _check_params(params, names):
    """Validate dtype, finiteness and mutual shapes of a parameter dataclass."""
    first = getattr(params, names[0])
    first = as_float_array(names[0], first)
    if first.ndim != 2:
        raise ValueError(f"{names[0]} has shape {first.shape}; expected (H, D)")
    hidden_size, input_size = first.shape
    for name in names:
        array = as_float_array(name, getattr(params, name), dtype=first.dtype)
        expected = param_shape(name, input_size, hidden_size)
        if array.shape != expected:
            raise ValueError(
                f"{name} has shape {array.shape}; expected {expected} for input size D={input_size} "
                f"and hidden size H={hidden_size} (w_x*: (H, D), w_h*: (H, H), b_*: (H,))"
            )
        check_finite(name, array)
        object.__setattr__(params, name, array)


def named_arrays(params):
    """``(name, array)`` pairs of a parameter dataclass in field order (``dict(params)`` holds the very arrays)."""
    return ((f.name, getattr(params, f.name)) for f in fields(params))


@dataclass(eq=False)
class LSTMParams:
    """The twelve LSTM arrays: ``w_x*`` (H, D), ``w_h*`` (H, H), ``b_*`` (H,) for * in i, f, g, o.

    Iterating yields ``(name, array)`` pairs in the order of ``PARAM_NAMES``, so
    ``dict(params)`` maps names to the very arrays held (updating them in place updates
    the parameters). Gradients are returned as an ``LSTMParams`` with the same names.
    """

    w_xi: np.ndarray
    w_hi: np.ndarray
    b_i: np.ndarray
    w_xf: np.ndarray
    w_hf: np.ndarray
    b_f: np.ndarray
    w_xg: np.ndarray
    w_hg: np.ndarray
    b_g: np.ndarray
    w_xo: np.ndarray
    w_ho: np.ndarray
    b_o: np.ndarray

    def __post_init__(self):
        _check_params(self, PARAM_NAMES)

    def __iter__(self):
        return named_arrays(self)

    @property
    def input_size(self):
        """D, the size of x_t."""
        return self.w_xi.shape[1]

    @property
    def hidden_size(self):
        """H, the size of h_t and c_t."""
        return self.w_xi.shape[0]

    @property
    def dtype(self):
        return self.w_xi.dtype

    @classmethod
    def init(cls, input_size, hidden_size, rng, forget_bias=1.0, scale=None, dtype=np.float64):
        """Random parameters: weights uniform in +-1/sqrt(H) (or +-scale), biases zero but b_f.

        Parameters
        ----------
        input_size : int, D.
        hidden_size : int, H.
        rng : numpy Generator.
        forget_bias : float, the value of every entry of b_f (1.0 keeps the forget gate open).
        scale : float or None, half-width of the uniform weights; default 1/sqrt(H).
        dtype : float32 or float64.
        """
        scale = 1.0 / np.sqrt(hidden_size) if scale is None else scale
        arrays = {}
        for name in PARAM_NAMES:
            shape = param_shape(name, input_size, hidden_size)
            if name.startswith("b_"):
                arrays[name] = np.full(shape, forget_bias if name == "b_f" else 0.0)
            else:
                arrays[name] = rng.uniform(-scale, scale, size=shape)
        return cls(**{k: v.astype(dtype) for k, v in arrays.items()})

    @classmethod
    def zeros(cls, input_size, hidden_size, dtype=np.float64):
        """All-zero parameters of the given sizes (e.g. to accumulate gradients)."""
        return cls(**{n: np.zeros(param_shape(n, input_size, hidden_size), dtype) for n in PARAM_NAMES})

    @classmethod
    def from_fused(cls, w_x, w_h, b, check=True):
        """Split fused arrays back into the twelve named ones (views into them, not copies).

        Parameters
        ----------
        w_x : ndarray, shape (4H, D), rows in gate order i, f, g, o.
        w_h : ndarray, shape (4H, H)
        b : ndarray, shape (4H,)
        check : bool; False skips validation (for gradients that lstm_core itself computed).
        """
        hidden_size = w_h.shape[1]
        arrays = {}
        for k, gate in enumerate(GATES):
            rows = slice(k * hidden_size, (k + 1) * hidden_size)  # gate k's H rows of the 4H
            arrays[f"w_x{gate}"] = w_x[rows]
            arrays[f"w_h{gate}"] = w_h[rows]
            arrays[f"b_{gate}"] = b[rows]
        if check:
            return cls(**arrays)
        params = object.__new__(cls)  # the arrays are known good: skip __post_init__'s checks
        params.__dict__.update(arrays)
        return params

    def fused(self):
        """The fused view used by the fast path.

        Returns
        -------
        w_x : ndarray, shape (4H, D), the four w_x* stacked in gate order i, f, g, o.
        w_h : ndarray, shape (4H, H)
        b : ndarray, shape (4H,)
        """
        w_x = np.concatenate([getattr(self, f"w_x{k}") for k in GATES])  # (4H, D)
        w_h = np.concatenate([getattr(self, f"w_h{k}") for k in GATES])  # (4H, H)
        b = np.concatenate([getattr(self, f"b_{k}") for k in GATES])  # (4H,)
        return w_x, w_h, b

    def copy(self):
        """A deep copy."""
        return type(self)(**{n: a.copy() for n, a in self})

    def astype(self, dtype):
        """A copy in another float dtype."""
        return type(self)(**{n: a.astype(dtype) for n, a in self})


@dataclass(eq=False)
class RNNParams:
    """The vanilla RNN's arrays, ``h_t = tanh(w_xh x_t + w_hh h_{t-1} + b_h)``.

    ``w_xh`` (H, D), ``w_hh`` (H, H), ``b_h`` (H,). Iterates as ``(name, array)`` pairs.
    """

    w_xh: np.ndarray
    w_hh: np.ndarray
    b_h: np.ndarray

    def __post_init__(self):
        _check_params(self, RNN_PARAM_NAMES)

    def __iter__(self):
        return named_arrays(self)

    @property
    def input_size(self):
        return self.w_xh.shape[1]

    @property
    def hidden_size(self):
        return self.w_xh.shape[0]

    @property
    def dtype(self):
        return self.w_xh.dtype

    @classmethod
    def init(cls, input_size, hidden_size, rng, scale=None, dtype=np.float64):
        """Weights uniform in +-1/sqrt(H) (or +-scale), bias zero."""
        scale = 1.0 / np.sqrt(hidden_size) if scale is None else scale
        return cls(
            w_xh=rng.uniform(-scale, scale, (hidden_size, input_size)).astype(dtype),
            w_hh=rng.uniform(-scale, scale, (hidden_size, hidden_size)).astype(dtype),
            b_h=np.zeros(hidden_size, dtype),
        )

    def copy(self):
        return type(self)(**{n: a.copy() for n, a in self})
