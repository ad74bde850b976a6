"""The figures of lesson 07: each returns a labelled Axes, draws into a given one, and rejects bad input."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lstm_core.plots.vanishing import (  # noqa: E402
    plot_clipping,
    plot_clipping_runs,
    plot_forget_products,
    plot_gradient_norms,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def norms(rate, steps=20):
    return rate ** np.arange(steps + 1)


def labelled(ax):
    return bool(ax.get_xlabel()) and bool(ax.get_ylabel())


def test_gradient_norms_draws_each_curve_on_a_log_axis():
    ax = plot_gradient_norms({"RNN": norms(0.5), "LSTM": norms(0.99)}, styles={"LSTM": {"linestyle": "--"}})
    assert labelled(ax)
    assert ax.get_yscale() == "log"
    assert [line.get_label() for line in ax.get_lines()] == ["RNN", "LSTM"]
    assert ax.get_lines()[1].get_linestyle() == "--"
    np.testing.assert_array_equal(ax.get_lines()[0].get_xdata(), np.arange(21))


def test_clipping_draws_before_after_and_threshold():
    ax = plot_clipping([0.5, 1.0, 2.0], [1.0, 10.0, 1e4], [1.0, 5.0, 5.0], 5.0)
    assert labelled(ax)
    assert len(ax.get_lines()) == 3
    assert ax.get_yscale() == "log"


def test_forget_products_draws_f_to_the_k():
    ax = plot_forget_products([0.5, 0.9], 10)
    assert labelled(ax)
    np.testing.assert_allclose(ax.get_lines()[1].get_ydata(), 0.9 ** np.arange(11))


@pytest.mark.parametrize("draw", [
    lambda ax: plot_gradient_norms({"a": norms(0.5)}, ax=ax),
    lambda ax: plot_clipping([1.0], [2.0], [1.0], 1.0, ax=ax),
    lambda ax: plot_forget_products([0.5], 3, ax=ax),
])
def test_draws_into_the_given_axes(draw):
    _, ax = plt.subplots()
    assert draw(ax) is ax


@pytest.mark.parametrize("curves, message", [
    ({}, "empty"),
    ({"a": np.ones((3, 2))}, "1-D"),
    ({"a": [1.0, 0.0]}, "positive"),
    ({"a": [1.0, np.nan]}, "finite"),
])
def test_gradient_norms_rejects_bad_curves(curves, message):
    with pytest.raises(ValueError, match=message):
        plot_gradient_norms(curves)


def test_clipping_rejects_mismatched_lengths_and_threshold():
    with pytest.raises(ValueError, match="one length"):
        plot_clipping([1.0, 2.0], [1.0], [1.0], 1.0)
    with pytest.raises(ValueError, match="max_norm"):
        plot_clipping([1.0], [1.0], [1.0], 0.0)


def test_forget_products_rejects_values_outside_the_unit_interval():
    with pytest.raises(ValueError, match=r"\(0, 1\]"):
        plot_forget_products([1.5], 10)
    with pytest.raises(ValueError, match="num_steps"):
        plot_forget_products([0.5], 0)


def test_clipping_runs_marks_a_diverged_run_with_a_cross():
    ax = plot_clipping_runs({"clipped": np.linspace(1.0, 0.1, 50), "no clipping": [1.0, 5.0, 1e3]}, 50)
    assert labelled(ax) and ax.get_yscale() == "log"
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels[0] == "clipped" and labels[1] == "no clipping (diverged at step 3)"
    assert len(ax.get_lines()) == 3  # two curves and the cross at the diverged run's last step
    assert ax.get_lines()[2].get_marker() == "x"


def test_clipping_runs_draws_into_a_given_axes():
    fig, ax = plt.subplots()
    assert plot_clipping_runs({"run": [1.0, 0.5]}, 2, ax=ax) is ax


@pytest.mark.parametrize("curves, num_steps, message", [
    ({}, 5, "curves is empty"),
    ({"run": [1.0, 0.5]}, 0, "num_steps must be a positive integer"),
    ({"run": [1.0, 0.5, 0.2]}, 2, "has 3 values but num_steps is 2"),
    ({"run": [1.0, np.inf]}, 5, "finite"),
    ({"run": [1.0, -1.0]}, 5, "positive"),
])
def test_clipping_runs_rejects_bad_input(curves, num_steps, message):
    with pytest.raises(ValueError, match=message):
        plot_clipping_runs(curves, num_steps)
