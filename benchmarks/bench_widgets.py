"""Time the lessons' own slider callbacks: run each lesson, record its widgets, call them over their values.

Usage: python benchmarks/bench_widgets.py [--repeats R] [--values N] [--clock wall|cpu] [notebooks/NN_x.ipynb ...]

Each lesson (default: every ``notebooks/*.ipynb``) runs top to bottom in a fresh kernel, from its own
folder, with one cell added before it and one after it; the notebook on disk is not changed.

- The cell before records every callback the lesson hands to ``ipywidgets.interact`` /
  ``interactive`` (both build an ``interactive``) or ``interactive_output``, with its controls.
- The cell after switches matplotlib to Agg and, for each recorded callback, moves one control
  at a time over up to N of its values (every option of a dropdown or selection slider, evenly
  spaced values of a numeric slider, both states of a checkbox), the others at their start
  values. Each call is timed with the drawing of every figure it opened, R times.

So the benchmark times the very code a reader's slider runs, whatever the lessons call their
callbacks. The course's target is a median under 100 ms; the script exits non-zero if a callback
misses it (or fails).
"""

import argparse
import json
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

TARGET_MS = 100.0
MARKER = "BENCH_WIDGETS_JSON="
ROOT = Path(__file__).resolve().parent.parent

RECORD = '''
import ipywidgets as _ipywidgets
import ipywidgets.widgets.interaction as _interaction

_BENCH_CALLBACKS = []  # (name, function, {argument: control widget})
_bench_interactive_init = _interaction.interactive.__init__
_bench_interactive_output = _interaction.interactive_output


def _bench_recording_init(self, function, *args, **kwargs):
    _bench_interactive_init(self, function, *args, **kwargs)
    controls = {widget._kwarg: widget for widget in self.kwargs_widgets}
    _BENCH_CALLBACKS.append((getattr(function, "__name__", "callback"), function, controls))


def _bench_recording_output(function, controls):
    _BENCH_CALLBACKS.append((getattr(function, "__name__", "callback"), function, dict(controls)))
    return _bench_interactive_output(function, controls)


_interaction.interactive.__init__ = _bench_recording_init
for _module in (_ipywidgets, _ipywidgets.widgets, _interaction):
    _module.interactive_output = _bench_recording_output
'''

TIME = '''
import json as _json
import statistics as _statistics
import time as _time
import warnings as _warnings

import matplotlib.pyplot as _plt
import numpy as _np

_plt.switch_backend("Agg")


def _bench_values(widget, count):
    """Up to ``count`` values a reader can give this control, evenly spread, ends included."""
    if hasattr(widget, "_options_values"):  # Dropdown, SelectionSlider, ToggleButtons, ...
        values = list(widget._options_values)
    elif isinstance(widget.value, bool):
        values = [False, True]
    elif hasattr(widget, "min") and hasattr(widget, "max"):  # numeric sliders
        kind = type(widget.value)
        values = [kind(v) for v in _np.linspace(widget.min, widget.max, count)]
    else:
        values = [widget.value]
    if len(values) > count:
        values = [values[round(k * (len(values) - 1) / (count - 1))] for k in range(count)]
    return values


_bench_clock = _time.process_time if "CLOCK" == "cpu" else _time.perf_counter


def _bench_call(function, kwargs):
    start = _bench_clock()
    function(**kwargs)
    for number in _plt.get_fignums():
        _plt.figure(number).canvas.draw()
    elapsed = 1000 * (_bench_clock() - start)
    _plt.close("all")
    return elapsed


_bench_results = []
with _warnings.catch_warnings():
    _warnings.simplefilter("ignore")  # e.g. "FigureCanvasAgg is non-interactive" from plt.show()
    for _name, _function, _controls in _BENCH_CALLBACKS:
        _start = {argument: widget.value for argument, widget in _controls.items()}
        try:
            _bench_call(_function, _start)  # warm up: font cache, first draw
            _times = []
            for _argument, _widget in _controls.items():
                for _value in _bench_values(_widget, VALUES):
                    _times += [_bench_call(_function, {**_start, _argument: _value}) for _ in range(REPEATS)]
            _bench_results.append({"callback": _name, "controls": list(_controls), "calls": len(_times),
                                   "median_ms": _statistics.median(_times), "max_ms": max(_times)})
        except Exception as _error:  # report and go on with the next callback
            _bench_results.append({"callback": _name, "controls": list(_controls), "error": repr(_error)})
print("MARKER" + _json.dumps(_bench_results))
'''


def time_lesson(path, repeats, values, clock="wall", timeout=900):
    """Run the lesson at ``path`` with the recording and timing cells; return its list of results."""
    notebook = nbformat.read(path, as_version=4)
    timing = (TIME.replace("VALUES", str(values)).replace("REPEATS", str(repeats)).replace("MARKER", MARKER)
              .replace("CLOCK", clock))
    notebook.cells = [nbformat.v4.new_code_cell(RECORD), *notebook.cells, nbformat.v4.new_code_cell(timing)]
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(Path(path).parent)}})
    client.execute()
    for output in notebook.cells[-1].get("outputs", []):
        for line in output.get("text", "").splitlines():
            if line.startswith(MARKER):
                return json.loads(line[len(MARKER):])
    raise RuntimeError(f"{path}: the timing cell printed no results")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path, help="lessons to time (default: all of notebooks/)")
    parser.add_argument("--repeats", type=int, default=3, help="calls per control value")
    parser.add_argument("--values", type=int, default=5, help="values tried per control, at most")
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                        help="wall time, or the kernel's CPU time (fairer on a machine busy with other jobs)")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    print("| lesson | slider callback (controls) | calls | median ms | max ms |")
    print("|---|---|---:|---:|---:|")
    misses = []
    for path in paths:
        for row in time_lesson(path, args.repeats, args.values, args.clock):
            label = f"{row['callback']} ({', '.join(row['controls'])})"
            if "error" in row:
                print(f"| {path.stem} | {label} | - | failed: {row['error']} | - |", flush=True)
                misses.append(f"{path.stem}: {label} failed")
                continue
            print(f"| {path.stem} | {label} | {row['calls']} | {row['median_ms']:.1f} | {row['max_ms']:.1f} |",
                  flush=True)
            if row["median_ms"] > TARGET_MS:
                misses.append(f"{path.stem}: {label}")
    if misses:
        print(f"\nover {TARGET_MS:.0f} ms or failed: " + "; ".join(misses))
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
