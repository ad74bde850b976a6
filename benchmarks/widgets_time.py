"""Widget callbacks of lessons 05 (BPTT through time) and 10 (autodiff cross-check), for timing.

``cases()`` precomputes the same kind of data the lessons precompute (same sizes), then returns one
callable per slider callback: each indexes the data, draws into a new figure, renders it and closes it.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np

from lstm_core import LSTMParams, lstm_backward, lstm_forward, lstm_step_backward, lstm_step_forward, mse_loss
from lstm_core.autodiff import autograd_gradients, hand_gradients
from lstm_core.plots.time import (
    plot_gradient_agreement,
    plot_gradient_heatmap,
    plot_gradient_norms,
    plot_truncation_error,
    plot_unrolled_graph,
)

T_VALUES = (10, 20, 40, 80)
B_F_VALUES = (-2, -1, 0, 1, 2, 3, 4)


def _render(draw):
    fig, ax = plt.subplots()
    draw(ax)
    fig.canvas.draw()
    plt.close(fig)


def _dc_map(params, x, y):
    """|dL/dc_t| (T, H) of one sequence for a loss at the last step, as lesson 05 computes it."""
    h_t = c_t = np.zeros((1, params.hidden_size))
    caches = []
    for t in range(x.shape[0]):
        h_t, c_t, cache = lstm_step_forward(params, x[t], h_t, c_t)
        caches.append(cache)
    _, dh_next = mse_loss(h_t, y)  # the loss's gradient at the last step
    dc_next = np.zeros_like(dh_next)
    out = np.zeros((x.shape[0], params.hidden_size))
    for t in reversed(range(x.shape[0])):
        cache = caches[t]
        out[t] = np.abs(dc_next + dh_next * cache["o"] * (1 - cache["tanh_c"] ** 2))[0]  # both paths
        _, _, dh_next, dc_next = lstm_step_backward(dh_next, dc_next, cache)
    return out


def cases():
    """(label, callable) pairs, one per slider callback of lessons 05 and 10."""
    rng = np.random.default_rng(0)
    # lesson 05, section 5: heatmaps and norms over (T, b_f), D = 4, H = 16, one sequence
    base = LSTMParams.init(4, 16, rng)
    x_all = rng.standard_normal((max(T_VALUES), 1, 4))
    y_last = rng.standard_normal((1, 16))
    dc_maps = {}
    for b_f in (1, 3):
        p = base.copy()
        p.b_f[:] = b_f
        for num_steps in T_VALUES:
            dc_maps[num_steps, b_f] = _dc_map(p, x_all[:num_steps], y_last)
    # lesson 05, sections 6 and 7: one-step scatter and truncation curves, D = 3, H = 8, B = 2, T = 20
    params = LSTMParams.init(3, 8, rng)
    x = rng.standard_normal((20, 2, 3))
    y = rng.standard_normal((20, 2, 8))
    h, _, cache = lstm_forward(params, x)
    _, dh = mse_loss(h, y)
    full, one_step = dict(lstm_backward(dh, cache)[0]), dict(lstm_backward(dh, cache, truncate=1)[0])
    ks = np.arange(1, 21)
    curves = (np.linspace(0.6, 0.0, 20), np.linspace(0.8, 1.0, 20))
    # lesson 10: per-tensor scatter, D = 4, H = 6, B = 3, T = 10
    p10 = LSTMParams.init(4, 6, rng)
    x10 = rng.standard_normal((10, 3, 4))
    h10, _, cache10 = lstm_forward(p10, x10)
    dh10 = rng.standard_normal(h10.shape)
    hand = hand_gradients(*lstm_backward(dh10, cache10))
    auto = autograd_gradients(p10, x10, np.zeros((3, 6)), np.zeros((3, 6)), dh10)

    return [
        ("05 unrolled graph (T=6, gradients)", lambda: _render(lambda ax: plot_unrolled_graph(6, True, ax=ax))),
        ("05 |dL/dc_t| heatmap (T=80, b_f=3)",
         lambda: _render(lambda ax: plot_gradient_heatmap(dc_maps[80, 3], vmin=1e-10, vmax=10.0, ax=ax))),
        ("05 ||dL/dc_t|| norms (T=80)",
         lambda: _render(lambda ax: plot_gradient_norms(
             {f"b_f = {b}": np.linalg.norm(dc_maps[80, b], axis=1) for b in (1, 3)}, ax=ax))),
        ("05 one-step vs BPTT scatter", lambda: _render(lambda ax: plot_gradient_agreement(full, one_step, ax=ax))),
        ("05 truncation error vs k", lambda: _render(lambda ax: plot_truncation_error(ks, *curves, ax=ax))),
        ("10 hand vs autograd, one tensor",
         lambda: _render(lambda ax: plot_gradient_agreement({"w_hf": hand["w_hf"]}, {"w_hf": auto["w_hf"]},
                                                            ax=ax))),
    ]
