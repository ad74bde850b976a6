"""The course website (tools/make_book.py, Jupyter Book 1.x): every lesson and exercise in lesson order,
built from the committed outputs, each page linking to its exercise and to JupyterLab, search, and -
opened in Chromium with the network refused - mathematics typeset and figures shown from local files."""

import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))
sys.path.insert(0, str(REPO / "tests"))
import browser_support as bs  # noqa: E402  (helpers next to this file, not a package)
import make_book  # noqa: E402  (tools/ is a folder of scripts)

LESSONS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
EXERCISES = sorted((REPO / "exercises").glob("[0-9][0-9]_*.ipynb"))


class Links(HTMLParser):
    """Every href and the src of every <script>, <img> and <link> of a page."""

    def __init__(self):
        super().__init__()
        self.hrefs, self.loads = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])
        if tag in ("script", "img", "iframe") and attrs.get("src"):
            self.loads.append(attrs["src"])
        if tag == "link" and attrs.get("href") and "stylesheet" in (attrs.get("rel") or ""):
            self.loads.append(attrs["href"])

    @classmethod
    def of(cls, path):
        parser = cls()
        parser.feed(path.read_text(encoding="utf-8"))
        return parser


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The website built once with tools/make_book.py into a temporary folder; skip without jupyter-book."""
    pytest.importorskip("jupyter_book", reason="jupyter-book is in the test extra: pip install -e '.[test]'")
    if not LESSONS:
        pytest.skip("no lessons yet")
    return make_book.build(tmp_path_factory.mktemp("book"))


def test_navigation_lists_every_lesson_then_every_exercise_in_order():
    pages = make_book.toc_files()
    expected = [f"notebooks/{p.stem}" for p in LESSONS] + [f"exercises/{p.stem}" for p in EXERCISES]
    assert pages == expected, "book/_toc.yml must list notebooks/ then exercises/, in lesson order"


def test_widget_outputs_leave_and_the_banner_links_the_exercise():
    lesson = next(p for p in LESSONS if (REPO / "exercises" / p.name).exists())
    relpath = lesson.relative_to(REPO)
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Title\n\nSee [the table](00_start_here.ipynb#What-the-article-printed)."),
        nbformat.v4.new_code_cell("interact(f)", outputs=[nbformat.v4.new_output(
            "display_data", data={make_book.WIDGET_MIME: {"model_id": "x"}, "text/plain": "interactive(...)"})]),
        nbformat.v4.new_code_cell("plot()", outputs=[nbformat.v4.new_output(
            "display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"})]),
    ])
    prepared = make_book.prepare(notebook, relpath, repository="someone/LSTM-BPTT")
    assert [len(c.get("outputs", [])) for c in prepared.cells if c.cell_type == "code"] == [0, 1]
    banner = prepared.cells[1].source
    assert f"(../exercises/{lesson.name})" in banner
    assert f"http://localhost:8888/lab/tree/notebooks/{lesson.name}" in banner
    assert "https://mybinder.org/v2/gh/someone/LSTM-BPTT/HEAD?urlpath=lab/tree/notebooks/" in banner
    assert "#what-the-article-printed)" in prepared.cells[0].source
    assert "mybinder" not in make_book.banner(relpath), "no Binder link without a public repository"


def test_every_page_is_built_with_its_links_and_loads_nothing_remote(site):
    assert (site / "index.html").is_file() and (site / "search.html").is_file()
    index = (site / "searchindex.js").read_text(encoding="utf-8")
    assert "forget" in index.lower(), "the search index lacks the lessons' words"
    for page in make_book.toc_files():
        html_path = site / f"{page}.html"
        assert html_path.is_file(), f"{page} was not built"
        links = Links.of(html_path)
        remote = [u for u in links.loads if re.match(r"^(https?:)?//", u)]
        assert not remote, f"{page} loads from the network: {remote}"
        lab = f"http://localhost:8888/lab/tree/{page}.ipynb"
        assert lab in links.hrefs, f"{page}: no 'open in JupyterLab' link"
        if page.startswith("notebooks/") and (REPO / "exercises" / (Path(page).name + ".ipynb")).exists():
            assert f"../exercises/{Path(page).name}.html" in links.hrefs, f"{page}: no link to its exercise"
        text = html_path.read_text(encoding="utf-8")
        assert "Loading widget" not in text and make_book.WIDGET_MIME not in text, f"{page}: dead widget"
    lesson = next(p for p in LESSONS if any(o.get("data", {}).get("image/png")
                                            for c in nbformat.read(p, as_version=4).cells if c.cell_type == "code"
                                            for o in c.get("outputs", [])))
    assert "<img" in (site / f"notebooks/{lesson.stem}.html").read_text(encoding="utf-8"), "figures are missing"


@pytest.mark.browser
def test_lesson_page_and_search_work_offline(browser, site):
    """A lesson page over file:// with the network refused: MathJax (the course's copy) typesets every
    formula, every figure loads, nothing off the machine is requested; the search page (over http, as
    published) finds a word."""
    lesson = next(p for p in LESSONS if p.name.startswith("01_")) if any(
        p.name.startswith("01_") for p in LESSONS) else LESSONS[0]
    context, page, refused, log = bs.offline_page(browser)
    try:
        page.goto((site / "notebooks" / f"{lesson.stem}.html").as_uri(), wait_until="load")
        page.wait_for_function("() => window.MathJax && MathJax.Hub", timeout=30_000)
        math = bs.math_report(page, "main")
        assert math["sources"] > 0 and math["rendered"] == math["sources"], f"math not typeset: {math}"
        raw = page.evaluate(r"""() => Array.from(document.querySelectorAll('main .math'))
            .filter(e => /\\\(|\\\[/.test(Array.from(e.childNodes).filter(n => n.nodeType === 3)
                                          .map(n => n.textContent).join(''))).length""")
        assert not math["errors"] and not math["raw"] and not raw, f"raw or broken mathematics: {math}, {raw}"
        images = page.evaluate(bs.JS_IMAGES, "main")
        assert images and all(i["complete"] and i["width"] > 0 for i in images), images
        page.screenshot(path=bs.screenshot_name(f"book/{lesson.name}", "page"))
        log.settle()
        assert not log.failed and not log.http_errors, f"missing files: {log.failed + log.http_errors}"

        # search as on a published site (over http: the results' summaries are fetched pages)
        with bs.StaticServer(site) as server:
            page.goto(f"{server.base_url}/search.html?q=forget", wait_until="load")
            page.wait_for_function("() => document.querySelectorAll('#search-results li').length > 0",
                                   timeout=30_000)
            found = page.locator("#search-results li a").first.get_attribute("href")
            assert found and found.endswith(".html"), found
            log.settle()  # before the local server stops
        assert not refused, f"the website tried to reach the network: {refused}"
        assert not log.failed and not log.http_errors, f"missing files: {log.failed + log.http_errors}"
        assert not page.page_errors, f"JavaScript errors: {page.page_errors}"
    finally:
        context.close()
