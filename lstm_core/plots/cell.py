"""The wiring of one LSTM cell (lesson 01), drawn in the style of Olah's diagram, with live values.

x_t and h_{t-1} run along the bottom and feed the four gates (sigma, sigma, tanh, sigma); the cell
state runs along the top from c_{t-1} to c_t, multiplied by f and added to i * g; a branch of c_t
goes through tanh, is multiplied by o and leaves as h_t. All text is plain Unicode, not mathtext,
so a slider can redraw the figure in well under 100 ms.
"""

import math

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Circle, Ellipse, FancyBboxPatch

from lstm_core.plots.style import GATE_COLOURS

VALUE_NAMES = ("x", "h_prev", "c_prev", "i", "f", "g", "o", "c", "h")
"""Keys of ``plot_lstm_cell``'s ``values``: x_t, h_{t-1}, c_{t-1}, the four gates, c_t and h_t."""

_RANGES = {"i": (0.0, 1.0, "a sigmoid output"), "f": (0.0, 1.0, "a sigmoid output"),
           "o": (0.0, 1.0, "a sigmoid output"), "g": (-1.0, 1.0, "a tanh output"),
           "h": (-1.0, 1.0, "o times a tanh")}
_WIRE = dict(color="0.25", lw=1.8, solid_capstyle="round", zorder=2)
_C_LINE = dict(color=GATE_COLOURS["c"], lw=3.2, solid_capstyle="round", zorder=2)
_VALUE = dict(fontsize=10, zorder=6, bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85))

# node positions (data coordinates of a 10.6 x 7 canvas)
_C_Y, _BUS_Y, _GATE_Y, _IG_Y, _O_Y, _TANH_Y = 5.0, 0.9, 2.0, 3.6, 2.9, 4.0
_GATE_X = {"f": 2.6, "i": 4.2, "g": 5.8, "o": 7.0}
_X_IN, _ADD_X, _TANH_X, _R = 1.6, 5.0, 8.1, 0.28
_SQUASH = {"i": "σ", "f": "σ", "g": "tanh", "o": "σ"}


def _checked_values(values):
    """``values`` as a dict of floats, or a ValueError naming the bad key (see ``plot_lstm_cell``)."""
    if not hasattr(values, "keys"):
        raise ValueError(f"values must be a mapping name -> number with keys {VALUE_NAMES}, "
                         f"got {type(values).__name__}")
    missing = [k for k in VALUE_NAMES if k not in values]
    unknown = sorted(set(values) - set(VALUE_NAMES))
    if missing or unknown:
        raise ValueError(f"values must have exactly the keys {VALUE_NAMES}; missing {missing}, unknown {unknown}")
    checked = {}
    for name in VALUE_NAMES:
        array = np.asarray(values[name], dtype=float)
        if array.size != 1 or not np.isfinite(array).all():
            raise ValueError(f"values[{name!r}] must be one finite number, got {values[name]!r}")
        checked[name] = float(array.reshape(()))
    for name, (low, high, what) in _RANGES.items():
        if not low <= checked[name] <= high:
            raise ValueError(f"values[{name!r}] must lie in [{low:g}, {high:g}] ({what}), got {checked[name]:.4g}")
    v = checked
    c_expected = v["f"] * v["c_prev"] + v["i"] * v["g"]
    if not math.isclose(v["c"], c_expected, rel_tol=1e-9, abs_tol=1e-12):
        raise ValueError(f"values['c'] = {v['c']:.6g} but f * c_prev + i * g = {c_expected:.6g}: "
                         "pass the values of one and the same step")
    h_expected = v["o"] * math.tanh(v["c"])
    if not math.isclose(v["h"], h_expected, rel_tol=1e-9, abs_tol=1e-12):
        raise ValueError(f"values['h'] = {v['h']:.6g} but o * tanh(c) = {h_expected:.6g}: "
                         "pass the values of one and the same step")
    return checked


def _line(ax, xs, ys, arrow=False, **style):
    """A polyline through the points (xs, ys), with an arrow head at its end if asked."""
    style = style or _WIRE
    ax.plot(xs, ys, **style)
    if arrow:
        ax.annotate("", xy=(xs[-1], ys[-1]), xytext=(xs[-2], ys[-2]),
                    arrowprops=dict(arrowstyle="-|>", color=style["color"], lw=style["lw"],
                                    mutation_scale=14, shrinkA=0, shrinkB=0), zorder=3)


def _node(ax, x, y, symbol):
    """A round pointwise operation (× or +) at (x, y)."""
    ax.add_patch(Circle((x, y), _R, fc="white", ec="0.2", lw=1.6, zorder=4))
    ax.text(x, y, symbol, ha="center", va="center", fontsize=15, zorder=5)


def plot_lstm_cell(values=None, ax=None, title=None):
    """One LSTM cell's wiring; with ``values``, the numbers of one step printed on the wires.

    Dimensions: one unit, one sequence (D = H = B = 1), so every value is a number.

    Parameters
    ----------
    values : mapping name -> float, or None. Keys exactly ``VALUE_NAMES``: x, h_prev, c_prev
        (x_t, h_{t-1}, c_{t-1}), the gates i, f, o in [0, 1] and g in [-1, 1], then c and h
        (c_t, h_t) of the same step: c must equal f c_prev + i g and h must equal o tanh(c).
        None draws the wiring with names only.
    ax : matplotlib Axes or None (a new 7.2 x 4.6 inch figure).
    title : str or None.

    Returns
    -------
    ax : the Axes drawn on.
    """
    v = None if values is None else _checked_values(values)
    if ax is None:
        fig, ax = plt.subplots(figsize=(7.2, 4.6))
        fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.93)
    ax.set_xlim(-0.2, 10.6)
    ax.set_ylim(-1.0, 6.0)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.add_patch(FancyBboxPatch((1.1, 0.35), 7.9, 5.2, boxstyle="round,pad=0.05,rounding_size=0.4",
                                fc="0.95", ec="0.6", lw=1.2, zorder=0))

    # the cell state along the top: c_{t-1} -> x f -> + i g -> c_t
    _line(ax, [0.0, 10.3], [_C_Y, _C_Y], arrow=True, **_C_LINE)
    _node(ax, _GATE_X["f"], _C_Y, "×")
    _node(ax, _ADD_X, _C_Y, "+")

    # x_t and h_{t-1} along the bottom, into every gate
    _line(ax, [0.0, _GATE_X["o"]], [_BUS_Y, _BUS_Y])
    _line(ax, [_X_IN, _X_IN], [-0.8, _BUS_Y])
    for k, gx in _GATE_X.items():
        _line(ax, [gx, gx], [_BUS_Y, _GATE_Y - 0.3], arrow=True)
        ax.add_patch(FancyBboxPatch((gx - 0.42, _GATE_Y - 0.28), 0.84, 0.56, boxstyle="round,pad=0.02",
                                    fc=GATE_COLOURS[k], ec="none", alpha=0.9, zorder=4))
        ax.text(gx, _GATE_Y, _SQUASH[k], ha="center", va="center", color="white", fontsize=13,
                fontweight="bold", zorder=5)

    # the gates' outputs: f to the top, i and g into x, o into x with tanh(c_t)
    f_colour, i_colour, g_colour, o_colour = (GATE_COLOURS[k] for k in "figo")
    _line(ax, [_GATE_X["f"], _GATE_X["f"]], [_GATE_Y + 0.3, _C_Y - _R], arrow=True, color=f_colour, lw=2)
    _line(ax, [_GATE_X["i"], _GATE_X["i"], _ADD_X - _R], [_GATE_Y + 0.3, _IG_Y, _IG_Y], arrow=True,
          color=i_colour, lw=2)
    _line(ax, [_GATE_X["g"], _GATE_X["g"], _ADD_X + _R], [_GATE_Y + 0.3, _IG_Y, _IG_Y], arrow=True,
          color=g_colour, lw=2)
    _node(ax, _ADD_X, _IG_Y, "×")
    _line(ax, [_ADD_X, _ADD_X], [_IG_Y + _R, _C_Y - _R], arrow=True)
    _line(ax, [_TANH_X, _TANH_X], [_C_Y, _TANH_Y + 0.25], arrow=True)
    ax.add_patch(Ellipse((_TANH_X, _TANH_Y), 1.1, 0.5, fc="white", ec=GATE_COLOURS["c"], lw=1.6, zorder=4))
    ax.text(_TANH_X, _TANH_Y, "tanh", ha="center", va="center", fontsize=11, zorder=5)
    _line(ax, [_TANH_X, _TANH_X], [_TANH_Y - 0.25, _O_Y + _R], arrow=True)
    _line(ax, [_GATE_X["o"], _GATE_X["o"], _TANH_X - _R], [_GATE_Y + 0.3, _O_Y, _O_Y], arrow=True,
          color=o_colour, lw=2)
    _node(ax, _TANH_X, _O_Y, "×")
    _line(ax, [_TANH_X + _R, 10.3], [_O_Y, _O_Y], arrow=True, color=GATE_COLOURS["h"], lw=2.6)

    def label(name, value, x, y, colour="0.1", **kw):
        text = name if v is None else f"{name} = {value:+.3f}"
        ax.text(x, y, text, color=colour, **{**_VALUE, **kw})

    get = (lambda k: None) if v is None else v.get
    label("xₜ", get("x"), _X_IN + 0.12, -0.75, va="bottom")
    label("hₜ₋₁", get("h_prev"), 0.0, _BUS_Y + 0.12, va="bottom")
    label("cₜ₋₁", get("c_prev"), 0.0, _C_Y + 0.15, va="bottom", colour=GATE_COLOURS["c"])
    label("f", get("f"), _GATE_X["f"] - 0.12, 3.6, colour=f_colour, va="center", ha="right")
    label("i", get("i"), _GATE_X["i"] - 0.12, 2.85, colour=i_colour, va="center", ha="right")
    label("g", get("g"), _GATE_X["g"] + 0.12, 2.85, colour=g_colour, va="center")
    label("o", get("o"), _GATE_X["o"] + 0.12, 2.4, colour=o_colour, va="center")
    label("cₜ", get("c"), 10.3, _C_Y + 0.15, va="bottom", ha="right", colour=GATE_COLOURS["c"])
    label("hₜ", get("h"), 10.3, _O_Y - 0.15, va="top", ha="right")
    if v is not None:  # the intermediate products, where they flow
        label("f·cₜ₋₁", v["f"] * v["c_prev"], 3.0, _C_Y - 0.2, va="top", colour=GATE_COLOURS["c"], fontsize=9)
        label("i·g", v["i"] * v["g"], _ADD_X + 0.12, 4.3, va="center", fontsize=9)
        label("tanh cₜ", math.tanh(v["c"]), _TANH_X + 0.15, 3.45, va="center", fontsize=9)
    if title:
        ax.set_title(title, fontsize=13)
    return ax
