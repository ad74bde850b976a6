"""Deliberately broken LSTM backward passes, one per mistake people really make.

Each function has exactly ``lstm_backward``'s signature, ``(dh_loss, cache, truncate=None) ->
(grads, dx, dh0, dc0)``, so it can be handed to ``check_lstm(..., backward=...)``; its
docstring names the mistake. They share one small BPTT loop, ``_bptt``, whose keyword flags
switch a single mistake on; with every flag at its default the loop is correct (the tests
assert that it equals ``lstm_backward``). ``BUGS`` maps a short name to each function.

They implement full BPTT only: ``truncate`` must be None (or at least T).

Two more backward passes get a sum wrong (``SUMMATION_BUGS``: over time, over the batch), and
one *forward* pass has a mistake its exact backward pass shares (``gates_swapped_forward`` and
``gates_swapped_backward``), the kind of bug no gradient check can see.

Dimensions: T time steps, B batch, D input size, H hidden size.
"""

import numpy as np

from lstm_core.activations import sigmoid_grad_from_output, tanh, tanh_grad_from_output
from lstm_core.lstm import lstm_backward, lstm_forward
from lstm_core.params import LSTMParams, split_gates


def _bptt(dh_loss, cache, truncate=None, *, carry_c=True, carry_h=True, tanh_twice=False,
          sigmoid_grad_of_preactivation=False, output_gate_sign=1.0, layout="columns",
          dw_h_uses_h_t=False, sum_weights_over_time=True):
    """BPTT for ``lstm_forward`` with at most one mistake switched on by the keyword flags.

    Parameters
    ----------
    dh_loss : ndarray, shape (T, B, H), the loss's direct gradient dL_t/dh_t at each step.
    cache : dict from ``lstm_forward``.
    truncate : None (full BPTT only).
    carry_c : False drops dL/dc_{t-1}: the cell-state gradient is not carried back.
    carry_h : False drops dL/dh_t's term from step t+1 (only the loss's own dh_loss[t] is used).
    tanh_twice : True uses 1 - tanh(tanh(c_t))^2, tanh' of an already-activated value.
    sigmoid_grad_of_preactivation : True uses z (1 - z) with the pre-activation z of i, f, o.
    output_gate_sign : -1.0 flips the sign of the error reaching the output gate.
    layout : "rows" cuts the fused (T*B, 4H) gate gradient into gates by row blocks for dW and db
        (as if it were laid out like the fused weights, (4H, D)); "columns" is right.
    dw_h_uses_h_t : True pairs step t's gate gradient with h_t instead of h_{t-1} in dW_h.
    sum_weights_over_time : False keeps only step 0's term of dW and db, as ``dW = ...`` instead
        of ``dW += ...`` inside the backward loop leaves (step 0 is the last one it visits).

    Returns
    -------
    grads : LSTMParams; dx : (T, B, D); dh0, dc0 : (B, H).
    """
    params = cache["params"]
    x, h = cache["x"], cache["h"]
    num_steps, batch_size, _ = x.shape
    if truncate is not None and truncate < num_steps:
        raise NotImplementedError("the broken backward passes implement full BPTT only (truncate=None)")
    hidden_size = params.hidden_size
    w_x, w_h, b = params.fused()  # (4H, D), (4H, H), (4H,)
    h_prevs, c_prevs = cache["h_prev"], cache["c_prev"]  # (T, B, H) each: h_{t-1}, c_{t-1}
    dz = np.empty_like(cache["gates"])  # (T, B, 4H)
    dh_next = np.zeros_like(cache["h0"])  # dL/dh_t arriving from step t+1
    dc_next = np.zeros_like(cache["c0"])  # dL/dc_t arriving from step t+1
    for t in reversed(range(num_steps)):
        i, f, g, o = split_gates(cache["gates"][t])  # 4 x (B, H)
        dh_t = dh_loss[t] + dh_next if carry_h else dh_loss[t]
        tanh_c = cache["tanh_c"][t]
        dtanh = tanh_grad_from_output(tanh(tanh_c) if tanh_twice else tanh_c)
        dc_t = dh_t * o * dtanh + (dc_next if carry_c else 0.0)  # back through h_t = o tanh(c_t)
        blocks = [dc_t * g, dc_t * c_prevs[t], dc_t * i, output_gate_sign * dh_t * tanh_c]  # dL/d(i, f, g, o)
        if sigmoid_grad_of_preactivation:
            z = x[t] @ w_x.T + h_prevs[t] @ w_h.T + b  # (B, 4H), pre-activations
            z_i, z_f, _, z_o = split_gates(z)  # 4 x (B, H)
            slopes = [z_i * (1 - z_i), z_f * (1 - z_f), None, z_o * (1 - z_o)]
        else:
            slopes = [sigmoid_grad_from_output(i), sigmoid_grad_from_output(f), None,
                      sigmoid_grad_from_output(o)]
        slopes[2] = tanh_grad_from_output(g)
        dz[t] = np.concatenate([d * s for d, s in zip(blocks, slopes, strict=True)], axis=1)  # (B, 4H)
        dc_next = dc_t * f  # what c_{t-1} receives
        dh_next = dz[t] @ w_h  # (B, 4H) @ (4H, H): what h_{t-1} receives
    rows = num_steps * batch_size
    dz_rows = dz.reshape(rows, -1)  # (T*B, 4H)
    # the parameter gradients cut dz into gates; dx and dh_{t-1} use the fused dz whole
    if layout == "rows":  # wrong: read the (T*B, 4H) buffer as four stacked row blocks, like the weights (4H, D)
        blocks = split_gates(dz_rows.reshape(4 * rows, hidden_size), axis=0)  # 4 x (T*B, H), gates mixed up
    else:
        blocks = split_gates(dz_rows)  # 4 x (T*B, H): gate k owns columns k*H to (k+1)*H
    dz_cut = np.concatenate(blocks, axis=1)  # (T*B, 4H), reordered if "rows"
    h_paired = h if dw_h_uses_h_t else h_prevs  # (T, B, H)
    x_rows, h_rows = x.reshape(rows, -1), h_paired.reshape(rows, -1)  # (T*B, D), (T*B, H)
    if not sum_weights_over_time:  # overwritten at every step: only step 0's rows are left
        dz_cut, x_rows, h_rows = dz_cut[:batch_size], x_rows[:batch_size], h_rows[:batch_size]
    grads = LSTMParams.from_fused(dz_cut.T @ x_rows,  # (4H, D)
                                  dz_cut.T @ h_rows,  # (4H, H)
                                  dz_cut.sum(axis=0))  # (4H,)
    dx = (dz_rows @ w_x).reshape(x.shape)  # (T, B, D)
    return grads, dx, dh_next, dc_next


def reference_backward(dh_loss, cache, truncate=None):
    """No mistake: the shared loop with every flag at its default (equals ``lstm_backward``)."""
    return _bptt(dh_loss, cache, truncate)


def no_cell_recurrence(dh_loss, cache, truncate=None):
    """Drops the cell-state recurrence: dL/dc_t never receives dL/dc_{t+1} f_{t+1}.

    The constant error carousel is cut, so every step sees only the cell gradient that comes
    through its own h_t.
    """
    return _bptt(dh_loss, cache, truncate, carry_c=False)


def no_hidden_recurrence(dh_loss, cache, truncate=None):
    """Forgets to add the gradient from step t+1 to dL/dh_t: uses the loss's dh_loss[t] alone.

    This is the one-step view of the source article: E_delta without the recurrent term.
    """
    return _bptt(dh_loss, cache, truncate, carry_h=False)


def tanh_applied_twice(dh_loss, cache, truncate=None):
    """Back through tanh(c_t) with 1 - tanh(tanh(c_t))^2: tanh' of an already-activated value.

    The cache holds tanh(c_t); applying the 'derivative from the input' formula to it
    applies tanh a second time.
    """
    return _bptt(dh_loss, cache, truncate, tanh_twice=True)


def sigmoid_grad_wrong_side(dh_loss, cache, truncate=None):
    """Differentiates the wrong side of the sigmoid: z (1 - z) of the pre-activation z.

    sigmoid'(z) = s (1 - s) with s = sigmoid(z) is the formula 'from the output'; feeding it
    the pre-activation Z_i, Z_f, Z_o instead of i, f, o is wrong.
    """
    return _bptt(dh_loss, cache, truncate, sigmoid_grad_of_preactivation=True)


def output_gate_sign_flipped(dh_loss, cache, truncate=None):
    """Flips the sign of the error at the output gate: dL/do = -dL/dh_t tanh(c_t).

    This is what happens when one branch uses the descent direction (y - h, as the source
    article writes E_delta) while the rest of the code uses the gradient h - y.
    """
    return _bptt(dh_loss, cache, truncate, output_gate_sign=-1.0)


def gates_sliced_by_rows(dh_loss, cache, truncate=None):
    """Slices the fused gate-gradient matrix by rows instead of columns, so gates are mixed up.

    The fused *weights* stack the gates as row blocks, (4H, D); the gate gradients dz stack
    them as column blocks, (T*B, 4H). Cutting dz into gates with the weights' layout before
    forming dW and db hands each gate entries of the others. dx, dh0 and dc0 use dz whole,
    so they stay right; with T*B = 1 the two layouts coincide and the bug hides.
    """
    return _bptt(dh_loss, cache, truncate, layout="rows")


def dw_h_off_by_one(dh_loss, cache, truncate=None):
    """An off-by-one in dW_h: pairs step t's gate gradient with h_t instead of h_{t-1}.

    The pre-activation at step t reads h_{t-1}, so dL/dw_h* = sum_t dz_t h_{t-1}^T.
    """
    return _bptt(dh_loss, cache, truncate, dw_h_uses_h_t=True)


BUGS = {
    "no cell recurrence": no_cell_recurrence,
    "no hidden recurrence": no_hidden_recurrence,
    "tanh applied twice": tanh_applied_twice,
    "sigmoid' of pre-activation": sigmoid_grad_wrong_side,
    "output gate sign flipped": output_gate_sign_flipped,
    "gates sliced by rows": gates_sliced_by_rows,
    "dW_h off by one": dw_h_off_by_one,
}
"""Name -> broken backward pass with ``lstm_backward``'s signature."""


# Two mistakes in a sum: over time and over the batch. Kept out of ``BUGS`` (whose seven
# entries exercise 06 lists) so that exercise is unchanged.


def weight_gradients_overwritten(dh, cache, truncate=None):
    """Writes ``dW = ...`` instead of ``dW += ...`` in the backward loop over time.

    A weight is used at every step, so its gradient is a sum over steps. Overwritten at each
    step, only the last step the loop visits (step 0, since BPTT runs backwards) is left.
    dx, dh0 and dc0 are per step and stay right; with T = 1 there is no sum and the bug hides.
    """
    return _bptt(dh, cache, truncate, sum_weights_over_time=False)


def batch_sum_for_mean(dh, cache, truncate=None):
    """Averages the loss over the batch but differentiates the sum: every gradient is B times too large.

    The loss is (1/B) sum_b L_b, so each of its gradients carries a factor 1/B; a backward pass
    written for sum_b L_b leaves it out. Modelled here as the correct gradient times B (B is
    ``dh.shape[1]``): analytic / numeric = B in every entry of every tensor, so the relative
    error is (B - 1) / (B + 1) in every row of a check.
    """
    grads, dx, dh0, dc0 = _bptt(dh, cache, truncate)
    batch_size = dh.shape[1]
    scaled = LSTMParams(**{name: batch_size * array for name, array in grads})
    return scaled, batch_size * dx, batch_size * dh0, batch_size * dc0


SUMMATION_BUGS = {
    "dW = instead of dW +=": weight_gradients_overwritten,
    "sum for a batch mean": batch_sum_for_mean,
}
"""Name -> broken backward pass (``lstm_backward``'s signature) whose mistake is in a sum."""


def _swap_input_and_forget(pairs):
    """(name, array) pairs with the input gate's and the forget gate's names exchanged."""
    swap = {"i": "f", "f": "i"}
    return {name[:-1] + swap.get(name[-1], name[-1]): array for name, array in pairs}


def gates_swapped_forward(params, x, h0=None, c0=None):
    """A *forward* pass with a mistake: the input and forget gates read each other's weights.

    As when a fused weight matrix is cut in the wrong gate order: it computes
    c_t = i_t c_{t-1} + f_t g_t instead of c_t = f_t c_{t-1} + i_t g_t. Same signature and
    returns as ``lstm_forward``: h, c (T, B, H) and a cache for ``gates_swapped_backward``.
    """
    return lstm_forward(LSTMParams(**_swap_input_and_forget(params)), x, h0, c0)


def gates_swapped_backward(dh, cache, truncate=None):
    """The exact gradient of ``gates_swapped_forward``: consistent with the wrong forward pass.

    A gradient check of this pair passes, because the backward pass differentiates the function
    the forward pass computes. Only a test of the forward pass against a reference can see it.
    """
    grads, dx, dh0, dc0 = lstm_backward(dh, cache, truncate)
    return LSTMParams(**_swap_input_and_forget(grads)), dx, dh0, dc0
