"""Figures for lesson 07 (vanishing and exploding gradients).

Pure functions: each reads its arguments, draws into ``ax`` (a new figure when None) and
returns the Axes.
"""

import numpy as np

from lstm_core.plots.style import FONT_SIZE, PALETTE, checked_curves, checked_values, get_ax, plain_log_axis, style_ax

CURVE_COLOURS = (PALETTE["vermillion"], PALETTE["blue"], PALETTE["orange"], PALETTE["green"],
                 PALETTE["purple"], PALETTE["sky"], PALETTE["black"])


def _legend(ax, loc):
    """A legend at a fixed place ("best" searches every position at each redraw, which is slow)."""
    ax.legend(fontsize=FONT_SIZE - 2, frameon=False, loc=loc)
    return ax


def plot_gradient_norms(curves, ax=None, title="Gradient reaching back k steps",
                        ylabel="gradient norm (log scale)", styles=None, legend_loc="lower left"):
    """Gradient norms against the number of steps back, on a logarithmic y axis.

    Parameters
    ----------
    curves : dict label -> sequence of shape (K + 1,), entry k is the norm k steps before the
        loss (entry 0 at the loss's own step). Values must be finite and positive.
    ax : matplotlib Axes or None.
    title, ylabel : str.
    styles : optional dict label -> dict of extra ``ax.plot`` keywords (e.g. ``{"linestyle": "--"}``).
    legend_loc : str, where the legend goes (a matplotlib ``loc``).

    Returns
    -------
    ax : the Axes drawn on.
    """
    curves = checked_curves("curves", curves, "norms entry", positive=True)
    styles = styles or {}
    ax = get_ax(ax)
    for n, (label, values) in enumerate(curves):
        keywords = {"color": CURVE_COLOURS[n % len(CURVE_COLOURS)], "linewidth": 2, **styles.get(label, {})}
        ax.plot(np.arange(values.size), values, label=label, **keywords)
    plain_log_axis(ax)
    style_ax(ax, title=title, xlabel="steps back k", ylabel=ylabel)
    return _legend(ax, legend_loc)


def plot_clipping(scales, norms_before, norms_after, max_norm, ax=None,
                  title="Clipping by global norm", xlabel="spectral radius of w_hh"):
    """The global gradient norm against the recurrent weight scale, before and after clipping.

    Parameters
    ----------
    scales : sequence of shape (S,), the recurrent scale of each run (x axis).
    norms_before : sequence of shape (S,), the global norm of the raw gradient.
    norms_after : sequence of shape (S,), the global norm after ``clip_grad_norm``.
    max_norm : float > 0, the clipping threshold (drawn as a dotted line).
    ax : matplotlib Axes or None.

    Returns
    -------
    ax : the Axes drawn on.
    """
    scales = np.asarray(scales, dtype=float)
    before = checked_values("norms_before", norms_before, positive=True)
    after = checked_values("norms_after", norms_after, positive=True)
    if scales.ndim != 1 or not (scales.shape == before.shape == after.shape):
        raise ValueError(f"scales, norms_before and norms_after must be 1-D of one length, got shapes "
                         f"{scales.shape}, {before.shape}, {after.shape}")
    if not max_norm > 0:
        raise ValueError(f"max_norm must be positive, got {max_norm!r}")
    ax = get_ax(ax)
    ax.plot(scales, before, marker="o", color=PALETTE["vermillion"], linewidth=2, label="raw gradient")
    ax.plot(scales, after, marker="s", color=PALETTE["blue"], linewidth=2, label="after clipping")
    ax.axhline(max_norm, color=PALETTE["black"], linestyle=":", label=f"max_norm = {max_norm:g}")
    plain_log_axis(ax)
    style_ax(ax, title=title, xlabel=xlabel, ylabel="global gradient norm")
    return _legend(ax, "upper left")


def plot_forget_products(forget_values, num_steps, ax=None, title="What the carousel keeps: f to the k"):
    """The fraction f^k of the cell-state gradient that survives k steps of the carousel alone.

    Parameters
    ----------
    forget_values : sequence of shape (F,), forget-gate values in (0, 1].
    num_steps : int >= 1, the largest k drawn.
    ax : matplotlib Axes or None.

    Returns
    -------
    ax : the Axes drawn on.
    """
    forget_values = np.asarray(forget_values, dtype=float)
    if forget_values.ndim != 1 or forget_values.size == 0:
        raise ValueError(f"forget_values must be a non-empty 1-D sequence, got shape {forget_values.shape}")
    if np.any(forget_values <= 0) or np.any(forget_values > 1):
        raise ValueError("forget_values must lie in (0, 1]: they are sigmoid outputs")
    if int(num_steps) != num_steps or num_steps < 1:
        raise ValueError(f"num_steps must be a positive integer, got {num_steps!r}")
    ax = get_ax(ax)
    k = np.arange(int(num_steps) + 1)
    for n, f in enumerate(forget_values):
        ax.plot(k, f ** k, color=CURVE_COLOURS[n % len(CURVE_COLOURS)], linewidth=2, label=f"f = {f:.3f}")
    plain_log_axis(ax)
    style_ax(ax, title=title, xlabel="steps back k", ylabel="f^k (log scale)")
    return _legend(ax, "lower left")


def plot_clipping_runs(curves, num_steps, ax=None, title="Training with and without clipping",
                       styles=None):
    """Training-loss curves on a log axis; a run that stopped early (diverged) ends with a cross.

    Parameters
    ----------
    curves : dict label -> sequence of shape (S,), S <= num_steps, the loss at steps 1..S; a run
        with S < num_steps was stopped because it diverged. Values must be finite and positive.
    num_steps : int >= 1, the number of steps every run was given (sets the x range).
    ax : matplotlib Axes or None.
    styles : optional dict label -> dict of extra ``ax.plot`` keywords.

    Returns
    -------
    ax : the Axes drawn on.
    """
    if not curves:
        raise ValueError("curves is empty: pass at least one label -> losses entry")
    if int(num_steps) != num_steps or num_steps < 1:
        raise ValueError(f"num_steps must be a positive integer, got {num_steps!r}")
    styles = styles or {}
    ax = get_ax(ax)
    for n, (label, values) in enumerate(curves.items()):
        values = checked_values(f"curves[{label!r}]", values, positive=True)
        if values.size > num_steps:
            raise ValueError(f"curves[{label!r}] has {values.size} values but num_steps is {num_steps}")
        colour = CURVE_COLOURS[n % len(CURVE_COLOURS)]
        stopped = values.size < num_steps
        keywords = {"color": colour, "linewidth": 1.5, **styles.get(label, {})}
        ax.plot(np.arange(1, values.size + 1), values,
                label=f"{label} (diverged at step {values.size})" if stopped else label, **keywords)
        if stopped:
            ax.plot(values.size, values[-1], "x", color=colour, markersize=10, markeredgewidth=2)
    ax.set_xlim(0, num_steps + 1)
    plain_log_axis(ax)
    style_ax(ax, title=title, xlabel="training step", ylabel="training loss (log scale)")
    return _legend(ax, "upper right")
