"""An affine read-out layer, y = w_y h + b_y, applied to every step (or to the last one).

Dimensions: N leading positions (any shape, e.g. (T, B) or (B,)), H hidden size, K outputs.
"""

import numpy as np

from lstm_core.validate import as_float_array


def init_readout(hidden_size, output_size, rng, dtype=np.float64):
    """Weights ``w_y`` (K, H) uniform in +-1/sqrt(H), bias ``b_y`` (K,) zero, as a dict."""
    scale = 1.0 / np.sqrt(hidden_size)
    return {"w_y": rng.uniform(-scale, scale, (output_size, hidden_size)).astype(dtype),
            "b_y": np.zeros(output_size, dtype)}


def readout_forward(h, w_y, b_y):
    """y = h @ w_y.T + b_y.

    Parameters
    ----------
    h : ndarray, shape (..., H)
    w_y : ndarray, shape (K, H)
    b_y : ndarray, shape (K,)

    Returns
    -------
    y : ndarray, shape (..., K)
    """
    h = as_float_array("h", h)
    if h.shape[-1] != w_y.shape[1]:
        raise ValueError(f"h has shape {h.shape} but expected (..., {w_y.shape[1]}) to match w_y {w_y.shape}")
    return h @ w_y.T + b_y


def readout_backward(dy, h, w_y):
    """Gradients of ``readout_forward``.

    Parameters
    ----------
    dy : ndarray, shape (..., K)
    h : ndarray, shape (..., H)
    w_y : ndarray, shape (K, H)

    Returns
    -------
    dh : ndarray, shape (..., H)
    grads : dict with ``w_y`` (K, H) and ``b_y`` (K,), summed over all leading positions.
    """
    dy_rows = dy.reshape(-1, dy.shape[-1])  # (N, K)
    h_rows = h.reshape(-1, h.shape[-1])  # (N, H)
    return dy @ w_y, {"w_y": dy_rows.T @ h_rows, "b_y": dy_rows.sum(axis=0)}
