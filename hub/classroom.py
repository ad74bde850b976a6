"""Run a whole class on a local JupyterHub, driven only through HTTP APIs, and measure what it costs.

Used by ``tests/test_hub.py`` (one class of an instructor and ten or more students) and by
``benchmarks/bench_hub.py`` (spawn time and memory for 5, 10 and 20 students). It needs the test
extra (``jupyterhub``, ``nbgrader``) and ``npm ci`` run in ``hub/`` (configurable-http-proxy).

The hub is started from ``hub/jupyterhub_config.py`` on free ports of 127.0.0.1, with a state folder
of its own. Every process it starts (hub, proxy, user servers, kernels) carries a marker in its
environment, so ``Hub.stop`` can prove that none is left running.

Usage: python hub/classroom.py [--students 10]
"""

import argparse
import contextlib
import copy
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BIN = Path(sys.executable).parent
COURSE = "lstm-bptt"
ASSIGNMENT = "ps1"
NOTEBOOK = "01_forward_pass.ipynb"
INSTRUCTOR = "instructor"


def _quote(path):
    return urllib.parse.quote(path)  # feedback folders are named after timestamps, with spaces


class HubError(RuntimeError):
    """The hub or a user's server answered with an error, or did not answer in time."""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def marked_processes(marker):
    """{pid: environment} of every live process whose environment has LSTM_HUB_RUN=marker."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "environ").read_bytes()
        except OSError:  # gone, or not ours to read
            continue
        env = dict(item.split("=", 1) for item in raw.decode(errors="replace").split("\0") if "=" in item)
        if env.get("LSTM_HUB_RUN") == marker:
            found[int(entry.name)] = env
    return found


def rss_bytes(pid):
    """Resident memory of one process in bytes (0 if it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class Hub:
    """A JupyterHub for ``users`` (the first of ``instructors`` teaches), started and stopped by this object."""

    def __init__(self, users, instructors=(INSTRUCTOR,), root=None):
        self.users = list(users)
        self.instructors = list(instructors)
        self.root = Path(root or tempfile.mkdtemp(prefix="lstm-hub-"))
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.marker = secrets.token_hex(8)
        self.process = None
        self.leftovers = {}

    # --- life cycle ---------------------------------------------------------------------------
    def start(self, timeout=120):
        proxy = HERE / "node_modules" / ".bin" / "configurable-http-proxy"
        if not proxy.exists():
            raise HubError(f"{proxy} is missing: run `npm ci` in {HERE}")
        (self.root / "home").mkdir(parents=True, exist_ok=True)
        exchange = self.root / "exchange"
        exchange.mkdir(exist_ok=True)
        exchange.chmod(0o777)  # every student writes submissions here
        env = {**os.environ, "LSTM_HUB_ROOT": str(self.root), "LSTM_HUB_USERS": ",".join(self.users),
               "LSTM_HUB_INSTRUCTORS": ",".join(self.instructors), "LSTM_HUB_PORT": str(self.port),
               "LSTM_HUB_API_PORT": str(free_port()), "LSTM_HUB_PROXY_API_PORT": str(free_port()),
               "LSTM_HUB_DRIVER_TOKEN": self.token, "LSTM_HUB_RUN": self.marker,
               "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
        self.log = open(self.root / "jupyterhub.log", "w")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen([str(BIN / "jupyterhub"), "-f", str(HERE / "jupyterhub_config.py")],
                                        cwd=self.root, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise HubError(f"jupyterhub exited with {self.process.returncode}:\n{self.log_tail()}")
            with contextlib.suppress(HubError, OSError):
                self.hub_api("GET", "/")
                return self
            time.sleep(0.5)
        raise HubError(f"jupyterhub did not answer within {timeout} s:\n{self.log_tail()}")

    def stop(self):
        """Stop the hub (which stops every server), then kill and record anything still marked."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        deadline = time.monotonic() + 15  # servers get a moment to exit after the hub's SIGTERM
        while marked_processes(self.marker) and time.monotonic() < deadline:
            time.sleep(0.5)
        self.leftovers = marked_processes(self.marker)
        for pid in self.leftovers:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        if getattr(self, "log", None):
            self.log.close()
        return self.leftovers

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def log_tail(self, lines=40):
        with contextlib.suppress(OSError):
            return "\n".join((self.root / "jupyterhub.log").read_text().splitlines()[-lines:])
        return ""

    # --- HTTP -----------------------------------------------------------------------------------
    def request(self, method, path, body=None, form=None, timeout=300):
        url = f"http://127.0.0.1:{self.port}{path}"
        headers = {"Authorization": f"token {self.token}"}
        data = None
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        elif form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif method in ("POST", "PUT"):
            data = b""
        req = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as response:
                text = response.read().decode()
        except urllib.error.HTTPError as error:
            raise HubError(f"{method} {path}: HTTP {error.code} {error.read().decode()[:500]}") from None
        except urllib.error.URLError as error:
            raise HubError(f"{method} {path}: {error.reason}") from None
        return json.loads(text) if text.strip() else None

    def hub_api(self, method, path, **kwargs):
        return self.request(method, f"/hub/api{path}", **kwargs)

    def user_api(self, user, method, path, **kwargs):
        return self.request(method, f"/user/{user}{path}", **kwargs)

    # --- users' servers -------------------------------------------------------------------------
    def spawn(self, users, timeout=330):
        """Start the servers of ``users`` all at once; return the seconds until every one is ready."""
        start = time.monotonic()
        for user in users:
            self.hub_api("POST", f"/users/{user}/server")
        waiting = set(users)
        while waiting:
            if time.monotonic() - start > timeout:
                raise HubError(f"servers not ready after {timeout} s: {sorted(waiting)}\n{self.log_tail()}")
            for user in sorted(waiting):
                server = self.hub_api("GET", f"/users/{user}")["servers"].get("", {})
                if server.get("ready"):
                    waiting.discard(user)
            time.sleep(0.5)
        return time.monotonic() - start

    def start_kernel(self, user):
        return self.user_api(user, "POST", "/api/kernels", body={"name": "python3"})["id"]

    def memory_per_user(self, users):
        """{user: resident bytes of that user's server and kernels}."""
        totals = dict.fromkeys(users, 0)
        for pid, env in marked_processes(self.marker).items():
            if env.get("JUPYTERHUB_USER") in totals:
                totals[env["JUPYTERHUB_USER"]] += rss_bytes(pid)
        return totals

    # --- files through the contents API ---------------------------------------------------------
    def put_notebook(self, user, path, notebook):
        parts = path.split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            self.user_api(user, "PUT", f"/api/contents/{_quote(folder)}", body={"type": "directory"})
        self.user_api(user, "PUT", f"/api/contents/{_quote(path)}",
                      body={"type": "notebook", "format": "json", "content": notebook})

    def get_notebook(self, user, path):
        model = self.user_api(user, "GET", f"/api/contents/{_quote(path)}?content=1&type=notebook")
        return nbformat.from_dict(model["content"])

    def list_folder(self, user, path):
        model = self.user_api(user, "GET", f"/api/contents/{_quote(path)}?content=1")
        return [item["name"] for item in model["content"]]


# --- the students' answers --------------------------------------------------------------------
def _nbgrader_cells(notebook):
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade_id"):
            yield cell, meta


def answers_and_scores(source):
    """From the instructor's source notebook: the solution cells and the score of each answer kind.

    Returns ``solutions`` ({grade_id: source}, in notebook order) and ``scores``: ``full`` (every
    solution), ``partial_k`` (the first k solution cells filled in: the tests before the first
    stub pass) and ``empty`` (untouched: 0).
    """
    solutions, points_before, order, running = {}, {}, [], 0.0
    for cell, meta in _nbgrader_cells(source):
        if meta.get("solution") and cell.cell_type == "code":
            points_before[meta["grade_id"]] = running
            solutions[meta["grade_id"]] = cell.source
            order.append(meta["grade_id"])
        if meta.get("grade") and cell.cell_type == "code":
            running += float(meta.get("points", 0))
    scores = {"full": running, "empty": 0.0}
    for k in range(1, len(order)):
        scores[f"partial_{k}"] = points_before[order[k]]
    return solutions, scores


def answer(released, solutions, kind):
    """A student's notebook: ``kind`` is full, partial_k, empty or tamper (every test cell replaced)."""
    notebook = copy.deepcopy(released)
    filled = len(solutions) if kind == "full" else int(kind.split("_")[1]) if kind.startswith("partial") else 0
    chosen = list(solutions)[:filled]
    for cell, meta in _nbgrader_cells(notebook):
        if meta["grade_id"] in chosen:
            cell.source = solutions[meta["grade_id"]]
        if kind == "tamper" and meta.get("grade"):
            cell.source = "pass  # the tests were deleted: nbgrader puts them back"
    return notebook


def class_roster(num_students, kinds):
    """Student names and the answer each gives: the kinds in turn, then full answers."""
    roster = {}
    for k in range(num_students):
        roster[f"student{k + 1:02d}"] = kinds[k] if k < len(kinds) else "full"
    return roster


# --- the whole class --------------------------------------------------------------------------
def run_class(num_students=10, source_path=REPO / "solutions" / NOTEBOOK, workers=4, log=print):
    """Release, fetch, answer, submit, collect, autograde, feedback and export; return what happened."""
    source = nbformat.read(source_path, as_version=4)
    solutions, scores = answers_and_scores(source)
    kinds = ["full", "empty", "tamper", *sorted(k for k in scores if k.startswith("partial"))]
    roster = class_roster(num_students, kinds)
    students = list(roster)
    result = {"students": num_students, "roster": roster, "expected": {s: scores.get(k, 0.0) if k != "tamper"
                                                                        else 0.0 for s, k in roster.items()}}
    started = time.monotonic()
    hub = Hub([INSTRUCTOR, *students])
    try:
        hub.start()
        result["spawn_seconds"] = hub.spawn([INSTRUCTOR, *students])
        log(f"{num_students + 1} servers ready in {result['spawn_seconds']:.1f} s")

        # instructor: put the source in place, generate the student version, release it
        hub.put_notebook(INSTRUCTOR, f"source/{ASSIGNMENT}/{NOTEBOOK}", source)
        for step in ("assign", "release"):
            reply = hub.user_api(INSTRUCTOR, "POST", f"/formgrader/api/assignment/{ASSIGNMENT}/{step}")
            if not reply.get("success"):
                raise HubError(f"formgrader {step} failed: {reply.get('error') or reply}")

        def student_works(student):
            form = {"course_id": COURSE, "assignment_id": ASSIGNMENT}
            hub.user_api(student, "POST", "/assignments/fetch", form=form)
            released = hub.get_notebook(student, f"{ASSIGNMENT}/{NOTEBOOK}")
            hub.put_notebook(student, f"{ASSIGNMENT}/{NOTEBOOK}", answer(released, solutions, roster[student]))
            reply = hub.user_api(student, "POST", "/assignments/submit", form=form)
            if isinstance(reply, dict) and reply.get("success") is False:
                raise HubError(f"{student} could not submit: {reply.get('value')}")
            hub.start_kernel(student)  # a learner works with a kernel open: count it in the memory
            return student

        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(student_works, students))
        time.sleep(2)  # let the kernels finish starting before measuring
        memory = hub.memory_per_user(students)
        result["memory_per_student_mb"] = sum(memory.values()) / len(memory) / 2**20
        log(f"memory per student (server + one kernel): {result['memory_per_student_mb']:.0f} MB")

        # instructor: collect, autograde each submission, read the gradebook
        reply = hub.user_api(INSTRUCTOR, "POST", f"/formgrader/api/assignment/{ASSIGNMENT}/collect")
        if not reply.get("success"):
            raise HubError(f"collect failed: {reply.get('error') or reply}")
        result["collected"] = sorted(hub.list_folder(INSTRUCTOR, "submitted"))
        grade_start = time.monotonic()
        for student in students:
            reply = hub.user_api(INSTRUCTOR, "POST", f"/formgrader/api/submission/{ASSIGNMENT}/{student}/autograde")
            if not reply.get("success"):
                raise HubError(f"autograde of {student} failed: {reply.get('error') or reply}")
        result["autograde_seconds"] = time.monotonic() - grade_start
        rows = hub.user_api(INSTRUCTOR, "GET", f"/formgrader/api/submissions/{ASSIGNMENT}")
        result["gradebook"] = {row["student"]: (row["score"], row["max_score"]) for row in rows}

        # the course's own class grader on the same collected submissions (python -m lstm_core.grade --class)
        instructor_home = hub.root / "home" / INSTRUCTOR
        graded = subprocess.run([sys.executable, "-m", "lstm_core.grade", "--class", str(instructor_home),
                                 "--tests", str(instructor_home / "source" / ASSIGNMENT), "--jobs", "2",
                                 "--no-progress", "--json", "--csv", str(hub.root / "class.csv")],
                                capture_output=True, text=True, timeout=1800)
        if graded.returncode != 0:
            raise HubError(f"the class grader failed: {graded.stderr[-1000:]}")
        result["class_grader"] = {r["student_id"]: (r["score"], r["max_score"]) for r in json.loads(graded.stdout)}

        # feedback goes back to every student
        for step in ("generate_feedback", "release_feedback"):
            reply = hub.user_api(INSTRUCTOR, "POST", f"/formgrader/api/assignment/{ASSIGNMENT}/{step}")
            if not reply.get("success"):
                raise HubError(f"{step} failed: {reply.get('error') or reply}")
        feedback = {}
        for student in students:
            form = {"course_id": COURSE, "assignment_id": ASSIGNMENT}
            hub.user_api(student, "POST", "/assignments/fetch_feedback", form=form)
            stamps = hub.list_folder(student, f"{ASSIGNMENT}/feedback")
            feedback[student] = [name for stamp in stamps
                                 for name in hub.list_folder(student, f"{ASSIGNMENT}/feedback/{stamp}")]
        result["feedback"] = feedback

        # export: the CSV an instructor takes to the gradebook of record
        env = {**os.environ, "JUPYTER_CONFIG_PATH": str(HERE / "jupyter"), "JUPYTERHUB_USER": INSTRUCTOR,
               "LSTM_HUB_EXCHANGE": str(hub.root / "exchange"), "LSTM_HUB_INSTRUCTORS": INSTRUCTOR,
               "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
        subprocess.run([str(BIN / "nbgrader"), "export"], cwd=instructor_home, env=env, check=True,
                       capture_output=True, timeout=300)
        result["grades_csv"] = (instructor_home / "grades.csv").read_text()
    finally:
        result["leftover_processes"] = sorted(hub.stop())
        result["total_seconds"] = time.monotonic() - started
        result["hub_root"] = str(hub.root)
    log(f"whole class in {result['total_seconds']:.0f} s")
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=10)
    args = parser.parse_args(argv)
    result = run_class(args.students)
    print(json.dumps({k: v for k, v in result.items() if k != "grades_csv"}, indent=1))
    return 0 if not result["leftover_processes"] else 1


if __name__ == "__main__":
    sys.exit(main())
