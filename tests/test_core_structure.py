"""One gate splitter and one truncation rule: checks of how lstm_core is written and what BPTT(k) means."""

import re
from pathlib import Path

import numpy as np
import pytest
from conftest import random_lstm_problem

import lstm_core
from lstm_core import LSTMParams, RNNParams, lstm_backward, lstm_forward, rnn_backward, rnn_forward
from lstm_core.lstm import bptt_windows
from lstm_core.params import split_gates

PACKAGE = Path(lstm_core.__file__).parent

# ways of cutting a fused array into gate blocks by hand
HAND_SPLITS = {
    "slices by a multiple of hidden_size": re.compile(r"\*\s*hidden_size\s*:|:\s*\d\s*\*\s*hidden_size"),
    "np.split / np.array_split": re.compile(r"np\.(array_)?split\("),
    "a reshape to (..., 4, H) or (4, ..., H)": re.compile(r"reshape\([^)]*\b4\s*,"),
}


def test_split_gates_is_the_only_gate_splitter():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        source = path.read_text()
        if path.name == "params.py":  # split_gates itself slices by k * hidden_size
            source = re.sub(r"def split_gates\(.*?\n(?=\S)", "", source, flags=re.S)
        for line_number, line in enumerate(source.splitlines(), 1):
            code = line.split("#", 1)[0]
            offenders += [f"{path.relative_to(PACKAGE)}:{line_number}: {what}: {line.strip()}"
                          for what, pattern in HAND_SPLITS.items() if pattern.search(code)]
    assert not offenders, "cut gate blocks with lstm_core.params.split_gates:\n" + "\n".join(offenders)
    for module in ("lstm.py", "variants.py", "course/bugs.py", "params.py"):
        assert "split_gates(" in (PACKAGE / module).read_text(), module


def test_split_gates_cuts_columns_and_rows_into_views(rng):
    z = rng.standard_normal((3, 8))  # (B, 4H) with H = 2
    i, f, g, o = split_gates(z)
    assert all(block.shape == (3, 2) and np.shares_memory(block, z) for block in (i, f, g, o))
    np.testing.assert_array_equal(np.concatenate([i, f, g, o], axis=1), z)
    w = rng.standard_normal((12, 5))  # (3H, D) of a GRU, H = 4
    r, u, n = split_gates(w, axis=0, count=3)
    np.testing.assert_array_equal(u, w[4:8])
    with pytest.raises(ValueError, match=r"axis -1 of shape \(3, 7\) is not 4 gate blocks"):
        split_gates(rng.standard_normal((3, 7)))


def _lstm_reference(params, x, h0, c0, dh_loss, truncate):
    """The slow reference of BPTT(k): for each loss term t, a fresh forward over steps
    max(0, t-k+1) .. t from the state the full run had before them (held constant), then full
    BPTT of dh_loss[t] alone over that window; the results are summed over t."""
    num_steps = x.shape[0]
    h, c, _ = lstm_forward(params, x, h0, c0)
    total = {name: np.zeros_like(array) for name, array in params}
    dx, dh0, dc0 = np.zeros_like(x), np.zeros_like(h0), np.zeros_like(c0)
    for t in range(num_steps):
        start = max(0, t - truncate + 1)
        # restart the forward at step `start` from the state the full run had there, as a constant
        h_start = h0 if start == 0 else h[start - 1]
        c_start = c0 if start == 0 else c[start - 1]
        _, _, cache = lstm_forward(params, x[start : t + 1], h_start, c_start)
        only_t = np.zeros((t + 1 - start, *h0.shape))
        only_t[-1] = dh_loss[t]
        grads, dx_window, dh_start, dc_start = lstm_backward(only_t, cache)  # full BPTT over the window
        for name, array in grads:
            total[name] += array
        dx[start : t + 1] += dx_window
        if start == 0:  # only windows that reach step 0 feed the initial state
            dh0 += dh_start
            dc0 += dc_start
    return total, dx, dh0, dc0


def _rnn_reference(params, x, h0, dh_loss, truncate):
    num_steps = x.shape[0]
    h, _ = rnn_forward(params, x, h0)
    total = {name: np.zeros_like(array) for name, array in params}
    dx, dh0 = np.zeros_like(x), np.zeros_like(h0)
    for t in range(num_steps):
        start = max(0, t - truncate + 1)
        _, cache = rnn_forward(params, x[start : t + 1], h0 if start == 0 else h[start - 1])
        only_t = np.zeros((t + 1 - start, *h0.shape))
        only_t[-1] = dh_loss[t]
        grads, dx_window, dh_start = rnn_backward(only_t, cache)
        for name, array in grads:
            total[name] += array
        dx[start : t + 1] += dx_window
        if start == 0:
            dh0 += dh_start
    return total, dx, dh0


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("truncate", [1, 2, 3, 7])
def test_truncated_lstm_equals_per_loss_term_reference(seed, truncate):
    rng = np.random.default_rng(seed)
    num_steps, batch_size, input_size, hidden_size = 6, 2, 3, 4
    params, x, h0, c0 = random_lstm_problem(rng, num_steps, batch_size, input_size, hidden_size)
    dh_loss = rng.standard_normal((num_steps, batch_size, hidden_size))
    _, _, cache = lstm_forward(params, x, h0, c0)
    grads, dx, dh0, dc0 = lstm_backward(dh_loss, cache, truncate=truncate)
    want, want_dx, want_dh0, want_dc0 = _lstm_reference(params, x, h0, c0, dh_loss, truncate)
    for name, array in grads:
        np.testing.assert_allclose(array, want[name], rtol=1e-10, atol=1e-12, err_msg=name)
    for name, got, expected in (("dx", dx, want_dx), ("dh0", dh0, want_dh0), ("dc0", dc0, want_dc0)):
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("truncate", [1, 2, 5])
def test_truncated_rnn_equals_per_loss_term_reference(seed, truncate):
    rng = np.random.default_rng(seed)
    num_steps, batch_size, input_size, hidden_size = 5, 3, 2, 4
    params = RNNParams.init(input_size, hidden_size, rng, scale=0.8)
    params.b_h += rng.standard_normal(hidden_size)
    x = rng.standard_normal((num_steps, batch_size, input_size))
    h0 = rng.standard_normal((batch_size, hidden_size))
    dh_loss = rng.standard_normal((num_steps, batch_size, hidden_size))
    _, cache = rnn_forward(params, x, h0)
    grads, dx, dh0 = rnn_backward(dh_loss, cache, truncate=truncate)
    want, want_dx, want_dh0 = _rnn_reference(params, x, h0, dh_loss, truncate)
    for name, array in grads:
        np.testing.assert_allclose(array, want[name], rtol=1e-10, atol=1e-12, err_msg=name)
    np.testing.assert_allclose(dx, want_dx, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dh0, want_dh0, rtol=1e-10, atol=1e-12)


def test_bptt_windows(rng):
    dh_loss = rng.standard_normal((4, 2, 3))
    (full,) = bptt_windows(dh_loss, None)
    assert full[:2] == (0, 4) and full[2] is dh_loss
    assert [(start, stop) for start, stop, _ in bptt_windows(dh_loss, 2)] == [(0, 1), (0, 2), (1, 3), (2, 4)]
    for _, stop, dh_window in bptt_windows(dh_loss, 2):  # each injects its own loss term only
        np.testing.assert_array_equal(dh_window[-1], dh_loss[stop - 1])
        assert not dh_window[:-1].any()
    for bad in (0, 1.5, -2):
        with pytest.raises(ValueError, match="truncate must be None or an integer >= 1"):
            bptt_windows(dh_loss, bad)


def test_lstm_source_reads_like_the_equations():
    """The lines a learner looks for beside lesson 05's table, and none of the old speed tricks."""
    source = (PACKAGE / "lstm.py").read_text()
    for line in ("i, f, g, o = sigmoid(z_i), sigmoid(z_f), tanh(z_g), sigmoid(z_o)", "c = f * c_prev + i * g",
                 "h = o * tanh_c", "di = dc * g", "df = dc * c_prev", "dg = dc * i", "do = dh * tanh_c",
                 "dz_i = di * sigmoid_grad_from_output(i)", "dz_g = dg * tanh_grad_from_output(g)"):
        assert line in source, line
    for trick in ("out=", "_scaled_weights", "_finish_gates", "scale"):
        assert trick not in source, trick


def test_lstm_params_from_fused_checks_unless_told_not_to(rng):
    w_x, w_h, b = LSTMParams.init(2, 3, rng).fused()
    w_h[0, 0] = np.nan
    with pytest.raises(ValueError, match=r"w_hi contains a non-finite value"):
        LSTMParams.from_fused(w_x, w_h, b)
    unchecked = LSTMParams.from_fused(w_x, w_h, b, check=False)  # gradients lstm_core computed itself
    assert np.shares_memory(unchecked.w_hi, w_h) and type(unchecked) is LSTMParams
