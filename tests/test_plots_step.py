"""The figures of lessons 03-04: each returns a labelled Axes, draws into a given one, refuses bad input."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lstm_core.plots.step import (  # noqa: E402
    GRADIENT_LABELS,
    GRADIENT_NAMES,
    plot_batch_contributions,
    plot_batch_scaling,
    plot_gate_gradients,
    plot_gradient_sweep,
    plot_weight_gradient,
)

GRADIENTS = dict(zip(GRADIENT_NAMES, (0.5, -0.2, 0.1, 0.0, 0.3, -0.15), strict=True))
SWEPT = np.linspace(0.0, 1.0, 11)
CURVES = {"dc_prev": SWEPT * 0.4, "df": 1.0 - SWEPT}
DZ, X = np.array([0.2, -0.1, 0.05, 0.3]), np.array([1.0, -1.5, 0.5])
SIZES = np.array([1, 4, 16, 64])
SCALING = (SIZES, np.sqrt(SIZES * 0.04 + SIZES**2 * 0.0025), 0.2 * np.sqrt(SIZES), 0.2 / np.sqrt(SIZES), 0.05, 0.2)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


CALLS = {
    "gate bars": lambda ax: plot_gate_gradients(GRADIENTS, ax=ax),
    "sweep": lambda ax: plot_gradient_sweep(SWEPT, CURVES, ax=ax, xlabel="forget gate f", marker=0.5),
    "outer product": lambda ax: plot_weight_gradient(np.outer(DZ, X), DZ, X, ax=ax, title="dE/dw_xo"),
    "batch terms": lambda ax: plot_batch_contributions(np.array([0.1, -0.3, 0.2]), ax=ax, max_batch=8),
    "batch scaling": lambda ax: plot_batch_scaling(*SCALING, ax=ax),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_returns_labelled_axes(name):
    ax = CALLS[name](None)
    assert isinstance(ax, plt.Axes)
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()


@pytest.mark.parametrize("name", list(CALLS))
def test_draws_into_the_given_axes(name):
    _, ax = plt.subplots()
    assert CALLS[name](ax) is ax
    assert ax.lines or ax.patches or ax.images


def test_gate_bars_one_per_gradient_in_order_with_a_fixed_limit():
    ax = plot_gate_gradients(GRADIENTS, limit=2.0)
    heights = [patch.get_height() for patch in ax.patches]
    assert heights == pytest.approx([GRADIENTS[n] for n in GRADIENT_NAMES])
    assert ax.get_ylim() == pytest.approx((-2.0, 2.0))
    assert len(ax.get_xticklabels()) == len(GRADIENT_NAMES)


def test_gate_bars_accept_numpy_scalars_and_zeros():
    ax = plot_gate_gradients({n: np.float64(0.0) for n in GRADIENT_NAMES})
    assert all(patch.get_height() == 0 for patch in ax.patches)


@pytest.mark.parametrize("bad, message", [
    ({n: 0.1 for n in GRADIENT_NAMES[:-1]}, "exactly the names"),
    ({**GRADIENTS, "dx": 1.0}, "exactly the names"),
    ({**GRADIENTS, "df": np.nan}, "finite"),
    ({**GRADIENTS, "do": np.ones(3)}, "one finite number"),
])
def test_gate_bars_reject_bad_input(bad, message):
    with pytest.raises(ValueError, match=message):
        plot_gate_gradients(bad)


def test_gate_bars_reject_a_bad_limit():
    with pytest.raises(ValueError, match="limit"):
        plot_gate_gradients(GRADIENTS, limit=-1.0)


def test_sweep_one_labelled_curve_per_gradient():
    ax = plot_gradient_sweep(SWEPT, CURVES)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == [GRADIENT_LABELS[n] for n in CURVES]


@pytest.mark.parametrize("values, curves, message", [
    (SWEPT[::-1], CURVES, "increasing"),
    (SWEPT, {"df": np.ones(5)}, "shape"),
    (SWEPT, {}, "empty"),
    (SWEPT, {"df": np.full(11, np.inf)}, "NaN or inf"),
    (np.ones((2, 11)), CURVES, "1-D"),
])
def test_sweep_rejects_bad_input(values, curves, message):
    with pytest.raises(ValueError, match=message):
        plot_gradient_sweep(values, curves)


def test_outer_product_shows_the_matrix_and_its_factors():
    dw = np.outer(DZ, X)
    ax = plot_weight_gradient(dw, DZ, X, limit=0.5)
    image = ax.images[0]
    assert np.allclose(image.get_array(), dw)
    assert image.get_clim() == pytest.approx((-0.5, 0.5))
    assert len(ax.texts) == dw.size
    assert [t.get_text() for t in ax.get_xticklabels()] == ["+1.00", "-1.50", "+0.50"]


@pytest.mark.parametrize("dw, rows, cols, message", [
    (np.outer(DZ, X).T, DZ, X, "shape"),
    (np.outer(DZ, X), DZ[:3], X, "shape"),
    (np.outer(DZ, X)[0], DZ, X, "2-D"),
    (np.full((4, 3), np.nan), DZ, X, "NaN or inf"),
])
def test_outer_product_rejects_bad_input(dw, rows, cols, message):
    with pytest.raises(ValueError, match=message):
        plot_weight_gradient(dw, rows, cols)


def test_batch_terms_running_mean_and_running_sum():
    terms = np.array([0.1, -0.3, 0.2, 0.4])
    ax = plot_batch_contributions(terms, limit=1.0, max_batch=10, expected=0.05, sum_limit=2.0)
    assert len(ax.patches) == terms.size
    assert np.allclose(ax.lines[0].get_ydata(), np.cumsum(terms) / np.arange(1, 5))  # the running mean
    assert np.allclose(ax.right_ax.lines[0].get_ydata(), np.cumsum(terms))  # the running sum, right axis
    assert ax.right_ax.get_ylim() == pytest.approx((-2.0, 2.0))
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "running mean (+0.100)" in labels and "expected term (+0.050)" in labels
    assert any(label.startswith("running sum (+0.40") for label in labels)
    assert ax.get_xlim()[1] == pytest.approx(10.7)


def test_batch_scaling_draws_measures_and_references():
    ax = plot_batch_scaling(*SCALING)
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"RMS of the sum", "σ √B", "σ / √B", "|μ| B"} <= set(labels)
    reference = next(line for line in ax.lines if line.get_label() == "σ √B")
    assert np.allclose(reference.get_ydata(), 0.2 * np.sqrt(SIZES))


@pytest.mark.parametrize("change, message", [
    ({0: np.array([4, 1, 16, 64])}, "increasing"),
    ({1: np.ones(3)}, "sum_rms"),
    ({2: -np.ones(4)}, "positive"),
    ({4: 0.0}, "term_mean"),
    ({5: -0.1}, "term_std"),
])
def test_batch_scaling_rejects_bad_input(change, message):
    args = list(SCALING)
    for position, value in change.items():
        args[position] = value
    with pytest.raises(ValueError, match=message):
        plot_batch_scaling(*args)


def test_sweep_legend_sits_below_the_axes_and_dashes_do():
    ax = plot_gradient_sweep(SWEPT, {"do": SWEPT, "df": SWEPT})
    legend = ax.get_legend()
    assert legend.get_bbox_to_anchor().y0 < ax.get_window_extent().y0  # below: it covers no curve
    assert ax.lines[0].get_linestyle() == "--" and ax.lines[1].get_linestyle() == "-"


@pytest.mark.parametrize("terms, kwargs, message", [
    (np.ones((2, 2)), {}, "1-D"),
    (np.array([]), {}, "non-empty"),
    (np.array([1.0, np.nan]), {}, "NaN or inf"),
    (np.ones(5), {"max_batch": 3}, "max_batch"),
    (np.ones(5), {"expected": np.nan}, "expected"),
    (np.ones(5), {"sum_limit": -1.0}, "sum_limit"),
])
def test_batch_terms_reject_bad_input(terms, kwargs, message):
    with pytest.raises(ValueError, match=message):
        plot_batch_contributions(terms, **kwargs)
