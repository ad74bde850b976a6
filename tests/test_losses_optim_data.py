"""Losses (value, gradient and sign), optimisers, clipping, read-out and the data tasks."""

import numpy as np
import pytest

from lstm_core import (
    adam_init,
    adam_step,
    check_gradients,
    clip_grad_norm,
    data,
    global_norm,
    init_readout,
    mse_loss,
    readout_backward,
    readout_forward,
    relative_error,
    sgd_step,
    softmax,
    softmax_cross_entropy,
)


def test_mse_value_and_sign():
    loss, dy = mse_loss(np.array([3.0, 1.0]), np.array([1.0, 1.0]))
    assert loss == pytest.approx(2.0)  # 1/2 * (2^2 + 0)
    np.testing.assert_array_equal(dy, [2.0, 0.0])  # h - y, not y - h
    loss_mean, dy_mean = mse_loss(np.array([3.0, 1.0]), np.array([1.0, 1.0]), reduction="mean")
    assert loss_mean == pytest.approx(1.0)
    np.testing.assert_array_equal(dy_mean, [1.0, 0.0])


@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_loss_gradients_numerically(reduction, rng):
    y_pred, y = rng.standard_normal((3, 2, 4)), rng.standard_normal((3, 2, 4))
    _, dy = mse_loss(y_pred, y, reduction)
    rows = check_gradients(lambda: mse_loss(y_pred, y, reduction)[0], {"y_pred": y_pred}, {"y_pred": dy})
    assert rows[0].ok
    logits, targets = rng.standard_normal((3, 2, 5)), rng.integers(0, 5, (3, 2))
    _, dlogits = softmax_cross_entropy(logits, targets, reduction)
    rows = check_gradients(lambda: softmax_cross_entropy(logits, targets, reduction)[0],
                           {"logits": logits}, {"logits": dlogits})
    assert rows[0].ok


def test_cross_entropy_of_uniform_logits():
    loss, _ = softmax_cross_entropy(np.zeros((4, 10)), np.arange(4))
    assert loss == pytest.approx(np.log(10))
    assert np.allclose(softmax(np.array([[1000.0, 1000.0]])), 0.5)  # stable for large logits


def test_readout_gradients(rng):
    readout = init_readout(4, 3, rng)
    h = rng.standard_normal((5, 2, 4))
    dy_up = rng.standard_normal((5, 2, 3))
    dh, grads = readout_backward(dy_up, h, readout["w_y"])

    def loss():
        return float(np.sum(readout_forward(h, readout["w_y"], readout["b_y"]) * dy_up))

    rows = check_gradients(loss, {**readout, "h": h}, {**grads, "h": dh})
    assert all(r.ok for r in rows)


def test_relative_error_floor():
    assert relative_error(np.array([1e-20]), np.array([0.0])) < 1e-11  # both ~0: floor keeps it small
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(np.array([1.0]), np.array([-1.0])) == pytest.approx(1.0)
    # a tiny entry with round-off-sized absolute error does not dominate the tensor's error
    assert relative_error(np.array([1.0, 1e-9]), np.array([1.0, 1.1e-9])) < 1e-9


def test_clip_grad_norm_scales_only_when_needed():
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([[4.0]])}
    clipped, norm = clip_grad_norm(grads, 1.0)
    assert norm == pytest.approx(5.0)
    assert global_norm(clipped) == pytest.approx(1.0)
    np.testing.assert_allclose(clipped["a"], [0.6, 0.0])  # same direction
    np.testing.assert_array_equal(grads["a"], [3.0, 0.0])  # input untouched
    same, _ = clip_grad_norm(grads, 10.0)
    np.testing.assert_array_equal(same["b"], grads["b"])


def test_sgd_and_adam_minimise_a_quadratic():
    for step in ("sgd", "adam"):
        params = {"w": np.array([3.0, -2.0])}
        state = adam_init(params)
        for _ in range(500):
            grads = {"w": 2 * params["w"]}  # d/dw |w|^2
            if step == "sgd":
                sgd_step(params, grads, 0.1)
            else:
                adam_step(params, grads, state, learning_rate=0.05)
        assert np.linalg.norm(params["w"]) < 1e-2, step


def test_adam_first_step_is_learning_rate_times_sign():
    params = {"w": np.array([1.0, -1.0])}
    adam_step(params, {"w": np.array([0.5, -3.0])}, adam_init(params), learning_rate=0.1)
    np.testing.assert_allclose(params["w"], [0.9, -0.9], rtol=1e-6)


def test_optimiser_rejects_mismatched_grads():
    with pytest.raises(KeyError, match="grads has no entry for"):
        sgd_step({"w": np.zeros(2)}, {}, 0.1)
    with pytest.raises(ValueError, match=r"grads\['w'\] has shape \(3,\) but expected \(2,\)"):
        sgd_step({"w": np.zeros(2)}, {"w": np.zeros(3)}, 0.1)


def test_tasks_shapes_and_reproducibility():
    x, y = data.sine_task(np.random.default_rng(0), 20, 3)
    assert x.shape == (20, 3, 1) and y.shape == (20, 3, 1)
    np.testing.assert_array_equal(x[1:], y[:-1])  # the target is the next input
    x1, y1 = data.adding_problem(np.random.default_rng(5), 10, 4)
    x2, y2 = data.adding_problem(np.random.default_rng(5), 10, 4)
    np.testing.assert_array_equal(x1, x2)
    assert x1.shape == (10, 4, 2) and y1.shape == (4, 1)
    assert np.all(x1[:, :, 1].sum(axis=0) == 2)  # two markers per sequence
    np.testing.assert_allclose(y1[:, 0], (x1[:, :, 0] * x1[:, :, 1]).sum(axis=0))
    x3, targets = data.copy_task(np.random.default_rng(1), num_symbols=3, delay=2, batch_size=2)
    assert x3.shape == (9, 2, 6) and targets.shape == (9, 2)
    np.testing.assert_array_equal(targets[6:], x3[:3].argmax(axis=-1))


def test_text_round_trip_and_batches():
    text = data.load_text()
    assert len(text) > 5000 and "Shall I compare thee" in text
    chars, index = data.char_vocab(text)
    encoded = data.encode(text, index)
    assert data.decode(encoded[:40], chars) == text[:40]
    batches = list(data.text_batches(encoded, num_steps=25, batch_size=4))
    inputs, targets = batches[0]
    assert inputs.shape == (25, 4)
    np.testing.assert_array_equal(inputs[1:], targets[:-1])
    np.testing.assert_array_equal(batches[1][0][0], batches[0][1][-1])  # streams continue


def test_text_is_45_sonnets_of_14_lines():
    sonnets = data.load_text().strip("\n").split("\n\n")
    assert len(sonnets) == 45
    assert all(len(sonnet.split("\n")) == 14 for sonnet in sonnets)


def test_split_text_keeps_the_order_and_every_character():
    train, heldout = data.split_text("abcdefghij", train_fraction=0.7)
    assert (train, heldout) == ("abcdefg", "hij")
    text = data.load_text()
    train, heldout = data.split_text(text)
    assert train + heldout == text and len(train) == int(0.9 * len(text))
    for bad in (0.0, 1.0, 1.5):
        with pytest.raises(ValueError, match="train_fraction"):
            data.split_text(text, bad)
    with pytest.raises(ValueError, match="too short"):
        data.split_text("ab", 0.1)


def test_marked_values_are_the_two_summands_in_time_order():
    x, y = data.adding_problem(np.random.default_rng(3), 12, 50)
    values = data.marked_values(x)
    assert values.shape == (50, 2)
    np.testing.assert_allclose(values.sum(axis=1), y[:, 0])
    steps = np.argwhere(x[:, :, 1].T == 1)  # (2B, 2): (sequence, step) pairs in order
    np.testing.assert_array_equal(values[:, 0], x[steps[0::2, 1], np.arange(50), 0])  # the earlier mark first
    with pytest.raises(ValueError, match=r"\(T, B, 2\)"):
        data.marked_values(np.zeros((5, 3)))
    x[0, 0, 1] = 1.0 - x[0, 0, 1]  # a third marker (or one fewer)
    with pytest.raises(ValueError, match="exactly two"):
        data.marked_values(x)


def test_precomputed_results_name_their_command():
    for name in ("adding_sweep", "char_long_run"):
        result = data.load_precomputed(name)
        assert result["command"].split()[-1].startswith("benchmarks/lesson08_")
    with pytest.raises(ValueError, match="no precomputed result"):
        data.load_precomputed("no_such_result")
