"""LSTM forward and backward passes, one step and a whole sequence (full or truncated BPTT).

Equations, for each gate k in (i, f, g, o), with column vectors as in the lessons::

    z_k = w_xk x_t + w_hk h_{t-1} + b_k
    i, f, o = sigmoid(z_i), sigmoid(z_f), sigmoid(z_o);   g = tanh(z_g)
    c_t = f * c_{t-1} + i * g
    h_t = o * tanh(c_t)

Batched code keeps x_t as rows, shape (B, D), and uses the fused arrays of
``LSTMParams.fused`` so that one product gives all four gates: ``z = x @ w_x.T``, (B, 4H),
whose column blocks are i, f, g, o in that order.

Dimensions: T time steps, B batch, D input size, H hidden size.
"""

import numpy as np

from lstm_core.params import LSTMParams
from lstm_core.validate import checked


def _scaled_weights(params):
    """Fused weights, transposed and contiguous, with the sigmoid gates' columns halved.

    sigmoid(z) = (1 + tanh(z / 2)) / 2, so with the i, f, o columns of the weights and bias
    halved, one tanh over all 4H columns followed by ``_finish_gates`` activates every gate.

    Returns
    -------
    w_x_t : ndarray, shape (D, 4H)
    w_h_t : ndarray, shape (H, 4H)
    b : ndarray, shape (4H,)
    scale : ndarray, shape (4H,): 0.5 on the sigmoid gates i, f, o, 1 on g.
    """
    w_x, w_h, b = params.fused()  # (4H, D), (4H, H), (4H,)
    hidden_size = params.hidden_size
    scale = np.full(4 * hidden_size, 0.5, params.dtype)
    scale[2 * hidden_size : 3 * hidden_size] = 1.0  # g is a tanh gate
    w_x_t = np.ascontiguousarray(w_x.T * scale)  # (D, 4H): transposed once, contiguous for fast products
    w_h_t = np.ascontiguousarray(w_h.T * scale)  # (H, 4H)
    return w_x_t, w_h_t, b * scale, scale


def _finish_gates(z, scale):
    """Turn the scaled pre-activations z (..., 4H) into gates i, f, g, o, in place."""
    np.tanh(z, out=z)
    z *= scale  # sigmoid blocks: (1 + tanh(z/2)) / 2; g: tanh(z)
    z += 1.0 - scale
    return z


def _local_derivatives(gates, c_prev, tanh_c):
    """The local derivatives of one or many steps, computed in bulk before the BPTT recursion.

    Parameters
    ----------
    gates : ndarray, shape (..., 4H), activated i, f, g, o.
    c_prev : ndarray, shape (..., H), c_{t-1}.
    tanh_c : ndarray, shape (..., H), tanh(c_t).

    Returns
    -------
    dc_dz : ndarray, shape (..., 4, H): dc_t/dz_i = g i(1-i), dc_t/dz_f = c_{t-1} f(1-f),
        dc_t/dz_g = i (1-g^2), and in the last block dh_t/dz_o = tanh(c_t) o(1-o).
    dh_dc : ndarray, shape (..., H): dh_t/dc_t = o (1 - tanh(c_t)^2).
    """
    gates4 = gates.reshape(*gates.shape[:-1], 4, -1)  # (..., 4, H): gate blocks i, f, g, o
    i, f, g, o = (gates4[..., k, :] for k in range(4))
    dc_dz = np.empty_like(gates4)
    # written in place, block by block: no (T, B, H) temporaries
    for k, (gate, factor) in enumerate(((i, g), (f, c_prev), (g, i), (o, tanh_c))):
        block = dc_dz[..., k, :]
        if k == 2:  # tanh' = 1 - t^2
            np.multiply(gate, gate, out=block)
            np.subtract(1.0, block, out=block)
        else:  # sigmoid' = s (1 - s)
            np.subtract(1.0, gate, out=block)
            block *= gate
        block *= factor
    dh_dc = tanh_c * tanh_c
    np.subtract(1.0, dh_dc, out=dh_dc)
    dh_dc *= o
    return dc_dz, dh_dc


def _backward_step(dh, dc, dc_dz, dh_dc, f, dz):
    """One step of the BPTT recursion: from dL/dh_t and dL/dc_t (from t+1) to dz and dc_prev.

    Parameters
    ----------
    dh : ndarray, shape (B, H), the total dL/dh_t.
    dc : ndarray, shape (B, H), dL/dc_t arriving from step t+1.
    dc_dz, dh_dc : this step's slices of ``_local_derivatives``, shapes (B, 4, H) and (B, H).
    f : ndarray, shape (B, H), the forget gate of this step.
    dz : ndarray, shape (B, 4, H), written with dL/dz (may be ``dc_dz`` itself).

    Returns
    -------
    dc_prev : ndarray, shape (B, H)
    """
    dc = dc + dh * dh_dc  # both paths into c_t: through h_t and from c_{t+1}
    np.multiply(dc_dz[:, :3], dc[:, None, :], out=dz[:, :3])  # i, f, g act through c_t
    np.multiply(dc_dz[:, 3], dh, out=dz[:, 3])  # o acts through h_t
    return dc * f  # the constant error carousel


def _check_params_type(params):
    if not isinstance(params, LSTMParams):
        raise TypeError(f"params must be an LSTMParams, got {type(params).__name__}")


def _initial_state(name, value, batch_size, params, sizes):
    if value is None:
        return np.zeros((batch_size, params.hidden_size), params.dtype)
    return checked(name, value, ("B", "H"), sizes, dtype=params.dtype)


def lstm_step_forward(params, x_t, h_prev, c_prev):
    """One LSTM step for a batch.

    Parameters
    ----------
    params : LSTMParams with input size D and hidden size H.
    x_t : ndarray, shape (B, D)
    h_prev : ndarray, shape (B, H), h_{t-1}.
    c_prev : ndarray, shape (B, H), c_{t-1}.

    Returns
    -------
    h : ndarray, shape (B, H), h_t.
    c : ndarray, shape (B, H), c_t.
    cache : dict for ``lstm_step_backward``; ``cache["i"]`` etc. hold the gates, each (B, H).
    """
    _check_params_type(params)
    sizes = {"D": (params.input_size, "params"), "H": (params.hidden_size, "params")}
    x_t = checked("x_t", x_t, ("B", "D"), sizes, dtype=params.dtype, legend="one row per sequence")
    h_prev = checked("h_prev", h_prev, ("B", "H"), sizes, dtype=params.dtype)
    c_prev = checked("c_prev", c_prev, ("B", "H"), sizes, dtype=params.dtype)
    w_x_t, w_h_t, b, scale = _scaled_weights(params)
    gates = _finish_gates(x_t @ w_x_t + h_prev @ w_h_t + b, scale)  # (B, 4H)
    hidden_size = params.hidden_size
    i, f, g, o = (gates[:, k * hidden_size : (k + 1) * hidden_size] for k in range(4))  # 4 x (B, H)
    c = f * c_prev + i * g
    tanh_c = np.tanh(c)
    h = o * tanh_c
    cache = dict(params=params, x=x_t, h_prev=h_prev, c_prev=c_prev, gates=gates,
                 i=i, f=f, g=g, o=o, c=c, tanh_c=tanh_c, h=h)
    return h, c, cache


def lstm_step_backward(dh, dc_next, cache):
    """Backward through one LSTM step.

    Parameters
    ----------
    dh : ndarray, shape (B, H), the *total* dL/dh_t (loss at t plus what step t+1 sends back).
    dc_next : ndarray, shape (B, H), the part of dL/dc_t that arrives from step t+1 through
        c_{t+1} = f_{t+1} c_t + ... (zeros at the last step). The path through h_t is added here.
    cache : dict from ``lstm_step_forward``.

    Returns
    -------
    grads : LSTMParams of dL/dw, shapes as the parameters.
    dx : ndarray, shape (B, D), dL/dx_t.
    dh_prev : ndarray, shape (B, H), dL/dh_{t-1} through this step.
    dc_prev : ndarray, shape (B, H), dL/dc_{t-1} through this step.
    """
    params = cache["params"]
    sizes = {"B": (cache["x"].shape[0], "the cached x_t"), "H": (params.hidden_size, "params")}
    dh = checked("dh", dh, ("B", "H"), sizes, dtype=params.dtype)
    dc_next = checked("dc_next", dc_next, ("B", "H"), sizes, dtype=params.dtype)
    dc_dz, dh_dc = _local_derivatives(cache["gates"], cache["c_prev"], cache["tanh_c"])  # (B, 4, H), (B, H)
    dc_prev = _backward_step(dh, dc_next, dc_dz, dh_dc, cache["f"], dc_dz)
    dz = dc_dz.reshape(dh.shape[0], -1)  # (B, 4H): gate blocks i, f, g, o
    w_x, w_h, _ = params.fused()  # (4H, D), (4H, H)
    grads = LSTMParams.from_fused(dz.T @ cache["x"], dz.T @ cache["h_prev"], dz.sum(axis=0), check=False)
    return grads, dz @ w_x, dz @ w_h, dc_prev


def lstm_forward(params, x, h0=None, c0=None):
    """Run an LSTM over a time-major batch of sequences.

    Parameters
    ----------
    params : LSTMParams with input size D and hidden size H.
    x : ndarray, shape (T, B, D), time-major.
    h0, c0 : ndarray, shape (B, H), or None for zeros.

    Returns
    -------
    h : ndarray, shape (T, B, H), h_1 .. h_T.
    c : ndarray, shape (T, B, H), c_1 .. c_T.
    cache : dict for ``lstm_backward``; ``cache["gates"]`` is (T, B, 4H) in gate order i, f, g, o.
    """
    _check_params_type(params)
    sizes = {"D": (params.input_size, "params"), "H": (params.hidden_size, "params")}
    x = checked("x", x, ("T", "B", "D"), sizes, dtype=params.dtype, legend="time-major")
    num_steps, batch_size, _ = x.shape
    hidden_size = params.hidden_size
    h0 = _initial_state("h0", h0, batch_size, params, sizes)
    c0 = _initial_state("c0", c0, batch_size, params, sizes)
    w_x_t, w_h_t, b, scale = _scaled_weights(params)  # (D, 4H), (H, 4H), (4H,), (4H,)
    # the input projection of all T steps in one product: (T*B, D) @ (D, 4H) -> (T, B, 4H)
    gates = (x.reshape(num_steps * batch_size, -1) @ w_x_t).reshape(num_steps, batch_size, 4 * hidden_size)
    gates += b  # in place: no second (T, B, 4H) temporary
    h = np.empty((num_steps, batch_size, hidden_size), params.dtype)
    c = np.empty_like(h)
    tanh_c = np.empty_like(h)
    h_prev, c_prev = h0, c0
    for t in range(num_steps):
        z = gates[t]  # (B, 4H), activated in place below
        z += h_prev @ w_h_t
        _finish_gates(z, scale)
        np.multiply(z[:, hidden_size : 2 * hidden_size], c_prev, out=c[t])  # f * c_{t-1}
        c[t] += z[:, :hidden_size] * z[:, 2 * hidden_size : 3 * hidden_size]  # + i * g
        np.tanh(c[t], out=tanh_c[t])
        np.multiply(z[:, 3 * hidden_size :], tanh_c[t], out=h[t])  # o * tanh(c_t)
        h_prev, c_prev = h[t], c[t]
    cache = dict(params=params, x=x, h0=h0, c0=c0, gates=gates, c=c, tanh_c=tanh_c, h=h)
    return h, c, cache


def lstm_backward(dh_loss, cache, truncate=None):
    """Backpropagation through time for ``lstm_forward``.

    Parameters
    ----------
    dh_loss : ndarray, shape (T, B, H), the loss's *direct* gradient dL_t/dh_t at each step only
        (not the total dL/dh_t); the recurrent paths through h_{t+1} and c_{t+1} are added here.
    cache : dict from ``lstm_forward``.
    truncate : int k >= 1 or None. None is full BPTT. With k, the gradient of each loss term
        at step t flows back through steps t, t-1, ..., t-k+1 only (Williams and Peng's
        BPTT(k)): it stops before reaching x, h and c of earlier steps. Thus dh0 and dc0 receive
        only the terms with t < k, and k >= T is the same as full BPTT. This costs O(T k) steps.

    Returns
    -------
    grads : LSTMParams of dL/dw, summed over time and batch.
    dx : ndarray, shape (T, B, D)
    dh0 : ndarray, shape (B, H), dL/dh_0.
    dc0 : ndarray, shape (B, H), dL/dc_0.
    """
    params = cache["params"]
    x, gates = cache["x"], cache["gates"]
    num_steps, batch_size, _ = x.shape
    sizes = {"T": (num_steps, "the cached x"), "B": (batch_size, "the cached x"),
             "H": (params.hidden_size, "params")}
    dh = checked("dh_loss", dh_loss, ("T", "B", "H"), sizes, dtype=params.dtype, legend="time-major")
    if truncate is not None and (int(truncate) != truncate or truncate < 1):
        raise ValueError(f"truncate must be None or an integer >= 1, got {truncate!r}")
    w_x, w_h, _ = params.fused()  # (4H, D), (4H, H)
    c_prevs = np.concatenate([cache["c0"][None], cache["c"][:-1]])  # (T, B, H): c_{t-1} for each t
    dc_dz, dh_dc = _local_derivatives(gates, c_prevs, cache["tanh_c"])  # (T, B, 4, H), (T, B, H)
    f = gates.reshape(num_steps, batch_size, 4, -1)[:, :, 1]  # (T, B, H): the forget gates
    if truncate is None or truncate >= num_steps:
        dz = dc_dz  # the recursion overwrites each step's local derivatives with dL/dz
        dh0, dc0 = _backward_window(dh, 0, num_steps, dc_dz, dh_dc, f, w_h, dz)
    else:
        dz = np.zeros_like(dc_dz)  # (T, B, 4, H), summed over the windows
        dz_window = np.empty_like(dc_dz)
        dh0 = np.zeros_like(cache["h0"])
        dc0 = np.zeros_like(cache["c0"])
        for t in range(num_steps):  # one window per loss term
            start = max(0, t - truncate + 1)
            source = np.zeros_like(dh[: t + 1])
            source[t] = dh[t]
            dh_start, dc_start = _backward_window(source, start, t + 1, dc_dz, dh_dc, f, w_h, dz_window)
            dz[start : t + 1] += dz_window[start : t + 1]
            if start == 0:
                dh0 += dh_start
                dc0 += dc_start
    dz = dz.reshape(num_steps, batch_size, -1)  # (T, B, 4H): gate blocks i, f, g, o
    dz_rows = dz.reshape(num_steps * batch_size, -1)  # (T*B, 4H)
    # weight gradients summed over time and batch, one product each (h_{t-1} is h0 at t = 0)
    dw_x = dz_rows.T @ x.reshape(num_steps * batch_size, -1)  # (4H, D)
    dw_h = dz[0].T @ cache["h0"]  # (4H, H)
    if num_steps > 1:
        dw_h += dz_rows[batch_size:].T @ cache["h"][:-1].reshape((num_steps - 1) * batch_size, -1)
    grads = LSTMParams.from_fused(dw_x, dw_h, dz_rows.sum(axis=0), check=False)
    dx = (dz_rows @ w_x).reshape(x.shape)  # (T, B, D)
    return grads, dx, dh0, dc0


def _backward_window(dh, start, stop, dc_dz, dh_dc, f, w_h, dz):
    """Run the BPTT recursion from step stop-1 down to step start, writing dz[start:stop].

    ``dc_dz`` (T, B, 4, H), ``dh_dc`` and ``f`` (T, B, H) come from ``_local_derivatives``;
    ``dz`` (T, B, 4, H) receives dL/dz. Returns dL/dh and dL/dc at the state *before* step
    ``start`` (h_{start-1}, c_{start-1}), each (B, H).
    """
    dh_next = np.zeros_like(dh[0])  # (B, H)
    dc_next = np.zeros_like(dh_next)
    for t in reversed(range(start, stop)):
        dc_next = _backward_step(dh[t] + dh_next, dc_next, dc_dz[t], dh_dc[t], f[t], dz[t])
        dh_next = dz[t].reshape(dh_next.shape[0], -1) @ w_h  # (B, 4H) @ (4H, H): what h_{t-1} receives
    return dh_next, dc_next
