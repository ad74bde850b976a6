"""The lecture decks: tools/make_slides.py turns every lesson into a reveal.js deck that keeps the
title, the figures and the slide structure, leaves out the cells marked "skip", and loads nothing
from the network (reveal.js, MathJax, require.js and jQuery are copied next to the decks).
tests/test_browser.py opens a deck in Chromium with the network refused."""

import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))
import make_slides  # noqa: E402  (tools/ is a folder of scripts, not a package)
import vendor_web  # noqa: E402

LESSONS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SLIDE_TYPES = {"slide", "subslide", "fragment", "-", "skip", "notes"}


class TextOf(HTMLParser):
    """The visible text of an HTML page (script and style contents left out), and its <h1>s."""

    def __init__(self):
        super().__init__()
        self.parts, self.headings, self._skip, self._h1 = [], [], 0, None

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "h1":
            self._h1 = []

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1
        elif tag == "h1" and self._h1 is not None:
            self.headings.append(normalise("".join(self._h1)).rstrip("¶").strip())
            self._h1 = None

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)
            if self._h1 is not None:
                self._h1.append(data)

    @classmethod
    def of(cls, html):
        parser = cls()
        parser.feed(html)
        return normalise("".join(parser.parts)), parser.headings


def normalise(text):
    return re.sub(r"\s+", " ", text).strip()


def slide_type(cell):
    return cell.metadata.get("slideshow", {}).get("slide_type", "-")


def figures_kept(notebook):
    """How many PNG figures the deck must show: those of non-skipped cells, widget outputs aside."""
    return sum(1 for cell in notebook.cells if cell.cell_type == "code" and slide_type(cell) != "skip"
               for out in cell.outputs
               if "image/png" in out.get("data", {}) and make_slides.WIDGET_MIME not in out.get("data", {}))


def distinctive_lines(cells, others):
    """Code lines of ``cells`` long enough to be telling and found nowhere in ``others``' sources."""
    elsewhere = "\n".join(cell.source for cell in others)
    return [line.strip() for cell in cells for line in cell.source.splitlines()
            if len(line.strip()) >= 16 and not line.strip().startswith("#") and line.strip() not in elsewhere]


@pytest.fixture(scope="module")
def decks(tmp_path_factory):
    """Build every lesson's deck once, with the command-line tool, into a temporary folder."""
    if not LESSONS:
        pytest.skip("no lessons in notebooks/ yet")
    out = tmp_path_factory.mktemp("slides")
    result = subprocess.run([sys.executable, str(REPO / "tools" / "make_slides.py"), "--output-dir", str(out)],
                            capture_output=True, text=True, cwd=REPO, timeout=600)
    assert result.returncode == 0, result.stderr
    return out


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_deck_has_title_figures_and_no_skipped_cells(decks, lesson):
    notebook = nbformat.read(lesson, as_version=4)
    html = (decks / f"{lesson.stem}.slides.html").read_text(encoding="utf-8")
    assert 'class="reveal"' in html and '<div class="slides">' in html
    text, headings = TextOf.of(html)

    title = make_slides.deck_title(notebook)
    assert title, f"{lesson.name} has no Markdown heading to title its deck"
    plain_title = normalise(re.sub(r"[`*]", "", title))
    assert headings and headings[0] == plain_title, f"deck opens with {headings[:1]}, not {plain_title!r}"
    assert f"<title>{plain_title}" in html or plain_title in html

    expected = figures_kept(notebook)
    assert html.count('src="data:image/png') == expected, "every figure of a shown cell, and only those"
    has_figures = any("image/png" in out.get("data", {}) for c in notebook.cells if c.cell_type == "code"
                      for out in c.outputs)
    assert expected or not has_figures, f"{lesson.name} has figures, but all of them are in 'skip' cells"
    assert "interactive(children=" not in text and make_slides.WIDGET_MIME not in html, "dead widgets in the deck"

    skipped = [c for c in notebook.cells if c.cell_type == "code" and slide_type(c) == "skip"]
    shown = [c for c in notebook.cells if slide_type(c) != "skip"]
    for line in distinctive_lines(skipped, shown):
        assert normalise(line) not in text, f"a 'skip' cell reached the deck: {line!r}"
    present = distinctive_lines([c for c in shown if c.cell_type == "code"], skipped)
    assert all(normalise(line) in text for line in present), "a shown code cell is missing from the deck"


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_every_lesson_cell_has_a_slide_type(lesson):
    notebook = nbformat.read(lesson, as_version=4)
    missing = [i for i, c in enumerate(notebook.cells) if "slide_type" not in c.metadata.get("slideshow", {})]
    assert not missing, f"{lesson.name}: cells {missing} have no metadata.slideshow.slide_type"
    unknown = {slide_type(c) for c in notebook.cells} - SLIDE_TYPES
    assert not unknown, f"{lesson.name}: unknown slide types {unknown}"
    assert slide_type(notebook.cells[0]) == "slide", f"{lesson.name}: the title cell should start a slide"


def test_no_code_option_hides_code_but_keeps_figures(tmp_path):
    lessons = [p for p in LESSONS if figures_kept(nbformat.read(p, as_version=4))]
    if not lessons:
        pytest.skip("no lesson with a saved figure yet")
    lesson = lessons[0]
    notebook = nbformat.read(lesson, as_version=4)
    deck = make_slides.build(lesson, tmp_path, show_code=False).read_text(encoding="utf-8")
    assert deck.count('src="data:image/png') == figures_kept(notebook)
    text, _ = TextOf.of(deck)
    code = distinctive_lines([c for c in notebook.cells if c.cell_type == "code"],
                             [c for c in notebook.cells if c.cell_type == "markdown"])
    assert code and not any(normalise(line) in text for line in code), "code inputs still in the deck"


def test_notes_cells_go_to_speaker_notes(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Tiny deck", metadata={"slideshow": {"slide_type": "slide"}}),
        nbformat.v4.new_markdown_cell("Say this aloud", metadata={"slideshow": {"slide_type": "notes"}}),
        nbformat.v4.new_markdown_cell("Never shown", metadata={"slideshow": {"slide_type": "skip"}}),
        nbformat.v4.new_markdown_cell("## Second", metadata={"slideshow": {"slide_type": "slide"}}),
    ])
    path = tmp_path / "tiny.ipynb"
    nbformat.write(notebook, path)
    html = make_slides.build(path, tmp_path).read_text(encoding="utf-8")
    notes = re.findall(r'<aside class="notes">(.*?)</aside>', html, flags=re.S)
    assert len(notes) == 1 and "Say this aloud" in notes[0]
    assert "Never shown" not in html
    assert len(re.findall(r"<section\b", html)) == 4  # two slides, each with one subslide section


NOTES_LEAD = re.compile(r"^\*\*Speaker notes \(about \d+(?:[.\u2013-]\d+)? min\)\.\*\*")


def speaker_notes(notebook):
    """The lesson's speaker-notes cells: Markdown, slide type "notes", text opening with the minutes."""
    return [c for c in notebook.cells if c.cell_type == "markdown" and slide_type(c) == "notes"
            and NOTES_LEAD.match(c.source.lstrip())]


def test_speaker_notes_detector_on_a_temporary_notebook():
    notes = {"slideshow": {"slide_type": "notes"}}
    good = nbformat.v4.new_markdown_cell("**Speaker notes (about 4 min).** Draw the cell first.", metadata=notes)
    untimed = nbformat.v4.new_markdown_cell("**Speaker notes.** No minutes.", metadata=notes)
    shown = nbformat.v4.new_markdown_cell("**Speaker notes (about 2 min).** On the slide by mistake.",
                                          metadata={"slideshow": {"slide_type": "-"}})
    assert len(speaker_notes(nbformat.v4.new_notebook(cells=[good, untimed, shown]))) == 1
    assert not speaker_notes(nbformat.v4.new_notebook(cells=[untimed, shown]))


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_every_lesson_has_timed_speaker_notes(lesson):
    notebook = nbformat.read(lesson, as_version=4)
    assert speaker_notes(notebook), (
        f"{lesson.name}: no speaker-notes cell (Markdown, slide type 'notes', starting "
        "'**Speaker notes (about N min).**')")


class References(HTMLParser):
    """Every src/href of <script>, <link>, <img> and <iframe> in a page, and the modules it imports."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "img", "iframe") and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])

    @classmethod
    def of(cls, html):
        parser = cls()
        parser.feed(html)
        imports = re.findall(r"""\bimport\s+\w+\s+from\s+['"]([^'"]+)['"]""", html)
        return parser.urls + imports


def test_decks_load_nothing_from_the_network(decks):
    static = decks / make_slides.STATIC
    for deck in sorted(decks.glob("*.slides.html")):
        html = deck.read_text(encoding="utf-8")
        urls = References.of(html)
        assert urls, f"{deck.name}: no script or style sheet found"
        remote = [u for u in urls if re.match(r"^(https?:)?//", u)]
        assert not remote, f"{deck.name} loads from the network: {remote}"
        for url in urls:
            if url.startswith("data:"):
                continue
            target = decks / url.split("?")[0]
            assert target.is_file(), f"{deck.name} loads {url}, which is not in {decks}"
        assert "require(" in html and f"{make_slides.STATIC}/reveal.js/dist/reveal.js" in html
    # the reveal.js and MathJax files that are loaded by URL later (require.js, MathJax's loader)
    for relpath in ("reveal.js/dist/reveal.js", "reveal.js/plugin/notes/notes.js",
                    "mathjax/config/TeX-AMS_CHTML-full.js", "mathjax/jax/output/CommonHTML/jax.js"):
        assert (static / relpath).is_file(), f"_static/{relpath} is missing"
    theme = (static / "reveal.js" / "dist" / "theme" / f"{make_slides.THEME}.css").read_text()
    assert "@import" not in theme and "fonts.googleapis" not in theme, "the theme pulls a web font"
    size = vendor_web.size_mb(static)
    assert 0.5 < size < 4, f"_static/ holds {size:.1f} MB: copy only what the decks load"


def test_front_end_versions_are_pinned_and_locked():
    manifest = json.loads((vendor_web.WEB / "package.json").read_text())
    lock = json.loads(vendor_web.LOCK.read_text())
    wanted = {"reveal.js": "4.", "mathjax": "2.", "requirejs": "2.", "jquery": "3."}
    assert set(manifest["dependencies"]) == set(wanted)
    for name, major in wanted.items():
        version = manifest["dependencies"][name]
        assert re.fullmatch(r"\d+\.\d+\.\d+", version) and version.startswith(major), f"{name}: {version}"
        assert lock["packages"][f"node_modules/{name}"]["version"] == version, f"{name}: lock file out of date"


def test_missing_npm_gives_a_clear_message(tmp_path, monkeypatch):
    monkeypatch.setattr(vendor_web, "NODE_MODULES", tmp_path / "node_modules")
    monkeypatch.setattr(vendor_web.shutil, "which", lambda name: None)
    with pytest.raises(vendor_web.VendorError, match=r"npm is not installed.*apt-get install npm"):
        vendor_web.install()
    result = make_slides.main(["--output-dir", str(tmp_path / "decks"), str(LESSONS[0])]) if LESSONS else 2
    assert result == 2 and not list((tmp_path / "decks").glob("*.html"))
