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


def _gates_forward(z, hidden_size):
    """Activate pre-activations z (B, 4H) in place: sigmoid on the i, f, o blocks, tanh on g.

    Uses sigmoid(z) = (1 + tanh(z / 2)) / 2 so one tanh call serves all four gates.
    """
    z[:, : 2 * hidden_size] *= 0.5  # i, f: halve for the sigmoid-by-tanh identity
    z[:, 3 * hidden_size :] *= 0.5  # o
    np.tanh(z, out=z)
    for block in (z[:, : 2 * hidden_size], z[:, 3 * hidden_size :]):
        block += 1.0
        block *= 0.5
    return z


def _gates_backward(dh, dc, gates, c_prev, tanh_c, dz):
    """Back through one cell: from dL/dh_t and dL/dc_t to dz (written into ``dz``) and dc_prev.

    Parameters
    ----------
    dh : ndarray, shape (B, H), total dL/dh_t.
    dc : ndarray, shape (B, H), dL/dc_t arriving from step t+1 (not yet including the path via h_t).
    gates : ndarray, shape (B, 4H), activated i, f, g, o.
    c_prev : ndarray, shape (B, H)
    tanh_c : ndarray, shape (B, H), tanh(c_t).
    dz : ndarray, shape (B, 4H), output buffer for dL/dz.

    Returns
    -------
    dz : ndarray, shape (B, 4H)
    dc_prev : ndarray, shape (B, H)
    """
    hidden_size = dh.shape[1]
    i, f, g, o = (gates[:, k * hidden_size : (k + 1) * hidden_size] for k in range(4))  # 4 x (B, H)
    di, df, dg, do = (dz[:, k * hidden_size : (k + 1) * hidden_size] for k in range(4))  # views into dz
    dc = dc + dh * o * (1.0 - tanh_c * tanh_c)  # both paths into c_t: from h_t and from c_{t+1}
    np.multiply(dh, tanh_c, out=do)
    np.multiply(dc, g, out=di)
    np.multiply(dc, i, out=dg)
    np.multiply(dc, c_prev, out=df)
    dc_prev = dc * f  # the constant error carousel
    # back through the non-linearities: sigmoid' = s(1-s), tanh' = 1 - t^2
    di *= i * (1.0 - i)
    df *= f * (1.0 - f)
    do *= o * (1.0 - o)
    dg *= 1.0 - g * g
    return dz, dc_prev


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
    w_x, w_h, b = params.fused()  # (4H, D), (4H, H), (4H,)
    z = x_t @ w_x.T + h_prev @ w_h.T + b  # (B, 4H)
    gates = _gates_forward(z, params.hidden_size)
    hidden_size = params.hidden_size
    i, f, g, o = (gates[:, k * hidden_size : (k + 1) * hidden_size] for k in range(4))  # 4 x (B, H)
    c = f * c_prev + i * g
    tanh_c = np.tanh(c)
    h = o * tanh_c
    cache = dict(params=params, x=x_t, h_prev=h_prev, c_prev=c_prev, gates=gates,
                 i=i, f=f, g=g, o=o, c=c, tanh_c=tanh_c, h=h)
    return h, c, cache


def lstm_step_backward(dh, dc, cache):
    """Backward through one LSTM step.

    Parameters
    ----------
    dh : ndarray, shape (B, H), the total dL/dh_t (loss at t plus whatever step t+1 sends).
    dc : ndarray, shape (B, H), dL/dc_t arriving from step t+1 (zeros at the last step).
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
    dc = checked("dc", dc, ("B", "H"), sizes, dtype=params.dtype)
    dz = np.empty_like(cache["gates"])  # (B, 4H)
    dz, dc_prev = _gates_backward(dh, dc, cache["gates"], cache["c_prev"], cache["tanh_c"], dz)
    w_x, w_h, _ = params.fused()  # (4H, D), (4H, H)
    grads = LSTMParams.from_fused(dz.T @ cache["x"], dz.T @ cache["h_prev"], dz.sum(axis=0))  # sums over batch
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
    w_x, w_h, b = params.fused()  # (4H, D), (4H, H), (4H,)
    w_x_t = np.ascontiguousarray(w_x.T)  # (D, 4H): a contiguous transpose keeps the product fast
    w_h_t = np.ascontiguousarray(w_h.T)  # (H, 4H)
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
        _gates_forward(z, hidden_size)
        np.multiply(z[:, hidden_size : 2 * hidden_size], c_prev, out=c[t])  # f * c_{t-1}
        c[t] += z[:, :hidden_size] * z[:, 2 * hidden_size : 3 * hidden_size]  # + i * g
        np.tanh(c[t], out=tanh_c[t])
        np.multiply(z[:, 3 * hidden_size :], tanh_c[t], out=h[t])  # o * tanh(c_t)
        h_prev, c_prev = h[t], c[t]
    cache = dict(params=params, x=x, h0=h0, c0=c0, gates=gates, c=c, tanh_c=tanh_c, h=h)
    return h, c, cache


def lstm_backward(dh, cache, truncate=None):
    """Backpropagation through time for ``lstm_forward``.

    Parameters
    ----------
    dh : ndarray, shape (T, B, H), the loss's *direct* gradient dL/dh_t at each step only;
        the recurrent paths through h_{t+1} and c_{t+1} are added here.
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
    dh = checked("dh", dh, ("T", "B", "H"), sizes, dtype=params.dtype, legend="time-major")
    if truncate is not None and (int(truncate) != truncate or truncate < 1):
        raise ValueError(f"truncate must be None or an integer >= 1, got {truncate!r}")
    w_x, w_h, _ = params.fused()  # (4H, D), (4H, H)
    if truncate is None or truncate >= num_steps:
        dz = np.empty_like(gates)  # (T, B, 4H), every step written below
        dh0, dc0 = _backward_window(dh, 0, num_steps, cache, w_h, dz)
    else:
        dz = np.zeros_like(gates)
        dh0 = np.zeros_like(cache["h0"])
        dc0 = np.zeros_like(cache["c0"])
        dz_step = np.empty_like(gates)
        for t in range(num_steps):  # one window per loss term
            start = max(0, t - truncate + 1)
            source = np.zeros_like(dh[: t + 1])
            source[t] = dh[t]
            dz_step[start : t + 1] = 0.0
            dh_start, dc_start = _backward_window(source, start, t + 1, cache, w_h, dz_step)
            dz[start : t + 1] += dz_step[start : t + 1]
            if start == 0:
                dh0 += dh_start
                dc0 += dc_start
    dz_rows = dz.reshape(num_steps * batch_size, -1)  # (T*B, 4H)
    # weight gradients summed over time and batch, one product each (h_{t-1} is h0 at t = 0)
    dw_x = dz_rows.T @ x.reshape(num_steps * batch_size, -1)  # (4H, D)
    dw_h = dz[0].T @ cache["h0"]  # (4H, H)
    if num_steps > 1:
        dw_h += dz_rows[batch_size:].T @ cache["h"][:-1].reshape((num_steps - 1) * batch_size, -1)
    grads = LSTMParams.from_fused(dw_x, dw_h, dz_rows.sum(axis=0))
    dx = (dz_rows @ w_x).reshape(x.shape)  # (T, B, D)
    return grads, dx, dh0, dc0


def _backward_window(dh, start, stop, cache, w_h, dz):
    """Run the BPTT recursion from step stop-1 down to step start, writing dz[start:stop].

    Returns dL/dh and dL/dc at the state *before* step ``start`` (h_{start-1}, c_{start-1}).
    """
    gates, c, tanh_c = cache["gates"], cache["c"], cache["tanh_c"]
    dh_next = np.zeros_like(cache["h0"])  # (B, H)
    dc_next = np.zeros_like(dh_next)
    for t in reversed(range(start, stop)):
        c_prev = c[t - 1] if t > 0 else cache["c0"]
        _, dc_next = _gates_backward(dh[t] + dh_next, dc_next, gates[t], c_prev, tanh_c[t], dz[t])
        dh_next = dz[t] @ w_h  # (B, 4H) @ (4H, H): what h_{t-1} receives through step t
    return dh_next, dc_next
