"""Figures for lessons 01-02: the activations, a unit over time, the loss and its slope.

Every function takes ``ax=None`` (a new figure when None), draws, labels its axes and returns
the ``Axes``. They only read their arguments: the lessons compute, these functions draw.

Dimensions: T time steps, N grid points.
"""

import numpy as np

from lstm_core.plots.style import GATE_COLOURS, GATE_LABELS, PALETTE, checked_values, get_ax, style_ax

GATE_LINE_STYLES = {"i": dict(ls=":", marker="s"), "f": dict(ls="--", marker="v"),
                    "g": dict(ls="-.", marker="D"), "o": dict(ls=(0, (1, 1)), marker="^")}
"""Dash pattern and marker of each gate's line over time: gates at equal values stay distinguishable."""


def _scalar(name, value):
    """``value`` as a finite Python float, or a ValueError naming it."""
    array = np.asarray(value, dtype=float)
    if array.size != 1 or not np.isfinite(array).all():
        raise ValueError(f"{name} must be one finite number, got {value!r}")
    return float(array.reshape(()))


def plot_activations(z, ax=None):
    """sigmoid and tanh, with their derivatives dashed, on the grid ``z``.

    Parameters
    ----------
    z : ndarray, shape (N,), increasing pre-activation values.
    ax : matplotlib Axes or None.

    Returns
    -------
    ax : the Axes drawn on.
    """
    z = checked_values("z", z, min_size=2)
    if np.any(np.diff(z) <= 0):
        raise ValueError("z must be strictly increasing")
    ax = get_ax(ax)
    s, t = 0.5 * (1.0 + np.tanh(0.5 * z)), np.tanh(z)
    ax.plot(z, s, color=PALETTE["blue"], lw=2.5, label=r"$\sigma(z)$, range (0, 1)")
    ax.plot(z, s * (1 - s), color=PALETTE["blue"], lw=2, ls="--", label=r"$\sigma'(z)=\sigma(1-\sigma)$")
    ax.plot(z, t, color=PALETTE["green"], lw=2.5, label=r"$\tanh(z)$, range (-1, 1)")
    ax.plot(z, 1 - t * t, color=PALETTE["green"], lw=2, ls="--", label=r"$\tanh'(z)=1-\tanh^2$")
    ax.axhline(0, color="0.6", lw=0.8)
    ax.axvline(0, color="0.6", lw=0.8)
    return style_ax(ax, title="The two squashing functions and their slopes", xlabel="pre-activation z",
                    ylabel="value", legend=True)


def plot_unit_over_time(x, states, ax=None, title=None):
    """One unit over a sequence: the input as a grey area and each gate or state as a line.

    Each gate has its own colour, dash pattern and marker (``GATE_LINE_STYLES``), so two gates
    with the same value remain distinguishable; c and h are thick solid lines.

    Parameters
    ----------
    x : ndarray, shape (T,), the input x_t of one sequence (D = 1).
    states : mapping name -> ndarray of shape (T,), names among i, f, g, o, c, h get their colour.
    ax : matplotlib Axes or None.
    title : str or None.

    Returns
    -------
    ax : the Axes drawn on.
    """
    x = checked_values("x", x, min_size=2)
    if not states:
        raise ValueError("states is empty; pass e.g. {'f': f, 'c': c}")
    curves = {name: checked_values(name, values, length=len(x), min_size=2) for name, values in states.items()}
    ax = get_ax(ax, figsize=(9, 4))
    steps = np.arange(1, len(x) + 1)
    ax.fill_between(steps, 0, x, step="mid", color="0.85", label="input x_t")  # no mathtext: redrawn by sliders
    markevery = max(1, len(x) // 12)  # about a dozen markers per line
    for name, values in curves.items():
        thick = name in ("c", "h")
        style = dict(ls="-") if thick else GATE_LINE_STYLES.get(name, dict(ls="--"))
        ax.plot(steps, values, color=GATE_COLOURS.get(name), lw=2.8 if thick else 1.6, ms=5,
                markevery=markevery, label=GATE_LABELS.get(name, name), **style)
    ax.legend(fontsize=10, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return style_ax(ax, title=title, xlabel="time step t", ylabel="value")


def plot_memory_trace(c, f, pulse_step, ax=None, title=None):
    """How long the cell holds a pulse: c_t and the forget gate f_t over time.

    A dashed line marks half of the peak of c; the grey line marks the pulse.

    Parameters
    ----------
    c : ndarray, shape (T,), the cell state c_1 .. c_T of one unit.
    f : ndarray, shape (T,), its forget gate.
    pulse_step : int, the step (1-based, as on the x axis) at which the pulse arrives.
    ax : matplotlib Axes or None.
    title : str or None.

    Returns
    -------
    ax : the Axes drawn on.
    """
    c = checked_values("c", c, min_size=2)
    f = checked_values("f", f, length=len(c), min_size=2)
    if not 1 <= int(pulse_step) <= len(c):
        raise ValueError(f"pulse_step must lie in 1..{len(c)}, got {pulse_step}")
    ax = get_ax(ax, figsize=(9, 4))
    steps = np.arange(1, len(c) + 1)
    ax.axvline(pulse_step, color="0.6", lw=6, alpha=0.5, label="input pulse")
    ax.plot(steps, f, color=GATE_COLOURS["f"], lw=1.8, ls="--", label=GATE_LABELS["f"])
    ax.plot(steps, c, color=GATE_COLOURS["c"], lw=2.8, marker="o", ms=3, label=GATE_LABELS["c"])
    peak = c[np.argmax(np.abs(c))]
    ax.axhline(0.5 * peak, color=GATE_COLOURS["c"], lw=1, ls=":", label="half of the peak")
    ax.set_ylim(min(-0.05, c.min() * 1.1), max(1.05, c.max() * 1.1))
    ax.legend(fontsize=10, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return style_ax(ax, title=title, xlabel="time step t", ylabel="value")


def plot_loss_vs_output(h_grid, y, h, ax=None):
    """L = 1/2 (h - y)^2 against the output h, with the gradient and the descent direction at ``h``.

    Parameters
    ----------
    h_grid : ndarray, shape (N,), output values for the x axis.
    y : float, the target.
    h : float, the current output h_t.
    ax : matplotlib Axes or None.

    Returns
    -------
    ax : the Axes drawn on.
    """
    h_grid = checked_values("h_grid", h_grid, min_size=2)
    y, h = _scalar("y", y), _scalar("h", h)
    ax = get_ax(ax)
    loss = 0.5 * (h_grid - y) ** 2
    # plain text, not mathtext: a slider redraws this figure
    ax.plot(h_grid, loss, color=PALETTE["black"], lw=2.5, label="L = ½ (h − y)²")
    ax.axvline(y, color="0.6", lw=1, ls=":", label="target y")
    loss_h = 0.5 * (h - y) ** 2
    ax.plot([h], [loss_h], "o", color=PALETTE["black"], ms=8)
    length = 0.35 * (h_grid.max() - h_grid.min())
    direction = np.sign(h - y) if h != y else 1.0
    for sign, colour, label in ((1, PALETTE["vermillion"], "gradient h − y (uphill)"),
                                (-1, PALETTE["blue"], "−(h − y) = y − h: the way down")):
        ax.annotate("", xy=(h + sign * direction * length, loss_h), xytext=(h, loss_h),
                    arrowprops=dict(arrowstyle="-|>", color=colour, lw=2.5, mutation_scale=18))
        ax.plot([], [], color=colour, lw=2.5, label=label)  # legend entry for the arrow
    ax.set_ylim(-0.05 * loss.max(), 1.6 * loss.max())  # head room for the legend
    ax.legend(fontsize=10, frameon=False, loc="upper center", ncol=2)
    return style_ax(ax, title="The loss of one output and the sign of its gradient", xlabel="output h",
                    ylabel="loss L")


def plot_loss_slice(w_grid, loss, w, slope, numeric_slope, ax=None, name="w"):
    """The loss along one weight, the tangent at ``w`` with the analytic slope, and the numeric slope.

    Parameters
    ----------
    w_grid : ndarray, shape (N,), values of the weight.
    loss : ndarray, shape (N,), the loss at each of them.
    w : float, the current weight (a point of ``w_grid`` or between two).
    slope : float, the analytic dL/dw at ``w`` (from backpropagation).
    numeric_slope : float, a finite-difference estimate of dL/dw at ``w``.
    ax : matplotlib Axes or None.
    name : str, the weight's name for the labels (e.g. "w_xo").

    Returns
    -------
    ax : the Axes drawn on.
    """
    w_grid = checked_values("w_grid", w_grid, min_size=2)
    loss = checked_values("loss", loss, length=len(w_grid), min_size=2)
    w, slope, numeric_slope = _scalar("w", w), _scalar("slope", slope), _scalar("numeric_slope", numeric_slope)
    ax = get_ax(ax)
    # plain text, not mathtext: a slider redraws this figure, and each mathtext string costs ~10 ms
    ax.plot(w_grid, loss, color=PALETTE["black"], lw=2.5, label=f"L({name})")
    loss_at_w = float(np.interp(w, w_grid, loss))
    half = 0.2 * (w_grid.max() - w_grid.min())
    span = np.array([w - half, w + half])
    ax.plot(span, loss_at_w + slope * (span - w), color=PALETTE["vermillion"], lw=2.5,
            label=f"tangent, analytic slope {slope:+.5f}")
    ax.plot([], [], " ", label=f"centred difference  {numeric_slope:+.5f}")
    ax.plot([w], [loss_at_w], "o", color=PALETTE["vermillion"], ms=8)
    low, high = loss.min(), loss.max()
    margin = 0.1 * (high - low) if high > low else 0.1
    ax.set_ylim(low - margin, high + margin)
    return style_ax(ax, title=f"The gradient is the slope of the loss along {name}",
                    xlabel=name, ylabel="loss L", legend=True)


def plot_difference_errors(eps, errors, ax=None):
    """Error of finite-difference estimates against the step, on log-log axes (epsilon grows to the right).

    Parameters
    ----------
    eps : ndarray, shape (N,), positive steps.
    errors : mapping label -> ndarray of shape (N,), absolute errors (zeros are drawn at 1e-17).
    ax : matplotlib Axes or None.

    Returns
    -------
    ax : the Axes drawn on.
    """
    eps = checked_values("eps", eps, min_size=2)
    if np.any(eps <= 0):
        raise ValueError("eps must hold positive steps")
    if not errors:
        raise ValueError("errors is empty; pass e.g. {'centred': err}")
    ax = get_ax(ax)
    colours = (PALETTE["vermillion"], PALETTE["blue"], PALETTE["green"], PALETTE["purple"])
    for k, (label, values) in enumerate(errors.items()):
        values = np.abs(checked_values(label, values, length=len(eps), min_size=2))
        ax.loglog(eps, np.maximum(values, 1e-17), marker="o", ms=4, lw=2, color=colours[k % len(colours)],
                  label=label)
    return style_ax(ax, title="Finite differences: error against step size",
                    xlabel=r"step $\epsilon$ (grows to the right)", ylabel="|numeric - analytic|", legend=True)
