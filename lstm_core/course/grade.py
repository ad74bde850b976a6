"""Grade an exercise notebook on your own machine, the way nbgrader would grade it in a class.

Usage::

    python -m lstm_core.grade exercises/03_backward_one_step.ipynb
    python -m lstm_core.grade --json exercises/03_backward_one_step.ipynb

The learner's file is only read. The grader builds a copy in memory from the course's own
copy of the cells, ``lstm_core/data/exercise_tests.json`` (written by
``tools/make_exercises.py`` from ``solutions/``, shipped inside the package):

- every test cell is put back as the course wrote it, *with its hidden tests* (other shapes
  and seeds), so editing or deleting a test earns nothing and a hard-coded answer fails;
- instruction and setup cells are put back too; the learner's solution cells (matched by
  grade id) and any extra cells of their own are kept, in the course's order;
- each restored test cell first re-runs the setup's imports and
  ``from lstm_core.course.feedback import expect_close``, so a helper redefined in a solution
  cell does not change what a test checks.

Then it runs the copy in a fresh kernel one cell at a time: a cell that raises, runs longer than
``--timeout`` seconds or prints more than ``--max-output`` bytes fails, costs the points of
the test it belongs to, and the next cell runs anyway. A test passes when its cell runs
without error. The exit code is 0 whenever the notebook was graded, whatever the score, and
2 when the file is not a notebook or not one of the course's exercises.

This is a self-study tool: it keeps honest learners from fooling themselves, it is not a
sandbox (code in the notebook runs with your permissions, as it does in Jupyter).
"""

import argparse
import json
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from nbclient.util import run_sync

from lstm_core.course.notebook_cells import cell_source, grade_id

BANK_RESOURCE = "data/exercise_tests.json"
DEFAULT_TIMEOUT = 60
DEFAULT_MAX_OUTPUT = 1_000_000
EXIT_GRADED, EXIT_ERROR = 0, 2


class GradingError(Exception):
    """The file cannot be graded: not a notebook, or not one of the course's exercises."""


@dataclass
class TestResult:
    grade_id: str
    passed: bool
    points: int
    max_points: int
    message: str = ""


@dataclass
class Report:
    notebook: str
    exercise: str
    tests: list = field(default_factory=list)
    cell_errors: list = field(default_factory=list)  # errors in cells that are not tests
    notes: list = field(default_factory=list)

    @property
    def score(self):
        return sum(t.points for t in self.tests)

    @property
    def max_score(self):
        return sum(t.max_points for t in self.tests)

    def to_dict(self):
        return {"notebook": self.notebook, "exercise": self.exercise, "score": self.score,
                "max_score": self.max_score, "tests": [asdict(t) for t in self.tests],
                "cell_errors": self.cell_errors, "notes": self.notes}

    def to_text(self):
        width = max([len(t.grade_id) for t in self.tests] + [8])
        lines = [f"Grading {self.notebook} (exercise {self.exercise})"]
        for t in self.tests:
            status = "PASS" if t.passed else "FAIL"
            line = f"  {status}  {t.grade_id:<{width}}  {f'{t.points}/{t.max_points}':>5}"
            lines.append(line + (f"  {t.message}" if t.message else ""))
        lines += [f"  note: {note}" for note in self.notes]
        lines.append(f"Total: {self.score}/{self.max_score}")
        return "\n".join(lines)


def load_bank(path=None):
    """The test bank: {exercise name: {"prelude", "cells", "max_score"}}."""
    try:
        if path is None:
            text = resources.files("lstm_core").joinpath(BANK_RESOURCE).read_text(encoding="utf-8")
        else:
            text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise GradingError(f"the course's test bank is missing ({error.filename}); from a checkout of "
                           "the course, run `python tools/make_exercises.py` to generate it") from None
    return json.loads(text)["notebooks"]


def read_notebook(path):
    """Read ``path`` as a notebook, or raise ``GradingError`` saying why it is not one."""
    path = Path(path)
    if not path.is_file():
        raise GradingError(f"{path}: no such file")
    try:
        return nbformat.read(path, as_version=4)
    except Exception as error:  # nbformat raises several kinds for non-notebooks
        first = str(error).strip().split("\n")[0][:200]
        raise GradingError(f"{path} is not a Jupyter notebook ({type(error).__name__}: {first})") from None


def match_exercise(notebook, bank, hint=""):
    """The name of the bank exercise sharing the most grade ids with ``notebook``."""
    ids = {grade_id(cell) for cell in notebook.cells if grade_id(cell)}
    best, best_key = None, (0, False)
    for name, entry in sorted(bank.items()):
        overlap = len(ids & {c["grade_id"] for c in entry["cells"] if c["kind"] != "locked"})
        key = (overlap, name == hint)
        if overlap and key > best_key:
            best, best_key = name, key
    if best is None:
        raise GradingError(
            "this notebook is not one of the course's exercises: none of its cells has the grade id "
            f"of a solution or test cell of {', '.join(sorted(bank)) or 'any exercise'} "
            "(grade from the exercises/ copy, whose cells carry nbgrader metadata)")
    return best


def assemble(notebook, entry):
    """The notebook to run: the course's cells in the course's order, the learner's solutions.

    Returns (notebook, roles, notes): roles[k] is (kind, grade_id, points) for cell k, kind being
    "test", "solution", "locked" or "extra" (a code cell the learner added, run where they put
    it, after the course cell it followed); notes lists what was restored or replaced.
    """
    known = {c["grade_id"] for c in entry["cells"]}
    learner, extras_after, previous, notes = {}, {}, None, []
    for cell in notebook.cells:
        gid = grade_id(cell)
        if gid in known:
            if gid in learner:
                notes.append(f"cell {gid!r} appears twice; the first copy is graded")
                continue
            learner[gid] = cell
            previous = gid
        elif cell.cell_type == "code" and cell_source(cell).strip():
            extras_after.setdefault(previous, []).append(cell)
    cells, roles = [], []

    def add_extras(after):
        for cell in extras_after.get(after, []):
            cells.append(nbformat.v4.new_code_cell(cell_source(cell)))
            roles.append(("extra", None, 0))

    add_extras(None)
    for spec in entry["cells"]:
        gid, kind = spec["grade_id"], spec["kind"]
        if kind == "solution" and gid in learner and learner[gid].cell_type == spec["cell_type"]:
            source = cell_source(learner[gid])
        elif kind == "test":
            source = entry["prelude"] + "\n" + spec["source"]
            if gid not in learner:
                notes.append(f"test cell {gid!r} was missing and has been restored")
            elif cell_source(learner[gid]).strip() not in spec["source"]:
                notes.append(f"test cell {gid!r} was edited; the course's version is graded")
        else:
            source = spec["source"]
            if kind == "solution":
                notes.append(f"solution cell {gid!r} is missing; its stub is used")
        make = nbformat.v4.new_code_cell if spec["cell_type"] == "code" else nbformat.v4.new_markdown_cell
        cells.append(make(source))
        roles.append((kind, gid, spec.get("points", 0)))
        add_extras(gid)
    run = nbformat.v4.new_notebook(cells=cells)
    run.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return run, roles, notes


class _GradingClient(NotebookClient):
    """An nbclient that keeps at most ``max_output`` characters of output per cell."""

    def __init__(self, *args, max_output=DEFAULT_MAX_OUTPUT, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_output = max_output
        self.output_size = {}

    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        size = len(content.get("text", "")) + sum(len(str(v)) for v in content.get("data", {}).values())
        total = self.output_size.get(cell_index, 0) + size
        self.output_size[cell_index] = total
        if total > self.max_output and msg["msg_type"] != "error":
            return None  # drop it: the cell is failed for printing too much
        return super().output(outs, msg, display_id, cell_index)


def _first_line(text):
    for line in str(text).split("\n"):
        if line.strip():
            return line.strip()[:300]
    return ""


def _error_message(content):
    """One line from an execute reply's error: the exception's name and its message's first line."""
    name, value = content.get("ename", "Error"), _first_line(content.get("evalue", ""))
    if name == "NotImplementedError" and not value:
        return "NotImplementedError: a stub `raise NotImplementedError()` is still there"
    return f"{name}: {value}" if value else name


def execute(run, timeout=DEFAULT_TIMEOUT, max_output=DEFAULT_MAX_OUTPUT, cwd=None):
    """Run each code cell of ``run`` in one fresh kernel; return {index: error message or None}."""
    replies = {}

    def on_executed(cell, cell_index, execute_reply):
        replies[cell_index] = execute_reply

    client = _GradingClient(
        run, timeout=timeout, kernel_name="python3", allow_errors=True, interrupt_on_timeout=True,
        error_on_timeout={"ename": "TimeoutError",
                          "evalue": f"the cell ran longer than {timeout} s (an infinite loop?)",
                          "traceback": []},
        record_timing=False, max_output=max_output, on_cell_executed=on_executed,
        resources={"metadata": {"path": str(cwd or Path.cwd())}})
    errors, ok_cells = {}, []
    with client.setup_kernel(stderr=subprocess.DEVNULL):  # the kernel's own log lines are noise here
        for index, cell in enumerate(run.cells):
            if cell.cell_type != "code" or not cell.source.strip():
                continue
            try:
                client.execute_cell(cell, index)
            except DeadKernelError:
                errors[index] = "the kernel died while running this cell (it has been restarted)"
                run_sync(client.km.restart_kernel)(now=True)
                run_sync(client.kc.wait_for_ready)(timeout=client.startup_timeout)
                for earlier in ok_cells:  # rebuild the state the next cells expect
                    client.execute_cell(run.cells[earlier], earlier)
                continue
            content = (replies.get(index) or {}).get("content", {})
            if content.get("status") == "error":
                errors[index] = _error_message(content)
            elif client.output_size.get(index, 0) > max_output:
                errors[index] = (f"the cell printed {client.output_size[index]:,} characters, more than "
                                 f"the limit of {max_output:,}")
            else:
                errors[index] = None
                ok_cells.append(index)
    return errors


def grade_notebook(notebook, name="notebook", bank=None, timeout=DEFAULT_TIMEOUT,
                   max_output=DEFAULT_MAX_OUTPUT, cwd=None):
    """Grade a notebook (a NotebookNode, left unchanged); return a ``Report``."""
    bank = load_bank() if bank is None else bank
    exercise = match_exercise(notebook, bank, hint=Path(name).stem)
    run, roles, notes = assemble(notebook, bank[exercise])
    errors = execute(run, timeout=timeout, max_output=max_output, cwd=cwd)
    report = Report(notebook=str(name), exercise=exercise, notes=notes)
    for index, (kind, gid, points) in enumerate(roles):
        error = errors.get(index)
        if kind == "test":
            passed = index in errors and error is None
            report.tests.append(TestResult(gid, passed, points if passed else 0, points,
                                           "" if passed else error or "not run"))
        elif error:
            report.cell_errors.append({"cell": index, "kind": kind, "grade_id": gid, "error": error})
    return report


def grade(path, bank=None, timeout=DEFAULT_TIMEOUT, max_output=DEFAULT_MAX_OUTPUT):
    """Grade the notebook at ``path`` (never modified), running it from its own folder."""
    notebook = read_notebook(path)
    return grade_notebook(notebook, name=str(path), bank=bank, timeout=timeout, max_output=max_output,
                          cwd=Path(path).resolve().parent)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m lstm_core.grade",
        description="Grade an exercise notebook with the course's own tests, hidden ones included.")
    parser.add_argument("notebook", help="your copy of exercises/NN_slug.ipynb")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT,
                        help=f"seconds allowed per cell (default {DEFAULT_TIMEOUT})")
    parser.add_argument("--max-output", type=int, default=DEFAULT_MAX_OUTPUT,
                        help=f"characters of output allowed per cell (default {DEFAULT_MAX_OUTPUT:,})")
    parser.add_argument("--bank", help="a test bank other than the installed one (for testing)")
    args = parser.parse_args(argv)
    try:
        bank = load_bank(args.bank)
        report = grade(args.notebook, bank=bank, timeout=args.timeout, max_output=args.max_output)
    except GradingError as error:
        if args.json:
            print(json.dumps({"notebook": args.notebook, "error": str(error)}))
        print(f"error: {error}", file=sys.stderr)
        return EXIT_ERROR
    print(json.dumps(report.to_dict(), indent=1) if args.json else report.to_text())
    return EXIT_GRADED


if __name__ == "__main__":
    sys.exit(main())
