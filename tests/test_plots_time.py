"""The figures of lessons 05 and 10: each returns a labelled Axes, draws into a given one, refuses bad input."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from lstm_core.plots.time import (
    plot_gradient_agreement,
    plot_gradient_heatmap,
    plot_gradient_norms,
    plot_truncation_error,
    plot_unrolled_cells,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _grads(rng, scale=1.0):
    return {"w_xi": scale * rng.standard_normal((3, 2)), "b_f": scale * rng.standard_normal(3),
            "w_ho": scale * rng.standard_normal((3, 3)), "x": scale * rng.standard_normal((4, 1, 2)),
            "c0": scale * rng.standard_normal((1, 3))}


def _calls(rng):
    grads = _grads(rng)
    return [
        lambda ax: plot_gradient_heatmap(np.abs(rng.standard_normal((6, 4))), ax=ax),
        lambda ax: plot_gradient_norms({"b_f = 0": np.exp(-np.arange(5.0)), "b_f = 3": np.ones(5)}, ax=ax),
        lambda ax: plot_truncation_error([1, 2, 4], [0.5, 0.2, 0.0], [0.8, 0.95, 1.0], ax=ax),
        lambda ax: plot_gradient_agreement(grads, {k: v + 1e-3 for k, v in grads.items()}, ax=ax),
        lambda ax: plot_truncation_error([1, 2], [0.5, 0.0], [0.8, 1.0], chunked=([0.7, 0.0], [0.6, 1.0]), ax=ax),
    ]


@pytest.mark.parametrize("index", range(5))
def test_returns_labelled_axes_and_uses_given_ax(index):
    rng = np.random.default_rng(index)
    fig, ax = plt.subplots()
    returned = _calls(rng)[index](ax)
    assert returned is ax
    assert ax.get_xlabel() and ax.get_ylabel()


@pytest.mark.parametrize("index", range(5))
def test_makes_its_own_figure(index):
    rng = np.random.default_rng(index)
    ax = _calls(rng)[index](None)
    assert isinstance(ax, matplotlib.axes.Axes)
    assert ax.get_xlabel() and ax.get_ylabel()


def test_heatmap_puts_time_on_x_and_units_on_y():
    ax = plot_gradient_heatmap(np.full((7, 3), 0.5))
    image = ax.get_images()[0]
    assert image.get_array().shape == (3, 7)
    assert ax.get_xlabel() == "time step t"


@pytest.mark.parametrize(("values", "message"), [
    (np.ones(5), "2-D"),
    (-np.ones((3, 2)), "magnitudes"),
    (np.array([[1.0, np.nan]]), "NaN"),
    (np.ones((0, 3)), "empty"),
])
def test_heatmap_rejects_bad_values(values, message):
    with pytest.raises(ValueError, match=message):
        plot_gradient_heatmap(values)


def test_heatmap_rejects_bad_colour_range():
    with pytest.raises(ValueError, match="vmin"):
        plot_gradient_heatmap(np.ones((2, 2)), vmin=1.0, vmax=0.1)


def test_gradient_norms_rejects_empty_and_2d():
    with pytest.raises(ValueError, match="empty"):
        plot_gradient_norms({})
    with pytest.raises(ValueError, match="1-D"):
        plot_gradient_norms({"a": np.ones((2, 2))})


def test_truncation_error_draws_two_curves_and_checks_lengths():
    ax = plot_truncation_error([1, 2, 3], [0.3, 0.1, 0.0], [0.9, 0.99, 1.0])
    assert len(ax.get_legend().get_texts()) == 2
    with pytest.raises(ValueError, match="one length"):
        plot_truncation_error([1, 2, 3], [0.3, 0.1], [0.9, 0.99, 1.0])
    with pytest.raises(ValueError, match="NaN"):
        plot_truncation_error([1, 2], [np.inf, 0.1], [0.9, 1.0])


def test_agreement_plots_every_element():
    rng = np.random.default_rng(0)
    grads = _grads(rng)
    ax = plot_gradient_agreement(grads, grads)
    plotted = sum(len(collection.get_offsets()) for collection in ax.collections)
    assert plotted == sum(a.size for a in grads.values())


def test_agreement_rejects_mismatched_dicts():
    rng = np.random.default_rng(1)
    grads = _grads(rng)
    with pytest.raises(ValueError, match="different tensors"):
        plot_gradient_agreement(grads, {k: v for k, v in grads.items() if k != "x"})
    with pytest.raises(ValueError, match="shapes differ"):
        plot_gradient_agreement(grads, {**grads, "w_xi": grads["w_xi"].T})
    with pytest.raises(ValueError, match="empty"):
        plot_gradient_agreement({}, {})


def test_truncation_error_draws_the_chunked_variant_dashed():
    ax = plot_truncation_error([1, 2, 3], [0.3, 0.1, 0.0], [0.9, 0.99, 1.0], chunked=([0.3, 0.2, 0.0], [0.9, 0.9, 1.0]))
    assert len(ax.get_legend().get_texts()) == 4
    assert [line.get_linestyle() for line in ax.lines[-2:]] == ["--", "--"]
    with pytest.raises(ValueError, match="chunked"):
        plot_truncation_error([1, 2], [0.3, 0.1], [0.9, 1.0], chunked=([0.3, 0.1],))
    with pytest.raises(ValueError, match="chunked rel_dist"):
        plot_truncation_error([1, 2], [0.3, 0.1], [0.9, 1.0], chunked=([0.3], [0.9, 1.0]))


def test_agreement_gates_have_their_own_hollow_marker():
    rng = np.random.default_rng(2)
    grads = {"w_xi": rng.standard_normal((2, 2)), "w_xf": rng.standard_normal((2, 2))}
    ax = plot_gradient_agreement(grads, grads)
    paths = [collection.get_paths()[0].vertices.shape for collection in ax.collections]
    assert paths[0] != paths[1]  # circle and square
    assert all(len(collection.get_facecolor()) == 0 or collection.get_facecolor()[0][3] == 0
               for collection in ax.collections)


@pytest.mark.parametrize("path", ["all", "direct", "through h", "none"])
def test_unrolled_cells_draws_every_path_and_labels_it(path):
    ax = plot_unrolled_cells(3, path=path)
    texts = [t.get_text() for t in ax.texts]
    assert {"×", "+", "tanh"} <= set(texts)  # the opened cell: x f, + i g, tanh, x o
    assert texts.count("×") == 6 and texts.count("+") == 3
    assert "L₃" in texts and "x₁" in texts
    assert ("highlighted" in ax.get_title()) == (path in ("direct", "through h"))
    dashed = [p for p in ax.patches if hasattr(p, "get_linestyle") and p.get_linestyle() not in ("-", "solid")]
    assert (len(dashed) == 0) == (path == "none")


def test_unrolled_cells_highlight_greys_the_other_path():
    colours = {}
    for path in ("direct", "through h"):
        ax = plot_unrolled_cells(2, path=path)
        labels = {t.get_text(): t.get_color() for t in ax.texts}
        colours[path] = labels["⊙ f"], labels["dz"]
    assert colours["direct"][0] != colours["direct"][1]
    assert colours["direct"] == colours["through h"][::-1]


@pytest.mark.parametrize("bad", [0, 7, 2.5])
def test_unrolled_cells_rejects_bad_num_steps(bad):
    with pytest.raises(ValueError, match="num_steps"):
        plot_unrolled_cells(bad)


def test_unrolled_cells_rejects_an_unknown_path():
    with pytest.raises(ValueError, match="path must be one of"):
        plot_unrolled_cells(3, path="both")
