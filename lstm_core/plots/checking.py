"""Figures for gradient checking (lesson 06) and for auditing the source article (lesson 09).

Every function is pure: it reads its arguments, draws on ``ax`` (a new figure when None)
and returns the Axes.
"""

import numpy as np

from lstm_core.plots.style import FONT_SIZE, PALETTE, checked_values, get_ax, plain_log_axis, style_ax

_SERIES_COLOURS = [PALETTE[k] for k in ("blue", "vermillion", "green", "orange", "purple", "sky")]


def plot_step_size_sweep(eps, errors, ax=None, title="Finite-difference error against step size"):
    """Log-log plot of the error of difference quotients against the step eps (the 'V' curve).

    Parameters
    ----------
    eps : array of positive floats, shape (S,), the steps tried.
    errors : dict label -> array of shape (S,), the error |numeric - analytic| / |analytic| per step.
        Zeros (an exactly right quotient, or no change at all) are drawn at 1e-18.
    ax : matplotlib Axes or None.

    Returns
    -------
    ax : the Axes drawn on. Each curve's minimum is marked with a dot.
    """
    eps = checked_values("eps", eps)
    if eps.size == 0 or np.any(eps <= 0):
        raise ValueError("eps must hold at least one step, all positive")
    if not errors:
        raise ValueError("errors must hold at least one curve")
    ax = get_ax(ax)
    for k, (label, values) in enumerate(errors.items()):
        values = np.maximum(np.abs(checked_values(f"errors[{label!r}]", values, length=eps.size)), 1e-18)
        colour = _SERIES_COLOURS[k % len(_SERIES_COLOURS)]
        ax.plot(eps, values, marker="o", markersize=3, color=colour, label=label)
        best = int(np.argmin(values))
        ax.plot(eps[best], values[best], "o", markersize=9, color=colour, alpha=0.5)
    plain_log_axis(ax, which="both")
    return style_ax(ax, title=title, xlabel="step size eps", ylabel="relative error", legend=True)


def plot_report_bars(errors, tol=1e-6, ax=None, title="Gradient check, tensor by tensor"):
    """Bar chart of log10(relative error) per tensor, one group of bars per tensor.

    Parameters
    ----------
    errors : dict label -> dict tensor name -> relative error; every inner dict has the same
        names (e.g. ``{"one step": {r.name: r.rel_error for r in rows}}``).
    tol : float, the pass threshold, drawn as a dashed line.
    ax : matplotlib Axes or None.

    Returns
    -------
    ax : the Axes drawn on.
    """
    if not errors:
        raise ValueError("errors must hold at least one report")
    names = list(next(iter(errors.values())))
    for label, report in errors.items():
        if list(report) != names:
            raise ValueError(f"report {label!r} has tensors {list(report)} but expected {names}")
    if not tol > 0:
        raise ValueError(f"tol must be positive, got {tol}")
    ax = get_ax(ax, figsize=(9, 4))
    width = 0.8 / len(errors)
    positions = np.arange(len(names))
    for k, (label, report) in enumerate(errors.items()):
        values = np.log10(np.maximum([report[n] for n in names], 1e-16))
        ax.bar(positions + (k - (len(errors) - 1) / 2) * width, values + 16, bottom=-16, width=width,
               color=_SERIES_COLOURS[k % len(_SERIES_COLOURS)], label=label)
    ax.axhline(np.log10(tol), color=PALETTE["black"], linestyle="--", linewidth=1,
               label=f"tolerance {tol:.0e}")
    ax.set_xticks(positions, names, rotation=45, ha="right")
    one_row = len(errors) <= 2  # legend entries: the series and the tolerance
    ax.set_ylim(-16, 4 if one_row else 7)  # headroom for the legend above the bars, which reach at most 0
    ax.set_yticks(range(-16, 1, 2))
    style_ax(ax, title=title, xlabel="tensor", ylabel="log10 relative error")
    ax.legend(loc="upper center", ncol=len(errors) + 1 if one_row else 2, fontsize=FONT_SIZE - 2, frameon=False)
    return ax


def plot_losses_and_checks(curves, check_errors, tol=1e-6, ax=None, title="Loss falls either way"):
    """Training-loss curves, each labelled with the verdict of a gradient check of its backward pass.

    Parameters
    ----------
    curves : dict label -> sequence of floats, the loss at each training step.
    check_errors : dict label -> float, the largest relative error of that backward pass's check.
    tol : float, the pass threshold of the check.

    Returns
    -------
    ax : the Axes drawn on (log y axis).
    """
    if not curves:
        raise ValueError("curves must hold at least one run")
    if set(curves) != set(check_errors):
        raise ValueError(f"check_errors has labels {sorted(check_errors)} but curves has {sorted(curves)}")
    ax = get_ax(ax)
    for k, (label, values) in enumerate(curves.items()):
        values = checked_values(f"curves[{label!r}]", values)
        verdict = "passes" if check_errors[label] < tol else "FAILS"
        ax.plot(np.arange(1, values.size + 1), values, color=_SERIES_COLOURS[k % len(_SERIES_COLOURS)],
                label=f"{label}: check {verdict} ({check_errors[label]:.0e})")
    plain_log_axis(ax)
    style_ax(ax, title=title, xlabel="training step", ylabel="loss")
    ax.legend(loc="lower left", fontsize=FONT_SIZE - 2, frameon=False)
    return ax


def plot_delta_per_step(article, true, t, ax=None, quantity="dE/dc_t"):
    """The article's one-step gradient and the true one at every step, step t highlighted.

    Parameters
    ----------
    article : array, shape (T,), the article's value at steps 1..T.
    true : array, shape (T,), the numerically checked value at steps 1..T.
    t : int in 1..T, the step to highlight.
    quantity : str, the name shown on the y axis (e.g. "dE/dc_t").

    Returns
    -------
    ax : the Axes drawn on.
    """
    article = checked_values("article", article)
    true = checked_values("true", true, length=article.size)
    if not 1 <= t <= article.size:
        raise ValueError(f"t must lie in 1..{article.size}, got {t}")
    ax = get_ax(ax)
    steps = np.arange(1, article.size + 1)
    ax.axvspan(t - 0.4, t + 0.4, color=PALETTE["yellow"], alpha=0.35)
    ax.axhline(0.0, color=PALETTE["black"], linewidth=0.6)
    ax.plot(steps, true, marker="o", color=PALETTE["blue"], label="true (finite differences)")
    ax.plot(steps, article, marker="s", linestyle="--", color=PALETTE["vermillion"], label="article, one step")
    gap = article[t - 1] - true[t - 1]
    ax.set_xticks(steps)
    return style_ax(ax, title=f"{quantity} at step {t}: article - true = {gap:+.1e}", xlabel="time step t",
                    ylabel=quantity, legend=True)
