"""A per-gate, per-step LSTM written to read like the equations: twelve separate products a step.

It is the slow baseline of ``benchmarks/bench_lstm.py`` and an independent cross-check of the
fused implementation in ``lstm_core.lstm`` (tests assert they agree). Same shapes and
conventions as ``lstm_forward`` / ``lstm_backward``; no input validation.

Dimensions: T time steps, B batch, D input size, H hidden size.
"""

import numpy as np

from lstm_core.activations import sigmoid
from lstm_core.params import GATES, LSTMParams


def naive_lstm_forward(params, x, h0, c0):
    """Forward over x (T, B, D) from h0, c0 (B, H); returns h (T, B, H) and a list of step dicts."""
    h_prev, c_prev, steps, hs = h0, c0, [], []
    for x_t in x:
        gate = {}
        for k in GATES:
            z = x_t @ getattr(params, f"w_x{k}").T + h_prev @ getattr(params, f"w_h{k}").T + getattr(params, f"b_{k}")
            gate[k] = np.tanh(z) if k == "g" else sigmoid(z)
        c = gate["f"] * c_prev + gate["i"] * gate["g"]
        h = gate["o"] * np.tanh(c)
        steps.append(dict(x=x_t, h_prev=h_prev, c_prev=c_prev, c=c, **gate))
        hs.append(h)
        h_prev, c_prev = h, c
    return np.stack(hs), steps


def naive_lstm_backward(dh_loss, params, steps):
    """Full BPTT over the step dicts of ``naive_lstm_forward``, from the loss's direct gradient
    dh_loss (T, B, H); returns grads, dx (T, B, D), dh0, dc0 (B, H)."""
    grads = {name: np.zeros_like(a) for name, a in params}
    dx = []
    dh_next = np.zeros_like(dh_loss[0])
    dc_next = np.zeros_like(dh_loss[0])
    for t in reversed(range(len(steps))):
        s = steps[t]
        dh_t = dh_loss[t] + dh_next
        tanh_c = np.tanh(s["c"])
        dc = dc_next + dh_t * s["o"] * (1 - tanh_c**2)
        dgate = {
            "i": dc * s["g"] * s["i"] * (1 - s["i"]),
            "f": dc * s["c_prev"] * s["f"] * (1 - s["f"]),
            "g": dc * s["i"] * (1 - s["g"] ** 2),
            "o": dh_t * tanh_c * s["o"] * (1 - s["o"]),
        }
        dx_t = 0.0
        dh_next = 0.0
        for k in GATES:
            grads[f"w_x{k}"] += dgate[k].T @ s["x"]
            grads[f"w_h{k}"] += dgate[k].T @ s["h_prev"]
            grads[f"b_{k}"] += dgate[k].sum(axis=0)
            dx_t = dx_t + dgate[k] @ getattr(params, f"w_x{k}")
            dh_next = dh_next + dgate[k] @ getattr(params, f"w_h{k}")
        dc_next = dc * s["f"]
        dx.append(dx_t)
    return LSTMParams(**grads), np.stack(dx[::-1]), dh_next, dc_next
