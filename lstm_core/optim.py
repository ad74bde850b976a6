"""Optimisers and gradient clipping over dicts of arrays, updated in place.

A parameter set is a dict name -> ndarray, e.g. ``{**dict(lstm_params), **readout}``;
because ``dict(LSTMParams)`` holds the very arrays, updating the dict updates the model.
Gradients are a dict (or anything iterable as (name, array) pairs) with the same names.
"""

import numpy as np


def _grad_dict(params, grads):
    grads = dict(grads)
    missing = set(params) - set(grads)
    if missing:
        raise KeyError(f"grads has no entry for {sorted(missing)}")
    for name, array in params.items():
        if grads[name].shape != array.shape:
            raise ValueError(f"grads[{name!r}] has shape {grads[name].shape} but expected {array.shape}")
    return grads


def sgd_step(params, grads, learning_rate):
    """params[name] -= learning_rate * grads[name], in place."""
    for name, grad in _grad_dict(params, grads).items():
        if name in params:
            params[name] -= learning_rate * grad


def adam_init(params):
    """Adam state: first and second moments (zeros shaped like each parameter) and a step count."""
    return {"m": {n: np.zeros_like(a) for n, a in params.items()},
            "v": {n: np.zeros_like(a) for n, a in params.items()}, "step": 0}


def adam_step(params, grads, state, learning_rate=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """One Adam update (Kingma and Ba 2015) with bias correction, in place on params and state."""
    grads = _grad_dict(params, grads)
    state["step"] += 1
    correction1 = 1.0 - beta1 ** state["step"]
    correction2 = 1.0 - beta2 ** state["step"]
    for name, array in params.items():
        m, v, grad = state["m"][name], state["v"][name], grads[name]
        m *= beta1
        m += (1.0 - beta1) * grad
        v *= beta2
        v += (1.0 - beta2) * grad * grad
        array -= learning_rate * (m / correction1) / (np.sqrt(v / correction2) + eps)


def global_norm(grads):
    """sqrt of the sum of squares of every entry of every gradient."""
    return float(np.sqrt(sum(float(np.sum(g * g)) for _, g in dict(grads).items())))


def clip_grad_norm(grads, max_norm):
    """Scale all gradients by one factor so that their global norm is at most ``max_norm``.

    Returns
    -------
    clipped : dict name -> ndarray (new arrays; the input is not modified).
    norm : float, the global norm *before* clipping.
    """
    if max_norm <= 0:
        raise ValueError(f"max_norm must be positive, got {max_norm}")
    grads = dict(grads)
    norm = global_norm(grads)
    scale = min(1.0, max_norm / (norm + 1e-12))
    return {n: g * scale for n, g in grads.items()}, norm
