"""The article's formulas as printed: which agree with finite differences and which do not."""

import numpy as np
import pytest

from lstm_core import PARAM_NAMES, LSTMParams, lstm_backward, lstm_forward, numerical_gradient, relative_error
from lstm_core.course import article as art


def agrees(a, n):
    return relative_error(a, n) < 1e-6


@pytest.fixture(params=[0, 1, 2])
def setup(request):
    rng = np.random.default_rng(request.param)
    params = LSTMParams.init(1, 1, rng, scale=1.0)
    for name, array in params:
        if name.startswith("b_"):
            array += rng.uniform(-0.5, 0.5, array.shape)
    w = art.scalar_weights(params)
    x = rng.standard_normal(6)
    y = rng.uniform(-0.8, 0.8, 6)
    return params, w, x, y


def true_gradient(w, quantity, x, y, h0=0.0, c0=0.0):
    nudge = np.zeros(len(x))
    return numerical_gradient(lambda: art.sequence_loss(w, x, y, h0, c0, {quantity: nudge}), nudge)


def true_weight_gradients(w, x, y, h0=0.0, c0=0.0):
    vector = np.array([w[n] for n in PARAM_NAMES])
    grad = numerical_gradient(lambda: art.sequence_loss(dict(zip(PARAM_NAMES, vector)), x, y, h0, c0), vector)
    return dict(zip(PARAM_NAMES, grad))


def one_step(w, y_value=0.8):
    x1, y1, h0, c0 = np.array([0.9]), np.array([y_value]), 0.4, -0.6
    step = art.sequence_forward(w, x1, h0, c0)[0]
    true = {k: true_gradient(w, k, x1, y1, h0, c0)[0] for k in "hcifgo"}
    return x1, y1, h0, c0, step, true


def test_scalar_weights_refuses_vector_cells():
    with pytest.raises(ValueError, match="D = H = 1"):
        art.scalar_weights(LSTMParams.init(2, 1, np.random.default_rng(0)))


def test_forward_is_lstm_forward(setup):
    params, w, x, _ = setup
    h = lstm_forward(params, x[:, None, None])[0].ravel()
    np.testing.assert_allclose([s["h"] for s in art.sequence_forward(w, x)], h, rtol=1e-12, atol=1e-14)


def test_e_delta_sign(setup):
    _, w, *_ = setup
    _, y1, _, _, step, true = one_step(w)
    assert not agrees(art.article_e_delta_mse(step["h"], y1[0]), true["h"])
    assert np.isclose(art.article_e_delta_mse(step["h"], y1[0]), -true["h"], rtol=1e-7)
    assert agrees(art.corrected_e_delta_mse(step["h"], y1[0]), true["h"])


def test_one_step_gate_formulas_agree(setup):
    _, w, *_ = setup
    _, y1, _, _, s, true = one_step(w)
    e = art.corrected_e_delta_mse(s["h"], y1[0])
    assert agrees(art.article_dE_do(e, s["c"]), true["o"])
    assert agrees(art.article_dE_dc(e, s["o"], s["c"]), true["c"])
    assert agrees(art.article_dE_di(e, s["o"], s["c"], s["g"]), true["i"])
    assert agrees(art.article_dE_dg(e, s["o"], s["c"], s["i"]), true["g"])
    assert agrees(art.article_dE_dh(e), true["h"])  # one step: no future


@pytest.mark.parametrize("e_delta_is_one", [False, True])
def test_double_counted_e_delta(setup, e_delta_is_one):
    _, w, *_ = setup
    _, _, _, _, s, _ = one_step(w)
    y_value = s["h"] - 1.0 if e_delta_is_one else 0.8
    x1, y1, h0, c0, s, true = one_step(w, y_value)
    e = art.corrected_e_delta_mse(s["h"], y1[0])
    dE_dc = art.article_dE_dc(e, s["o"], s["c"])
    c0_arr = np.array([c0])
    true_c0 = numerical_gradient(lambda: art.sequence_loss(w, x1, y1, h0, c0_arr[0]), c0_arr)[0]
    assert agrees(art.article_dE_df(e, dE_dc, s["c_prev"]), true["f"]) == e_delta_is_one
    assert agrees(art.article_dE_dc_prev(e, dE_dc, s["f"]), true_c0) == e_delta_is_one
    assert agrees(art.corrected_dE_df(dE_dc, s["c_prev"]), true["f"])
    assert agrees(art.corrected_dE_dc_prev(dE_dc, s["f"]), true_c0)


def test_weight_grads_one_step_and_the_b_o_label(setup):
    _, w, *_ = setup
    x1, y1, h0, c0, s, _ = one_step(w)
    numeric = true_weight_gradients(w, x1, y1, h0, c0)
    e = art.corrected_e_delta_mse(s["h"], y1[0])
    printed = art.article_weight_grads(e, s)
    assert "b_f" not in printed
    assert not agrees(printed["b_o"], numeric["b_o"]) and agrees(printed["b_o"], numeric["b_f"])
    assert all(agrees(printed[n], numeric[n]) for n in PARAM_NAMES if n not in ("b_o", "b_f"))
    relabelled = art.article_weight_grads(e, s, corrected_labels=True)
    assert all(agrees(relabelled[n], numeric[n]) for n in PARAM_NAMES)
    with_article_sign = art.article_gradients(w, x1, y1, h0=h0, c0=c0, corrected_labels=True)
    assert all(np.isclose(relative_error(with_article_sign[n], numeric[n]), 1.0) for n in PARAM_NAMES)


def test_one_step_deltas_are_right_only_at_the_last_step(setup):
    _, w, x, y = setup
    article_dh, article_dc = art.article_sequence_deltas(w, x, y)
    true_dh, true_dc = true_gradient(w, "h", x, y), true_gradient(w, "c", x, y)
    for article, true in ((article_dh, true_dh), (article_dc, true_dc)):
        assert agrees(article[-1], true[-1])
        assert all(not agrees(a, n) for a, n in zip(article[:-1], true[:-1], strict=True))


def test_corrected_gradients_are_bptt(setup):
    params, w, x, y = setup
    grads, dE_dh, dE_dc = art.corrected_gradients(w, x, y)
    numeric = true_weight_gradients(w, x, y)
    assert all(agrees(grads[n], numeric[n]) for n in PARAM_NAMES)
    assert agrees(dE_dh, true_gradient(w, "h", x, y)) and agrees(dE_dc, true_gradient(w, "c", x, y))
    h, _, cache = lstm_forward(params, x[:, None, None])
    core = dict(lstm_backward(h - y[:, None, None], cache)[0])
    for n in PARAM_NAMES:
        assert np.isclose(grads[n], core[n].item(), rtol=1e-10, atol=1e-13), n


def test_article_weight_gradients_of_a_sequence_are_wrong(setup):
    _, w, x, y = setup
    numeric = true_weight_gradients(w, x, y)
    at_last = art.article_gradients(w, x, y, e_delta=art.corrected_e_delta_mse, corrected_labels=True)
    assert not any(agrees(at_last[n], numeric[n]) for n in PARAM_NAMES)


def numerical_dE_dc0(w, x1, y1, h0, c0):
    c0_arr = np.array([c0])
    return numerical_gradient(lambda: art.sequence_loss(w, x1, y1, h0, c0_arr[0]), c0_arr)[0]


def test_chain_lines_count_e_delta_twice_but_the_expansions_are_right(setup):
    _, w, *_ = setup
    x1, y1, h0, c0, s, true = one_step(w)
    e = art.corrected_e_delta_mse(s["h"], y1[0])
    dE_dc = art.article_dE_dc(e, s["o"], s["c"])
    true_c0 = numerical_dE_dc0(w, x1, y1, h0, c0)
    # the chain lines are off by exactly one factor E_delta ...
    assert np.isclose(art.article_dE_df(e, dE_dc, s["c_prev"]), e * true["f"], rtol=1e-6)
    assert np.isclose(art.article_dE_dc_prev(e, dE_dc, s["f"]), e * true_c0, rtol=1e-6)
    # ... the expansions printed after them are right
    assert agrees(art.article_dE_df_expanded(e, s["o"], s["c"], s["c_prev"]), true["f"])
    expanded = art.article_dE_dc_prev_expanded(e, s["o"], s["c"], s["f"])
    assert agrees(expanded, true_c0)
    assert not agrees(expanded, true["c"])  # it is not the dE/dc_t its label says


def test_circular_di_line_read_literally_is_off_by_g(setup):
    _, w, *_ = setup
    _, _, _, _, s, true = one_step(w)
    literal = art.article_dE_di_chain(true["i"], s["g"])
    assert np.isclose(literal / true["i"], s["g"], rtol=1e-12) and not agrees(literal, true["i"])
    assert agrees(true["c"] * s["g"], true["i"])  # the intended chain (dE/dc_t)(dc_t/di)


def test_dc_dt_is_not_dc_df(setup):
    _, w, *_ = setup
    x1, _, h0, c0, s, _ = one_step(w)
    nudge = np.zeros(1)
    dc_df = numerical_gradient(lambda: art.sequence_forward(w, x1, h0, c0, {"f": nudge})[0]["c"], nudge)[0]
    assert np.isclose(dc_df, s["c_prev"], rtol=1e-7)
    assert not np.isclose(art.article_dc_dt(s["c"], s["c_prev"]), dc_df, rtol=1e-2)


def test_printed_names_and_their_typos():
    printed = [name for names in art.PRINTED_WEIGHT_LIST.values() for name in names]
    assert len(printed) == 12
    assert art.name_mismatches(printed, PARAM_NAMES) == (["w_g", "w_hj"], ["w_hg", "w_hi"])
    defined, used = art.PRINTED_PREACTIVATIONS["defined"], art.PRINTED_PREACTIVATIONS["used"]
    assert art.name_mismatches(defined, used) == (["Z_j", "Z_o"], ["Z_i", "z_O"])
    assert art.name_mismatches(art.PRINTED_INPUTS, ("x_t", "h_{t-1}", "c_{t-1}")) == (["h_{t-i}"], ["h_{t-1}"])


def test_mse_gradient_is_two_over_n_times_the_half_sum(setup):
    _, w, x, y = setup
    nudge = np.zeros(len(x))
    mse = numerical_gradient(lambda: art.sequence_mse(w, x, y, nudges={"h": nudge}), nudge)
    half = numerical_gradient(lambda: art.sequence_loss(w, x, y, nudges={"h": nudge}), nudge)
    np.testing.assert_allclose(mse, 2 / len(x) * half, rtol=1e-6, atol=1e-10)
    h = np.array([s["h"] for s in art.sequence_forward(w, x)])
    assert np.isclose(half[-1], art.corrected_e_delta_mse(h[-1], y[-1]), rtol=1e-6)  # direct term only at t = T


def test_sgd_update_with_corrected_gradients_lowers_the_loss(setup):
    _, w, x, y = setup
    grads, _, _ = art.corrected_gradients(w, x, y)
    stepped = art.sgd_update(w, grads, learning_rate=0.1)
    assert art.sequence_loss(stepped, x, y) < art.sequence_loss(w, x, y)
    assert all(stepped[n] == w[n] - 0.1 * grads[n] for n in PARAM_NAMES)
    with pytest.raises(ValueError, match="learning_rate"):
        art.sgd_update(w, grads, learning_rate=0.0)
    with pytest.raises(KeyError, match="b_o"):
        art.sgd_update(w, {n: g for n, g in grads.items() if n != "b_o"}, learning_rate=0.1)
