"""Values as plain data, to carry them between the learner's kernel and the grader.

The grader never unpickles anything that comes out of a learner's kernel. A value travels as
JSON text in which every array is the bytes of a ``.npy`` file (base64), read back with
``np.load(..., allow_pickle=False)``. What can travel: ``None``, bools, numbers, strings,
arrays (not of dtype object), tuples, lists, dicts, ``LSTMParams``/``RNNParams``, a numpy
``Generator`` (its state) and, from the grader to the kernel only, callables (as an id the
receiver turns into a stub that calls back). Anything else arrives as an ``Opaque`` marker.

The same object met twice in one value (``params`` in every step's cache) is sent once and
referenced, so identity survives the trip: ``{**dict(params), **readout}`` still shares the
arrays of ``params`` on the other side.

Node forms: ``{"a": npy}`` array, ``{"t": [...]}`` tuple, ``{"l": [...]}`` list,
``{"d": [[key, value], ...]}`` dict, ``{"p": class name, "f": [[field, node], ...]}``
parameters, ``{"g": state}`` generator, ``{"c": id}`` callable, ``{"r": n}`` the n-th
shared object already sent, ``{"x": type name}`` anything else.
"""

import base64
import io
import json

import numpy as np

from lstm_core.params import LSTMParams, RNNParams

PARAM_CLASSES = {"LSTMParams": LSTMParams, "RNNParams": RNNParams}
MAX_TEXT = 64_000_000  # characters: a bigger reply is refused, not decoded


class Opaque:
    """Stands for a value of a type that cannot travel (a module, an open file, a class...)."""

    def __init__(self, type_name):
        self.type_name = type_name

    def __repr__(self):
        return f"<a {self.type_name} that the grader cannot read>"


class WireError(ValueError):
    """The text is not a value this module wrote."""


def _array_text(array):
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _array_from(text):
    try:
        return np.load(io.BytesIO(base64.b64decode(text)), allow_pickle=False)
    except Exception as error:  # a malformed or object array: refuse it
        raise WireError(f"not an array: {error}") from None


def to_node(value, callables=None, memo=None):
    """``value`` as a JSON-able node; callables get ids in ``callables`` (a list) when given."""
    memo = {} if memo is None else memo
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, np.generic):
        return value
    if isinstance(value, np.generic):
        value = np.asarray(value)
    shared = isinstance(value, (np.ndarray, list, dict, LSTMParams, RNNParams, np.random.Generator))
    if shared:
        if id(value) in memo:
            return {"r": memo[id(value)][0]}
        memo[id(value)] = (len(memo), value)  # keep value alive so its id is not reused
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            return {"x": "array of Python objects"}
        return {"a": _array_text(value)}
    if isinstance(value, tuple):
        return {"t": [to_node(v, callables, memo) for v in value]}
    if isinstance(value, list):
        return {"l": [to_node(v, callables, memo) for v in value]}
    if isinstance(value, dict):
        return {"d": [[to_node(k, callables, memo), to_node(v, callables, memo)] for k, v in value.items()]}
    if isinstance(value, (LSTMParams, RNNParams)):
        return {"p": type(value).__name__, "f": [[name, to_node(a, callables, memo)] for name, a in value]}
    if isinstance(value, np.random.Generator):
        return {"g": value.bit_generator.state}
    if getattr(value, "__lstm_bptt_callback__", None) is not None:  # a stub standing for the grader's callable
        return {"c": value.__lstm_bptt_callback__}
    if callable(value) and callables is not None:
        callables.append(value)
        return {"c": len(callables) - 1}
    return {"x": type(value).__name__}


def from_node(node, callback=None, shared=None):
    """The value of a node; ``callback(id)`` makes the stand-in of a callable."""
    shared = [] if shared is None else shared
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if not isinstance(node, dict) or len(node) not in (1, 2):
        raise WireError(f"not a node: {str(node)[:80]}")
    if "r" in node:
        index = node["r"]
        if not isinstance(index, int) or not 0 <= index < len(shared):
            raise WireError("a reference to nothing")
        return shared[index]
    if "a" in node:
        array = _array_from(node["a"])
        shared.append(array)
        return array[()] if array.ndim == 0 else array
    if "t" in node:
        return tuple(from_node(v, callback, shared) for v in node["t"])
    if "l" in node:
        out = []
        shared.append(out)
        out.extend(from_node(v, callback, shared) for v in node["l"])
        return out
    if "d" in node:
        out = {}
        shared.append(out)
        for key, value in node["d"]:
            key = from_node(key, callback, shared)
            try:
                out[key] = from_node(value, callback, shared)
            except TypeError:
                raise WireError("a dict key that cannot be hashed") from None
        return out
    if "p" in node:
        cls = PARAM_CLASSES.get(node["p"])
        if cls is None:
            raise WireError(f"unknown parameter class {node['p']!r}")
        slot = len(shared)
        shared.append(None)  # numbered before its fields, as in to_node
        fields = {name: from_node(v, callback, shared) for name, v in node["f"]}
        try:
            value = cls(**fields)
        except Exception as error:
            raise WireError(f"a {node['p']} that is not valid: {error}") from None
        shared[slot] = value
        return value
    if "g" in node:
        state = node["g"]
        try:
            bit_generator = getattr(np.random, state["bit_generator"])()
            bit_generator.state = state
        except Exception as error:
            raise WireError(f"not a generator state: {error}") from None
        generator = np.random.Generator(bit_generator)
        shared.append(generator)
        return generator
    if "c" in node:
        if callback is None:
            raise WireError("a callable where none may travel")
        return callback(node["c"])
    if "x" in node:
        return Opaque(str(node["x"]))
    raise WireError(f"not a node: {str(node)[:80]}")


def dumps(value, callables=None):
    """``value`` as JSON text (see the module docstring)."""
    return json.dumps(to_node(value, callables), separators=(",", ":"))


def loads(text, callback=None):
    """The value that ``dumps`` wrote; ``WireError`` for anything else."""
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        raise WireError("the reply is not text or is too large")
    try:
        node = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise WireError(f"not JSON: {error}") from None
    return from_node(node, callback)


def changed_paths(before, after, path="", limit=5):
    """Where two nodes differ, as readable paths (``[0]``, ``['c_prev']``, ``.w_xi``), at most ``limit``."""
    out = []

    def walk(a, b, where):
        if len(out) >= limit:
            return
        if isinstance(a, dict) and isinstance(b, dict) and "g" in a and "g" in b:
            return  # a random generator is there to be drawn from
        if type(a) is not type(b) or not isinstance(a, dict):
            if a != b:
                out.append(where)
            return
        if a.keys() != b.keys():
            out.append(where)
        elif "t" in a or "l" in a:
            items_a, items_b = a.get("t", a.get("l")), b.get("t", b.get("l"))
            if len(items_a) != len(items_b):
                out.append(where)
            else:
                for k, (x, y) in enumerate(zip(items_a, items_b)):
                    walk(x, y, f"{where}[{k}]")
        elif "d" in a:
            keys_a, keys_b = [k for k, _ in a["d"]], [k for k, _ in b["d"]]
            if keys_a != keys_b:
                out.append(where)
            else:
                for (k, x), (_, y) in zip(a["d"], b["d"]):
                    walk(x, y, f"{where}[{k!r}]" if not isinstance(k, dict) else f"{where}[...]")
        elif "p" in a:
            for (name, x), (_, y) in zip(a["f"], b["f"]):
                walk(x, y, f"{where}.{name}")
        elif a != b:
            out.append(where)

    walk(before, after, path)
    return out


def write_back(target, value):
    """Copy ``value`` (decoded from the other side) into ``target`` in place, where that is possible."""
    if isinstance(target, np.ndarray) and isinstance(value, np.ndarray | np.generic | float | int):
        value = np.asarray(value)
        if target.shape == value.shape and target.flags.writeable:
            target[...] = value
    elif isinstance(target, dict) and isinstance(value, dict):
        for key, new in value.items():
            if key in target and isinstance(target[key], (np.ndarray, dict, list, LSTMParams, RNNParams)):
                write_back(target[key], new)
            else:
                target[key] = new
    elif isinstance(target, list) and isinstance(value, list) and len(target) == len(value):
        for k, new in enumerate(value):
            if isinstance(target[k], (np.ndarray, dict, list, LSTMParams, RNNParams)):
                write_back(target[k], new)
            else:
                target[k] = new
    elif isinstance(target, (LSTMParams, RNNParams)) and type(target) is type(value):
        for name, array in target:
            write_back(array, getattr(value, name))
    elif isinstance(target, np.random.Generator) and isinstance(value, np.random.Generator):
        target.bit_generator.state = value.bit_generator.state
    elif isinstance(target, tuple) and isinstance(value, tuple) and len(target) == len(value):
        for old, new in zip(target, value):
            write_back(old, new)
