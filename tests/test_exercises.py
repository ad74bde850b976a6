"""The exercises are generated from the solutions, up to date, clean, and stubbed.

Also tests the generator itself (tools/make_exercises.py): deterministic output, stubs with
the marker's indentation, hidden tests removed, refusal of malformed solution notebooks, and
``--check`` reporting every stale, missing or extra file.
"""

import importlib.util
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from lstm_core.course.notebook_cells import (
    HIDDEN_MARKERS,
    SELF_CHECK_MARKERS,
    SOLUTION_MARKERS,
    NotebookFormatError,
    cell_kind,
    cell_source,
    grade_id,
    remove_hidden_tests,
    stub_solutions,
)

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
MAKE_EXERCISES = ROOT / "tools" / "make_exercises.py"


def _load_generator():
    spec = importlib.util.spec_from_file_location("make_exercises", MAKE_EXERCISES)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_exercises = _load_generator()


def _cells(path):
    return nbformat.read(path, as_version=4).cells


def test_there_are_solutions():
    assert SOLUTIONS, "no solutions/*.ipynb found"


def test_generated_files_are_up_to_date():
    result = subprocess.run([sys.executable, str(MAKE_EXERCISES), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_generation_is_deterministic(tmp_path):
    first, _ = make_exercises.build(ROOT / "solutions", tmp_path / "ex", tmp_path / "bank.json")
    second, _ = make_exercises.build(ROOT / "solutions", tmp_path / "ex", tmp_path / "bank.json")
    assert first == second


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_exercise_has_no_outputs_and_same_cells(solution):
    exercise = ROOT / "exercises" / solution.name
    assert exercise.exists(), f"{exercise} is missing: run tools/make_exercises.py"
    ex_cells, sol_cells = _cells(exercise), _cells(solution)
    assert [grade_id(c) for c in ex_cells] == [grade_id(c) for c in sol_cells]
    for cell in ex_cells:
        assert cell.metadata["nbgrader"] == next(
            c.metadata["nbgrader"] for c in sol_cells if grade_id(c) == grade_id(cell))
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{grade_id(cell)} has outputs"


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_every_solution_region_became_a_stub(solution):
    exercise = ROOT / "exercises" / solution.name
    sol_cells = {grade_id(c): c for c in _cells(solution)}
    for cell in _cells(exercise):
        source = cell_source(cell)
        for marker in SOLUTION_MARKERS + HIDDEN_MARKERS + SELF_CHECK_MARKERS:
            assert marker not in source, f"{exercise.name}: {grade_id(cell)} still contains {marker!r}"
        if cell_kind(cell) == "solution" and cell.cell_type == "code":
            regions = cell_source(sol_cells[grade_id(cell)]).count(SOLUTION_MARKERS[0])
            assert source.count("raise NotImplementedError()") == regions
            compile(source, grade_id(cell), "exec")  # a stub is valid Python
        if cell_kind(cell) == "test":
            assert source.strip(), f"{grade_id(cell)}: no visible test left"


def test_stub_keeps_indentation_and_surroundings():
    source = "def f(x):\n    y = 1\n    ### BEGIN SOLUTION\n    return x + y\n    ### END SOLUTION\n"
    assert stub_solutions(source) == (
        "def f(x):\n    y = 1\n    # YOUR CODE HERE\n    raise NotImplementedError()\n")
    assert stub_solutions("### BEGIN SOLUTION\nanswer\n### END SOLUTION", markdown=True) == "YOUR ANSWER HERE"


def test_hidden_tests_are_removed():
    source = "assert a\n### BEGIN HIDDEN TESTS\nassert b\n### END HIDDEN TESTS\n"
    assert remove_hidden_tests(source) == "assert a"


@pytest.mark.parametrize("source", [
    "### BEGIN SOLUTION\nx = 1\n",
    "x = 1\n### END SOLUTION\n",
    "### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n",
])
def test_unbalanced_markers_are_refused(source):
    with pytest.raises(NotebookFormatError, match="line"):
        stub_solutions(source, "nb.ipynb: cell 3")


def _cell(gid, source, kind):
    flags = {"solution": (False, True, False), "test": (True, False, True), "locked": (False, False, True)}[kind]
    meta = {"schema_version": 3, "grade_id": gid, "grade": flags[0], "solution": flags[1], "locked": flags[2]}
    if kind == "test":
        meta["points"] = 1
    return nbformat.v4.new_code_cell(source, metadata={"nbgrader": meta})


def _write_solution(folder, name, cells):
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nbformat.v4.new_notebook(cells=cells), folder / name)


def _run(tmp_path, *extra):
    return make_exercises.main(["--solutions", str(tmp_path / "solutions"), "--exercises",
                                str(tmp_path / "exercises"), "--bank", str(tmp_path / "bank.json"), *extra])


GOOD = [_cell("setup", "import numpy as np", "locked"),
        _cell("answer", "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION", "solution"),
        _cell("check", "assert f() == 1\n### BEGIN SELF-CHECK TESTS\nassert f() + 2 == 3\n### END SELF-CHECK TESTS\n"
              "### BEGIN HIDDEN TESTS\nassert f() + 1 == 2\n### END HIDDEN TESTS", "test")]


@pytest.mark.parametrize("cells, message", [
    ([GOOD[0], _cell("answer", "### BEGIN SOLUTION\nx = 1", "solution"), GOOD[2]], "never closed"),
    ([GOOD[0], GOOD[1], _cell("answer", "assert f() == 1", "test")], "duplicate grade_id 'answer'"),
    ([GOOD[0], _cell("answer", "### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS", "solution"), GOOD[2]],
     "HIDDEN TESTS"),
    ([GOOD[0], GOOD[1]], "no test cell"),
    ([nbformat.v4.new_code_cell("x = 1"), GOOD[1], GOOD[2]], "no nbgrader metadata"),
], ids=["unbalanced", "duplicate-id", "hidden-in-solution", "no-tests", "no-metadata"])
def test_generator_refuses_malformed_solutions(tmp_path, capsys, cells, message):
    _write_solution(tmp_path / "solutions", "01_bad.ipynb", cells)
    assert _run(tmp_path) == 2
    error = capsys.readouterr().err
    assert "01_bad.ipynb" in error and message in error
    assert not (tmp_path / "exercises").exists(), "nothing may be written for a malformed solution"


def test_check_lists_every_stale_missing_or_extra_file(tmp_path, capsys):
    for name in ("01_one.ipynb", "02_two.ipynb"):
        _write_solution(tmp_path / "solutions", name, GOOD)
    assert _run(tmp_path) == 0
    assert _run(tmp_path, "--check") == 0
    exercise = tmp_path / "exercises" / "01_one.ipynb"
    assert "raise NotImplementedError()" in exercise.read_text()
    bank = (tmp_path / "bank.json").read_text()
    assert "f() + 1" not in exercise.read_text() and "f() + 1" not in bank, "a hidden test was shipped"
    assert "f() + 2" not in exercise.read_text() and "f() + 2" in bank, "the self-check test is in the bank only"
    exercise.write_text(exercise.read_text().replace("YOUR CODE HERE", "edited"))
    (tmp_path / "exercises" / "02_two.ipynb").unlink()
    (tmp_path / "exercises" / "03_orphan.ipynb").write_text("{}")
    capsys.readouterr()
    assert _run(tmp_path, "--check") == 1
    error = capsys.readouterr().err
    assert "differs" in error and "01_one.ipynb" in error
    assert "missing" in error and "02_two.ipynb" in error
    assert "extra" in error and "03_orphan.ipynb" in error
    assert _run(tmp_path) == 0 and _run(tmp_path, "--check") == 0
    assert not (tmp_path / "exercises" / "03_orphan.ipynb").exists()
