"""A class grades an exercise with nbgrader's own pipeline, straight from a solution notebook.

In a temporary course directory: ``nbgrader generate_assignment`` builds the release from
``solutions/01_forward_pass.ipynb``; student A submits it with every solution cell filled in,
student B submits it untouched; ``nbgrader autograde`` (which puts back the hidden tests) gives A
full marks and B zero, read from the gradebook database. The release's lock flags are the ones
``exercises/`` carries.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from lstm_core.course.notebook_cells import cell_kind, grade_id

nbgrader_api = pytest.importorskip("nbgrader.api")

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = "ps1"
NOTEBOOK = "01_forward_pass.ipynb"
BIN = Path(sys.executable).parent


def _nbgrader(course, *args):
    # nbgrader runs `alembic` from PATH to create the gradebook: put the venv's bin first
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    executable = shutil.which("nbgrader", path=env["PATH"])
    assert executable, "the nbgrader command is not installed next to this Python"
    result = subprocess.run([executable, *args, "--force"], cwd=course, env=env, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.mark.slow
def test_nbgrader_gives_full_marks_to_a_solution_and_zero_to_an_untouched_copy(tmp_path):
    course = tmp_path / "course"
    (course / "source" / ASSIGNMENT).mkdir(parents=True)
    shutil.copy(ROOT / "solutions" / NOTEBOOK, course / "source" / ASSIGNMENT / NOTEBOOK)
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        "c.CourseDirectory.course_id = 'lstm-bptt'\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{course / 'gradebook.db'}'\n"
        f"c.Exchange.root = {str(tmp_path / 'exchange')!r}\n"
        "c.ExecutePreprocessor.timeout = 120\n")

    _nbgrader(course, "generate_assignment", ASSIGNMENT)
    released = course / "release" / ASSIGNMENT / NOTEBOOK
    source = nbformat.read(course / "source" / ASSIGNMENT / NOTEBOOK, as_version=4)
    release_text = released.read_text()
    assert "### BEGIN HIDDEN TESTS" not in release_text and "raise NotImplementedError()" in release_text

    # exercises/ carries the lock flags that nbgrader's release writes
    ours = {grade_id(c): c.metadata for c in nbformat.read(ROOT / "exercises" / NOTEBOOK, as_version=4).cells}
    for cell in nbformat.read(released, as_version=4).cells:
        for flag in ("deletable", "editable"):
            assert cell.metadata.get(flag) == ours[grade_id(cell)].get(flag), (grade_id(cell), flag)

    solutions = {grade_id(c): c.source for c in source.cells if cell_kind(c) == "solution"}
    solved = nbformat.read(released, as_version=4)
    for cell in solved.cells:
        if grade_id(cell) in solutions:
            cell.source = solutions[grade_id(cell)]
    for student, notebook in (("alice", solved), ("bob", nbformat.read(released, as_version=4))):
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(notebook, folder / NOTEBOOK)

    _nbgrader(course, "autograde", ASSIGNMENT)
    with nbgrader_api.Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        alice = gradebook.find_submission(ASSIGNMENT, "alice")
        bob = gradebook.find_submission(ASSIGNMENT, "bob")
        assert alice.max_score == 10
        assert alice.score == alice.max_score, "the solved copy must get full marks"
        assert bob.score == 0, "the untouched copy must get zero"
