"""The figures of lessons 01-02: each returns a labelled Axes, draws into a given one, refuses bad input."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from lstm_core.plots.forward import (
    plot_activations,
    plot_difference_errors,
    plot_loss_slice,
    plot_loss_vs_output,
    plot_memory_trace,
    plot_unit_over_time,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


T = 12
GRID = np.linspace(-2.0, 2.0, 21)
STATES = {"i": np.full(T, 0.1), "f": np.full(T, 0.9), "c": 0.9 ** np.arange(T), "h": 0.5 * 0.9 ** np.arange(T)}
CALLS = {
    "activations": lambda ax: plot_activations(GRID, ax=ax),
    "unit over time": lambda ax: plot_unit_over_time(np.eye(T)[2], STATES, ax=ax, title="pulse"),
    "memory trace": lambda ax: plot_memory_trace(STATES["c"], STATES["f"], pulse_step=1, ax=ax),
    "loss vs output": lambda ax: plot_loss_vs_output(GRID, 0.5, -0.3, ax=ax),
    "loss slice": lambda ax: plot_loss_slice(GRID, 0.5 * GRID**2, 1.0, 1.0, 1.0 + 1e-9, ax=ax, name="w_xo"),
    "difference errors": lambda ax: plot_difference_errors(10.0 ** -np.arange(1, 6),
                                                           {"one-sided": 10.0 ** -np.arange(1, 6),
                                                            "centred": np.r_[1e-2, 1e-4, 1e-6, 0.0, 1e-9]},
                                                           ax=ax),
}


@pytest.mark.parametrize("name", CALLS)
def test_draws_into_the_given_axes_with_labels(name):
    fig, ax = plt.subplots()
    returned = CALLS[name](ax)
    assert returned is ax
    assert ax.get_xlabel() and ax.get_ylabel()
    assert ax.lines or ax.patches or ax.collections


@pytest.mark.parametrize("name", CALLS)
def test_makes_its_own_figure(name):
    ax = CALLS[name](None)
    assert isinstance(ax, matplotlib.axes.Axes)
    assert ax.get_xlabel() and ax.get_ylabel()


def test_gates_at_equal_values_stay_distinguishable():
    same = np.full(T, 0.88)
    ax = plot_unit_over_time(np.zeros(T), {"f": same, "o": same, "i": same, "g": same})
    styles = {(line.get_linestyle(), line.get_marker()) for line in ax.lines}
    assert len(styles) == 4, "two gates share a dash pattern and marker"


def test_difference_errors_axis_grows_to_the_right():
    ax = CALLS["difference errors"](None)
    left, right = ax.get_xlim()
    assert left < right and ax.get_xscale() == "log"
    assert "right" in ax.get_xlabel()


def test_loss_slice_tangent_has_the_given_slope():
    ax = plot_loss_slice(GRID, 0.5 * GRID**2, 1.0, 1.0, 1.0)
    tangent = ax.lines[1]
    xs, ys = tangent.get_xdata(), tangent.get_ydata()
    assert np.isclose((ys[1] - ys[0]) / (xs[1] - xs[0]), 1.0)
    assert np.isclose(np.interp(1.0, xs, ys), 0.5)  # touches the curve at w


@pytest.mark.parametrize("call, message", [
    (lambda: plot_activations(np.array([1.0, 0.0, 2.0])), "increasing"),
    (lambda: plot_activations(np.ones((2, 3))), "1-D"),
    (lambda: plot_unit_over_time(np.zeros(T), {"c": np.zeros(T + 1)}), "expected 12"),
    (lambda: plot_unit_over_time(np.zeros(T), {}), "empty"),
    (lambda: plot_memory_trace(np.zeros(T), np.zeros(T), pulse_step=0), "pulse_step"),
    (lambda: plot_memory_trace(np.r_[np.zeros(T - 1), np.nan], np.zeros(T), pulse_step=1), "NaN"),
    (lambda: plot_loss_vs_output(GRID, np.inf, 0.0), "finite"),
    (lambda: plot_loss_slice(GRID, GRID[:-1], 0.0, 1.0, 1.0), "loss has 20 values"),
    (lambda: plot_difference_errors(np.array([1e-1, 0.0]), {"c": np.ones(2)}), "positive"),
    (lambda: plot_difference_errors(np.array([1e-1, 1e-2]), {}), "empty"),
])
def test_rejects_bad_input_with_a_clear_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()
