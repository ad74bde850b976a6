"""A vanilla (Elman) RNN with the same shape of API as ``lstm_core.lstm``, for comparisons.

``h_t = tanh(w_xh x_t + w_hh h_{t-1} + b_h)``.

Dimensions: T time steps, B batch, D input size, H hidden size.
"""

import numpy as np

from lstm_core.params import RNNParams
from lstm_core.validate import checked


def rnn_forward(params, x, h0=None):
    """Run a vanilla RNN over a time-major batch.

    Parameters
    ----------
    params : RNNParams with input size D and hidden size H.
    x : ndarray, shape (T, B, D)
    h0 : ndarray, shape (B, H), or None for zeros.

    Returns
    -------
    h : ndarray, shape (T, B, H)
    cache : dict for ``rnn_backward``.
    """
    if not isinstance(params, RNNParams):
        raise TypeError(f"params must be an RNNParams, got {type(params).__name__}")
    sizes = {"D": (params.input_size, "params"), "H": (params.hidden_size, "params")}
    x = checked("x", x, ("T", "B", "D"), sizes, dtype=params.dtype, legend="time-major")
    num_steps, batch_size, _ = x.shape
    if h0 is None:
        h0 = np.zeros((batch_size, params.hidden_size), params.dtype)
    h0 = checked("h0", h0, ("B", "H"), sizes, dtype=params.dtype)
    h = (x.reshape(num_steps * batch_size, -1) @ params.w_xh.T + params.b_h).reshape(
        num_steps, batch_size, -1)  # (T, B, H): input projection of all steps
    h_prev = h0
    for t in range(num_steps):
        h[t] += h_prev @ params.w_hh.T
        np.tanh(h[t], out=h[t])
        h_prev = h[t]
    return h, dict(params=params, x=x, h0=h0, h=h)


def rnn_backward(dh, cache, truncate=None):
    """BPTT for ``rnn_forward``.

    Parameters
    ----------
    dh : ndarray, shape (T, B, H), the loss's direct gradient at each step.
    cache : dict from ``rnn_forward``.
    truncate : int k or None, as in ``lstm_backward``: each loss term flows back k steps at most.

    Returns
    -------
    grads : RNNParams
    dx : ndarray, shape (T, B, D)
    dh0 : ndarray, shape (B, H)
    """
    params, x, h = cache["params"], cache["x"], cache["h"]
    num_steps, batch_size, _ = x.shape
    sizes = {"T": (num_steps, "the cached x"), "B": (batch_size, "the cached x"),
             "H": (params.hidden_size, "params")}
    dh = checked("dh", dh, ("T", "B", "H"), sizes, dtype=params.dtype)
    windows = [(0, num_steps, dh)] if truncate is None or truncate >= num_steps else [
        (max(0, t - truncate + 1), t + 1, np.where(np.arange(num_steps)[:, None, None] == t, dh, 0.0))
        for t in range(num_steps)]
    da = np.zeros_like(h)  # (T, B, H): dL/d(pre-activation)
    dh0 = np.zeros_like(cache["h0"])
    for start, stop, source in windows:
        dh_next = np.zeros_like(dh0)
        for t in reversed(range(start, stop)):
            da_t = (source[t] + dh_next) * (1.0 - h[t] * h[t])  # back through tanh
            da[t] += da_t
            dh_next = da_t @ params.w_hh
        if start == 0:
            dh0 += dh_next
    h_prevs = np.concatenate([cache["h0"][None], h[:-1]])  # (T, B, H)
    da_rows = da.reshape(num_steps * batch_size, -1)  # (T*B, H)
    grads = RNNParams(
        w_xh=da_rows.T @ x.reshape(num_steps * batch_size, -1),
        w_hh=da_rows.T @ h_prevs.reshape(num_steps * batch_size, -1),
        b_h=da_rows.sum(axis=0),
    )
    return grads, (da_rows @ params.w_xh).reshape(x.shape), dh0
