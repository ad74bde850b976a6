"""Time what each lesson's slider callbacks do: index precomputed data and redraw the figure.

Usage: python benchmarks/bench_widgets.py [--repeats R]

Each ``benchmarks/widgets_<topic>.py`` defines ``cases()`` returning ``(label, callable)`` pairs;
a callable does exactly the work of one slider callback (Agg canvas, full draw). The target
from the course's standards is a median under 100 ms. Exits non-zero if any case misses it.
"""

import argparse
import importlib.util
import statistics
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

TARGET_MS = 100.0


def load_cases():
    """All (module, label, callable) triples from the widgets_*.py files beside this script."""
    for path in sorted(Path(__file__).parent.glob("widgets_*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for label, callback in module.cases():
            yield path.stem.removeprefix("widgets_"), label, callback


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args(argv)
    print("| lesson topic | slider callback | median ms | max ms |")
    print("|---|---|---:|---:|")
    slow = []
    for topic, label, callback in load_cases():
        callback()  # warm up (font cache, first draw)
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            callback()
            times.append(1000 * (time.perf_counter() - start))
        median = statistics.median(times)
        print(f"| {topic} | {label} | {median:.1f} | {max(times):.1f} |", flush=True)
        if median > TARGET_MS:
            slow.append(f"{topic}: {label}")
    if slow:
        print(f"\nover {TARGET_MS:.0f} ms: " + "; ".join(slow))
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
