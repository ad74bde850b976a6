"""Deliberately broken LSTM backward passes, one per mistake people really make.

Each function has exactly ``lstm_backward``'s signature, ``(dh_loss, cache, truncate=None) ->
(grads, dx, dh0, dc0)``, so it can be handed to ``check_lstm(..., backward=...)``; its
docstring names the mistake. They share one small BPTT loop, ``_bptt``, whose keyword flags
switch a single mistake on; with every flag at its default the loop is correct (the tests
assert that it equals ``lstm_backward``). ``BUGS`` maps a short name to each function.

They implement full BPTT only: ``truncate`` must be None (or at least T).

Dimensions: T time steps, B batch, D input size, H hidden size.
"""

import numpy as np

from lstm_core.activations import sigmoid_grad_from_output, tanh, tanh_grad_from_output
from lstm_core.params import LSTMParams, split_gates


def _bptt(dh_loss, cache, truncate=None, *, carry_c=True, carry_h=True, tanh_twice=False,
          sigmoid_grad_of_preactivation=False, output_gate_sign=1.0, layout="columns",
          dw_h_uses_h_t=False):
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

    Returns
    -------
    grads : LSTMParams; dx : (T, B, D); dh0, dc0 : (B, H).
    """
    params = cache["params"]
    x, h, c = cache["x"], cache["h"], cache["c"]
    num_steps, batch_size, _ = x.shape
    if truncate is not None and truncate < num_steps:
        raise NotImplementedError("the broken backward passes implement full BPTT only (truncate=None)")
    hidden_size = params.hidden_size
    w_x, w_h, b = params.fused()  # (4H, D), (4H, H), (4H,)
    h_prevs = np.concatenate([cache["h0"][None], h[:-1]])  # (T, B, H): h_{t-1}
    c_prevs = np.concatenate([cache["c0"][None], c[:-1]])  # (T, B, H): c_{t-1}
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
    grads = LSTMParams.from_fused(dz_cut.T @ x.reshape(rows, -1),  # (4H, D)
                                  dz_cut.T @ h_paired.reshape(rows, -1),  # (4H, H)
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
