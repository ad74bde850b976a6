"""The parameter containers: the LSTM's twelve arrays, named as in the source article, and the RNN's three.

Convention (column vectors, as in the article): for each gate ``k`` in ``GATES``,
``z_k = w_xk x + w_hk h + b_k``, so ``w_xk`` has shape (H, D), ``w_hk`` (H, H), ``b_k`` (H,).
Batched code stores x as rows, shape (B, D), and computes ``x @ w_xk.T``; one product with the
fused (4H, D) weights gives all four gates, and ``split_gates`` cuts the result into i, f, g, o.

Every container (here and in ``lstm_core.variants``) is a dataclass of named arrays built on
``ParamArrays``, which validates them, iterates over ``(name, array)`` pairs and makes zeros,
random initial values and copies. A name says the shape: ``w_x*`` (H, D), ``w_h*`` (H, H),
everything else (``b_*``, the peepholes ``p_*``) (H,).

Dimensions: D input size, H hidden size.
"""

from dataclasses import KW_ONLY, InitVar, dataclass, fields

import numpy as np

from lstm_core.validate import as_float_array, check_finite, checked

GATES = ("i", "f", "g", "o")
"""Gate order everywhere in lstm_core: input, forget, candidate (cell input), output."""

PARAM_NAMES = tuple(name for k in GATES for name in (f"w_x{k}", f"w_h{k}", f"b_{k}"))
RNN_PARAM_NAMES = ("w_xh", "w_hh", "b_h")


def split_gates(z, axis=-1, count=4):
    """Cut a fused array into its gate blocks (views, not copies), in gate order.

    Parameters
    ----------
    z : ndarray whose ``axis`` has size count * H, e.g. pre-activations (B, 4H) or (T, B, 4H),
        or fused weights (4H, D) with ``axis=0``.
    axis : int, the axis that holds the gate blocks.
    count : int, the number of gates (4 for the LSTM's i, f, g, o; 3 for the GRU's r, z, n).

    Returns
    -------
    tuple of ``count`` ndarrays, each of z's shape with H on ``axis``.
    """
    size = z.shape[axis]
    if size % count:
        raise ValueError(f"axis {axis} of shape {z.shape} is not {count} gate blocks of equal size")
    hidden_size = size // count
    index = [slice(None)] * z.ndim
    blocks = []
    for k in range(count):
        index[axis] = slice(k * hidden_size, (k + 1) * hidden_size)  # gate k's H entries of count*H
        blocks.append(z[tuple(index)])
    return tuple(blocks)


def param_shape(name, input_size, hidden_size):
    """Expected shape of a parameter from its name: w_x* (H, D), w_h* (H, H), anything else (H,)."""
    if name.startswith("w_x"):
        return (hidden_size, input_size)
    if name.startswith("w_h"):
        return (hidden_size, hidden_size)
    return (hidden_size,)


def validate_params(params):
    """Check every array of a container: one float dtype, finite values, the shape its name says.

    The first field (a ``w_x*``, shape (H, D)) sets D, H and the dtype; every error names the
    field. Arrays given as lists become float64 arrays.
    """
    names = [f.name for f in fields(params)]
    first = as_float_array(names[0], getattr(params, names[0]))
    if first.ndim != 2:
        raise ValueError(f"{names[0]} has shape {first.shape}; expected (H, D)")
    hidden_size, input_size = first.shape
    for name in names:
        array = as_float_array(name, getattr(params, name), dtype=first.dtype)
        expected = param_shape(name, input_size, hidden_size)
        if array.shape != expected:
            raise ValueError(
                f"{name} has shape {array.shape}; expected {expected}, since {names[0]} has H={hidden_size} "
                f"and D={input_size} (w_x*: (H, D), w_h*: (H, H), b_* and p_*: (H,))"
            )
        check_finite(name, array)
        setattr(params, name, array)


def named_arrays(params):
    """``(name, array)`` pairs of a container in field order (``dict(params)`` holds the very arrays)."""
    return ((f.name, getattr(params, f.name)) for f in fields(params))


def check_type(value, cls, name="params"):
    """Raise ``TypeError`` unless ``value`` is a ``cls``, e.g. 'params must be an LSTMParams, got dict'."""
    if not isinstance(value, cls):
        article = "an" if cls.__name__[0] in "AEFHILMNORSX" else "a"  # as the letter is spoken
        raise TypeError(f"{name} must be {article} {cls.__name__}, got {type(value).__name__}")


def initial_state(name, value, batch_size, params, sizes):
    """h0 or c0: zeros (B, H) when ``value`` is None, else ``value`` checked to be (B, H)."""
    if value is None:
        return np.zeros((batch_size, params.hidden_size), params.dtype)
    return checked(name, value, ("B", "H"), sizes, dtype=params.dtype)


def checked_dh_loss(dh_loss, cache):
    """The loss's direct gradient for a sequence backward pass, checked against its forward cache.

    Returns ``dh_loss`` as an array of shape (T, B, H): T and B those of the cached x (T, B, D),
    H and the dtype those of the cached params.
    """
    params, x = cache["params"], cache["x"]
    sizes = {"T": (x.shape[0], "the cached x"), "B": (x.shape[1], "the cached x"), "H": (params.hidden_size, "params")}
    return checked("dh_loss", dh_loss, ("T", "B", "H"), sizes, dtype=params.dtype, legend="time-major")


@dataclass(eq=False)
class ParamArrays:
    """What every parameter container shares; subclasses are dataclasses that list their arrays.

    Iterating yields ``(name, array)`` pairs in field order, so ``dict(params)`` maps names to
    the very arrays held (updating them in place updates the parameters). ``check=False`` skips
    validation, for gradients that lstm_core itself computed.
    """

    _: KW_ONLY
    check: InitVar[bool] = True

    def __post_init__(self, check):
        if check:
            validate_params(self)

    def __iter__(self):
        return named_arrays(self)

    def _first(self):
        return getattr(self, fields(self)[0].name)  # a w_x*, shape (H, D)

    @property
    def input_size(self):
        """D, the size of x_t."""
        return self._first().shape[1]

    @property
    def hidden_size(self):
        """H, the size of h_t (and c_t)."""
        return self._first().shape[0]

    @property
    def dtype(self):
        return self._first().dtype

    @classmethod
    def zeros(cls, input_size, hidden_size, dtype=np.float64):
        """All-zero parameters of the given sizes (e.g. to accumulate gradients)."""
        return cls(**{f.name: np.zeros(param_shape(f.name, input_size, hidden_size), dtype) for f in fields(cls)})

    @classmethod
    def random(cls, input_size, hidden_size, rng, scale=None, dtype=np.float64, biases=None):
        """Weights (and peepholes) uniform in +-scale, default 1/sqrt(H), drawn in field order;
        biases zero except those named in the dict ``biases`` (name -> value of every entry)."""
        scale = 1.0 / np.sqrt(hidden_size) if scale is None else scale
        biases = biases or {}
        arrays = {}
        for f in fields(cls):
            shape = param_shape(f.name, input_size, hidden_size)
            if f.name.startswith("b_"):
                arrays[f.name] = np.full(shape, biases.get(f.name, 0.0))
            else:
                arrays[f.name] = rng.uniform(-scale, scale, size=shape)
        return cls(**{name: array.astype(dtype) for name, array in arrays.items()})

    def accumulate(self, other):
        """Add the arrays of ``other`` (same class and shapes) into these ones, in place."""
        for (_, total), (_, array) in zip(self, other, strict=True):
            total += array

    def copy(self):
        """A deep copy."""
        return type(self)(**{name: array.copy() for name, array in self})

    def astype(self, dtype):
        """A copy in another float dtype."""
        return type(self)(**{name: array.astype(dtype) for name, array in self})


@dataclass(eq=False)
class LSTMParams(ParamArrays):
    """The twelve LSTM arrays: ``w_x*`` (H, D), ``w_h*`` (H, H), ``b_*`` (H,) for * in i, f, g, o.

    Iterating yields ``(name, array)`` pairs in the order of ``PARAM_NAMES``. Gradients are
    returned as an ``LSTMParams`` with the same names.
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
        return cls.random(input_size, hidden_size, rng, scale, dtype, biases={"b_f": forget_bias})

    @classmethod
    def from_fused(cls, w_x, w_h, b, check=True):
        """Split fused arrays back into the twelve named ones (views into them, not copies).

        Parameters
        ----------
        w_x : ndarray, shape (4H, D), row blocks in gate order i, f, g, o.
        w_h : ndarray, shape (4H, H)
        b : ndarray, shape (4H,)
        check : bool; False skips validation (for gradients that lstm_core itself computed).
        """
        arrays = {}
        for k, w_xk, w_hk, b_k in zip(GATES, split_gates(w_x, axis=0), split_gates(w_h, axis=0),
                                      split_gates(b, axis=0), strict=True):  # 4 x (H, D), (H, H), (H,)
            arrays.update({f"w_x{k}": w_xk, f"w_h{k}": w_hk, f"b_{k}": b_k})
        return cls(**arrays, check=check)

    def fused(self):
        """The four gates' arrays stacked, so that one product gives all the gates.

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

    # Converters from and to other libraries' layouts; each is documented in lstm_core.convert.

    @classmethod
    def from_torch(cls, lstm, layer=None, reverse=False):
        """From one layer of a ``torch.nn.LSTM`` or its ``state_dict()`` (``lstm_core.convert.from_torch``)."""
        from lstm_core import convert

        return convert.from_torch(lstm, layer, reverse)

    def to_torch(self):
        """A one-layer ``torch.nn.LSTM`` holding these parameters (``lstm_core.convert.to_torch``)."""
        from lstm_core import convert

        return convert.to_torch(self)

    @classmethod
    def from_cs231n(cls, Wx, Wh, b):  # noqa: N803 (CS231n's names)
        """From CS231n's Wx (D, 4H), Wh (H, 4H), b (4H,), gates i, f, o, g (``lstm_core.convert.from_cs231n``)."""
        from lstm_core import convert

        return convert.from_cs231n(Wx, Wh, b)

    @classmethod
    def from_keras(cls, kernel, recurrent_kernel, bias):
        """From Keras's kernel (D, 4H), recurrent_kernel (H, 4H), bias (4H,), gates i, f, c, o
        (``lstm_core.convert.from_keras``)."""
        from lstm_core import convert

        return convert.from_keras(kernel, recurrent_kernel, bias)

    @classmethod
    def from_deeplearning_ai(cls, parameters):
        """From deeplearning.ai's dict Wf, Wi, Wc, Wo (H, H + D) on [a_prev; x], bf .. bo (H, 1)
        (``lstm_core.convert.from_deeplearning_ai``)."""
        from lstm_core import convert

        return convert.from_deeplearning_ai(parameters)

    @classmethod
    def from_karpathy(cls, WLSTM, input_size=None):  # noqa: N803 (Karpathy's name)
        """From Karpathy's packed WLSTM (1 + D + H, 4H), bias row first, gates i, f, o, g
        (``lstm_core.convert.from_karpathy``)."""
        from lstm_core import convert

        return convert.from_karpathy(WLSTM, input_size)


@dataclass(eq=False)
class RNNParams(ParamArrays):
    """The vanilla RNN's arrays, ``h_t = tanh(w_xh x_t + w_hh h_{t-1} + b_h)``.

    ``w_xh`` (H, D), ``w_hh`` (H, H), ``b_h`` (H,). Iterates as ``(name, array)`` pairs.
    """

    w_xh: np.ndarray
    w_hh: np.ndarray
    b_h: np.ndarray

    @classmethod
    def init(cls, input_size, hidden_size, rng, scale=None, dtype=np.float64):
        """Weights uniform in +-1/sqrt(H) (or +-scale), bias zero."""
        return cls.random(input_size, hidden_size, rng, scale, dtype)
