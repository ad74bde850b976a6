"""Shared plotting conventions: a colour-blind-safe palette, one colour per gate, lecture-size text.

Every plotting function in lstm_core takes ``ax=None`` (a new figure is made when it is None),
draws, labels its axes, and returns the ``Axes``. They are pure: they read their arguments and
draw, nothing else.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import ticker

# Okabe and Ito's colour-blind-safe palette
PALETTE = {
    "blue": "#0072B2", "orange": "#E69F00", "green": "#009E73", "vermillion": "#D55E00",
    "purple": "#CC79A7", "sky": "#56B4E9", "yellow": "#F0E442", "black": "#000000",
}
GATE_COLOURS = {"i": PALETTE["blue"], "f": PALETTE["orange"], "g": PALETTE["green"],
                "o": PALETTE["vermillion"], "c": PALETTE["purple"], "h": PALETTE["black"]}
GATE_LABELS = {"i": "input gate i", "f": "forget gate f", "g": "candidate g", "o": "output gate o",
               "c": "cell state c", "h": "hidden state h"}
SEQUENTIAL_CMAP = "viridis"
DIVERGING_CMAP = "RdBu_r"
FONT_SIZE = 13


def get_ax(ax=None, figsize=(7, 4)):
    """Return ``ax``, or the axes of a new figure of ``figsize`` when ``ax`` is None."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def style_ax(ax, title=None, xlabel=None, ylabel=None, legend=False):
    """Label an Axes at lecture-hall size; add a legend if asked."""
    if title:
        ax.set_title(title, fontsize=FONT_SIZE + 1)
    if xlabel:
        ax.set_xlabel(xlabel, fontsize=FONT_SIZE)
    if ylabel:
        ax.set_ylabel(ylabel, fontsize=FONT_SIZE)
    ax.tick_params(labelsize=FONT_SIZE - 2)
    if legend:
        ax.legend(fontsize=FONT_SIZE - 2, frameon=False)
    return ax


def checked_values(name, values, ndim=1, length=None, min_size=1, positive=False):
    """``values`` as a finite float array to plot, or a ValueError naming it and its shape.

    Parameters
    ----------
    name : str, the argument's name, used in the message.
    values : array-like with ``ndim`` axes, at least ``min_size`` values along each.
    length : int or None, the required size of axis 0 (one value per point of the x axis).
    positive : bool, require values > 0 (for a log axis).
    """
    array = np.asarray(values, dtype=float)
    if array.ndim != ndim or array.size == 0 or min(array.shape, default=1) < min_size:
        at_least = f" with at least {min_size} values per axis" if min_size > 1 else ""
        raise ValueError(f"{name} must be a non-empty {ndim}-D array{at_least}, got shape {array.shape}")
    if length is not None and array.shape[0] != length:
        raise ValueError(f"{name} has {array.shape[0]} values but expected {length} (one per point of the x axis)")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must hold finite numbers but contains NaN or inf")
    if positive and np.any(array <= 0):
        raise ValueError(f"{name} must hold positive numbers (they are drawn on a log axis)")
    return array


def checked_curves(name, curves, what, positive=False):
    """The ``(label, values)`` pairs of a non-empty dict label -> 1-D array, each checked by ``checked_values``.

    ``what`` names one entry in the message for an empty dict, e.g. "array of shape (T,)".
    """
    if not curves:
        raise ValueError(f"{name} is empty: pass at least one label -> {what}")
    return [(label, checked_values(f"{name}[{label!r}]", values, positive=positive))
            for label, values in curves.items()]


def plain_log_axis(ax, which="y", numticks=8):
    """Make an axis logarithmic with plain-text labels (1e-8, 1e-4, ...) and no minor ticks.

    Matplotlib's default log labels are typeset as TeX (10^-8) and cost most of a redraw; plain
    labels keep a slider callback under 100 ms. ``which`` is "x", "y" or "both".
    """
    for axis_name in ("x", "y") if which == "both" else (which,):
        axis = ax.xaxis if axis_name == "x" else ax.yaxis
        (ax.set_xscale if axis_name == "x" else ax.set_yscale)("log")
        axis.set_major_locator(ticker.LogLocator(base=10, numticks=numticks))
        axis.set_minor_locator(ticker.NullLocator())
        axis.set_major_formatter(ticker.FuncFormatter(lambda value, _: f"1e{round(np.log10(value)):d}"))
    ax.grid(True, which="major", alpha=0.3)
    return ax
