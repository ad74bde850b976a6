"""What a class costs on one machine: JupyterHub spawn time and memory per student, for 5, 10 and 20.

Each size runs a whole class with hub/classroom.py (all servers started at once, each student fetches,
answers, submits and keeps one kernel open; the instructor collects and autogrades everything).

Usage: python benchmarks/bench_hub.py [--sizes 5 10 20]   (needs `npm ci` in hub/ and the test extra)
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hub"))
import classroom  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5, 10, 20])
    args = parser.parse_args(argv)
    print(f"{os.cpu_count()} CPUs; load average before: {os.getloadavg()[0]:.1f}")
    print("| students | servers ready (s) | MB per student (server + kernel) | autograde (s) | whole class (s) |")
    print("|---:|---:|---:|---:|---:|")
    for size in args.sizes:
        result = classroom.run_class(size, log=lambda message: None)
        assert not result["leftover_processes"], result["leftover_processes"]
        print(f"| {size} | {result['spawn_seconds']:.0f} | {result['memory_per_student_mb']:.0f} | "
              f"{result['autograde_seconds']:.0f} | {result['total_seconds']:.0f} |", flush=True)


if __name__ == "__main__":
    main()
