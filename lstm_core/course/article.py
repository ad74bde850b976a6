"""The source article's LSTM formulas implemented literally as printed, each beside its correction.

The article works with one scalar cell (input size D = 1, hidden size H = 1) at one time
step, in its own notation: weights ``w_xi, w_hi, b_i, ...``, pre-activations ``Z_i, Z_f, Z_g,
Z_o`` and ``E_delta = dE/dh_t``. Functions named ``article_*`` reproduce its printed formulas,
mistakes included; functions named ``corrected_*`` are the right versions. Everything is
elementwise, so scalars and arrays of any (matching) shape work.

The loss is E = 1/2 sum_t (h_t - y_t)^2: the prediction at step t is h_t itself. (The course
calls it L; E is the article's name. The article says "MSE", whose gradient differs by a factor
2/N: see ``sequence_mse``.)

Where the article prints two lines for one gradient (a chain-rule line, then its expansion),
both are implemented: ``article_dE_df`` and ``article_dE_dc_prev`` are the chain-rule lines,
``article_dE_df_expanded`` and ``article_dE_dc_prev_expanded`` the expansions printed after them.
The constants ``PRINTED_*`` record the article's lists of names as printed, typos included.

The weights ``w`` are any mapping from the twelve names of ``PARAM_NAMES`` to floats, e.g.
``scalar_weights(params)`` for an ``LSTMParams`` with D = H = 1.
"""

import numpy as np

from lstm_core.activations import sigmoid, tanh
from lstm_core.params import GATES, PARAM_NAMES


def scalar_weights(params):
    """The twelve arrays of an ``LSTMParams`` with D = H = 1 as a dict name -> float."""
    if params.input_size != 1 or params.hidden_size != 1:
        raise ValueError(f"the article's cell is scalar: need D = H = 1, got D = {params.input_size}, "
                         f"H = {params.hidden_size}")
    return {name: float(array.reshape(-1)[0]) for name, array in params}


# ---------------------------------------------------------------- names as printed (typos included)

PRINTED_WEIGHT_LIST = {"input gate": ("w_xi", "w_xg", "b_i", "w_hj", "w_g", "b_g"),
                       "forget gate": ("w_xf", "b_f", "w_hf"),
                       "output gate": ("w_xo", "b_o", "w_ho")}
"""Step 1's list of weights, per gate, as printed: twelve names, two of them (w_hj, w_g) not weights."""

PRINTED_PREACTIVATIONS = {"defined": ("Z_g", "Z_j", "Z_f", "Z_o"), "used": ("Z_g", "Z_i", "Z_f", "z_O")}
"""Step 2's pre-activations: the names on the left of '=' and the names the gates are applied to."""

PRINTED_INPUTS = ("x_t", "h_{t-i}", "c_{t-1}")
"""Step 2's list of the cell's inputs, as printed."""


def name_mismatches(printed, intended):
    """Names in ``printed`` that are not in ``intended``, and names of ``intended`` it lacks.

    Returns
    -------
    (extra, missing) : two sorted lists of str.
    """
    printed, intended = set(printed), set(intended)
    return sorted(printed - intended), sorted(intended - printed)


# ---------------------------------------------------------------- forward (printed correctly)

def article_forward_step(w, x, h_prev, c_prev, nudge=None):
    """One step of the article's forward pass (its Steps 2 and 3, which are right).

    Parameters
    ----------
    w : mapping name -> float, the twelve weights.
    x, h_prev, c_prev : float, x_t, h_{t-1}, c_{t-1}.
    nudge : optional mapping from some of "i", "f", "g", "o", "c", "h" to a float added to that
        quantity right after it is computed (so dE/d nudge is dE/d quantity, all paths included).

    Returns
    -------
    dict with x, h_prev, c_prev, Z_i, Z_f, Z_g, Z_o, i, f, g, o, c, h (floats).
    """
    nudge = nudge or {}
    step = {"x": x, "h_prev": h_prev, "c_prev": c_prev}
    for k in GATES:
        step[f"Z_{k}"] = w[f"w_x{k}"] * x + w[f"w_h{k}"] * h_prev + w[f"b_{k}"]
        step[k] = (tanh if k == "g" else sigmoid)(step[f"Z_{k}"]) + nudge.get(k, 0.0)
    step["c"] = c_prev * step["f"] + step["g"] * step["i"] + nudge.get("c", 0.0)
    step["h"] = step["o"] * tanh(step["c"]) + nudge.get("h", 0.0)
    return step


def sequence_forward(w, x, h0=0.0, c0=0.0, nudges=None):
    """Run the scalar cell over a sequence.

    Parameters
    ----------
    w : mapping name -> float.
    x : ndarray, shape (T,).
    h0, c0 : float, the initial state (the article starts from zero).
    nudges : optional mapping from "i", "f", "g", "o", "c", "h" to an array of shape (T,),
        added at each step (see ``article_forward_step``).

    Returns
    -------
    list of T step dicts (see ``article_forward_step``).
    """
    nudges = nudges or {}
    steps, h, c = [], h0, c0
    for t in range(len(x)):
        step = article_forward_step(w, x[t], h, c, {k: v[t] for k, v in nudges.items()})
        steps.append(step)
        h, c = step["h"], step["c"]
    return steps


def sequence_loss(w, x, y, h0=0.0, c0=0.0, nudges=None):
    """E = 1/2 sum_t (h_t - y_t)^2 for x, y of shape (T,). See ``sequence_forward``."""
    steps = sequence_forward(w, x, h0, c0, nudges)
    return float(sum(0.5 * (s["h"] - y_t) ** 2 for s, y_t in zip(steps, y, strict=True)))


def sequence_mse(w, x, y, h0=0.0, c0=0.0, nudges=None):
    """The mean squared error the article names: (1/N) sum_t (h_t - y_t)^2 over the N = T steps.

    Its gradient with respect to h_t is 2 (h_t - y_t) / N, i.e. 2/N times that of ``sequence_loss``.
    """
    steps = sequence_forward(w, x, h0, c0, nudges)
    return float(np.mean([(s["h"] - y_t) ** 2 for s, y_t in zip(steps, y, strict=True)]))


def sgd_update(w, grads, learning_rate):
    """One step of gradient descent, w - learning_rate * dE/dw, for every name of ``w``.

    The article ends with "Finally the gradients associated with the weights are," and prints no
    update rule; this is the one its gradients are meant for. Returns a new dict.
    """
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be positive, got {learning_rate!r}")
    missing = set(w) - set(grads)
    if missing:
        raise KeyError(f"grads lacks a gradient for {sorted(missing)}")
    return {name: w[name] - learning_rate * grads[name] for name in w}


# ---------------------------------------------------------------- the error at the output

def article_e_delta_mse(h, y):
    """As printed: E_delta = y - h for MSE. That is *minus* the gradient of 1/2 (y - h)^2."""
    return y - h


def corrected_e_delta_mse(h, y):
    """dE/dh = h - y for E = 1/2 (y - h)^2."""
    return h - y


# ---------------------------------------------------------------- one-step gate gradients

def article_dE_do(E_delta, c):
    """As printed: dE/do = E_delta tanh(c_t). Right, given the true dE/dh_t."""
    return E_delta * tanh(c)


def article_dE_dc(E_delta, o, c):
    """As printed: dE/dc_t = E_delta o (1 - tanh^2(c_t)), the path through h_t only.

    Right only at the last step: it misses the path from c_{t+1} (and E_delta misses step t+1).
    """
    return E_delta * o * (1.0 - tanh(c) ** 2)


def corrected_dE_dc(dE_dh, o, c, dE_dc_next=0.0, f_next=0.0):
    """dE/dc_t = dE/dh_t o (1 - tanh^2(c_t)) + dE/dc_{t+1} f_{t+1} (zero after the last step)."""
    return dE_dh * o * (1.0 - tanh(c) ** 2) + dE_dc_next * f_next


def article_dE_di(E_delta, o, c, g):
    """As printed: dE/di = E_delta o (1 - tanh^2(c_t)) g, i.e. (its dE/dc_t) g."""
    return article_dE_dc(E_delta, o, c) * g


def article_dE_dg(E_delta, o, c, i):
    """As printed: dE/dg = E_delta o (1 - tanh^2(c_t)) i, i.e. (its dE/dc_t) i."""
    return article_dE_dc(E_delta, o, c) * i


def article_dE_di_chain(dE_di, g):
    """The chain line as printed, dE/di = (dE/di) (dc_t/di), read literally: dE/di times g.

    Its right side contains its left side (the intended first factor is dE/dc_t); read as
    printed, it holds only where g = 1 or dE/di = 0. dc_t/di = g.
    """
    return dE_di * g


def article_dc_dt(c, c_prev):
    """The factor printed as "(dc_t/dt)" in the dE/df chain line, read as the change per step.

    A sequence has no continuous time, so the only reading of dc_t/dt is c_t - c_{t-1}; the
    chain rule needs dc_t/df = c_{t-1} there.
    """
    return c - c_prev


def article_dE_df(E_delta, dE_dc, c_prev):
    """The chain line as printed: dE/df = E_delta (dE/dc_t) (dc_t/df): E_delta counted twice.

    dE/dc_t already contains E_delta (see ``article_dE_dc``). The expansion printed after this
    line has E_delta once: ``article_dE_df_expanded``.
    """
    return E_delta * dE_dc * c_prev


def article_dE_df_expanded(E_delta, o, c, c_prev):
    """The expansion printed after the chain line: dE/df = E_delta o (1 - tanh^2(c_t)) c_{t-1}."""
    return E_delta * o * (1.0 - tanh(c) ** 2) * c_prev


def corrected_dE_df(dE_dc, c_prev):
    """dE/df = dE/dc_t c_{t-1}."""
    return dE_dc * c_prev


def article_dE_dc_prev(E_delta, dE_dc, f):
    """The chain line as printed: dE/dc_{t-1} = E_delta (dE/dc_t) (dc_t/dc_{t-1}): E_delta twice."""
    return E_delta * dE_dc * f


def article_dE_dc_prev_expanded(E_delta, o, c, f):
    """The expansion printed after it, E_delta o (1 - tanh^2(c_t)) f, under the label "dE/dc_t".

    Its value is dE/dc_{t-1} through step t (one E_delta: right); only the label is wrong.
    """
    return E_delta * o * (1.0 - tanh(c) ** 2) * f


def corrected_dE_dc_prev(dE_dc, f):
    """dE/dc_{t-1} through step t: dE/dc_t f_t."""
    return dE_dc * f


def article_dE_dh(E_delta):
    """The article's dE/dh_t: E_delta, the gradient of the loss at step t alone."""
    return E_delta


def corrected_dE_dh(dE_dy, w, dZ_next):
    """dE/dh_t = dE/dy_t + sum_k w_hk dE/dZ_k at step t+1 (the recurrent term).

    Parameters
    ----------
    dE_dy : float, the loss's own gradient at step t (h_t - y_t).
    w : mapping name -> float.
    dZ_next : mapping "i", "f", "g", "o" -> dE/dZ_k at step t+1 (zeros after the last step).
    """
    return dE_dy + sum(w[f"w_h{k}"] * dZ_next[k] for k in GATES)


# ---------------------------------------------------------------- one-step weight gradients

def _sigmoid_slope(Z):
    return sigmoid(Z) * (1.0 - sigmoid(Z))  # sigmoid(z) (1 - sigmoid(z)), as printed


def article_output_weight_grads(E_delta, c, Z_o, x, h_prev):
    """As printed: dE/dw_xo, dE/dw_ho, dE/db_o = E_delta tanh(c_t) sigmoid'(Z_o) (x_t, h_{t-1}, 1)."""
    dZ_o = E_delta * tanh(c) * _sigmoid_slope(Z_o)
    return {"w_xo": dZ_o * x, "w_ho": dZ_o * h_prev, "b_o": dZ_o}


def article_forget_weight_grads(E_delta, o, c, c_prev, Z_f, x, h_prev):
    """As printed, with the forget-gate bias gradient labelled "b_o" (it is dE/db_f)."""
    dZ_f = E_delta * o * (1.0 - tanh(c) ** 2) * c_prev * _sigmoid_slope(Z_f)
    return {"w_xf": dZ_f * x, "w_hf": dZ_f * h_prev, "b_o": dZ_f}


def corrected_forget_weight_grads(E_delta, o, c, c_prev, Z_f, x, h_prev):
    """The same values, with the bias gradient under its right name, b_f."""
    grads = article_forget_weight_grads(E_delta, o, c, c_prev, Z_f, x, h_prev)
    return {"w_xf": grads["w_xf"], "w_hf": grads["w_hf"], "b_f": grads["b_o"]}


def article_input_weight_grads(E_delta, o, c, g, Z_i, x, h_prev):
    """As printed: E_delta o (1 - tanh^2(c_t)) g sigmoid'(Z_i) times (x_t, h_{t-1}, 1)."""
    dZ_i = E_delta * o * (1.0 - tanh(c) ** 2) * g * _sigmoid_slope(Z_i)
    return {"w_xi": dZ_i * x, "w_hi": dZ_i * h_prev, "b_i": dZ_i}


def article_candidate_weight_grads(E_delta, o, c, i, Z_g, x, h_prev):
    """As printed: E_delta o (1 - tanh^2(c_t)) i (1 - tanh^2(Z_g)) times (x_t, h_{t-1}, 1)."""
    dZ_g = E_delta * o * (1.0 - tanh(c) ** 2) * i * (1.0 - tanh(Z_g) ** 2)
    return {"w_xg": dZ_g * x, "w_hg": dZ_g * h_prev, "b_g": dZ_g}


def article_weight_grads(E_delta, step, corrected_labels=False):
    """All twelve weight gradients at one step, collected in the article's printed order.

    Parameters
    ----------
    E_delta : float, the error used (the article's y - h, or the right h - y).
    step : dict from ``article_forward_step``.
    corrected_labels : False collects the blocks as printed, so the forget block's "b_o"
        overwrites the output gate's and there is no "b_f"; True uses the right label.

    Returns
    -------
    dict name -> float.
    """
    s = step
    forget = corrected_forget_weight_grads if corrected_labels else article_forget_weight_grads
    return {**article_output_weight_grads(E_delta, s["c"], s["Z_o"], s["x"], s["h_prev"]),
            **forget(E_delta, s["o"], s["c"], s["c_prev"], s["Z_f"], s["x"], s["h_prev"]),
            **article_input_weight_grads(E_delta, s["o"], s["c"], s["g"], s["Z_i"], s["x"], s["h_prev"]),
            **article_candidate_weight_grads(E_delta, s["o"], s["c"], s["i"], s["Z_g"], s["x"], s["h_prev"])}


# ---------------------------------------------------------------- a whole sequence

def article_sequence_deltas(w, x, y, h0=0.0, c0=0.0, e_delta=corrected_e_delta_mse):
    """The article's one-step dE/dh_t and dE/dc_t at every step of a sequence.

    ``e_delta`` chooses the sign convention (default: the right one, to isolate the missing
    recurrent terms). Returns two ndarrays of shape (T,).
    """
    steps = sequence_forward(w, x, h0, c0)
    dE_dh = np.array([article_dE_dh(e_delta(s["h"], y_t)) for s, y_t in zip(steps, y, strict=True)])
    dE_dc = np.array([article_dE_dc(d, s["o"], s["c"]) for d, s in zip(dE_dh, steps, strict=True)])
    return dE_dh, dE_dc


def article_gradients(w, x, y, t=-1, h0=0.0, c0=0.0, e_delta=article_e_delta_mse, corrected_labels=False):
    """The article's weight gradients 'at a particular timestamp' t: one step, no sum over time.

    Returns dict name -> float, as ``article_weight_grads``.
    """
    step = sequence_forward(w, x, h0, c0)[t]
    return article_weight_grads(e_delta(step["h"], y[t]), step, corrected_labels)


def corrected_gradients(w, x, y, h0=0.0, c0=0.0):
    """Full BPTT for the scalar cell in the article's notation: recurrent terms and sums over time.

    Returns
    -------
    grads : dict name -> float, dE/dw summed over every step.
    dE_dh : ndarray, shape (T,), the total dE/dh_t.
    dE_dc : ndarray, shape (T,), the total dE/dc_t.
    """
    steps = sequence_forward(w, x, h0, c0)
    num_steps = len(steps)
    grads = dict.fromkeys(PARAM_NAMES, 0.0)
    dE_dh, dE_dc = np.zeros(num_steps), np.zeros(num_steps)
    dZ_next = dict.fromkeys(GATES, 0.0)
    dc_next, f_next = 0.0, 0.0
    for t in reversed(range(num_steps)):
        s = steps[t]
        dE_dh[t] = corrected_dE_dh(corrected_e_delta_mse(s["h"], y[t]), w, dZ_next)
        dE_dc[t] = corrected_dE_dc(dE_dh[t], s["o"], s["c"], dc_next, f_next)
        dZ = {"o": article_dE_do(dE_dh[t], s["c"]) * _sigmoid_slope(s["Z_o"]),
              "f": corrected_dE_df(dE_dc[t], s["c_prev"]) * _sigmoid_slope(s["Z_f"]),
              "i": dE_dc[t] * s["g"] * _sigmoid_slope(s["Z_i"]),
              "g": dE_dc[t] * s["i"] * (1.0 - tanh(s["Z_g"]) ** 2)}
        for k in GATES:  # sum over time
            grads[f"w_x{k}"] += dZ[k] * s["x"]
            grads[f"w_h{k}"] += dZ[k] * s["h_prev"]
            grads[f"b_{k}"] += dZ[k]
        dZ_next, dc_next, f_next = dZ, dE_dc[t], s["f"]
    return grads, dE_dh, dE_dc
