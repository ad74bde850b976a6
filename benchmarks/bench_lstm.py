"""Time forward + backward of lstm_core against torch.nn.LSTM (CPU) and a naive per-gate numpy LSTM.

Usage:
    python benchmarks/bench_lstm.py [--threads N] [--repeats R] [--dtypes float64 float32] [--no-naive]

Every run draws the same problem; the three implementations are run interleaved (A, B, C,
A, B, C, ...) so that machine noise hits them alike, and the median of R runs is reported.
numpy's BLAS and torch get the same thread count (set before numpy is imported).
Prints a markdown table with the ratios lstm_core / torch and naive / lstm_core.
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
    parser.add_argument("--no-naive", action="store_true", help="skip the slow per-gate baseline")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    import numpy as np

    from lstm_core import LSTMParams, lstm_backward, lstm_forward
    from lstm_core.autodiff import to_torch_lstm
    from lstm_core.naive import naive_lstm_backward, naive_lstm_forward

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

    def make_torch(params, x, dh):
        lstm = to_torch_lstm(params)  # PyTorch's gate order is also i, f, g, o
        x_t, dh_t = torch.from_numpy(x), torch.from_numpy(dh)

        def run():
            lstm.zero_grad(set_to_none=True)
            out, _ = lstm(x_t)
            out.backward(dh_t)

        return run

    print(f"threads: {args.threads}; repeats: {args.repeats}; numpy {np.__version__}"
          + (f"; torch {torch.__version__}" if torch else ""))
    print()
    print("| dtype | (T, B, D, H) | lstm_core ms | torch ms | naive ms | core / torch | naive / core |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for dtype in args.dtypes:
        for size in SIZES:
            num_steps, batch_size, input_size, hidden_size = size
            rng = np.random.default_rng(0)
            params = LSTMParams.init(input_size, hidden_size, rng, dtype=np.dtype(dtype))
            x = rng.standard_normal((num_steps, batch_size, input_size)).astype(dtype)
            dh = rng.standard_normal((num_steps, batch_size, hidden_size)).astype(dtype)
            runs = {"core": lambda p=params, x=x, dh=dh: run_core(p, x, dh)}
            if torch:
                runs["torch"] = make_torch(params, x, dh)
            if not args.no_naive:
                runs["naive"] = lambda p=params, x=x, dh=dh: run_naive(p, x, dh)
            times = {name: [] for name in runs}
            for run in runs.values():  # warm up
                run()
            for _ in range(args.repeats):
                for name, run in runs.items():
                    start = time.perf_counter()
                    run()
                    times[name].append(time.perf_counter() - start)
            ms = {name: 1000 * statistics.median(values) for name, values in times.items()}
            core, tch, naive = ms["core"], ms.get("torch"), ms.get("naive")
            print(f"| {dtype} | {size} | {core:.2f} | {f'{tch:.2f}' if tch else '-'} | "
                  f"{f'{naive:.2f}' if naive else '-'} | {f'{core / tch:.2f}' if tch else '-'} | "
                  f"{f'{naive / core:.1f}' if naive else '-'} |", flush=True)


if __name__ == "__main__":
    main()
