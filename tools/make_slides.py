"""Build a reveal.js slide deck from each lesson notebook, for lecturing.

Usage:
    python tools/make_slides.py                      # every notebooks/*.ipynb -> slides/*.slides.html
    python tools/make_slides.py notebooks/03_*.ipynb --output-dir /tmp/decks
    python tools/make_slides.py --no-code            # figures and prose only
    python tools/make_slides.py --reveal-prefix reveal.js   # a local copy of reveal.js 4 (offline)

Each cell's ``metadata.slideshow.slide_type`` decides where it goes: "slide" starts a new
slide, "subslide" a slide below it, "fragment" appears on the next key press, "-" continues
the current slide, "notes" goes to the speaker notes (press S), "skip" is left out.
The decks use the saved outputs, so run ``make notebooks`` first after changing a lesson.
Live widgets need a kernel: their outputs are dropped here, the static figure drawn just
before each widget stays. reveal.js and MathJax load from a CDN unless ``--reveal-prefix``
points at a local copy (see docs/TEACHING.md).
"""

import argparse
import sys
from pathlib import Path

import nbformat
from nbconvert import SlidesExporter
from nbconvert.preprocessors import Preprocessor

REPO = Path(__file__).resolve().parents[1]
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


class DropWidgetOutputs(Preprocessor):
    """Remove live-widget outputs: without a kernel they would be dead sliders or a text repr."""

    def preprocess(self, nb, resources):
        nb.metadata.pop("widgets", None)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = [out for out in cell.outputs if WIDGET_MIME not in out.get("data", {})]
        return nb, resources


def exporter(show_code=True, reveal_prefix=None):
    """A configured SlidesExporter (prompts hidden, widget outputs dropped)."""
    slides = SlidesExporter(exclude_input=not show_code, exclude_input_prompt=True,
                            exclude_output_prompt=True, reveal_scroll=True, reveal_number="c/t")
    if reveal_prefix:
        slides.reveal_url_prefix = reveal_prefix
    slides.register_preprocessor(DropWidgetOutputs(), enabled=True)
    return slides


def deck_title(notebook):
    """The first Markdown heading of the notebook, without its #s ('' if there is none)."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return ""


def build(path, output_dir, show_code=True, reveal_prefix=None):
    """Write ``<output_dir>/<stem>.slides.html`` for the notebook at ``path``; return its path."""
    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    resources = {"metadata": {"name": deck_title(notebook) or path.stem, "path": str(path.parent)}}
    body, _ = exporter(show_code, reveal_prefix).from_notebook_node(notebook, resources=resources)
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    target = output_dir / f"{path.stem}.slides.html"
    target.write_text(body, encoding="utf-8")
    return target


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="lesson notebooks (default: every notebooks/*.ipynb)")
    parser.add_argument("--output-dir", type=Path, default=REPO / "slides", help="default: slides/")
    parser.add_argument("--no-code", action="store_true", help="hide code cells, keep their outputs")
    parser.add_argument("--reveal-prefix", default=None,
                        help="URL or path (relative to the deck) of reveal.js 4; default: a CDN")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((REPO / "notebooks").glob("*.ipynb"))
    if not paths:
        print("no notebooks found", file=sys.stderr)
        return 1
    for path in paths:
        target = build(path, args.output_dir, show_code=not args.no_code, reveal_prefix=args.reveal_prefix)
        try:
            shown = target.relative_to(Path.cwd())
        except ValueError:
            shown = target
        print(f"{path.name} -> {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
