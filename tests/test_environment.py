"""The environments: the learner's (pyproject's dependencies = environment.yml = `make lab`) holds only what
lessons and exercises use; test, instructor and book tools are extras; JupyterLab flags no extension; the
course's own JupyterLab settings (no news, no update check) are where the lab `make lab` starts reads them."""

import json
import re
import shutil
import subprocess
import sys
import tomllib
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
SETTINGS = ROOT / "jupyter-settings" / "overrides.json"
NOT_FOR_LEARNERS = {"pytest", "nbval", "ruff", "hypothesis", "playwright", "nbgrader", "jupyter-book", "torch"}


def _name(requirement):
    return re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _conda_dependencies():
    """The package names of environment.yml's conda list and its pip list (a tiny YAML subset)."""
    conda, pip, in_pip, section = [], [], False, None
    for line in (ROOT / "environment.yml").read_text().splitlines():
        stripped = line.split("#")[0].rstrip()
        if stripped and not stripped[0].isspace():
            section = stripped.split(":")[0]  # a top-level key: name, channels, dependencies
            continue
        if section != "dependencies" or not stripped.strip().startswith("- "):
            continue
        item = stripped.strip()[2:].strip()
        if item == "pip:":
            in_pip = True
            continue
        indent = len(line) - len(line.lstrip())
        if in_pip and indent > 2:
            pip.append(item)
        else:
            in_pip = False
            conda.append(item)
    return conda, pip


def test_environment_matches_the_learner_dependencies():
    wanted = {_name(r) for r in PROJECT["dependencies"]}
    conda, pip = _conda_dependencies()
    listed = {_name(r) for r in conda} - {"python", "pip"}
    assert listed == wanted, f"only in environment.yml: {listed - wanted}; only in pyproject: {wanted - listed}"
    assert "-e ." in pip, "environment.yml must pip-install the package itself (- pip: [-e .])"


def test_versions_agree():
    pins = {_name(r): r.replace(" ", "")[len(_name(r)):] for r in PROJECT["dependencies"]}
    conda, _ = _conda_dependencies()
    for item in conda:
        name = _name(item)
        if name in pins:
            assert item.replace(" ", "")[len(name):] == pins[name], f"{name}: {item} vs pyproject {pins[name]}"


def test_learners_get_no_test_or_instructor_tooling():
    learner = {_name(r) for r in PROJECT["dependencies"]}
    assert not learner & NOT_FOR_LEARNERS, f"tooling in the learner's environment: {learner & NOT_FOR_LEARNERS}"
    extras = PROJECT["optional-dependencies"]
    assert set(extras) >= {"test", "instructor", "book"}
    assert "nbgrader>=0.9.6" in extras["instructor"]
    assert any(_name(r) == "jupyter-book" and "<2" in r for r in extras["book"]), "Jupyter Book 1.x only"
    test_names = {_name(r) for r in extras["test"]}
    assert {"pytest", "nbval", "ruff", "playwright"} <= test_names
    assert any(r.startswith(f"{PROJECT['name']}[") and "instructor" in r and "book" in r for r in extras["test"]), \
        "the test extra must pull in the instructor and book extras (their tests run in CI)"
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r'pip install (--\S+ \S+ )*-e \.\s*$', makefile, re.M), "make lab installs the package alone"
    assert '-e ".[test]"' in makefile


def test_environment_is_binder_ready():
    text = (ROOT / "environment.yml").read_text()
    assert re.search(r"^name: \S+", text, re.M)
    assert "conda-forge" in text
    assert re.search(r"^\s+- python=3\.1[1-9]", text, re.M)
    post_build = (ROOT / "postBuild").read_text()
    assert "jupyter-settings/overrides.json" in post_build and "share/jupyter/lab/settings" in post_build


def test_course_settings_turn_news_and_update_checks_off():
    settings = json.loads(SETTINGS.read_text())
    notification = settings["@jupyterlab/apputils-extension:notification"]
    assert notification == {"fetchNews": "false", "checkForUpdates": False}
    # RISE's themes that import Google Fonts would reach the network in every slideshow
    assert settings["jupyterlab-rise:plugin"]["theme"] in {"white", "black", "serif"}


def jupyter():
    candidate = Path(sys.executable).with_name("jupyter")
    return str(candidate) if candidate.exists() else shutil.which("jupyter")


def test_no_jupyterlab_extension_is_flagged():
    result = subprocess.run([jupyter(), "labextension", "list"], capture_output=True, text=True, timeout=120)
    output = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)  # drop colour codes
    assert "jupyterlab-rise" in output, output
    flagged = [line.strip() for line in output.splitlines() if re.search(r"\bX\b", line)]
    assert not flagged and "incompatible" not in output, f"flagged extensions:\n{output}"


@pytest.mark.slow
def test_the_lab_make_lab_starts_reads_the_course_settings(tmp_path):
    """The settings API of a lab started by `make lab` (no user settings, no flags) reports the course's
    values: news and update checks off, so the first start asks nothing and calls nothing. It serves the
    repository root (lessons, exercises and solutions) and its front page is lesson 00."""
    from jupyterlab.commands import get_app_dir

    installed = Path(get_app_dir()) / "settings" / "overrides.json"
    assert installed.is_file(), f"{installed} is missing: `make env` copies {SETTINGS.relative_to(ROOT)} there"
    assert json.loads(installed.read_text()) == json.loads(SETTINGS.read_text()), f"{installed} is out of date"

    sys.path.insert(0, str(ROOT / "tests"))
    import browser_support as bs

    with bs.LabServer(bs.copy_repo(tmp_path / "root", clear=()), tmp_path / "state", tmp_path / "lab.log") as server:
        top = {item["name"] for item in server.api_get("contents")["content"]}
        assert {"notebooks", "exercises", "solutions", "lstm_core"} <= top, f"make lab serves {sorted(top)}"
        assert "/lab/tree/notebooks/00_start_here.ipynb?token=" in server.printed_url(), server.printed_url()
        # every "open in JupyterLab" link of the website names a file this server has
        sys.path.insert(0, str(ROOT / "tools"))
        import make_book

        for page in make_book.toc_files():
            relpath = make_book.LAB_URL.format(path=f"{page}.ipynb").split("/lab/tree/", 1)[1]
            assert server.api_get(f"contents/{relpath}")["type"] == "notebook", relpath
        url = server.api_url("settings/@jupyterlab/apputils-extension:notification").replace("/api/", "/lab/api/")
        with urllib.request.urlopen(url, timeout=30) as response:
            answer = json.loads(response.read())
        # overrides.json becomes the schema's defaults; the user has set nothing
        defaults = {key: value.get("default") for key, value in answer["schema"]["properties"].items()}
        assert defaults["fetchNews"] == "false" and defaults["checkForUpdates"] is False, defaults
        assert not answer["settings"], answer["settings"]
        with urllib.request.urlopen(server.api_url("extensions").replace("/api/", "/lab/api/"), timeout=30) as r:
            extensions = json.loads(r.read())
        broken = [e["name"] for e in extensions if e.get("status") not in (None, "ok")]
        assert not broken, f"JupyterLab reports these extensions as broken: {broken}"


def test_the_rise_widgets_extension_is_shipped_and_installed():
    """The course's hand-written labextension: no dependencies (so JupyterLab never flags it), installed
    into the environment by make env and Binder's postBuild."""
    folder = ROOT / "jupyter-settings" / "labextensions" / "lstm-bptt-rise-widgets"
    package = json.loads((folder / "package.json").read_text())
    assert "dependencies" not in package and package["jupyterlab"]["_build"]["load"] == "static/remoteEntry.js"
    entry = (folder / "static" / "remoteEntry.js").read_text()
    assert 'registry["lstm-bptt-rise-widgets"]' in entry and '"@jupyterlab/console"' in entry
    assert "lstm-bptt-rise-widgets" in (ROOT / "postBuild").read_text()
    assert "$(RISE_WIDGETS)" in (ROOT / "Makefile").read_text()
