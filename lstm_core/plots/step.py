"""Figures for lessons 03-04: the gradients of one LSTM step, gate by gate, then weight by weight.

Every function takes ``ax=None`` (a new figure when None), draws, labels its axes and returns
the ``Axes``. They only read their arguments: the lessons compute the gradients, these draw them.

Dimensions: N grid points, B batch, H hidden size, D input (or hidden) size of a weight's columns.
"""

import numpy as np

from lstm_core.plots.style import DIVERGING_CMAP, FONT_SIZE, GATE_COLOURS, PALETTE, checked_values, get_ax, style_ax

GRADIENT_NAMES = ("do", "dc", "di", "dg", "df", "dc_prev")
"""The six one-step gradients of ``plot_gate_gradients``, in the order they are derived."""

GRADIENT_LABELS = {  # plain Unicode, not mathtext: a widget redraws faster
    "do": "∂E/∂o", "dc": "∂E/∂cₜ", "di": "∂E/∂i", "dg": "∂E/∂g", "df": "∂E/∂f", "dc_prev": "∂E/∂cₜ₋₁",
}
GRADIENT_COLOURS = {
    "do": GATE_COLOURS["o"], "dc": GATE_COLOURS["c"], "di": GATE_COLOURS["i"],
    "dg": GATE_COLOURS["g"], "df": GATE_COLOURS["f"], "dc_prev": PALETTE["sky"],
}


def _limit(name, limit, data):
    """A positive symmetric axis limit: ``limit`` if given, else the data's largest magnitude."""
    if limit is None:
        return max(float(np.max(np.abs(data))), 1e-12) * 1.15
    limit = float(limit)
    if not (np.isfinite(limit) and limit > 0):
        raise ValueError(f"{name} must be a positive number, got {limit!r}")
    return limit


def plot_gate_gradients(gradients, ax=None, limit=None, title="Gradients of one LSTM step (one unit)"):
    """Bar chart of the six one-step gradients of one unit: dE/do, dE/dc_t, dE/di, dE/dg, dE/df, dE/dc_{t-1}.

    Parameters
    ----------
    gradients : mapping name -> float with exactly the names of ``GRADIENT_NAMES``.
    ax : matplotlib Axes or None.
    limit : float or None, the y axis spans [-limit, limit]; fix it so that a widget's bars
        move against a fixed scale. None fits the data.
    title : str or None.

    Returns
    -------
    ax : the Axes drawn on.
    """
    if set(gradients) != set(GRADIENT_NAMES):
        raise ValueError(f"gradients must have exactly the names {GRADIENT_NAMES}, got {sorted(gradients)}")
    sizes = {n: np.size(gradients[n]) for n in GRADIENT_NAMES}
    values = np.array([np.asarray(gradients[n], dtype=float).reshape(-1)[0] if sizes[n] == 1 else np.nan
                       for n in GRADIENT_NAMES])
    if not np.all(np.isfinite(values)):
        bad = [n for n, v in zip(GRADIENT_NAMES, values, strict=True) if not np.isfinite(v)]
        raise ValueError(f"each gradient must be one finite number; check {bad}")
    limit = _limit("limit", limit, values)
    ax = get_ax(ax)
    positions = np.arange(len(GRADIENT_NAMES))
    ax.bar(positions, values, color=[GRADIENT_COLOURS[n] for n in GRADIENT_NAMES], width=0.65)
    for x, v in zip(positions, values, strict=True):
        ax.annotate(f"{v:+.3f}", (x, v), xytext=(0, 4 if v >= 0 else -4), textcoords="offset points",
                    ha="center", va="bottom" if v >= 0 else "top", fontsize=FONT_SIZE - 3)
    ax.axhline(0, color="0.4", lw=0.8)
    ax.set_xticks(positions, [GRADIENT_LABELS[n] for n in GRADIENT_NAMES])
    ax.set_ylim(-limit, limit)
    return style_ax(ax, title=title, xlabel="gradient", ylabel="value")


def plot_gradient_sweep(values, curves, ax=None, xlabel="swept value", marker=None,
                        title="Gradients as one value of the step sweeps"):
    """Several gradients of one unit as one input of the step (a gate, or c_{t-1}) sweeps a range.

    Parameters
    ----------
    values : ndarray, shape (N,), strictly increasing, the swept input.
    curves : mapping name -> ndarray of shape (N,); names of ``GRADIENT_NAMES`` get their colour
        and label, other names are drawn in black with the name as label.
    ax : matplotlib Axes or None.
    xlabel : str, what was swept.
    marker : float or None, draw a dotted vertical line there (e.g. the current value).
    title : str or None.

    Returns
    -------
    ax : the Axes drawn on.
    """
    values = checked_values("values", values, 1, min_size=2)
    if np.any(np.diff(values) <= 0):
        raise ValueError("values must be strictly increasing")
    if not curves:
        raise ValueError("curves is empty: pass at least one name -> array")
    ax = get_ax(ax)
    for name, curve in curves.items():
        curve = checked_values(name, curve, 1)
        if curve.shape != values.shape:
            raise ValueError(f"{name} has shape {curve.shape} but values has {values.shape}")
        ax.plot(values, curve, lw=2.2, color=GRADIENT_COLOURS.get(name, PALETTE["black"]),
                label=GRADIENT_LABELS.get(name, name))
    ax.axhline(0, color="0.6", lw=0.8)
    if marker is not None:
        ax.axvline(float(marker), color="0.3", lw=1, ls=":")
    return style_ax(ax, title=title, xlabel=xlabel, ylabel="gradient", legend=True)


def plot_weight_gradient(dw, row_values, col_values, ax=None, row_label="dZ", col_label="x",
                         limit=None, title=None):
    """Heatmap of a weight gradient dW = dZ v^T, with the two vectors that make it on the tick labels.

    Each cell is annotated with its value, so the reader can see that row a is dZ[a] times
    the column vector and column j is v[j] times dZ.

    Parameters
    ----------
    dw : ndarray, shape (H, D), the weight gradient (e.g. dE/dw_xo).
    row_values : ndarray, shape (H,), the row factor (e.g. dZ_o).
    col_values : ndarray, shape (D,), the column factor (e.g. x_t or h_{t-1}).
    ax : matplotlib Axes or None.
    row_label, col_label : str, names of the two vectors (plain text or mathtext).
    limit : float or None, the colour scale spans [-limit, limit]; None fits the data.
    title : str or None.

    Returns
    -------
    ax : the Axes drawn on.
    """
    dw = checked_values("dw", dw, 2)
    row_values = checked_values("row_values", row_values, 1)
    col_values = checked_values("col_values", col_values, 1)
    if dw.shape != (row_values.size, col_values.size):
        raise ValueError(f"dw has shape {dw.shape} but row_values and col_values give "
                         f"({row_values.size}, {col_values.size})")
    limit = _limit("limit", limit, dw)
    ax = get_ax(ax, figsize=(1.5 + 1.3 * dw.shape[1], 1.2 + 0.75 * dw.shape[0]))
    ax.imshow(dw, cmap=DIVERGING_CMAP, vmin=-limit, vmax=limit, aspect="auto")
    for (a, j), v in np.ndenumerate(dw):
        ax.text(j, a, f"{v:+.3f}", ha="center", va="center", fontsize=FONT_SIZE - 3,
                color="white" if abs(v) > 0.6 * limit else "black")
    ax.set_xticks(range(dw.shape[1]), [f"{v:+.2f}" for v in col_values])
    ax.set_yticks(range(dw.shape[0]), [f"{v:+.3f}" for v in row_values])
    return style_ax(ax, title=title, xlabel=f"column j: {col_label}[j]", ylabel=f"row a: {row_label}[a]")


def plot_batch_contributions(contributions, ax=None, limit=None, max_batch=None,
                             title="One weight gradient entry summed over the batch"):
    """Per-sample terms of one weight-gradient entry, their running sum, and the sum and the mean.

    For dE/dw[a, j] = sum_b dZ[b, a] x[b, j], bar b is the term of sample b.

    Parameters
    ----------
    contributions : ndarray, shape (B,), the per-sample terms.
    ax : matplotlib Axes or None.
    limit : float or None, the y axis spans [-limit, limit]; None fits the data.
    max_batch : int or None, the x axis spans 1..max_batch (fix it in a widget); None uses B.
    title : str or None.

    Returns
    -------
    ax : the Axes drawn on.
    """
    contributions = checked_values("contributions", contributions, 1)
    batch_size = contributions.size
    max_batch = batch_size if max_batch is None else int(max_batch)
    if max_batch < batch_size:
        raise ValueError(f"max_batch={max_batch} is smaller than the {batch_size} contributions")
    running = np.cumsum(contributions)
    limit = _limit("limit", limit, np.concatenate([contributions, running]))
    ax = get_ax(ax)
    samples = np.arange(1, batch_size + 1)
    ax.bar(samples, contributions, color=PALETTE["sky"], width=0.7, label="term of sample b")
    ax.plot(samples, running, color=PALETTE["blue"], marker="o", lw=2, label="running sum")
    ax.axhline(running[-1], color=PALETTE["vermillion"], lw=2, ls="--", label=f"sum = {running[-1]:+.3f}")
    ax.axhline(running[-1] / batch_size, color=PALETTE["orange"], lw=2, ls=":",
               label=f"mean = {running[-1] / batch_size:+.3f}")
    ax.axhline(0, color="0.4", lw=0.8)
    ax.set_xlim(0.3, max_batch + 0.7)
    ax.set_ylim(-limit, limit)
    return style_ax(ax, title=title, xlabel="sample b of the batch", ylabel="gradient term", legend=True)
