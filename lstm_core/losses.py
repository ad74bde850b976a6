"""Losses that return their value and their gradient with the right sign.

Both take a ``reduction``: ``"sum"`` adds every term; ``"mean"`` divides by the number of
terms (elements for MSE, predicted positions for cross-entropy). Whatever the reduction,
the gradient returned is exactly d(loss)/d(input).
"""

import numpy as np

from lstm_core.validate import as_float_array, check_finite


def _divisor(reduction, count):
    if reduction not in ("sum", "mean"):
        raise ValueError(f"reduction must be 'sum' or 'mean', got {reduction!r}")
    return 1.0 if reduction == "sum" else float(count)


def mse_loss(y_pred, y, reduction="sum"):
    """Half squared error E = 1/2 sum (y_pred - y)^2 (or its mean), and dE/dy_pred = y_pred - y.

    The sign matters: the gradient is ``y_pred - y``; ``y - y_pred`` is the *negative* gradient
    (the direction of descent), which the source article calls E_delta by mistake.

    Parameters
    ----------
    y_pred : ndarray, any shape (e.g. (T, B, H) or (B, 1)).
    y : ndarray, same shape as y_pred.
    reduction : "sum" or "mean" (mean over all elements).

    Returns
    -------
    loss : float
    dy_pred : ndarray, same shape as y_pred.
    """
    y_pred = as_float_array("y_pred", y_pred)
    y = as_float_array("y", y)
    if y.shape != y_pred.shape:
        raise ValueError(f"y has shape {y.shape} but expected the shape of y_pred, {y_pred.shape}")
    check_finite("y_pred", y_pred)
    check_finite("y", y)
    divisor = _divisor(reduction, y.size)
    diff = y_pred - y
    return float(0.5 * np.sum(diff * diff) / divisor), diff / divisor


def softmax(logits):
    """Softmax over the last axis, shifted by the maximum for stability. Same shape as logits."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


def softmax_cross_entropy(logits, targets, reduction="mean"):
    """Cross-entropy of integer targets under softmax(logits), and its gradient softmax - onehot.

    Parameters
    ----------
    logits : ndarray, shape (..., V)
    targets : int ndarray, shape (...), values in [0, V).
    reduction : "sum" or "mean" (mean over the positions, i.e. targets.size).

    Returns
    -------
    loss : float
    dlogits : ndarray, shape (..., V)
    """
    logits = as_float_array("logits", logits)
    targets = np.asarray(targets)
    if targets.dtype.kind not in "iu":
        raise TypeError(f"targets must hold integer class indices, got dtype {targets.dtype}")
    if targets.shape != logits.shape[:-1]:
        raise ValueError(
            f"targets has shape {targets.shape} but expected {logits.shape[:-1]} (logits without its last axis)")
    vocab_size = logits.shape[-1]
    if targets.size and (targets.min() < 0 or targets.max() >= vocab_size):
        raise ValueError(f"targets must lie in [0, {vocab_size}), got values in "
                         f"[{targets.min()}, {targets.max()}]")
    check_finite("logits", logits)
    divisor = _divisor(reduction, targets.size)
    shifted = logits - logits.max(axis=-1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    picked = np.take_along_axis(log_probs, targets[..., None], axis=-1)
    onehot = np.zeros_like(log_probs)
    np.put_along_axis(onehot, targets[..., None], 1.0, axis=-1)
    dlogits = np.exp(log_probs) - onehot  # softmax minus one-hot
    return float(-picked.sum() / divisor), dlogits / divisor
