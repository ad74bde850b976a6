"""Real-browser tests: the lessons run in JupyterLab, their widgets redraw, an exercise fails only at its stubs.

Headless Debian chromium (driven by Playwright) talks to JupyterLab started by `make lab` itself in a
temporary copy of the repository with the notebooks' outputs cleared, so the course files are never
touched and every output the assertions look at was produced in the browser. Screenshots go to
test-output/browser/. Run them alone with

    .venv/bin/pytest -m browser tests/test_browser.py

Without /usr/bin/chromium the tests skip, unless LSTM_BPTT_REQUIRE_BROWSER=1 (CI) makes that a failure.
By default one lesson with widgets from each of 01-05, one exercise, a slide deck and a self-test of the
checks are covered (about 90 s); LSTM_BPTT_BROWSER_ALL=1 covers every lesson with widgets and every
exercise (about 5 minutes).
"""

import contextlib
import os
import re
import sys
import time
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import browser_support as bs  # noqa: E402  (a helper module next to this file, not a package)

pytestmark = pytest.mark.browser

ALL_NOTEBOOKS = os.environ.get("LSTM_BPTT_BROWSER_ALL") == "1"
LESSON_NUMBERS = ("01", "02", "03", "04", "05")


def has_widgets(path):
    source = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
    return bool(re.search(r"\binteract(ive_output)?\b|Slider\(|Dropdown\(|ToggleButtons\(", source))


def lesson_params():
    """One lesson with widgets for each of 01-05 (every such lesson with LSTM_BPTT_BROWSER_ALL=1)."""
    lessons = sorted((bs.REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if ALL_NOTEBOOKS:
        return [pytest.param(p.relative_to(bs.REPO).as_posix(), id=p.stem) for p in lessons if has_widgets(p)]
    params = []
    for number in LESSON_NUMBERS:
        found = [p for p in lessons if p.name.startswith(f"{number}_") and has_widgets(p)]
        if found:
            params.append(pytest.param(found[0].relative_to(bs.REPO).as_posix(), id=found[0].stem))
        else:
            params.append(pytest.param(None, id=f"lesson{number}",
                                       marks=pytest.mark.skip(reason=f"no notebooks/{number}_*.ipynb with widgets")))
    return params


def exercise_params():
    """The first exercise notebook with stubs (all of them with LSTM_BPTT_BROWSER_ALL=1)."""
    exercises = [p for p in sorted((bs.REPO / "exercises").glob("[0-9][0-9]_*.ipynb"))
                 if "NotImplementedError" in p.read_text(encoding="utf-8")]
    if not exercises:
        return [pytest.param(None, id="exercise", marks=pytest.mark.skip(reason="no exercises/*.ipynb yet"))]
    chosen = exercises if ALL_NOTEBOOKS else exercises[:1]
    return [pytest.param(p.relative_to(bs.REPO).as_posix(), id=p.stem) for p in chosen]


# -- fixtures (`browser`, one Playwright for the session, is in conftest.py) ------------------
@pytest.fixture(scope="session")
def lab_server(browser, tmp_path_factory):
    """JupyterLab started by `make lab` in a copy of the repository with the notebooks' outputs
    cleared; always stopped."""
    base = tmp_path_factory.mktemp("browser")
    root = bs.copy_repo(base / "course")
    server = bs.LabServer(root, base / "state", bs.OUTPUT_DIR / "jupyterlab.log")
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def page(browser, request):
    """A fresh browser tab that may only load local URLs; a screenshot is kept when the test fails."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    bs.block_external_requests(context)
    tab = context.new_page()
    tab.page_errors = []
    tab.on("pageerror", lambda error: tab.page_errors.append(str(error)))
    failed_before = request.session.testsfailed
    try:
        yield tab
        if request.session.testsfailed > failed_before:  # the call phase is reported before teardown
            name = re.sub(r"[^\w.-]+", "_", request.node.name)
            bs.OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
            tab.screenshot(path=bs.OUTPUT_DIR / f"FAILED_{name}.png")
    finally:
        context.close()


def describe(errors):
    return "\n\n".join(f"cell {index} ({name}):\n{text[-1500:]}" for index, name, text in errors)


# -- tests ------------------------------------------------------------------------------------
@pytest.mark.parametrize("relpath", lesson_params())
def test_lesson_runs_and_widgets_redraw(page, lab_server, relpath):
    start = time.monotonic()
    bs.open_notebook(page, lab_server, relpath, workspace=Path(relpath).stem)
    bs.run_command_and_wait(page, "Run", "Run All Cells")

    reports = bs.cell_reports(page)
    errors = bs.error_outputs(reports)
    assert not errors, f"{relpath} raised in the browser:\n{describe(errors)}"
    not_run = [r["index"] for r in reports if r["code"] and not re.search(r"\[\d+\]", r["prompt"])]
    assert not not_run, f"{relpath}: code cells {not_run} did not run"

    # the widgets are live views, not "Loading widget..." or a text repr of the interact object
    page.wait_for_function(bs.JS_WIDGETS_SETTLED, timeout=30_000, polling=250)
    assert not bs.widget_placeholders(page), f"{relpath}: widgets did not render: {bs.widget_placeholders(page)}"
    assert page.locator(f"{bs.ACTIVE_NOTEBOOK} :is({bs.CONTROLS})").first.is_visible()

    results = bs.check_widget_cells(page, relpath)
    print(f"\n{relpath}: {len(results)} widget cell(s)")
    for result in results:
        print(f"  {result}")
    assert results, f"{relpath}: no cell with a slider, dropdown or toggle buttons"
    stuck = [r for r in results if r["action"] is None]
    assert not stuck, f"{relpath}: slider(s) did not move with the arrow keys: {stuck}"
    static = [r for r in results if not r["redrawn"]]
    assert not static, f"{relpath}: changing the control did not change the output within 10 s: {static}"
    assert any(r["has_image"] for r in results), f"{relpath}: no widget drives a figure"
    if "Slider(" in (bs.REPO / relpath).read_text(encoding="utf-8"):
        assert any(r["kind"] == "slider" for r in results), f"{relpath}: its sliders did not render"

    errors = bs.error_outputs(bs.cell_reports(page))
    assert not errors, f"{relpath}: a widget callback raised:\n{describe(errors)}"
    assert not page.page_errors, f"{relpath}: JavaScript errors: {page.page_errors}"
    page.screenshot(path=bs.screenshot_name(relpath, "page"))
    print(f"  {time.monotonic() - start:.1f} s in the browser")


@pytest.mark.parametrize("relpath", exercise_params())
def test_exercise_fails_only_at_stubs(page, lab_server, relpath):
    notebook = nbformat.read(bs.REPO / relpath, as_version=4)
    bs.open_notebook(page, lab_server, relpath, workspace=Path(relpath).stem)
    reports = bs.run_exercise_to_the_end(page)

    not_run = [r["index"] for r in reports if r["code"] and not re.search(r"\[\d+\]", r["prompt"])]
    assert not not_run, f"{relpath}: code cells {not_run} never ran"
    errors = bs.error_outputs(reports)
    assert errors, f"{relpath}: no NotImplementedError: are the stubs in place?"
    unexpected = [e for e in errors if e[1] != "NotImplementedError"]
    assert not unexpected, f"{relpath}: errors other than the stubs' NotImplementedError:\n{describe(unexpected)}"
    # only the learner's cells (nbgrader solution cells) and the tests that call them may raise
    for index, _, _ in errors:
        meta = notebook.cells[index].metadata.get("nbgrader", {})
        assert meta.get("solution") or meta.get("grade"), (
            f"{relpath}: cell {index} is neither a solution nor a test cell but raised NotImplementedError")
    assert page.locator(".jp-Dialog").count() == 0, f"{relpath}: a dialog opened: {bs.dismiss_dialogs(page)}"
    assert not page.page_errors, f"{relpath}: JavaScript errors: {page.page_errors}"
    page.screenshot(path=bs.screenshot_name(relpath, "page"))
    print(f"\n{relpath}: {len(errors)} NotImplementedError(s) in cells {[e[0] for e in errors]}")


def test_the_newcomers_journey(page, lab_server):
    """The path of the README, walked in the browser: the URL `make lab` prints opens lesson 00 (nothing
    marked unsaved); its link opens exercise 01 from exercises/; the exercise runs (its stubs raise);
    the grading command, typed in JupyterLab's terminal exactly as the README and lesson 00 write it,
    prints a score; and that terminal's python is the course's."""
    readme = (bs.REPO / "README.md").read_text(encoding="utf-8")
    command = re.search(r"`(make grade NB=exercises/01_\S+\.ipynb)`", readme).group(1)
    lesson00 = (bs.REPO / "notebooks" / "00_start_here.ipynb").read_text(encoding="utf-8")
    assert command in lesson00, f"lesson 00 does not give the README's grading command {command!r}"

    import platform

    # JupyterLab records the running kernel's Python version in the notebook; on a machine whose Python
    # differs from the one the lessons were run with, that alone marks them changed. The test's copy is
    # given this machine's version so that anything else the course does to a notebook shows.
    start = lab_server.root_dir / "notebooks" / "00_start_here.ipynb"
    notebook = nbformat.read(start, as_version=4)
    notebook.metadata.setdefault("language_info", {})["version"] = platform.python_version()
    nbformat.write(notebook, start)

    page.goto(lab_server.printed_url(), wait_until="domcontentloaded")
    cells = len(nbformat.read(start, as_version=4).cells)
    page.wait_for_function(bs.JS_NOTEBOOK_READY, arg=cells, timeout=90_000, polling=250)
    assert page.url.split("?")[0].endswith("/lab/tree/notebooks/00_start_here.ipynb"), page.url
    page.wait_for_timeout(2000)  # the kernel's info arrives after idle: the moment metadata would change
    assert not bs.dirty_tabs(page), f"opening lesson 00 marked it unsaved: {bs.dirty_tabs(page)}"

    link = page.locator(f"{bs.ACTIVE_NOTEBOOK} .jp-RenderedMarkdown a[href*='exercises/01_forward_pass.ipynb']")
    assert link.count() > 0, "lesson 00 has no link to exercise 01"
    link.first.scroll_into_view_if_needed()
    link.first.click()
    page.wait_for_url(re.compile(r"/lab/tree/exercises/01_forward_pass\.ipynb"), timeout=30_000)
    exercise = nbformat.read(lab_server.root_dir / "exercises" / "01_forward_pass.ipynb", as_version=4)
    page.wait_for_function(bs.JS_NOTEBOOK_READY, arg=len(exercise.cells), timeout=90_000, polling=250)
    reports = bs.run_exercise_to_the_end(page)
    errors = bs.error_outputs(reports)
    assert errors and {name for _, name, _ in errors} == {"NotImplementedError"}, describe(errors)

    terminal = bs.TerminalOutput(lab_server, bs.open_terminal(page, lab_server))
    try:
        bs.type_in_terminal(page, command)
        total = terminal.wait_for(r"Total: (\d+)/(\d+)", timeout=180)
        assert int(total.group(2)) > 0 and int(total.group(1)) < int(total.group(2)), terminal.text
        assert "make: ***" not in terminal.text, terminal.text
        bs.type_in_terminal(page, "command -v python")
        venv_python = str(bs.venv_dir() / "bin" / "python")
        terminal.wait_for(re.escape(venv_python), timeout=30)
    finally:
        terminal.close()
    page.screenshot(path=bs.screenshot_name("journey/terminal", "grade"))
    assert not page.page_errors, f"JavaScript errors: {page.page_errors}"


def deck_lesson():
    """The first lesson whose deck has both figures and mathematics (the hardest to show offline)."""
    for path in sorted((bs.REPO / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        has_math = any(c.cell_type == "markdown" and "$" in c.source for c in notebook.cells)
        if has_math and any(o.get("data", {}).get("image/png") for c in notebook.cells if c.cell_type == "code"
                            for o in c.get("outputs", [])):
            return path
    return None


@pytest.fixture(scope="module")
def deck(tmp_path_factory):
    """One lesson's deck built with tools/make_slides.py into a temporary folder (with its _static/)."""
    sys.path.insert(0, str(bs.REPO / "tools"))
    import make_slides

    lesson = deck_lesson()
    if lesson is None:
        pytest.skip("no lesson with figures and mathematics yet")
    return make_slides.build(lesson, tmp_path_factory.mktemp("deck"))


@pytest.mark.parametrize("transport", ["file", "http"])
def test_slide_deck_works_offline(browser, deck, transport):
    """The deck loads reveal.js, MathJax and its figures from disk with the network refused; every slide
    is reachable, the mathematics is typeset, and the speaker view (key S) opens with the notes."""
    context, page, refused, log = bs.offline_page(browser)
    try:
        with contextlib.ExitStack() as stack:
            if transport == "http":
                server = stack.enter_context(bs.StaticServer(deck.parent))
                url = f"{server.base_url}/{deck.name}"
            else:
                url = deck.as_uri()
            page.goto(url, wait_until="load")
            page.wait_for_selector(".reveal.ready", timeout=30_000)
            walk = page.evaluate(bs.JS_WALK_DECK, "_static/reveal.js/dist/reveal.js")
            assert walk["ready"] and walk["total"] > 1 and not walk["hidden"], walk
            assert walk["seen"] == walk["total"], f"reached {walk['seen']} of {walk['total']} slides"

            math = bs.math_report(page, ".reveal")
            assert math["sources"] > 0 and math["rendered"] == math["sources"], f"math not typeset: {math}"
            assert not math["errors"] and not math["raw"], f"MathJax errors or raw $...$: {math}"
            images = page.evaluate(bs.JS_IMAGES, ".reveal .slides")
            assert images and all(i["complete"] and i["width"] > 0 for i in images), images

            target = walk["notes"][0] if walk["notes"] else {"h": 0, "v": 0}
            page.evaluate("([h, v]) => require(['_static/reveal.js/dist/reveal.js'], R => R.slide(h, v))",
                          [target["h"], target["v"]])
            page.locator(".reveal").click(position={"x": 5, "y": 5})
            with context.expect_page(timeout=10_000) as opened:
                page.keyboard.press("s")
            speaker = opened.value
            speaker.wait_for_selector("#current-slide iframe", timeout=15_000)
            if walk["notes"]:  # lessons carry speaker notes (tests/test_slides.py checks it)
                speaker.wait_for_selector(".speaker-controls-notes:not(.hidden) .value", timeout=15_000)
                notes = speaker.locator(".speaker-controls-notes .value").inner_text()
                assert notes.strip(), "the speaker view shows no notes for a slide that has them"
            if transport == "file":
                page.screenshot(path=bs.screenshot_name(f"slides/{deck.stem}", "deck"))
                speaker.screenshot(path=bs.screenshot_name(f"slides/{deck.stem}", "speaker_view"))
            log.settle()  # before the local server stops
        assert not refused, f"the deck tried to reach the network: {refused}"
        assert not log.failed and not log.http_errors, f"missing files: {log.failed + log.http_errors}"
        assert not page.page_errors, f"JavaScript errors: {page.page_errors}"
    finally:
        context.close()


def rise_lesson():
    """Lesson 01 if it has a slider (else the first lesson that has one) and the index of that cell."""
    lessons = sorted((bs.REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    for path in sorted(lessons, key=lambda p: not p.name.startswith("01_")):
        cells = nbformat.read(path, as_version=4).cells
        for index, cell in enumerate(cells):
            if cell.cell_type == "code" and re.search(r"Slider\(", cell.source):
                return path, index
    return None, None


def test_rise_slideshow_typesets_and_its_slider_redraws(browser, tmp_path):
    """JupyterLab started by `make lab` (only the course's settings): no news prompt; run a lesson,
    enter RISE's slideshow, move through the slides to a slider, run that cell there, drag the slider,
    and the figure redraws. The mathematics is typeset, and nothing off the machine is requested."""
    path, index = rise_lesson()
    if path is None:
        pytest.skip("no lesson with a slider yet")
    relpath = path.relative_to(bs.REPO).as_posix()
    root = bs.copy_repo(tmp_path / "course")
    context, page, refused, log = bs.offline_page(browser)
    try:
        with bs.LabServer(root, tmp_path / "state", bs.OUTPUT_DIR / "jupyterlab-rise.log") as server:
            bs.open_notebook(page, server, relpath, workspace="rise")
            bs.run_command_and_wait(page, "Run", "Run All Cells")
            assert "Jupyter news" not in page.locator("body").inner_text(), "JupyterLab asked about news"

            page.goto(f"{server.base_url}/rise/{relpath}?token={server.token}", wait_until="domcontentloaded")
            page.wait_for_selector(".reveal.ready", timeout=60_000)
            def untypeset():
                return [t[:200] for t in page.locator(".jp-MarkdownCell .jp-RenderedMarkdown").all_inner_texts()
                        if re.search(r"\$[^$\s]", t)]

            deadline = time.monotonic() + 30  # JupyterLab's MathJax typesets in the background
            while (untypeset() or not page.locator(".jp-MarkdownCell mjx-container").count()) \
                    and time.monotonic() < deadline:
                time.sleep(0.25)
            assert page.locator(".jp-MarkdownCell mjx-container").count() > 0, "RISE typeset no mathematics"
            assert not untypeset(), f"RISE left mathematics untypeset: {untypeset()[:3]}"

            source = nbformat.read(root / relpath, as_version=4).cells[index].source
            line = next(x.strip() for x in source.splitlines() if len(x.strip()) > 12)
            cell = page.locator(".jp-CodeCell", has_text=line).first
            shown = "e => e.closest('section').classList.contains('present') && e.getBoundingClientRect().height > 0"
            steps = 0
            while not cell.evaluate(shown):
                assert steps < 200, "the slider's slide was never reached"
                page.keyboard.press("Space")  # the next slide or fragment, as a presenter would
                steps += 1
                time.sleep(0.15)
            assert steps > 0, "the slider is on the first slide: nothing was navigated"

            cell.locator(".jp-InputArea-editor").click()
            page.keyboard.press("Control+Enter")  # run it in the slideshow, in the lesson's kernel
            slider = cell.locator(".widget-slider").first
            slider.wait_for(timeout=30_000)
            page.wait_for_function("(c) => c.querySelector('.jp-OutputArea img')", arg=cell.element_handle(),
                                   timeout=30_000)
            before = bs.widget_output_signature(cell) or cell.locator(".jp-OutputArea").inner_html()
            handle = slider.locator(".noUi-handle").first
            value = handle.get_attribute("aria-valuenow")
            track = slider.locator(".noUi-target").first.bounding_box()
            page.mouse.click(track["x"] + 0.85 * track["width"], track["y"] + track["height"] / 2)
            assert bs.wait_for_change(lambda: handle.get_attribute("aria-valuenow"), value), "the slider did not move"
            redrawn = bs.wait_for_change(
                lambda: bs.widget_output_signature(cell) or cell.locator(".jp-OutputArea").inner_html(), before)
            assert redrawn and "data:image" in redrawn, "moving the slider did not redraw the figure in RISE"
            page.screenshot(path=bs.screenshot_name(relpath, "rise_slider"))
        assert not refused, f"JupyterLab or RISE tried to reach the network: {refused}"
        assert not page.page_errors, f"JavaScript errors: {page.page_errors}"
    finally:
        context.close()


def test_checks_catch_a_broken_notebook(page, lab_server):
    """The detectors can fail: an error in a cell scrolled out of view and a slider that redraws nothing."""
    cells = [nbformat.v4.new_code_cell(
        "import matplotlib.pyplot as plt\nfrom ipywidgets import IntSlider, interact\n%matplotlib inline")]
    cells += [nbformat.v4.new_markdown_cell(f"## Filler {k}\n\n" + "Text.\n\n" * 8) for k in range(6)]
    cells += [
        nbformat.v4.new_code_cell("def live(k=1):\n    plt.plot([0, k]); plt.title(f'k = {k}'); plt.show()\n"
                                  "interact(live, k=IntSlider(value=1, min=0, max=5));"),
        nbformat.v4.new_code_cell("def dead(k=1):\n    plt.plot([0, 1]); plt.show()\n"
                                  "interact(dead, k=IntSlider(value=1, min=0, max=5));"),
    ]
    cells += [nbformat.v4.new_markdown_cell(f"## More filler {k}\n\n" + "Text.\n\n" * 8) for k in range(6)]
    cells.append(nbformat.v4.new_code_cell("1 / 0"))
    relpath = "selftest/broken.ipynb"
    (lab_server.root_dir / "selftest").mkdir(exist_ok=True)
    kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": kernelspec}),
                   lab_server.root_dir / relpath)

    bs.open_notebook(page, lab_server, relpath, workspace="selftest")
    bs.run_command_and_wait(page, "Run", "Run All Cells")
    page.wait_for_function(bs.JS_WIDGETS_SETTLED, timeout=30_000, polling=250)
    page.locator(f"{bs.ACTIVE_NOTEBOOK} .jp-Cell").first.scroll_into_view_if_needed()  # the error is off screen
    errors = bs.error_outputs(bs.cell_reports(page))
    assert [(index, name) for index, name, _ in errors] == [(len(cells) - 1, "ZeroDivisionError")]
    results = bs.check_widget_cells(page, relpath, timeout=3.0)
    assert [r["redrawn"] for r in results] == [True, False]
