"""Widget callbacks of lessons 01 (the forward pass) and 02 (the loss and a first gradient), for timing.

``cases()`` precomputes what the lessons precompute (same sizes), then returns one callable per
slider callback: each does the callback's work, draws into a new figure, renders it and closes it.
The one-step sliders of lesson 01 span twelve weights and three inputs, too many to tabulate, so
that callback runs one 1 x 1 ``lstm_step_forward`` (microseconds) before drawing.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np

from lstm_core import GATES, LSTMParams, lstm_forward, lstm_step_backward, lstm_step_forward, mse_loss
from lstm_core.plots.forward import (
    STEP_NAMES,
    plot_loss_slice,
    plot_memory_trace,
    plot_step_values,
    plot_unit_over_time,
)


def _render(ax):
    fig = ax.figure
    fig.canvas.draw()
    plt.close(fig)


def _scalar_params(values):
    """One-unit LSTMParams from twelve numbers, as lesson 01 builds them."""
    return LSTMParams(**{n: np.array([[v]]) if n.startswith("w_") else np.array([v]) for n, v in values.items()})


def _memory_unit(b_f):
    return _scalar_params(dict(w_xi=6.0, w_hi=0.0, b_i=-3.0, w_xf=-3.0, w_hf=0.0, b_f=b_f,
                               w_xg=2.0, w_hg=0.0, b_g=0.0, w_xo=0.0, w_ho=0.0, b_o=2.0))


def _step_callback():
    """Lesson 01, section 2: the fifteen sliders of one scalar step."""
    weights = dict(w_xi=0.9, w_hi=-0.4, b_i=0.1, w_xf=0.5, w_hf=0.3, b_f=1.0,
                   w_xg=1.2, w_hg=-0.7, b_g=0.0, w_xo=-0.6, w_ho=0.8, b_o=0.2)

    def callback():
        _, _, step = lstm_step_forward(_scalar_params(weights), np.array([[1.0]]), np.array([[0.2]]),
                                       np.array([[0.5]]))
        _render(plot_step_values({name: step[name].item() for name in STEP_NAMES}, title="One step of one unit"))

    return callback


def _sequence_callbacks():
    """Lesson 01, sections 4 and 5: the input dropdown and the b_f slider (T = 60)."""
    steps = np.arange(60)
    signal = np.sin(2 * np.pi * steps / 20)
    _, _, cache = lstm_forward(_memory_unit(2.0), signal[:, None, None])
    run = {**{k: cache["gates"][:, 0, n] for n, k in enumerate(GATES)}, "c": cache["c"][:, 0, 0],
           "h": cache["h"][:, 0, 0]}
    pulse = (steps == 4).astype(float)
    forget_biases = np.arange(-2.0, 8.01, 0.5)
    memory = []
    for b in forget_biases:
        _, _, cache = lstm_forward(_memory_unit(b), pulse[:, None, None])
        memory.append({"c": cache["c"][:, 0, 0], "f": cache["gates"][:, 0, 1]})

    def show_run():
        _render(plot_unit_over_time(signal, run, title="The memory unit: sine"))

    def show_memory(k=12):
        _render(plot_memory_trace(memory[k]["c"], memory[k]["f"], pulse_step=5,
                                  title=f"b_f = {forget_biases[k]:+.1f}: f = 0.881, half-life 5.5 steps"))

    return show_run, show_memory


def _slope_callback():
    """Lesson 02, section 5: the weight slider along a precomputed loss curve (81 points)."""
    unit = LSTMParams.from_fused(np.array([[0.9], [0.5], [1.2], [-0.6]]), np.array([[-0.4], [0.3], [-0.7], [0.8]]),
                                 np.array([0.1, 1.0, 0.0, 0.2]))
    x_t, h_prev, c_prev, y = np.array([[1.0]]), np.array([[0.2]]), np.array([[0.5]]), np.array([[0.5]])
    w_grid = np.linspace(-4.0, 4.0, 81)
    loss, slope = np.empty_like(w_grid), np.empty_like(w_grid)
    for k, w in enumerate(w_grid):
        probe = unit.copy()
        probe.w_xo[0, 0] = w
        h, _, cache = lstm_step_forward(probe, x_t, h_prev, c_prev)
        loss[k], dh = mse_loss(h, y)
        slope[k] = lstm_step_backward(dh, np.zeros_like(h), cache)[0].w_xo.item()

    def show_slope(k=40):
        _render(plot_loss_slice(w_grid, loss, w_grid[k], slope[k], slope[k], name="w_xo"))

    return show_slope


def cases():
    """(label, callable) pairs, one per slider callback of lessons 01 and 02."""
    show_run, show_memory = _sequence_callbacks()
    return [
        ("01 one step: 15 sliders -> bar chart", _step_callback()),
        ("01 input dropdown -> unit over time (T=60)", show_run),
        ("01 forget bias slider -> memory trace", show_memory),
        ("02 weight slider -> loss, tangent, slopes", _slope_callback()),
    ]
