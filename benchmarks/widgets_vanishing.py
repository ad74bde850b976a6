"""Slider callbacks of lesson 07 (vanishing and exploding gradients), for bench_widgets.py.

The lesson's slider pair (RNN spectral radius, LSTM forget bias) indexes a precomputed grid of
gradient-norm curves, shape (T + 1,) each with T = 50, and redraws ``plot_gradient_norms``.
"""

import matplotlib.pyplot as plt
import numpy as np

from lstm_core.plots.vanishing import plot_gradient_norms

RADII = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0)
FORGET_BIASES = (-2.0, -1.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0)
NUM_STEPS = 50


def _grid():
    """Curves of the lesson's magnitudes: geometric decay or growth over k = 0..T."""
    k = np.arange(NUM_STEPS + 1)
    rnn = {r: (0.9 * r) ** k for r in RADII}
    lstm = {b: (1.0 / (1.0 + np.exp(-b)) ** k, 0.5 / (1.0 + np.exp(-b)) ** k) for b in FORGET_BIASES}
    return rnn, lstm


def cases():
    rnn, lstm = _grid()
    styles = {f"LSTM ||dL/dc||, b_f = {b:g}": {"linestyle": "--"} for b in FORGET_BIASES}

    def show_gradients(radius, b_f):
        h_norms, c_norms = lstm[b_f]
        curves = {f"RNN ||dL/dh||, rho = {radius:g}": rnn[radius],
                  f"LSTM ||dL/dh||, b_f = {b_f:g}": h_norms,
                  f"LSTM ||dL/dc||, b_f = {b_f:g}": c_norms}
        fig, ax = plt.subplots(figsize=(8, 4.5))
        plot_gradient_norms(curves, ax=ax, styles=styles)
        fig.canvas.draw()
        plt.close(fig)

    return [
        ("07 gradient norms: move rho(w_hh)", lambda: show_gradients(3.0, 1.0)),
        ("07 gradient norms: move b_f", lambda: show_gradients(0.75, 5.0)),
    ]
