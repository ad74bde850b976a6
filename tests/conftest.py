"""Shared fixtures: a non-interactive matplotlib backend, a seeded generator, and one headless browser."""

import sys
from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")


@pytest.fixture(scope="session")
def browser():
    """Headless Debian chromium (skips without it, fails under LSTM_BPTT_REQUIRE_BROWSER=1).

    One Playwright for the whole session: tests/test_browser.py and tests/test_book.py share it
    (a second sync Playwright started while the first runs fails inside its asyncio loop)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import browser_support

    yield from browser_support.launch_chromium()


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
