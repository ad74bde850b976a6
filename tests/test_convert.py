"""Converters of lstm_core.convert against each library's own equations (and torch.nn.LSTM itself).

Each course's forward pass is written here the way that course writes it, in autograd.numpy, so
that autograd differentiates it in the course's own layout; the converter must map its weights
to parameters with which lstm_forward gives the same h, and map its gradients (a permutation
and transposition of the same numbers) to lstm_backward's. Only the PyTorch tests need torch.
"""

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad
from conftest import random_lstm_problem

from lstm_core import LSTMParams, convert, lstm_backward, lstm_forward

TOL = dict(rtol=1e-10, atol=1e-12)
SHAPE = (4, 3, 2, 5)  # T, B, D, H


def sigmoid(z):
    return 1.0 / (1.0 + anp.exp(-z))


def assert_params_equal(a, b):
    for (name, x), (_, y) in zip(a, b, strict=True):
        np.testing.assert_allclose(x, y, **TOL, err_msg=name)


def ours(params, x, h0, c0, dh):
    """lstm_core's h (T, B, H) and gradients of L = sum(h * dh)."""
    h, _, cache = lstm_forward(params, x, h0, c0)
    grads, dx, _, _ = lstm_backward(dh, cache)
    return h, grads, dx


# CS231n, assignment 3, rnn_layers.py: row-major, N first, gates i, f, o, g
def cs231n_lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):  # noqa: N803
    H = Wh.shape[0]  # noqa: N806
    a = x @ Wx + prev_h @ Wh + b  # (N, 4H)
    i, f, o, g = sigmoid(a[:, :H]), sigmoid(a[:, H : 2 * H]), sigmoid(a[:, 2 * H : 3 * H]), anp.tanh(a[:, 3 * H :])
    next_c = f * prev_c + i * g
    next_h = o * anp.tanh(next_c)
    return next_h, next_c


def cs231n_lstm_forward(x, h0, Wx, Wh, b, c0):  # noqa: N803
    """x (N, T, D) -> h (N, T, H); CS231n starts from c = 0, c0 added here to test it too."""
    prev_h, prev_c, hs = h0, c0, []
    for t in range(x.shape[1]):
        prev_h, prev_c = cs231n_lstm_step_forward(x[:, t, :], prev_h, prev_c, Wx, Wh, b)
        hs.append(prev_h)
    return anp.stack(hs, axis=1)


def test_cs231n_forward_and_gradients(rng):
    params, x, h0, c0 = random_lstm_problem(rng, *SHAPE)
    Wx, Wh, b = convert.to_cs231n(params)  # noqa: N806
    assert Wx.shape == (2, 20) and Wh.shape == (5, 20) and b.shape == (20,)
    x_n = x.transpose(1, 0, 2)  # (T, B, D) -> CS231n's (N, T, D)
    dh = rng.standard_normal((SHAPE[0], SHAPE[1], SHAPE[3]))

    def loss(Wx, Wh, b, x_n):  # noqa: N803
        return anp.sum(cs231n_lstm_forward(x_n, h0, Wx, Wh, b, c0) * dh.transpose(1, 0, 2))

    from_them = LSTMParams.from_cs231n(Wx, Wh, b)
    h, grads, dx = ours(from_them, x, h0, c0, dh)
    np.testing.assert_allclose(h, cs231n_lstm_forward(x_n, h0, Wx, Wh, b, c0).transpose(1, 0, 2), **TOL)
    dWx, dWh, db, dx_n = (grad(loss, k)(Wx, Wh, b, x_n) for k in range(4))  # noqa: N806
    assert_params_equal(grads, convert.from_cs231n(dWx, dWh, db))
    np.testing.assert_allclose(dx, dx_n.transpose(1, 0, 2), **TOL)
    assert_params_equal(from_them, params)


# Keras LSTM (keras.layers.LSTMCell.call): row-major, gates i, f, c, o
def keras_lstm(x, h, c, kernel, recurrent_kernel, bias):
    """x (B, T, D) batch-major as Keras feeds it -> h (B, T, H)."""
    H = recurrent_kernel.shape[0]  # noqa: N806
    hs = []
    for t in range(x.shape[1]):
        z = x[:, t] @ kernel + h @ recurrent_kernel + bias  # (B, 4H)
        z0, z1, z2, z3 = z[:, :H], z[:, H : 2 * H], z[:, 2 * H : 3 * H], z[:, 3 * H :]
        i, f, o = sigmoid(z0), sigmoid(z1), sigmoid(z3)
        c = f * c + i * anp.tanh(z2)
        h = o * anp.tanh(c)
        hs.append(h)
    return anp.stack(hs, axis=1)


def test_keras_forward_and_gradients(rng):
    params, x, h0, c0 = random_lstm_problem(rng, *SHAPE)
    kernel, recurrent_kernel, bias = convert.to_keras(params)
    x_b = x.transpose(1, 0, 2)  # (T, B, D) -> (B, T, D)
    dh = rng.standard_normal((SHAPE[0], SHAPE[1], SHAPE[3]))

    def loss(kernel, recurrent_kernel, bias, x_b):
        return anp.sum(keras_lstm(x_b, h0, c0, kernel, recurrent_kernel, bias) * dh.transpose(1, 0, 2))

    from_them = LSTMParams.from_keras(kernel, recurrent_kernel, bias)
    h, grads, dx = ours(from_them, x, h0, c0, dh)
    np.testing.assert_allclose(h, keras_lstm(x_b, h0, c0, kernel, recurrent_kernel, bias).transpose(1, 0, 2), **TOL)
    dk, drk, db, dx_b = (grad(loss, k)(kernel, recurrent_kernel, bias, x_b) for k in range(4))
    assert_params_equal(grads, convert.from_keras(dk, drk, db))
    np.testing.assert_allclose(dx, dx_b.transpose(1, 0, 2), **TOL)
    assert_params_equal(from_them, params)


# deeplearning.ai Sequence Models, week 1: columns, concat = [a_prev; xt], one weight per gate
def dlai_lstm_cell_forward(xt, a_prev, c_prev, parameters):
    concat = anp.concatenate([a_prev, xt], axis=0)  # (n_a + n_x, m)
    ft = sigmoid(parameters["Wf"] @ concat + parameters["bf"])
    it = sigmoid(parameters["Wi"] @ concat + parameters["bi"])
    cct = anp.tanh(parameters["Wc"] @ concat + parameters["bc"])
    c_next = ft * c_prev + it * cct
    ot = sigmoid(parameters["Wo"] @ concat + parameters["bo"])
    a_next = ot * anp.tanh(c_next)
    return a_next, c_next


def dlai_lstm_forward(x, a0, c0, parameters):
    """x (n_x, m, T_x) -> a (n_a, m, T_x)."""
    a_next, c_next, a = a0, c0, []
    for t in range(x.shape[2]):
        a_next, c_next = dlai_lstm_cell_forward(x[:, :, t], a_next, c_next, parameters)
        a.append(a_next)
    return anp.stack(a, axis=2)


def test_deeplearning_ai_forward_and_gradients(rng):
    params, x, h0, c0 = random_lstm_problem(rng, *SHAPE)
    parameters = convert.to_deeplearning_ai(params)
    assert parameters["Wf"].shape == (5, 7) and parameters["bf"].shape == (5, 1)
    x_d = x.transpose(2, 1, 0)  # (T, m, n_x) -> (n_x, m, T_x)
    dh = rng.standard_normal((SHAPE[0], SHAPE[1], SHAPE[3]))

    def loss(parameters, x_d):
        return anp.sum(dlai_lstm_forward(x_d, h0.T, c0.T, parameters) * dh.transpose(2, 1, 0))

    from_them = LSTMParams.from_deeplearning_ai(parameters)
    h, grads, dx = ours(from_them, x, h0, c0, dh)
    np.testing.assert_allclose(h, dlai_lstm_forward(x_d, h0.T, c0.T, parameters).transpose(2, 1, 0), **TOL)
    dparameters, dx_d = grad(loss, 0)(parameters, x_d), grad(loss, 1)(parameters, x_d)
    assert_params_equal(grads, convert.from_deeplearning_ai(dparameters))
    np.testing.assert_allclose(dx, dx_d.transpose(2, 1, 0), **TOL)
    assert_params_equal(from_them, params)


# Karpathy's lstm.py gist, LSTM.forward: Hin = [1, x, h_prev] times WLSTM, gates i, f, o, g
def karpathy_lstm_forward(X, WLSTM, h0, c0):  # noqa: N803
    """X (n, b, D) time-major -> Hout (n, b, d)."""
    d = WLSTM.shape[1] // 4
    prevh, prevc, hout = h0, c0, []
    for t in range(X.shape[0]):
        Hin = anp.concatenate([anp.ones((X.shape[1], 1)), X[t], prevh], axis=1)  # noqa: N806 (b, 1 + D + d)
        IFOG = Hin @ WLSTM  # noqa: N806 (b, 4d)
        i, f, o, g = sigmoid(IFOG[:, :d]), sigmoid(IFOG[:, d : 2 * d]), sigmoid(IFOG[:, 2 * d : 3 * d]), \
            anp.tanh(IFOG[:, 3 * d :])
        prevc = i * g + f * prevc
        prevh = o * anp.tanh(prevc)
        hout.append(prevh)
    return anp.stack(hout, axis=0)


def test_karpathy_forward_and_gradients(rng):
    params, x, h0, c0 = random_lstm_problem(rng, *SHAPE)
    WLSTM = convert.to_karpathy(params)  # noqa: N806
    assert WLSTM.shape == (1 + 2 + 5, 20)
    dh = rng.standard_normal((SHAPE[0], SHAPE[1], SHAPE[3]))

    def loss(WLSTM, X):  # noqa: N803
        return anp.sum(karpathy_lstm_forward(X, WLSTM, h0, c0) * dh)

    from_them = LSTMParams.from_karpathy(WLSTM, input_size=2)
    h, grads, dx = ours(from_them, x, h0, c0, dh)
    np.testing.assert_allclose(h, karpathy_lstm_forward(x, WLSTM, h0, c0), **TOL)
    assert_params_equal(grads, convert.from_karpathy(grad(loss, 0)(WLSTM, x)))
    np.testing.assert_allclose(dx, grad(loss, 1)(WLSTM, x), **TOL)
    assert_params_equal(from_them, params)


def test_converters_copy_and_keep_the_gate_order(rng):
    params = LSTMParams.init(2, 3, rng)
    Wx, Wh, b = convert.to_cs231n(params)  # noqa: N806
    np.testing.assert_array_equal(Wx[:, 6:9], params.w_xo.T)  # CS231n's third block is o
    np.testing.assert_array_equal(convert.to_keras(params)[0][:, 6:9], params.w_xg.T)  # Keras's third is c = g
    np.testing.assert_array_equal(convert.to_karpathy(params)[0], convert.to_cs231n(params)[2])  # bias row
    converted = LSTMParams.from_cs231n(Wx, Wh, b)
    Wx[:] = 0.0
    assert np.all(converted.w_xi == params.w_xi)  # a copy, not a view of the caller's array


def test_wrong_shapes_name_the_argument_and_the_transpose(rng):
    Wx, Wh, b = convert.to_cs231n(LSTMParams.init(2, 3, rng))  # noqa: N806
    with pytest.raises(ValueError, match=r"Wx has shape \(12, 2\); expected \(D, 4H\).*pass its \.T"):
        LSTMParams.from_cs231n(Wx.T, Wh, b)
    with pytest.raises(ValueError, match=r"Wh has shape \(12, 3\); expected \(3, 12\).*pass its \.T"):
        LSTMParams.from_cs231n(Wx, Wh.T, b)
    with pytest.raises(ValueError, match=r"bias has shape \(11,\); expected \(12,\)"):
        LSTMParams.from_keras(Wx, Wh, b[:-1])
    with pytest.raises(ValueError, match=r"WLSTM has shape \(12, 6\)"):
        LSTMParams.from_karpathy(convert.to_karpathy(LSTMParams.init(2, 3, rng)).T)
    parameters = convert.to_deeplearning_ai(LSTMParams.init(2, 3, rng))
    with pytest.raises(KeyError, match="Wc"):
        LSTMParams.from_deeplearning_ai({k: v for k, v in parameters.items() if k != "Wc"})
    parameters["Wo"] = parameters["Wo"].T
    with pytest.raises(ValueError, match=r"Wo has shape \(5, 3\); expected \(3, 5\).*pass its \.T"):
        LSTMParams.from_deeplearning_ai(parameters)


# ---------------------------------------------------------------------------- PyTorch, if installed


def test_torch_round_trip_and_forward_backward(rng):
    torch = pytest.importorskip("torch", reason="PyTorch not installed (pip install torch==2.13.0)")
    params, x, h0, c0 = random_lstm_problem(rng, *SHAPE)
    assert_params_equal(LSTMParams.from_torch(params.to_torch()), params)
    assert_params_equal(LSTMParams.from_torch(params.to_torch().state_dict()), params)

    torch.manual_seed(0)
    lstm = torch.nn.LSTM(2, 5, dtype=torch.float64, batch_first=True)  # both biases random, batch_first
    from_them = LSTMParams.from_torch(lstm)
    dh = rng.standard_normal((SHAPE[0], SHAPE[1], SHAPE[3]))
    h, grads, dx = ours(from_them, x, h0, c0, dh)
    x_t = torch.from_numpy(x.transpose(1, 0, 2).copy()).requires_grad_()  # (B, T, D), batch_first
    out, _ = lstm(x_t, (torch.from_numpy(h0)[None], torch.from_numpy(c0)[None]))  # (B, T, H)
    (out * torch.from_numpy(dh.transpose(1, 0, 2).copy())).sum().backward()
    np.testing.assert_allclose(h, out.detach().numpy().transpose(1, 0, 2), **TOL)
    np.testing.assert_allclose(dx, x_t.grad.numpy().transpose(1, 0, 2), **TOL)
    theirs = {name: p.grad.numpy() for name, p in lstm.named_parameters()}
    assert_params_equal(grads, LSTMParams.from_fused(theirs["weight_ih_l0"], theirs["weight_hh_l0"],
                                                     theirs["bias_ih_l0"]))
    np.testing.assert_allclose(theirs["bias_hh_l0"], theirs["bias_ih_l0"], **TOL)  # one sum, one gradient


def test_torch_multilayer_and_bidirectional_need_a_layer(rng):
    torch = pytest.importorskip("torch", reason="PyTorch not installed (pip install torch==2.13.0)")
    deep = torch.nn.LSTM(2, 3, num_layers=2, dtype=torch.float64)
    with pytest.raises(ValueError, match=r"pass layer=0 \(up to layer=1\).*weight_ih_l0"):
        LSTMParams.from_torch(deep)
    with pytest.raises(ValueError, match="pass layer=0"):
        LSTMParams.from_torch(deep.state_dict())
    second = LSTMParams.from_torch(deep, layer=1)
    assert (second.input_size, second.hidden_size) == (3, 3)
    np.testing.assert_array_equal(second.w_hf, deep.weight_hh_l1.detach().numpy()[3:6])
    both = torch.nn.LSTM(2, 3, bidirectional=True, dtype=torch.float64)
    with pytest.raises(ValueError, match="reverse=True"):
        LSTMParams.from_torch(both)
    backward = LSTMParams.from_torch(both, layer=0, reverse=True)
    np.testing.assert_array_equal(backward.w_xi, both.weight_ih_l0_reverse.detach().numpy()[:3])
    with pytest.raises(ValueError, match="layer=2 is out of range"):
        LSTMParams.from_torch(deep, layer=2)
