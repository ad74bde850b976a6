"""A class on a real JupyterHub, end to end: release, fetch, answer, submit, collect, grade, feedback, export.

The hub runs from the configuration the course ships (``hub/``), on free ports of 127.0.0.1, with an
instructor and ten students whose servers all start at once. Students answer through the contents
API: full, partial, empty, and one who replaced every test cell. The instructor works through
formgrader's API; the course's own class grader grades the same
submissions. The test asserts one grade per student with the score their answer earns, that
nothing was lost on the way, and that every process the hub started has stopped.
"""

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HUB = ROOT / "hub"
NUM_STUDENTS = 10

sys.path.insert(0, str(HUB))  # hub/classroom.py is a script beside the hub's configuration
import classroom  # noqa: E402

sys.path.remove(str(HUB))


def load_nbgrader_config(user):
    """The settings hub/jupyter/nbgrader_config.py gives nbgrader inside ``user``'s server."""
    from traitlets.config import Config

    config = Config()
    env = {"JUPYTERHUB_USER": user, "LSTM_HUB_INSTRUCTORS": "instructor", "LSTM_HUB_EXCHANGE": "/x"}
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        code = (HUB / "jupyter" / "nbgrader_config.py").read_text()
        exec(compile(code, "nbgrader_config.py", "exec"), {"get_config": lambda: config})
    finally:
        for key, value in saved.items():
            os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
    return config


def test_students_submit_under_their_hub_name_and_instructors_see_everyone():
    assert load_nbgrader_config("student07").CourseDirectory.student_id == "student07"
    # for the instructor, student_id filters collect and autograde: it must stay unset ("*")
    assert "student_id" not in load_nbgrader_config("instructor").CourseDirectory


@pytest.fixture(scope="module")
def proxy_installed():
    if not (HUB / "node_modules" / ".bin" / "configurable-http-proxy").exists():
        npm = shutil.which("npm")
        assert npm, "npm is needed to install configurable-http-proxy (hub/package.json)"
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=HUB, check=True, timeout=600)


@pytest.fixture(scope="module")
def a_class(proxy_installed):
    return classroom.run_class(NUM_STUDENTS)


@pytest.mark.slow
def test_every_student_is_graded_with_the_score_their_answer_earns(a_class, capsys):
    roster, expected = a_class["roster"], a_class["expected"]
    assert len(roster) == NUM_STUDENTS
    assert set(roster.values()) >= {"full", "empty", "tamper", "partial_1"}
    assert a_class["collected"] == sorted(roster), "a submission was lost between submit and collect"
    assert sorted(a_class["gradebook"]) == sorted(roster)
    full_marks = expected[next(s for s, kind in roster.items() if kind == "full")]
    assert full_marks > 0
    for student, (score, max_score) in a_class["gradebook"].items():
        assert max_score == full_marks
        assert score == expected[student], f"{student} ({roster[student]}): {score} != {expected[student]}"
    assert len({expected[s] for s in roster}) >= 3, "the answers should earn at least three different scores"
    with capsys.disabled():
        print(f"\nhub class of {NUM_STUDENTS}: servers ready in {a_class['spawn_seconds']:.0f} s, "
              f"{a_class['memory_per_student_mb']:.0f} MB per student (server + kernel), "
              f"autograde {a_class['autograde_seconds']:.0f} s, whole class {a_class['total_seconds']:.0f} s")


@pytest.mark.slow
def test_the_course_class_grader_agrees_with_nbgrader(a_class):
    assert a_class["class_grader"] == a_class["gradebook"]


@pytest.mark.slow
def test_the_exported_grades_have_one_row_per_student(a_class):
    rows = [row for row in csv.DictReader(io.StringIO(a_class["grades_csv"])) if row["assignment"] == "ps1"]
    assert sorted(row["student_id"] for row in rows) == sorted(a_class["roster"])
    for row in rows:
        assert float(row["raw_score"]) == a_class["expected"][row["student_id"]]


@pytest.mark.slow
def test_every_student_gets_feedback(a_class):
    for student in a_class["roster"]:
        assert a_class["feedback"][student] == ["01_forward_pass.html"], student


@pytest.mark.slow
def test_nothing_is_left_running(a_class):
    assert a_class["leftover_processes"] == [], json.dumps(a_class["leftover_processes"])
