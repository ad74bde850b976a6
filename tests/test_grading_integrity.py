"""A grade means the learner did the work: attacks on the grader score zero, and it always ends.

Each case is a notebook a learner (or a broken cell) could submit. They are graded once, two
at a time, by a module-scoped fixture, with the instructor's hidden tests (``--tests
solutions``) unless the case is about self-study. What is checked:

- no answer from ``lstm_core``: calling the function the exercise asks for is named and scores 0;
- verdicts outside the kernel: patching numpy or ``expect_close``, an input transformer that
  blanks every later cell, or shadowing a locked helper cell, earns nothing;
- holes in the tests: a transpose applied only when the shapes disagree (caught with D = H),
  ``c_prev *= f`` (an argument changed in place, named), output buffers reused between calls;
- a test bank rewritten from inside the kernel does not change an instructor's grading;
- the grader always ends: a loop that ignores interrupts, a kernel that dies, even while the
  grader replays earlier cells; a syntax error shows in the text report; files the learner's
  code writes land in a temporary folder.
"""

import json
import shutil
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import numpy as np
import pytest

from lstm_core.course import wire
from lstm_core.course.grade import grade
from lstm_core.course.notebook_cells import cell_kind, forbidden_uses, grade_id

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
TIMEOUT = 8


def _exercise(stem):
    return nbformat.read(ROOT / "exercises" / f"{stem}.ipynb", as_version=4)


def _solved(stem):
    """The exercise with every solution cell taken from the solution notebook."""
    notebook = _exercise(stem)
    answers = {grade_id(c): c.source for c in nbformat.read(SOLUTIONS / f"{stem}.ipynb", as_version=4).cells
               if cell_kind(c) == "solution"}
    for cell in notebook.cells:
        if grade_id(cell) in answers:
            cell.source = answers[grade_id(cell)]
    return notebook


def _edit(notebook, gid, change):
    for cell in notebook.cells:
        if grade_id(cell) == gid:
            new = change(cell.source)
            assert new != cell.source, f"{gid}: the edit changed nothing; update the case"
            cell.source = new
            return notebook
    raise AssertionError(f"no cell {gid!r}")


def _first_solution_cell(notebook, code):
    cell = next(c for c in notebook.cells if cell_kind(c) == "solution" and c.cell_type == "code")
    cell.source = code + "\n" + cell.source
    return notebook


CALL_LSTM_CORE_05 = '''def bptt_backward(dh, step_caches):
    import lstm_core
    first = step_caches[0]
    x = np.stack([step["x"] for step in step_caches])
    cache = lstm_core.lstm_forward(first["params"], x, first["h_prev"], first["c_prev"])[2]
    return lstm_core.lstm_backward(dh, cache)'''

HIDDEN_CALL_05 = '''def bptt_backward(dh, step_caches):
    import importlib
    core = importlib.import_module("lstm_" + "core")
    first = step_caches[0]
    x = np.stack([step["x"] for step in step_caches])
    run = getattr(core, "lstm_for" + "ward")
    return getattr(core, "lstm_back" + "ward")(dh, run(first["params"], x, first["h_prev"], first["c_prev"])[2])'''

PATCH_EVERYTHING = '''import numpy
import lstm_core.course.feedback as feedback
numpy.allclose = lambda *args, **kwargs: True
numpy.array_equal = lambda *args, **kwargs: True
feedback.expect_close = lambda *args, **kwargs: None
expect_close = lambda *args, **kwargs: None
def bptt_backward(dh, step_caches):
    return {n: 0 * a for n, a in step_caches[0]["params"]}, 0 * dh, dh[0], dh[0]'''

SHADOW_HELPERS_04 = '''def preactivation_gradients(di, df, dg, do, cache):
    return di, df, dg, do
def numerical_preactivation_gradients(upstream, cache):
    return dict(upstream)
def reference_parameter_and_input_gradients(dz, cache):
    return {}, 0, 0'''

REUSED_BUFFERS_04 = '''_BUFFERS = {}


def parameter_and_input_gradients(dz_i, dz_f, dz_g, dz_o, cache):
    params = dict(cache["params"])
    x, h_prev = cache["x"], cache["h_prev"]
    grads = _BUFFERS.setdefault(x.shape + h_prev.shape, {})  # the same dict and arrays on every call
    dx, dh_prev = np.zeros_like(x), np.zeros_like(h_prev)
    for k, dz in zip("ifgo", (dz_i, dz_f, dz_g, dz_o)):
        grads.setdefault(f"w_x{k}", np.empty((dz.shape[1], x.shape[1])))[...] = dz.T @ x
        grads.setdefault(f"w_h{k}", np.empty((dz.shape[1], dz.shape[1])))[...] = dz.T @ h_prev
        grads.setdefault(f"b_{k}", np.empty(dz.shape[1]))[...] = dz.sum(axis=0)
        dx += dz @ params[f"w_x{k}"]
        dh_prev += dz @ params[f"w_h{k}"]
    return grads, dx, dh_prev'''

BANK_REWRITE = '''import nbformat, pathlib
for _path in pathlib.Path(FOLDER).glob("*.ipynb"):  # the instructor's tests: every test cell becomes `pass`
    _notebook = nbformat.read(_path, as_version=4)
    for _cell in _notebook.cells:
        if _cell.metadata.get("nbgrader", {}).get("grade"):
            _cell.source = "pass"
    nbformat.write(_notebook, _path)'''

IGNORES_INTERRUPTS = '''    import signal
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        pass
'''


def _cases(tmp):
    """name -> (notebook, grading options)."""
    hidden = {"tests": SOLUTIONS, "timeout": 30}
    calls_01 = _solved("01_forward_pass")
    _edit(calls_01, "ex01_step", lambda s: s.replace(
        "    i, f, g, o = lstm_gates(params, x_t, h_prev)",
        "    from lstm_core import lstm_step_forward\n    return lstm_step_forward(params, x_t, h_prev, c_prev)[:2]"))
    bank_copy = tmp / "solutions_copy"
    shutil.copytree(SOLUTIONS, bank_copy)
    return {
        "calls lstm_core 05": (_edit(_exercise("05_through_time"), "bptt_backward", lambda s: CALL_LSTM_CORE_05),
                               hidden),
        "hides the call 05": (_edit(_exercise("05_through_time"), "bptt_backward", lambda s: HIDDEN_CALL_05), hidden),
        "calls lstm_core 01": (calls_01, hidden),
        "patches numpy and expect_close": (_edit(_exercise("05_through_time"), "bptt_backward",
                                                 lambda s: PATCH_EVERYTHING), hidden),
        "input transformer": (_first_solution_cell(
            _exercise("05_through_time"),
            "get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])"), hidden),
        "shadowed helpers": (_edit(_exercise("04_weight_gradients"), "preactivation_gradients",
                                   lambda s: SHADOW_HELPERS_04), hidden),
        "transpose if shapes disagree 04": (_edit(_solved("04_weight_gradients"), "parameter_and_input_gradients",
                                                  lambda s: s.replace(
            'grads[f"w_x{k}"] = dz.T @ x',
            'g = x.T @ dz\n        grads[f"w_x{k}"] = g if g.shape == params[f"w_x{k}"].shape else g.T')), hidden),
        "transpose if shapes disagree 01": (_edit(_solved("01_forward_pass"), "ex01_gates", lambda s: s.replace(
            "x_t @ params.w_xi.T",
            "(x_t @ params.w_xi if x_t.shape[1] == params.w_xi.shape[0] else x_t @ params.w_xi.T)")),
            hidden),
        "c_prev *= f": (_edit(_solved("01_forward_pass"), "ex01_step", lambda s: s.replace(
            "c = f * c_prev + i * g", "c_prev *= f\n    c = c_prev + i * g")), hidden),
        "reused buffers": (_edit(_solved("04_weight_gradients"), "parameter_and_input_gradients",
                                 lambda s: REUSED_BUFFERS_04), hidden),
        "bank rewrite": (_first_solution_cell(_exercise("05_through_time"), BANK_REWRITE.replace(
            "FOLDER", repr(str(bank_copy)))), {"tests": bank_copy}),
        "ignores interrupts": (_edit(_solved("01_forward_pass"), "ex01_step", lambda s: s.replace(
            "    ### BEGIN SOLUTION\n", "    ### BEGIN SOLUTION\n" + IGNORES_INTERRUPTS, 1)), {"timeout": TIMEOUT}),
        "dies while replayed": (_edit(_solved("01_forward_pass"), "ex01_gates", lambda s: (
            "import os, pathlib\nif pathlib.Path('ran_once').exists():\n    os._exit(1)\n"
            "pathlib.Path('ran_once').write_text('')\n" + s.replace(
                "    ### BEGIN SOLUTION\n", "    ### BEGIN SOLUTION\n    os._exit(1)\n", 1))), {"timeout": TIMEOUT}),
        "syntax error": (_edit(_solved("01_forward_pass"), "ex01_gates", lambda s: s.replace(
            "def lstm_gates(params, x_t, h_prev):", "def lstm_gates(params, x_t, h_prev)")), {}),
        "writes a file": (_edit(_solved("01_forward_pass"), "ex01_sigmoid", lambda s: (
            "open('written_by_the_learner.txt', 'w').write('here')\n" + s)), {}),
    }


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("integrity")
    jobs = {}
    for name, (notebook, options) in _cases(folder).items():
        path = folder / f"{name.replace(' ', '_').replace('*', 'x').replace('=', '')}.ipynb"
        nbformat.write(notebook, path)
        jobs[name] = (path, options)
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(grade, path, **options) for name, (path, options) in jobs.items()}
        return {name: (future.result(), jobs[name][0]) for name, future in futures.items()}


def _tests(report):
    return {t.grade_id: t for t in report.tests}


@pytest.mark.slow
@pytest.mark.parametrize("case, function, forbidden", [
    ("calls lstm_core 05", "bptt_backward", "lstm_core.lstm_backward"),
    ("hides the call 05", "bptt_backward", "lstm_core.lstm_backward"),
    ("calls lstm_core 01", "lstm_step", "lstm_core.lstm_step_forward"),
])
def test_calling_the_reference_is_named_and_scores_zero(graded, case, function, forbidden):
    report, _ = graded[case]
    failed = [t for t in report.tests if t.max_points and not t.passed]
    expected = f"{function} uses {forbidden}, which this exercise asks you to write"
    assert any(expected in t.message for t in failed), failed
    if case.endswith("05"):
        for gid in ("test_bptt_weights", "test_bptt_inputs", "test_bptt_initial_state"):
            assert _tests(report)[gid].points == 0
    else:
        assert _tests(report)["ex01_step_test"].points == 0


@pytest.mark.slow
@pytest.mark.parametrize("case", ["patches numpy and expect_close", "input transformer", "shadowed helpers"])
def test_patching_the_kernel_earns_nothing(graded, case):
    report, _ = graded[case]
    assert report.score == 0, report.to_text()


@pytest.mark.slow
def test_transpose_hidden_by_shapes_is_caught_with_d_equal_h(graded):
    report, _ = graded["transpose if shapes disagree 04"]
    weights = _tests(report)["test_weight_gradients"]
    assert not weights.passed and "D = H = 4" in weights.message and "transpose" in weights.message
    report, _ = graded["transpose if shapes disagree 01"]
    assert not _tests(report)["ex01_gates_test"].passed


@pytest.mark.slow
def test_changing_an_argument_in_place_is_named(graded):
    report, _ = graded["c_prev *= f"]
    step = _tests(report)["ex01_step_test"]
    assert not step.passed and "lstm_step changed c_prev in place" in step.message


@pytest.mark.slow
def test_output_buffers_reused_between_calls_fail(graded):
    report, _ = graded["reused buffers"]
    tests = _tests(report)
    assert tests["test_preactivation_gradients"].passed  # that function is fine
    assert not tests["test_bias_gradients"].passed
    assert "changed when parameter_and_input_gradients was called again" in tests["test_bias_gradients"].message


@pytest.mark.slow
def test_tests_rewritten_from_the_kernel_do_not_change_this_grade(graded):
    # the tests are read before the learner's code runs; keeping the instructor's copy read-only
    # for the grading account protects later runs too (docs/TEACHING.md)
    report, _ = graded["bank rewrite"]
    assert report.score == 0 and report.tests_run == "visible and hidden"


@pytest.mark.slow
def test_a_loop_that_ignores_interrupts_costs_its_tests_and_the_grader_ends(graded):
    report, _ = graded["ignores interrupts"]
    tests = _tests(report)
    assert tests["ex01_sigmoid_test"].passed and tests["ex01_gates_test"].passed
    assert "ignored the interrupt" in tests["ex01_step_test"].message
    assert report.seconds < 6 * TIMEOUT + 30


@pytest.mark.slow
def test_a_kernel_dying_during_replay_gives_a_result_with_a_note(graded):
    report, _ = graded["dies while replayed"]
    tests = _tests(report)
    assert tests["ex01_sigmoid_test"].passed and not tests["ex01_gates_test"].passed
    assert tests["ex01_sequence_test"].points == 0 and "not run" in tests["ex01_sequence_test"].message
    assert any("replayed your earlier cells" in note for note in report.notes), report.notes


@pytest.mark.slow
def test_a_syntax_error_shows_in_the_text_report(graded):
    report, _ = graded["syntax error"]
    text = report.to_text()
    assert "ERROR in cell 'ex01_gates': SyntaxError" in text, text
    assert "lstm_gates is not defined: its cell did not run" in _tests(report)["ex01_gates_test"].message


@pytest.mark.slow
def test_learner_code_runs_in_a_temporary_folder(graded):
    report, path = graded["writes a file"]
    assert report.score == report.max_score
    assert not (path.parent / "written_by_the_learner.txt").exists()
    assert not (ROOT / "written_by_the_learner.txt").exists() and not Path("written_by_the_learner.txt").exists()


# --- no hidden test ships -------------------------------------------------------------------

def _hidden_lines():
    """Distinctive lines of the instructor's hidden tests, from the solution notebooks."""
    lines, elsewhere = set(), set()
    for path in SOLUTIONS.glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            rest = cell.source
            if "### BEGIN HIDDEN TESTS" in cell.source:
                before, after = cell.source.split("### BEGIN HIDDEN TESTS", 1)
                hidden, after = after.split("### END HIDDEN TESTS", 1)
                lines |= {line.strip() for line in hidden.split("\n") if len(line.strip()) > 25}
                rest = before + after
            elsewhere |= {line.strip() for line in rest.split("\n")}
    lines -= elsewhere  # a line that is also visible, or a self-check, is not a hidden test
    assert len(lines) > 20
    return lines


def test_exercises_and_package_data_hold_no_hidden_test():
    hidden = _hidden_lines()
    places = [*sorted((ROOT / "exercises").glob("*.ipynb")), *sorted((ROOT / "lstm_core").rglob("*.json"))]
    for path in places:
        text = path.read_text()
        assert "BEGIN HIDDEN TESTS" not in text, path
        leaked = [line for line in hidden if json.dumps(line)[1:-1] in text or line in text]
        assert not leaked, f"{path} holds hidden tests: {leaked[:3]}"
    assert not (ROOT / "lstm_core" / "data" / "exercise_tests.json").exists()


@pytest.mark.slow
def test_the_wheel_holds_no_hidden_test(tmp_path):
    source = tmp_path / "source"  # a copy, so that the build leaves nothing in the checkout
    shutil.copytree(ROOT / "lstm_core", source / "lstm_core", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                             "-w", str(tmp_path), str(source)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    wheel = next(tmp_path.glob("*.whl"))
    hidden = _hidden_lines()
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        assert "lstm_core/data/exercise_checks.json" in names
        for name in names:
            text = archive.read(name).decode("utf-8", errors="replace")
            if not name.endswith(".py"):  # the code names the marker; data must not hold a region
                assert "BEGIN HIDDEN TESTS" not in text, name
            assert not [line for line in hidden if json.dumps(line)[1:-1] in text or line in text], name
        assert not any(name.startswith(("solutions/", "exercises/")) for name in names)


def test_exercises_carry_nbgraders_lock_flags():
    for path in sorted((ROOT / "exercises").glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            kind, meta = cell_kind(cell), cell.metadata
            if kind in ("locked", "test"):
                assert meta.get("deletable") is False and meta.get("editable") is False, (path.name, grade_id(cell))
            else:
                assert meta.get("deletable") is False and "editable" not in meta, (path.name, grade_id(cell))


# --- the pieces ------------------------------------------------------------------------------

def test_forbidden_uses_are_found_by_reading_the_code():
    forbidden = ["lstm_core.lstm_backward", "lstm_core.gradcheck.numerical_gradient"]
    setup = ["from lstm_core import lstm_backward as reference_backward\nfrom lstm_core import numerical_gradient"]
    assert forbidden_uses("from lstm_core.lstm import lstm_backward", forbidden) == ["lstm_core.lstm_backward"]
    assert forbidden_uses("import lstm_core as lc\ny = lc.lstm_backward(1, 2)", forbidden) == [
        "lstm_core.lstm_backward"]
    assert forbidden_uses("f = getattr(core, 'lstm_backward')", forbidden) == ["lstm_core.lstm_backward"]
    assert forbidden_uses("y = reference_backward(dh, cache)", forbidden, setup) == ["lstm_core.lstm_backward"]
    # a learner's own function of the same name is theirs to call
    own = "def numerical_gradient(f, x):\n    return x\n\ng = numerical_gradient(None, 1)"
    assert forbidden_uses(own, forbidden, setup, learner_bound={"numerical_gradient"}) == []
    assert forbidden_uses("def lstm_backward_by_hand(dh):\n    return dh", forbidden) == []
    assert forbidden_uses("def broken(:", forbidden) == []  # a syntax error is reported elsewhere


def test_values_travel_as_plain_data_and_keep_shared_arrays():
    rng = np.random.default_rng(0)
    shared = rng.standard_normal((2, 3))
    value = {"a": shared, "again": shared, "t": (1, 2.5, None, "s", True), "n": np.float64(3.0), "rng": rng,
             "l": [np.arange(3), {"k": np.zeros((0, 2))}]}
    back = wire.loads(wire.dumps(value))
    assert back["a"] is back["again"] and np.array_equal(back["a"], shared)
    assert back["t"] == (1, 2.5, None, "s", True) and back["n"] == 3.0
    assert back["rng"].standard_normal() == rng.standard_normal()
    assert wire.changed_paths(wire.to_node([shared]), wire.to_node([shared + 1]), "x") == ["x[0]"]


@pytest.mark.parametrize("text", [
    '{"a": "gASVAAAAAAAAAAA="}',  # a pickle, not an .npy file
    '{"p": "os.system", "f": []}',
    '{"r": 7}',
    "not json",
])
def test_decoding_refuses_what_it_did_not_write(text):
    with pytest.raises(wire.WireError):
        wire.loads(text)


def test_object_arrays_never_travel():
    assert isinstance(wire.loads(wire.dumps(np.array([print], dtype=object))), wire.Opaque)
