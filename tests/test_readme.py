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
