"""Helpers for the real-browser tests: a throwaway JupyterLab server and Playwright page actions.

`tests/test_browser.py` uses them; they hold no assertions of their own except where a wait
times out. Nothing here touches the course files: the server runs on a temporary copy.
"""

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
REQUIRE_BROWSER = os.environ.get("LSTM_BPTT_REQUIRE_BROWSER") == "1"
OUTPUT_DIR = REPO / "test-output" / "browser"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
# Exception names as Python prints them at the end of a traceback ("ValueError: ...").
EXCEPTION_LINE = re.compile(r"^\s*([A-Za-z_][\w.]*(?:Error|Exception|Interrupt))\b", re.MULTILINE)

# JupyterLab user settings for the test server: no news/update pop-ups (they would also try
# to reach the internet), everything else left at its default so the test sees what a learner sees.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False,
    },
}


def jupyter_executable():
    """The `jupyter` script next to the running Python (the project's venv)."""
    candidate = Path(sys.executable).with_name("jupyter")
    return str(candidate if candidate.exists() else REPO / ".venv" / "bin" / "jupyter")


def free_port():
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def copy_course(dest, folders=("notebooks", "exercises"), source=REPO):
    """Copy the course folders into ``dest`` with every output cleared; return ``dest``.

    Clearing outputs means that whatever the browser shows after "Run All" was produced
    in the browser, not loaded from the saved file.
    """
    dest = Path(dest)
    for name in folders:
        src = Path(source) / name
        if not src.is_dir():
            continue
        shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        for path in (dest / name).glob("*.ipynb"):
            notebook = nbformat.read(path, as_version=4)
            for cell in notebook.cells:
                if cell.cell_type == "code":
                    cell.outputs = []
                    cell.execution_count = None
            notebook.metadata.pop("widgets", None)
            nbformat.write(notebook, path)
    return dest


class LabServer:
    """A JupyterLab server started from the venv on a loopback port with a random token."""

    def __init__(self, root_dir, state_dir, log_path, plain=False):
        """``plain=True`` starts the lab as `make lab` does: no user settings and no news flags, so
        only the course's own settings (jupyter-settings/overrides.json, installed by make) apply."""
        self.plain = plain
        self.root_dir = Path(root_dir)
        self.state_dir = Path(state_dir)
        self.log_path = Path(log_path)
        self.port = free_port()
        self.token = secrets.token_hex(24)
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process = None
        self._log = None

    # -- lifecycle ------------------------------------------------------------------------
    def start(self, timeout=90):
        settings_dir = self.state_dir / "lab-settings"
        self.root_dir.mkdir(parents=True, exist_ok=True)
        for relpath, values in ({} if self.plain else LAB_SETTINGS).items():
            path = settings_dir / relpath
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        env = dict(os.environ)
        env.update({
            "JUPYTERLAB_SETTINGS_DIR": str(settings_dir),
            "JUPYTERLAB_WORKSPACES_DIR": str(self.state_dir / "lab-workspaces"),
            "JUPYTER_RUNTIME_DIR": str(self.state_dir / "runtime"),
            "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        })
        command = [
            jupyter_executable(), "lab", "--no-browser",
            f"--IdentityProvider.token={self.token}", f"--port={self.port}", "--ServerApp.port_retries=0",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.root_dir={self.root_dir}",
        ]
        if not self.plain:
            command += ["--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")  # containers and CI run as root
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "w")  # noqa: SIM115 (closed in stop())
        # its own process group, so stop() can reach whatever the server left behind
        self.process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT, env=env,
                                        cwd=self.root_dir, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.api_url("status"), timeout=2) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.25)
        raise RuntimeError(f"jupyter lab did not answer within {timeout} s:\n{self.log_tail()}")

    def stop(self):
        """Shut down kernels, then terminate the server (kill it if it lingers). Never raises."""
        if self.process is None:
            return
        with contextlib.suppress(Exception):
            if self.process.poll() is None:
                for kernel in self.api_get("kernels"):
                    self.api_request("DELETE", f"kernels/{kernel['id']}")
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)  # the group we created: stray children only
        if self._log is not None:
            self._log.close()

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc):
        self.stop()

    # -- REST helpers ---------------------------------------------------------------------
    def api_url(self, path):
        return f"{self.base_url}/api/{path}?token={self.token}"

    def api_request(self, method, path):
        request = urllib.request.Request(self.api_url(path), method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def api_get(self, path):
        return self.api_request("GET", path)

    def lab_url(self, relpath, workspace):
        """URL that opens ``relpath`` in a fresh, named workspace (nothing restored from before)."""
        return f"{self.base_url}/lab/workspaces/{workspace}/tree/{relpath}?reset&token={self.token}"

    def log_tail(self, lines=40):
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text().splitlines()[-lines:])
        return ""


def is_local_url(url):
    """True for URLs the tests may load: the loopback server, file:// and data: URLs."""
    return bool(re.match(r"^(data:|blob:|file://|about:|https?://(127\.0\.0\.1|localhost)(:\d+)?/)", url))


def block_external_requests(context):
    """Abort every request that leaves the machine (CDNs, news feeds): the tests run offline.

    Returns the list the refused URLs are appended to, so a test can assert that none was tried.
    """
    refused = []

    def handle(route):
        if is_local_url(route.request.url):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    context.route("**/*", handle)
    return refused


class StaticServer:
    """A plain HTTP server for a folder on a loopback port (in a thread), like `python -m http.server`."""

    def __init__(self, directory):
        import functools
        import http.server
        import threading

        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):
                pass

        handler = functools.partial(Quiet, directory=str(directory))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)


class PageLog:
    """What a page tried to load: failed requests and HTTP errors (local ones included), and the
    requests still in flight."""

    def __init__(self, page):
        self.page, self.failed, self.http_errors, self.pending = page, [], [], set()
        page.on("request", lambda request: self.pending.add(request))
        page.on("requestfinished", lambda request: self.pending.discard(request))
        page.on("requestfailed", self._failed)
        page.on("response", lambda response: response.status >= 400
                and self.http_errors.append(f"{response.url} ({response.status})"))

    def _failed(self, request):
        self.pending.discard(request)
        self.failed.append(f"{request.url} ({request.failure})")

    def settle(self, quiet=1.0, timeout=15.0):
        """Wait until no request has been in flight for ``quiet`` seconds (MathJax asks for its web
        fonts some time after typesetting): leaving the page earlier aborts them, and they would
        count as failed. Returns self."""
        deadline = time.monotonic() + timeout
        idle_since = None
        while time.monotonic() < deadline:
            self.page.wait_for_timeout(100)  # lets Playwright deliver the events
            if self.pending:
                idle_since = None
            elif idle_since is None:
                idle_since = time.monotonic()
            elif time.monotonic() - idle_since >= quiet:
                break
        return self


# -- offline pages: MathJax 2 typeset and figures loaded ----------------------------------------
# Every <script type="math/tex"> MathJax 2 found has its rendered CommonHTML element just before it,
# there are no error boxes, and no text of a rendered Markdown block still holds a `$` delimiter.
JS_MATH_REPORT = r"""(root) => {
    const scope = document.querySelector(root);
    const scripts = Array.from(scope.querySelectorAll('script[type^="math/tex"]'));
    const typeset = s => !!s.previousElementSibling && /\bmjx-chtml\b/.test(s.previousElementSibling.className);
    const markdown = Array.from(scope.querySelectorAll('.jp-RenderedMarkdown, .cell_output, p, li, td'))
        .filter(e => !e.closest('pre, code, .highlight, .jp-CodeCell .jp-InputArea, .cell_input'));
    return {
        sources: scripts.length,
        rendered: scripts.filter(typeset).length,
        errors: scope.querySelectorAll('.MathJax_Error, .mjx-merror').length,
        raw: markdown.map(e => Array.from(e.childNodes).filter(n => n.nodeType === 3).map(n => n.textContent)
                                     .join(' '))
                     .filter(t => /\$[^$\s]/.test(t)).map(t => t.trim().slice(0, 120)),
    };
}"""


def math_report(page, root, timeout=30.0):
    """JS_MATH_REPORT once MathJax has typeset every formula (or ``timeout`` seconds have passed)."""
    deadline = time.monotonic() + timeout
    while True:
        report = page.evaluate(JS_MATH_REPORT, root)
        if report["rendered"] == report["sources"] or time.monotonic() > deadline:
            return report
        time.sleep(0.25)


JS_IMAGES = """(root) => Array.from(document.querySelectorAll(root + ' img'))
    .map(i => ({src: i.src.slice(0, 60), width: i.naturalWidth, complete: i.complete}))"""


# -- reveal.js decks ------------------------------------------------------------------------------
# Step through a deck with Reveal.next() (fragments included) and record every slide shown.
JS_WALK_DECK = """async (revealModule) => {
    const Reveal = await new Promise((ok, fail) => require([revealModule], ok, fail));
    Reveal.slide(0, 0);
    const seen = new Set(), hidden = [];
    for (let step = 0; step < 5000; step++) {
        const {h, v} = Reveal.getIndices();
        seen.add(h + '/' + v);
        const slide = Reveal.getCurrentSlide();
        if (!slide || slide.getBoundingClientRect().height === 0) hidden.push(h + '/' + v);
        if (Reveal.isLastSlide() && !Reveal.availableFragments().next) break;
        Reveal.next();
    }
    const notes = Reveal.getSlides().map((s, k) => [k, s]).filter(([k, s]) => s.querySelector('aside.notes'))
        .map(([k, s]) => Reveal.getIndices(s));
    return {total: Reveal.getTotalSlides(), seen: seen.size, hidden, ready: Reveal.isReady(), notes};
}"""


# -- JupyterLab page actions ----------------------------------------------------------------
ACTIVE_NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden)"

# Prompts of the active notebook's code cells, e.g. ["[1]:", "[*]:", "[ ]:"].
JS_PROMPTS = """() => Array.from(document.querySelectorAll(
    '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt')).map(p => p.textContent.trim())"""

# Done: no cell queued or running, at least one executed, and the kernel reports idle.
JS_RUN_FINISHED = """() => {
    const prompts = Array.from(document.querySelectorAll(
        '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt')).map(p => p.textContent);
    if (prompts.some(t => t.includes('*'))) return false;
    if (!prompts.some(t => /\\[\\d+\\]/.test(t))) return false;
    const status = document.querySelector(
        '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator');
    return !status || status.getAttribute('data-status') === 'idle';
}"""


# Ready: the notebook shows all its cells and its kernel is started and idle.
JS_NOTEBOOK_READY = """(cells) => {
    const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
    if (!panel || panel.querySelectorAll('.jp-Cell').length !== cells) return false;
    const status = document.querySelector('#jp-main-statusbar span[title^="Change kernel"]');
    const text = status ? status.textContent : '';
    return !text.startsWith('No Kernel') && / \\| Idle$/.test(text.trim());
}"""


def open_notebook(page, server, relpath, workspace, timeout=60_000):
    """Open ``relpath`` in JupyterLab and wait until all its cells show and its kernel is idle."""
    cells = len(nbformat.read(server.root_dir / relpath, as_version=4).cells)
    page.goto(server.lab_url(relpath, workspace), wait_until="domcontentloaded", timeout=timeout)
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(JS_NOTEBOOK_READY, cells):
        dismiss_dialogs(page)  # a notebook without kernelspec metadata asks for a kernel: take the default
        if time.monotonic() > deadline:
            raise TimeoutError(f"{relpath}: not loaded with an idle kernel within {timeout / 1000:.0f} s")
        time.sleep(0.25)


def dismiss_dialogs(page):
    """Close a modal dialog (e.g. "Select Kernel") if one is open; return its text or None."""
    dialog = page.locator(".jp-Dialog")
    if dialog.count() == 0:
        return None
    text = dialog.first.inner_text()
    accept = dialog.locator(".jp-Dialog-button.jp-mod-accept")
    if accept.count():
        accept.first.click()
    else:
        page.keyboard.press("Escape")
    return text


def menu_command(page, menu, item):
    """Click ``menu`` in the top menu bar, then the entry labelled exactly ``item``."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(rf"^{re.escape(menu)}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(rf"^{re.escape(item)}$")).first.click()


def run_all_and_wait(page, timeout=180_000):
    """Run > Run All Cells, then wait until every queued cell has finished; return the seconds taken."""
    start = time.monotonic()
    menu_command(page, "Run", "Run All Cells")
    page.wait_for_function(JS_RUN_FINISHED, timeout=timeout, polling=250)
    return time.monotonic() - start


def cell_reports(page):
    """One dict per code cell of the active notebook: index, prompt, source, stderr and error texts."""
    return page.evaluate("""() => Array.from(document.querySelectorAll(
        '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell')).map((cell, index) => ({
            index,
            code: cell.classList.contains('jp-CodeCell'),
            prompt: (cell.querySelector('.jp-InputPrompt') || {}).textContent || '',
            source: (cell.querySelector(".cm-content") || {}).textContent || '',
            stderr: Array.from(cell.querySelectorAll(
                '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'))
                .map(o => o.textContent),
            text: Array.from(cell.querySelectorAll('.jp-OutputArea-output .jp-RenderedText'))
                .map(o => o.textContent),
        }))""")


def error_outputs(reports):
    """[(cell index, exception name or 'Traceback', text)] for every error shown in the notebook."""
    found = []
    for report in reports:
        for text in report["stderr"] + report["text"]:
            names = EXCEPTION_LINE.findall(text) if "Traceback" in text or text in report["stderr"] else []
            if "Traceback" in text or names:
                found.append((report["index"], names[-1] if names else "Traceback", text))
    return found


def select_cell(page, index):
    """Make cell ``index`` of the active notebook the active cell (command mode)."""
    cell = page.locator(f"{ACTIVE_NOTEBOOK} .jp-Cell").nth(index)
    cell.scroll_into_view_if_needed()
    cell.locator(".jp-InputPrompt").click()
    page.keyboard.press("Escape")


def wait_for_change(read, before, timeout=10.0, interval=0.1):
    """Poll ``read()`` until it differs from ``before`` (and is not empty); return it or None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = read()
        if value and value != before:
            return value
        time.sleep(interval)
    return None


def screenshot_name(relpath, suffix):
    """test-output/browser/<folder>_<stem>_<suffix>.png for a notebook path like notebooks/01_x.ipynb."""
    path = Path(relpath)
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    return OUTPUT_DIR / f"{path.parent.name}_{path.stem}_{suffix}.png"


# -- widgets ----------------------------------------------------------------------------------
WIDGET_PLACEHOLDERS = ("Loading widget", "Error displaying widget", "interactive(children=", "Slider(value=")

# Widget controls the tests know how to operate, as a learner would (keyboard, select, click).
CONTROLS = ".widget-slider, .widget-dropdown, .widget-toggle-buttons"

JS_WIDGETS_SETTLED = """() => {
    const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
    return !!panel && panel.querySelector('CONTROLS') !== null
        && !Array.from(panel.querySelectorAll('.jp-Cell-outputArea'))
            .some(o => o.textContent.includes('Loading widget'));
}""".replace("CONTROLS", CONTROLS)


def widget_placeholders(page):
    """Texts that mean a widget did not render (placeholder or text repr), found in the outputs."""
    text = "\n".join(page.locator(f"{ACTIVE_NOTEBOOK} .jp-Cell-outputArea").all_text_contents())
    return [marker for marker in WIDGET_PLACEHOLDERS if marker in text]


def widget_output_signature(cell):
    """What a widget cell currently shows: the src of every image and the text of its widget outputs."""
    return cell.locator(".jupyter-widgets.widget-output").evaluate_all(
        "els => els.map(e => Array.from(e.querySelectorAll('img')).map(i => i.src).join('|')"
        " + '\\n' + e.textContent).join('\\n---\\n')")


def nudge_slider(page, handle, timeout=2.0):
    """Focus a noUiSlider handle and press an arrow key; return (key, old value, new value).

    ArrowRight first; a slider already at its maximum is moved left instead.
    """
    handle.scroll_into_view_if_needed()
    before = handle.get_attribute("aria-valuenow")
    for key in ("ArrowRight", "ArrowLeft"):
        handle.focus()
        page.keyboard.press(key)
        after = wait_for_change(lambda: handle.get_attribute("aria-valuenow"), before, timeout=timeout)
        if after is not None:
            return key, before, after
    return None, before, before


def operate_control(page, control):
    """Change one widget control the way a learner would; return (action, old value, new value)."""
    classes = control.get_attribute("class") or ""
    if "widget-slider" in classes:
        key, old, new = nudge_slider(page, control.locator(".noUi-handle").first)
        return key, old, new
    if "widget-dropdown" in classes:
        select = control.locator("select")
        options = select.locator("option").all_text_contents()
        old = select.evaluate("s => s.selectedIndex")
        new = (old + 1) % len(options)
        select.select_option(index=new)
        return "select", options[old], options[new]
    buttons = control.locator("button")  # toggle buttons: click the first one not pressed
    texts = buttons.all_text_contents()
    old = control.locator("button.mod-active").first.text_content()
    target = next(i for i, text in enumerate(texts) if text != old)
    buttons.nth(target).click()
    return "click", old, texts[target]


def check_widget_cells(page, relpath, timeout=10.0, max_controls=4):
    """Operate each control (up to ``max_controls``) of every widget cell; report whether the output redrew.

    Returns a list of dicts: cell (index among widget cells), control (index in the cell), kind and
    label of the control, action, value change, redrawn (bool), has_image, seconds (until the output
    changed) and the names of the before/after screenshots.
    """
    cells = page.locator(f"{ACTIVE_NOTEBOOK} .jp-CodeCell").filter(has=page.locator(CONTROLS))
    results = []
    for index in range(cells.count()):
        cell = cells.nth(index)
        controls = cell.locator(CONTROLS)
        for number in range(min(controls.count(), max_controls)):
            control = controls.nth(number)
            control.scroll_into_view_if_needed()
            kind = next(k for k in ("slider", "dropdown", "toggle-buttons")
                        if f"widget-{k}" in (control.get_attribute("class") or ""))
            labels = control.locator(".widget-label")
            label = labels.first.text_content() if labels.count() else ""
            before = widget_output_signature(cell)
            tag = f"widget{index + 1}{'abcdefgh'[number]}"
            shot_before = screenshot_name(relpath, f"{tag}_before")
            cell.screenshot(path=shot_before)
            start = time.monotonic()
            action, old, new = operate_control(page, control)
            changed = wait_for_change(lambda cell=cell: widget_output_signature(cell), before, timeout=timeout)
            seconds = time.monotonic() - start
            shot_after = screenshot_name(relpath, f"{tag}_after")
            cell.screenshot(path=shot_after)
            results.append({"cell": index + 1, "control": number + 1, "kind": kind, "label": label,
                            "action": action, "value": (old, new), "redrawn": changed is not None,
                            "has_image": "data:image" in before, "seconds": round(seconds, 2),
                            "screenshots": (shot_before.name, shot_after.name)})
    return results


# -- exercises --------------------------------------------------------------------------------
def run_command_and_wait(page, menu, item, timeout=180_000):
    """Run a Run-menu command and wait until the prompts changed and every cell finished."""
    before = page.evaluate(JS_PROMPTS)
    start = time.monotonic()
    menu_command(page, menu, item)
    page.wait_for_function(
        f"(before) => JSON.stringify(({JS_PROMPTS})()) !== JSON.stringify(before) && ({JS_RUN_FINISHED})()",
        arg=before, timeout=timeout, polling=250)
    return time.monotonic() - start


def run_exercise_to_the_end(page, max_rounds=50):
    """Run All, then after each error go on from the next cell, as a learner would; return reports.

    JupyterLab stops "Run All" at the first error (a stub raising NotImplementedError), so the
    cells below are reached with "Run Selected Cell and All Below" from the cell after the error.
    """
    run_command_and_wait(page, "Run", "Run All Cells")
    for _ in range(max_rounds):
        reports = cell_reports(page)
        pending = [r["index"] for r in reports if r["code"] and not re.search(r"\[\d+\]", r["prompt"])]
        if not pending:
            return reports
        select_cell(page, pending[0])
        run_command_and_wait(page, "Run", "Run Selected Cell and All Below")
    return cell_reports(page)



# -- the browser, shared by test_browser.py and test_book.py (each wraps it in a session fixture) -----
def launch_chromium():
    """Yield Debian's chromium driven by Playwright; skip (fail under LSTM_BPTT_REQUIRE_BROWSER=1) without it."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install chromium"
        if REQUIRE_BROWSER:
            pytest.fail(message + " (LSTM_BPTT_REQUIRE_BROWSER=1)")
        pytest.skip(message)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if REQUIRE_BROWSER:
            pytest.fail("playwright is not installed (pip install -e '.[test]')")
        pytest.skip("playwright is not installed")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


def offline_page(browser, viewport=(1280, 900)):
    """A new context and tab that may load only local URLs; returns (context, page, refused URLs, PageLog)."""
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    refused = block_external_requests(context)
    page = context.new_page()
    page.page_errors = []
    page.on("pageerror", lambda error: page.page_errors.append(str(error)))
    return context, page, refused, PageLog(page)
