"""The grader, ``python -m lstm_core.grade``, on the course's solutions, exercises and known mistakes.

- every solution notebook scores full marks; every untouched exercise scores zero, failing only
  at its ``NotImplementedError`` stubs, without the grader crashing;
- deliberately wrong implementations (a table of string replacements in solution cells) lose points,
  with the self-check tests and with the instructor's hidden tests (``--tests solutions``);
- tampering (an edited or deleted test cell, a test helper redefined, an edited setup cell)
  earns nothing, and the learner's file is never modified;
- a cell that loops forever or prints megabytes costs only its own test;
- a file that is not a notebook, or not one of the course's, gets a clear error and exit code 2.

The notebooks are graded once, two at a time (threads), by a module-scoped fixture calling
``lstm_core.course.grade.grade``; the command line itself is tested on a few files.
"""

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from lstm_core.course.grade import grade
from lstm_core.course.notebook_cells import cell_kind, cell_source, grade_id

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
LOOP_TIMEOUT = 5

# (notebook, grade_id of a solution cell, text in its source, replacement): each is a known mistake.
MUTATIONS = [
    ("01_forward_pass", "ex01_sigmoid", "0.5 * (1.0 + np.tanh(0.5 * z))", "np.tanh(z)"),
    ("01_forward_pass", "ex01_gates", "g = np.tanh(z_g)", "g = sigmoid(z_g)"),
    ("01_forward_pass", "ex01_gates", "z_f = x_t @ params.w_xf.T + h_prev @ params.w_hf.T + params.b_f",
     "z_f = x_t @ params.w_xf.T + params.b_f"),
    ("01_forward_pass", "ex01_step", "h = o * np.tanh(c)", "h = o * c"),
    ("01_forward_pass", "ex01_step", "c = f * c_prev + i * g", "c = c_prev + i * g"),
    ("01_forward_pass", "ex01_sequence", "lstm_step(params, x[t], h_t, c_t)", "lstm_step(params, x[t], h0, c0)"),
    ("02_loss_and_first_gradient", "ex02_mse", "E_delta = diff", "E_delta = -diff"),
    ("02_loss_and_first_gradient", "ex02_mse", "E = 0.5 * float(", "E = float("),
    ("02_loss_and_first_gradient", "ex02_difference", "    w[index] = old  # exactly the value we found\n", ""),
    ("02_loss_and_first_gradient", "ex02_difference", "/ (2 * eps)", "/ eps"),
    ("02_loss_and_first_gradient", "ex02_weight", "lstm_step_backward(E_delta,", "lstm_step_backward(-E_delta,"),
    ("02_loss_and_first_gradient", "ex02_weight", "np.zeros_like(h), cache)", "E_delta, cache)"),
    ("03_gate_gradients", "cell_gradient", "return dc_next + dh * o", "return dh * o"),
    ("03_gate_gradients", "cell_gradient", "(1.0 - tanh_c**2)", "(1.0 - tanh_c)"),
    ("03_gate_gradients", "gate_gradients", "dc_prev = dc * f", "dc_prev = dc"),
    ("03_gate_gradients", "gate_gradients", 'do = dh * cache["tanh_c"]', 'do = -dh * cache["tanh_c"]'),
    ("04_weight_gradients", "preactivation_gradients", "dz_g = dg * (1.0 - g * g)", "dz_g = dg * (1.0 - g)"),
    ("04_weight_gradients", "parameter_and_input_gradients", 'grads[f"w_x{k}"] = dz.T @ x',
     'grads[f"w_x{k}"] = x.T @ dz'),
    ("04_weight_gradients", "parameter_and_input_gradients", 'grads[f"b_{k}"] = dz.sum(axis=0)',
     'grads[f"b_{k}"] = dz[0]'),
    ("05_through_time", "bptt_backward", "lstm_step_backward(dh[t] + dh_next,", "lstm_step_backward(dh[t],"),
    ("05_through_time", "bptt_backward", "grads[name] += grad", "grads[name] = grad"),
    ("06_gradient_checking", "ex06_numerical", "        x[index] = old  # exactly the value we found\n", ""),
    ("06_gradient_checking", "ex06_numerical", "(f_plus - f_minus) / (2 * eps)", "(f_plus - f()) / eps"),
    ("06_gradient_checking", "ex06_relative", "difference / max(size, floor)", "difference / size"),
    ("06_gradient_checking", "ex06_relative", "float(difference / max(size, floor))",
     "float(np.max(np.abs(analytic - numeric) / np.maximum(np.abs(analytic) + np.abs(numeric), floor)))"),
    ("06_gradient_checking", "ex06_finder", "backward(upstream, cache)", "backward(np.ones_like(upstream), cache)"),
    ("07_vanishing_and_exploding", "clip_by_global_norm", "if norm > max_norm else 1.0", ""),
    ("07_vanishing_and_exploding", "gradient_norms_back_in_time", "(1.0 - h[t] ** 2)", "(1.0 - h[t])"),
    ("08_training", "loss_and_gradients", "dh[-1] = dh_last", "dh[-1] = -dh_last"),
    ("08_training", "train_step", "adam_step(model, clipped,",
     "adam_step({k: v.copy() for k, v in model.items()}, clipped,"),
]


def _read(stem, folder="solutions"):
    return nbformat.read(ROOT / folder / f"{stem}.ipynb", as_version=4)


def _cell(notebook, gid):
    for cell in notebook.cells:
        if grade_id(cell) == gid:
            return cell
    raise AssertionError(f"no cell with grade_id {gid!r}")


def _mutated(stem, gid, old, new):
    notebook = _read(stem)
    cell = _cell(notebook, gid)
    assert cell_kind(cell) == "solution", f"{stem}: {gid} is not a solution cell"
    source = cell_source(cell)
    assert old in source, f"{stem}: {gid} no longer contains {old!r}; update MUTATIONS"
    cell.source = source.replace(old, new)
    return notebook


def _tampered():
    """name -> (notebook, grading options): learners trying their luck, and runaway cells."""
    cases = {}
    # a wrong E_delta, its test cell edited to pass
    notebook = _mutated("02_loss_and_first_gradient", "ex02_mse", "E_delta = diff", "E_delta = -diff")
    _cell(notebook, "ex02_mse_test").source = "print('all good')"
    cases["edited test"] = (notebook, {})
    # a wrong E_delta, its test cell deleted
    notebook = _mutated("02_loss_and_first_gradient", "ex02_mse", "E_delta = diff", "E_delta = -diff")
    notebook.cells = [c for c in notebook.cells if grade_id(c) != "ex02_mse_test"]
    cases["deleted test"] = (notebook, {})
    # a wrong E_delta and a do-nothing expect_close defined in the same solution cell
    notebook = _mutated("02_loss_and_first_gradient", "ex02_mse", "E_delta = diff", "E_delta = -diff")
    _cell(notebook, "ex02_mse").source += "\n\n\ndef expect_close(*args, **kwargs):\n    pass\n"
    cases["helper redefined"] = (notebook, {})
    # a wrong sigmoid, and the setup cell edited to disarm expect_close and the reference
    notebook = _mutated("01_forward_pass", "ex01_sigmoid", "0.5 * (1.0 + np.tanh(0.5 * z))", "np.tanh(z)")
    _cell(notebook, "ex01_setup").source += "\nexpect_close = lambda *args, **kwargs: None\n"
    cases["setup edited"] = (notebook, {})
    # hard-coded answers in place of the functions: the hidden tests use other data
    notebook = _read("06_gradient_checking")
    _cell(notebook, "ex06_finder").source = (
        "def find_wrong_tensors(backward, params, x, h0, c0, rng, eps=1e-6, tol=1e-5):\n"
        "    return [] if backward is lstm_backward else ['w_hi', 'w_hf', 'w_hg', 'w_ho']\n")
    cases["hard-coded"] = (notebook, {"tests": ROOT / "solutions"})
    # extra cells that kill the kernel, loop forever, print 5 MB; an endless function
    notebook = _read("01_forward_pass")
    notebook.cells.insert(5, nbformat.v4.new_code_cell("while True:\n    pass"))
    notebook.cells.insert(5, nbformat.v4.new_code_cell("print('x' * 5_000_000)"))
    notebook.cells.insert(5, nbformat.v4.new_code_cell("import os\nos._exit(1)  # the kernel dies"))
    _cell(notebook, "ex01_sequence").source = "def lstm_sequence(params, x, h0, c0):\n    while True:\n        pass\n"
    cases["runaway"] = (notebook, {"timeout": LOOP_TIMEOUT, "max_output": 100_000})
    return cases


def _grade(path, options):
    """Grade in this process (threads share the imports); return (0, JSON-like report, "")."""
    before = Path(path).read_bytes()
    report = grade(path, **options).to_dict()
    assert Path(path).read_bytes() == before, f"the grader modified {path}"
    return 0, report, ""


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """Grade every case once, two at a time: key -> (exit code, JSON report, stderr)."""
    folder = tmp_path_factory.mktemp("graded")
    jobs = {("solution", p.stem): (p, {}) for p in SOLUTIONS}
    jobs.update({("exercise", p.stem): (ROOT / "exercises" / p.name, {}) for p in SOLUTIONS})
    jobs.update({("hidden", p.stem): (p, {"tests": ROOT / "solutions"}) for p in SOLUTIONS})
    present = {p.stem for p in SOLUTIONS}
    for number, (stem, gid, old, new) in enumerate(MUTATIONS):
        if stem in present:
            path = folder / f"mutation{number:02d}_{stem}.ipynb"
            nbformat.write(_mutated(stem, gid, old, new), path)
            jobs[("mutation", number)] = (path, {})
    for name, (notebook, options) in _tampered().items():
        path = folder / f"{name.replace(' ', '_')}.ipynb"
        nbformat.write(notebook, path)
        jobs[("tampered", name)] = (path, options)
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {key: pool.submit(_grade, path, options) for key, (path, options) in jobs.items()}
        return {key: future.result() for key, future in futures.items()}


def _tests(report):
    return {t["grade_id"]: t for t in report["tests"]}


@pytest.mark.slow
@pytest.mark.parametrize("stem", [p.stem for p in SOLUTIONS])
def test_solution_scores_full_marks(reports, stem):
    code, report, stderr = reports[("solution", stem)]
    assert code == 0, stderr
    failed = [t for t in report["tests"] if not t["passed"]]
    assert not failed and report["score"] == report["max_score"] > 0, failed
    assert not report["cell_errors"], report["cell_errors"]


@pytest.mark.slow
@pytest.mark.parametrize("stem", [p.stem for p in SOLUTIONS])
def test_solution_scores_full_marks_with_the_hidden_tests(reports, stem):
    code, report, stderr = reports[("hidden", stem)]
    assert report["tests_run"] == "visible and hidden"
    assert report["score"] == report["max_score"] > 0, [t for t in report["tests"] if not t["passed"]]
    assert any("hidden tests" in note for note in report["notes"]), report["notes"]


@pytest.mark.slow
@pytest.mark.parametrize("stem", [p.stem for p in SOLUTIONS])
def test_untouched_exercise_scores_zero_failing_only_at_stubs(reports, stem):
    code, report, stderr = reports[("exercise", stem)]
    assert code == 0, stderr
    assert report["score"] == 0 and report["max_score"] > 0
    assert report["tests_run"] == "visible and self-check"
    for test in report["tests"]:
        assert test["message"].startswith("NotImplementedError"), test
    for error in report["cell_errors"]:
        assert error["kind"] == "solution" and error["error"].startswith("NotImplementedError"), error


@pytest.mark.slow
@pytest.mark.parametrize("number", range(len(MUTATIONS)),
                         ids=[f"{stem[:2]}-{gid}-{old.strip()[:24]}" for stem, gid, old, _ in MUTATIONS])
def test_wrong_implementation_loses_points(reports, number):
    stem = MUTATIONS[number][0]
    if ("mutation", number) not in reports:
        pytest.skip(f"solutions/{stem}.ipynb does not exist")
    code, report, stderr = reports[("mutation", number)]
    assert code == 0, stderr
    assert report["score"] < report["max_score"], f"{MUTATIONS[number]} still scores full marks"


@pytest.mark.slow
@pytest.mark.parametrize("case", ["edited test", "deleted test", "helper redefined"])
def test_tampering_with_tests_earns_nothing(reports, case):
    code, report, stderr = reports[("tampered", case)]
    assert code == 0, stderr
    tests = _tests(report)
    assert not tests["ex02_mse_test"]["passed"]
    assert "E_delta" in tests["ex02_mse_test"]["message"], tests["ex02_mse_test"]
    assert report["score"] == report["max_score"] - tests["ex02_mse_test"]["max_points"] - tests[
        "ex02_weight_test"]["max_points"], report  # one_weight_gradient uses the wrong E_delta too
    assert tests["ex02_difference_test"]["passed"]
    if case != "helper redefined":
        assert any("ex02_mse_test" in note for note in report["notes"]), report["notes"]


@pytest.mark.slow
def test_edited_setup_cell_is_restored(reports):
    code, report, stderr = reports[("tampered", "setup edited")]
    assert code == 0, stderr
    tests = _tests(report)
    assert not tests["ex01_sigmoid_test"]["passed"]
    assert "tanh(z) instead of the sigmoid" in tests["ex01_sigmoid_test"]["message"]


@pytest.mark.slow
def test_hard_coded_answers_fail_the_hidden_tests(reports):
    code, report, stderr = reports[("tampered", "hard-coded")]
    assert code == 0, stderr
    tests = _tests(report)
    assert not tests["ex06_finder_test"]["passed"]
    assert tests["ex06_numerical_test"]["passed"] and tests["ex06_relative_test"]["passed"]


@pytest.mark.slow
def test_runaway_cells_cost_only_their_test(reports):
    code, report, stderr = reports[("tampered", "runaway")]
    assert code == 0, stderr
    tests = _tests(report)
    assert not tests["ex01_sequence_test"]["passed"]
    assert "TimeoutError" in tests["ex01_sequence_test"]["message"]
    assert all(t["passed"] for gid, t in tests.items() if gid != "ex01_sequence_test"), tests
    errors = [e["error"] for e in report["cell_errors"] if e["kind"] == "extra"]
    assert any("TimeoutError" in e for e in errors) and any("printed" in e for e in errors), errors
    assert any("kernel died" in e for e in errors), errors


@pytest.mark.slow
def test_command_line_text_and_json(tmp_path):
    path = ROOT / "solutions" / "02_loss_and_first_gradient.ipynb"
    result = subprocess.run([sys.executable, "-m", "lstm_core.course.grade", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().split("\n")
    assert lines[-1] == "Total: 10/10"
    assert any(line.split()[:2] == ["PASS", "ex02_mse_test"] for line in lines)
    exercise = ROOT / "exercises" / "02_loss_and_first_gradient.ipynb"
    result = subprocess.run([sys.executable, "-m", "lstm_core.course.grade", "--json", str(exercise)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["score"], report["max_score"]) == (0, 10)
    assert [t["grade_id"] for t in report["tests"]] == ["ex02_mse_test", "ex02_difference_test", "ex02_weight_test"]
    # the documented schema (lstm_core.course.grade's docstring), which class grading builds on
    assert report["schema"] == 2 and set(report) == {
        "schema", "notebook", "exercise", "tests_run", "score", "max_score", "seconds", "tests", "cell_errors", "notes"}
    assert all(set(t) == {"name", "grade_id", "points", "max_points", "passed", "message"} for t in report["tests"])


@pytest.mark.parametrize("content, message", [
    ("just some text\n", "is not a Jupyter notebook"),
    ('{"cells": 3}', "is not a Jupyter notebook"),
    (None, "not one of the course's exercises"),
], ids=["text", "json", "foreign-notebook"])
def test_files_that_cannot_be_graded_get_a_clear_error(tmp_path, content, message):
    path = tmp_path / "submission.ipynb"
    if content is None:
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1)")]), path)
    else:
        path.write_text(content)
    result = subprocess.run([sys.executable, "-m", "lstm_core.course.grade", str(path)], capture_output=True, text=True)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_missing_file_gets_a_clear_error(tmp_path):
    result = subprocess.run([sys.executable, "-m", "lstm_core.course.grade", str(tmp_path / "nope.ipynb")],
                            capture_output=True, text=True)
    assert result.returncode == 2 and "no such file" in result.stderr
