"""The figures of lesson 11: each returns a labelled Axes, draws into a given one, refuses bad input."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from lstm_core.plots.variants import MODEL_STYLES, plot_backward_paths, plot_gradient_reach


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


REACH = {"LSTM": np.exp(-0.1 * np.arange(20)), "peephole LSTM": np.exp(-0.12 * np.arange(20)),
         "GRU": np.exp(-0.3 * np.arange(20))}
PATHS = {"direct: dh * z": np.linspace(1.0, 0.1, 8), "via r": np.full(8, 1e-3), "via n": np.geomspace(1e-2, 1e-6, 8)}
CALLS = [
    lambda ax: plot_gradient_reach(REACH, ax=ax),
    lambda ax: plot_gradient_reach({"one run": [1.0, 0.5]}, ax=ax, ylim=(1e-3, 10.0)),
    lambda ax: plot_backward_paths(PATHS, ax=ax),
    lambda ax: plot_backward_paths({"carousel": [2.0]}, ax=ax, ylim=(1e-6, 1e1), title="t"),
]


@pytest.mark.parametrize("index", range(len(CALLS)))
def test_returns_labelled_axes_and_uses_given_ax(index):
    fig, ax = plt.subplots()
    returned = CALLS[index](ax)
    assert returned is ax
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    assert ax.get_yscale() == "log"


@pytest.mark.parametrize("index", range(len(CALLS)))
def test_makes_its_own_figure(index):
    ax = CALLS[index](None)
    assert isinstance(ax, matplotlib.axes.Axes)
    assert ax.get_xlabel() and ax.get_ylabel()


def test_reach_draws_one_line_per_model_in_its_fixed_style():
    ax = plot_gradient_reach(REACH)
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == list(REACH)
    for line in lines:
        style = MODEL_STYLES[line.get_label()]
        assert matplotlib.colors.same_color(line.get_color(), style["color"])
        assert line.get_linestyle() == style["linestyle"]
    np.testing.assert_array_equal(lines[0].get_xdata(), np.arange(20))  # x is k, starting at 0
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(REACH)


def test_paths_put_steps_from_one_and_honour_ylim():
    ax = plot_backward_paths(PATHS, ylim=(1e-8, 10.0))
    np.testing.assert_array_equal(ax.get_lines()[0].get_xdata(), np.arange(1, 9))
    assert ax.get_xlabel() == "time step t"
    np.testing.assert_allclose(ax.get_ylim(), (1e-8, 10.0))


@pytest.mark.parametrize("function", [plot_gradient_reach, plot_backward_paths])
@pytest.mark.parametrize(("curves", "message"), [
    ({}, "non-empty dict"),
    ([1.0, 2.0], "non-empty dict"),
    ({"a": np.ones((2, 2))}, r"curves\['a'\] must be a non-empty 1-D"),
    ({"a": []}, r"curves\['a'\] must be a non-empty 1-D"),
    ({"a": [1.0, 0.0]}, "positive"),
    ({"a": [1.0, -1.0]}, "positive"),
    ({"a": [1.0, np.nan]}, "finite"),
])
def test_rejects_bad_curves(function, curves, message):
    with pytest.raises(ValueError, match=message):
        function(curves)


@pytest.mark.parametrize("ylim", [(0.0, 1.0), (1.0, 0.1), (-1.0, 1.0)])
def test_rejects_bad_ylim(ylim):
    with pytest.raises(ValueError, match="ylim"):
        plot_gradient_reach(REACH, ylim=ylim)


def test_paths_need_one_length():
    with pytest.raises(ValueError, match="one value per step"):
        plot_backward_paths({"a": [1.0, 2.0], "b": [1.0, 2.0, 3.0]})


def test_lstm_and_peephole_styles_stay_distinguishable():
    lstm, peephole = MODEL_STYLES["LSTM"], MODEL_STYLES["peephole LSTM"]
    assert lstm["linestyle"] != peephole["linestyle"] and lstm["color"] != peephole["color"]
    assert peephole.get("marker") and not lstm.get("marker")
    fig, ax = plt.subplots()
    same = np.exp(-0.1 * np.arange(20))
    plot_gradient_reach({"LSTM": same, "peephole LSTM": same}, ax=ax)
    drawn = {line.get_label(): line for line in ax.get_lines()}
    assert drawn["LSTM"].get_linewidth() > drawn["peephole LSTM"].get_linewidth()
    assert drawn["peephole LSTM"].get_marker() == "o" and drawn["LSTM"].get_linestyle() == "-"


def test_reach_axis_fits_the_curves_by_default():
    fig, ax = plt.subplots()
    plot_gradient_reach(REACH, ax=ax)
    low, high = ax.get_ylim()
    smallest = min(v.min() for v in REACH.values())
    largest = max(v.max() for v in REACH.values())
    assert smallest / 10 <= low <= smallest and largest <= high <= 10 * largest
