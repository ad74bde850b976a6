"""Finite-difference checks of every LSTM and RNN gradient, over shapes and seeds."""

import numpy as np
import pytest
from conftest import random_lstm_problem
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_core import (
    LSTMParams,
    RNNParams,
    check_gradients,
    check_lstm,
    format_report,
    lstm_backward,
    lstm_forward,
    lstm_step_backward,
    lstm_step_forward,
    rnn_backward,
    rnn_forward,
)

SHAPES = [  # (T, B, D, H)
    (1, 1, 1, 1),  # the article's scalar case
    (1, 3, 2, 4),
    (4, 1, 1, 1),
    (5, 2, 3, 4),  # D != H
    (3, 4, 6, 2),  # D > H
    (6, 1, 2, 3),
]


def assert_report_ok(rows):
    assert all(row.ok for row in rows), "\n" + format_report(rows)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("seed", [0, 1])
def test_lstm_backward_matches_finite_differences(shape, seed):
    rng = np.random.default_rng(seed)
    params, x, h0, c0 = random_lstm_problem(rng, *shape)
    rows = check_lstm(params, x, h0, c0, rng)
    assert [r.name for r in rows] == [n for n, _ in params] + ["x", "h0", "c0"]
    assert_report_ok(rows)


@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (1, 3, 2, 4), (1, 2, 5, 3)])
def test_step_backward_matches_finite_differences(shape, rng):
    _, batch_size, input_size, hidden_size = shape
    params, x, h0, c0 = random_lstm_problem(rng, *shape)
    x_t = x[0]
    dh_up = rng.standard_normal((batch_size, hidden_size))
    dc_up = rng.standard_normal((batch_size, hidden_size))

    def loss():  # L = sum(h * dh_up) + sum(c * dc_up): upstream gradients into both outputs
        h, c, _ = lstm_step_forward(params, x_t, h0, c0)
        return float(np.sum(h * dh_up) + np.sum(c * dc_up))

    _, _, cache = lstm_step_forward(params, x_t, h0, c0)
    grads, dx, dh_prev, dc_prev = lstm_step_backward(dh_up, dc_up, cache)
    rows = check_gradients(loss, {**dict(params), "x_t": x_t, "h_prev": h0, "c_prev": c0},
                           {**dict(grads), "x_t": dx, "h_prev": dh_prev, "c_prev": dc_prev})
    assert_report_ok(rows)


def test_sequence_equals_steps(rng):
    params, x, h0, c0 = random_lstm_problem(rng, 5, 3, 2, 4)
    h_seq, c_seq, _ = lstm_forward(params, x, h0, c0)
    h, c = h0, c0
    for t in range(x.shape[0]):
        h, c, _ = lstm_step_forward(params, x[t], h, c)
        np.testing.assert_allclose(h_seq[t], h, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(c_seq[t], c, rtol=1e-12, atol=1e-14)


def test_sequence_backward_equals_step_loop(rng):
    """lstm_backward = the BPTT loop written with lstm_step_backward, summing grads over time."""
    params, x, h0, c0 = random_lstm_problem(rng, 6, 2, 3, 4)
    _, _, cache = lstm_forward(params, x, h0, c0)
    dh = rng.standard_normal(cache["h"].shape)
    grads, dx, dh0, dc0 = lstm_backward(dh, cache)
    caches, h, c = [], h0, c0
    for t in range(x.shape[0]):
        h, c, step_cache = lstm_step_forward(params, x[t], h, c)
        caches.append(step_cache)
    total = {n: np.zeros_like(a) for n, a in params}
    dh_next, dc_next = np.zeros_like(h0), np.zeros_like(c0)
    for t in reversed(range(x.shape[0])):
        step_grads, dx_t, dh_next, dc_next = lstm_step_backward(dh[t] + dh_next, dc_next, caches[t])
        np.testing.assert_allclose(dx[t], dx_t, rtol=1e-10, atol=1e-12)
        for name, g in step_grads:
            total[name] += g
    for name, g in grads:
        np.testing.assert_allclose(g, total[name], rtol=1e-10, atol=1e-12, err_msg=name)
    np.testing.assert_allclose(dh0, dh_next, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dc0, dc_next, rtol=1e-10, atol=1e-12)


@settings(max_examples=15, deadline=None)
@given(T=st.integers(1, 4), B=st.integers(1, 3), D=st.integers(1, 4), H=st.integers(1, 4),
       seed=st.integers(0, 2**31 - 1))
def test_property_random_shapes_and_seeds(T, B, D, H, seed):
    rng = np.random.default_rng(seed)
    params, x, h0, c0 = random_lstm_problem(rng, T, B, D, H)
    assert_report_ok(check_lstm(params, x, h0, c0, rng))


@pytest.mark.parametrize("truncate", [1, 2, 4])
def test_truncated_bptt_matches_windowed_finite_differences(truncate, rng):
    """With truncate=k, the gradient equals the sum over t of each loss term's gradient through
    its last k steps. Check that by finite differences on a loss whose term at step t is computed
    from the true state at t-k (held fixed), run k steps forward."""
    params, x, h0, c0 = random_lstm_problem(rng, 6, 2, 2, 3)
    h, c, cache = lstm_forward(params, x, h0, c0)
    dh = rng.standard_normal(h.shape)
    grads, dx, dh0, dc0 = lstm_backward(dh, cache, truncate=truncate)
    h_all = np.concatenate([h0[None], h])  # (T+1, B, H): h_all[t] is the state before step t
    c_all = np.concatenate([c0[None], c])

    def windowed_loss():
        total = 0.0
        for t in range(x.shape[0]):
            start = max(0, t - truncate + 1)
            h_start = h0 if start == 0 else h_all[start]
            c_start = c0 if start == 0 else c_all[start]
            h_win, _, _ = lstm_forward(params, x[start : t + 1], h_start, c_start)
            total += float(np.sum(h_win[-1] * dh[t]))
        return total

    h_all, c_all = h_all.copy(), c_all.copy()  # frozen states: no gradient flows through them
    rows = check_gradients(windowed_loss, {**dict(params), "x": x, "h0": h0, "c0": c0},
                           {**dict(grads), "x": dx, "h0": dh0, "c0": dc0})
    assert_report_ok(rows)


def test_truncate_at_least_T_is_full_bptt(rng):
    params, x, h0, c0 = random_lstm_problem(rng, 4, 2, 2, 3)
    _, _, cache = lstm_forward(params, x, h0, c0)
    dh = rng.standard_normal(cache["h"].shape)
    full = lstm_backward(dh, cache)
    for result in (lstm_backward(dh, cache, truncate=4), lstm_backward(dh, cache, truncate=99)):
        for a, b in zip(dict(full[0]).values(), dict(result[0]).values()):
            np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(full[1], result[1])


def test_truncated_gradient_differs_from_full(rng):
    params, x, h0, c0 = random_lstm_problem(rng, 8, 2, 2, 3)
    _, _, cache = lstm_forward(params, x, h0, c0)
    dh = rng.standard_normal(cache["h"].shape)
    full, _, _, _ = lstm_backward(dh, cache)
    short, _, _, _ = lstm_backward(dh, cache, truncate=2)
    assert not np.allclose(full.w_hf, short.w_hf)


@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (5, 2, 3, 4), (4, 3, 1, 2)])
def test_rnn_backward_matches_finite_differences(shape, rng):
    T, B, D, H = shape
    params = RNNParams.init(D, H, rng, scale=0.9)
    params.b_h[:] = rng.uniform(-0.5, 0.5, H)
    x = rng.standard_normal((T, B, D))
    h0 = rng.uniform(-0.5, 0.5, (B, H))
    h, cache = rnn_forward(params, x, h0)
    dh = rng.standard_normal(h.shape)
    grads, dx, dh0 = rnn_backward(dh, cache)

    def loss():
        return float(np.sum(rnn_forward(params, x, h0)[0] * dh))

    assert_report_ok(check_gradients(loss, {**dict(params), "x": x, "h0": h0},
                                     {**dict(grads), "x": dx, "h0": dh0}))


def test_rnn_truncated_equals_lstm_semantics(rng):
    """RNN truncation: k >= T is full BPTT; k = 1 keeps only each step's own term."""
    params = RNNParams.init(2, 3, rng)
    x = rng.standard_normal((5, 2, 2))
    h, cache = rnn_forward(params, x)
    dh = rng.standard_normal(h.shape)
    full = rnn_backward(dh, cache)
    same = rnn_backward(dh, cache, truncate=5)
    np.testing.assert_allclose(full[0].w_hh, same[0].w_hh)
    one = rnn_backward(dh, cache, truncate=1)
    np.testing.assert_allclose(one[1], (dh * (1 - h**2)) @ params.w_xh)


def test_float32_forward_close_to_float64(rng):
    params, x, h0, c0 = random_lstm_problem(rng, 10, 4, 3, 5)
    h64, _, _ = lstm_forward(params, x, h0, c0)
    h32, _, cache32 = lstm_forward(params.astype(np.float32), x.astype(np.float32),
                                   h0.astype(np.float32), c0.astype(np.float32))
    assert h32.dtype == np.float32
    np.testing.assert_allclose(h32, h64, atol=1e-5)
    grads32, dx32, _, _ = lstm_backward(np.ones_like(h32), cache32)
    assert dx32.dtype == np.float32 and grads32.w_hi.dtype == np.float32


def test_params_roundtrip_and_iteration(rng):
    params = LSTMParams.init(3, 2, rng)
    assert [n for n, _ in params] == ["w_xi", "w_hi", "b_i", "w_xf", "w_hf", "b_f",
                                      "w_xg", "w_hg", "b_g", "w_xo", "w_ho", "b_o"]
    w_x, w_h, b = params.fused()
    assert w_x.shape == (8, 3) and w_h.shape == (8, 2) and b.shape == (8,)
    again = LSTMParams.from_fused(w_x, w_h, b)
    for (n1, a1), (n2, a2) in zip(params, again):
        assert n1 == n2
        np.testing.assert_array_equal(a1, a2)
    assert np.all(params.b_f == 1.0) and np.all(params.b_i == 0.0)
    dict(params)["b_i"][:] = 7.0  # dict(params) holds the very arrays
    assert np.all(params.b_i == 7.0)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fused_equals_naive_per_gate(dtype, rng):
    from lstm_core.naive import naive_lstm_backward, naive_lstm_forward

    params, x, h0, c0 = random_lstm_problem(rng, 7, 3, 4, 5, dtype=dtype)
    tol = dict(rtol=1e-10, atol=1e-12) if dtype == np.float64 else dict(rtol=1e-4, atol=1e-5)
    h, _, cache = lstm_forward(params, x, h0, c0)
    h_naive, steps = naive_lstm_forward(params, x, h0, c0)
    np.testing.assert_allclose(h, h_naive, **tol)
    dh = rng.standard_normal(h.shape).astype(dtype)
    fast = lstm_backward(dh, cache)
    slow = naive_lstm_backward(dh, params, steps)
    for (name, a), (_, b) in zip(fast[0], slow[0]):
        np.testing.assert_allclose(a, b, err_msg=name, **tol)
    for a, b in zip(fast[1:], slow[1:]):
        np.testing.assert_allclose(a, b, **tol)
