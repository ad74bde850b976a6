"""The LSTM cell diagram: draws the wiring and labels, prints one step's values, refuses bad values."""

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from lstm_core import LSTMParams, lstm_step_forward
from lstm_core.plots.cell import VALUE_NAMES, plot_lstm_cell


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def one_step_values(seed=0):
    """The nine values of one real step of a one-unit LSTM."""
    rng = np.random.default_rng(seed)
    params = LSTMParams.init(1, 1, rng, scale=1.0)
    x, h_prev, c_prev = rng.standard_normal((3, 1, 1))
    h, c, cache = lstm_step_forward(params, x, h_prev, c_prev)
    return {"x": x.item(), "h_prev": h_prev.item(), "c_prev": c_prev.item(),
            **{k: cache[k].item() for k in "ifgo"}, "c": c.item(), "h": h.item()}


def texts(ax):
    return [t.get_text() for t in ax.texts]


def test_draws_the_wiring_with_names_into_the_given_axes():
    fig, ax = plt.subplots()
    assert plot_lstm_cell(ax=ax) is ax
    labels = texts(ax)
    for name in ("xₜ", "hₜ₋₁", "cₜ₋₁", "cₜ", "hₜ", "f", "i", "g", "o"):
        assert name in labels, name
    assert labels.count("σ") == 3 and labels.count("tanh") == 2  # three sigmoid gates, g and tanh(c_t)
    assert labels.count("×") == 3 and labels.count("+") == 1  # x f, x (i g), x o; + i g
    assert not any("$" in t for t in labels), "mathtext makes each redraw slow: use plain text"


def test_makes_its_own_figure_with_a_title():
    ax = plot_lstm_cell(title="one cell")
    assert isinstance(ax, matplotlib.axes.Axes) and ax.get_title() == "one cell"


def test_values_appear_on_the_wires():
    values = one_step_values()
    labels = " | ".join(texts(plot_lstm_cell(values)))
    for name, shown in (("x", "xₜ"), ("h_prev", "hₜ₋₁"), ("c_prev", "cₜ₋₁"), ("i", "i"), ("f", "f"),
                        ("g", "g"), ("o", "o"), ("c", "cₜ"), ("h", "hₜ")):
        assert f"{shown} = {values[name]:+.3f}" in labels, name
    assert f"f·cₜ₋₁ = {values['f'] * values['c_prev']:+.3f}" in labels
    assert f"i·g = {values['i'] * values['g']:+.3f}" in labels
    assert f"tanh cₜ = {math.tanh(values['c']):+.3f}" in labels


def test_values_change_the_drawing():
    first, second = texts(plot_lstm_cell(one_step_values(0))), texts(plot_lstm_cell(one_step_values(1)))
    assert first != second


def broken(**changes):
    values = one_step_values()
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


@pytest.mark.parametrize("values, message", [
    ([1.0, 2.0], "must be a mapping"),
    (broken(o=None), r"missing \['o'\]"),
    (broken(q=1.0), r"unknown \['q'\]"),
    (broken(x=float("nan")), r"values\['x'\] must be one finite number"),
    (broken(x=[1.0, 2.0]), r"values\['x'\] must be one finite number"),
    (broken(f=1.3), r"values\['f'\] must lie in \[0, 1\] \(a sigmoid output\)"),
    (broken(g=-1.5), r"values\['g'\] must lie in \[-1, 1\] \(a tanh output\)"),
    (broken(c=9.0), r"f \* c_prev \+ i \* g"),
    (broken(h=0.0), r"o \* tanh\(c\)"),
])
def test_rejects_bad_values_with_a_clear_message(values, message):
    with pytest.raises(ValueError, match=message):
        plot_lstm_cell(values)


def test_value_names_are_the_documented_nine():
    assert VALUE_NAMES == ("x", "h_prev", "c_prev", "i", "f", "g", "o", "c", "h")
