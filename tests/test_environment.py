"""environment.yml (conda, Binder) and pyproject.toml (pip) list the same packages."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


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


def test_environment_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    conda, pip = _conda_dependencies()
    listed = {_name(r) for r in conda} - {"python", "pip"}
    assert listed == wanted, f"only in environment.yml: {listed - wanted}; only in pyproject: {wanted - listed}"
    assert "-e ." in pip, "environment.yml must pip-install the package itself (- pip: [-e .])"


def test_versions_agree():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = {_name(r): r.replace(" ", "")[len(_name(r)):] for r in
            project["dependencies"] + project["optional-dependencies"]["dev"]}
    conda, _ = _conda_dependencies()
    for item in conda:
        name = _name(item)
        if name in pins:
            assert item.replace(" ", "")[len(name):] == pins[name], f"{name}: {item} vs pyproject {pins[name]}"


def test_environment_is_binder_ready():
    text = (ROOT / "environment.yml").read_text()
    assert re.search(r"^name: \S+", text, re.M)
    assert "conda-forge" in text
    assert re.search(r"^\s+- python=3\.1[1-9]", text, re.M)
