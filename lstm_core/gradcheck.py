"""Numerical gradient checking: centred differences in float64, relative errors, a per-tensor report.

The usual use: define a scalar loss ``f()`` that reads some arrays, compute analytic gradients
once, then call ``check_gradients`` which nudges each array element in place (and puts it back).
"""

from typing import NamedTuple

import numpy as np

from lstm_core.lstm import lstm_backward, lstm_forward


class CheckRow(NamedTuple):
    """One line of a gradient-check report."""

    name: str
    rel_error: float
    max_abs_diff: float
    ok: bool


def numerical_gradient(f, x, eps=1e-6, centred=True):
    """Finite-difference gradient of the scalar function ``f()`` with respect to the array ``x``.

    ``x`` is perturbed in place, one element at a time, and restored exactly.

    Parameters
    ----------
    f : callable with no arguments returning a float; it must read ``x``.
    x : ndarray, any shape, float64 for trustworthy results.
    eps : float, the step.
    centred : bool, (f(x+eps) - f(x-eps)) / 2eps if True, else (f(x+eps) - f(x)) / eps.

    Returns
    -------
    grad : ndarray, same shape as x.
    """
    if not (isinstance(x, np.ndarray) and x.flags.c_contiguous):
        raise ValueError("x must be a C-contiguous ndarray so it can be perturbed in place")
    grad = np.zeros_like(x)
    base = None if centred else f()
    flat, flat_grad = x.reshape(-1), grad.reshape(-1)  # views, shape (x.size,)
    for k in range(flat.size):
        old = flat[k]
        flat[k] = old + eps
        plus = f()
        if centred:
            flat[k] = old - eps
            minus = f()
            flat_grad[k] = (plus - minus) / (2 * eps)
        else:
            flat_grad[k] = (plus - base) / eps
        flat[k] = old
    return grad


def relative_error(analytic, numeric, floor=1e-8):
    """||a - n|| / max(||a|| + ||n||, floor), with Euclidean norms over the whole tensor.

    Measuring the difference against the size of the whole gradient keeps entries that are
    tiny by cancellation (whose centred differences carry ~1e-10 of round-off) from looking
    wrong; the floor keeps two all-zero gradients from dividing 0 by 0.
    """
    analytic, numeric = np.asarray(analytic, float), np.asarray(numeric, float)
    if analytic.shape != numeric.shape:
        raise ValueError(f"analytic has shape {analytic.shape} but numeric has {numeric.shape}")
    if analytic.size == 0:
        return 0.0
    size = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    return float(np.linalg.norm(analytic - numeric) / max(size, floor))


def check_gradients(f, arrays, analytic, eps=1e-6, tol=1e-6, floor=1e-8):
    """Compare analytic gradients with centred differences, tensor by tensor.

    Parameters
    ----------
    f : callable with no arguments returning the scalar loss; it must read the arrays.
    arrays : dict name -> ndarray, the inputs to perturb (in place, restored afterwards).
    analytic : dict name -> ndarray, dL/d<name>, same shapes.
    eps, tol, floor : finite-difference step, pass threshold on the relative error, its floor.

    Returns
    -------
    list of CheckRow, one per name, in the order of ``arrays``.
    """
    rows = []
    for name, x in arrays.items():
        if name not in analytic:
            raise KeyError(f"no analytic gradient given for {name!r}")
        numeric = numerical_gradient(f, x, eps)
        error = relative_error(analytic[name], numeric, floor)
        max_diff = float(np.max(np.abs(analytic[name] - numeric))) if numeric.size else 0.0
        rows.append(CheckRow(name, error, max_diff, bool(error < tol)))
    return rows


def format_report(rows):
    """The report as an aligned text table: name | rel. error | max abs diff | ok."""
    lines = [f"{'name':<8} {'rel. error':>11} {'max abs diff':>13}  ok", "-" * 39]
    lines += [f"{r.name:<8} {r.rel_error:>11.2e} {r.max_abs_diff:>13.2e}  {'yes' if r.ok else 'NO'}"
              for r in rows]
    return "\n".join(lines)


def check_lstm(params, x, h0, c0, rng, backward=lstm_backward, truncate=None, tol=1e-6):
    """Check every LSTM gradient (12 parameters, x, h0, c0) on the loss L = sum(h * dh_up).

    ``dh_up`` is a random upstream gradient drawn from ``rng``, so every output matters.
    ``backward`` can be replaced by any function with ``lstm_backward``'s signature, which is
    how the lessons check a hand-written (or deliberately broken) backward pass.
    With ``truncate`` the analytic gradient is the truncated one, so a check *should* fail.

    Parameters
    ----------
    params : LSTMParams, float64.
    x : ndarray, shape (T, B, D); h0, c0 : ndarray, shape (B, H).
    rng : numpy Generator.

    Returns
    -------
    list of CheckRow: w_xi ... b_o, then x, h0, c0.
    """
    h, _, cache = lstm_forward(params, x, h0, c0)
    dh_up = rng.standard_normal(h.shape)

    def loss():
        return float(np.sum(lstm_forward(params, x, h0, c0)[0] * dh_up))

    if truncate is None:
        grads, dx, dh0, dc0 = backward(dh_up, cache)
    else:
        grads, dx, dh0, dc0 = backward(dh_up, cache, truncate=truncate)
    arrays = {**dict(params), "x": x, "h0": h0, "c0": c0}
    analytic = {**dict(grads), "x": dx, "h0": dh0, "c0": dc0}
    return check_gradients(loss, arrays, analytic, tol=tol)
