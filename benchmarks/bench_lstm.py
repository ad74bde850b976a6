"""Time forward + backward of lstm_core against a plain fused numpy LSTM, torch.nn.LSTM (CPU) and a naive one.

Usage:
    python benchmarks/bench_lstm.py [--threads N] [--repeats R] [--dtypes float64 float32] [--no-naive]

The implementations, each doing forward + full backward over the same problem (h0 = c0 = 0):

- core: ``lstm_core.lstm_forward`` + ``lstm_backward``, input checks included.
- peer: ``peer_forward`` / ``peer_backward`` below, a plain fused numpy LSTM in the style of
  CS231n's ``rnn_layers.py``: the input projection of all steps in one product,
  ``a = a_in[t] + h @ w_h``, split, sigmoid, tanh; the weight gradients in one product after the loop.
  It is here, not in the package, as the yardstick the core must not fall behind.
- torch: ``torch.nn.LSTM`` on the CPU (skipped when PyTorch is missing).
- naive: ``lstm_core.naive``, twelve separate products a step.

Every run draws the same problem; the implementations are run interleaved (A, B, C, B, C, A,
C, A, B, ...: the order rotates) so that machine noise hits them alike, and the median (or, with
``--stat min``, the minimum) of R runs is reported. ``--clock cpu`` times this process's CPU time
instead of the wall clock: on a machine shared with other jobs, with ``--threads 1``, it leaves out
the time spent waiting for a core.
numpy's BLAS and torch get the same thread count (set before numpy is imported).
Prints a markdown table with the ratios core / peer, core / torch and naive / core.

``--products`` instead times the two orders in which ``lstm_backward`` could write its weight
gradients, ``dz^T x`` and ``(x^T dz)^T`` (the same sums), at each size: the numbers behind the
comment there.
"""

import argparse
import os
import statistics
import sys
import time

SIZES = [(20, 1, 1, 16), (50, 32, 8, 64), (100, 64, 32, 128), (200, 64, 64, 256)]  # (T, B, D, H)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--dtypes", nargs="+", default=["float64", "float32"])
    parser.add_argument("--stat", choices=["median", "min"], default="median", help="how R runs become one time")
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                        help="wall time, or this process's CPU time (fair on a busy machine with --threads 1)")
    parser.add_argument("--sizes", nargs="+", type=int, choices=range(len(SIZES)), default=list(range(len(SIZES))),
                        help="which of the sizes to time, by position in SIZES (0 is the smallest)")
    parser.add_argument("--no-naive", action="store_true", help="skip the slow per-gate baseline")
    parser.add_argument("--products", action="store_true",
                        help="time dz^T x against (x^T dz)^T, the weight-gradient products, instead")
    return parser.parse_args(argv)


if __name__ == "__main__":  # BLAS reads its thread count when numpy is imported
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = str(parse_args(sys.argv[1:]).threads)

import numpy as np  # noqa: E402

from lstm_core import LSTMParams, lstm_backward, lstm_forward  # noqa: E402
from lstm_core.naive import naive_lstm_backward, naive_lstm_forward  # noqa: E402


def peer_forward(w_x, w_h, b, x):
    """CS231n-style fused LSTM forward from zero state. w_x (D, 4H), w_h (H, 4H), b (4H,); x (T, B, D)."""
    num_steps, batch_size, _ = x.shape
    hidden_size = w_h.shape[0]
    a_in = (x.reshape(num_steps * batch_size, -1) @ w_x + b).reshape(num_steps, batch_size, -1)  # (T, B, 4H)
    ifgo = np.empty_like(a_in)
    h, c, tanh_c = (np.empty((num_steps, batch_size, hidden_size), x.dtype) for _ in range(3))
    h_prev = c_prev = np.zeros((batch_size, hidden_size), x.dtype)
    for t in range(num_steps):
        a = a_in[t] + h_prev @ w_h  # (B, 4H)
        i, f, g, o = np.split(a, 4, axis=1)
        i, f, g, o = _sigmoid(i), _sigmoid(f), np.tanh(g), _sigmoid(o)
        c[t] = f * c_prev + i * g
        tanh_c[t] = np.tanh(c[t])
        h[t] = o * tanh_c[t]
        ifgo[t] = np.concatenate([i, f, g, o], axis=1)
        h_prev, c_prev = h[t], c[t]
    return h, (x, ifgo, c, tanh_c, h)


def peer_backward(dh, cache, w_x, w_h):
    """Full BPTT for ``peer_forward``: returns dw_x (D, 4H), dw_h (H, 4H), db (4H,), dx (T, B, D)."""
    x, ifgo, c, tanh_c, h = cache
    num_steps, batch_size, _ = x.shape
    da = np.empty_like(ifgo)  # (T, B, 4H)
    dh_next = dc_next = np.zeros_like(dh[0])
    for t in reversed(range(num_steps)):
        i, f, g, o = np.split(ifgo[t], 4, axis=1)
        c_prev = c[t - 1] if t > 0 else np.zeros_like(c[0])
        dh_t = dh[t] + dh_next
        dc_t = dc_next + dh_t * o * (1 - tanh_c[t] ** 2)
        da[t] = np.concatenate([dc_t * g * i * (1 - i), dc_t * c_prev * f * (1 - f), dc_t * i * (1 - g * g),
                                dh_t * tanh_c[t] * o * (1 - o)], axis=1)
        dh_next = da[t] @ w_h.T
        dc_next = dc_t * f
    rows = num_steps * batch_size
    da_rows = da.reshape(rows, -1)
    h_prev = np.concatenate([np.zeros_like(h[:1]), h[:-1]]).reshape(rows, -1)
    dw_x = x.reshape(rows, -1).T @ da_rows
    dw_h = h_prev.T @ da_rows
    return dw_x, dw_h, da_rows.sum(axis=0), (da_rows @ w_x.T).reshape(x.shape)


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def time_interleaved(runs, repeats, clock, stat):
    """Run each callable of ``runs`` (a dict) once to warm up, then ``repeats`` times with the order
    rotating; return {name: milliseconds} by ``stat`` ("median" or "min")."""
    for run in runs.values():
        run()
    names = list(runs)
    times = {name: [] for name in names}
    for repeat in range(repeats):
        shift = repeat % len(names)  # rotate the order, so that no one always runs first
        for name in names[shift:] + names[:shift]:
            start = clock()
            runs[name]()
            times[name].append(clock() - start)
    summary = {"median": statistics.median, "min": min}[stat]
    return {name: 1000 * summary(values) for name, values in times.items()}


def time_products(args, clock):
    """The weight-gradient products of lstm_backward in both orders, for every size and dtype."""
    print("| dtype | (T, B, D, H) | product | dz^T a ms | (a^T dz)^T ms | ratio |")
    print("|---|---|---|---:|---:|---:|")
    for dtype in args.dtypes:
        for size in (SIZES[k] for k in args.sizes):
            num_steps, batch_size, input_size, hidden_size = size
            rng = np.random.default_rng(0)
            rows = num_steps * batch_size
            dz_rows = rng.standard_normal((rows, 4 * hidden_size)).astype(dtype)  # (T*B, 4H)
            for name, width in (("dw_x", input_size), ("dw_h", hidden_size)):
                a_rows = rng.standard_normal((rows, width)).astype(dtype)  # (T*B, D) or (T*B, H)
                runs = {"dz^T a": lambda a=a_rows, dz=dz_rows: dz.T @ a,
                        "(a^T dz)^T": lambda a=a_rows, dz=dz_rows: (a.T @ dz).T}
                ms = time_interleaved(runs, args.repeats, clock, args.stat)
                print(f"| {dtype} | {size} | {name} | {ms['dz^T a']:.2f} | {ms['(a^T dz)^T']:.2f} | "
                      f"{ms['dz^T a'] / ms['(a^T dz)^T']:.2f} |", flush=True)


def main(argv=None):
    args = parse_args(argv)
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    header = (f"threads: {args.threads}; repeats: {args.repeats} ({args.stat}, {args.clock} time); "
              f"numpy {np.__version__}")
    if args.products:
        print(header + "\n")
        time_products(args, clock)
        return
    try:
        import torch

        torch.set_num_threads(args.threads)
    except ImportError:
        torch = None
        print("torch is not installed (pip install torch==2.13.0): timing numpy only", file=sys.stderr)

    def run_core(params, x, dh):
        _, _, cache = lstm_forward(params, x)
        lstm_backward(dh, cache)

    def run_naive(params, x, dh):
        zeros = np.zeros((x.shape[1], params.hidden_size), x.dtype)
        _, steps = naive_lstm_forward(params, x, zeros, zeros)
        naive_lstm_backward(dh, params, steps)

    def make_peer(params, x, dh):
        w_x, w_h, b = params.fused()
        w_x, w_h = np.ascontiguousarray(w_x.T), np.ascontiguousarray(w_h.T)  # the peer's own layout, (D, 4H), (H, 4H)

        def run():
            _, cache = peer_forward(w_x, w_h, b, x)
            peer_backward(dh, cache, w_x, w_h)

        return run

    def make_torch(params, x, dh):
        lstm = params.to_torch()  # PyTorch's gate order is also i, f, g, o
        x_t, dh_t = torch.from_numpy(x), torch.from_numpy(dh)

        def run():
            lstm.zero_grad(set_to_none=True)
            out, _ = lstm(x_t)
            out.backward(dh_t)

        return run

    print(header + (f"; torch {torch.__version__}" if torch else ""))
    print()
    print("| dtype | (T, B, D, H) | core ms | peer ms | torch ms | naive ms | core / peer | core / torch "
          "| naive / core |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for dtype in args.dtypes:
        for size in (SIZES[k] for k in args.sizes):
            num_steps, batch_size, input_size, hidden_size = size
            rng = np.random.default_rng(0)
            params = LSTMParams.init(input_size, hidden_size, rng, dtype=np.dtype(dtype))
            x = rng.standard_normal((num_steps, batch_size, input_size)).astype(dtype)
            dh = rng.standard_normal((num_steps, batch_size, hidden_size)).astype(dtype)
            runs = {"core": lambda p=params, x=x, dh=dh: run_core(p, x, dh), "peer": make_peer(params, x, dh)}
            if torch:
                runs["torch"] = make_torch(params, x, dh)
            if not args.no_naive:
                runs["naive"] = lambda p=params, x=x, dh=dh: run_naive(p, x, dh)
            ms = time_interleaved(runs, args.repeats, clock, args.stat)
            core, peer, tch, naive = ms["core"], ms["peer"], ms.get("torch"), ms.get("naive")
            print(f"| {dtype} | {size} | {core:.2f} | {peer:.2f} | {f'{tch:.2f}' if tch else '-'} | "
                  f"{f'{naive:.2f}' if naive else '-'} | {core / peer:.2f} | {f'{core / tch:.2f}' if tch else '-'} | "
                  f"{f'{naive / core:.1f}' if naive else '-'} |", flush=True)


if __name__ == "__main__":
    main()
