"""Wrong shapes, batch sizes, dtypes and non-finite values give errors that name the argument."""

import numpy as np
import pytest

from lstm_core import (
    LSTMParams,
    RNNParams,
    clip_grad_norm,
    lstm_backward,
    lstm_forward,
    lstm_step_backward,
    lstm_step_forward,
    mse_loss,
    numerical_gradient,
    rnn_forward,
    softmax_cross_entropy,
)


@pytest.fixture
def params(rng):
    return LSTMParams.init(3, 4, rng)  # D = 3, H = 4


def test_x_with_wrong_feature_size(params):
    message = r"x has shape \(5, 2, 2\) but expected \(T, B, D\) = \(5, 2, 3\).*params has D=3"
    with pytest.raises(ValueError, match=message):
        lstm_forward(params, np.zeros((5, 2, 2)))


def test_x_not_time_major_3d(params):
    with pytest.raises(ValueError, match=r"x has shape \(2, 3\) but expected a 3-D array of shape \(T, B, D\)"):
        lstm_forward(params, np.zeros((2, 3)))


def test_mismatched_batch_in_h0(params):
    with pytest.raises(ValueError, match=r"h0 has shape \(3, 4\) but expected \(B, H\) = \(2, 4\).*x has B=2"):
        lstm_forward(params, np.zeros((5, 2, 3)), h0=np.zeros((3, 4)))


def test_wrong_hidden_size_in_c0(params):
    with pytest.raises(ValueError, match=r"c0 has shape \(2, 5\).*H=4"):
        lstm_forward(params, np.zeros((5, 2, 3)), c0=np.zeros((2, 5)))


def test_nan_in_x(params):
    x = np.zeros((5, 2, 3))
    x[3, 1, 2] = np.nan
    with pytest.raises(ValueError, match=r"x contains a non-finite value \(nan\) at index \(3, 1, 2\)"):
        lstm_forward(params, x)


def test_inf_in_step_input(params):
    with pytest.raises(ValueError, match=r"h_prev contains a non-finite value \(inf\)"):
        lstm_step_forward(params, np.zeros((1, 3)), np.full((1, 4), np.inf), np.zeros((1, 4)))


@pytest.mark.parametrize("dtype", [np.int64, np.complex128, np.float16, bool])
def test_unsupported_dtype(params, dtype):
    with pytest.raises(TypeError, match=r"x has dtype .*; expected float32 or float64"):
        lstm_forward(params, np.zeros((5, 2, 3), dtype=dtype))


def test_mixed_precision_is_refused(params):
    with pytest.raises(TypeError, match=r"x has dtype float32 but the parameters are float64"):
        lstm_forward(params, np.zeros((5, 2, 3), dtype=np.float32))


def test_params_with_wrong_shape(rng):
    arrays = dict(LSTMParams.init(3, 4, rng))
    arrays["w_hf"] = np.zeros((4, 3))
    with pytest.raises(ValueError, match=r"w_hf has shape \(4, 3\); expected \(4, 4\)"):
        LSTMParams(**arrays)


def test_params_must_be_lstm_params(rng):
    with pytest.raises(TypeError, match="params must be an LSTMParams, got dict"):
        lstm_forward(dict(LSTMParams.init(3, 4, rng)), np.zeros((5, 2, 3)))


def test_backward_dh_wrong_shape(params):
    _, _, cache = lstm_forward(params, np.zeros((5, 2, 3)))
    with pytest.raises(ValueError, match=r"dh_loss has shape \(4, 2, 4\).*T=5"):
        lstm_backward(np.zeros((4, 2, 4)), cache)
    with pytest.raises(ValueError, match=r"truncate must be None or an integer >= 1"):
        lstm_backward(np.zeros((5, 2, 4)), cache, truncate=0)


def test_step_backward_dc_wrong_batch(params):
    _, _, cache = lstm_step_forward(params, np.zeros((2, 3)), np.zeros((2, 4)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"dc_next has shape \(3, 4\).*B=2"):
        lstm_step_backward(np.zeros((2, 4)), np.zeros((3, 4)), cache)


def test_rnn_wrong_x(rng):
    with pytest.raises(ValueError, match=r"x has shape \(5, 2, 7\)"):
        rnn_forward(RNNParams.init(3, 4, rng), np.zeros((5, 2, 7)))


def test_loss_shape_mismatch_and_targets():
    with pytest.raises(ValueError, match=r"y has shape \(3,\) but expected the shape of y_pred, \(2, 3\)"):
        mse_loss(np.zeros((2, 3)), np.zeros(3))
    with pytest.raises(ValueError, match=r"targets must lie in \[0, 4\)"):
        softmax_cross_entropy(np.zeros((2, 4)), np.array([1, 4]))
    with pytest.raises(TypeError, match="targets must hold integer class indices"):
        softmax_cross_entropy(np.zeros((2, 4)), np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="reduction must be 'sum' or 'mean'"):
        mse_loss(np.zeros(2), np.zeros(2), reduction="avg")


def test_numerical_gradient_needs_contiguous_array():
    x = np.zeros((4, 4))[:, ::2]
    with pytest.raises(ValueError, match="C-contiguous"):
        numerical_gradient(lambda: 0.0, x)


def test_clip_rejects_non_positive():
    with pytest.raises(ValueError, match="max_norm must be positive"):
        clip_grad_norm({"a": np.ones(2)}, 0.0)
