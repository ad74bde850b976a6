"""Committed notebooks keep the course's promises: clean runs, no leaks, asserted checks, widgets."""

import json
import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import run_notebooks  # noqa: E402  (tools/ is a folder of scripts)

LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SOLUTIONS = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("[0-9][0-9]_*.ipynb"))
LEAKS = re.compile(r"/work/|/home/|/root/|/tmp/|\bat 0x[0-9a-f]+|Wall time|CPU times")


def cells(path):
    return json.loads(path.read_text())["cells"]


def source(cell):
    return "".join(cell["source"])


def output_text(cell):
    parts = []
    for output in cell.get("outputs", []):
        parts.append("".join(output.get("text", "")))
        parts.append("".join(output.get("data", {}).get("text/plain", "")))
    return "".join(parts)


def test_there_are_lessons():
    assert len(LESSONS) >= 6


@pytest.mark.parametrize("path", LESSONS + SOLUTIONS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_committed_from_a_clean_run(path):
    code = [c for c in cells(path) if c["cell_type"] == "code"]
    assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1)), \
        "execution counts are not 1..N: re-run with `make notebooks`"
    for c in code:
        assert not any(o.get("output_type") == "error" for o in c.get("outputs", [])), source(c)[:80]
        assert not LEAKS.search(output_text(c)), f"volatile or private text in the output of: {source(c)[:80]}"


@pytest.mark.parametrize("path", LESSONS + SOLUTIONS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_seeded_and_imports_the_package(path):
    text = "\n".join(source(c) for c in cells(path) if c["cell_type"] == "code")
    assert "lstm_core" in text
    assert "np.random.seed" not in text, "use rng = np.random.default_rng(SEED)"
    assert "sys.path" not in text, "import the installed package, never path-hack"
    if "rng" in text:
        assert re.search(r"rng\s*=\s*np\.random\.default_rng\(", text)


@pytest.mark.parametrize("path", [p for p in LESSONS if not p.name.startswith("00_")], ids=lambda p: p.name)
def test_lessons_check_and_explore(path):
    text = "\n".join(source(c) for c in cells(path) if c["cell_type"] == "code")
    assert re.search(r"^\s*assert\b|np\.testing\.assert|expect_close", text, re.M), "no asserted check"
    assert re.search(r"\binteract(ive_output)?\(|widgets\.", text), "no widget"
    assert re.search(r"from lstm_core\.plots_\w+ import|lstm_core\.plot", text), "figures must come from lstm_core"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lessons_have_slide_metadata_and_a_title(path):
    nb_cells = cells(path)
    assert source(nb_cells[0]).lstrip().startswith("# "), "the first cell is the lesson's title"
    assert all("slideshow" in c.get("metadata", {}) for c in nb_cells), "every cell needs slide metadata"


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.name)
def test_exercises_are_committed_clean(path):
    for c in cells(path):
        if c["cell_type"] == "code":
            assert c.get("outputs") == [] and c.get("execution_count") is None


def test_links_between_notebooks_resolve():
    for path in LESSONS + SOLUTIONS:
        for c in cells(path):
            if c["cell_type"] != "markdown":
                continue
            for target in re.findall(r"\]\(((?:\.\./|\./)?[\w/.-]+\.ipynb)\)", source(c)):
                assert (path.parent / target).resolve().exists(), f"{path.name} links to missing {target}"


@pytest.mark.parametrize("path", LESSONS + SOLUTIONS + EXERCISES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_saved_widget_state(path):
    """Widget state churns on every re-run and duplicates the static figure drawn before each widget."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    assert "widgets" not in notebook["metadata"], f"{path.name} stores widget state: re-run with tools/run_notebooks.py"


def test_lessons_stay_small():
    total = sum(path.stat().st_size for path in LESSONS)
    assert total < 2.5e6, f"lessons take {total / 1e6:.2f} MB together; keep them under 2.5 MB (smaller figures)"


@pytest.mark.parametrize("path", LESSONS + SOLUTIONS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_outputs_do_not_churn(path):
    """A re-run that changes nothing must change no bytes: widget ids come from the cell's place, and
    consecutive prints are one output (tools/run_notebooks.py does both)."""
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert len(run_notebooks.joined_streams(cell.outputs)) == len(cell.outputs), \
                f"split stream outputs in: {source(cell)[:80]}; re-run with tools/run_notebooks.py"
    before = json.dumps(notebook, sort_keys=True)
    run_notebooks.steady_widget_ids(notebook, path.name)
    assert json.dumps(notebook, sort_keys=True) == before, "random widget ids: re-run with tools/run_notebooks.py"


@pytest.mark.parametrize("path", LESSONS + SOLUTIONS + EXERCISES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_kernelspec_is_the_installed_one(path):
    """JupyterLab rewrites a notebook's kernelspec to the kernel it starts; any difference (such as
    "Python 3" for ipykernel's "Python 3 (ipykernel)") marks the notebook unsaved as soon as it opens."""
    metadata = json.loads(path.read_text())["metadata"]
    assert metadata.get("kernelspec") == run_notebooks.kernelspec_metadata(), \
        f"{metadata.get('kernelspec')} is not the installed kernel's: re-run with `make notebooks`"
