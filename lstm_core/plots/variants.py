"""Figures for lesson 11 (LSTM variants: the peephole LSTM and the GRU).

Pure functions: each reads its arguments, draws into ``ax`` (a new figure when None), labels its
axes and returns the Axes. The lesson computes everything beforehand.

Dimensions: T time steps, K the largest number of steps back.
"""

import numpy as np
from matplotlib import ticker

from lstm_core.plots.style import FONT_SIZE, PALETTE, checked_values, get_ax, plain_log_axis, style_ax

MODEL_STYLES = {
    "LSTM": dict(color=PALETTE["blue"], linestyle="-", linewidth=3.0),
    "peephole LSTM": dict(color=PALETTE["orange"], linestyle="--", linewidth=1.5, marker="o", markevery=5,
                          markersize=5, fillstyle="none"),
    "GRU": dict(color=PALETTE["green"], linestyle="-.", linewidth=2.0),
}
"""Fixed colours, line styles and markers of the three models, so every figure of the lesson agrees.
The LSTM is a thick solid line and the peephole LSTM a thin dashed one with open markers drawn on
top of it, so the two stay distinguishable where their curves coincide."""
_OTHER_COLOURS = (PALETTE["vermillion"], PALETTE["purple"], PALETTE["sky"], PALETTE["black"], PALETTE["blue"])


def _positive_curves(curves):
    """Validate dict label -> 1-D finite positive values; return label -> float array."""
    if not isinstance(curves, dict) or not curves:
        raise ValueError("curves must be a non-empty dict label -> 1-D array of positive numbers")
    arrays = {}
    for label, values in curves.items():
        array = checked_values(f"curves[{label!r}]", values, positive=True)
        arrays[label] = array
    return arrays


def _log_y(ax, ylim):
    """Log y axis with plain labels (1e-8, ...): TeX-style labels cost most of a redraw."""
    if ylim is not None:
        low, high = ylim
        if not 0 < low < high:
            raise ValueError(f"ylim must be (low, high) with 0 < low < high, got {ylim!r}")
        ax.set_ylim(low, high)
    plain_log_axis(ax, numticks=7)


def _style(label, index):
    return MODEL_STYLES.get(label, dict(color=_OTHER_COLOURS[index % len(_OTHER_COLOURS)], linestyle="-",
                                        linewidth=2.0))


def plot_gradient_reach(curves, ax=None, ylim=None, title="How far back the gradient reaches",
                        ylabel="||dL/dx_(T-k)|| (log scale)"):
    """Gradient norm against the number of steps back k, one curve per model, log y axis.

    Parameters
    ----------
    curves : dict label -> array of shape (K + 1,), entry k the norm k steps before the loss
        (entry 0 at the loss's own step). Finite, positive. The labels "LSTM", "peephole LSTM"
        and "GRU" get the lesson's fixed styles (``MODEL_STYLES``).
    ax : matplotlib Axes or None.
    ylim : (low, high) or None. None (the default) fits the axis to the curves drawn.
    title, ylabel : str.

    Returns
    -------
    ax : the Axes drawn on.
    """
    arrays = _positive_curves(curves)
    ax = get_ax(ax)
    for index, (label, values) in enumerate(arrays.items()):
        ax.plot(np.arange(values.size), values, label=label, **_style(label, index))
    _log_y(ax, ylim)
    style_ax(ax, title=title, xlabel="steps back k", ylabel=ylabel)
    ax.legend(fontsize=FONT_SIZE - 2, frameon=False, loc="lower left")  # a fixed place: "best" is slow
    return ax


def plot_backward_paths(paths, ax=None, ylim=None, title="Paths of the gradient into the previous state",
                        ylabel="norm (log scale)"):
    """Per-step norms of the terms that make up one backward quantity (e.g. dL/dh_{t-1}), log y axis.

    Parameters
    ----------
    paths : dict label -> array of shape (T,), the norm of one term at each step t = 1..T.
        Finite, positive.
    ax : matplotlib Axes or None.
    ylim : (low, high) or None.
    title, ylabel : str.

    Returns
    -------
    ax : the Axes drawn on.
    """
    arrays = _positive_curves(paths)
    lengths = {values.size for values in arrays.values()}
    if len(lengths) != 1:
        raise ValueError(f"every path needs one value per step, got lengths {sorted(lengths)}")
    ax = get_ax(ax)
    for index, (label, values) in enumerate(arrays.items()):
        ax.plot(np.arange(1, values.size + 1), values, marker="o", markersize=3, linewidth=1.8, label=label,
                color=_OTHER_COLOURS[index % len(_OTHER_COLOURS)])
    _log_y(ax, ylim)
    ax.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    style_ax(ax, title=title, xlabel="time step t", ylabel=ylabel)
    ax.legend(fontsize=FONT_SIZE - 2, frameon=False, loc="lower right")
    return ax
