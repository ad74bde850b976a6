"""Automatic differentiation of the LSTM, to cross-check the hand-derived ``lstm_backward``.

``lstm_forward_autograd`` is the forward pass of ``lstm_core.lstm`` written again as a pure
function of ``autograd.numpy`` arrays: no in-place updates, no preallocated buffers, because
autograd records each operation on its arguments and cannot follow writes into an array.
``autograd_gradients`` differentiates the scalar loss L = sum(h * dh_up) with it, which is the
loss whose gradient ``lstm_backward(dh_up, cache)`` computes by hand.

``autograd_truncated_gradients`` differentiates the same loss with the state's gradient stopped
at the start of each loss term's window, which is what ``lstm_backward(dh_up, cache, truncate=k)``
computes by hand. ``torch_lstm_gradients`` and ``torch_truncated_gradients`` do the same with
``torch.nn.LSTM`` (``.detach()`` stops the gradient) when PyTorch is installed.

``agreement_rows`` compares two gradient dicts with the relative error of lesson 06
(``lstm_core.gradcheck.relative_error``), so its reports mean what lesson 06's reports mean.

Dimensions: T time steps, B batch, D input size, H hidden size.
"""

import autograd.numpy as anp
import numpy as np
from autograd import grad
from autograd.extend import defvjp, primitive

from lstm_core.gradcheck import CheckRow, relative_error
from lstm_core.params import GATES, PARAM_NAMES, LSTMParams

STATE_NAMES = ("x", "h0", "c0")
"""The non-parameter inputs whose gradients are compared too."""


@primitive
def stop_gradient(a):
    """The identity in the forward pass; passes no gradient back (autograd's version of ``.detach()``)."""
    return a


defvjp(stop_gradient, lambda ans, a: lambda g: anp.zeros_like(g))


def _sigmoid(z):
    return 0.5 * (anp.tanh(0.5 * z) + 1.0)  # the same identity lstm_core uses: no overflow for large |z|


def lstm_forward_autograd(params, x, h0, c0):
    """The LSTM forward pass as a pure function that autograd can differentiate.

    Parameters
    ----------
    params : dict name -> array (or an LSTMParams), the twelve arrays ``w_x*`` (H, D),
        ``w_h*`` (H, H), ``b_*`` (H,).
    x : array, shape (T, B, D), time-major.
    h0, c0 : array, shape (B, H).

    Returns
    -------
    h : array, shape (T, B, H), h_1 .. h_T.
    c : array, shape (T, B, H), c_1 .. c_T.
    """
    p = dict(params)
    h_prev, c_prev = h0, c0
    hs, cs = [], []
    for t in range(x.shape[0]):
        # one pre-activation per gate, as the article writes them (its Z_k): z_k = w_xk x_t + w_hk h_{t-1} + b_k
        z = {k: anp.dot(x[t], p[f"w_x{k}"].T) + anp.dot(h_prev, p[f"w_h{k}"].T) + p[f"b_{k}"]
             for k in GATES}  # each (B, H)
        i, f, o = _sigmoid(z["i"]), _sigmoid(z["f"]), _sigmoid(z["o"])
        g = anp.tanh(z["g"])
        c_prev = f * c_prev + i * g  # new arrays each step; nothing is overwritten
        h_prev = o * anp.tanh(c_prev)
        hs.append(h_prev)
        cs.append(c_prev)
    return anp.stack(hs), anp.stack(cs)  # (T, B, H) each


def lstm_loss_autograd(inputs, dh_up):
    """L = sum(h * dh_up), the loss whose gradient ``lstm_backward(dh_up, cache)`` returns.

    Parameters
    ----------
    inputs : dict with the twelve parameter names and ``x`` (T, B, D), ``h0``, ``c0`` (B, H).
    dh_up : ndarray, shape (T, B, H), a fixed upstream gradient (dL/dh_t of the loss's own terms).

    Returns
    -------
    loss : scalar (an autograd box while being differentiated).
    """
    h, _ = lstm_forward_autograd({n: inputs[n] for n in PARAM_NAMES}, inputs["x"], inputs["h0"], inputs["c0"])
    return anp.sum(h * dh_up)


def lstm_truncated_loss_autograd(inputs, dh_up, truncate):
    """The same value as ``lstm_loss_autograd``, but each term's gradient stops after ``truncate`` steps.

    The term of step t is sum(h_t * dh_up[t]) with h_t recomputed from the state at the start of
    its window, steps t - k + 1 .. t (k = ``truncate``), and that state passed through
    ``stop_gradient``: the value is unchanged, but nothing flows back into earlier steps. A window
    that starts at step 1 starts from h0, c0 themselves, so only those terms reach dh0, dc0.
    This is Williams and Peng's BPTT(k) as ``lstm_backward(..., truncate=k)`` defines it.

    Parameters
    ----------
    inputs : dict with the twelve parameter names and ``x`` (T, B, D), ``h0``, ``c0`` (B, H).
    dh_up : ndarray, shape (T, B, H).
    truncate : int >= 1.
    """
    params = {n: inputs[n] for n in PARAM_NAMES}
    x, h0, c0 = inputs["x"], inputs["h0"], inputs["c0"]
    h, c = lstm_forward_autograd(params, x, h0, c0)  # (T, B, H) each: the states at the window starts
    total = 0.0
    for t in range(x.shape[0]):
        start = max(0, t - truncate + 1)
        if start == 0:
            h_start, c_start = h0, c0
        else:  # the state entering step `start` is a constant for this term
            h_start, c_start = stop_gradient(h[start - 1]), stop_gradient(c[start - 1])
        h_window, _ = lstm_forward_autograd(params, x[start : t + 1], h_start, c_start)  # (t+1-start, B, H)
        total = total + anp.sum(h_window[-1] * dh_up[t])
    return total


def autograd_truncated_gradients(params, x, h0, c0, dh_up, truncate):
    """Gradients of L = sum(h * dh_up) with each term's gradient truncated after ``truncate`` steps.

    Same arguments and return layout as ``autograd_gradients``, plus ``truncate`` (int >= 1).
    The hand-derived counterpart is ``lstm_backward(dh_up, cache, truncate=truncate)``.
    """
    if int(truncate) != truncate or truncate < 1:
        raise ValueError(f"truncate must be an integer >= 1, got {truncate!r}")
    inputs = {**dict(params), "x": x, "h0": h0, "c0": c0}
    grads = grad(lstm_truncated_loss_autograd)(inputs, dh_up, int(truncate))
    return {name: np.asarray(grads[name]) for name in (*PARAM_NAMES, *STATE_NAMES)}


def autograd_gradients(params, x, h0, c0, dh_up):
    """Gradients of L = sum(h * dh_up) by reverse-mode automatic differentiation.

    Parameters
    ----------
    params : LSTMParams or dict name -> ndarray, float64.
    x : ndarray, shape (T, B, D)
    h0, c0 : ndarray, shape (B, H)
    dh_up : ndarray, shape (T, B, H)

    Returns
    -------
    dict name -> ndarray: ``w_xi`` ... ``b_o`` (shapes of the parameters), then ``x`` (T, B, D),
    ``h0`` and ``c0`` (B, H).
    """
    inputs = {**dict(params), "x": x, "h0": h0, "c0": c0}
    grads = grad(lstm_loss_autograd)(inputs, dh_up)  # autograd returns a dict shaped like `inputs`
    return {name: np.asarray(grads[name]) for name in (*PARAM_NAMES, *STATE_NAMES)}


def hand_gradients(grads, dx, dh0, dc0):
    """Pack ``lstm_backward``'s results into the dict layout of ``autograd_gradients``."""
    return {**dict(grads), "x": dx, "h0": dh0, "c0": dc0}


def agreement_rows(reference, other, tol=1e-12):
    """Compare two gradient dicts tensor by tensor, with lesson 06's relative error.

    The relative error of a tensor is ``relative_error(reference, other)``:
    ||reference - other|| / (||reference|| + ||other||) with Euclidean norms over the whole tensor
    (and a floor of 1e-8 on the denominator), a number in [0, 1]; 1 means opposite signs or one
    side zero. The report's second column is the largest element-wise difference.

    Parameters
    ----------
    reference, other : dict name -> ndarray with the same names and shapes.
    tol : float, a row is ok when its relative error is below tol.

    Returns
    -------
    list of ``CheckRow`` (name, rel_error, max_abs_diff, ok), in the order of ``reference``;
    ``format_report`` prints it.
    """
    rows = []
    for name, ref in reference.items():
        if name not in other:
            raise KeyError(f"{name!r} is missing from the second gradient dict")
        ref, got = np.asarray(ref), np.asarray(other[name])
        if got.shape != ref.shape:
            raise ValueError(f"{name}: shapes differ, {ref.shape} against {got.shape}")
        max_diff = float(np.max(np.abs(ref - got))) if ref.size else 0.0
        rel = relative_error(ref, got)
        rows.append(CheckRow(name, rel, max_diff, bool(rel < tol)))
    return rows


def torch_lstm_gradients(params, x, h0, c0, dh_up):
    """Gradients of L = sum(h * dh_up) from ``torch.nn.LSTM`` loaded with the same weights.

    PyTorch stacks its gates in the order i, f, g, o, the same as ``GATES``, so the fused arrays
    of ``LSTMParams.fused`` load directly: ``weight_ih_l0`` (4H, D) = w_x, ``weight_hh_l0``
    (4H, H) = w_h. PyTorch adds two biases, ``bias_ih_l0 + bias_hh_l0``; we put our b in the
    first and zeros in the second, and since both enter z only through their sum each one's
    gradient equals our db. Input and output are time-major (T, B, .) as here.

    Requires PyTorch (imported here, so the rest of this module works without it).

    Parameters
    ----------
    params : LSTMParams, float64.
    x : ndarray, shape (T, B, D)
    h0, c0 : ndarray, shape (B, H)
    dh_up : ndarray, shape (T, B, H)

    Returns
    -------
    h : ndarray, shape (T, B, H), PyTorch's hidden states.
    grads : dict name -> ndarray in the layout of ``autograd_gradients``.
    bias_hh_grad : ndarray, shape (4H,), the gradient of the zero second bias (equal to db).
    """
    import torch

    lstm = params.to_torch()
    x_t = torch.tensor(x, requires_grad=True)
    h0_t = torch.tensor(h0[None], requires_grad=True)  # (1, B, H): one layer
    c0_t = torch.tensor(c0[None], requires_grad=True)
    h, _ = lstm(x_t, (h0_t, c0_t))  # (T, B, H)
    torch.sum(h * torch.from_numpy(dh_up)).backward()
    fused = LSTMParams.from_fused(lstm.weight_ih_l0.grad.numpy(), lstm.weight_hh_l0.grad.numpy(),
                                  lstm.bias_ih_l0.grad.numpy())
    grads = {**{n: a.copy() for n, a in fused}, "x": x_t.grad.numpy().copy(),
             "h0": h0_t.grad.numpy()[0].copy(), "c0": c0_t.grad.numpy()[0].copy()}
    return h.detach().numpy().copy(), grads, lstm.bias_hh_l0.grad.numpy().copy()


def torch_truncated_gradients(params, x, h0, c0, dh_up, truncate):
    """Truncated gradients of L = sum(h * dh_up) from ``torch.nn.LSTM``, with ``.detach()``.

    For each loss term t the window t - k + 1 .. t (k = ``truncate``) is run from the state
    before it, detached (its value kept, its gradient stopped); windows that start at step 1
    start from h0, c0 themselves. The hand-derived counterpart is
    ``lstm_backward(dh_up, cache, truncate=truncate)``. Requires PyTorch.

    Parameters and returns as ``torch_lstm_gradients`` (without its first and last results):
    a dict name -> ndarray in the layout of ``autograd_gradients``.
    """
    import torch

    if int(truncate) != truncate or truncate < 1:
        raise ValueError(f"truncate must be an integer >= 1, got {truncate!r}")
    lstm = params.to_torch()
    x_t = torch.tensor(x, requires_grad=True)
    h0_t = torch.tensor(h0[None], requires_grad=True)  # (1, B, H): one layer
    c0_t = torch.tensor(c0[None], requires_grad=True)
    total = 0.0
    for t in range(x.shape[0]):
        start = max(0, int(t - truncate + 1))
        state = (h0_t, c0_t)
        if start > 0:
            _, (h_s, c_s) = lstm(x_t[:start], (h0_t, c0_t))  # the state entering step `start`, (1, B, H)
            state = (h_s.detach(), c_s.detach())  # value kept, gradient stopped
        h_window, _ = lstm(x_t[start : t + 1], state)  # (t + 1 - start, B, H)
        total = total + torch.sum(h_window[-1] * torch.from_numpy(dh_up[t]))
    total.backward()
    fused = LSTMParams.from_fused(lstm.weight_ih_l0.grad.numpy(), lstm.weight_hh_l0.grad.numpy(),
                                  lstm.bias_ih_l0.grad.numpy())
    return {**{n: a.copy() for n, a in fused}, "x": x_t.grad.numpy().copy(),
            "h0": h0_t.grad.numpy()[0].copy(), "c0": c0_t.grad.numpy()[0].copy()}
