"""One learner's kernel, driven by the grader: run code with a deadline, survive whatever it does.

``KernelSession.run(code, timeout)`` always returns an ``Outcome`` in bounded time:

- a cell that runs past its deadline is interrupted; if it ignores the interrupt (a loop that
  swallows ``KeyboardInterrupt``) the kernel is killed and started again (``restarted`` true);
- a kernel that dies (``os._exit``, a segfault, the memory limit) is started again too;
- output beyond ``max_output`` characters is dropped and the run marked as a flood.

After a restart the kernel's state is gone: the grader replays the cells that ran before.
The kernel runs in ``cwd`` (the grader passes a fresh temporary folder), so files the
learner's code writes never land beside the course's files.
"""

import queue
import re
import subprocess
import time
from dataclasses import dataclass, field

import zmq
from jupyter_client import KernelManager

INTERRUPT_GRACE = 3.0  # seconds a kernel gets to honour an interrupt before it is killed
POLL_MS = 200


@dataclass
class Outcome:
    status: str  # "ok", "error", "timeout", "died", "flood"
    message: str = ""
    user_expressions: dict = field(default_factory=dict)
    restarted: bool = False
    output_size: int = 0


def _first_line(text):
    for line in str(text).split("\n"):
        if line.strip():
            return line.strip()[:300]
    return ""


def error_message(content):
    """One line from an error reply: the exception's name and its message's first line."""
    name, value = content.get("ename", "Error"), _first_line(content.get("evalue", ""))
    value = re.sub(r"\(\d+\.py, line (\d+)\)", r"(line \1 of the cell)", value)  # ipykernel's cell file names
    if name == "NotImplementedError" and not value:
        return "NotImplementedError: a stub `raise NotImplementedError()` is still there"
    return f"{name}: {value}" if value else name


class KernelSession:
    """A python3 kernel in folder ``cwd``; use as a context manager."""

    def __init__(self, cwd, max_output=1_000_000, startup_timeout=60):
        self.cwd, self.max_output, self.startup_timeout = str(cwd), max_output, startup_timeout
        self.km = self.kc = None
        self.restarts = 0

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        self.km = KernelManager(kernel_name="python3")
        self.km.start_kernel(cwd=self.cwd, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=self.startup_timeout)

    def stop(self):
        if self.kc is not None:
            self.kc.stop_channels()
        if self.km is not None and self.km.has_kernel:
            self.km.shutdown_kernel(now=True)
        self.km = self.kc = None

    def restart(self):
        """Kill the kernel and start a fresh one (its state is lost)."""
        self.restarts += 1
        self.stop()
        self.start()

    def run(self, code, timeout, user_expressions=None, stdin_hook=None):
        """Run ``code``; return an ``Outcome``. ``stdin_hook(prompt) -> str`` answers ``input()``."""
        kc = self.kc
        msg_id = kc.execute(code, silent=False, store_history=False, allow_stdin=stdin_hook is not None,
                            user_expressions=user_expressions or {}, stop_on_error=False)
        poller = zmq.Poller()
        channels = {kc.shell_channel.socket: kc.shell_channel, kc.iopub_channel.socket: kc.iopub_channel,
                    kc.stdin_channel.socket: kc.stdin_channel}
        for socket in channels:
            poller.register(socket, zmq.POLLIN)
        deadline = time.monotonic() + timeout
        interrupted_at, reply, idle, size, error = None, None, False, 0, None
        while reply is None or not idle:
            now = time.monotonic()
            if now > deadline and interrupted_at is None:
                self.km.interrupt_kernel()
                interrupted_at = now
            if interrupted_at is not None and now > interrupted_at + INTERRUPT_GRACE:
                self.restart()
                return Outcome("timeout", f"TimeoutError: it ran longer than {timeout:.0f} s and ignored the "
                               "interrupt (the kernel was restarted)", restarted=True)
            if not self.km.is_alive():
                self.restart()
                return Outcome("died", "the kernel died (it has been restarted)", restarted=True)
            for socket, _ in poller.poll(POLL_MS):
                try:
                    msg = channels[socket].get_msg(timeout=0)
                except queue.Empty:
                    continue
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind, content = msg["msg_type"], msg["content"]
                if channels[socket] is kc.shell_channel:
                    reply = content
                elif channels[socket] is kc.stdin_channel:
                    answer = stdin_hook(content.get("prompt", "")) if stdin_hook else ""
                    kc.input(answer)
                elif kind == "status" and content.get("execution_state") == "idle":
                    idle = True
                elif kind == "stream":
                    size += len(content.get("text", ""))
                elif kind in ("display_data", "execute_result", "update_display_data"):
                    size += sum(len(str(v)) for v in content.get("data", {}).values())
                elif kind == "error":
                    error = content
        expressions = reply.get("user_expressions", {})
        if interrupted_at is not None:
            return Outcome("timeout", f"TimeoutError: it ran longer than {timeout:.0f} s (an infinite loop?)",
                           expressions, output_size=size)
        if reply.get("status") == "error":
            return Outcome("error", error_message(error or reply), expressions, output_size=size)
        if size > self.max_output:
            return Outcome("flood", f"it printed {size:,} characters, more than the limit of "
                           f"{self.max_output:,}", expressions, output_size=size)
        return Outcome("ok", "", expressions, output_size=size)
