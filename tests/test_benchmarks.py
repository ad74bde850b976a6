"""The benchmark's yardstick is a correct LSTM, and the benchmark script runs (no timing is asserted)."""

import sys
from pathlib import Path

import numpy as np

from lstm_core import LSTMParams, lstm_backward, lstm_forward

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import bench_lstm  # noqa: E402  (benchmarks/ is a folder of scripts)


def test_the_peer_computes_what_the_core_computes():
    """core / peer compares like with like only if the peer's forward and BPTT are the same maths."""
    rng = np.random.default_rng(0)
    num_steps, batch_size, input_size, hidden_size = 7, 3, 4, 5
    params = LSTMParams.init(input_size, hidden_size, rng)
    x = rng.standard_normal((num_steps, batch_size, input_size))
    dh = rng.standard_normal((num_steps, batch_size, hidden_size))
    h, _, cache = lstm_forward(params, x)
    grads, dx, _, _ = lstm_backward(dh, cache)

    w_x, w_h, b = params.fused()  # (4H, D), (4H, H), (4H,)
    peer_w_x, peer_w_h = w_x.T.copy(), w_h.T.copy()  # the peer's layout: (D, 4H), (H, 4H)
    peer_h, peer_cache = bench_lstm.peer_forward(peer_w_x, peer_w_h, b, x)
    dw_x, dw_h, db, peer_dx = bench_lstm.peer_backward(dh, peer_cache, peer_w_x, peer_w_h)
    fused_grads = grads.fused()
    np.testing.assert_allclose(peer_h, h, rtol=0, atol=1e-13)
    np.testing.assert_allclose(dw_x.T, fused_grads[0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(dw_h.T, fused_grads[1], rtol=0, atol=1e-12)
    np.testing.assert_allclose(db, fused_grads[2], rtol=0, atol=1e-12)
    np.testing.assert_allclose(peer_dx, dx, rtol=0, atol=1e-12)


def test_the_benchmark_prints_a_row_per_size_and_dtype(capsys):
    bench_lstm.main(["--sizes", "0", "1", "--repeats", "1", "--dtypes", "float64", "float32", "--no-naive"])
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| float")]
    assert [row.split("|")[1:3] for row in rows] == [
        [" float64 ", " (20, 1, 1, 16) "], [" float64 ", " (50, 32, 8, 64) "],
        [" float32 ", " (20, 1, 1, 16) "], [" float32 ", " (50, 32, 8, 64) "]]
    assert all(float(row.split("|")[7]) > 0 for row in rows), "core / peer must be a positive ratio"


def test_the_product_orders_are_timed_for_both_gradients(capsys):
    bench_lstm.main(["--products", "--sizes", "0", "--repeats", "1", "--dtypes", "float64"])
    rows = [line.split("|")[3].strip() for line in capsys.readouterr().out.splitlines() if line.startswith("| float")]
    assert rows == ["dw_x", "dw_h"]
