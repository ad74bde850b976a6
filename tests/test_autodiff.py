"""autograd's gradients of the LSTM equal lstm_backward's element-wise; so do PyTorch's when installed."""

import numpy as np
import pytest

from lstm_core import LSTMParams, format_report, lstm_backward, lstm_forward
from lstm_core.autodiff import (
    agreement_rows,
    autograd_gradients,
    autograd_truncated_gradients,
    hand_gradients,
    lstm_forward_autograd,
    lstm_loss_autograd,
    lstm_truncated_loss_autograd,
    torch_lstm_gradients,
    torch_truncated_gradients,
)
from lstm_core.gradcheck import relative_error
from lstm_core.params import PARAM_NAMES

SHAPES = [  # (T, B, D, H)
    (1, 1, 1, 1),
    (1, 3, 2, 4),
    (4, 1, 3, 2),
    (6, 2, 5, 3),
    (3, 2, 2, 1),
    (9, 4, 3, 6),
]


def _problem(shape, seed, forget_bias=1.0):
    num_steps, batch_size, input_size, hidden_size = shape
    rng = np.random.default_rng(seed)
    params = LSTMParams.init(input_size, hidden_size, rng, forget_bias=forget_bias, scale=0.8)
    for _, array in params:  # non-zero biases too, so no gradient is trivially zero
        if array.ndim == 1:
            array += 0.3 * rng.standard_normal(array.shape)
    x = rng.standard_normal((num_steps, batch_size, input_size))
    h0 = rng.standard_normal((batch_size, hidden_size))
    c0 = rng.standard_normal((batch_size, hidden_size))
    dh_up = rng.standard_normal((num_steps, batch_size, hidden_size))
    return params, x, h0, c0, dh_up


def _hand(params, x, h0, c0, dh_up):
    _, _, cache = lstm_forward(params, x, h0, c0)
    return hand_gradients(*lstm_backward(dh_up, cache))


@pytest.mark.parametrize("shape", SHAPES)
def test_forward_matches_lstm_forward(shape):
    params, x, h0, c0, _ = _problem(shape, seed=0)
    h, c, _ = lstm_forward(params, x, h0, c0)
    h_auto, c_auto = lstm_forward_autograd(dict(params), x, h0, c0)
    np.testing.assert_allclose(h_auto, h, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(c_auto, c, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("seed", [0, 1])
def test_autograd_gradients_equal_lstm_backward(shape, seed):
    params, x, h0, c0, dh_up = _problem(shape, seed)
    hand = _hand(params, x, h0, c0, dh_up)
    auto = autograd_gradients(params, x, h0, c0, dh_up)
    assert list(auto) == [*PARAM_NAMES, "x", "h0", "c0"]
    for name, array in hand.items():
        assert auto[name].shape == array.shape, name
        np.testing.assert_allclose(auto[name], array, rtol=1e-11, atol=1e-14, err_msg=name)
    rows = agreement_rows(hand, auto, tol=1e-12)
    assert all(row.ok for row in rows), format_report(rows)


@pytest.mark.parametrize("forget_bias", [-3.0, 4.0])
def test_agreement_holds_with_closed_and_open_forget_gates(forget_bias):
    params, x, h0, c0, dh_up = _problem((12, 2, 3, 4), seed=5, forget_bias=forget_bias)
    rows = agreement_rows(_hand(params, x, h0, c0, dh_up), autograd_gradients(params, x, h0, c0, dh_up))
    assert all(row.ok for row in rows), format_report(rows)


def test_accepts_a_plain_dict_of_params():
    params, x, h0, c0, dh_up = _problem((3, 2, 2, 3), seed=2)
    from_dict = autograd_gradients(dict(params), x, h0, c0, dh_up)
    from_params = autograd_gradients(params, x, h0, c0, dh_up)
    for name in from_params:
        np.testing.assert_array_equal(from_dict[name], from_params[name])


def test_agreement_rows_flags_a_wrong_tensor():
    params, x, h0, c0, dh_up = _problem((4, 2, 3, 2), seed=3)
    hand = _hand(params, x, h0, c0, dh_up)
    wrong = {**hand, "b_f": 2.0 * hand["b_f"], "w_xo": -hand["w_xo"]}
    rows = {row.name: row for row in agreement_rows(hand, wrong)}
    assert not rows["b_f"].ok and not rows["w_xo"].ok
    assert rows["b_f"].rel_error == pytest.approx(1 / 3)  # ||a|| / (||a|| + ||2a||), lesson 06's measure
    assert rows["w_xo"].rel_error == pytest.approx(1.0)  # opposite signs: the largest possible value
    assert rows["b_f"].max_abs_diff == pytest.approx(np.max(np.abs(hand["b_f"])))
    assert all(row.ok for name, row in rows.items() if name not in ("b_f", "w_xo"))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_agreement_rows_use_lesson_06_relative_error_bounded_by_one(seed):
    rng = np.random.default_rng(seed)
    a = {"w": rng.standard_normal((3, 4)), "b": rng.standard_normal(5)}
    b = {"w": rng.standard_normal((3, 4)) * 10, "b": -3 * a["b"]}
    for row in agreement_rows(a, b):
        assert row.rel_error == relative_error(a[row.name], b[row.name])
        assert 0.0 <= row.rel_error <= 1.0


def test_agreement_rows_rejects_mismatches():
    a = {"w": np.ones((2, 3))}
    with pytest.raises(KeyError, match="missing"):
        agreement_rows(a, {})
    with pytest.raises(ValueError, match="shapes differ"):
        agreement_rows(a, {"w": np.ones((3, 2))})


@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (5, 3, 4, 2), (7, 2, 2, 5)])
def test_torch_lstm_gradients_equal_lstm_backward(shape):
    pytest.importorskip("torch")
    params, x, h0, c0, dh_up = _problem(shape, seed=4)
    h, _, cache = lstm_forward(params, x, h0, c0)
    hand = hand_gradients(*lstm_backward(dh_up, cache))
    h_torch, grads, bias_hh_grad = torch_lstm_gradients(params, x, h0, c0, dh_up)
    np.testing.assert_allclose(h_torch, h, rtol=1e-12, atol=1e-14)
    rows = agreement_rows(hand, grads, tol=1e-12)
    assert all(row.ok for row in rows), format_report(rows)
    db = np.concatenate([hand[f"b_{k}"] for k in "ifgo"])  # (4H,), PyTorch's layout
    np.testing.assert_allclose(bias_hh_grad, db, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (5, 2, 3, 2), (7, 3, 2, 4)])
@pytest.mark.parametrize("truncate", [1, 2, 3, 100])
def test_autograd_with_stopped_state_gradient_equals_truncated_bptt(shape, truncate):
    params, x, h0, c0, dh_up = _problem(shape, seed=6)
    _, _, cache = lstm_forward(params, x, h0, c0)
    hand = hand_gradients(*lstm_backward(dh_up, cache, truncate=truncate))
    auto = autograd_truncated_gradients(params, x, h0, c0, dh_up, truncate)
    rows = agreement_rows(hand, auto, tol=1e-12)
    assert all(row.ok for row in rows), format_report(rows)
    full = autograd_gradients(params, x, h0, c0, dh_up)
    same_as_full = all(row.ok for row in agreement_rows(full, auto, tol=1e-12))
    assert same_as_full == (truncate >= shape[0])  # a shorter window is a different gradient


def test_truncated_loss_has_the_full_loss_value():
    params, x, h0, c0, dh_up = _problem((6, 2, 3, 2), seed=7)
    inputs = {**dict(params), "x": x, "h0": h0, "c0": c0}
    full = lstm_loss_autograd(inputs, dh_up)
    for truncate in (1, 2, 6):
        assert lstm_truncated_loss_autograd(inputs, dh_up, truncate) == pytest.approx(full, rel=1e-13)


@pytest.mark.parametrize("bad", [0, -1, 1.5])
def test_truncated_gradients_reject_bad_truncate(bad):
    params, x, h0, c0, dh_up = _problem((3, 1, 2, 2), seed=0)
    with pytest.raises(ValueError, match="truncate"):
        autograd_truncated_gradients(params, x, h0, c0, dh_up, bad)


@pytest.mark.parametrize("truncate", [1, 3])
def test_torch_detach_equals_truncated_bptt(truncate):
    pytest.importorskip("torch")
    params, x, h0, c0, dh_up = _problem((6, 2, 3, 4), seed=8)
    _, _, cache = lstm_forward(params, x, h0, c0)
    hand = hand_gradients(*lstm_backward(dh_up, cache, truncate=truncate))
    rows = agreement_rows(hand, torch_truncated_gradients(params, x, h0, c0, dh_up, truncate), tol=1e-12)
    assert all(row.ok for row in rows), format_report(rows)
