"""Each broken backward pass in lstm_core.course.bugs is caught by check_lstm, and the report localises it."""

import numpy as np
import pytest

from lstm_core import PARAM_NAMES, LSTMParams, check_lstm, lstm_backward, lstm_forward
from lstm_core.course.bugs import (
    BUGS,
    SUMMATION_BUGS,
    gates_swapped_backward,
    gates_swapped_forward,
    reference_backward,
)
from lstm_core.gradcheck import check_gradients

D, H, B = 3, 4, 3
TENSORS = {*PARAM_NAMES, "x", "h0", "c0"}


def gate(k):
    return {f"w_x{k}", f"w_h{k}", f"b_{k}"}


RECURRENT = {f"w_h{k}" for k in "ifgo"}

# tensors that must pass: at one step from a random state, and at two steps from a zero state
EXPECTED_OK = {
    "no cell recurrence": (TENSORS, gate("o") | gate("f") | {"w_hi", "w_hg"}),
    "no hidden recurrence": (TENSORS, gate("f") | {"w_hi", "w_hg", "w_ho"}),
    "tanh applied twice": (gate("o"), {"w_ho"}),
    "sigmoid' of pre-activation": (gate("g") | {"c0"}, {"w_hg"}),
    "output gate sign flipped": (gate("i") | gate("f") | gate("g") | {"c0"}, gate("f") | {"w_hi", "w_hg"}),
    "gates sliced by rows": ({"x", "h0", "c0"}, {"x", "h0", "c0"}),
    "dW_h off by one": (TENSORS - RECURRENT, TENSORS - RECURRENT),
}


def make_case(num_steps, zero_state, seed, batch_size=B):
    rng = np.random.default_rng(seed)
    params = LSTMParams.init(D, H, rng, scale=0.8)
    for name, array in params:
        if name.startswith("b_"):
            array += rng.uniform(-0.5, 0.5, array.shape)
    x = rng.standard_normal((num_steps, batch_size, D))
    h0 = np.zeros((batch_size, H)) if zero_state else 0.5 * rng.standard_normal((batch_size, H))
    c0 = np.zeros((batch_size, H)) if zero_state else rng.standard_normal((batch_size, H))
    return params, x, h0, c0


def passing(backward, num_steps, zero_state, seed):
    rows = check_lstm(*make_case(num_steps, zero_state, seed), np.random.default_rng(seed), backward=backward)
    return {row.name for row in rows if row.ok}


def test_bugs_is_a_dict_of_seven_documented_functions():
    assert len(BUGS) == 7
    for name, bug in BUGS.items():
        assert callable(bug) and bug.__doc__ and len(bug.__doc__.strip()) > 20, name


@pytest.mark.parametrize("seed", [0, 1])
def test_the_shared_loop_without_a_mistake_is_lstm_backward(seed):
    params, x, h0, c0 = make_case(4, False, seed)
    _, _, cache = lstm_forward(params, x, h0, c0)
    dh = np.random.default_rng(seed).standard_normal((4, B, H))
    expected, got = lstm_backward(dh, cache), reference_backward(dh, cache)
    for (name, a), (_, b) in zip(expected[0], got[0], strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-14, err_msg=name)
    for a, b in zip(expected[1:], got[1:], strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", list(BUGS))
def test_bug_has_lstm_backward_shapes(name):
    params, x, h0, c0 = make_case(3, False, 0)
    _, _, cache = lstm_forward(params, x, h0, c0)
    dh = np.ones((3, B, H))
    grads, dx, dh0, dc0 = BUGS[name](dh, cache)
    assert isinstance(grads, LSTMParams)
    assert dx.shape == x.shape and dh0.shape == h0.shape and dc0.shape == c0.shape


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("name", list(BUGS))
def test_each_bug_is_caught_and_localised(name, seed):
    ok_one_step, ok_two_steps = EXPECTED_OK[name]
    one_step = passing(BUGS[name], 1, False, seed)
    two_steps = passing(BUGS[name], 2, True, seed)
    assert one_step == ok_one_step
    assert two_steps == ok_two_steps
    # caught: some tensor fails; localised: some tensor passes, in the same report
    assert two_steps != TENSORS and two_steps
    assert one_step != TENSORS or name in ("no cell recurrence", "no hidden recurrence")


@pytest.mark.parametrize("name", ["no cell recurrence", "no hidden recurrence"])
def test_recurrence_bugs_pass_one_step_and_fail_a_random_sequence(name):
    assert passing(BUGS[name], 1, False, 0) == TENSORS
    assert passing(BUGS[name], 3, False, 0) != TENSORS


def test_gates_sliced_by_rows_hides_with_a_single_row():
    rows = check_lstm(*make_case(1, False, 0, batch_size=1), np.random.default_rng(0),
                      backward=BUGS["gates sliced by rows"])
    assert all(row.ok for row in rows)


def test_output_gate_sign_gives_relative_error_one():
    rows = check_lstm(*make_case(1, False, 0), np.random.default_rng(0), backward=BUGS["output gate sign flipped"])
    assert all(abs(row.rel_error - 1.0) < 1e-6 for row in rows if row.name in gate("o"))


def test_truncation_is_refused():
    params, x, h0, c0 = make_case(3, False, 0)
    _, _, cache = lstm_forward(params, x, h0, c0)
    with pytest.raises(NotImplementedError, match="full BPTT"):
        BUGS["no cell recurrence"](np.ones((3, B, H)), cache, truncate=1)


# --- mistakes in a sum, and a forward-pass mistake that a gradient check cannot see ---

@pytest.mark.parametrize("seed", [0, 1])
def test_overwritten_weight_gradients_hide_at_one_step_and_fail_over_time(seed):
    bug = SUMMATION_BUGS["dW = instead of dW +="]
    assert passing(bug, 1, False, seed) == TENSORS  # no sum over time at T = 1
    assert passing(bug, 2, True, seed) == {"x", "h0", "c0"}  # per-step gradients stay right
    rows = check_lstm(*make_case(2, True, seed), np.random.default_rng(seed), backward=bug)
    # from a zero state step 0's term of dW_h is h0 = 0: only a zero is left, relative error 1
    assert all(abs(row.rel_error - 1.0) < 1e-9 for row in rows if row.name in RECURRENT)


@pytest.mark.parametrize("batch_size", [2, 3, 5])
def test_sum_for_a_batch_mean_is_a_constant_ratio_b(batch_size):
    bug = SUMMATION_BUGS["sum for a batch mean"]
    params, x, h0, c0 = make_case(2, False, 0, batch_size=batch_size)
    rows = check_lstm(params, x, h0, c0, np.random.default_rng(0), backward=bug)
    expected = (batch_size - 1) / (batch_size + 1)
    assert all(abs(row.rel_error - expected) < 1e-6 for row in rows)  # the same error in every row
    _, _, cache = lstm_forward(params, x, h0, c0)
    dh = np.random.default_rng(1).standard_normal((2, batch_size, H))
    (wrong, *wrong_inputs), (right, *right_inputs) = bug(dh, cache), lstm_backward(dh, cache)
    for (name, a), (_, b) in zip(wrong, right, strict=True):
        np.testing.assert_allclose(a, batch_size * b, rtol=1e-12, err_msg=name)
    for a, b in zip(wrong_inputs, right_inputs, strict=True):
        np.testing.assert_allclose(a, batch_size * b, rtol=1e-12)


def test_forward_bug_passes_a_gradient_check_and_fails_a_forward_test():
    params, x, h0, c0 = make_case(3, False, 0)
    h, _, cache = gates_swapped_forward(params, x, h0, c0)
    dh_up = np.random.default_rng(0).standard_normal(h.shape)
    grads, dx, dh0, dc0 = gates_swapped_backward(dh_up, cache)
    arrays = {**dict(params), "x": x, "h0": h0, "c0": c0}
    analytic = {**dict(grads), "x": dx, "h0": dh0, "c0": dc0}
    rows = check_gradients(lambda: float(np.sum(gates_swapped_forward(params, x, h0, c0)[0] * dh_up)),
                           arrays, analytic)
    assert all(row.ok for row in rows)  # consistent with the wrong forward pass
    reference = lstm_forward(params, x, h0, c0)[0]
    assert np.max(np.abs(h - reference)) > 1e-2  # ... which a forward test catches


def test_forward_bug_mixes_input_and_forget_gates_on_a_hand_computed_step():
    # zero weights, x = h0 = 0, c0 = 1: i = sigmoid(0) = 0.5, f = sigmoid(ln 3) = 0.75, g = tanh(atanh 0.5) = 0.5
    params = LSTMParams.init(1, 1, np.random.default_rng(0))
    for _, array in params:
        array[...] = 0.0
    params.b_f[...] = np.log(3.0)
    params.b_g[...] = np.arctanh(0.5)
    x, h0, c0 = np.zeros((1, 1, 1)), np.zeros((1, 1)), np.ones((1, 1))
    assert np.isclose(lstm_forward(params, x, h0, c0)[1][0, 0, 0], 0.75 * 1 + 0.5 * 0.5)  # f c0 + i g
    assert np.isclose(gates_swapped_forward(params, x, h0, c0)[1][0, 0, 0], 0.5 * 1 + 0.75 * 0.5)  # i c0 + f g
