"""The exercise tests of lessons 03, 04, 05, 07 and 08 diagnose the mistakes they were written for.

Each case injects one known mistake into a solution cell (a string replacement), grades the
notebook with ``python -m lstm_core.grade``, and asserts that

- the test cell written for that mistake fails, with a message naming the mistake (the label
  that ``expect_close`` prints, or the test's own assertion message);
- every test cell placed *before* the mutated solution cell still passes, so a test never
  depends on code the learner has not reached yet.

The notebooks are graded once per case, two at a time, by a module-scoped fixture.
"""

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from lstm_core.course.notebook_cells import cell_kind, cell_source, grade_id

ROOT = Path(__file__).resolve().parent.parent

# (notebook, solution grade_id, text in its source, replacement, test grade_id that must fail,
#  words its message must contain)
CASES = [
    ("03_gate_gradients", "cell_gradient", "return dc_next + dh * o", "return dh * o",
     "test_cell_gradient", "the term dc_next from step t+1 is missing"),
    ("03_gate_gradients", "cell_gradient", "(1.0 - tanh_c**2)", "(1.0 - tanh_c)",
     "test_cell_gradient", "1 - tanh(c_t) instead of 1 - tanh(c_t)**2"),
    ("03_gate_gradients", "cell_gradient", "(1.0 - tanh_c**2)", "(1.0 - np.tanh(tanh_c) ** 2)",
     "test_cell_gradient", "tanh applied twice"),
    ("03_gate_gradients", "cell_gradient", "return dc_next + dh * o * (1.0 - tanh_c**2)",
     "dc_next += dh * o * (1.0 - tanh_c**2)\n    return dc_next", "test_cell_gradient", "changed dc_next in place"),
    ("03_gate_gradients", "gate_gradients", 'do = dh * cache["tanh_c"]', 'do = -dh * cache["tanh_c"]',
     "test_output_gate", "wrong sign"),
    ("03_gate_gradients", "gate_gradients", 'do = dh * cache["tanh_c"]', 'do = dh * cache["c"]',
     "test_output_gate", "c_t instead of tanh(c_t)"),
    ("03_gate_gradients", "gate_gradients", "di = dc * g", "di = dc * i",
     "test_input_and_candidate", "i and g swapped"),
    ("03_gate_gradients", "gate_gradients", 'df = dc * cache["c_prev"]', 'df = dc * cache["c"]',
     "test_forget_gate", "c_t instead of c_{t-1}"),
    ("03_gate_gradients", "gate_gradients", 'df = dc * cache["c_prev"]', 'df = dh * dc * cache["c_prev"]',
     "test_forget_gate", "dh counted twice"),
    ("03_gate_gradients", "gate_gradients", "dc_prev = dc * f", "dc_prev = dc",
     "test_previous_cell", "f is missing"),
    ("04_weight_gradients", "preactivation_gradients", "dz_g = dg * (1.0 - g * g)", "dz_g = dg * (1.0 - g)",
     "test_preactivation_gradients", "1 - g instead of 1 - g**2"),
    ("04_weight_gradients", "preactivation_gradients", "dz_i = di * i * (1.0 - i)",
     "dz_i = di * sigmoid(i) * (1.0 - sigmoid(i))", "test_preactivation_gradients", "sigmoid applied again"),
    ("04_weight_gradients", "preactivation_gradients", "dz_o = do * o * (1.0 - o)", "dz_o = do",
     "test_preactivation_gradients", "no slope"),
    ("04_weight_gradients", "parameter_and_input_gradients", 'grads[f"w_x{k}"] = dz.T @ x',
     'grads[f"w_x{k}"] = x.T @ dz', "test_weight_gradients", "the transpose of"),
    ("04_weight_gradients", "parameter_and_input_gradients", "dz.T @ h_prev", "h_prev.T @ dz",
     "test_weight_gradients", "transposed: h_prev.T @ dz_k"),
    ("04_weight_gradients", "parameter_and_input_gradients", "dz.T @ h_prev", 'dz.T @ cache["h"]',
     "test_weight_gradients", "h_t (after the step) instead of h_{t-1}"),
    ("04_weight_gradients", "parameter_and_input_gradients", "dz.sum(axis=0)", "dz.mean(axis=0)",
     "test_bias_gradients", "averaged over the batch instead of summed"),
    ("04_weight_gradients", "parameter_and_input_gradients", "dh_prev += dz @", "dh_prev = dz @",
     "test_input_gradients", "only the output gate's contribution"),
    ("05_through_time", "bptt_backward", "lstm_step_backward(dh[t] + dh_next,", "lstm_step_backward(dh[t],",
     "test_bptt_weights", "dh_next from step t+1 is not added"),
    ("05_through_time", "bptt_backward", "dh_next, dc_next, step_caches[t])",
     "dh_next, np.zeros_like(dc_next), step_caches[t])", "test_bptt_weights", "dc_next from step t+1 is not passed"),
    ("05_through_time", "bptt_backward", "grads[name] += grad", "grads[name] = grad",
     "test_bptt_weights", "only step 0's are left"),
    ("05_through_time", "bptt_backward", "np.stack(dx), dh_next, dc_next", "np.stack(dx), dc_next, dh_next",
     "test_bptt_initial_state", "dh0 and dc0 swapped"),
    ("05_through_time", "sequence_loss_and_gradients", "count = h.shape[0] * h.shape[1]", "count = h.size",
     "test_loss_values", "divided by T * B * H"),
    ("05_through_time", "sequence_loss_and_gradients", "loss, dh = loss / count, dh / count", "loss = loss / count",
     "test_loss_gradients", "divided by T * B but not its gradient"),
    ("05_through_time", "sequence_loss_and_gradients", 'mse_loss(h, y, reduction="sum")',
     'mse_loss(y, h, reduction="sum")', "test_loss_gradients", "the sign"),
    ("07_vanishing_and_exploding", "clip_by_global_norm", "}, norm", "}, min(norm, max_norm)",
     "test_clip_large", "the norm after clipping"),
    ("07_vanishing_and_exploding", "clip_by_global_norm", "g * scale for",
     "g * min(1.0, max_norm / np.linalg.norm(g)) for", "test_clip_large", "each array clipped by its own norm"),
    ("07_vanishing_and_exploding", "clip_by_global_norm", "if norm > max_norm else 1.0", "",
     "test_clip_small", "scaled up to max_norm"),
    ("07_vanishing_and_exploding", "gradient_norms_back_in_time", "(dh * (1.0 - h[t] ** 2)) @", "dh @",
     "test_norms_random", "the tanh slope 1 - h_T**2 is missing"),
    ("07_vanishing_and_exploding", "gradient_norms_back_in_time", "@ params.w_hh", "@ params.w_hh.T",
     "test_norms_random", "w_hh transposed"),
    ("08_training", "loss_and_gradients", "dh[-1] = dh_last", "dh[0] = dh_last",
     "test_loss_and_gradients", "put at step 0"),
    ("08_training", "loss_and_gradients", 'reduction="mean"', 'reduction="sum"',
     "test_loss_and_gradients", "the summed loss"),
    ("08_training", "train_step", "adam_step(model, clipped,", "adam_step(model, grads,",
     "test_train_step", "not clipped"),
    ("08_training", "train_step", "model = {**dict(params), **readout}", "model = {**dict(params.copy()), **readout}",
     "test_train_step", "did not change"),
    ("08_training", "train_step", "return loss, norm", "return loss, min(norm, max_norm)",
     "test_train_step", "the norm after clipping"),
    ("08_training", "train_step", "learning_rate=learning_rate)", "learning_rate=-learning_rate)",
     "test_loss_falls", "the loss did not fall enough"),
    # named since issue 12: a missing .T that only D = H or a square w_h lets through, arguments
    # changed in place, buffers reused between calls, f_t in place of f_{t+1}, the h_t path twice
    ("01_forward_pass", "ex01_gates", "h_prev @ params.w_hi.T", "h_prev @ params.w_hi",
     "ex01_gates_test", "h_prev @ w_h without .T"),
    ("01_forward_pass", "ex01_step", "c = f * c_prev + i * g", "c_prev *= f\n    c = c_prev + i * g",
     "ex01_step_test", "lstm_step changed c_prev in place"),
    ("03_gate_gradients", "gate_gradients", 'dc = cell_gradient(dh, dc_next, o, cache["tanh_c"])',
     'dc = dc_next * f + dh * o * (1.0 - cache["tanh_c"] ** 2)', "test_output_gate", "dc_next multiplied by f_t"),
    ("04_weight_gradients", "preactivation_gradients", "dz_i = di * i * (1.0 - i)",
     "di *= i * (1.0 - i)\n    dz_i = di", "test_preactivation_gradients",
     "preactivation_gradients changed di in place"),
    ("05_through_time", "bptt_backward", "lstm_step_backward(dh[t] + dh_next, dc_next, step_caches[t])",
     'lstm_step_backward(dh[t] + dh_next, dc_next + (dh[t] + dh_next) * step_caches[t]["o"]'
     ' * (1 - step_caches[t]["tanh_c"] ** 2), step_caches[t])', "test_bptt_weights",
     "the path through h_t counted twice"),
    ("05_through_time", "bptt_backward",
     "step_grads, dx[t], dh_next, dc_next = lstm_step_backward(dh[t] + dh_next, dc_next, step_caches[t])",
     "step_grads, dx[t], dh_next, dc_next = lstm_step_backward(dh[t], dc_next, step_caches[t])\n"
     "        if t > 0:\n            dh[t - 1] += dh_next", "test_bptt_weights", "bptt_backward changed dh in place"),
    ("05_through_time", "sequence_loss_and_gradients", "    return loss, dict(grads)",
     "    out = globals().setdefault('_buffers', {})\n    for name, g in grads:\n"
     "        out.setdefault(name, np.empty_like(g))[...] = g\n    return loss, out",
     "test_loss_gradients", "changed when sequence_loss_and_gradients was called again"),
]


def _mutated(stem, gid, old, new):
    notebook = nbformat.read(ROOT / "solutions" / f"{stem}.ipynb", as_version=4)
    cells = [cell for cell in notebook.cells if grade_id(cell) == gid]
    assert len(cells) == 1 and cell_kind(cells[0]) == "solution", f"{stem}: no solution cell {gid!r}"
    source = cell_source(cells[0])
    assert old in source, f"{stem}: {gid} no longer contains {old!r}; update CASES"
    cells[0].source = source.replace(old, new)
    return notebook


def _tests_before(stem, gid):
    """Grade ids of the test cells that come before solution cell ``gid``."""
    notebook = nbformat.read(ROOT / "solutions" / f"{stem}.ipynb", as_version=4)
    ids = [grade_id(cell) for cell in notebook.cells]
    return [grade_id(cell) for cell in notebook.cells[: ids.index(gid)] if cell_kind(cell) == "test"]


def _grade(path):
    result = subprocess.run([sys.executable, "-m", "lstm_core.course.grade", "--json", str(path)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return {test["grade_id"]: test for test in json.loads(result.stdout)["tests"]}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Case index -> {test grade_id: result}, every case graded once, two at a time."""
    folder = tmp_path_factory.mktemp("mistakes")
    paths = {}
    for number, (stem, gid, old, new, _, _) in enumerate(CASES):
        paths[number] = folder / f"case{number:02d}_{stem}.ipynb"
        nbformat.write(_mutated(stem, gid, old, new), paths[number])
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {number: pool.submit(_grade, path) for number, path in paths.items()}
        return {number: future.result() for number, future in futures.items()}


@pytest.mark.slow
@pytest.mark.parametrize("number", range(len(CASES)),
                         ids=[f"{stem[:2]}-{test}-{words}" for stem, _, _, _, test, words in CASES])
def test_mistake_is_named_by_its_test(graded, number):
    stem, gid, _, _, test_id, words = CASES[number]
    results = graded[number]
    assert not results[test_id]["passed"], f"{stem}: {test_id} passed despite the mistake"
    assert words in results[test_id]["message"], (
        f"{stem}: {test_id} failed without naming the mistake {words!r}: {results[test_id]['message']}")
    broken_earlier = [t for t in _tests_before(stem, gid) if not results[t]["passed"]]
    assert not broken_earlier, f"{stem}: a mistake in {gid} also fails earlier tests {broken_earlier}"


@pytest.mark.slow
def test_a_later_task_is_graded_on_correct_upstream_values(graded):
    """Exercise 03: a wrong cell_gradient (Task 1) no longer zeroes Task 2; the report says to fix Task 1."""
    number = next(k for k, case in enumerate(CASES) if case[:2] == ("03_gate_gradients", "cell_gradient"))
    results = graded[number]
    assert not results["test_cell_gradient"]["passed"]
    for test_id in ("test_output_gate", "test_input_and_candidate", "test_forget_gate", "test_previous_cell"):
        assert results[test_id]["passed"], results[test_id]
        assert "fix 'test_cell_gradient' first" in results[test_id]["message"], results[test_id]
