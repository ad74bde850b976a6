"""A vanilla (Elman) RNN with the same shape of API as ``lstm_core.lstm``, for comparisons.

``h_t = tanh(w_xh x_t + w_hh h_{t-1} + b_h)``, and backward, with the pre-activation
``a_t = w_xh x_t + w_hh h_{t-1} + b_h``: ``da_t = dh_t (1 - h_t^2)``, ``dh_{t-1} = w_hh^T da_t``.

Dimensions: T time steps, B batch, D input size, H hidden size.
"""

import numpy as np

from lstm_core.activations import tanh, tanh_grad_from_output
from lstm_core.lstm import bptt_windows
from lstm_core.params import RNNParams, check_type, checked_dh_loss, initial_state
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
    cache : dict for ``rnn_backward``: ``params``, ``x``, ``h0``, ``h``, and ``h_prev`` (T, B, H),
        h_0 .. h_{T-1}.
    """
    check_type(params, RNNParams)
    sizes = {"D": (params.input_size, "params"), "H": (params.hidden_size, "params")}
    x = checked("x", x, ("T", "B", "D"), sizes, dtype=params.dtype, legend="time-major")
    num_steps, batch_size, input_size = x.shape
    h0 = initial_state("h0", h0, batch_size, params, sizes)
    # the input's part of a for all T steps in one product: (T*B, D) @ (D, H) -> (T, B, H)
    a_x = (x.reshape(num_steps * batch_size, input_size) @ params.w_xh.T + params.b_h).reshape(
        num_steps, batch_size, -1)
    # h_0 .. h_T, so that h_{t-1} of all steps is a view for the backward pass (as in lstm_forward)
    h_all = np.empty((num_steps + 1, batch_size, params.hidden_size), params.dtype)  # (T+1, B, H)
    h_all[0] = h0
    h = h_all[1:]  # (T, B, H) view: h_1 .. h_T
    h_prev = h0
    for t in range(num_steps):
        h[t] = tanh(a_x[t] + h_prev @ params.w_hh.T)
        h_prev = h[t]
    return h, dict(params=params, x=x, h0=h0, h_prev=h_all[:-1], h=h)


def rnn_backward(dh_loss, cache, truncate=None):
    """BPTT for ``rnn_forward``.

    Parameters
    ----------
    dh_loss : ndarray, shape (T, B, H), the loss's direct gradient dL_t/dh_t at each step.
    cache : dict from ``rnn_forward``.
    truncate : int k or None, as in ``lstm_backward``: each loss term flows back k steps at most.

    Returns
    -------
    grads : RNNParams
    dx : ndarray, shape (T, B, D)
    dh0 : ndarray, shape (B, H)
    """
    params, x, h = cache["params"], cache["x"], cache["h"]
    num_steps, batch_size, input_size = x.shape
    dh_loss = checked_dh_loss(dh_loss, cache)  # (T, B, H)
    da = np.zeros(h.shape, params.dtype)  # (T, B, H): dL/da, summed over the sweeps (np.zeros as in lstm_backward)
    dh0 = np.zeros_like(cache["h0"])
    for start, stop, dh_window in bptt_windows(dh_loss, truncate):
        dh_next = np.zeros_like(dh0)  # (B, H): dL/dh_t arriving from step t+1
        for t in reversed(range(start, stop)):
            da_t = (dh_window[t - start] + dh_next) * tanh_grad_from_output(h[t])  # back through tanh
            da[t] += da_t
            dh_next = da_t @ params.w_hh  # (B, H) @ (H, H): what h_{t-1} receives
        if start == 0:  # this sweep reached the initial state
            dh0 += dh_next
    da_rows = da.reshape(num_steps * batch_size, -1)  # (T*B, H)
    x_rows = x.reshape(num_steps * batch_size, input_size)  # (T*B, D)
    h_prev_rows = cache["h_prev"].reshape(num_steps * batch_size, -1)  # (T*B, H): h_{t-1} of each step
    grads = RNNParams(w_xh=da_rows.T @ x_rows,  # (H, T*B) @ (T*B, D) -> (H, D)
                      w_hh=da_rows.T @ h_prev_rows,  # (H, T*B) @ (T*B, H) -> (H, H)
                      b_h=da_rows.sum(axis=0), check=False)
    return grads, (da_rows @ params.w_xh).reshape(x.shape), dh0
