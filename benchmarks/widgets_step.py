"""Widget callbacks of lessons 03 and 04, for benchmarks/bench_widgets.py to time.

Each callable does what one slider or dropdown callback does: index precomputed data, draw with
a plotting function of ``lstm_core.plots.step`` into a new figure, render, close. The data have
the shapes the lessons precompute; their values do not change the cost of drawing.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from lstm_core.plots.step import (  # noqa: E402
    GRADIENT_NAMES,
    plot_batch_contributions,
    plot_gate_gradients,
    plot_gradient_sweep,
    plot_weight_gradient,
)

GATES = ("i", "f", "g", "o")


def _precomputed(rng):
    # lesson 03: sweeps of 101 or 161 points; a (9, 9, 9, 9, 9, 5) grid of the six gradients
    sweep_ranges = {"f": np.linspace(0, 1, 101), "c_prev": np.linspace(-4, 4, 161)}
    sweeps = {n: {g: rng.standard_normal(v.size) for g in GRADIENT_NAMES} for n, v in sweep_ranges.items()}
    table = {g: rng.standard_normal((9, 9, 9, 9, 9, 5)) for g in GRADIENT_NAMES}
    # lesson 04: per-gate dZ (9, 9, 9, 5, H) and dW (9, 9, 9, 5, H, D); 32 per-sample terms
    hidden_size, input_size = 4, 3
    dz_table = {k: rng.standard_normal((9, 9, 9, 5, hidden_size)) for k in GATES}
    dw_table = {k: rng.standard_normal((9, 9, 9, 5, hidden_size, input_size)) for k in GATES}
    x_table = rng.standard_normal((9, 9, 9, input_size))
    terms = rng.standard_normal(32)
    return sweep_ranges, sweeps, table, dz_table, dw_table, x_table, terms


def _draw(plot, *args, **kwargs):
    plot(*args, **kwargs)
    fig = plt.gcf()
    fig.canvas.draw()
    plt.close(fig)


def cases():
    """(label, callable) pairs, one per widget callback of lessons 03 and 04."""
    sweep_ranges, sweeps, table, dz_table, dw_table, x_table, terms = _precomputed(np.random.default_rng(0))
    index = (4, 6, 6, 6, 5, 4)
    return [
        ("03 gradient sweep (swept value)",
         lambda: _draw(plot_gradient_sweep, sweep_ranges["c_prev"], sweeps["c_prev"], xlabel="c_prev",
                       marker=1.5, title="Sweeping c_prev, the others fixed")),
        ("03 six gate gradients (i, f, g, o, c_prev, E_delta)",
         lambda: _draw(plot_gate_gradients, {n: table[n][index] for n in table}, limit=2.2)),
        ("04 outer-product heatmap (gate, x_0, x_1, x_2, E_delta)",
         lambda: _draw(plot_weight_gradient, dw_table["o"][6, 1, 5, 4], dz_table["o"][6, 1, 5, 4],
                       x_table[6, 1, 5], row_label="dZ_o", col_label="x_t", limit=0.5,
                       title="∂E/∂w_xo = dZ_o x_tᵀ")),
        ("04 batch contributions (B)",
         lambda: _draw(plot_batch_contributions, terms[:8], limit=3.0, max_batch=32)),
    ]
