"""Two relatives of the LSTM, forward and full BPTT: the peephole LSTM and the GRU.

**Peephole LSTM** (the "vanilla" LSTM of Greff et al. 2017, "LSTM: A Search Space Odyssey").
The gates also look at the cell state through diagonal weights ``p_i, p_f, p_o``, each (H,),
applied elementwise; i and f see c_{t-1}, o sees the new c_t::

    Z_i = w_xi x_t + w_hi h_{t-1} + p_i * c_{t-1} + b_i;   i = sigmoid(Z_i)
    Z_f = w_xf x_t + w_hf h_{t-1} + p_f * c_{t-1} + b_f;   f = sigmoid(Z_f)
    Z_g = w_xg x_t + w_hg h_{t-1} + b_g;                   g = tanh(Z_g)
    c_t = f * c_{t-1} + i * g
    Z_o = w_xo x_t + w_ho h_{t-1} + p_o * c_t + b_o;       o = sigmoid(Z_o)
    h_t = o * tanh(c_t)

With p_i = p_f = p_o = 0 it is exactly ``lstm_core.lstm``.

**GRU**, in PyTorch's convention (``torch.nn.GRU``; the reset gate acts *after* the recurrent
product, as in cuDNN; Cho et al. 2014 apply it before). Here a_k is gate k's pre-activation
(the lessons' Z_k, renamed because z is the update gate)::

    a_r = w_xr x_t + w_hr h_{t-1} + b_r;                     r = sigmoid(a_r)
    a_z = w_xz x_t + w_hz h_{t-1} + b_z;                     z = sigmoid(a_z)
    a_n = w_xn x_t + b_xn + r * (w_hn h_{t-1} + b_hn);       n = tanh(a_n)
    h_t = (1 - z) * n + z * h_{t-1}

PyTorch has two biases per gate; for r and z only their sum matters, so we keep one (b_r, b_z),
while n needs both (b_hn sits inside the reset). ``GRU_GATES`` is PyTorch's row order r, z, n.

Batched code keeps x_t as rows, shape (B, D), and computes ``x_t @ w_x.T``.
Dimensions: T time steps, B batch, D input size, H hidden size.
"""

from dataclasses import dataclass

import numpy as np

from lstm_core.activations import sigmoid, sigmoid_grad_from_output, tanh, tanh_grad_from_output
from lstm_core.params import (
    PARAM_NAMES,
    LSTMParams,
    ParamArrays,
    check_type,
    checked_dh_loss,
    initial_state,
    split_gates,
)
from lstm_core.validate import checked

PEEPHOLE_NAMES = PARAM_NAMES + ("p_i", "p_f", "p_o")
GRU_GATES = ("r", "z", "n")
"""GRU gate order: reset, update, candidate (PyTorch's row order in ``weight_ih_l0``)."""
GRU_PARAM_NAMES = ("w_xr", "w_hr", "b_r", "w_xz", "w_hz", "b_z", "w_xn", "w_hn", "b_xn", "b_hn")


@dataclass(eq=False)
class PeepholeParams(ParamArrays):
    """The peephole LSTM's fifteen arrays: the twelve of ``LSTMParams`` and ``p_i, p_f, p_o`` (H,).

    Iterating yields ``(name, array)`` pairs in the order of ``PEEPHOLE_NAMES``.
    """

    __annotations__ = dict.fromkeys(PEEPHOLE_NAMES, np.ndarray)  # one array field per name, in order

    # ``LSTMParams.init`` over these fifteen fields: the peepholes are drawn like the weights, in +-scale
    init = classmethod(LSTMParams.init.__func__)

    @classmethod
    def from_lstm(cls, lstm, p_i=None, p_f=None, p_o=None):
        """Copies of an ``LSTMParams``' twelve arrays with the given peepholes (zeros when None), each (H,)."""
        check_type(lstm, LSTMParams, "lstm")
        zeros = np.zeros(lstm.hidden_size, lstm.dtype)
        peepholes = {name: zeros.copy() if value is None else np.array(value, dtype=lstm.dtype)
                     for name, value in (("p_i", p_i), ("p_f", p_f), ("p_o", p_o))}
        return cls(**{name: array.copy() for name, array in lstm}, **peepholes)

    def lstm(self):
        """The twelve ordinary LSTM arrays as an ``LSTMParams`` (the same arrays, not copies)."""
        return LSTMParams(**{name: getattr(self, name) for name in PARAM_NAMES}, check=False)  # checked here


@dataclass(eq=False)
class GRUParams(ParamArrays):
    """The GRU's ten arrays: ``w_x*`` (H, D), ``w_h*`` (H, H) for * in r, z, n; b_r, b_z, b_xn, b_hn (H,).

    Iterating yields ``(name, array)`` pairs in the order of ``GRU_PARAM_NAMES``.
    """

    __annotations__ = dict.fromkeys(GRU_PARAM_NAMES, np.ndarray)  # one array field per name, in order

    @classmethod
    def init(cls, input_size, hidden_size, rng, update_bias=0.0, scale=None, dtype=np.float64):
        """Weights uniform in +-scale (default 1/sqrt(H)); b_z = update_bias, the other biases zero.

        A positive ``update_bias`` opens the update gate z, so h_t starts close to h_{t-1}: the GRU's
        counterpart of the LSTM's positive forget bias.
        """
        return cls.random(input_size, hidden_size, rng, scale, dtype, biases={"b_z": update_bias})

    def fused(self):
        """The stacked arrays, gate order r, z, n.

        Returns
        -------
        w_x : ndarray, shape (3H, D)
        w_h : ndarray, shape (3H, H)
        b_x : ndarray, shape (3H,), [b_r, b_z, b_xn]: added outside the reset.
        b_h : ndarray, shape (3H,), [0, 0, b_hn]: added inside the reset.
        """
        w_x = np.concatenate([self.w_xr, self.w_xz, self.w_xn])  # (3H, D)
        w_h = np.concatenate([self.w_hr, self.w_hz, self.w_hn])  # (3H, H)
        b_x = np.concatenate([self.b_r, self.b_z, self.b_xn])  # (3H,)
        b_h = np.concatenate([np.zeros(2 * self.hidden_size, self.dtype), self.b_hn])  # (3H,)
        return w_x, w_h, b_x, b_h


def _sizes(params):
    return {"D": (params.input_size, "params"), "H": (params.hidden_size, "params")}


# ---------------------------------------------------------------- peephole LSTM


def peephole_step_forward(params, x_t, h_prev, c_prev):
    """One peephole-LSTM step for a batch.

    Parameters
    ----------
    params : PeepholeParams with input size D and hidden size H.
    x_t : ndarray, shape (B, D)
    h_prev, c_prev : ndarray, shape (B, H), h_{t-1} and c_{t-1}.

    Returns
    -------
    h, c : ndarray, shape (B, H), h_t and c_t.
    cache : dict for ``peephole_step_backward``; ``cache["i"]`` etc. hold the gates, each (B, H).
    """
    check_type(params, PeepholeParams)
    sizes = _sizes(params)
    x_t = checked("x_t", x_t, ("B", "D"), sizes, dtype=params.dtype, legend="one row per sequence")
    h_prev = checked("h_prev", h_prev, ("B", "H"), sizes, dtype=params.dtype)
    c_prev = checked("c_prev", c_prev, ("B", "H"), sizes, dtype=params.dtype)
    w_x, w_h, b = params.lstm().fused()  # (4H, D), (4H, H), (4H,)
    z_i, z_f, z_g, z_o = split_gates(x_t @ w_x.T + h_prev @ w_h.T + b)  # 4 x (B, H), gate order i, f, g, o
    i = sigmoid(z_i + params.p_i * c_prev)  # the peepholes broadcast (H,) over the batch
    f = sigmoid(z_f + params.p_f * c_prev)
    g = tanh(z_g)
    c = f * c_prev + i * g
    o = sigmoid(z_o + params.p_o * c)  # o looks at the new cell state
    tanh_c = tanh(c)
    h = o * tanh_c
    cache = dict(params=params, x=x_t, h_prev=h_prev, c_prev=c_prev, i=i, f=f, g=g, o=o, c=c, tanh_c=tanh_c)
    return h, c, cache


def peephole_step_backward(dh, dc_next, cache):
    """Backward through one peephole-LSTM step.

    Parameters
    ----------
    dh : ndarray, shape (B, H), the total dL/dh_t (loss at t plus what step t+1 sends).
    dc_next : ndarray, shape (B, H), dL/dc_t arriving from step t+1 (zeros at the last step); the
        paths from c_t through h_t and through o_t's peephole are added here.
    cache : dict from ``peephole_step_forward``.

    Returns
    -------
    grads : PeepholeParams of dL/dw, shapes as the parameters.
    dx : ndarray, shape (B, D)
    dh_prev, dc_prev : ndarray, shape (B, H), dL/dh_{t-1} and dL/dc_{t-1} through this step.
    """
    params = cache["params"]
    sizes = {"B": (cache["x"].shape[0], "the cached x_t"), "H": (params.hidden_size, "params")}
    dh = checked("dh", dh, ("B", "H"), sizes, dtype=params.dtype)
    dc_next = checked("dc_next", dc_next, ("B", "H"), sizes, dtype=params.dtype)
    i, f, g, o, c_prev, tanh_c = (cache[k] for k in ("i", "f", "g", "o", "c_prev", "tanh_c"))
    dz_o = dh * tanh_c * sigmoid_grad_from_output(o)
    # three paths into c_t: from step t+1, through h_t = o tanh(c_t), through o's peephole
    dc = dc_next + dh * o * tanh_grad_from_output(tanh_c) + params.p_o * dz_o
    dz_i = dc * g * sigmoid_grad_from_output(i)
    dz_f = dc * c_prev * sigmoid_grad_from_output(f)
    dz_g = dc * i * tanh_grad_from_output(g)
    # the carousel, plus c_{t-1}'s peepholes into i and f
    dc_prev = dc * f + params.p_i * dz_i + params.p_f * dz_f
    dz = np.concatenate([dz_i, dz_f, dz_g, dz_o], axis=1)  # (B, 4H), gate order i, f, g, o
    w_x, w_h, _ = params.lstm().fused()  # (4H, D), (4H, H)
    lstm_grads = LSTMParams.from_fused(dz.T @ cache["x"], dz.T @ cache["h_prev"], dz.sum(axis=0), check=False)
    grads = PeepholeParams(**dict(lstm_grads), p_i=(dz_i * c_prev).sum(axis=0),
                           p_f=(dz_f * c_prev).sum(axis=0), p_o=(dz_o * cache["c"]).sum(axis=0), check=False)
    return grads, dz @ w_x, dz @ w_h, dc_prev


def peephole_forward(params, x, h0=None, c0=None):
    """Run a peephole LSTM over a time-major batch, one ``peephole_step_forward`` a step.

    Takes params (a PeepholeParams), x (T, B, D) and h0, c0 (B, H) or None for zeros; returns
    h and c, each (T, B, H), and the cache for ``peephole_backward``, whose ``cache["steps"]``
    is the list of the T step caches.
    """
    check_type(params, PeepholeParams)
    sizes = _sizes(params)
    x = checked("x", x, ("T", "B", "D"), sizes, dtype=params.dtype, legend="time-major")
    h0 = initial_state("h0", h0, x.shape[1], params, sizes)
    c0 = initial_state("c0", c0, x.shape[1], params, sizes)
    h_t, c_t, steps, hs, cs = h0, c0, [], [], []
    for x_t in x:
        h_t, c_t, step = peephole_step_forward(params, x_t, h_t, c_t)
        steps.append(step)
        hs.append(h_t)
        cs.append(c_t)
    return np.stack(hs), np.stack(cs), dict(params=params, x=x, h0=h0, c0=c0, steps=steps)


def peephole_backward(dh_loss, cache):
    """Full backpropagation through time for ``peephole_forward``.

    Parameters
    ----------
    dh_loss : ndarray, shape (T, B, H), the loss's *direct* gradient dL_t/dh_t at each step; the
        recurrent paths through h_{t+1} and c_{t+1} are added here.
    cache : dict from ``peephole_forward``.

    Returns
    -------
    grads : PeepholeParams of dL/dw, summed over time and batch.
    dx : ndarray, shape (T, B, D)
    dh0, dc0 : ndarray, shape (B, H), dL/dh_0 and dL/dc_0.
    """
    return _backward_over_steps(peephole_step_backward, dh_loss, cache, num_carried=1)  # carries dL/dc_t


# ---------------------------------------------------------------- GRU


def gru_step_forward(params, x_t, h_prev):
    """One GRU step for a batch (PyTorch's convention, see the module docstring).

    Parameters
    ----------
    params : GRUParams with input size D and hidden size H.
    x_t : ndarray, shape (B, D)
    h_prev : ndarray, shape (B, H), h_{t-1}.

    Returns
    -------
    h : ndarray, shape (B, H), h_t.
    cache : dict for ``gru_step_backward``; ``cache["r"]``, ``["z"]``, ``["n"]`` are (B, H), and
        ``cache["hn"]`` is w_hn h_{t-1} + b_hn, (B, H), the term the reset gate scales.
    """
    check_type(params, GRUParams)
    sizes = _sizes(params)
    x_t = checked("x_t", x_t, ("B", "D"), sizes, dtype=params.dtype, legend="one row per sequence")
    h_prev = checked("h_prev", h_prev, ("B", "H"), sizes, dtype=params.dtype)
    w_x, w_h, b_x, b_h = params.fused()  # (3H, D), (3H, H), (3H,), (3H,)
    xr, xz, xn = split_gates(x_t @ w_x.T + b_x, count=3)  # 3 x (B, H): input side of r, z, n
    hr, hz, hn = split_gates(h_prev @ w_h.T + b_h, count=3)  # 3 x (B, H): recurrent side
    r = sigmoid(xr + hr)
    z = sigmoid(xz + hz)
    n = tanh(xn + r * hn)
    h = (1.0 - z) * n + z * h_prev
    return h, dict(params=params, x=x_t, h_prev=h_prev, r=r, z=z, n=n, hn=hn)


def gru_step_backward(dh, cache):
    """Backward through one GRU step.

    Parameters
    ----------
    dh : ndarray, shape (B, H), the total dL/dh_t (loss at t plus what step t+1 sends).
    cache : dict from ``gru_step_forward``.

    Returns
    -------
    grads : GRUParams of dL/dw, shapes as the parameters.
    dx : ndarray, shape (B, D)
    dh_prev : ndarray, shape (B, H), dL/dh_{t-1} through this step (all four paths).
    """
    params = cache["params"]
    sizes = {"B": (cache["x"].shape[0], "the cached x_t"), "H": (params.hidden_size, "params")}
    dh = checked("dh", dh, ("B", "H"), sizes, dtype=params.dtype)
    r, z, n, hn, h_prev = (cache[k] for k in ("r", "z", "n", "hn", "h_prev"))
    da_n = dh * (1.0 - z) * tanh_grad_from_output(n)  # h_t = (1 - z) n + ..., back through tanh
    da_z = dh * (h_prev - n) * sigmoid_grad_from_output(z)  # dh_t/dz = h_{t-1} - n
    da_r = da_n * hn * sigmoid_grad_from_output(r)  # r multiplies hn inside a_n
    dhn = da_n * r  # what reaches w_hn h_{t-1} + b_hn through the reset
    da_x = np.concatenate([da_r, da_z, da_n], axis=1)  # (B, 3H): gradient of the input-side sums
    da_h = np.concatenate([da_r, da_z, dhn], axis=1)  # (B, 3H): gradient of the recurrent-side sums
    w_x, w_h, _, _ = params.fused()  # (3H, D), (3H, H)
    dw_x_r, dw_x_z, dw_x_n = split_gates(da_x.T @ cache["x"], axis=0, count=3)  # 3 x (H, D)
    dw_h_r, dw_h_z, dw_h_n = split_gates(da_h.T @ h_prev, axis=0, count=3)  # 3 x (H, H)
    grads = GRUParams(w_xr=dw_x_r, w_hr=dw_h_r, b_r=da_r.sum(axis=0), w_xz=dw_x_z, w_hz=dw_h_z,
                      b_z=da_z.sum(axis=0), w_xn=dw_x_n, w_hn=dw_h_n, b_xn=da_n.sum(axis=0),
                      b_hn=dhn.sum(axis=0), check=False)
    dh_prev = dh * z + da_h @ w_h  # the direct leak z, plus the paths through r, z and n
    return grads, da_x @ w_x, dh_prev


def gru_forward(params, x, h0=None):
    """Run a GRU over a time-major batch.

    Parameters
    ----------
    params : GRUParams with input size D and hidden size H.
    x : ndarray, shape (T, B, D), time-major.
    h0 : ndarray, shape (B, H), or None for zeros.

    Returns
    -------
    h : ndarray, shape (T, B, H), h_1 .. h_T.
    cache : dict for ``gru_backward``: ``cache["steps"]`` is the list of T step caches.
    """
    check_type(params, GRUParams)
    sizes = _sizes(params)
    x = checked("x", x, ("T", "B", "D"), sizes, dtype=params.dtype, legend="time-major")
    h0 = initial_state("h0", h0, x.shape[1], params, sizes)
    h_t, steps, hs = h0, [], []
    for x_t in x:
        h_t, step = gru_step_forward(params, x_t, h_t)
        steps.append(step)
        hs.append(h_t)
    return np.stack(hs), dict(params=params, x=x, h0=h0, steps=steps)


def gru_backward(dh_loss, cache):
    """Full backpropagation through time for ``gru_forward``.

    Parameters
    ----------
    dh_loss : ndarray, shape (T, B, H), the loss's direct gradient dL_t/dh_t at each step.
    cache : dict from ``gru_forward``.

    Returns
    -------
    grads : GRUParams of dL/dw, summed over time and batch.
    dx : ndarray, shape (T, B, D)
    dh0 : ndarray, shape (B, H), dL/dh_0.
    """
    return _backward_over_steps(gru_step_backward, dh_loss, cache, num_carried=0)


def _backward_over_steps(step_backward, dh_loss, cache, num_carried):
    """Full BPTT as a loop of a model's step backward, from step T-1 down to step 0.

    ``step_backward(dh, *carried, step_cache)`` returns ``(grads, dx_t, dh_prev, *carried_prev)``,
    where ``carried`` are the ``num_carried`` other state gradients (the peephole LSTM's dL/dc_t).
    Returns the summed grads, dx (T, B, D), dh0 and the carried gradients at the initial state, (B, H).
    """
    dh_loss = checked_dh_loss(dh_loss, cache)  # (T, B, H)
    params = cache["params"]
    grads = type(params).zeros(params.input_size, params.hidden_size, params.dtype)
    dx = np.zeros_like(cache["x"])  # (T, B, D)
    dh_next = np.zeros_like(dh_loss[0])  # (B, H): dL/dh_t arriving from step t+1
    carried = [np.zeros_like(dh_next) for _ in range(num_carried)]
    for t in reversed(range(len(dh_loss))):
        step_grads, dx[t], dh_next, *carried = step_backward(dh_loss[t] + dh_next, *carried, cache["steps"][t])
        grads.accumulate(step_grads)  # weights are shared over time: their gradients add up
    return grads, dx, dh_next, *carried


__all__ = [
    "GRU_GATES", "GRU_PARAM_NAMES", "PEEPHOLE_NAMES", "GRUParams", "PeepholeParams",
    "gru_backward", "gru_forward", "gru_step_backward", "gru_step_forward",
    "peephole_backward", "peephole_forward", "peephole_step_backward", "peephole_step_forward",
]
