"""Widget callbacks of lesson 11 (LSTM variants), for timing.

``cases()`` precomputes data of the lesson's sizes (T = 30 for the path figures, T = 60 and B = 8 for
the reach figure, H = 16), then returns one callable per slider callback: each indexes the data, draws
into a new figure, renders it and closes it.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np

from lstm_core import LSTMParams
from lstm_core.plots.variants import plot_backward_paths, plot_gradient_reach
from lstm_core.variants import (
    GRUParams,
    PeepholeParams,
    gru_backward,
    gru_forward,
    peephole_backward,
    peephole_forward,
)

BIASES = (-2, -1, 0, 1, 2, 3, 4)
PATHS = ("direct: dh * z", "via r", "via z", "via n")


def _render(draw):
    fig, ax = plt.subplots()
    draw(ax)
    fig.canvas.draw()
    plt.close(fig)


def _reach(rng, input_size=3, hidden_size=16, num_steps=60, batch_size=8):
    """(bias, normalised) -> dict model -> (T,) norms of dL/dx_(T-k), as the lesson computes them."""
    base = LSTMParams.init(input_size, hidden_size, rng)
    models = {"LSTM": PeepholeParams.from_lstm(base),
              "peephole LSTM": PeepholeParams.from_lstm(base, *rng.uniform(-0.25, 0.25, (3, hidden_size))),
              "GRU": GRUParams.init(input_size, hidden_size, rng)}
    x = rng.standard_normal((num_steps, batch_size, input_size))
    dh = np.zeros((num_steps, batch_size, hidden_size))
    dh[-1] = rng.standard_normal((batch_size, hidden_size))
    reach = {}
    for bias in BIASES:
        curves = {}
        for name, params in models.items():
            params = params.copy()
            if name == "GRU":
                params.b_z[:] = bias
                dx = gru_backward(dh, gru_forward(params, x)[1])[1]
            else:
                params.b_f[:] = bias
                dx = peephole_backward(dh, peephole_forward(params, x)[2])[1]
            curves[name] = np.linalg.norm(dx[::-1], axis=2).mean(axis=1)  # index k: k steps back
        reach[bias, False] = curves
        reach[bias, True] = {name: values / values[0] for name, values in curves.items()}
    return reach


def cases():
    """(label, callable) pairs, one per slider callback of lesson 11."""
    rng = np.random.default_rng(0)
    num_steps = 30
    # the path figures draw two (peephole) or four (GRU) per-step curves; their values only set the ink
    peephole_terms = {bias: {"carousel f * dc": np.geomspace(1e-3, 2.0, num_steps),
                             "peepholes p_i dZ_i + p_f dZ_f": np.geomspace(1e-4, 1e-2, num_steps)
                             * rng.uniform(0.5, 2.0, num_steps)} for bias in BIASES}
    gru_paths = {bias: {name: np.geomspace(10.0 ** -(k + 2), 10.0 ** -k, num_steps) * rng.uniform(0.5, 2.0, num_steps)
                        for k, name in enumerate(PATHS)} for bias in BIASES}
    reach = _reach(rng)
    ylim = {False: (1e-30, 10.0), True: (1e-30, 1e3)}
    return [
        ("11 peephole terms of dL/dc_(t-1) (b_f = 3)",
         lambda: _render(lambda ax: plot_backward_paths(peephole_terms[3], ylim=(1e-12, 10.0), ax=ax,
                                                        title="The two parts of dL/dc_(t-1), b_f = 3"))),
        ("11 GRU paths into dL/dh_(t-1) (b_z = 3)",
         lambda: _render(lambda ax: plot_backward_paths(gru_paths[3], ylim=(1e-14, 10.0), ax=ax,
                                                        title="The four paths into dL/dh_(t-1), b_z = 3"))),
        ("11 gradient reach, 3 models (bias = -2)",
         lambda: _render(lambda ax: plot_gradient_reach(reach[-2, False], ylim=ylim[False], ax=ax,
                                                        title="Loss at step T = 60, keep bias = -2"))),
        ("11 gradient reach, normalised (bias = 4)",
         lambda: _render(lambda ax: plot_gradient_reach(reach[4, True], ylim=ylim[True], ax=ax,
                                                        ylabel="relative to k = 0",
                                                        title="Loss at step T = 60, keep bias = 4"))),
    ]
