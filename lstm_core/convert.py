"""Weight converters between ``LSTMParams`` and other libraries' and courses' LSTM layouts.

lstm_core (``LSTMParams``): gate order i, f, g, o; column equations ``z_k = w_xk x + w_hk h + b_k``
with ``w_xk`` (H, D), ``w_hk`` (H, H), ``b_k`` (H,); ``params.fused()`` stacks them to (4H, D),
(4H, H), (4H,). Every converter below returns an ``LSTMParams`` holding copies (never views of
the caller's arrays), and every ``to_*`` returns that library's arrays.

=================  ==============  ==============================================================
library            gate order      layout
=================  ==============  ==============================================================
PyTorch            i, f, g, o      weight_ih (4H, D), weight_hh (4H, H), bias_ih + bias_hh (4H,)
CS231n             i, f, o, g      Wx (D, 4H), Wh (H, 4H), b (4H,); a = x @ Wx + h @ Wh + b
Keras              i, f, c, o      kernel (D, 4H), recurrent_kernel (H, 4H), bias (4H,)
deeplearning.ai    f, i, c, o      Wf, Wi, Wc, Wo (H, H + D) on [a_prev; x]; bf .. bo (H, 1)
Karpathy lstm.py   i, f, o, g      WLSTM (1 + D + H, 4H): row 0 bias, then D input rows, H rows
=================  ==============  ==============================================================

Dimensions: D input size, H hidden size.
"""

import numpy as np

from lstm_core.params import GATES, LSTMParams, split_gates
from lstm_core.validate import as_float_array

CS231N_ORDER = ("i", "f", "o", "g")
KERAS_ORDER = ("i", "f", "g", "o")  # Keras calls g "c"
KARPATHY_ORDER = ("i", "f", "o", "g")
DEEPLEARNING_AI_NAMES = {"f": "f", "i": "i", "g": "c", "o": "o"}  # our gate -> the letter in Wf, Wi, Wc, Wo


def _array(name, value, shape, hint=""):
    """``value`` as a float array of exactly ``shape``, else a ValueError naming ``name``."""
    array = as_float_array(name, value)
    if array.shape != tuple(shape):
        transposed = array.ndim == 2 and array.shape[::-1] == tuple(shape)
        fix = " (it looks transposed: pass its .T)" if transposed else ""
        raise ValueError(f"{name} has shape {array.shape}; expected {tuple(shape)}{hint}{fix}")
    return array


def _four_h(name, value, axis, legend):
    """A 2-D weight whose ``axis`` is 4H: returns (array, H), or a ValueError with the layout."""
    array = as_float_array(name, value)
    if array.ndim != 2 or array.shape[axis] % 4:
        other = array.shape[::-1] if array.ndim == 2 else None
        fix = f" (if it is {other}, pass its .T)" if other and other[axis] % 4 == 0 else ""
        raise ValueError(f"{name} has shape {array.shape}; expected {legend}{fix}")
    return array, array.shape[axis] // 4


def _reorder(z, from_order, to_order=GATES, axis=0):
    """Gate blocks of ``z`` (4H on ``axis``) moved from ``from_order`` to ``to_order`` (a copy)."""
    blocks = dict(zip(from_order, split_gates(z, axis=axis), strict=True))  # gate -> block with H on axis
    return np.concatenate([blocks[k] for k in to_order], axis=axis)


def _from_row_major(w_x, w_h, b, order):
    """``LSTMParams`` from the row-major layout x @ w_x + h @ w_h + b with gate blocks in ``order``.

    w_x (D, 4H), w_h (H, 4H), b (4H,), already checked.
    """
    w_x = _reorder(w_x, order, axis=1).T  # (D, 4H) -> (4H, D), blocks i, f, g, o
    w_h = _reorder(w_h, order, axis=1).T  # (H, 4H) -> (4H, H)
    return LSTMParams.from_fused(w_x.copy(), w_h.copy(), _reorder(b, order))


def _to_row_major(params, order):
    """The row-major arrays (D, 4H), (H, 4H), (4H,) with gate blocks in ``order``."""
    w_x, w_h, b = params.fused()  # (4H, D), (4H, H), (4H,)
    return _reorder(w_x, GATES, order).T.copy(), _reorder(w_h, GATES, order).T.copy(), _reorder(b, GATES, order)


def _row_major_arrays(names, w_x, w_h, b, library):
    """Check the three row-major arrays of ``library``; names are the library's own."""
    w_x, hidden_size = _four_h(names[0], w_x, 1, f"(D, 4H), as in {library}'s x @ {names[0]}")
    input_size = w_x.shape[0]
    w_h = _array(names[1], w_h, (hidden_size, 4 * hidden_size), f", since {names[0]} has 4H={4 * hidden_size}")
    b = _array(names[2], b, (4 * hidden_size,), f", since {names[0]} has 4H={4 * hidden_size}")
    return w_x, w_h, b, input_size


# ---------------------------------------------------------------------------------------- PyTorch


def from_torch(lstm, layer=None, reverse=False):
    """``LSTMParams`` from one layer of a ``torch.nn.LSTM`` or of its ``state_dict()``.

    PyTorch (``torch.nn.LSTM``): gate order i, f, g, o, the same as ours, column convention
    ``z = W_ih x + b_ih + W_hh h + b_hh``; ``weight_ih_l{k}`` (4H, D), ``weight_hh_l{k}``
    (4H, H), ``bias_ih_l{k}``, ``bias_hh_l{k}`` (4H,). Its two biases enter only through their
    sum, so b = bias_ih + bias_hh. ``batch_first=True`` changes the input's layout, not the
    weights: they convert the same way. Layers above the first have D = H (2H if bidirectional);
    the reverse direction's arrays end in ``_reverse``.

    Parameters
    ----------
    lstm : torch.nn.LSTM, or a dict (its ``state_dict()``) name -> tensor or ndarray.
    layer : int or None. None is allowed for a one-layer, one-direction module; otherwise name
        the layer to convert, e.g. ``layer=0``.
    reverse : bool, the reverse direction of a bidirectional layer.

    Example::

        lstm = torch.nn.LSTM(3, 5, dtype=torch.float64)
        params = LSTMParams.from_torch(lstm)          # or from_torch(lstm.state_dict())
        h, c, cache = lstm_forward(params, x)         # x (T, B, 3), time-major
    """
    if isinstance(lstm, dict):
        state = lstm
        num_layers = 1 + max((int(k.split("_l")[1].split("_")[0]) for k in state if k.startswith("weight_ih_l")),
                             default=0)
        bidirectional = any(k.endswith("_reverse") for k in state)
        proj_size = 0 if not any(k.startswith("weight_hr_l") for k in state) else 1
        what = "the state_dict"
    else:
        state = lstm.state_dict()
        num_layers, bidirectional, proj_size = lstm.num_layers, lstm.bidirectional, lstm.proj_size
        what = f"the torch.nn.LSTM (num_layers={num_layers}, bidirectional={bidirectional})"
    if proj_size:
        raise ValueError(f"{what} has proj_size > 0 (weight_hr_l*); LSTMParams has no projection")
    if layer is None:
        if num_layers > 1 or bidirectional:
            raise ValueError(
                f"{what} holds {num_layers} layer(s){' in both directions' if bidirectional else ''}; "
                f"LSTMParams is one layer of one direction: pass layer=0 (up to layer={num_layers - 1})"
                f"{' and reverse=True for the _reverse weights' if bidirectional else ''}, "
                "i.e. the state_dict keys weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0"
            )
        layer = 0
    if not 0 <= int(layer) < num_layers:
        raise ValueError(f"layer={layer} is out of range: {what} has layers 0 .. {num_layers - 1}")
    if reverse and not bidirectional:
        raise ValueError(f"reverse=True but {what} is not bidirectional")
    suffix = f"_l{int(layer)}" + ("_reverse" if reverse else "")

    def get(name):
        key = name + suffix
        if key not in state:
            raise KeyError(f"{key!r} is missing from {what}; keys: {sorted(state)}")
        value = state[key]
        return value.detach().cpu().numpy() if hasattr(value, "detach") else np.asarray(value)

    w_x, hidden_size = _four_h("weight_ih" + suffix, get("weight_ih"), 0, "(4H, D)")
    w_h = _array("weight_hh" + suffix, get("weight_hh"), (4 * hidden_size, hidden_size))
    b = np.zeros(4 * hidden_size, w_x.dtype)
    for name in ("bias_ih", "bias_hh"):  # bias=False modules have neither
        if name + suffix in state:
            b = b + _array(name + suffix, get(name), (4 * hidden_size,))
    return LSTMParams.from_fused(w_x.copy(), w_h.copy(), b)


def to_torch(params):
    """A one-layer, time-major ``torch.nn.LSTM`` holding ``params``, in their dtype.

    PyTorch's gate order is i, f, g, o, the same as ours, so the fused arrays load directly:
    ``weight_ih_l0`` = w_x (4H, D), ``weight_hh_l0`` = w_h (4H, H), ``bias_ih_l0`` = b and
    ``bias_hh_l0`` = 0 (only their sum counts; each one's gradient equals our db). For
    ``batch_first=True`` set ``lstm.batch_first = True`` afterwards: the weights are the same.
    Requires PyTorch (imported here).

    Example::

        lstm = params.to_torch()
        out, (h_n, c_n) = lstm(torch.from_numpy(x))   # x (T, B, D); out == lstm_forward(params, x)[0]
        assert np.allclose(LSTMParams.from_torch(lstm).fused()[0], params.fused()[0])
    """
    import torch

    w_x, w_h, b = params.fused()  # (4H, D), (4H, H), (4H,)
    lstm = torch.nn.LSTM(params.input_size, params.hidden_size, dtype=getattr(torch, str(params.dtype)))
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(torch.from_numpy(w_x))
        lstm.weight_hh_l0.copy_(torch.from_numpy(w_h))
        lstm.bias_ih_l0.copy_(torch.from_numpy(b))
        lstm.bias_hh_l0.zero_()
    return lstm


# ----------------------------------------------------------------------------------------- CS231n


def from_cs231n(Wx, Wh, b):  # noqa: N803 (CS231n's own names)
    """``LSTMParams`` from CS231n's assignment 3 (``rnn_layers.lstm_step_forward``).

    CS231n: gate order i, f, o, g; row-major ``a = x @ Wx + prev_h @ Wh + b``, (N, 4H), with
    ``Wx`` (D, 4H), ``Wh`` (H, 4H), ``b`` (4H,); ``i, f, o = sigmoid(a[:, :3H])``,
    ``g = tanh(a[:, 3H:])``, ``next_c = f * prev_c + i * g``, ``next_h = o * tanh(next_c)``.

    Example::

        params = LSTMParams.from_cs231n(Wx, Wh, b)    # Wx (D, 4H), Wh (H, 4H), b (4H,)
        h, c, cache = lstm_forward(params, x.transpose(1, 0, 2))  # CS231n's x is (N, T, D)
        Wx, Wh, b = to_cs231n(params)                 # and back
    """
    w_x, w_h, b, _ = _row_major_arrays(("Wx", "Wh", "b"), Wx, Wh, b, "CS231n")
    return _from_row_major(w_x, w_h, b, CS231N_ORDER)


def to_cs231n(params):
    """CS231n's ``Wx`` (D, 4H), ``Wh`` (H, 4H), ``b`` (4H,), gate order i, f, o, g."""
    return _to_row_major(params, CS231N_ORDER)


# ------------------------------------------------------------------------------------------ Keras


def from_keras(kernel, recurrent_kernel, bias):
    """``LSTMParams`` from a Keras ``LSTM`` layer's ``get_weights()`` (``use_bias=True``).

    Keras: gate order i, f, c, o (its c is our g); row-major
    ``z = x @ kernel + h @ recurrent_kernel + bias`` with ``kernel`` (D, 4H),
    ``recurrent_kernel`` (H, 4H), ``bias`` (4H,); ``i, f, o = sigmoid(...)``, ``c~ = tanh(...)``,
    ``c = f * c_prev + i * c~``, ``h = o * tanh(c)`` (the default activations).

    Example::

        kernel, recurrent_kernel, bias = layer.get_weights()
        params = LSTMParams.from_keras(kernel, recurrent_kernel, bias)
        kernel, recurrent_kernel, bias = to_keras(params)  # and back
    """
    w_x, w_h, b, _ = _row_major_arrays(("kernel", "recurrent_kernel", "bias"), kernel, recurrent_kernel, bias,
                                       "Keras")
    return _from_row_major(w_x, w_h, b, KERAS_ORDER)


def to_keras(params):
    """Keras's ``kernel`` (D, 4H), ``recurrent_kernel`` (H, 4H), ``bias`` (4H,), gate order i, f, c, o."""
    return _to_row_major(params, KERAS_ORDER)


# -------------------------------------------------------------------------------- deeplearning.ai


def from_deeplearning_ai(parameters):
    """``LSTMParams`` from deeplearning.ai's Sequence Models ``parameters`` dict (week 1, lstm_cell_forward).

    deeplearning.ai: one weight per gate on the column ``concat = [a_prev; xt]``, (n_a + n_x, m):
    ``ft = sigmoid(Wf @ concat + bf)``, ``it = sigmoid(Wi @ concat + bi)``,
    ``cct = tanh(Wc @ concat + bc)``, ``ot = sigmoid(Wo @ concat + bo)``,
    ``c_next = ft * c_prev + it * cct``, ``a_next = ot * tanh(c_next)``. Shapes: ``Wf``, ``Wi``,
    ``Wc``, ``Wo`` (n_a, n_a + n_x), the first n_a columns multiplying a_prev; ``bf`` .. ``bo``
    (n_a, 1). Here n_a = H, n_x = D; its c gate is our g. ``Wy``, ``by`` are ignored.

    Example::

        params = LSTMParams.from_deeplearning_ai(parameters)  # keys Wf, bf, Wi, bi, Wc, bc, Wo, bo
        h, c, cache = lstm_forward(params, x.transpose(2, 1, 0))  # their x is (n_x, m, T_x)
        parameters = to_deeplearning_ai(params)               # and back
    """
    missing = [k for g in "fico" for k in (f"W{g}", f"b{g}") if k not in parameters]
    if missing:
        raise KeyError(f"parameters lacks {missing}; expected the keys Wf, bf, Wi, bi, Wc, bc, Wo, bo")
    first = as_float_array("Wf", parameters["Wf"])
    if first.ndim != 2 or first.shape[1] <= first.shape[0]:
        raise ValueError(f"Wf has shape {first.shape}; expected (n_a, n_a + n_x), acting on concat = [a_prev; xt]")
    hidden_size = first.shape[0]
    input_size = first.shape[1] - hidden_size
    arrays = {}
    for k, letter in DEEPLEARNING_AI_NAMES.items():
        w = _array(f"W{letter}", parameters[f"W{letter}"], (hidden_size, hidden_size + input_size),
                   f" (n_a, n_a + n_x), since Wf is {first.shape}")
        b = _array(f"b{letter}", np.reshape(parameters[f"b{letter}"], -1), (hidden_size,), " (a column (n_a, 1))")
        arrays[f"w_h{k}"] = w[:, :hidden_size].copy()  # (H, H): the columns that multiply a_prev
        arrays[f"w_x{k}"] = w[:, hidden_size:].copy()  # (H, D): the columns that multiply xt
        arrays[f"b_{k}"] = b.copy()
    return LSTMParams(**arrays)


def to_deeplearning_ai(params):
    """deeplearning.ai's dict: ``W{f,i,c,o}`` (H, H + D) on [a_prev; xt] and ``b{f,i,c,o}`` (H, 1)."""
    parameters = {}
    for k, letter in DEEPLEARNING_AI_NAMES.items():
        parameters[f"W{letter}"] = np.concatenate([getattr(params, f"w_h{k}"), getattr(params, f"w_x{k}")],
                                                  axis=1)  # (H, H + D)
        parameters[f"b{letter}"] = getattr(params, f"b_{k}").reshape(-1, 1).copy()  # (H,) -> (H, 1)
    return parameters


# ----------------------------------------------------------------------------------------- Karpathy


def from_karpathy(WLSTM, input_size=None):  # noqa: N803 (Karpathy's own name)
    """``LSTMParams`` from Karpathy's packed ``WLSTM`` (gist lstm.py, ``LSTM.forward``).

    Karpathy: one matrix on the row ``Hin = [1, x, h_prev]``, (n, 1 + D + H):
    ``IFOG = Hin @ WLSTM``, (n, 4H), gate order i, f, o, g (sigmoid on the first 3H, tanh on
    the last H), ``C = i * g + f * C_prev``, ``Hout = o * tanh(C)``. ``WLSTM`` is
    (1 + D + H, 4H): row 0 the bias, rows 1 .. D the input weights, the last H rows the
    recurrent weights.

    Parameters
    ----------
    WLSTM : ndarray, shape (1 + D + H, 4H).
    input_size : int or None, D, checked if given (H comes from 4H).

    Example::

        params = LSTMParams.from_karpathy(WLSTM)       # WLSTM (1 + D + H, 4H)
        h, c, cache = lstm_forward(params, X)          # Karpathy's X is (n, b, D), time-major too
        WLSTM = to_karpathy(params)                    # and back
    """
    w, hidden_size = _four_h("WLSTM", WLSTM, 1, "(1 + D + H, 4H): bias row, D input rows, H recurrent rows")
    if w.shape[0] < 1 + hidden_size + 1:
        raise ValueError(f"WLSTM has shape {w.shape}; expected (1 + D + H, 4H) with H={hidden_size}, D >= 1")
    if input_size is not None and w.shape[0] != 1 + input_size + hidden_size:
        raise ValueError(f"WLSTM has shape {w.shape}; expected {(1 + input_size + hidden_size, 4 * hidden_size)} "
                         f"for input_size={input_size}, H={hidden_size}")
    input_size = w.shape[0] - 1 - hidden_size
    b, w_x, w_h = w[0], w[1 : 1 + input_size], w[1 + input_size :]  # (4H,), (D, 4H), (H, 4H)
    return _from_row_major(w_x, w_h, b, KARPATHY_ORDER)


def to_karpathy(params):
    """Karpathy's ``WLSTM`` (1 + D + H, 4H): bias row, input rows, recurrent rows; gate order i, f, o, g."""
    w_x, w_h, b = _to_row_major(params, KARPATHY_ORDER)  # (D, 4H), (H, 4H), (4H,)
    return np.concatenate([b[None], w_x, w_h], axis=0)  # (1 + D + H, 4H)
