"""Build a reveal.js slide deck from each lesson notebook, for lecturing.

Usage:
    python tools/make_slides.py                      # every notebooks/*.ipynb -> slides/*.slides.html
    python tools/make_slides.py notebooks/03_*.ipynb --output-dir /tmp/decks
    python tools/make_slides.py --no-code            # figures and prose only

Each cell's ``metadata.slideshow.slide_type`` decides where it goes: "slide" starts a new
slide, "subslide" a slide below it, "fragment" appears on the next key press, "-" continues
the current slide, "notes" goes to the speaker notes (press S), "skip" is left out.
The decks use the saved outputs, so run ``make notebooks`` first after changing a lesson.
Live widgets need a kernel: their outputs are dropped here, the static figure drawn just
before each widget stays.

The decks work offline: reveal.js 4, MathJax 2, require.js and jQuery come from the npm registry
(``web/package-lock.json``, installed with ``npm ci`` on first use, see tools/vendor_web.py) and
the few files a deck loads are copied to ``<output-dir>/_static/``. Keep that folder next to the
decks when you copy them to a lecture laptop. The theme uses the system's fonts (no web fonts).
"""

import argparse
import sys
from pathlib import Path

import nbformat
import vendor_web
from nbconvert import SlidesExporter
from nbconvert.preprocessors import Preprocessor
from run_notebooks import WIDGET_MIME

REPO = Path(__file__).resolve().parents[1]
STATIC = "_static"  # the vendored front-end files, next to the decks
# nbconvert imports mermaid (diagrams in Markdown) as an ES module from a CDN; the lessons have no
# diagrams, so a module that does nothing stands in for it (a data: URL also works over file://)
MERMAID_STUB = "data:text/javascript,export%20default%20%7Binitialize()%20%7B%7D%7D%3B"
THEME = "white"  # copied without its @import of a web font: headings fall back to the system's sans-serif


class DropWidgetOutputs(Preprocessor):
    """Remove live-widget outputs: without a kernel they would be dead sliders or a text repr."""

    def preprocess(self, nb, resources):
        nb.metadata.pop("widgets", None)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = [out for out in cell.outputs if WIDGET_MIME not in out.get("data", {})]
        return nb, resources


def exporter(show_code=True, static=STATIC):
    """A configured SlidesExporter (prompts hidden, widget outputs dropped) that loads every script,
    style sheet and font from ``static`` (a URL or a path relative to the deck), nothing from the web."""
    slides = SlidesExporter(exclude_input=not show_code, exclude_input_prompt=True,
                            exclude_output_prompt=True, reveal_scroll=True, reveal_number="c/t",
                            reveal_theme=THEME)
    slides.reveal_url_prefix = f"{static}/reveal.js"
    slides.mathjax_url = f"{static}/mathjax/MathJax.js?config={vendor_web.MATHJAX_CONFIG}"
    slides.require_js_url = f"{static}/require.js"
    slides.jquery_url = f"{static}/jquery.min.js"
    slides.mermaid_js_url = MERMAID_STUB  # only settable here: no command-line flag for it
    slides.register_preprocessor(DropWidgetOutputs(), enabled=True)
    return slides


def vendor(output_dir):
    """Copy the front-end files the decks load into ``<output_dir>/_static`` (npm ci first if needed)."""
    static = vendor_web.copy_into(Path(output_dir) / STATIC)
    source = vendor_web.NODE_MODULES / "reveal.js" / "dist" / "theme" / f"{THEME}.css"
    theme = static / "reveal.js" / "dist" / "theme" / f"{THEME}.css"
    theme.parent.mkdir(parents=True, exist_ok=True)
    css = "\n".join(line for line in source.read_text(encoding="utf-8").splitlines()
                    if not line.lstrip().startswith("@import"))
    theme.write_text(css, encoding="utf-8")
    return static


def deck_title(notebook):
    """The first Markdown heading of the notebook, without its #s ('' if there is none)."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return ""


def build(path, output_dir, show_code=True):
    """Write ``<output_dir>/<stem>.slides.html`` for the notebook at ``path`` (and the files it loads
    to ``<output_dir>/_static``); return the deck's path."""
    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    resources = {"metadata": {"name": deck_title(notebook) or path.stem, "path": str(path.parent)}}
    body, _ = exporter(show_code).from_notebook_node(notebook, resources=resources)
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    vendor(output_dir)
    target = output_dir / f"{path.stem}.slides.html"
    target.write_text(body, encoding="utf-8")
    return target


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="lesson notebooks (default: every notebooks/*.ipynb)")
    parser.add_argument("--output-dir", type=Path, default=REPO / "slides", help="default: slides/")
    parser.add_argument("--no-code", action="store_true", help="hide code cells, keep their outputs")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((REPO / "notebooks").glob("*.ipynb"))
    if not paths:
        print("no notebooks found", file=sys.stderr)
        return 1
    try:
        vendor(args.output_dir)
    except vendor_web.VendorError as error:
        print(error, file=sys.stderr)
        return 2
    for path in paths:
        target = build(path, args.output_dir, show_code=not args.no_code)
        try:
            shown = target.relative_to(Path.cwd())
        except ValueError:
            shown = target
        print(f"{path.name} -> {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
