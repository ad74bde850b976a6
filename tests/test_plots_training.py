"""The figures of lesson 08: each returns a labelled Axes, draws into a given one, and rejects bad input."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lstm_core.plots.training import (  # noqa: E402
    moving_average,
    plot_adding_predictions,
    plot_eval_curves,
    plot_next_char_probs,
    plot_training_curves,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def labelled(ax):
    return bool(ax.get_xlabel()) and bool(ax.get_ylabel())


def test_moving_average():
    np.testing.assert_allclose(moving_average([1.0, 2.0, 3.0, 4.0], 2), [1.5, 2.5, 3.5])
    np.testing.assert_allclose(moving_average([1.0, 2.0], 1), [1.0, 2.0])
    np.testing.assert_allclose(moving_average([1.0, 3.0], 10), [2.0])  # window capped at the length
    with pytest.raises(ValueError, match="window"):
        moving_average([1.0], 0)


def test_training_curves_smooth_each_run_and_draw_the_baseline():
    ax = plot_training_curves({"LSTM": np.linspace(1, 0, 50), "RNN": np.ones(50)}, window=10,
                              baseline=0.5, baseline_label="always 1", log=True)
    assert labelled(ax)
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["LSTM", "RNN", "always 1"]
    assert len(ax.get_lines()[0].get_xdata()) == 41
    assert ax.get_lines()[0].get_xdata()[0] == 10  # the first average covers steps 1..10
    assert ax.get_yscale() == "log"


def test_eval_curves_draw_seeds_thin_their_median_thick_and_the_references():
    steps = [0, 100, 200]
    seeds = np.array([[1.0, 0.5, 0.1], [1.0, 0.3, 0.2], [1.0, 0.4, 0.3]])  # (S, N)
    ax = plot_eval_curves(steps, {"LSTM": seeds, "RNN": [1.0, 0.9, 0.8]}, log=True, mark_step=100,
                          baselines={"1/6": 1 / 6, "1/12": 1 / 12}, ylabel="held-out MSE")
    assert labelled(ax) and ax.get_yscale() == "log"
    lines = ax.get_lines()
    assert len(lines) == 3 + 1 + 1 + 2 + 1  # three seeds, their median, the RNN, two baselines, the mark
    np.testing.assert_allclose(lines[3].get_ydata(), [1.0, 0.4, 0.2])  # the median of the seeds
    assert lines[3].get_linewidth() > lines[0].get_linewidth()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["LSTM", "RNN", "1/6", "1/12", "best"]
    assert {lines[5].get_linestyle(), lines[6].get_linestyle()} == {"--", ":"}


def test_adding_predictions_scatter_every_point():
    y = np.linspace(0, 2, 30)[:, None]
    ax = plot_adding_predictions(y, y + 0.1)
    assert labelled(ax)
    assert ax.collections[0].get_offsets().shape == (30, 2)


def test_next_char_probs_draws_the_top_bars_in_order():
    probs = np.array([0.1, 0.6, 0.3])
    ax = plot_next_char_probs(probs, ["a", " ", "\n"], top=2)
    assert labelled(ax)
    heights = [patch.get_height() for patch in ax.patches]
    np.testing.assert_allclose(heights, [0.6, 0.3])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["' '", "'\\n'"]


@pytest.mark.parametrize("draw", [
    lambda ax: plot_training_curves({"a": [1.0, 2.0]}, ax=ax),
    lambda ax: plot_adding_predictions([1.0], [1.0], ax=ax),
    lambda ax: plot_eval_curves([0, 1], {"a": [1.0, 2.0]}, ax=ax),
    lambda ax: plot_next_char_probs([1.0], ["a"], ax=ax),
])
def test_draws_into_the_given_axes(draw):
    _, ax = plt.subplots()
    assert draw(ax) is ax


def test_bad_input_is_rejected_with_a_clear_message():
    with pytest.raises(ValueError, match="empty"):
        plot_training_curves({})
    with pytest.raises(ValueError, match="NaN"):
        plot_training_curves({"a": [1.0, np.nan]})
    with pytest.raises(ValueError, match="shape"):
        plot_adding_predictions(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="empty"):
        plot_eval_curves([0, 1], {})
    with pytest.raises(ValueError, match="steps has 2"):
        plot_eval_curves([0, 1], {"a": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match="positive"):
        plot_eval_curves([0, 1], {"a": [1.0, 0.0]}, log=True)
    with pytest.raises(ValueError, match="2-D"):
        plot_eval_curves([0, 1], {"a": np.ones((2, 2, 2))})
    with pytest.raises(ValueError, match="sum to 1"):
        plot_next_char_probs([0.5, 0.6], ["a", "b"])
    with pytest.raises(ValueError, match="chars has"):
        plot_next_char_probs([0.5, 0.5], ["a"])
