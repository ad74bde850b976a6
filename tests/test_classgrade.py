"""Grading a class: the CLI, the CSV and feedback, isolation between submissions, resuming, progress.

A small class in nbgrader's layout is built from exercise 01's solution: honest answers (full,
untouched) and submissions that try to hurt their neighbours (a ``numpy.py`` left in the working
folder, a kernel that kills itself, a cell that never ends, a flood of output). Neighbours must keep
their full marks whatever runs beside them.
"""

import csv
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from lstm_core.course.classgrade import find_submissions, load_results
from lstm_core.course.notebook_cells import cell_kind, grade_id

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "01_forward_pass.ipynb"
EXERCISE = ROOT / "exercises" / "01_forward_pass.ipynb"
NAME = "01_forward_pass.ipynb"

POISON = ('open("numpy.py", "w").write("raise ImportError(\'poisoned by a neighbour\')")\n'
          'open("lstm_core.py", "w").write("raise ImportError(\'poisoned by a neighbour\')")\n')
MISCHIEF = {
    "kernel_killer": "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n",
    "hanger": "while True:\n    pass\n",
    "flooder": "for _ in range(10**6):\n    print('x' * 1000)\n",
}


def with_first_solution_prefixed(prefix):
    notebook = nbformat.read(SOLUTION, as_version=4)
    first = next(cell for cell in notebook.cells if cell_kind(cell) == "solution")
    first.source = prefix + first.source
    return notebook


def make_class(root, students):
    for student, notebook in students.items():
        folder = root / "submitted" / student / "ps1"
        folder.mkdir(parents=True)
        nbformat.write(notebook, folder / NAME)
    return root


def run_cli(*args, timeout=900):
    return subprocess.run([sys.executable, "-m", "lstm_core.grade", *args], capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    solved = nbformat.read(SOLUTION, as_version=4)
    students = {"ada": solved, "alan": nbformat.read(EXERCISE, as_version=4),
                "poisoner": with_first_solution_prefixed(POISON), "zed": solved}
    students.update({name: with_first_solution_prefixed(code) for name, code in MISCHIEF.items()})
    make_class(root, students)
    result = run_cli("--class", str(root), "--jobs", "2", "--timeout", "10", "--json")
    assert result.returncode == 0, result.stderr[-2000:]
    return root, {r["student_id"]: r for r in json.loads(result.stdout)}, result.stderr


def test_finds_submissions_in_nbgraders_layout(tmp_path):
    make_class(tmp_path, {"b": nbformat.read(EXERCISE, as_version=4), "a": nbformat.read(EXERCISE, as_version=4)})
    found = find_submissions(tmp_path)
    assert [(s.student_id, s.assignment, s.path.name) for s in found] == [("a", "ps1", NAME), ("b", "ps1", NAME)]
    assert find_submissions(tmp_path / "submitted") == found
    with pytest.raises(FileNotFoundError, match="nbgrader's layout"):
        find_submissions(tmp_path / "submitted" / "a")


@pytest.mark.slow
def test_honest_answers_get_their_scores(graded_class):
    _, results, _ = graded_class
    assert results["ada"]["score"] == results["ada"]["max_score"] == 10
    assert results["alan"]["score"] == 0 and results["alan"]["max_score"] == 10


@pytest.mark.slow
def test_no_submission_can_hurt_its_neighbours(graded_class):
    _, results, _ = graded_class
    # the neighbours graded beside the mischief keep full marks
    assert results["zed"]["score"] == 10
    # a numpy.py left behind poisons only its own folder: its own answers still import the real numpy
    # (the poison is written after the imports), so it keeps full marks too
    assert results["poisoner"]["score"] == 10
    for name in MISCHIEF:
        assert results[name]["score"] < 10, name  # the mischief costs the submission itself
        assert results[name]["max_score"] == 10, name  # and is still graded, not an error
    assert any("SIGKILL" in line or "died" in line.lower() or "kernel" in line.lower()
               for line in json.dumps(results["kernel_killer"]).splitlines())


@pytest.mark.slow
def test_the_csv_and_the_feedback(graded_class):
    root, results, _ = graded_class
    with open(root / "grades.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["student_id"] for row in rows] == sorted(results)
    assert list(rows[0])[:4] == ["student_id", "assignment", "score", "max_score"]
    tests = [grade_id(c) for c in nbformat.read(SOLUTION, as_version=4).cells if cell_kind(c) == "test"]
    assert list(rows[0])[4:] == tests
    ada = next(row for row in rows if row["student_id"] == "ada")
    assert ada["score"] == "10" and sum(int(ada[t]) for t in tests) == 10
    feedback = (root / "grades_feedback" / "alan" / "ps1" / "01_forward_pass.txt").read_text()
    assert "0/10" in feedback.replace(" ", "") or "0 / 10" in feedback


@pytest.mark.slow
def test_the_progress_bar_shows_count_and_eta(graded_class):
    _, _, stderr = graded_class
    assert f"{len(MISCHIEF) + 4}/{len(MISCHIEF) + 4}" in stderr
    assert "<" in stderr and "submission" in stderr  # tqdm's [elapsed<remaining, rate]


@pytest.mark.slow
def test_an_interrupted_run_resumes(tmp_path):
    make_class(tmp_path, {"ada": nbformat.read(SOLUTION, as_version=4),
                          "alan": nbformat.read(EXERCISE, as_version=4)})
    first = run_cli("--class", str(tmp_path), "--jobs", "2", "--no-progress")
    assert first.returncode == 0 and "0 unchanged" in first.stdout, first.stdout + first.stderr
    log = tmp_path / "grades.results.jsonl"
    lines = log.read_text().splitlines()
    # an interrupted run: the second result never reached the log, and the last line was torn
    log.write_text(lines[0] + "\n" + lines[1][: len(lines[1]) // 2])
    second = run_cli("--class", str(tmp_path), "--jobs", "2", "--no-progress")
    assert second.returncode == 0 and "1 unchanged" in second.stdout, second.stdout
    assert len(load_results(log)) == 2
    # a changed notebook is graded again
    (tmp_path / "submitted" / "alan" / "ps1" / NAME).write_bytes(SOLUTION.read_bytes())
    third = run_cli("--class", str(tmp_path), "--no-progress", "--json")
    assert {r["student_id"]: r["score"] for r in json.loads(third.stdout)} == {"ada": 10, "alan": 10}


def test_a_missing_class_folder_is_a_clear_error(tmp_path):
    result = run_cli("--class", str(tmp_path / "nowhere"), "--no-progress")
    assert result.returncode == 2 and "no such folder" in result.stderr


@pytest.mark.slow
def test_a_submission_over_its_time_is_stopped_and_the_next_gets_a_fresh_grader(tmp_path):
    make_class(tmp_path, {"a_hanger": with_first_solution_prefixed(MISCHIEF["hanger"]),
                          "b_honest": nbformat.read(SOLUTION, as_version=4)})
    result = run_cli("--class", str(tmp_path), "--jobs", "1", "--timeout", "60", "--submission-timeout", "8",
                     "--no-progress", "--json")
    assert result.returncode == 0, result.stderr[-2000:]
    results = {r["student_id"]: r for r in json.loads(result.stdout)}
    assert results["a_hanger"]["score"] == 0 and "within 8 s" in results["a_hanger"]["error"]
    assert results["b_honest"]["score"] == 10
