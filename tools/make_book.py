"""Build the course website (Jupyter Book 1.x) from the committed notebooks, without running them.

Usage:
    python tools/make_book.py                                # -> book/_build/html/index.html
    python tools/make_book.py --repository OWNER/LSTM-BPTT   # also a Binder button on every page

The lessons and exercises are copied to ``book/_build/.source`` next to ``book/_config.yml`` and
``book/_toc.yml`` (the navigation, in lesson order), with three changes to each copy: live-widget
outputs are dropped (the static figure drawn just before each widget stays), a line after the title
links to the page's exercise (or lesson), to the same notebook in a local JupyterLab and, with
``--repository``, to Binder; links to headings use the website's lower-case anchors. The front page
is the README's course map. MathJax 2 is served from the course's own copy (web/package-lock.json),
so the site, its search included, works without the internet. Publish ``book/_build/html`` as it is
(GitHub Pages: see README.md).
"""

import argparse
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import vendor_web
from run_notebooks import WIDGET_MIME

REPO = Path(__file__).resolve().parents[1]
BOOK = REPO / "book"
BUILD = BOOK / "_build"
# where `make lab` serves the course: the repository root, on JupyterLab's default port
# (tests/test_environment.py opens every such path on a server started by `make lab`)
LAB_URL = "http://localhost:8888/lab/tree/{path}"
BINDER_URL = "https://mybinder.org/v2/gh/{repository}/HEAD?urlpath=lab/tree/{path}"


def toc_files():
    """The pages of book/_toc.yml in order, e.g. ["notebooks/00_start_here", ...] (a tiny YAML subset)."""
    return re.findall(r"^\s*-\s*file:\s*(\S+)\s*$", (BOOK / "_toc.yml").read_text(), flags=re.M)


def course_map():
    """The README's "Course map" section (its links point at notebooks/ and exercises/)."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    title = re.search(r"^# (.+)$", readme, flags=re.M).group(1)
    found = re.search(r"^## Course map\n(.*?)(?=^## )", readme, flags=re.M | re.S)
    if not found:
        raise SystemExit("README.md has no '## Course map' section for the website's front page")
    return title, found.group(1).strip()


def banner(relpath, repository=None):
    """The Markdown line after a page's title: its exercise or lesson, JupyterLab, Binder."""
    folder, stem = relpath.parent.name, relpath.stem
    links = []
    if folder == "notebooks" and (REPO / "exercises" / relpath.name).exists():
        links.append(f"[Exercise {stem[:2]}](../exercises/{relpath.name})")
    if folder == "exercises":
        links.append(f"[Lesson {stem[:2]}](../notebooks/{relpath.name})")
        links.append(f"check your answers with `make grade NB=exercises/{relpath.name}`")
    links.append(f"[open in JupyterLab]({LAB_URL.format(path=relpath.as_posix())}) (after `make lab`)")
    if repository:
        links.append(f"[open on Binder]({BINDER_URL.format(repository=repository, path=relpath.as_posix())})")
    return "**Run it yourself:** " + " · ".join(links)


def prepare(notebook, relpath, repository=None):
    """A copy of ``notebook`` for the website (see the module docstring); returns it."""
    notebook.metadata.pop("widgets", None)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = [out for out in cell.outputs if WIDGET_MIME not in out.get("data", {})]
        elif cell.cell_type == "markdown":
            # JupyterLab's heading anchors keep their case; the website's are lower case
            cell.source = re.sub(r"(\.ipynb)?#([A-Za-z0-9_-]+)\)",
                                 lambda m: f"{m.group(1) or ''}#{m.group(2).lower()})", cell.source)
    notebook.cells.insert(1, nbformat.v4.new_markdown_cell(banner(relpath, repository)))
    return notebook


def stage(source, repository=None):
    """Write the book's source folder: config, navigation, front page, prepared notebooks, vendored MathJax."""
    if source.exists():
        shutil.rmtree(source)
    source.mkdir(parents=True)
    config = (BOOK / "_config.yml").read_text(encoding="utf-8")
    if repository:
        config += (f"\nrepository:\n  url: https://github.com/{repository}\n  branch: main\n"
                   "launch_buttons:\n  notebook_interface: jupyterlab\n  binderhub_url: https://mybinder.org\n")
    (source / "_config.yml").write_text(config, encoding="utf-8")
    shutil.copy(BOOK / "_toc.yml", source / "_toc.yml")
    title, table = course_map()
    (source / "intro.md").write_text(f"# {title}\n\n{table}\n", encoding="utf-8")
    for page in toc_files():
        relpath = Path(page + ".ipynb")
        notebook = nbformat.read(REPO / relpath, as_version=4)
        (source / relpath.parent).mkdir(parents=True, exist_ok=True)
        nbformat.write(prepare(notebook, relpath, repository), source / relpath)
    # not under _static/: Jupyter Book would add every .js file there to every page
    vendor_web.copy_into(source / "_vendor" / "course", packages={"mathjax"})
    return source


def drop_repeated_scripts(html):
    """Remove a <script> line that repeats an earlier one on the same page: sphinx-thebe adds its
    configuration twice, and the second `const THEBE_JS_URL` is a JavaScript error."""
    for page in html.rglob("*.html"):
        seen, kept, changed = set(), [], False
        for line in page.read_text(encoding="utf-8").splitlines(keepends=True):
            if line.lstrip().startswith("<script"):
                if line in seen:
                    changed = True
                    continue
                seen.add(line)
            kept.append(line)
        if changed:
            page.write_text("".join(kept), encoding="utf-8")


def build(output=BUILD, repository=None, quiet=True):
    """Stage and build the site; return the folder holding index.html."""
    output = Path(output)
    source = stage(output / ".source", repository)
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    command = [str(jupyter_book if jupyter_book.exists() else "jupyter-book"), "build", str(source),
               "--path-output", str(output / ".out"), "--builder", "html"] + (["--quiet"] if quiet else [])
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"jupyter-book build failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    html = output / "html"
    if html.exists():
        shutil.rmtree(html)
    shutil.move(output / ".out" / "_build" / "html", html)
    shutil.rmtree(output / ".out")
    drop_repeated_scripts(html)
    (html / ".nojekyll").touch()  # GitHub Pages: serve _static/ and _images/ as they are
    return html


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=BUILD, help="default: book/_build (site in html/)")
    parser.add_argument("--repository", default=None,
                        help="OWNER/NAME of the course's public GitHub home: adds Binder links")
    parser.add_argument("--verbose", action="store_true", help="show Sphinx's output")
    args = parser.parse_args(argv)
    start = time.monotonic()
    try:
        html = build(args.output, args.repository, quiet=not args.verbose)
    except (vendor_web.VendorError, RuntimeError) as error:
        print(error, file=sys.stderr)
        return 2
    print(f"{html / 'index.html'} ({time.monotonic() - start:.0f} s; {vendor_web.size_mb(html):.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
