"""Grade a whole class: every submission with its own kernel and folder, N at a time.

Usage::

    python -m lstm_core.grade --class COURSE_DIR --tests SOLUTIONS_DIR [--jobs N] [--csv FILE] [--json]

``COURSE_DIR`` is nbgrader's course folder (or its ``submitted/`` folder):
``submitted/<student_id>/<assignment>/<notebook>.ipynb``. ``--jobs`` grading processes (default: the
number of CPUs) take the submissions in turn and outlive them, so Python and the grader load once per
job. Each submission's notebook is only read; its code runs in a kernel started for it alone, in a
temporary folder of its own, under a time bound. So one submission cannot change another's
score: not by writing files, not by killing or hanging its kernel, not by flooding output; a grading
process that stops answering is killed with its kernel and replaced. ``--tests`` names the folder of
solution notebooks whose hidden tests grade the class (without it, only the self-check tests shipped
with the package run, as in self-study).

Written beside the CSV (default ``COURSE_DIR/grades.csv``):

- the CSV: one row per student and assignment (``student_id, assignment, score, max_score``, then one
  column per test, blank where an assignment has no such test);
- ``<csv stem>_feedback/<student_id>/<assignment>/<notebook>.txt``: the report the student would see;
- ``<csv stem>.results.jsonl``: one line per graded submission with the content hash of the notebook
  and of the grader. A second run skips every submission whose hash is unchanged, so an interrupted
  run resumes where it stopped.
"""

import argparse
import contextlib
import csv
import hashlib
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

DEFAULT_SUBMISSION_TIMEOUT = 600
COLUMNS = ["student_id", "assignment", "score", "max_score"]


@dataclass(frozen=True)
class Submission:
    student_id: str
    assignment: str
    path: Path

    @property
    def label(self):
        return f"{self.student_id}/{self.assignment}/{self.path.name}"


def find_submissions(class_dir):
    """Every ``submitted/<student_id>/<assignment>/*.ipynb`` under ``class_dir``, sorted."""
    class_dir = Path(class_dir)
    submitted = class_dir / "submitted" if (class_dir / "submitted").is_dir() else class_dir
    if not submitted.is_dir():
        raise FileNotFoundError(f"no such folder: {class_dir}")
    found = [Submission(path.parent.parent.name, path.parent.name, path)
             for path in sorted(submitted.glob("*/*/*.ipynb")) if ".ipynb_checkpoints" not in path.parts]
    if not found:
        raise FileNotFoundError(f"no submissions in {submitted}: expected submitted/<student_id>/<assignment>/"
                                "<notebook>.ipynb (nbgrader's layout)")
    return found


def grader_fingerprint(tests=None):
    """A hash of the grader's own code and data and of the tests: a changed grader re-grades everything."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]
    paths = [*package.glob("course/*.py"), *package.glob("data/*.json")]
    if tests is not None:
        paths += list(Path(tests).glob("*.ipynb")) if Path(tests).is_dir() else [Path(tests)]
    for path in sorted(paths):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def content_key(submission, fingerprint):
    """Who submitted what, and with which grader: equal keys mean the earlier result still holds."""
    content = hashlib.sha256(submission.path.read_bytes()).hexdigest()[:32]
    return f"{submission.label}:{content}:{fingerprint}"


class Worker:
    """A grading process that stays alive across submissions, so that Python and the grader load once.

    Each submission still gets a kernel of its own in a temporary folder of its own (started by the
    grader for that submission alone); the student's code runs only in that kernel. The worker reads
    notebook paths on stdin and answers one JSON line each. If it does not answer in time or dies, it is
    killed with everything it started, and the next submission gets a fresh worker.
    """

    def __init__(self, timeout, tests=None):
        command = [sys.executable, "-m", "lstm_core.course.classgrade", "--serve", "--timeout", str(timeout)]
        command += ["--tests", str(Path(tests).resolve())] if tests else []
        # jobs run side by side: one BLAS thread per kernel, or N jobs fight over the same cores
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, start_new_session=True, env=env)

    def grade(self, path, deadline):
        """The worker's JSON result for ``path``, or None if it does not answer by ``deadline``."""
        self.process.stdin.write(f"{path}\n".encode())
        self.process.stdin.flush()
        line = b""
        while not line.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self.process.stdout], [], [], remaining)[0]:
                return None
            chunk = os.read(self.process.stdout.fileno(), 1 << 20)
            if not chunk:  # the worker died
                return None
            line += chunk
        return json.loads(line)

    def kill(self):
        """Kill the worker and every process below it (kernels run in sessions of their own)."""
        for pid in [*_descendants(self.process.pid), self.process.pid]:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait()

    def close(self):
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.kill()


def _descendants(pid):
    """Every live process below ``pid``, from /proc."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = (entry / "stat").read_text()
                parents.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        found += children
        todo += children
    return found


def grade_one(submission, worker, submission_timeout):
    """Grade one submission with ``worker``; return (result, worker still usable).

    The grader only reads the notebook and runs its code in a kernel in a temporary folder of its own.
    """
    start = time.monotonic()
    who = {"student_id": submission.student_id, "assignment": submission.assignment,
           "notebook": submission.path.name}
    result = dict(who)
    graded = worker.grade(submission.path.resolve(), start + submission_timeout)
    if graded is None:
        worker.kill()
        result.update(score=0, max_score=None,
                      error=f"grading did not finish within {submission_timeout} s (or the grader died) "
                            "and was stopped")
    else:
        result.update(graded, **who)
    result["seconds"] = round(time.monotonic() - start, 2)
    return result, graded is not None


def load_results(path):
    """{content key: result} from an earlier run's results file (missing or torn lines are skipped)."""
    results = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:  # a line cut short by an interrupted run
                continue
            results[entry["key"]] = entry
    return results


def write_csv(path, results):
    tests = []
    for result in results:
        tests += [t["grade_id"] for t in result.get("tests", []) if t["grade_id"] not in tests]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS + tests)
        for result in results:
            points = {t["grade_id"]: t["points"] for t in result.get("tests", [])}
            writer.writerow([result["student_id"], result["assignment"], result["score"],
                             "" if result.get("max_score") is None else result["max_score"]]
                            + [points.get(name, "") for name in tests])


def write_feedback(folder, result):
    path = folder / result["student_id"] / result["assignment"] / (Path(result["notebook"]).stem + ".txt")
    path.parent.mkdir(parents=True, exist_ok=True)
    text = result.get("text") or f"Not graded: {result.get('error', 'unknown error')}\n"
    path.write_text(text, encoding="utf-8")


def summary(results, skipped):
    graded = [r for r in results if "error" not in r]
    lines = [f"graded {len(results)} submissions ({skipped} unchanged since the last run, not re-graded)",
             f"full marks: {sum(r['score'] == r.get('max_score') for r in graded)}",
             f"zero: {sum(r['score'] == 0 for r in results)}",
             f"errors (scored 0): {len(results) - len(graded)}"]
    slowest = sorted(results, key=lambda r: r.get("seconds", 0), reverse=True)[:5]
    lines.append("slowest: " + ", ".join(f"{r['student_id']}/{r['assignment']} {r.get('seconds', 0):.1f} s"
                                         for r in slowest))
    return "\n".join(lines)


def grade_class(class_dir, jobs=None, csv_path=None, timeout=60, submission_timeout=DEFAULT_SUBMISSION_TIMEOUT,
                progress=True, tests=None):
    """Grade every submission under ``class_dir``; return (results in submission order, skipped count)."""
    submissions = find_submissions(class_dir)
    csv_path = Path(csv_path or Path(class_dir) / "grades.csv")
    results_path = csv_path.with_name(csv_path.stem + ".results.jsonl")
    feedback_dir = csv_path.with_name(csv_path.stem + "_feedback")
    fingerprint = grader_fingerprint(tests)
    keys = {s: content_key(s, fingerprint) for s in submissions}
    done = load_results(results_path)
    todo = [s for s in submissions if keys[s] not in done]
    from tqdm import tqdm

    bar = tqdm(total=len(submissions), initial=len(submissions) - len(todo), unit="submission",
               disable=not progress, dynamic_ncols=True)
    results_path.parent.mkdir(parents=True, exist_ok=True)
    # keep only whole lines of the earlier run (its last line may be torn), then append to them
    results_path.write_text("".join(json.dumps(entry) + "\n" for entry in done.values()), encoding="utf-8")
    local, workers = threading.local(), []

    def run(submission):
        worker = getattr(local, "worker", None)
        if worker is None:
            worker = local.worker = Worker(timeout, tests)
            workers.append(worker)
        result, usable = grade_one(submission, worker, submission_timeout)
        if not usable:
            local.worker = None
        return result

    try:
        with open(results_path, "a", encoding="utf-8") as log, ThreadPoolExecutor(jobs or os.cpu_count()) as pool:
            futures = {pool.submit(run, s): s for s in todo}
            for future in as_completed(futures):
                entry = {**future.result(), "key": keys[futures[future]]}
                done[entry["key"]] = entry
                log.write(json.dumps(entry) + "\n")  # one line per submission: an interrupted run resumes here
                log.flush()
                bar.set_postfix_str(futures[future].label, refresh=False)
                bar.update()
    finally:
        for worker in workers:
            worker.close()
    bar.close()
    results = [done[keys[s]] for s in submissions]
    write_csv(csv_path, results)
    for result in results:
        write_feedback(feedback_dir, result)
    return results, len(submissions) - len(todo)


def serve(timeout, tests=None):
    """The worker's loop: a notebook path per line on stdin, a JSON result per line on stdout."""
    from lstm_core.course.grade import GradingError, grade, load_bank

    answers = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # whatever else prints goes to stderr, never into the answers
    bank = load_bank(tests)
    for line in sys.stdin:
        try:
            report = grade(line.strip(), timeout=timeout, bank=bank)
            answer = {**report.to_dict(), "text": report.to_text()}
        except GradingError as error:
            answer = {"score": 0, "max_score": None, "error": str(error)}
        except Exception as error:  # noqa: BLE001 (one broken submission must not stop the worker)
            answer = {"score": 0, "max_score": None, "error": f"the grader failed: {type(error).__name__}: {error}"}
        answers.write(json.dumps(answer) + "\n")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m lstm_core.grade --class",
                                     description="Grade every submission of a class, in parallel.")
    parser.add_argument("--class", dest="class_dir", help="nbgrader's course folder (or its submitted/)")
    parser.add_argument("--tests", metavar="DIR", help="the solution notebooks whose hidden tests grade the class")
    parser.add_argument("--jobs", type=int, default=None, help="submissions graded at once (default: CPUs)")
    parser.add_argument("--csv", help="where to write the grades (default: CLASS/grades.csv)")
    parser.add_argument("--json", action="store_true", help="print every result as JSON instead of a summary")
    parser.add_argument("--timeout", type=int, default=60, help="seconds allowed per cell (default 60)")
    parser.add_argument("--submission-timeout", type=int, default=DEFAULT_SUBMISSION_TIMEOUT,
                        help=f"seconds allowed per submission (default {DEFAULT_SUBMISSION_TIMEOUT})")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)  # a worker (see Worker)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.timeout, args.tests)
        return 0
    if not args.class_dir:
        parser.error("--class DIR is required")
    try:
        results, skipped = grade_class(args.class_dir, args.jobs, args.csv, args.timeout, args.submission_timeout,
                                       progress=not args.no_progress, tests=args.tests)
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([{k: v for k, v in r.items() if k != "text"} for r in results], indent=1))
    else:
        print(summary(results, skipped))
    return 0


if __name__ == "__main__":
    sys.exit(main())
