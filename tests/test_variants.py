"""The peephole LSTM and the GRU of lstm_core.variants: finite differences for every gradient,
the zero-peephole LSTM against lstm_core.lstm, the GRU against torch.nn.GRU, and bad input."""

import numpy as np
import pytest
from conftest import random_lstm_problem

from lstm_core import check_gradients, format_report, lstm_backward, lstm_forward
from lstm_core.variants import (
    GRU_PARAM_NAMES,
    PEEPHOLE_NAMES,
    GRUParams,
    PeepholeParams,
    gru_backward,
    gru_forward,
    gru_step_backward,
    gru_step_forward,
    peephole_backward,
    peephole_forward,
    peephole_step_backward,
    peephole_step_forward,
)

# (T, B, D, H): single step, single sequence, single unit, D != H both ways
SHAPES = [(1, 1, 1, 1), (1, 2, 3, 2), (4, 1, 2, 1), (5, 3, 4, 2), (3, 2, 2, 5)]


def random_peephole_problem(rng, num_steps, batch_size, input_size, hidden_size):
    """Non-degenerate peephole parameters (non-zero biases and peepholes), x, h0, c0."""
    lstm, x, h0, c0 = random_lstm_problem(rng, num_steps, batch_size, input_size, hidden_size)
    peepholes = rng.uniform(-1.0, 1.0, (3, hidden_size))
    return PeepholeParams.from_lstm(lstm, *peepholes), x, h0, c0


def random_gru_problem(rng, num_steps, batch_size, input_size, hidden_size):
    """GRU parameters with every bias non-zero, x and h0."""
    params = GRUParams.init(input_size, hidden_size, rng, scale=0.8)
    for _, array in params:
        if array.ndim == 1:
            array += rng.uniform(-0.8, 0.8, array.shape)
    x = rng.standard_normal((num_steps, batch_size, input_size))
    h0 = rng.uniform(-0.8, 0.8, (batch_size, hidden_size))
    return params, x, h0


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "T{}-B{}-D{}-H{}".format(*s))
@pytest.mark.parametrize("seed", [0, 1])
def test_peephole_gradients_match_finite_differences(shape, seed):
    rng = np.random.default_rng(seed)
    params, x, h0, c0 = random_peephole_problem(rng, *shape)
    h, c, cache = peephole_forward(params, x, h0, c0)
    dh_up, dc_up = rng.standard_normal(h.shape), rng.standard_normal(c[-1].shape)

    def loss():  # c_T enters the loss too, so dL/dc_T's own path is tested
        h_, c_, _ = peephole_forward(params, x, h0, c0)
        return float(np.sum(h_ * dh_up) + np.sum(c_[-1] * dc_up))

    # a loss on c_T acts like a dL/dc_T arriving from a step T+1
    grads, dx, dh0, dc0 = _peephole_backward_with_final_dc(dh_up, dc_up, cache)
    rows = check_gradients(loss, {**dict(params), "x": x, "h0": h0, "c0": c0},
                           {**dict(grads), "x": dx, "h0": dh0, "c0": dc0})
    assert [r.name for r in rows] == [*PEEPHOLE_NAMES, "x", "h0", "c0"]
    assert all(r.ok for r in rows), format_report(rows)


def _peephole_backward_with_final_dc(dh, dc_final, cache):
    """BPTT with an extra dL/dc_T: the step loop of ``peephole_backward``, started from dc_final."""
    params = cache["params"]
    grads = PeepholeParams.zeros(params.input_size, params.hidden_size)
    dx = np.zeros_like(cache["x"])
    dh_next, dc_next = np.zeros_like(dc_final), dc_final
    for t in reversed(range(len(cache["steps"]))):
        step_grads, dx[t], dh_next, dc_next = peephole_step_backward(dh[t] + dh_next, dc_next, cache["steps"][t])
        for (_, total), (_, step) in zip(grads, step_grads):
            total += step
    return grads, dx, dh_next, dc_next


@pytest.mark.parametrize("shape", SHAPES[:3])
def test_peephole_backward_is_the_step_loop_without_final_dc(shape, rng):
    params, x, h0, c0 = random_peephole_problem(rng, *shape)
    h, _, cache = peephole_forward(params, x, h0, c0)
    dh = rng.standard_normal(h.shape)
    ours = peephole_backward(dh, cache)
    loop = _peephole_backward_with_final_dc(dh, np.zeros_like(h0), cache)
    for name, a in ours[0]:
        np.testing.assert_allclose(a, getattr(loop[0], name), rtol=1e-12, atol=1e-14, err_msg=name)
    for a, b in zip(ours[1:], loop[1:]):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "T{}-B{}-D{}-H{}".format(*s))
@pytest.mark.parametrize("seed", [0, 1])
def test_gru_gradients_match_finite_differences(shape, seed):
    rng = np.random.default_rng(seed)
    params, x, h0 = random_gru_problem(rng, *shape)
    h, cache = gru_forward(params, x, h0)
    dh_up = rng.standard_normal(h.shape)
    grads, dx, dh0 = gru_backward(dh_up, cache)
    rows = check_gradients(lambda: float(np.sum(gru_forward(params, x, h0)[0] * dh_up)),
                           {**dict(params), "x": x, "h0": h0}, {**dict(grads), "x": dx, "h0": dh0})
    assert [r.name for r in rows] == [*GRU_PARAM_NAMES, "x", "h0"]
    assert all(r.ok for r in rows), format_report(rows)


@pytest.mark.parametrize("shape", SHAPES)
def test_zero_peepholes_are_the_plain_lstm(shape, rng):
    lstm, x, h0, c0 = random_lstm_problem(rng, *shape)
    params = PeepholeParams.from_lstm(lstm)
    h, c, cache = peephole_forward(params, x, h0, c0)
    h_ref, c_ref, cache_ref = lstm_forward(lstm, x, h0, c0)
    np.testing.assert_allclose(h, h_ref, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(c, c_ref, rtol=1e-13, atol=1e-14)

    dh = rng.standard_normal(h.shape)
    grads, dx, dh0, dc0 = peephole_backward(dh, cache)
    grads_ref, dx_ref, dh0_ref, dc0_ref = lstm_backward(dh, cache_ref)
    for name, ref in grads_ref:
        np.testing.assert_allclose(getattr(grads, name), ref, rtol=1e-11, atol=1e-13, err_msg=name)
    for got, ref, name in ((dx, dx_ref, "x"), (dh0, dh0_ref, "h0"), (dc0, dc0_ref, "c0")):
        np.testing.assert_allclose(got, ref, rtol=1e-11, atol=1e-13, err_msg=name)
    # the peepholes' own gradients need not vanish at p = 0: they say which way to grow them
    assert any(np.any(getattr(grads, name) != 0) for name in ("p_i", "p_f", "p_o"))


def test_peepholes_change_the_output(rng):
    lstm, x, h0, c0 = random_lstm_problem(rng, 4, 2, 3, 3)
    h_plain = lstm_forward(lstm, x, h0, c0)[0]
    for name in ("p_i", "p_f", "p_o"):
        peepholes = {name: np.full(3, 0.5)}
        h = peephole_forward(PeepholeParams.from_lstm(lstm, **peepholes), x, h0, c0)[0]
        assert np.max(np.abs(h - h_plain)) > 1e-3, name


def test_from_lstm_copies_and_lstm_view_shares(rng):
    lstm = random_lstm_problem(rng, 1, 1, 2, 3)[0]
    params = PeepholeParams.from_lstm(lstm)
    params.w_xi[0, 0] += 1.0
    assert params.w_xi[0, 0] != lstm.w_xi[0, 0]  # from_lstm copies
    view = params.lstm()
    view.b_f[:] = 7.0
    assert np.all(params.b_f == 7.0)  # lstm() shares the arrays
    assert params.input_size == 2 and params.hidden_size == 3 and params.dtype == np.float64


@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (3, 2, 4, 2)])
def test_sequence_passes_equal_their_step_loops(shape, rng):
    params, x, h0, c0 = random_peephole_problem(rng, *shape)
    h_seq = peephole_forward(params, x, h0, c0)[0]
    h_t, c_t = h0, c0
    for t in range(shape[0]):
        h_t, c_t, _ = peephole_step_forward(params, x[t], h_t, c_t)
        np.testing.assert_array_equal(h_t, h_seq[t])
    gru, x, h0 = random_gru_problem(rng, *shape)
    h_seq, cache = gru_forward(gru, x, h0)
    h_t = h0
    for t in range(shape[0]):
        h_t, _ = gru_step_forward(gru, x[t], h_t)
        np.testing.assert_array_equal(h_t, h_seq[t])
    if shape[0] == 1:  # one step: the sequence backward is the step backward
        dh = rng.standard_normal(h_seq.shape)
        step = gru_step_backward(dh[0], cache["steps"][0])
        seq = gru_backward(dh, cache)
        np.testing.assert_array_equal(step[1], seq[1][0])
        np.testing.assert_array_equal(step[2], seq[2])


def test_gru_update_gate_one_copies_the_state(rng):
    """z = 1 everywhere (a huge b_z): h_t = h_{t-1}, and dL/dh_0 is the sum of all dL/dh_t."""
    params, x, h0 = random_gru_problem(rng, 6, 2, 3, 4)
    params.b_z[:] = 60.0
    h, cache = gru_forward(params, x, h0)
    np.testing.assert_allclose(h, np.broadcast_to(h0, h.shape), atol=1e-12)
    dh = rng.standard_normal(h.shape)
    _, dx, dh0 = gru_backward(dh, cache)
    np.testing.assert_allclose(dh0, dh.sum(axis=0), atol=1e-12)
    np.testing.assert_allclose(dx, 0.0, atol=1e-12)


def to_torch_gru(params, torch):
    """A torch.nn.GRU holding ``params``. PyTorch's rows are in gate order r, z, n with two biases
    each: b_r and b_z go into bias_ih (their bias_hh parts are zero), b_xn into bias_ih and b_hn into
    bias_hh, which is the one PyTorch multiplies by r."""
    w_x, w_h, b_x, b_h = params.fused()  # (3H, D), (3H, H), (3H,), (3H,)
    gru = torch.nn.GRU(params.input_size, params.hidden_size, dtype=torch.float64)
    with torch.no_grad():
        gru.weight_ih_l0.copy_(torch.from_numpy(w_x))
        gru.weight_hh_l0.copy_(torch.from_numpy(w_h))
        gru.bias_ih_l0.copy_(torch.from_numpy(b_x))
        gru.bias_hh_l0.copy_(torch.from_numpy(b_h))
    return gru


@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (5, 2, 3, 4), (7, 3, 4, 2)])
def test_gru_matches_torch(shape, rng):
    torch = pytest.importorskip("torch", reason="PyTorch not installed (pip install torch==2.13.0): "
                                                "GRU-vs-torch.nn.GRU check skipped")
    params, x, h0 = random_gru_problem(rng, *shape)
    h, cache = gru_forward(params, x, h0)
    dh = rng.standard_normal(h.shape)
    grads, dx, dh0 = gru_backward(dh, cache)

    gru = to_torch_gru(params, torch)
    x_t = torch.from_numpy(x).requires_grad_()
    h0_t = torch.from_numpy(h0)[None].clone().requires_grad_()  # (1, B, H): one layer
    out, _ = gru(x_t, h0_t)
    (out * torch.from_numpy(dh)).sum().backward()

    np.testing.assert_allclose(out.detach().numpy(), h, rtol=1e-12, atol=1e-13)
    hidden_size = params.hidden_size
    w_ih, w_hh = gru.weight_ih_l0.grad.numpy(), gru.weight_hh_l0.grad.numpy()  # (3H, D), (3H, H)
    b_ih, b_hh = gru.bias_ih_l0.grad.numpy(), gru.bias_hh_l0.grad.numpy()  # (3H,) each
    blocks = {gate: slice(k * hidden_size, (k + 1) * hidden_size) for k, gate in enumerate("rzn")}
    expected = {
        "w_xr": w_ih[blocks["r"]], "w_hr": w_hh[blocks["r"]], "b_r": b_ih[blocks["r"]],
        "w_xz": w_ih[blocks["z"]], "w_hz": w_hh[blocks["z"]], "b_z": b_ih[blocks["z"]],
        "w_xn": w_ih[blocks["n"]], "w_hn": w_hh[blocks["n"]], "b_xn": b_ih[blocks["n"]],
        "b_hn": b_hh[blocks["n"]],
    }
    for name, ours in grads:
        np.testing.assert_allclose(ours, expected[name], rtol=1e-10, atol=1e-12, err_msg=name)
    # for r and z, PyTorch's two biases are one: both get the same gradient
    np.testing.assert_allclose(b_hh[: 2 * hidden_size], b_ih[: 2 * hidden_size], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(dx, x_t.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dh0, h0_t.grad.numpy()[0], rtol=1e-10, atol=1e-12)


def test_float32_runs_in_float32(rng):
    params = PeepholeParams.init(2, 3, rng, dtype=np.float32)
    h, c, cache = peephole_forward(params, np.ones((2, 1, 2), np.float32))
    grads = peephole_backward(np.ones_like(h), cache)[0]
    assert h.dtype == c.dtype == grads.p_o.dtype == np.float32
    gru = GRUParams.init(2, 3, rng, dtype=np.float32)
    h, cache = gru_forward(gru, np.ones((2, 1, 2), np.float32))
    assert h.dtype == gru_backward(np.ones_like(h), cache)[0].b_hn.dtype == np.float32


@pytest.mark.parametrize(("call", "name"), [
    (lambda p, g: peephole_forward(p, np.ones((3, 2, 4))), "x"),
    (lambda p, g: peephole_forward(p, np.ones((2, 3))), "x"),
    (lambda p, g: peephole_forward(p, np.ones((3, 2, 3)), h0=np.ones((2, 2))), "h0"),
    (lambda p, g: peephole_forward(p, np.ones((3, 2, 3)), c0=np.ones((3, 4))), "c0"),
    (lambda p, g: peephole_forward(p, np.full((3, 2, 3), np.nan)), "x"),
    (lambda p, g: peephole_backward(np.ones((3, 2, 5)), peephole_forward(p, np.ones((3, 2, 3)))[2]), "dh_loss"),
    (lambda p, g: peephole_step_forward(p, np.ones((2, 3)), np.ones((2, 4)), np.ones((1, 4))), "c_prev"),
    (lambda p, g: gru_forward(g, np.ones((3, 2, 2))), "x"),
    (lambda p, g: gru_forward(g, np.ones((3, 2, 3)), h0=np.ones((2, 5))), "h0"),
    (lambda p, g: gru_backward(np.ones((2, 2, 4)), gru_forward(g, np.ones((3, 2, 3)))[1]), "dh_loss"),
    (lambda p, g: gru_step_forward(g, np.ones((2, 3)), np.ones((3, 4))), "h_prev"),
])
def test_bad_input_names_the_argument(call, name, rng):
    params = PeepholeParams.init(3, 4, rng)
    gru = GRUParams.init(3, 4, rng)
    with pytest.raises(ValueError, match=rf"^{name} "):
        call(params, gru)


def test_bad_parameters_are_refused(rng):
    good = dict(PeepholeParams.init(3, 4, rng))
    with pytest.raises(ValueError, match=r"^p_o has shape \(3,\).*w_xi has H=4"):
        PeepholeParams(**{**good, "p_o": np.ones(3)})
    with pytest.raises(ValueError, match=r"^p_i .*non-finite"):
        PeepholeParams(**{**good, "p_i": np.array([1.0, np.inf, 0.0, 0.0])})
    gru = dict(GRUParams.init(3, 4, rng))
    with pytest.raises(ValueError, match=r"^w_hn has shape \(4, 3\)"):
        GRUParams(**{**gru, "w_hn": np.ones((4, 3))})
    with pytest.raises(TypeError, match="b_hn has dtype float32"):
        GRUParams(**{**gru, "b_hn": np.ones(4, np.float32)})
    with pytest.raises(TypeError, match="params must be a PeepholeParams, got GRUParams"):
        peephole_forward(GRUParams(**gru), np.ones((1, 1, 3)))
    with pytest.raises(TypeError, match="params must be a GRUParams"):
        gru_forward(PeepholeParams(**good), np.ones((1, 1, 3)))
    with pytest.raises(TypeError, match="lstm must be an LSTMParams"):
        PeepholeParams.from_lstm(good)
