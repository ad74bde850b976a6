"""Figures for lesson 08 (training on real tasks).

Pure functions: each reads its arguments, draws into ``ax`` (a new figure when None) and
returns the Axes.
"""

import numpy as np

from lstm_core.plots.style import FONT_SIZE, PALETTE, checked_curves, checked_values, get_ax, plain_log_axis, style_ax

CURVE_COLOURS = (PALETTE["blue"], PALETTE["vermillion"], PALETTE["green"], PALETTE["orange"],
                 PALETTE["purple"], PALETTE["sky"])


def moving_average(values, window):
    """The mean of each run of ``window`` consecutive values: shape (N - window + 1,)."""
    values = checked_values("values", values)
    if int(window) != window or window < 1:
        raise ValueError(f"window must be a positive integer, got {window!r}")
    window = min(int(window), values.size)
    sums = np.cumsum(np.concatenate([[0.0], values]))
    return (sums[window:] - sums[:-window]) / window


def plot_training_curves(curves, ax=None, window=1, baseline=None, baseline_label="baseline",
                         title="Training loss", ylabel="loss", log=False, legend_loc="upper right"):
    """Loss against training step for one or more runs, smoothed by a moving average.

    Parameters
    ----------
    curves : dict label -> sequence of shape (N,), one loss per step.
    ax : matplotlib Axes or None.
    window : int >= 1, the moving-average width (1 draws the raw curve). The smoothed value of
        steps s-window+1 .. s is drawn at step s.
    baseline : float or None, a reference level drawn as a dashed line (e.g. always predicting 1).
    baseline_label : str, its legend entry.
    title, ylabel : str.
    log : bool, logarithmic y axis.
    legend_loc : str, where the legend goes (a matplotlib ``loc``).

    Returns
    -------
    ax : the Axes drawn on.
    """
    curves = checked_curves("curves", curves, "losses entry")
    ax = get_ax(ax)
    for n, (label, values) in enumerate(curves):
        smooth = moving_average(values, window)
        steps = np.arange(len(smooth)) + min(int(window), len(values))
        ax.plot(steps, smooth, color=CURVE_COLOURS[n % len(CURVE_COLOURS)], linewidth=2, label=label)
    if baseline is not None:
        ax.axhline(baseline, color=PALETTE["black"], linestyle="--", linewidth=1.5, label=baseline_label)
    return _finish_training_axes(ax, title, ylabel, log, legend_loc, FONT_SIZE - 2)


BASELINE_STYLES = ("--", ":", "-.")


def plot_eval_curves(steps, curves, ax=None, baselines=None, title="Held-out loss", ylabel="loss", log=False,
                     mark_step=None, mark_label="best", legend_loc="upper right"):
    """Losses measured every few training steps (e.g. on held-out data), one colour per run.

    A curve may hold several seeds: its rows are drawn thin and their median thick, so the
    spread between seeds stays visible.

    Parameters
    ----------
    steps : sequence of shape (N,), the training steps at which the losses were measured.
    curves : dict label -> array of shape (N,) or (S, N) (S seeds).
    ax : matplotlib Axes or None.
    baselines : dict label -> float or None; each a horizontal reference line, in its own dash style.
    title, ylabel : str.
    log : bool, logarithmic y axis (every value must then be positive).
    mark_step : number or None, a step to mark with a vertical line (e.g. early stopping's choice).
    mark_label : str, its legend entry.
    legend_loc : str or (x, y), where the legend goes (a matplotlib ``loc``; (x, y) in axes fractions).

    Returns
    -------
    ax : the Axes drawn on.
    """
    steps = checked_values("steps", steps)
    if not curves:
        raise ValueError("curves is empty: pass at least one label -> losses entry")
    ax = get_ax(ax)
    for n, (label, values) in enumerate(curves.items()):
        values = np.asarray(values, dtype=float)
        rows = checked_values(f"curves[{label!r}]", values[None] if values.ndim == 1 else values, ndim=2,
                              positive=log)  # (S, N): one row per seed
        if rows.shape[1] != steps.size:
            raise ValueError(f"curves[{label!r}] has {rows.shape[1]} values per run but steps has {steps.size}")
        colour = CURVE_COLOURS[n % len(CURVE_COLOURS)]
        if rows.shape[0] > 1:
            for row in rows:
                ax.plot(steps, row, color=colour, linewidth=0.8, alpha=0.45)
        ax.plot(steps, np.median(rows, axis=0), color=colour, linewidth=2.2, label=label)
    for n, (label, value) in enumerate((baselines or {}).items()):
        ax.axhline(value, color=PALETTE["black"], linestyle=BASELINE_STYLES[n % len(BASELINE_STYLES)],
                   linewidth=1.3, label=label)
    if mark_step is not None:
        ax.axvline(mark_step, color=PALETTE["green"], linestyle=":", linewidth=2, label=mark_label)
    return _finish_training_axes(ax, title, ylabel, log, legend_loc, FONT_SIZE - 3)


def plot_adding_predictions(y_true, y_pred, ax=None, title="Predictions on the adding problem"):
    """Predicted against true sums: a perfect model puts every point on the diagonal.

    Parameters
    ----------
    y_true : ndarray, shape (B,) or (B, 1), the true sums (in [0, 2)).
    y_pred : ndarray, same shape, the model's predictions.
    ax : matplotlib Axes or None.

    Returns
    -------
    ax : the Axes drawn on.
    """
    y_true = np.asarray(y_true, dtype=float)
    y_pred = np.asarray(y_pred, dtype=float)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has shape {y_true.shape} but y_pred has shape {y_pred.shape}")
    y_true = checked_values("y_true", y_true.reshape(-1))
    y_pred = checked_values("y_pred", y_pred.reshape(-1))
    ax = get_ax(ax, figsize=(5, 4.5))
    ax.plot([0, 2], [0, 2], color=PALETTE["black"], linestyle="--", linewidth=1, label="perfect")
    ax.axhline(1.0, color=PALETTE["orange"], linestyle=":", linewidth=1.5, label="always 1")
    ax.scatter(y_true, y_pred, s=12, alpha=0.6, color=PALETTE["blue"], label="test sequences")
    ax.set_xlim(0, 2)
    ax.set_ylim(-0.2, 2.2)
    ax.grid(True, alpha=0.3)
    style_ax(ax, title=title, xlabel="true sum", ylabel="predicted sum")
    ax.legend(fontsize=FONT_SIZE - 2, frameon=False, loc="upper left")  # a fixed place: "best" is slow
    return ax


def plot_next_char_probs(probs, chars, ax=None, top=12, title="Next-character distribution"):
    """Bar chart of the ``top`` most likely next characters.

    Parameters
    ----------
    probs : ndarray, shape (V,), a probability distribution (non-negative, sums to 1).
    chars : sequence of V characters, index -> character.
    ax : matplotlib Axes or None.
    top : int >= 1, how many bars.

    Returns
    -------
    ax : the Axes drawn on.
    """
    probs = checked_values("probs", probs)
    if len(chars) != probs.size:
        raise ValueError(f"chars has {len(chars)} entries but probs has {probs.size}")
    if np.any(probs < 0) or not np.isclose(probs.sum(), 1.0, atol=1e-6):
        raise ValueError("probs must be non-negative and sum to 1")
    if int(top) != top or top < 1:
        raise ValueError(f"top must be a positive integer, got {top!r}")
    order = np.argsort(-probs, kind="stable")[: int(top)]
    names = [repr(chars[k])[1:-1] if chars[k].strip() else repr(chars[k]) for k in order]
    ax = get_ax(ax)
    ax.bar(range(len(order)), probs[order], color=PALETTE["blue"])
    ax.set_xticks(range(len(order)), names, fontsize=12)
    ax.set_ylim(0, 1)
    ax.grid(True, axis="y", alpha=0.3)
    return style_ax(ax, title=title, xlabel="next character", ylabel="probability")


def _finish_training_axes(ax, title, ylabel, log, legend_loc, legend_size):
    """Log scale if asked, grid, labels and a legend in a fixed place ("best" is slow to compute)."""
    if log:
        plain_log_axis(ax)
    ax.grid(True, alpha=0.3)
    style_ax(ax, title=title, xlabel="training step", ylabel=ylabel)
    ax.legend(fontsize=legend_size, frameon=False, loc=legend_loc)
    return ax
