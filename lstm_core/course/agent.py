"""The grader's agent inside the learner's kernel: calls the learner's functions for the grader.

The grader (``lstm_core.course.grade``) runs the exercise's tests in its own process. When a
test calls, say, ``bptt_backward(dh, step_caches)``, the grader sends the arguments here as
plain data (``lstm_core.course.wire``); the agent calls the learner's function and keeps the
reply (the result, the arguments as they are after the call, the ``lstm_core`` functions the
exercise forbids that were called) in ``agent.reply``, which the grader reads as a user
expression. Nothing here decides a grade: a learner who rewrites this module only garbles
the replies, and the grader then fails the tests concerned.

A callable argument (a loss function, a backward pass to check) stays in the grader: the
agent passes a stub that asks the grader to call it, through the kernel's ``input()``.
"""

import builtins
import functools
import importlib
import inspect
import json
import sys

from lstm_core.course import wire

CALLBACK_PROMPT = "lstm-bptt-grader-callback:"
KEEP_RESULTS = 8  # earlier results per function re-checked after each call (a reused buffer changes them)


class Agent:
    """Calls the learner's functions by name and records what happened (see the module docstring)."""

    def __init__(self, namespace, forbidden):
        self.namespace = namespace  # the kernel's user namespace
        self.forbidden = forbidden  # {function name: [dotted lstm_core names it must not call]}
        self.watched = set()  # the dotted names whose calls are being recorded
        self.calls = []  # forbidden calls seen during the current call
        self.depth = 0  # how deep inside wrapped lstm_core functions the kernel is
        self.previous = {}  # function name -> its last results (re-checked after each later call)
        self.active = None  # the arguments of the current call (sent with every callback)
        self.reply = ""
        self._wrap_forbidden()

    def _wrap_forbidden(self):
        """Replace each forbidden lstm_core function, in every lstm_core module, by a recording wrapper."""
        for dotted in sorted({name for names in self.forbidden.values() for name in names}):
            module_name, _, attribute = dotted.rpartition(".")
            try:
                original = getattr(importlib.import_module(module_name), attribute)
            except (ImportError, AttributeError):
                continue
            wrapper = self._recorder(dotted, original)
            for name, module in list(sys.modules.items()):
                if name == "lstm_core" or name.startswith("lstm_core."):
                    for key, value in list(vars(module).items()):
                        if value is original:
                            setattr(module, key, wrapper)

    def _recorder(self, dotted, original):
        @functools.wraps(original)
        def recorded(*args, **kwargs):
            if self.depth == 0 and dotted in self.watched and dotted not in self.calls:
                self.calls.append(dotted)  # the learner's call, not lstm_core's own calls inside it
            self.depth += 1
            try:
                return original(*args, **kwargs)
            finally:
                self.depth -= 1

        recorded.__lstm_bptt_forbidden__ = dotted
        return recorded

    def describe(self, names):
        """Set ``reply``: for each name, whether the kernel has it, as a function or as a value."""
        out = {}
        for name in names:
            if name not in self.namespace:
                out[name] = {"kind": "missing"}
            elif callable(self.namespace[name]) and not isinstance(self.namespace[name], type):
                out[name] = {"kind": "callable"}
            else:
                out[name] = {"kind": "value", "value": wire.to_node(self.namespace[name])}
        self.reply = json.dumps(out, separators=(",", ":"))

    def call(self, name, payload, substitutes="{\"d\":[]}"):
        """Call the learner's ``name`` with the arguments in ``payload``; set ``reply``.

        ``substitutes`` maps names of the kernel's namespace to the grader's correct versions,
        put in place for this call only (a later task graded on correct upstream values).
        """
        function = self.namespace.get(name)
        args, kwargs = wire.loads(payload, callback=self._stub)
        replaced = wire.loads(substitutes, callback=self._stub)
        saved = {key: self.namespace.get(key) for key in replaced}
        self.namespace.update(replaced)
        try:
            self._call(name, function, args, kwargs)
        finally:
            for key, value in saved.items():
                if value is None:
                    self.namespace.pop(key, None)
                else:
                    self.namespace[key] = value

    def _call(self, name, function, args, kwargs):
        try:
            names = list(inspect.signature(function).bind(*args, **kwargs).arguments)
        except (TypeError, ValueError):
            names = []
        self.calls, self.watched, self.active = [], set(self.forbidden.get(name, [])), (args, kwargs)
        own = getattr(function, "__lstm_bptt_forbidden__", None)
        if own in self.watched:
            self.calls.append(own)
        try:
            result = function(*args, **kwargs)
        except Exception as error:  # the learner's error, reported by the grader
            self.watched, self.active = set(), None
            message = str(error).strip().split("\n")[0][:300]
            self.reply = json.dumps({"status": "error", "ename": type(error).__name__, "evalue": message,
                                     "forbidden": self.calls, "names": names})
            return
        self.watched, self.active = set(), None
        kept = self.previous.setdefault(name, [])
        earlier = [wire.to_node(value) for value in kept]  # as they are now, after this call
        kept.append(result)
        del kept[:-KEEP_RESULTS]
        self.reply = json.dumps({"status": "ok", "result": wire.to_node(result),
                                 "after": wire.to_node([list(args), kwargs]), "earlier": earlier,
                                 "forbidden": self.calls, "names": names}, separators=(",", ":"))

    def _stub(self, callback_id):
        agent = self

        def call_grader(*args, **kwargs):
            watched, agent.watched = agent.watched, set()  # the grader's own code is not the learner's
            try:
                request = wire.dumps({"id": callback_id, "args": [list(args), kwargs],
                                      "state": list(agent.active) if agent.active else None})
                answer = json.loads(builtins.input(CALLBACK_PROMPT + request))
            finally:
                agent.watched = watched
            if answer.get("status") != "ok":
                raise RuntimeError(answer.get("message", "the grader's function failed"))
            return wire.from_node(answer["result"])

        call_grader.__lstm_bptt_callback__ = callback_id
        return call_grader
