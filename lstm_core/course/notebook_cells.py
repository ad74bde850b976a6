"""Reading exercise notebooks: nbgrader cell roles, solution and hidden-test markers.

Shared by ``tools/make_exercises.py`` (which turns ``solutions/`` into ``exercises/`` and the
self-check bank) and ``lstm_core.course.grade`` (which grades a learner's copy against a bank:
the self-check one shipped in the package, or one built from the instructor's solutions).

A solution notebook's cells each carry nbgrader metadata
``{"nbgrader": {"schema_version": 3, "grade_id": ..., "grade": bool, "solution": bool,
"locked": bool}}`` (plus ``"points"`` on grade cells), which gives each cell one *kind*:

- ``"solution"``: solution true; the code between ``### BEGIN SOLUTION`` and
  ``### END SOLUTION`` becomes a stub raising ``NotImplementedError``;
- ``"test"``: grade true, solution false; visible tests, then self-check tests between
  ``### BEGIN SELF-CHECK TESTS`` and ``### END SELF-CHECK TESTS`` (other shapes and seeds,
  shipped in the package for self-study, not shown in the exercise), then the instructor's
  hidden tests between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS`` (never shipped);
- ``"locked"``: neither (instructions, the setup cell).
"""

import ast
import re

SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")
HIDDEN_MARKERS = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
SELF_CHECK_MARKERS = ("### BEGIN SELF-CHECK TESTS", "### END SELF-CHECK TESTS")
METADATA_KEY = "lstm_bptt"  # notebook metadata: forbid, mutates, depends, substitute, references
STUB_LINES = ("# YOUR CODE HERE", "raise NotImplementedError()")
MARKDOWN_STUB = "YOUR ANSWER HERE"
FEEDBACK_IMPORT = "from lstm_core.course.feedback import expect_close"


class NotebookFormatError(ValueError):
    """A solution notebook breaks the exercise format (markers, metadata, grade ids)."""


def cell_source(cell):
    """The cell's source as one string (nbformat may hold it as a list of lines)."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def nbgrader_meta(cell):
    """The cell's nbgrader metadata dict, or an empty dict."""
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def grade_id(cell):
    """The cell's grade_id, or None for a cell without nbgrader metadata."""
    return nbgrader_meta(cell).get("grade_id")


def cell_kind(cell):
    """"solution", "test", "locked", or None for a cell without nbgrader metadata."""
    meta = nbgrader_meta(cell)
    if not meta:
        return None
    if meta.get("solution"):
        return "solution"
    if meta.get("grade"):
        return "test"
    return "locked"


def _where(name, index, cell):
    return f"{name}: cell {index} (grade_id {grade_id(cell)!r})"


def _regions(lines, markers, where):
    """Yield (begin, end) line indices of each marked region; raise on unbalanced markers."""
    begin_marker, end_marker = markers
    start = None
    for number, line in enumerate(lines):
        stripped = line.strip()
        if stripped == begin_marker:
            if start is not None:
                raise NotebookFormatError(
                    f"{where}: '{begin_marker}' on line {number + 1} before the '{end_marker}' "
                    f"of the region opened on line {start + 1}")
            start = number
        elif stripped == end_marker:
            if start is None:
                raise NotebookFormatError(
                    f"{where}: '{end_marker}' on line {number + 1} without a '{begin_marker}' before it")
            yield start, number
            start = None
    if start is not None:
        raise NotebookFormatError(f"{where}: '{begin_marker}' on line {start + 1} is never closed "
                                  f"by '{end_marker}'")


def stub_solutions(source, where="cell", markdown=False):
    """Replace every solution region (markers included) by a stub with the marker's indentation.

    Code: ``# YOUR CODE HERE`` and ``raise NotImplementedError()``; markdown: ``YOUR ANSWER HERE``.
    """
    lines = source.split("\n")
    out, last = [], 0
    for begin, end in _regions(lines, SOLUTION_MARKERS, where):
        indent = lines[begin][: len(lines[begin]) - len(lines[begin].lstrip())]
        out += lines[last:begin]
        out += [MARKDOWN_STUB] if markdown else [indent + line for line in STUB_LINES]
        last = end + 1
    return "\n".join(out + lines[last:])


def remove_hidden_tests(source, where="cell", markers=HIDDEN_MARKERS):
    """Remove every region between ``markers`` (hidden tests by default), markers included,
    and trailing blank lines."""
    lines = source.split("\n")
    out, last = [], 0
    for begin, end in _regions(lines, markers, where):
        out += lines[last:begin]
        last = end + 1
    return "\n".join(out + lines[last:]).rstrip()


def test_source(source, tests, where="cell"):
    """A test cell's code for a bank: ``tests`` is "visible", "self-check" or "hidden"
    (visible, self-check and hidden tests: what an instructor grades with)."""
    if tests in ("visible", "self-check"):
        source = remove_hidden_tests(source, where)
    if tests == "visible":
        source = remove_hidden_tests(source, where, SELF_CHECK_MARKERS)
    return source


def validate_solution_notebook(notebook, name):
    """Raise ``NotebookFormatError`` listing every problem of a solution notebook.

    Checks: nbgrader metadata on every cell, a kind consistent with the flags, points on grade
    cells only, unique grade ids, balanced markers, markers only in cells of the right kind,
    at least one marked region in each solution cell.
    """
    problems, seen = [], {}
    for index, cell in enumerate(notebook.cells):
        meta = nbgrader_meta(cell)
        where = _where(name, index, cell)
        if not meta:
            problems.append(f"{name}: cell {index} has no nbgrader metadata (every cell needs a grade_id)")
            continue
        gid = meta.get("grade_id")
        if not gid or not isinstance(gid, str) or not re.fullmatch(r"[A-Za-z0-9_\-]+", gid):
            problems.append(f"{where}: grade_id must be a non-empty string of letters, digits, _ or -")
        elif gid in seen:
            problems.append(f"{name}: duplicate grade_id {gid!r} in cells {seen[gid]} and {index}")
        else:
            seen[gid] = index
        kind = cell_kind(cell)
        source = cell_source(cell)
        if meta.get("grade") and meta.get("solution"):
            problems.append(f"{where}: a cell cannot be both a grade cell and a solution cell")
        if kind == "test":
            if not isinstance(meta.get("points"), int) or meta["points"] <= 0:
                problems.append(f"{where}: a test cell needs an integer 'points' > 0")
            if not meta.get("locked"):
                problems.append(f"{where}: a test cell must be locked")
            if cell.cell_type != "code":
                problems.append(f"{where}: a test cell must be a code cell")
        elif "points" in meta and not meta.get("grade"):
            problems.append(f"{where}: 'points' on a cell that is not a grade cell")
        if kind == "solution" and meta.get("locked"):
            problems.append(f"{where}: a solution cell must not be locked")
        if kind == "locked" and not meta.get("locked"):
            problems.append(f"{where}: instruction and setup cells must be locked")
        for markers, allowed in ((SOLUTION_MARKERS, "solution"), (HIDDEN_MARKERS, "test"),
                                 (SELF_CHECK_MARKERS, "test")):
            try:
                count = len(list(_regions(source.split("\n"), markers, where)))
            except NotebookFormatError as error:
                problems.append(str(error))
                continue
            if count and kind != allowed:
                problems.append(f"{where}: '{markers[0]}' in a {kind} cell (only in {allowed} cells)")
            if allowed == "solution" and kind == "solution" and count == 0:
                problems.append(f"{where}: a solution cell without '{markers[0]}' ... '{markers[1]}'")
    if problems:
        raise NotebookFormatError("\n".join(problems))


def strip_magics(source):
    """``source`` with IPython magics and shell lines blanked (so plain Python can parse it)."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n"))


def _parse(source):
    try:
        return ast.parse(strip_magics(source))
    except SyntaxError:
        return None


def bound_names(source):
    """Names bound at the top level of a cell: defs, classes, assignments, imports, loops."""
    names = set()

    def visit(node):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)  # not its body: locals are not the notebook's names
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif not isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            for child in ast.iter_child_nodes(node):
                visit(child)

    tree = _parse(source)
    if tree is not None:
        visit(tree)
    return names


def referenced_names(source):
    """Every name a cell reads, anywhere in it (function bodies included)."""
    tree = _parse(source)
    if tree is None:
        return set()
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def forbidden_uses(source, forbidden, locked_sources=(), learner_bound=()):
    """The dotted ``lstm_core`` names in ``forbidden`` that a learner's cell refers to.

    Found by reading the code: ``from lstm_core... import name``, ``anything.name``,
    ``getattr(..., "name")``, and a bare name the setup cells imported from lstm_core (under
    its own name or an alias) that the learner did not define themselves.
    """
    tree = _parse(source)
    if tree is None or not forbidden:
        return []
    short = {dotted.rsplit(".", 1)[-1]: dotted for dotted in forbidden}
    imported = {}  # names the setup cells bound to a forbidden function
    for locked in locked_sources:
        locked_tree = _parse(locked)
        for node in ast.walk(locked_tree) if locked_tree else ():
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("lstm_core"):
                for alias in node.names:
                    if alias.name in short:
                        imported[alias.asname or alias.name] = short[alias.name]
    found = []
    for node in ast.walk(tree):
        hit = None
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("lstm_core"):
            hit = next((short[a.name] for a in node.names if a.name in short), None)
        elif isinstance(node, ast.Attribute) and node.attr in short:
            hit = short[node.attr]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in short:
            hit = short[node.value]
        elif (isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in imported
              and node.id not in learner_bound):
            hit = imported[node.id]
        if hit and hit not in found:
            found.append(hit)
    return found


def exercise_entry(solution, name, tests="self-check"):
    """One exercise of a grading bank, from its solution notebook.

    ``tests``: "self-check" (visible and self-check tests: the bank shipped with the package)
    or "hidden" (visible, self-check and hidden tests: the instructor's bank, built when
    grading and never written into the package). The entry holds every cell's grade id, kind,
    type and source (solution cells as stubs, test cells as ``tests`` says), the points, the
    names each solution cell defines, and the exercise's rules from the notebook metadata
    ``lstm_bptt``: ``forbid`` {solution grade id: dotted lstm_core names}, ``mutates``
    [functions allowed to change their arguments], ``depends`` {test: earlier tests it
    builds on}, ``substitute`` {function: {name it calls: reference}}, ``references`` (code
    defining the references, run only in the grader).
    """
    validate_solution_notebook(solution, name)
    rules = solution.metadata.get(METADATA_KEY, {})
    cells, student_names = [], {}
    for index, cell in enumerate(solution.cells):
        where = f"{name}: cell {index} (grade_id {grade_id(cell)!r})"
        kind, source = cell_kind(cell), cell_source(cell)
        if kind == "solution":
            if cell.cell_type == "code":
                student_names[grade_id(cell)] = sorted(bound_names(source))
            source = stub_solutions(source, where, markdown=cell.cell_type == "markdown")
        elif kind == "test":
            source = test_source(source, tests, where)
        spec = {"grade_id": grade_id(cell), "kind": kind, "cell_type": cell.cell_type, "source": source}
        if kind == "test":
            spec["points"] = nbgrader_meta(cell)["points"]
            spec["visible"] = test_source(cell_source(cell), "visible", where)
        cells.append(spec)
    substitute = rules.get("substitute", {})
    substituted_tests = sorted(c["grade_id"] for c in cells if c["kind"] == "test"
                               and referenced_names(c["source"]) & set(substitute))
    return {"tests": tests, "cells": cells, "student_names": student_names,
            "forbid": rules.get("forbid", {}), "mutates": rules.get("mutates", []),
            "depends": rules.get("depends", {}), "substitute": substitute,
            "substituted_tests": substituted_tests, "references": rules.get("references", ""),
            "max_score": sum(c.get("points", 0) for c in cells)}
