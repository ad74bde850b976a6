"""Helpers for the real-browser tests: JupyterLab started by `make lab` in a copy of the repository,
and Playwright page actions.

`tests/test_browser.py` uses them; they hold no assertions of their own except where a wait
times out. Nothing here touches the course files: the server runs in a temporary copy.
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

def free_port():
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def copy_repo(dest, clear=("notebooks", "exercises", "solutions"), source=REPO):
    """Copy the repository's files (those git tracks or would track) into ``dest``; return ``dest``.

    The copy has the repository's layout, so a server started in it with `make lab` serves what a
    learner's clone serves, and nothing run in the browser can change the course files. File times
    are kept (make compares them). Outputs of the notebooks in ``clear`` are cleared, so whatever the
    browser shows after "Run All" was produced in the browser, not loaded from the saved file.
    """
    dest, source = Path(dest), Path(source)
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=source, capture_output=True, check=True).stdout.decode().split("\0")
    for relpath in filter(None, listed):
        if (source / relpath).is_file():  # a file deleted but not yet committed is still listed
            (dest / relpath).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / relpath, dest / relpath)
    for folder in clear:
        for path in (dest / folder).glob("*.ipynb"):
            notebook = nbformat.read(path, as_version=4)
            for cell in notebook.cells:
                if cell.cell_type == "code":
                    cell.outputs = []
                    cell.execution_count = None
            notebook.metadata.pop("widgets", None)
            nbformat.write(notebook, path)
            shutil.copystat(source / folder / path.name, path)  # the original time, as in a clone
    return dest


def venv_dir():
    """The venv the tests run in (the project's .venv in `make test`)."""
    return Path(sys.prefix) if (Path(sys.prefix) / "pyvenv.cfg").exists() else REPO / ".venv"


class LabServer:
    """JupyterLab started exactly as `make lab` starts it, in a copy of the repository (copy_repo).

    The command is `make lab` itself, with the test's venv and, in LAB_ARGS, only what a test needs to
    reach it: no browser of its own, a free loopback port and a random token. The root, the default
    URL, the settings (the course's overrides.json, no user settings) and the PATH of its terminals
    are the Makefile's. JupyterLab's user state (settings, workspaces, runtime files) goes to
    ``state_dir`` so that nothing of the developer's own JupyterLab leaks in.
    """

    def __init__(self, repo_copy, state_dir, log_path):
        self.root_dir = Path(repo_copy)
        self.state_dir = Path(state_dir)
        self.log_path = Path(log_path)
        self.port = free_port()
        self.token = secrets.token_hex(24)
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process = None
        self._log = None

    # -- lifecycle ------------------------------------------------------------------------
    def command(self):
        venv = venv_dir()
        lab_args = (f"--no-browser --port={self.port} --ServerApp.port_retries=0 --ServerApp.ip=127.0.0.1 "
                    f"--IdentityProvider.token={self.token}")
        # -o: the venv is the test's own, already installed; make must not reinstall it from the copy
        return ["make", "--no-print-directory", "-o", str(venv / ".installed-stamp"), "lab",
                f"VENV={venv}", f"LAB_ARGS={lab_args}"]

    def start(self, timeout=90):
        env = dict(os.environ)
        env.update({
            "JUPYTERLAB_SETTINGS_DIR": str(self.state_dir / "lab-settings"),
            "JUPYTERLAB_WORKSPACES_DIR": str(self.state_dir / "lab-workspaces"),
            "JUPYTER_RUNTIME_DIR": str(self.state_dir / "runtime"),
        })
        for name in ("VIRTUAL_ENV", "MPLBACKEND", "PYTHONPATH"):  # a learner's shell has none of these
            env.pop(name, None)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "w")  # noqa: SIM115 (closed in stop())
        # its own process group, so stop() can reach make, jupyter and whatever they left behind
        self.process = subprocess.Popen(self.command(), stdout=self._log, stderr=subprocess.STDOUT, env=env,
                                        cwd=self.root_dir, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"make lab exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.api_url("status"), timeout=2) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.25)
        raise RuntimeError(f"make lab did not answer within {timeout} s:\n{self.log_tail()}")

    def printed_url(self):
        """The URL `make lab` printed for this server (the one a learner opens). Jupyter prints a token
        it was given as "token=..."; it is put back so that the URL can be opened."""
        found = re.findall(rf"http://127\.0\.0\.1:{self.port}/\S+", self.log_path.read_text())
        if not found:
            raise AssertionError(f"make lab printed no URL for port {self.port}:\n{self.log_tail()}")
        return found[-1].replace("token=...", f"token={self.token}")

    def stop(self):
        """Shut down kernels, then terminate the server's process group (kill it if it lingers). Never raises."""
        if self.process is None:
            return
        with contextlib.suppress(Exception):
            if self.process.poll() is None:
                for kernel in self.api_get("kernels"):
                    self.api_request("DELETE", f"kernels/{kernel['id']}")
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGTERM)  # make and the jupyter it started
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)
        time.sleep(0.5)  # jupyter shuts down after make has gone
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


# -- JupyterLab's terminal --------------------------------------------------------------------------
def open_terminal(page, server, timeout=30_000):
    """File > New > Terminal, as a learner opens it; return the new terminal's name on the server."""
    before = {t["name"] for t in server.api_get("terminals")}
    menu_command(page, "File", "New")
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Terminal$")).first.click()
    page.locator(".jp-Terminal:not(.lm-mod-hidden) .xterm").wait_for(timeout=timeout)
    deadline = time.monotonic() + timeout / 1000
    while time.monotonic() < deadline:
        new = {t["name"] for t in server.api_get("terminals")} - before
        if new:
            return new.pop()
        time.sleep(0.25)
    raise TimeoutError("File > New > Terminal started no terminal on the server")


class TerminalOutput:
    """What a JupyterLab terminal prints, read from the server's terminal websocket (the canvas that
    xterm.js draws holds no text to read). It listens beside the browser; the browser types."""

    def __init__(self, server, name):
        import websocket  # websocket-client, a dependency of jupyter_server

        url = f"ws://127.0.0.1:{server.port}/terminals/websocket/{name}?token={server.token}"
        self.socket = websocket.create_connection(url, timeout=5)
        self.text = ""

    def wait_for(self, pattern, timeout=120.0):
        """Read until ``pattern`` (a regex) appears in the text printed since this object was made."""
        import websocket

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                message = json.loads(self.socket.recv())
            except websocket.WebSocketTimeoutException:
                continue
            if message[0] == "stdout":
                self.text += re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07", "", message[1])
                found = re.search(pattern, self.text)
                if found:
                    return found
        raise TimeoutError(f"the terminal did not print {pattern!r} within {timeout} s; it printed:\n"
                           f"{self.text[-3000:]}")

    def close(self):
        with contextlib.suppress(Exception):
            self.socket.close()


def type_in_terminal(page, command):
    """Click into the visible terminal and type ``command`` and Enter, key by key."""
    page.locator(".jp-Terminal:not(.lm-mod-hidden) .xterm").click()
    page.keyboard.type(command)
    page.keyboard.press("Enter")


def dirty_tabs(page):
    """Titles of the open tabs that JupyterLab marks as changed and not saved."""
    return page.locator(".lm-TabBar-tab.jp-mod-dirty .lm-TabBar-tabLabel").all_inner_texts()


# -- the browser, shared by test_browser.py and test_book.py (one session fixture in conftest.py) ---
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
