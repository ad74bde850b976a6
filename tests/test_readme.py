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
