"""LSTM forward and backward passes, one step and a whole sequence (full or truncated BPTT).

Equations, for each gate k in (i, f, g, o), with column vectors as in the lessons::

    z_k = w_xk x_t + w_hk h_{t-1} + b_k
    i, f, o = sigmoid(z_i), sigmoid(z_f), sigmoid(z_o);   g = tanh(z_g)
    c_t = f * c_{t-1} + i * g
    h_t = o * tanh(c_t)

and backward, from the total dh = dL/dh_t and dc_next, the part of dL/dc_t from step t+1::

    dc = dc_next + dh * o * (1 - tanh(c_t)^2)
    di = dc * g,   df = dc * c_{t-1},   dg = dc * i,   do = dh * tanh(c_t)
    dz_i = di * i (1 - i),  dz_f = df * f (1 - f),  dz_g = dg * (1 - g^2),  dz_o = do * o (1 - o)
    dc_prev = dc * f,   dh_prev = sum_k w_hk^T dz_k,   dx = sum_k w_xk^T dz_k

Batched code keeps x_t as rows, shape (B, D), and uses the fused arrays of
``LSTMParams.fused`` so that one product gives all four gates: ``z = x @ w_x.T``, (B, 4H),
whose column blocks ``split_gates`` cuts into i, f, g, o.

Dimensions: T time steps, B batch, D input size, H hidden size.
"""

import numpy as np

from lstm_core.activations import sigmoid, sigmoid_grad_from_output, tanh, tanh_grad_from_output
from lstm_core.params import LSTMParams, check_type, checked_dh_loss, initial_state, split_gates
from lstm_core.validate import checked


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
    cache : dict for ``lstm_step_backward``: ``cache["i"]``, ``["f"]``, ``["g"]``, ``["o"]``,
        ``["c"]``, ``["tanh_c"]``, ``["h"]`` are (B, H); ``cache["gates"]`` is (B, 4H), i, f, g, o.
    """
    check_type(params, LSTMParams)
    sizes = {"D": (params.input_size, "params"), "H": (params.hidden_size, "params")}
    x_t = checked("x_t", x_t, ("B", "D"), sizes, dtype=params.dtype, legend="one row per sequence")
    h_prev = checked("h_prev", h_prev, ("B", "H"), sizes, dtype=params.dtype)
    c_prev = checked("c_prev", c_prev, ("B", "H"), sizes, dtype=params.dtype)
    w_x, w_h, b = params.fused()  # (4H, D), (4H, H), (4H,)
    z = x_t @ w_x.T + h_prev @ w_h.T + b  # (B, 4H): all four gates in one product each
    i, f, g, o, c, tanh_c, h = _cell_forward(z, c_prev)
    cache = dict(params=params, x=x_t, h_prev=h_prev, c_prev=c_prev, i=i, f=f, g=g, o=o,
                 gates=np.concatenate([i, f, g, o], axis=1), c=c, tanh_c=tanh_c, h=h)
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
    dz, dc_prev = _cell_backward(dh, dc_next, *(cache[k] for k in ("i", "f", "g", "o", "c_prev", "tanh_c")))
    w_x, w_h, _ = params.fused()  # (4H, D), (4H, H)
    # z = x_t w_x^T + h_{t-1} w_h^T + b, so each weight's gradient is dz^T times what it multiplies
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
    cache : dict for ``lstm_backward``: ``cache["gates"]`` is (T, B, 4H) in gate order i, f, g, o,
        ``cache["i"]`` .. ``["o"]`` are its (T, B, H) blocks; ``["c"]``, ``["tanh_c"]``, ``["h"]`` (T, B, H);
        ``["h_prev"]``, ``["c_prev"]`` (T, B, H) hold h_0 .. h_{T-1} and c_0 .. c_{T-1}.
    """
    check_type(params, LSTMParams)
    sizes = {"D": (params.input_size, "params"), "H": (params.hidden_size, "params")}
    x = checked("x", x, ("T", "B", "D"), sizes, dtype=params.dtype, legend="time-major")
    num_steps, batch_size, input_size = x.shape
    h0 = initial_state("h0", h0, batch_size, params, sizes)
    c0 = initial_state("c0", c0, batch_size, params, sizes)
    w_x, w_h, b = params.fused()  # (4H, D), (4H, H), (4H,)
    w_h_transposed = np.ascontiguousarray(w_h.T)  # (H, 4H), laid out once for T fast products
    # the input's part of z for all T steps in one product: (T*B, D) @ (D, 4H) -> (T, B, 4H)
    z_x = (x.reshape(num_steps * batch_size, input_size) @ w_x.T + b).reshape(num_steps, batch_size, -1)
    gates = np.empty_like(z_x)  # (T, B, 4H): i, f, g, o of every step
    # h_0 .. h_T and c_0 .. c_T, so that h_{t-1} and c_{t-1} of all steps are views for the backward pass
    h_all = np.empty((num_steps + 1, batch_size, params.hidden_size), params.dtype)  # (T+1, B, H)
    c_all = np.empty_like(h_all)
    h_all[0], c_all[0] = h0, c0
    h, c = h_all[1:], c_all[1:]  # (T, B, H) views: h_1 .. h_T and c_1 .. c_T
    tanh_c = np.empty_like(c)
    h_prev, c_prev = h0, c0
    for t in range(num_steps):
        i, f, g, o, c[t], tanh_c[t], h[t] = _cell_forward(z_x[t] + h_prev @ w_h_transposed, c_prev)
        gates[t] = np.concatenate([i, f, g, o], axis=1)  # (B, 4H)
        h_prev, c_prev = h[t], c[t]
    i, f, g, o = split_gates(gates)  # views into gates, each (T, B, H)
    cache = dict(params=params, x=x, h0=h0, c0=c0, h_prev=h_all[:-1], c_prev=c_all[:-1], gates=gates,
                 i=i, f=f, g=g, o=o, c=c, tanh_c=tanh_c, h=h)
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
    params, x = cache["params"], cache["x"]
    num_steps, batch_size, input_size = x.shape
    dh_loss = checked_dh_loss(dh_loss, cache)  # (T, B, H)
    w_x, w_h, _ = params.fused()  # (4H, D), (4H, H)
    # (T, B, 4H): dL/dz, summed over the sweeps. np.zeros takes pages the OS has already zeroed,
    # where np.zeros_like would first write every zero (docs/PERFORMANCE.md)
    dz = np.zeros(cache["gates"].shape, params.dtype)
    dh0, dc0 = np.zeros_like(cache["h0"]), np.zeros_like(cache["c0"])
    for start, stop, dh_window in bptt_windows(dh_loss, truncate):
        dh_start, dc_start = _sweep(dh_window, start, stop, cache, w_h, dz)
        if start == 0:  # this sweep reached the initial state
            dh0 += dh_start
            dc0 += dc_start
    dz_rows = dz.reshape(num_steps * batch_size, -1)  # (T*B, 4H): one row per step and sequence
    x_rows = x.reshape(num_steps * batch_size, input_size)  # (T*B, D)
    h_prev_rows = cache["h_prev"].reshape(num_steps * batch_size, -1)  # (T*B, H): h_{t-1} of each step
    # the weights are shared over time: their gradients, summed over T and B, are one product each,
    # dz^T x and dz^T h_prev. Written (x^T dz)^T: the same sums, in the order that BLAS runs
    # 1.1-1.9x faster in float64 at large T*B (benchmarks/bench_lstm.py --products)
    dw_x = (x_rows.T @ dz_rows).T  # (D, T*B) @ (T*B, 4H) -> (D, 4H), transposed to (4H, D)
    dw_h = (h_prev_rows.T @ dz_rows).T  # (H, T*B) @ (T*B, 4H) -> (H, 4H), transposed to (4H, H)
    grads = LSTMParams.from_fused(dw_x, dw_h, dz_rows.sum(axis=0), check=False)
    dx = (dz_rows @ w_x).reshape(x.shape)  # (T*B, 4H) @ (4H, D) -> (T, B, D)
    return grads, dx, dh0, dc0


def bptt_windows(dh_loss, truncate):
    """The backward sweeps of full or truncated BPTT, shared by the LSTM and the RNN.

    Full BPTT (``truncate`` None or >= T) is one sweep from step T-1 down to step 0 that injects
    every loss term. BPTT(k) is one sweep per loss term t, over steps t, t-1, ..., max(0, t-k+1),
    injecting dh_loss[t] alone, so that each term flows back k steps at most.

    Parameters
    ----------
    dh_loss : ndarray, shape (T, B, H), the loss's direct gradient at each step.
    truncate : int k >= 1 or None.

    Yields
    ------
    (start, stop, dh_window) : the sweep runs over steps stop-1 down to start, and injects
        dh_window[t - start], shape (B, H), at step t; dh_window is (stop - start, B, H).
    """
    if truncate is not None and (int(truncate) != truncate or truncate < 1):
        raise ValueError(f"truncate must be None or an integer >= 1, got {truncate!r}")
    num_steps = dh_loss.shape[0]
    if truncate is None or truncate >= num_steps:
        return iter([(0, num_steps, dh_loss)])
    return _truncated_windows(dh_loss, truncate)


def _truncated_windows(dh_loss, truncate):
    for t in range(dh_loss.shape[0]):
        start = max(0, t - truncate + 1)
        dh_window = np.zeros_like(dh_loss[start : t + 1])  # (stop - start, B, H)
        dh_window[-1] = dh_loss[t]  # only the loss term of step t
        yield start, t + 1, dh_window


def _sweep(dh_window, start, stop, cache, w_h, dz):
    """The BPTT recursion over steps stop-1 down to start; adds each step's dL/dz into dz (T, B, 4H).

    Returns dL/dh and dL/dc of the state before step ``start`` (h_{start-1}, c_{start-1}), each (B, H).
    """
    dh_next = np.zeros_like(dh_window[0])  # (B, H): dL/dh_t arriving from step t+1
    dc_next = np.zeros_like(dh_next)  # (B, H): dL/dc_t arriving from step t+1
    for t in reversed(range(start, stop)):
        dh = dh_window[t - start] + dh_next  # the total dL/dh_t: the loss's term plus step t+1's
        dz_t, dc_next = _cell_backward(dh, dc_next, *(cache[k][t] for k in ("i", "f", "g", "o", "c_prev", "tanh_c")))
        dz[t] += dz_t
        dh_next = dz_t @ w_h  # (B, 4H) @ (4H, H): what h_{t-1} receives through all four gates
    return dh_next, dc_next


def _cell_forward(z, c_prev):
    """From the pre-activations z (B, 4H) and c_{t-1} (B, H) to i, f, g, o, c_t, tanh(c_t), h_t, each (B, H)."""
    z_i, z_f, z_g, z_o = split_gates(z)  # 4 x (B, H)
    i, f, g, o = sigmoid(z_i), sigmoid(z_f), tanh(z_g), sigmoid(z_o)
    c = f * c_prev + i * g
    tanh_c = tanh(c)
    h = o * tanh_c
    return i, f, g, o, c, tanh_c, h


def _cell_backward(dh, dc_next, i, f, g, o, c_prev, tanh_c):
    """From the total dL/dh_t and dc_next (B, H) to dL/dz (B, 4H) and dL/dc_{t-1} (B, H)."""
    dc = dc_next + dh * o * tanh_grad_from_output(tanh_c)  # both paths into c_t: from c_{t+1} and through h_t
    di = dc * g  # c_t = f c_{t-1} + i g
    df = dc * c_prev
    dg = dc * i
    do = dh * tanh_c  # h_t = o tanh(c_t)
    dz_i = di * sigmoid_grad_from_output(i)  # back through each gate's non-linearity
    dz_f = df * sigmoid_grad_from_output(f)
    dz_g = dg * tanh_grad_from_output(g)
    dz_o = do * sigmoid_grad_from_output(o)
    dz = np.concatenate([dz_i, dz_f, dz_g, dz_o], axis=1)  # (B, 4H), gate order i, f, g, o
    return dz, dc * f  # the constant error carousel: c_{t-1} reaches c_t through f
