"""Grading a class: the course's class grader with 1 and 2 jobs against ``nbgrader autograde``.

Builds a synthetic class in nbgrader's layout from exercises 01 and 02 (by default 30 students each,
60 submissions): full solutions, untouched copies, partial answers (the first k functions written),
wrong answers (the first function off by a factor of 2) and tampered ones (every test cell replaced;
``expect_close`` redefined to accept anything). It grades the class three ways, checks that the two
graders agree on every honest submission, and prints submissions per minute and where the time goes.

Usage: python benchmarks/bench_class_grading.py [--students 30] [--skip-nbgrader]
"""

import argparse
import copy
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from lstm_core.course.classgrade import grade_class

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = {"ps1": "01_forward_pass.ipynb", "ps2": "02_loss_and_first_gradient.ipynb"}
BIN = Path(sys.executable).parent
HONEST = ("full", "empty", "partial", "wrong")


def nbgrader_cells(notebook, kind):
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("solution" if kind == "solution" else "grade"):
            yield cell


def answer(release, source, kind, k=1):
    """A student's notebook of the given kind, built from nbgrader's release and the solution source."""
    notebook = copy.deepcopy(release)
    solutions = {c.metadata["nbgrader"]["grade_id"]: c.source for c in nbgrader_cells(source, "solution")}
    cells = list(nbgrader_cells(notebook, "solution"))
    filled = {"full": len(cells), "wrong": len(cells), "partial": k}.get(kind, 0)
    for cell in cells[:filled]:
        cell.source = solutions[cell.metadata["nbgrader"]["grade_id"]]
    if kind == "wrong":  # the first function's result doubled: a mistake a learner could make
        name = cells[0].source.split("def ", 1)[1].split("(", 1)[0]
        cells[0].source += (f"\n\n_{name} = {name}\n\n\ndef {name}(*args, **kwargs):\n"
                            f"    return 2 * _{name}(*args, **kwargs)\n")
    if kind == "tests_replaced":
        for cell in nbgrader_cells(notebook, "test"):
            cell.source = "pass"
    if kind == "checker_patched":  # stubs left, the comparison made to accept anything
        cells[0].source = "expect_close = lambda *args, **kwargs: None\n" + cells[0].source
    return notebook


def build_class(root, students):
    """source/, release/ (by nbgrader) and submitted/ for ``students`` per assignment; return the kinds."""
    (root / "nbgrader_config.py").write_text(
        "c = get_config()\nc.CourseDirectory.course_id = 'bench'\n"
        f"c.CourseDirectory.root = {str(root)!r}\nc.ExecutePreprocessor.timeout = 120\n")
    kinds = {}
    cycle = ["full", "empty", "partial", "wrong", "tests_replaced", "checker_patched"]
    for assignment, name in EXERCISES.items():
        (root / "source" / assignment).mkdir(parents=True)
        shutil.copy(ROOT / "solutions" / name, root / "source" / assignment / name)
        nbgrader("generate_assignment", assignment, cwd=root)
        source = nbformat.read(root / "source" / assignment / name, as_version=4)
        release = nbformat.read(root / "release" / assignment / name, as_version=4)
        for s in range(students):
            student = f"s{s:03d}"
            kind = cycle[s % len(cycle)]
            folder = root / "submitted" / student / assignment
            folder.mkdir(parents=True)
            nbformat.write(answer(release, source, kind, k=1 + s % 2), folder / name)
            kinds[(student, assignment)] = kind
    return kinds


def nbgrader(*args, cwd, threads=None):
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}  # it runs `alembic`
    if threads:  # the same BLAS setting the class grader gives its kernels
        env.update(OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    subprocess.run([str(BIN / "nbgrader"), *args, "--force"], cwd=cwd, env=env, check=True, capture_output=True,
                   timeout=7200)


def nbgrader_scores(root):
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        for assignment in EXERCISES:
            for submission in gradebook.assignment_submissions(assignment):
                scores[(submission.student.id, assignment)] = submission.score
    return scores


def timed(label, function):
    start = time.perf_counter()
    value = function()
    return value, time.perf_counter() - start


def profile_one(root):
    """Where one submission's time goes: interpreter and imports, kernel start, grading."""
    python = sys.executable
    _, imports = timed("imports", lambda: subprocess.run([python, "-c", "import lstm_core.course.grade"], check=True))
    _, bare = timed("python", lambda: subprocess.run([python, "-c", "pass"], check=True))
    code = ("from jupyter_client.manager import start_new_kernel\n"
            "km, kc = start_new_kernel(kernel_name='python3')\nkc.stop_channels(); km.shutdown_kernel(now=True)\n")
    _, kernel = timed("kernel", lambda: subprocess.run([python, "-c", code], check=True))
    path = next((root / "submitted").glob("*/ps1/*.ipynb"))
    _, whole = timed("grade", lambda: subprocess.run([python, "-m", "lstm_core.grade", "--tests",
                                                      str(ROOT / "solutions"), str(path)],
                                                     check=True, capture_output=True))
    return {"python start": bare, "python + grader imports": imports,
            "start and stop a kernel (incl. python)": kernel, "one submission, whole": whole}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30, help="students per assignment (default 30)")
    parser.add_argument("--skip-nbgrader", action="store_true")
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="bench-class-"))
    kinds = build_class(root, args.students)
    total = len(kinds)
    print(f"{total} submissions over {len(EXERCISES)} exercises; {os.cpu_count()} CPUs; "
          f"load average {os.getloadavg()[0]:.1f}")
    rows, ours = [], {}
    for jobs in (1, 2):
        (results, _), seconds = timed(jobs, lambda j=jobs: grade_class(root, jobs=j, csv_path=root / f"jobs{j}.csv",
                                                                        progress=False, tests=ROOT / "solutions"))
        ours[jobs] = {(r["student_id"], r["assignment"]): r["score"] for r in results}
        rows.append((f"lstm_core class grader, --jobs {jobs}", seconds))
    assert ours[1] == ours[2], "the same class graded with 1 and 2 jobs got different scores"
    if not args.skip_nbgrader:
        for threads, label in ((None, "default BLAS threads"), (1, "one BLAS thread, as ours")):
            _, seconds = timed("nbgrader", lambda t=threads: [nbgrader("autograde", a, cwd=root, threads=t)
                                                              for a in EXERCISES])
            rows.append((f"nbgrader autograde (one at a time, {label})", seconds))
        theirs = nbgrader_scores(root)
        disagree = [(key, kinds[key], ours[1][key], theirs.get(key)) for key in kinds
                    if kinds[key] in HONEST and ours[1][key] != theirs.get(key)]
        assert not disagree, f"the graders disagree on honest submissions: {disagree}"
        print(f"scores agree on all {sum(k in HONEST for k in kinds.values())} honest submissions")
        for kind in ("tests_replaced", "checker_patched"):
            keys = [key for key in kinds if kinds[key] == kind]
            print(f"tampered ({kind}): ours {sorted({ours[1][k] for k in keys})}, "
                  f"nbgrader {sorted({theirs.get(k) for k in keys})}")
    print("\n| grader | seconds | submissions per minute |\n|---|---:|---:|")
    for label, seconds in rows:
        print(f"| {label} | {seconds:.0f} | {60 * total / seconds:.1f} |")
    if not args.skip_nbgrader:
        best = min(seconds for label, seconds in rows if label.startswith("nbgrader"))
        ours1, ours2 = rows[0][1], rows[1][1]
        print(f"\n--jobs 2 against nbgrader's best: {best / ours2:.2f}x the throughput; "
              f"--jobs 1 -> 2 scales by {ours1 / ours2:.2f}x")
    print("\nwhere one submission's time goes (seconds):")
    for label, seconds in profile_one(root).items():
        print(f"  {label}: {seconds:.2f}")
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
