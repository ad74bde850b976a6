"""The plotting functions of lessons 06 and 09: labelled Axes, drawing into a given Axes, clear errors."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lstm_core.plots.checking import (  # noqa: E402
    plot_delta_per_step,
    plot_losses_and_checks,
    plot_report_bars,
    plot_step_size_sweep,
)

EPS = np.logspace(-12, -1, 12)
SWEEP = {"centred": np.linspace(1e-10, 1e-2, 12), "one-sided": np.r_[0.0, np.linspace(1e-8, 1e-1, 11)]}
REPORTS = {"one step": {"w_xi": 1e-9, "b_o": 0.5, "x": 0.0}, "two steps": {"w_xi": 1e-2, "b_o": 1.0, "x": 1e-10}}
CURVES = {"true": [1.0, 0.5, 0.2], "buggy": [1.0, 0.6, 0.3]}
CHECKS = {"true": 1e-9, "buggy": 0.9}


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


CALLS = {
    "sweep": lambda ax: plot_step_size_sweep(EPS, SWEEP, ax=ax),
    "bars": lambda ax: plot_report_bars(REPORTS, ax=ax),
    "losses": lambda ax: plot_losses_and_checks(CURVES, CHECKS, ax=ax),
    "delta": lambda ax: plot_delta_per_step(np.arange(5.0), np.ones(5), 3, ax=ax),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_returns_labelled_axes(name):
    ax = CALLS[name](None)
    assert isinstance(ax, plt.Axes)
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    assert ax.get_legend() is not None


@pytest.mark.parametrize("name", list(CALLS))
def test_draws_into_the_given_axes(name):
    _, ax = plt.subplots()
    assert CALLS[name](ax) is ax
    assert ax.lines or ax.patches


def test_sweep_is_log_log_and_marks_each_minimum():
    ax = plot_step_size_sweep(EPS, SWEEP)
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert len(ax.lines) == 4  # a curve and its minimum for each


def test_bars_one_per_tensor_and_report():
    ax = plot_report_bars(REPORTS)
    assert len(ax.patches) == 6
    assert [t.get_text() for t in ax.get_xticklabels()] == ["w_xi", "b_o", "x"]


def test_losses_legend_gives_the_verdicts():
    texts = [t.get_text() for t in plot_losses_and_checks(CURVES, CHECKS).get_legend().get_texts()]
    assert any("passes" in t for t in texts) and any("FAILS" in t for t in texts)


def test_delta_title_gives_the_gap_at_t():
    assert "+2.0e+00" in plot_delta_per_step(np.arange(5.0), np.zeros(5), 3).get_title()


@pytest.mark.parametrize("call, message", [
    (lambda: plot_step_size_sweep(-EPS, SWEEP), "positive"),
    (lambda: plot_step_size_sweep(EPS, {"c": np.ones(3)}), "expected 12"),
    (lambda: plot_step_size_sweep(EPS[:, None], SWEEP), r"1-D array.*got shape"),
    (lambda: plot_step_size_sweep(EPS, {}), "at least one"),
    (lambda: plot_report_bars({}), "at least one"),
    (lambda: plot_report_bars({"a": {"w_xi": 1.0}, "b": {"b_o": 1.0}}), "expected"),
    (lambda: plot_report_bars(REPORTS, tol=0.0), "positive"),
    (lambda: plot_losses_and_checks(CURVES, {"true": 1e-9}), "labels"),
    (lambda: plot_losses_and_checks({}, {}), "at least one"),
    (lambda: plot_delta_per_step(np.ones(5), np.ones(4), 1), "expected 5"),
    (lambda: plot_delta_per_step(np.ones(5), np.ones(5), 0), "1..5"),
    (lambda: plot_delta_per_step(np.ones((5, 2)), np.ones(5), 1), r"1-D array.*got shape"),
])
def test_rejects_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()
