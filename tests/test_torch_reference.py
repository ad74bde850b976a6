"""Every gradient of lstm_core against torch.nn.LSTM's autograd on the same weights.

PyTorch is optional (pip install torch==2.13.0, a CPU build): without it this module is
skipped with the reason shown in pytest's summary.
"""

import numpy as np
import pytest
from conftest import random_lstm_problem

from lstm_core import GATES, LSTMParams, lstm_backward, lstm_forward

torch = pytest.importorskip("torch", reason="PyTorch not installed (pip install torch==2.13.0)")


@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (5, 2, 3, 4), (7, 3, 4, 2)])
def test_gradients_match_torch(shape, rng):
    assert GATES == ("i", "f", "g", "o")  # the mapping below relies on PyTorch's order being ours
    params, x, h0, c0 = random_lstm_problem(rng, *shape)
    h, c, cache = lstm_forward(params, x, h0, c0)
    dh = rng.standard_normal(h.shape)
    grads, dx, dh0, dc0 = lstm_backward(dh, cache)

    lstm = params.to_torch()
    x_t = torch.from_numpy(x).requires_grad_()
    h0_t = torch.from_numpy(h0)[None].clone().requires_grad_()  # (1, B, H): one layer
    c0_t = torch.from_numpy(c0)[None].clone().requires_grad_()
    out, (h_n, c_n) = lstm(x_t, (h0_t, c0_t))
    (out * torch.from_numpy(dh)).sum().backward()

    np.testing.assert_allclose(out.detach().numpy(), h, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(c_n.detach().numpy()[0], c[-1], rtol=1e-12, atol=1e-13)
    expected = LSTMParams.from_fused(lstm.weight_ih_l0.grad.numpy(), lstm.weight_hh_l0.grad.numpy(),
                                     lstm.bias_ih_l0.grad.numpy())
    for (name, ours), (_, theirs) in zip(grads, expected):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12, err_msg=name)
    np.testing.assert_allclose(lstm.bias_hh_l0.grad.numpy(), np.concatenate([grads.b_i, grads.b_f,
                               grads.b_g, grads.b_o]), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dx, x_t.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dh0, h0_t.grad.numpy()[0], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dc0, c0_t.grad.numpy()[0], rtol=1e-10, atol=1e-12)
