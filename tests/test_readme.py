"""The README keeps its promises: two commands, every lesson and exercise on the course map,
and the test command CI runs is the one the README gives."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def test_every_lesson_and_exercise_is_on_the_map():
    for folder in ("notebooks", "exercises"):
        for path in sorted((ROOT / folder).glob("[0-9][0-9]_*.ipynb")):
            assert f"({folder}/{path.name})" in README, f"README's course map lacks {folder}/{path.name}"


def test_two_commands_and_ci_runs_the_readme_test_command():
    assert re.search(r"^make lab\b", README, re.M) and re.search(r"^make test\b", README, re.M)
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test\s*$", ci, re.M), ".ci/run must run the README's test command"


def test_no_placeholders_left():
    assert "PLACEHOLDER" not in README


def test_exactly_two_commands_for_the_learner():
    blocks = re.findall(r"^```(?:bash|sh|shell|console)?\n(.*?)^```", README, flags=re.M | re.S)
    assert len(blocks) == 1, f"one command block (make lab, make test), found {len(blocks)}"
    commands = [line.split("#")[0].strip() for line in blocks[0].splitlines() if line.split("#")[0].strip()]
    assert commands == ["make lab", "make test"], commands


def test_learners_first_and_maintainer_material_in_docs():
    headings = re.findall(r"^## (.+)$", README, flags=re.M)
    assert headings[:3] == ["Two commands", "Where to start", "Course map"], headings
    assert "00_start_here.ipynb" in README.split("## Course map")[0], "say where to start before the map"
    for maintainer_text in ("| dtype |", "nbgrader autograde", "bench_lstm.py", "LSTM_BPTT_BROWSER_ALL"):
        assert maintainer_text not in README, f"maintainer material in the README: {maintainer_text!r}"
    for doc in ("docs/TEACHING.md", "docs/AUTHORING.md", "docs/PERFORMANCE.md"):
        assert f"]({doc})" in README, f"README does not point to {doc}"


def test_local_links_resolve():
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", README):
        if not re.match(r"^[a-z]+:", target):
            assert (ROOT / target).exists(), f"README links to {target}, which does not exist"


def test_binder_only_in_a_form_that_works():
    assert not re.search(r"mybinder\.org/v2/gh/OWNER", README), "a Binder link with an OWNER placeholder"
    assert "make book" in README and "GitHub Pages" in README, "say how to build and publish the website"


GRADE_COMMAND = re.compile(r"`(make grade NB=exercises/([0-9][0-9]_\w+\.ipynb))`")


def test_one_grading_command_in_the_readme_lesson_00_and_every_exercise():
    """The README, lesson 00 and each exercise's introduction give the same command, for that exercise."""
    import nbformat

    found = GRADE_COMMAND.search(README)
    assert found, "the README gives no `make grade NB=exercises/...` command"
    lesson00 = "\n".join(c.source for c in nbformat.read(ROOT / "notebooks" / "00_start_here.ipynb", 4).cells)
    assert found.group(1) in lesson00, f"lesson 00 does not give the README's command {found.group(1)!r}"
    for text, where in ((README, "README"), (lesson00, "lesson 00")):
        assert "python -m lstm_core.grade exercises" not in text, f"{where} still gives the python -m command"
    for folder in ("exercises", "solutions"):
        for path in sorted((ROOT / folder).glob("[0-9][0-9]_*.ipynb")):
            intro = nbformat.read(path, 4).cells[0].source
            assert f"`make grade NB=exercises/{path.name}`" in intro, f"{folder}/{path.name}: no grading command"
            assert "python -m lstm_core.grade" not in intro, f"{folder}/{path.name}: the old python -m command"


def test_the_grading_command_works_as_written_in_a_plain_shell():
    """The README's command, pasted into a shell that never activated anything (no venv on PATH, no
    PYTHONPATH), from the repository root, prints a score."""
    import os
    import subprocess
    import sys

    command = GRADE_COMMAND.search(README).group(1)
    if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
        command += f" VENV={sys.prefix}"  # tests run from another venv than the README's .venv
    plain = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": os.environ.get("HOME", "/tmp"), "LANG": "C.UTF-8"}
    result = subprocess.run(["bash", "--noprofile", "--norc", "-c", command], cwd=ROOT, env=plain,
                            capture_output=True, text=True, timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    score = re.search(r"^Total: (\d+)/(\d+)$", output, re.M)
    assert score and int(score.group(2)) > 0, output
    assert "make: ***" not in output and "Traceback" not in output, output
