"""Golden values on tiny fixed inputs: a scalar step worked out with the math module, and a
two-step regression whose numbers were computed once by lstm_core and checked by the finite
difference tests (any change to them means the LSTM computes something else)."""

import math

import numpy as np

from lstm_core import PARAM_NAMES, LSTMParams, lstm_backward, lstm_forward, lstm_step_backward, lstm_step_forward


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


def test_scalar_step_by_hand():
    """D = H = B = 1, every weight 0.5, every bias 0, x = 1, h_prev = 0.2, c_prev = -0.3."""
    params = LSTMParams(**{n: np.full((1,) if n.startswith("b_") else (1, 1), 0.0 if n.startswith("b_") else 0.5)
                           for n in PARAM_NAMES})
    x, h_prev, c_prev = 1.0, 0.2, -0.3
    z = 0.5 * x + 0.5 * h_prev  # the same for all four gates here
    i = f = o = sigmoid(z)
    g = math.tanh(z)
    c = f * c_prev + i * g
    h = o * math.tanh(c)
    h_np, c_np, cache = lstm_step_forward(params, np.array([[x]]), np.array([[h_prev]]), np.array([[c_prev]]))
    assert math.isclose(h_np.item(), h, rel_tol=1e-12)
    assert math.isclose(c_np.item(), c, rel_tol=1e-12)
    # backward with E = h (E_delta = 1), last step (nothing from t+1)
    dc = o * (1 - math.tanh(c) ** 2)
    do = math.tanh(c)
    grads, dx, dh_prev, dc_prev = lstm_step_backward(np.ones((1, 1)), np.zeros((1, 1)), cache)
    assert math.isclose(dc_prev.item(), dc * f, rel_tol=1e-12)
    assert math.isclose(grads.b_o.item(), do * o * (1 - o), rel_tol=1e-12)
    assert math.isclose(grads.w_xf.item(), dc * c_prev * f * (1 - f) * x, rel_tol=1e-12)
    assert math.isclose(grads.w_hg.item(), dc * i * (1 - g * g) * h_prev, rel_tol=1e-12)


def _fixed_params():
    arrays = {}
    for k, name in enumerate(PARAM_NAMES):
        shape = (2, 3) if name.startswith("w_x") else (2, 2) if name.startswith("w_h") else (2,)
        arrays[name] = np.arange(int(np.prod(shape))).reshape(shape) * 0.1 - 0.2 + 0.05 * k
    return LSTMParams(**arrays)


def test_two_step_regression():
    x = np.array([[[1.0, -1.0, 0.5]], [[0.0, 2.0, -0.5]]])  # (T=2, B=1, D=3)
    h, c, cache = lstm_forward(_fixed_params(), x)
    grads, dx, _, dc0 = lstm_backward(np.ones_like(h), cache)
    np.testing.assert_allclose(h[:, 0], [[0.067704840477, 0.156638893258], [0.175881311053, 0.446016674936]],
                               rtol=1e-10)
    np.testing.assert_allclose(c[:, 0], [[0.110254055238, 0.236833839966], [0.252025668777, 0.611603178712]],
                               rtol=1e-10)
    np.testing.assert_allclose(grads.w_hf, [[0.001246236011, 0.002883235943], [0.002053372533, 0.00475059093]],
                               rtol=1e-9)
    np.testing.assert_allclose(grads.b_o, [0.07990980026, 0.142599081784], rtol=1e-10)
    np.testing.assert_allclose(dx[:, 0], [[0.270834072766, 0.389689027565, 0.508543982364],
                                          [0.129734804548, 0.200599068645, 0.271463332742]], rtol=1e-10)
    np.testing.assert_allclose(dc0, [[0.525798476183, 0.652490241994]], rtol=1e-10)
