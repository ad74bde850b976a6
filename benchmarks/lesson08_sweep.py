"""Learning-rate sweep for lesson 08's adding problem: LSTM against vanilla RNN, each model tuned.

Usage (10 to 40 minutes on a 2-core machine; the times vary with the machine and its load):
    OPENBLAS_NUM_THREADS=1 python benchmarks/lesson08_sweep.py [--out lstm_core/data/adding_sweep.json]
or in several processes, then merged (the runs are independent; the result is the same):
    python benchmarks/lesson08_sweep.py --models lstm:32 --learning-rates 0.001 --out a.json &
    python benchmarks/lesson08_sweep.py --models lstm:32 --learning-rates 0.003 0.01 --out b.json &
    python benchmarks/lesson08_sweep.py --models rnn:32 rnn:64 --out c.json
    python benchmarks/lesson08_sweep.py --merge a.json b.json c.json --out lstm_core/data/adding_sweep.json

For every model (LSTM H = 32, vanilla RNN H = 32, vanilla RNN H = 64, which has about the LSTM's
parameter count), every learning rate and every seed, it trains with ``lstm_core.train.train_adding``
(T = 40, B = 32, clip 1, Adam) and measures the MSE on 2000 held-out sequences that training never
draws, every 100 iterations, and how much the model's prediction leans on each of the two marked
values (least-squares weights a, b in y_pred ~ a v_first + b v_second + c; a = b = 1 is the exact sum).
The lesson loads the JSON it writes (``lstm_core.data.load_precomputed("adding_sweep")``) and plots
it; it does not re-run it.
"""

import argparse
import json
import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # tiny matrices: one BLAS thread is faster and steadier

import numpy as np  # noqa: E402

from lstm_core.data import adding_problem, marked_values  # noqa: E402
from lstm_core.train import adding_predict, count_parameters, train_adding  # noqa: E402

NUM_STEPS, BATCH_SIZE, CLIP, ITERATIONS, EVAL_EVERY = 40, 32, 1.0, 6000, 100
MODELS = (("lstm", 32), ("rnn", 32), ("rnn", 64))  # (model, H)
LEARNING_RATES = (1e-3, 3e-3, 1e-2)
SEEDS = (0, 1, 2)
HELDOUT_SEED, HELDOUT_SIZE = 2026, 2000  # a seed no training run uses


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="lstm_core/data/adding_sweep.json")
    parser.add_argument("--iterations", type=int, default=ITERATIONS)
    parser.add_argument("--models", nargs="+", default=[f"{m}:{h}" for m, h in MODELS],
                        help="model:hidden_size pairs to train (default: all three)")
    parser.add_argument("--learning-rates", nargs="+", type=float, default=list(LEARNING_RATES))
    parser.add_argument("--merge", nargs="+", metavar="JSON", help="merge the runs of these files instead of training")
    return parser.parse_args(argv)


def time_models(rounds=5, iterations=100):
    """Median milliseconds per training iteration of each model, measured interleaved (A, B, C, A, ...)
    so that the machine's load hits them alike; the ratios are steadier than the times."""
    times = {f"{m}:{h}": [] for m, h in MODELS}
    for _ in range(rounds):
        for model, hidden_size in MODELS:
            start = time.perf_counter()
            train_adding(np.random.default_rng(0), model, NUM_STEPS, hidden_size, iterations, BATCH_SIZE, 1e-3, CLIP)
            times[f"{model}:{hidden_size}"].append(1e3 * (time.perf_counter() - start) / iterations)
    return {name: round(float(np.median(ms)), 2) for name, ms in times.items()}


def write(result, runs, path):
    with open(path, "w", encoding="utf-8") as file:  # one run per line: small diffs, readable
        file.write(json.dumps(result, indent=1)[:-2] + ',\n "runs": [\n')
        file.write(",\n".join("  " + json.dumps(run) for run in runs) + "\n ]\n}\n")
    print(f"wrote {path}")


def main(argv=None):
    args = parse_args(argv)
    if args.merge:
        parts = [json.load(open(path, encoding="utf-8")) for path in args.merge]
        if any(part["settings"] != parts[0]["settings"] for part in parts):
            raise ValueError("the files to merge were made with different settings")
        order = [f"{m}:{h}" for m, h in MODELS]
        runs = sorted((run for part in parts for run in part["runs"]),
                      key=lambda r: (order.index(f"{r['model']}:{r['hidden_size']}"), r["learning_rate"], r["seed"]))
        head = {k: v for k, v in parts[0].items() if k != "runs"}
        head["ms_per_iteration"] = time_models()
        write(head, runs, args.out)
        return 0
    models = [(name, int(size)) for name, size in (pair.split(":") for pair in args.models)]
    x_heldout, y_heldout = adding_problem(np.random.default_rng(HELDOUT_SEED), NUM_STEPS, HELDOUT_SIZE)
    marked = marked_values(x_heldout)  # (B, 2): the first and the second marked value of each sequence
    design = np.column_stack([marked, np.ones(HELDOUT_SIZE)])  # (B, 3)
    runs = []
    for model, hidden_size in models:
        for learning_rate in args.learning_rates:
            for seed in SEEDS:
                start = time.perf_counter()
                history = train_adding(np.random.default_rng(seed), model, NUM_STEPS, hidden_size, args.iterations,
                                       BATCH_SIZE, learning_rate, CLIP, snapshot_every=EVAL_EVERY)
                seconds = time.perf_counter() - start
                predictions = [adding_predict(s["params"], s["readout"], x_heldout) for s in history["snapshots"]]
                mse = [float(np.mean((y_pred - y_heldout) ** 2)) for y_pred in predictions]
                # least squares y_pred ~ a v_first + b v_second + c: which marked value does the model use?
                coefficients = [np.linalg.lstsq(design, y_pred[:, 0], rcond=None)[0] for y_pred in predictions]
                runs.append({"model": model, "hidden_size": hidden_size, "learning_rate": learning_rate,
                             "seed": seed, "parameters": count_parameters(history["params"], history["readout"]),
                             "ms_per_iteration": round(1e3 * seconds / args.iterations, 2),
                             "heldout_mse": [float(f"{m:.4g}") for m in mse],
                             "weight_first": [round(float(a), 3) + 0.0 for a, _, _ in coefficients],  # + 0.0: no -0.0
                             "weight_second": [round(float(b), 3) + 0.0 for _, b, _ in coefficients]})
                print(f"{model} H={hidden_size} lr={learning_rate:g} seed={seed}: held-out MSE at 800 "
                      f"{mse[min(8, len(mse) - 1)]:.4f}, final {mse[-1]:.4f}, {seconds:.0f} s", flush=True)
    result = {
        "command": "OPENBLAS_NUM_THREADS=1 python benchmarks/lesson08_sweep.py",
        "settings": {"num_steps": NUM_STEPS, "batch_size": BATCH_SIZE, "clip": CLIP, "iterations": args.iterations,
                     "eval_every": EVAL_EVERY, "heldout_seed": HELDOUT_SEED, "heldout_size": HELDOUT_SIZE,
                     "optimiser": "Adam", "forget_bias": 1.0},
        "ms_per_iteration": time_models(),
    }
    write(result, runs, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
