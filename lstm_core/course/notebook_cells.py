"""Reading exercise notebooks: nbgrader cell roles, solution and hidden-test markers.

Shared by ``tools/make_exercises.py`` (which turns ``solutions/`` into ``exercises/`` and the
test bank) and ``lstm_core.course.grade`` (which grades a learner's copy against that bank).

A solution notebook's cells each carry nbgrader metadata
``{"nbgrader": {"schema_version": 3, "grade_id": ..., "grade": bool, "solution": bool,
"locked": bool}}`` (plus ``"points"`` on grade cells), which gives each cell one *kind*:

- ``"solution"``: solution true; the code between ``### BEGIN SOLUTION`` and
  ``### END SOLUTION`` becomes a stub raising ``NotImplementedError``;
- ``"test"``: grade true, solution false; visible tests, then hidden ones between
  ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS`` (removed from the exercise);
- ``"locked"``: neither (instructions, the setup cell).
"""

import ast
import re

SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")
HIDDEN_MARKERS = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
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


def remove_hidden_tests(source, where="cell"):
    """Remove every hidden-test region, markers included, and trailing blank lines."""
    lines = source.split("\n")
    out, last = [], 0
    for begin, end in _regions(lines, HIDDEN_MARKERS, where):
        out += lines[last:begin]
        last = end + 1
    return "\n".join(out + lines[last:]).rstrip()


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
        for markers, allowed in ((SOLUTION_MARKERS, "solution"), (HIDDEN_MARKERS, "test")):
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


def _strip_magics(source):
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n"))


def _bound_names(tree):
    """Names bound at the top level of a module: defs, classes, assignments, imports, loops."""
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

    visit(tree)
    return names


def grading_prelude(notebook):
    """Import lines to put before every restored test cell when grading.

    They re-bind what the tests rely on (the setup cells' imports and ``expect_close``), so that
    a learner's cell redefining, say, ``expect_close`` or a reference function cannot make a
    test pass. Imports of names that a solution cell defines are left out: those names are the
    learner's to define.
    """
    learner_names = set()
    for cell in notebook.cells:
        if cell_kind(cell) == "solution" and cell.cell_type == "code":
            learner_names |= _bound_names(ast.parse(_strip_magics(cell_source(cell))))
    lines = []
    for cell in notebook.cells:
        if cell_kind(cell) != "locked" or cell.cell_type != "code":
            continue
        for node in ast.parse(_strip_magics(cell_source(cell))).body:
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            kept = [a for a in node.names if (a.asname or a.name).split(".")[0] not in learner_names
                    and a.name != "*"]
            if not kept:
                continue
            names = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in kept)
            line = f"from {node.module} import {names}" if isinstance(node, ast.ImportFrom) and node.level == 0 \
                else f"import {names}" if isinstance(node, ast.Import) else None
            if line and line not in lines:
                lines.append(line)
    if "expect_close" not in learner_names and FEEDBACK_IMPORT not in lines:
        lines.append(FEEDBACK_IMPORT)
    return "\n".join(lines)
