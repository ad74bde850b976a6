"""A long character-model run for lesson 08: when does the LSTM start to overfit the sonnets?

Usage (several minutes on a 2-core machine; the time varies with the machine and its load):
    OPENBLAS_NUM_THREADS=1 python benchmarks/lesson08_char_long.py [--out lstm_core/data/char_long_run.json]

It trains ``lstm_core.train.train_char_model`` on the first 90 % of the shipped sonnets
(``split_text``) and scores the last 10 % every 100 iterations, far beyond the lesson's own
budget. The JSON keeps, per 100 iterations, the mean training loss and the held-out loss; the
lesson loads it (``lstm_core.data.load_precomputed("char_long_run")``) and draws both curves.
"""

import argparse
import json
import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # small matrices: one BLAS thread is faster and steadier

import numpy as np  # noqa: E402

from lstm_core.data import char_vocab, load_text, split_text  # noqa: E402
from lstm_core.train import train_char_model  # noqa: E402

SETTINGS = {"hidden_size": 128, "seq_length": 25, "batch_size": 16, "iterations": 5000, "learning_rate": 1e-2,
            "clip": 5.0, "eval_every": 100, "seed": 3, "train_fraction": 0.9}


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="lstm_core/data/char_long_run.json")
    parser.add_argument("--iterations", type=int, default=SETTINGS["iterations"])
    parser.add_argument("--hidden-size", type=int, default=SETTINGS["hidden_size"])
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    settings = {**SETTINGS, "iterations": args.iterations, "hidden_size": args.hidden_size}
    text = load_text()
    train, heldout = split_text(text, settings["train_fraction"])
    chars, _ = char_vocab(text)
    start = time.perf_counter()
    history = train_char_model(np.random.default_rng(settings["seed"]), train, settings["hidden_size"],
                               settings["seq_length"], settings["batch_size"], settings["iterations"],
                               settings["learning_rate"], settings["clip"], chars=chars, heldout=heldout,
                               eval_every=settings["eval_every"])
    seconds = time.perf_counter() - start
    every = settings["eval_every"]
    loss = history["loss"]
    train_means = [float(loss[max(0, s - every):s].mean()) if s else None for s in history["eval_steps"]]
    result = {
        "command": "OPENBLAS_NUM_THREADS=1 python benchmarks/lesson08_char_long.py",
        "settings": settings,
        "eval_steps": history["eval_steps"].tolist(),
        "train_loss": [None if m is None else round(m, 4) for m in train_means],  # mean of the 100 chunks before
        "heldout_loss": [round(float(m), 4) for m in history["heldout_loss"]],
        "best_step": int(history["best"]["step"]),
    }
    with open(args.out, "w", encoding="utf-8") as file:
        json.dump(result, file)
        file.write("\n")
    best = min(result["heldout_loss"])
    print(f"best held-out loss {best:.3f} at step {result['best_step']}, last {result['heldout_loss'][-1]:.3f}; "
          f"{seconds:.0f} s; wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
