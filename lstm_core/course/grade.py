"""Grade an exercise notebook: the learner's code runs in a kernel, the verdicts in the grader.

Usage::

    python -m lstm_core.grade exercises/03_gate_gradients.ipynb            # self-study
    python -m lstm_core.grade --json exercises/03_gate_gradients.ipynb
    python -m lstm_core.grade --tests path/to/solutions NOTEBOOK            # instructor: hidden tests

The learner's file is only read. From the course's copy of the exercise the grader puts back
every instruction, setup and test cell, keeps the learner's solution cells (matched by grade
id) and any code cells of their own, and then

1. runs the setup and solution cells in a fresh kernel, in a temporary folder;
2. runs each test cell **in its own process**: the learner's functions are stand-ins that send
   their arguments to the kernel as plain data (``lstm_core.course.wire``: JSON and ``.npy``
   bytes, never pickle), call the learner's function there and bring the result back. Expected
   values, comparisons and messages are computed here, so patching numpy, ``expect_close``
   or IPython inside the kernel changes nothing;
3. fails a call that changes its arguments in place (unless the exercise says it must), whose
   earlier result changed when called again (a reused buffer), or that calls an ``lstm_core``
   function the exercise asks the learner to write (also found by reading the cell's code).

Which tests run: by default the visible tests and the self-check tests shipped with the
package (``lstm_core/data/exercise_checks.json``); ``--tests DIR`` reads the instructor's
solution notebooks in DIR and runs the visible and hidden tests (for marks that count; see
docs/TEACHING.md). Every run ends: a test whose call exceeds ``--timeout`` seconds fails, a
kernel that dies or ignores an interrupt is restarted and the earlier cells replayed, and a
kernel that cannot be brought back costs the remaining tests, with a note saying so.

The JSON report (``--json``, schema 2)::

    {"schema": 2, "notebook": str, "exercise": str, "tests_run": "visible and self-check" |
     "visible and hidden", "score": int, "max_score": int, "seconds": float,
     "tests": [{"name": str, "grade_id": str, "points": int, "max_points": int,
                "passed": bool, "message": str}],
     "cell_errors": [{"cell": int, "kind": str, "grade_id": str | null, "error": str}],
     "notes": [str]}

Exit code 0 whenever the notebook was graded, whatever the score; 2 when the file is not a
notebook or not one of the course's exercises (then ``--json`` prints ``{"notebook", "error"}``).
"""

import argparse
import ast
import json
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path

import nbformat

from lstm_core.course import wire
from lstm_core.course.agent import CALLBACK_PROMPT, KEEP_RESULTS
from lstm_core.course.notebook_cells import (
    bound_names,
    cell_source,
    exercise_entry,
    forbidden_uses,
    grade_id,
    referenced_names,
    strip_magics,
    test_source,
)
from lstm_core.course.session import KernelSession

CHECKS_RESOURCE = "data/exercise_checks.json"
SCHEMA = 2
DEFAULT_TIMEOUT = 60
DEFAULT_MAX_OUTPUT = 1_000_000
EXIT_GRADED, EXIT_ERROR = 0, 2
AGENT = "__lstm_bptt_agent__"


class GradingError(Exception):
    """The file cannot be graded: not a notebook, or not one of the course's exercises."""


class LearnerError(Exception):
    """An error raised by the learner's code in the kernel (its message is shown as it is)."""


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
    tests_run: str = ""
    tests: list = field(default_factory=list)
    cell_errors: list = field(default_factory=list)  # errors in cells that are not tests
    notes: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def score(self):
        return sum(t.points for t in self.tests)

    @property
    def max_score(self):
        return sum(t.max_points for t in self.tests)

    def to_dict(self):
        return {"schema": SCHEMA, "notebook": self.notebook, "exercise": self.exercise,
                "tests_run": self.tests_run, "score": self.score, "max_score": self.max_score,
                "seconds": round(self.seconds, 2),
                "tests": [{"name": t.grade_id, **asdict(t)} for t in self.tests],
                "cell_errors": self.cell_errors, "notes": self.notes}

    def to_text(self):
        width = max([len(t.grade_id) for t in self.tests] + [8])
        lines = [f"Grading {self.notebook} (exercise {self.exercise}; tests run: {self.tests_run})"]
        for error in self.cell_errors:
            where = f"cell {error['grade_id']!r}" if error["grade_id"] else f"your cell #{error['cell']}"
            lines.append(f"  ERROR in {where}: {error['error']}")
        for t in self.tests:
            status = "PASS" if t.passed else "FAIL"
            line = f"  {status}  {t.grade_id:<{width}}  {f'{t.points}/{t.max_points}':>5}"
            lines.append(line + (f"  {t.message}" if t.message else ""))
        lines += [f"  note: {note}" for note in self.notes]
        lines.append(f"Total: {self.score}/{self.max_score}")
        return "\n".join(lines)


def load_bank(tests=None):
    """The exercises' tests: {exercise name: entry} (see ``notebook_cells.exercise_entry``).

    ``tests=None``: the self-check bank shipped with the package. ``tests=DIR``: built from the
    solution notebooks in DIR, hidden tests included (the instructor's bank).
    """
    if tests is None:
        try:
            text = resources.files("lstm_core").joinpath(CHECKS_RESOURCE).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise GradingError(f"the course's self-check tests are missing (lstm_core/{CHECKS_RESOURCE}); "
                               "from a checkout, run `python tools/make_exercises.py`") from None
        return json.loads(text)["notebooks"]
    folder = Path(tests)
    paths = sorted(folder.glob("*.ipynb")) if folder.is_dir() else [folder]
    if not paths or not all(p.is_file() for p in paths):
        raise GradingError(f"--tests {tests}: no solution notebooks there")
    return {p.stem: exercise_entry(read_notebook(p), p.name, tests="hidden") for p in paths}


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


@dataclass
class Step:
    kind: str  # "locked", "solution", "test" or "extra"
    grade_id: str
    cell_type: str
    source: str
    points: int = 0
    index: int = 0  # position in the assembled notebook


def assemble(notebook, entry):
    """The cells to run: the course's cells in the course's order, the learner's solutions.

    Returns (steps, notes): a learner's extra code cell runs where they put it (after the course
    cell it followed); notes list what was restored or replaced.
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
    steps = []

    def add_extras(after):
        steps.extend(Step("extra", None, "code", cell_source(cell)) for cell in extras_after.get(after, []))

    add_extras(None)
    for spec in entry["cells"]:
        gid, kind = spec["grade_id"], spec["kind"]
        if kind == "solution" and gid in learner and learner[gid].cell_type == spec["cell_type"]:
            source = cell_source(learner[gid])
        else:
            source = spec["source"]
            if kind == "test" and gid not in learner:
                notes.append(f"test cell {gid!r} was missing and has been restored")
            elif kind == "test" and _visible(cell_source(learner[gid])) != spec.get("visible", "").strip():
                notes.append(f"test cell {gid!r} was edited; the course's version is graded")
            elif kind == "solution":
                notes.append(f"solution cell {gid!r} is missing; its stub is used")
        steps.append(Step(kind, gid, spec["cell_type"], source, spec.get("points", 0)))
        add_extras(gid)
    for index, step in enumerate(steps):
        step.index = index
    return steps, notes


def _visible(source):
    try:
        return test_source(source, "visible").strip()
    except ValueError:  # unbalanced markers: an edited cell
        return None


class LearnerFunction:
    """Stands in, in the grader's process, for a function the learner defined in the kernel."""

    def __init__(self, run, name):
        self._run, self.__name__ = run, name

    def __call__(self, *args, **kwargs):
        return self._run.call(self.__name__, args, kwargs)

    def __repr__(self):
        return f"<the learner's {self.__name__}, run in their kernel>"


class _GradingRun:
    """The state of one grading: the kernel, the grader's namespace, what to replay."""

    def __init__(self, session, entry, timeout):
        self.session, self.entry, self.timeout = session, entry, timeout
        # the course's cells print for the learner; here their prints are dropped (thread-safe)
        self.ns = {"__name__": "__lstm_bptt_tests__", "print": lambda *args, **kwargs: None}
        self.kernel_log = []  # kernel sources that ran without error, replayed after a restart
        self.lost = None  # why the kernel could not be brought back, once it happened
        self.last_results = {}
        self.deadline = None
        self.references = {}
        self.function_cell = {name: gid for gid, names in entry["student_names"].items() for name in names}
        self.static_forbidden = {}  # function name -> message, from reading the learner's cells

    # --- the kernel ------------------------------------------------------------------------
    def kernel(self, source, timeout=None, **kwargs):
        if self.lost:
            return None
        outcome = self.session.run(source, timeout or self.timeout, **kwargs)
        if outcome.restarted:
            self.replay()
        elif outcome.status == "ok" and not kwargs:
            self.kernel_log.append(source)
        return outcome

    def replay(self):
        """Bring a restarted kernel back to where it was by running the cells that had run."""
        for source in self.kernel_log:
            outcome = self.session.run(source, self.timeout)
            if outcome.restarted:
                self.lost = (f"the kernel died or hung again while the grader replayed your earlier cells "
                             f"({outcome.message}); the tests after this point could not run and score 0")
                return

    def remaining(self):
        return max(1.0, self.deadline - time.monotonic()) if self.deadline else self.timeout

    def _reply(self, outcome, what):
        """The agent's JSON reply from a run's user expression."""
        if outcome is None:
            raise LearnerError(self.lost)
        if outcome.status == "timeout":
            ignored = "; it ignored the interrupt, so the kernel was restarted" if outcome.restarted else ""
            raise LearnerError(f"TimeoutError: {what} ran longer than the {self.timeout:g} s a test may take "
                               f"(an infinite loop?){ignored}")
        if outcome.restarted or outcome.status == "died":
            raise LearnerError(f"{what}: {outcome.message}")
        if outcome.status == "flood":
            raise LearnerError(f"{what}: {outcome.message}")
        if outcome.status == "error":
            raise LearnerError(f"the grader could not reach {what} in your kernel ({outcome.message})")
        expression = outcome.user_expressions.get("r", {})
        try:
            text = ast.literal_eval(expression["data"]["text/plain"])
            return json.loads(text)
        except Exception:
            raise LearnerError(f"the grader could not read the reply of {what} from your kernel "
                               "(did your code replace the grader's agent, or change how the kernel runs "
                               "code?)") from None

    # --- the learner's names ---------------------------------------------------------------
    def bind_learner_names(self, source):
        """Put stand-ins for the learner's names that a test uses into the grader's namespace."""
        names = sorted(referenced_names(source) & set(self.function_cell))
        if not names:
            return
        outcome = self.kernel(f"{AGENT}.describe({names!r})", timeout=self.remaining(),
                              user_expressions={"r": f"{AGENT}.reply"})
        described = self._reply(outcome, "your names")
        for name in names:
            kind = described.get(name, {}).get("kind")
            if kind == "callable":
                self.ns[name] = LearnerFunction(self, name)
            elif kind == "value":
                self.ns[name] = wire.from_node(described[name]["value"])
            else:
                self.ns.pop(name, None)

    def call(self, name, args, kwargs):
        """Call the learner's ``name`` in the kernel; checks and returns the result (see module doc)."""
        if name in self.static_forbidden:
            raise LearnerError(self.static_forbidden[name])
        callables = []
        substitutes = {global_name: self.references[ref]
                       for global_name, ref in self.entry.get("substitute", {}).get(name, {}).items()
                       if ref in self.references}
        payload = wire.dumps([list(args), kwargs], callables)
        before = json.loads(payload)
        code = f"{AGENT}.call({name!r}, {payload!r}, {wire.dumps(substitutes, callables)!r})"
        hook = self._callback_hook(callables, args, kwargs)
        outcome = self.kernel(code, timeout=self.remaining(), user_expressions={"r": f"{AGENT}.reply"},
                              stdin_hook=hook)
        reply = self._reply(outcome, name)
        if reply.get("forbidden"):
            used = ", ".join(reply["forbidden"])
            raise LearnerError(f"{name} uses {used}, which this exercise asks you to write")
        if reply.get("status") != "ok":
            ename, evalue = reply.get("ename", "Error"), reply.get("evalue", "")
            if ename == "NotImplementedError" and not evalue:
                raise LearnerError("NotImplementedError: a stub `raise NotImplementedError()` is still there")
            raise LearnerError(f"{ename}: {evalue}" if evalue else ename)
        try:
            result = wire.from_node(reply["result"])
            after = reply["after"]
            arg_names = list(reply.get("names") or [])
            changed = []
            for k, (old, new) in enumerate(zip(before["l"][0]["l"], after["l"][0]["l"])):
                label = arg_names[k] if k < len(arg_names) else f"argument {k + 1}"
                changed += wire.changed_paths(old, new, label)
            for (key, old), (_, new) in zip(before["l"][1]["d"], after["l"][1]["d"]):
                changed += wire.changed_paths(old, new, str(key))
            wire.write_back([list(args), kwargs], wire.from_node(after, callables.__getitem__))
        except (wire.WireError, KeyError, TypeError) as error:
            raise LearnerError(f"the grader could not read what {name} returned ({error})") from None
        if changed and name not in self.entry.get("mutates", []):
            raise AssertionError(
                f"{name} changed {', '.join(changed)} in place: the caller's arrays must stay as they were "
                "(compute into new arrays, e.g. c = f * c_prev + i * g rather than c_prev *= f)")
        kept = self.last_results.setdefault(name, [])
        earlier = reply.get("earlier") or []
        if any(now != then for now, then in zip(earlier[::-1], kept[::-1])):
            raise AssertionError(
                f"the result of an earlier call of {name} changed when {name} was called again: it returns "
                "arrays that it reuses from call to call (return new arrays each time)")
        kept.append(reply["result"])
        del kept[:-KEEP_RESULTS]
        return result

    def _callback_hook(self, callables, args, kwargs):
        def hook(prompt):
            if not prompt.startswith(CALLBACK_PROMPT):
                return ""
            try:
                request = wire.loads(prompt[len(CALLBACK_PROMPT):], callback=callables.__getitem__)
                function = callables[request["id"]]
                if request.get("state") is not None:  # the learner's arrays as they are now (perturbed...)
                    wire.write_back([list(args), kwargs], request["state"])
                call_args, call_kwargs = request["args"]
                result = function(*call_args, **call_kwargs)
                return json.dumps({"status": "ok", "result": wire.to_node(result)})
            except Exception as error:
                return json.dumps({"status": "error", "message": f"{type(error).__name__}: {error}"[:300]})

        return hook

    # --- cells -----------------------------------------------------------------------------
    def run_locked(self, step):
        """A setup or helper cell: in the kernel (for the learner) and here (for the tests)."""
        outcome = self.kernel(step.source)
        exec(compile(strip_magics(step.source), f"<course cell {step.grade_id}>", "exec"), self.ns)
        return outcome

    def run_test(self, step):
        """Run a test cell here; return (passed, message)."""
        if self.lost:
            return False, "not run: " + self.lost
        self.deadline = time.monotonic() + self.timeout
        try:
            self.bind_learner_names(step.source)
            exec(compile(step.source, f"<test {step.grade_id}>", "exec"), self.ns)
        except LearnerError as error:
            return False, str(error)
        except NameError as error:
            name = getattr(error, "name", None)
            if name in self.function_cell:
                return False, f"{name} is not defined: its cell did not run (see the errors above)"
            return False, f"NameError: {error}"
        except Exception as error:  # AssertionError from a check, or the learner's bad return value
            first = str(error).strip().split("\n")[0][:600]
            return False, f"{type(error).__name__}: {first}" if first else type(error).__name__
        finally:
            self.deadline = None
        return True, ""


def _agent_source(entry):
    forbid = {}
    for gid, dotted in entry.get("forbid", {}).items():
        for name in entry["student_names"].get(gid, []):
            forbid[name] = dotted
    return (f"import lstm_core.course.agent as _lstm_bptt_agent_module\n"
            f"{AGENT} = _lstm_bptt_agent_module.Agent(get_ipython().user_ns, {forbid!r})\n"
            f"del _lstm_bptt_agent_module")


def grade_notebook(notebook, name="notebook", bank=None, timeout=DEFAULT_TIMEOUT,
                   max_output=DEFAULT_MAX_OUTPUT, tests_run=None):
    """Grade a notebook (a NotebookNode, left unchanged); return a ``Report``."""
    started = time.monotonic()
    bank = load_bank() if bank is None else bank
    exercise = match_exercise(notebook, bank, hint=Path(name).stem)
    entry = bank[exercise]
    steps, notes = assemble(notebook, entry)
    label = tests_run or ("visible and hidden" if entry.get("tests") == "hidden" else "visible and self-check")
    report = Report(notebook=str(name), exercise=exercise, tests_run=label, notes=notes)
    results = {}
    with tempfile.TemporaryDirectory(prefix="lstm-bptt-grading-") as work:
        with KernelSession(work, max_output=max_output) as session:
            run = _GradingRun(session, entry, timeout)
            if entry.get("references"):
                references = {}
                exec(compile(entry["references"], "<references>", "exec"), references)
                run.references = {k: v for k, v in references.items() if callable(v)}
            run.static_forbidden = _static_forbidden(steps, entry)
            outcome = run.kernel(_agent_source(entry))
            if outcome is None or outcome.status != "ok":
                report.notes.append("the grader could not start its agent in the kernel")
            for step in steps:
                if step.cell_type != "code" or not step.source.strip():
                    continue
                if step.kind == "test":
                    passed, message = run.run_test(step)
                    results[step.grade_id] = passed
                    report.tests.append(TestResult(step.grade_id, passed, step.points if passed else 0,
                                                   step.points, message))
                    continue
                if step.kind == "locked":
                    outcome = run.run_locked(step)
                else:
                    outcome = run.kernel(step.source)
                if outcome is not None and outcome.status != "ok":
                    report.cell_errors.append({"cell": step.index, "kind": step.kind,
                                               "grade_id": step.grade_id, "error": outcome.message})
            if session.restarts:
                report.notes.append(f"the kernel was restarted {session.restarts} time(s) (a call hung or "
                                    "the kernel died); the cells before were replayed")
            if run.lost:
                report.notes.append(run.lost)
    _explain_dependencies(report, entry, results)
    report.notes.append(_tests_note(label))
    report.seconds = time.monotonic() - started
    return report


def _tests_note(label):
    if label == "visible and hidden":
        return "tests run: the visible tests and the instructor's hidden tests"
    return ("tests run: the visible tests and the self-check tests shipped with the course "
            "(an instructor's grading adds hidden tests that are not shipped)")


def _explain_dependencies(report, entry, results):
    """Say 'fix Task N first' on a test that failed after a test it builds on failed."""
    for test in report.tests:
        failed_before = [gid for gid in entry.get("depends", {}).get(test.grade_id, []) if results.get(gid) is False]
        if failed_before and not test.passed and not test.message.startswith("NotImplementedError"):
            test.message = f"fix {failed_before[0]!r} first (this test builds on it); then: {test.message}"
        elif failed_before and test.passed and test.grade_id in entry.get("substituted_tests", []):
            test.message = (f"passed with the course's correct version of what {failed_before[0]!r} tests in "
                            f"place of yours: fix {failed_before[0]!r} first")


def _static_forbidden(steps, entry):
    """{learner function name: message} for functions whose cells call what the exercise forbids."""
    locked_sources = [s.source for s in steps if s.kind == "locked" and s.cell_type == "code"]
    learner_cells = [s for s in steps if s.kind in ("solution", "extra") and s.cell_type == "code"]
    learner_bound = set()
    for step in learner_cells:
        learner_bound |= bound_names(step.source)
    all_forbidden = sorted({d for names in entry.get("forbid", {}).values() for d in names})
    out = {}
    for step in learner_cells:
        dotted = entry.get("forbid", {}).get(step.grade_id, []) if step.kind == "solution" else all_forbidden
        used = forbidden_uses(step.source, dotted, locked_sources, learner_bound)
        if not used:
            continue
        message_names = ", ".join(used)
        names = set(entry["student_names"].get(step.grade_id, [])) if step.kind == "solution" else set()
        names |= bound_names(step.source)
        for name in names:
            out[name] = f"{name} uses {message_names}, which this exercise asks you to write"
    return out


def grade(path, tests=None, timeout=DEFAULT_TIMEOUT, max_output=DEFAULT_MAX_OUTPUT, bank=None):
    """Grade the notebook at ``path`` (never modified) in a temporary folder."""
    notebook = read_notebook(path)
    bank = load_bank(tests) if bank is None else bank
    return grade_notebook(notebook, name=str(path), bank=bank, timeout=timeout, max_output=max_output)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m lstm_core.grade",
        description="Grade an exercise notebook with the course's visible and self-check tests.")
    parser.add_argument("notebook", help="your copy of exercises/NN_slug.ipynb")
    parser.add_argument("--json", action="store_true", help="print the result as JSON (schema in the docs)")
    parser.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT,
                        help=f"seconds allowed per cell and per test (default {DEFAULT_TIMEOUT})")
    parser.add_argument("--max-output", type=int, default=DEFAULT_MAX_OUTPUT,
                        help=f"characters of output allowed per cell (default {DEFAULT_MAX_OUTPUT:,})")
    parser.add_argument("--tests", metavar="DIR",
                        help="instructors: grade with the hidden tests of the solution notebooks in DIR")
    args = parser.parse_args(argv)
    try:
        report = grade(args.notebook, tests=args.tests, timeout=args.timeout, max_output=args.max_output)
    except GradingError as error:
        if args.json:
            print(json.dumps({"notebook": args.notebook, "error": str(error)}))
        print(f"error: {error}", file=sys.stderr)
        return EXIT_ERROR
    print(json.dumps(report.to_dict(), indent=1) if args.json else report.to_text())
    return EXIT_GRADED


if __name__ == "__main__":
    sys.exit(main())
