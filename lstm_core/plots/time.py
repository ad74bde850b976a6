"""Figures for lesson 05 (backpropagation through time) and lesson 10 (the autodiff cross-check).

Each function draws into ``ax`` (a new figure when None), labels its axes and returns the Axes.
They only read their arguments; heavy computation happens in the lessons, once.

Dimensions: T time steps, H hidden size.
"""

import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch
from matplotlib.ticker import MaxNLocator

from lstm_core.params import GATES
from lstm_core.plots.style import (
    FONT_SIZE,
    GATE_COLOURS,
    PALETTE,
    SEQUENTIAL_CMAP,
    checked_curves,
    checked_values,
    get_ax,
    plain_log_axis,
    style_ax,
)

_BACKWARD_COLOUR = PALETTE["vermillion"]
_SUBSCRIPTS = str.maketrans("0123456789", "\u2080\u2081\u2082\u2083\u2084\u2085\u2086\u2087\u2088\u2089")


def _sub(name, index):
    """``x`` and 3 -> "x\u2083": Unicode subscripts, much faster to draw than mathtext."""
    return name + str(index).translate(_SUBSCRIPTS)


def plot_gradient_heatmap(values, ax=None, vmin=1e-8, vmax=1.0, title=None, label="|dL/dc_t|"):
    """A heatmap of a gradient's magnitude over time (x) and hidden units (y), logarithmic colours.

    Parameters
    ----------
    values : array, shape (T, H), non-negative magnitudes such as |dL/dc_t| for one sequence.
    ax : matplotlib Axes or None.
    vmin, vmax : float, the colour range (fix them to compare several heatmaps); smaller values
        are drawn in the colour of vmin.
    title : str or None.
    label : str, the colour bar's label.

    Returns
    -------
    ax : the Axes drawn on.
    """
    values = checked_values("values", values, 2)
    if np.any(values < 0):
        raise ValueError("values must be magnitudes (>= 0); pass np.abs(...) of the gradient")
    if not 0 < vmin < vmax:
        raise ValueError(f"need 0 < vmin < vmax, got vmin={vmin!r}, vmax={vmax!r}")
    num_steps, hidden_size = values.shape
    ax = get_ax(ax, figsize=(8, 3.8))
    image = ax.imshow(np.clip(values, vmin, vmax).T, aspect="auto", origin="lower", cmap=SEQUENTIAL_CMAP,
                      norm=LogNorm(vmin=vmin, vmax=vmax),
                      extent=(0.5, num_steps + 0.5, -0.5, hidden_size - 0.5), interpolation="nearest")
    colour_bar = ax.figure.colorbar(image, ax=ax)
    colour_bar.set_label(label, fontsize=FONT_SIZE - 1)
    return style_ax(ax, title=title, xlabel="time step t", ylabel="hidden unit")


def plot_gradient_norms(norms, ax=None, title=None, ylabel="||dL/dc_t||"):
    """Gradient norm against time step for several runs (e.g. several forget-gate biases), log scale.

    Parameters
    ----------
    norms : dict label -> array of shape (T,), positive values.
    ax : matplotlib Axes or None.

    Returns
    -------
    ax : the Axes drawn on.
    """
    norms = checked_curves("norms", norms, "array of shape (T,)")
    ax = get_ax(ax)
    colours = list(PALETTE.values())
    for k, (label, values) in enumerate(norms):
        ax.plot(range(1, len(values) + 1), np.maximum(values, 1e-300), color=colours[k % len(colours)],
                marker="o", markersize=3, label=str(label))
    plain_log_axis(ax)
    return style_ax(ax, title=title, xlabel="time step t", ylabel=ylabel, legend=True)


def plot_truncation_error(ks, rel_dist, cosine, ax=None, title=None, chunked=None):
    """How far truncated BPTT's gradient is from the full one, against the truncation length k.

    Parameters
    ----------
    ks : array of int, shape (n,), truncation lengths.
    rel_dist : array, shape (n,), ||g_k - g_full|| / ||g_full|| for per-term BPTT(k).
    cosine : array, shape (n,), cosine of the angle between g_k and g_full.
    ax : matplotlib Axes or None.
    title : str or None.
    chunked : None or a pair (rel_dist, cosine) of arrays of shape (n,), the same measures for
        chunked truncation (state carried forward, graph cut every k steps); drawn dashed.

    Returns
    -------
    ax : the Axes drawn on.
    """
    ks = checked_values("ks", ks, 1)
    rel_dist = checked_values("rel_dist", rel_dist, 1)
    cosine = checked_values("cosine", cosine, 1)
    if not len(ks) == len(rel_dist) == len(cosine):
        raise ValueError(f"ks, rel_dist and cosine must have one length, got {len(ks)}, {len(rel_dist)}, "
                         f"{len(cosine)}")
    ax = get_ax(ax)
    ax.axhline(1.0, color="0.7", linewidth=1, linestyle=":")
    ax.axhline(0.0, color="0.7", linewidth=1, linestyle=":")
    ax.plot(ks, rel_dist, color=PALETTE["vermillion"], marker="o", label=r"$\|g_k - g\| / \|g\|$")
    ax.plot(ks, cosine, color=PALETTE["blue"], marker="s", label=r"cosine$(g_k, g)$")
    if chunked is not None:
        if len(chunked) != 2:
            raise ValueError("chunked must be a pair (rel_dist, cosine) or None")
        chunk_dist = checked_values("chunked rel_dist", chunked[0], 1, length=len(ks))
        chunk_cos = checked_values("chunked cosine", chunked[1], 1, length=len(ks))
        ax.plot(ks, chunk_dist, color=PALETTE["vermillion"], marker="o", markerfacecolor="white", ls="--",
                label="distance, chunked")
        ax.plot(ks, chunk_cos, color=PALETTE["blue"], marker="s", markerfacecolor="white", ls="--",
                label="cosine, chunked")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return style_ax(ax, title=title, xlabel="truncation length k (steps)", ylabel="distance / cosine",
                    legend=True)


def _group_of(name):
    """Legend group and colour of a gradient: w_xk, w_hk, b_k share gate k's; x, h0, c0 have their own."""
    if name[:2] in ("w_", "b_") and name[-1] in GATES:
        return f"gate {name[-1]}", GATE_COLOURS[name[-1]]
    others = {"x": PALETTE["sky"], "h0": PALETTE["black"], "c0": PALETTE["purple"]}
    return name, others.get(name, PALETTE["yellow"])


def plot_gradient_agreement(reference, other, ax=None, xlabel="hand-derived (lstm_backward)",
                            ylabel="automatic differentiation", title=None):
    """Scatter every element of one set of gradients against another; agreement is the diagonal.

    Points are coloured by gate (w_xk, w_hk, b_k share gate k's colour); x, h0 and c0 have their own.

    Parameters
    ----------
    reference, other : dict name -> ndarray, the same names and shapes.
    ax : matplotlib Axes or None.
    xlabel, ylabel, title : str.

    Returns
    -------
    ax : the Axes drawn on.
    """
    if not reference:
        raise ValueError("reference is empty: pass a dict name -> gradient array")
    if set(reference) != set(other):
        raise ValueError(f"the two dicts name different tensors: {sorted(set(reference) ^ set(other))}")
    ax = get_ax(ax, figsize=(5.5, 5))
    labelled = set()
    low, high = np.inf, -np.inf
    # hollow markers, a different shape per gate: points of one gate do not hide another's
    markers = {"gate i": "o", "gate f": "s", "gate g": "^", "gate o": "D"}
    layers = {"gate f": 5, "gate i": 4, "gate o": 3, "gate g": 2}  # the small f gradients on top
    for name, ref in reference.items():
        ref, got = np.atleast_1d(np.asarray(ref, float)), np.atleast_1d(np.asarray(other[name], float))
        if got.shape != ref.shape:
            raise ValueError(f"{name}: shapes differ, {ref.shape} against {got.shape}")
        ref = checked_values(f"reference[{name!r}]", ref, ref.ndim)
        got = checked_values(f"other[{name!r}]", got, ref.ndim)
        group, colour = _group_of(name)
        ax.scatter(ref.ravel(), got.ravel(), s=22, facecolors="none", edgecolors=colour, linewidths=1.1,
                   marker=markers.get(group, "o"), zorder=layers.get(group, 2),
                   label=None if group in labelled else group)
        labelled.add(group)
        low, high = min(low, ref.min(), got.min()), max(high, ref.max(), got.max())
    pad = 0.05 * (high - low) if high > low else 1.0
    ax.plot([low - pad, high + pad], [low - pad, high + pad], color="0.5", linewidth=1, linestyle="--",
            label="agreement (y = x)")
    return style_ax(ax, title=title, xlabel=xlabel, ylabel=ylabel, legend=True)


UNROLLED_PATHS = ("all", "direct", "through h", "none")
"""What ``plot_unrolled_cells`` highlights among the gradient arrows."""


def _node(ax, xy, label, colour="0.25", size=0.16):
    ax.add_patch(Circle(xy, size, facecolor="white", edgecolor=colour, linewidth=1.4, zorder=3))
    ax.text(*xy, label, ha="center", va="center", fontsize=FONT_SIZE - 2, zorder=4)


def _line_arrow(ax, start, end, colour, dashed=False, width=1.6, zorder=2):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, color=colour, linewidth=width,
                                 linestyle=(0, (4, 2)) if dashed else "-", shrinkA=0, shrinkB=0, zorder=zorder))


def plot_unrolled_cells(num_steps=3, path="all", ax=None):
    """The LSTM unrolled over time with every cell opened, and the gradient paths of BPTT.

    Inside cell t (solid arrows, forward): the gates read x_t and h_{t-1}; the cell-state lane
    carries c_{t-1} through "x f" and "+ i g" to c_t; c_t goes through tanh and "x o" to h_t,
    which goes up to the loss L_t and right into the gates of step t+1. Dashed arrows are the
    backward pass: the loss's direct gradient dL_t/dh_t, the direct path dc_t -> dc_{t-1} (times f)
    along the top lane, and the path through h: dc_t -> the gates (dz) -> dz W_h -> h_{t-1} ->
    (times o tanh') -> c_{t-1}.

    Parameters
    ----------
    num_steps : int, 1 to 6.
    path : one of ``UNROLLED_PATHS``: "all" draws every gradient arrow in colour; "direct"
        highlights the path along the cell-state lane (each step multiplies by f); "through h"
        highlights the path through h and the gates; "none" draws the forward graph only.
    ax : matplotlib Axes or None.

    Returns
    -------
    ax : the Axes drawn on.
    """
    if int(num_steps) != num_steps or not 1 <= num_steps <= 6:
        raise ValueError(f"num_steps must be an integer from 1 to 6, got {num_steps!r}")
    if path not in UNROLLED_PATHS:
        raise ValueError(f"path must be one of {UNROLLED_PATHS}, got {path!r}")
    num_steps = int(num_steps)
    ax = get_ax(ax, figsize=(2.5 * num_steps + 0.8, 4.0))
    step, half = 2.5, 0.95  # distance between cells, half the width of a cell box
    c_y, h_y, loss_y, x_y = 1.7, 0.45, 2.6, -0.45
    hot, cold = _BACKWARD_COLOUR, "0.78"
    colour = {"direct": hot if path in ("all", "direct") else cold,
              "through h": hot if path in ("all", "through h") else cold}
    width = {"direct": 2.6 if path == "direct" else 1.5, "through h": 2.6 if path == "through h" else 1.5}
    small = dict(fontsize=FONT_SIZE - 3, zorder=5)
    for t in range(1, num_steps + 1):
        mid = t * step
        left, right = mid - half, mid + half
        ax.add_patch(FancyBboxPatch((left, 0.05), 2 * half, 1.95, boxstyle="round,pad=0.03",
                                    facecolor="#f5f5f5", edgecolor="0.55", linewidth=1.0, zorder=0))
        ax.text(right - 0.04, 2.05, f"step {t}", ha="right", va="bottom", fontsize=FONT_SIZE - 4, color="0.45")
        times_f, plus = (mid - 0.45, c_y), (mid + 0.05, c_y)
        tanh_node, times_o, gates_xy = (mid + 0.5, 1.1), (mid + 0.5, h_y), (mid - 0.35, h_y)
        # forward: the cell-state lane, c_{t-1} -> x f -> + i g -> c_t
        _line_arrow(ax, (left, c_y), (times_f[0] - 0.15, c_y), GATE_COLOURS["c"])
        _line_arrow(ax, (times_f[0] + 0.15, c_y), (plus[0] - 0.15, c_y), GATE_COLOURS["c"])
        _line_arrow(ax, (plus[0] + 0.15, c_y), (right if t == num_steps else mid + step - half, c_y),
                    GATE_COLOURS["c"])
        _node(ax, times_f, "×", size=0.15)
        _node(ax, plus, "+", size=0.15)
        # the gates read x_t and h_{t-1}
        ax.text(*gates_xy, "gates\ni f g o", ha="center", va="center", fontsize=FONT_SIZE - 3, zorder=4,
                bbox=dict(boxstyle="round,pad=0.25", facecolor="white", edgecolor="0.25"))
        ax.text(gates_xy[0], x_y, _sub("x", t), ha="center", va="center", fontsize=FONT_SIZE - 1,
                bbox=dict(boxstyle="round", facecolor="white", edgecolor=PALETTE["sky"]))
        _line_arrow(ax, (gates_xy[0], x_y + 0.17), (gates_xy[0], h_y - 0.27), PALETTE["sky"])
        _line_arrow(ax, (left, h_y), (gates_xy[0] - 0.33, h_y), GATE_COLOURS["h"])
        _line_arrow(ax, (times_f[0], h_y + 0.27), (times_f[0], c_y - 0.15), GATE_COLOURS["f"])
        ax.text(times_f[0] - 0.05, 1.2, "f", ha="right", va="center", color=GATE_COLOURS["f"], **small)
        _line_arrow(ax, (plus[0], h_y + 0.27), (plus[0], c_y - 0.15), GATE_COLOURS["g"])
        ax.text(plus[0] + 0.05, 1.45, "i·g", ha="left", va="center", color=GATE_COLOURS["g"], **small)
        # c_t -> tanh -> x o -> h_t
        _line_arrow(ax, (tanh_node[0], c_y), (tanh_node[0], tanh_node[1] + 0.16), GATE_COLOURS["c"])
        ax.text(*tanh_node, "tanh", ha="center", va="center", fontsize=FONT_SIZE - 4, zorder=4,
                bbox=dict(boxstyle="round,pad=0.2", facecolor="white", edgecolor="0.25"))
        _line_arrow(ax, (tanh_node[0], tanh_node[1] - 0.14), (times_o[0], times_o[1] + 0.15), "0.25")
        _line_arrow(ax, (gates_xy[0] + 0.33, h_y), (times_o[0] - 0.15, h_y), GATE_COLOURS["o"])
        _node(ax, times_o, "×", size=0.15)
        ax.text(times_o[0] - 0.2, h_y + 0.05, "o", ha="right", va="bottom", color=GATE_COLOURS["o"], **small)
        # h_t leaves: right into the gates of step t+1, and up to the loss L_t (branching in the gap)
        branch = right + 0.3
        _line_arrow(ax, (times_o[0] + 0.15, h_y), (mid + step - half if t < num_steps else branch + 0.3, h_y),
                    GATE_COLOURS["h"])
        _line_arrow(ax, (branch, h_y), (branch, loss_y - 0.17), GATE_COLOURS["h"], zorder=1)
        ax.text(branch, loss_y, _sub("L", t), ha="center", va="center", fontsize=FONT_SIZE - 1,
                bbox=dict(boxstyle="round", facecolor="white", edgecolor=_BACKWARD_COLOUR))
        ax.text(right + 0.04, c_y + 0.2, _sub("c", t), ha="left", va="bottom", color=GATE_COLOURS["c"], **small)
        ax.text(right + 0.04, h_y + 0.04, _sub("h", t), ha="left", va="bottom", **small)
        if path == "none":
            continue
        # backward, the loss's direct gradient dL_t/dh_t into h_t
        _line_arrow(ax, (branch + 0.1, loss_y - 0.17), (branch + 0.1, h_y + 0.08), hot, dashed=True)
        # the direct path along the top lane: dc_t -> dc_{t-1} = dc_t * f_t at the x node
        _line_arrow(ax, (right if t == num_steps else mid + step - half, c_y + 0.1), (left - 0.3, c_y + 0.1),
                    colour["direct"], dashed=True, width=width["direct"])
        ax.text(times_f[0], c_y + 0.17, "⊙ f", ha="center", va="bottom", color=colour["direct"], **small)
        # the path through h: h_t -> c_t (times o tanh'), c_t -> the gates (dz), gates -> h_{t-1} (dz W_h)
        _line_arrow(ax, (tanh_node[0] + 0.25, h_y + 0.1), (tanh_node[0] + 0.25, c_y - 0.08), colour["through h"],
                    dashed=True, width=width["through h"])
        ax.text(tanh_node[0] + 0.29, 1.0, "⊙ o tanh′", ha="left", va="center", rotation=90,
                color=colour["through h"], **small)
        _line_arrow(ax, (mid - 0.2, c_y - 0.08), (mid - 0.2, h_y + 0.3), colour["through h"], dashed=True,
                    width=width["through h"])
        ax.text(mid - 0.24, 0.95, "dz", ha="right", va="center", color=colour["through h"], **small)
        _line_arrow(ax, (gates_xy[0] - 0.33, h_y - 0.1), (left - 0.3, h_y - 0.1), colour["through h"],
                    dashed=True, width=width["through h"])
        ax.text(left - 0.04, h_y - 0.16, "dz·W_h", ha="right", va="top", color=colour["through h"],
                fontsize=FONT_SIZE - 5, zorder=5)
    # the initial states
    start = step - half
    ax.text(start - 0.32, c_y, _sub("c", 0), ha="right", va="center", color=GATE_COLOURS["c"], fontsize=FONT_SIZE - 1)
    ax.text(start - 0.32, h_y, _sub("h", 0), ha="right", va="center", fontsize=FONT_SIZE - 1)
    _line_arrow(ax, (start - 0.3, c_y), (start, c_y), GATE_COLOURS["c"])
    _line_arrow(ax, (start - 0.3, h_y), (start, h_y), GATE_COLOURS["h"])
    handles = ax.plot([], [], color=GATE_COLOURS["c"], label="cell state c (forward)")
    handles += ax.plot([], [], color=GATE_COLOURS["h"], label="hidden state h (forward)")
    if path != "none":
        handles += ax.plot([], [], color=hot, ls="--", label="gradient (backward)")
        if path != "all":
            handles += ax.plot([], [], color=cold, ls="--", label="gradient, other path")
    ax.set_xlim(start - 0.75, num_steps * step + half + 0.75)
    ax.set_ylim(x_y - 0.3, loss_y + 0.3)
    ax.set_aspect("equal")
    ax.axis("off")
    titles = {"all": "all gradient paths", "direct": "highlighted: the direct path, dc_t ⊙ f_t",
              "through h": "highlighted: the path through h and the gates", "none": "forward only"}
    ax.set_title(f"The LSTM unrolled, each cell opened ({titles[path]})", fontsize=FONT_SIZE)
    ax.legend(handles=handles, fontsize=FONT_SIZE - 3, frameon=False, loc="upper center",
              bbox_to_anchor=(0.5, 0.02), ncol=2)
    return ax
