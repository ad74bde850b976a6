"""Figures for lessons 03-04: the gradients of one LSTM step, gate by gate, then weight by weight.

Every function takes ``ax=None`` (a new figure when None), draws, labels its axes and returns
the ``Axes``. They only read their arguments: the lessons compute the gradients, these draw them.

Dimensions: N grid points, B batch, H hidden size, D input (or hidden) size of a weight's columns.
"""

import numpy as np

from lstm_core.plots.style import (
    DIVERGING_CMAP,
    FONT_SIZE,
    GATE_COLOURS,
    PALETTE,
    checked_values,
    get_ax,
    plain_log_axis,
    style_ax,
)

GRADIENT_NAMES = ("do", "dc", "di", "dg", "df", "dc_prev")
"""The six one-step gradients of ``plot_gate_gradients``, in the order they are derived."""

GRADIENT_LABELS = {  # plain Unicode, not mathtext: a widget redraws faster
    "do": "∂L/∂o", "dc": "∂L/∂cₜ", "di": "∂L/∂i", "dg": "∂L/∂g", "df": "∂L/∂f", "dc_prev": "∂L/∂cₜ₋₁",
}
GRADIENT_COLOURS = {
    "do": GATE_COLOURS["o"], "dc": GATE_COLOURS["c"], "di": GATE_COLOURS["i"],
    "dg": GATE_COLOURS["g"], "df": GATE_COLOURS["f"], "dc_prev": PALETTE["sky"],
}
GRADIENT_LINESTYLES = {  # o (vermillion) and f (orange) are close hues: dashes tell them apart
    "do": "--", "dc": "-", "di": "-", "dg": "-.", "df": "-", "dc_prev": "-",
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
    """Bar chart of the six one-step gradients of one unit: dL/do, dL/dc_t, dL/di, dL/dg, dL/df, dL/dc_{t-1}.

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
    curves : mapping name -> ndarray of shape (N,); names of ``GRADIENT_NAMES`` get their colour,
        line style and label; any other name is drawn dotted in black with the name as its label.
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
                ls=GRADIENT_LINESTYLES.get(name, ":"), label=GRADIENT_LABELS.get(name, name))
    ax.axhline(0, color="0.6", lw=0.8)
    if marker is not None:
        ax.axvline(float(marker), color="0.3", lw=1, ls=":")
    style_ax(ax, title=title, xlabel=xlabel, ylabel="gradient")
    # below the axes, so that it never covers a curve
    ax.legend(fontsize=FONT_SIZE - 3, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.2),
              ncol=min(len(curves), 4))
    return ax


def plot_weight_gradient(dw, row_values, col_values, ax=None, row_label="dz", col_label="x",
                         limit=None, title=None):
    """Heatmap of a weight gradient dW = dz v^T, with the two vectors that make it on the tick labels.

    Each cell is annotated with its value, so the reader can see that row j is dz[j] times
    the column vector and column n is v[n] times dz.

    Parameters
    ----------
    dw : ndarray, shape (H, D), the weight gradient (e.g. dL/dw_xo).
    row_values : ndarray, shape (H,), the row factor (e.g. dz_o).
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
    return style_ax(ax, title=title, xlabel=f"column n: {col_label}[n]", ylabel=f"row j: {row_label}[j]")


def plot_batch_contributions(contributions, ax=None, limit=None, max_batch=None, expected=None, sum_limit=None,
                             title="One weight gradient entry summed over the batch"):
    """Per-sample terms of one weight-gradient entry, their running mean, and their running sum.

    For dL/dw[j, n] = sum_b dz[b, j] x[b, n], bar b is the term of sample b. The running mean
    (sum of the first b terms over b) shares the left axis with the bars; the running sum has its
    own axis on the right, because it grows with b.

    Parameters
    ----------
    contributions : ndarray, shape (B,), the per-sample terms.
    ax : matplotlib Axes or None.
    limit : float or None, the left y axis spans [-limit, limit]; None fits the data.
    max_batch : int or None, the x axis spans 1..max_batch (fix it in a widget); None uses B.
    expected : float or None, the expected value of one term (drawn as a dotted line).
    sum_limit : float or None, the right axis spans [-sum_limit, sum_limit]; None fits the data.
    title : str or None.

    Returns
    -------
    ax : the Axes of the bars and the running mean (the running sum is on ``ax.right_ax``).
    """
    contributions = checked_values("contributions", contributions, 1)
    batch_size = contributions.size
    max_batch = batch_size if max_batch is None else int(max_batch)
    if max_batch < batch_size:
        raise ValueError(f"max_batch={max_batch} is smaller than the {batch_size} contributions")
    if expected is not None and not np.isfinite(expected):
        raise ValueError(f"expected must be a finite number or None, got {expected!r}")
    samples = np.arange(1, batch_size + 1)
    running = np.cumsum(contributions)
    running_mean = running / samples
    limit = _limit("limit", limit, contributions)
    ax = get_ax(ax, figsize=(6.5, 3.6))
    ax.bar(samples, contributions, color=PALETTE["sky"], width=0.7, label="term of sample b")
    ax.plot(samples, running_mean, color=PALETTE["green"], lw=2.2, label=f"running mean ({running_mean[-1]:+.3f})")
    if expected is not None:
        ax.axhline(float(expected), color=PALETTE["green"], lw=1.5, ls=":", label=f"expected term ({expected:+.3f})")
    ax.axhline(0, color="0.4", lw=0.8)
    ax.set_xlim(0.3, max_batch + 0.7)
    ax.set_ylim(-limit, limit)
    right = ax.twinx()
    right.plot(samples, running, color=PALETTE["blue"], lw=1.8, marker="o", markersize=3,
               label=f"running sum ({running[-1]:+.2f}, right axis)")
    right.set_ylabel("running sum", fontsize=FONT_SIZE - 1, color=PALETTE["blue"])
    right.tick_params(labelsize=FONT_SIZE - 3, colors=PALETTE["blue"])
    sum_limit = _limit("sum_limit", sum_limit, running)
    right.set_ylim(-sum_limit, sum_limit)
    ax.right_ax = right
    style_ax(ax, title=title, xlabel="sample b of the batch", ylabel="term, running mean")
    handles = ax.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    ax.legend(handles=handles, fontsize=FONT_SIZE - 3, frameon=False, loc="upper center",
              bbox_to_anchor=(0.5, -0.2), ncol=2)
    return ax


def plot_batch_scaling(batch_sizes, sum_rms, sum_std, mean_std, term_mean, term_std, ax=None,
                       title="A summed gradient grows with B, a mean one settles"):
    """How the sum and the mean of B per-sample gradient terms behave as B grows, measured over many draws.

    Log-log axes. Measured: the RMS of the sum, the spread (standard deviation) of the sum and
    the spread of the mean. References: sigma sqrt(B) and sigma / sqrt(B), |mu| B, and |mu|,
    where mu and sigma are the mean and standard deviation of one term.

    Parameters
    ----------
    batch_sizes : ndarray of int, shape (n,), increasing, >= 1.
    sum_rms, sum_std, mean_std : ndarray, shape (n,), positive, measured over the draws.
    term_mean, term_std : float, mu and sigma of one term (sigma > 0, mu != 0).
    ax : matplotlib Axes or None.
    title : str or None.

    Returns
    -------
    ax : the Axes drawn on.
    """
    batch_sizes = checked_values("batch_sizes", batch_sizes, 1, min_size=2, positive=True)
    if np.any(np.diff(batch_sizes) <= 0):
        raise ValueError("batch_sizes must be strictly increasing")
    n = batch_sizes.size
    sum_rms = checked_values("sum_rms", sum_rms, 1, length=n, positive=True)
    sum_std = checked_values("sum_std", sum_std, 1, length=n, positive=True)
    mean_std = checked_values("mean_std", mean_std, 1, length=n, positive=True)
    if not (np.isfinite(term_std) and term_std > 0):
        raise ValueError(f"term_std must be a positive number, got {term_std!r}")
    if not (np.isfinite(term_mean) and term_mean != 0):
        raise ValueError(f"term_mean must be a non-zero number, got {term_mean!r}")
    ax = get_ax(ax, figsize=(6, 3.8))
    mu, sigma = abs(float(term_mean)), float(term_std)
    ax.plot(batch_sizes, sum_rms, color=PALETTE["blue"], marker="o", lw=2, label="RMS of the sum")
    ax.plot(batch_sizes, mu * batch_sizes, color=PALETTE["blue"], ls=":", lw=1.5, label="|μ| B")
    ax.plot(batch_sizes, sum_std, color=PALETTE["vermillion"], marker="s", lw=2, label="spread of the sum")
    ax.plot(batch_sizes, sigma * np.sqrt(batch_sizes), color=PALETTE["vermillion"], ls="--", lw=1.5, label="σ √B")
    ax.plot(batch_sizes, mean_std, color=PALETTE["green"], marker="^", lw=2, label="spread of the mean")
    ax.plot(batch_sizes, sigma / np.sqrt(batch_sizes), color=PALETTE["green"], ls="--", lw=1.5, label="σ / √B")
    ax.axhline(mu, color="0.4", ls=":", lw=1.2, label="|μ|, what the mean estimates")
    plain_log_axis(ax, which="both")
    style_ax(ax, title=title, xlabel="batch size B", ylabel="size of the gradient entry")
    ax.legend(fontsize=FONT_SIZE - 3, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax
