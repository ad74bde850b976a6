"""Shared fixtures: a non-interactive matplotlib backend and a seeded generator."""

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


def random_lstm_problem(rng, num_steps, batch_size, input_size, hidden_size, dtype=np.float64):
    """Parameters, x, h0, c0 drawn at non-degenerate scales (all-zero inputs hide backward bugs)."""
    from lstm_core import LSTMParams

    params = LSTMParams.init(input_size, hidden_size, rng, forget_bias=0.5, scale=0.8, dtype=dtype)
    for _, array in params:
        if array.ndim == 1:
            array += rng.uniform(-0.5, 0.5, array.shape)
    x = rng.standard_normal((num_steps, batch_size, input_size)).astype(dtype)
    h0 = rng.uniform(-0.8, 0.8, (batch_size, hidden_size)).astype(dtype)
    c0 = rng.uniform(-1.5, 1.5, (batch_size, hidden_size)).astype(dtype)
    return params, x, h0, c0
