"""Widget callbacks of lessons 06 and 09, for benchmarks/bench_widgets.py to time.

Each callable does what one slider or dropdown callback does: index precomputed data, draw with
a plotting function of ``lstm_core.plots.checking`` into a new figure, render, close.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from lstm_core import PARAM_NAMES  # noqa: E402
from lstm_core.course.bugs import BUGS  # noqa: E402
from lstm_core.plots.checking import plot_delta_per_step, plot_report_bars, plot_step_size_sweep  # noqa: E402

TENSORS = [*PARAM_NAMES, "x", "h0", "c0"]


def _precomputed(rng):
    eps = np.logspace(-14, -1, 40)
    sweeps = {(name, dtype): {"centred": rng.uniform(1e-10, 1, eps.size),
                              "one-sided": rng.uniform(1e-8, 1, eps.size)}
              for name in PARAM_NAMES for dtype in ("float64", "float32")}
    reports = {bug: {label: dict(zip(TENSORS, 10.0 ** rng.uniform(-10, 0, len(TENSORS)), strict=True))
                     for label in ("one step", "two steps")} for bug in BUGS}
    deltas = {"article": rng.standard_normal(8), "true": rng.standard_normal(8)}
    return eps, sweeps, reports, deltas


def _draw(plot, *args, **kwargs):
    plot(*args, **kwargs)
    fig = plt.gcf()
    fig.canvas.draw()
    plt.close(fig)


def _two_deltas(deltas, t):
    # lesson 09's slider: dE/dh_t and dE/dc_t side by side
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.5))
    plot_delta_per_step(deltas["article"], deltas["true"], t, ax=axes[0], quantity="dE/dh_t")
    plot_delta_per_step(deltas["article"][::-1], deltas["true"][::-1], t, ax=axes[1], quantity="dE/dc_t")
    fig.canvas.draw()
    plt.close(fig)


def cases():
    """(label, callable) pairs, one per widget callback of lessons 06 and 09."""
    eps, sweeps, reports, deltas = _precomputed(np.random.default_rng(0))
    return [
        ("06 step-size sweep (parameter, dtype)",
         lambda: _draw(plot_step_size_sweep, eps, sweeps[("w_hf", "float32")], title="w_hf in float32")),
        ("06 bug report bars (bug)",
         lambda: _draw(plot_report_bars, reports["tanh applied twice"], title="tanh applied twice")),
        ("09 dE/dh_t and dE/dc_t per step (t)", lambda: _two_deltas(deltas, 3)),
    ]
