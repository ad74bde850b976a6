"""A record of the source article's formulas exactly as it printed them, slips included.

The source article is a short online tutorial that derives the gradients of one LSTM step in
scalar notation (one input, one unit, one time step). Lesson 00 shows this record as a table
(``article_table``); later lessons name each slip where they meet it and link back to that table.
Only the formulas are recorded, never the article's sentences. Its loss E is the course's L; its
pre-activations Z_i, Z_f, Z_g, Z_o are the course's z_i, z_f, z_g, z_o.

``lstm_core.course.article`` implements the same formulas as code (lesson 09 tests them); this
module only records what was printed.
"""

from dataclasses import dataclass

LESSON_FILES = {
    "01": "01_forward_pass.ipynb",
    "02": "02_loss_and_first_gradient.ipynb",
    "03": "03_gate_gradients.ipynb",
    "04": "04_weight_gradients.ipynb",
    "05": "05_through_time.ipynb",
    "09": "09_auditing_the_article.ipynb",
}
"""Lessons that discuss the article's formulas, by number, with their notebook files."""

CORRECT = "as printed, correct"
"""The start of the note of a formula printed without a slip."""


@dataclass(frozen=True)
class PrintedFormula:
    """One formula of the article as printed.

    Attributes
    ----------
    key : str, a short unique name (e.g. ``"Z_i"``, ``"dE_df_chain"``).
    quantity : str, LaTeX of what the formula is meant to compute, in the course's notation.
    printed : str, LaTeX of the formula as the article printed it, slips kept.
    note : str, what is wrong with it, or ``CORRECT`` (possibly followed by a remark in parentheses).
    lessons : tuple of str, the lessons (keys of ``LESSON_FILES``) that discuss it.
    """

    key: str
    quantity: str
    printed: str
    note: str
    lessons: tuple

    @property
    def correct(self):
        """True when the article printed this formula without a slip (a note may add a remark)."""
        return self.note.startswith(CORRECT)


_SIG_O = r"\mathrm{sigmoid}(z_o) * (1-\mathrm{sigmoid}(z_o)"  # the printed parenthesis never closes
_SIG_F = r"\mathrm{sigmoid}(z_f) * (1-\mathrm{sigmoid}(z_f)"
_SIG_I = r"\mathrm{sigmoid}(z_i) * (1-\mathrm{sigmoid}(z_i)"
_TANH_G = r"(1 ? \tanh^2(z_g))"  # the stored copy shows the minus sign as "?"
_DC = r"E_\delta * o * (1-\tanh^2(c_t))"
_UNCLOSED = "as printed, correct (the parenthesis after the sigmoid slope never closes)"
_QMARK = r"as printed, correct (the minus sign of $1 - \tanh^2$ shows as ? in the stored copy)"

ARTICLE_FORMULAS = (
    # ---------------------------------------------------------------- Steps 1-3: the forward pass
    PrintedFormula("start", r"h_0,\ c_0", r"h_t = c_t = 0 \text{ at } t = 0", CORRECT, ("01",)),
    PrintedFormula("weights_input_gate", r"w_{xi}, w_{hi}, b_i,\ w_{xg}, w_{hg}, b_g",
                   r"w_{xi},\ w_{xg},\ b_i,\ w_{hj},\ w_g,\ b_g",
                   r"typos: $w_{hj}$ is $w_{hi}$, $w_g$ is $w_{hg}$", ("01",)),
    PrintedFormula("inputs", r"x_t,\ h_{t-1},\ c_{t-1}", r"x_t \text{ and } h_{t-i},\ c_{t-1}",
                   r"typo: $h_{t-i}$ is $h_{t-1}$", ("01",)),
    PrintedFormula("Z_g", r"z_g", r"Z_g = w_{xg} * x + w_{hg} * h_{t-1} + b_g", CORRECT, ("01",)),
    PrintedFormula("g", r"g", r"g = \tanh(Z_g)", CORRECT, ("01",)),
    PrintedFormula("Z_i", r"z_i", r"Z_j = w_{xi} * x + w_{hi} * h_{t-1} + b_i",
                   r"typo: the left-hand side $Z_j$ is $Z_i$ (the next line uses $Z_i$)", ("01",)),
    PrintedFormula("i", r"i", r"i = \mathrm{sigmoid}(Z_i)", CORRECT, ("01",)),
    PrintedFormula("input_gate_out", r"i\,g", r"\mathrm{Input\_gate\_out} = g * i",
                   "as printed, correct (the article counts g as part of its input gate)", ("01",)),
    PrintedFormula("Z_f", r"z_f", r"Z_f = w_{xf} * x + w_{hf} * h_{t-1} + b_f", CORRECT, ("01",)),
    PrintedFormula("f", r"f", r"f = \mathrm{sigmoid}(Z_f)", CORRECT, ("01",)),
    PrintedFormula("Z_o", r"z_o", r"Z_o = w_{xo} * x + w_{ho} * h_{t-1} + b_o", CORRECT, ("01",)),
    PrintedFormula("o", r"o", r"o = \mathrm{sigmoid}(z_O)",
                   r"as printed, correct ($z_O$ is its $Z_o$, case aside)", ("01",)),
    PrintedFormula("c_t", r"c_t", r"c_t = (c_{t-1} * \mathrm{forget\_gate\_out}) + \mathrm{input\_gate\_out}",
                   CORRECT, ("01",)),
    PrintedFormula("h_t", r"h_t", r"h_t = \mathrm{out\_gate\_out} * \tanh(c_t)", CORRECT, ("01",)),
    # ---------------------------------------------------------------- Step 4: the error at the output
    PrintedFormula("E_delta", r"\partial L/\partial h_t", r"E_\delta = dE/dh_t",
                   r"right only as the total gradient $\partial L/\partial h_t$; "
                   r"the article then uses the loss at step $t$ alone",
                   ("03", "05")),
    PrintedFormula("E_delta_mse", r"\partial L/\partial h_t \text{ for squared error}",
                   r"E_\delta = (y - h(x))",
                   r"wrong sign: $y - h$ is minus the gradient $h - y$", ("02", "09")),
    # ---------------------------------------------------------------- Step 4: gate gradients
    PrintedFormula("dE_do_chain", r"\partial L/\partial o",
                   r"dE/do = (dE/dh_t) * (dh_t/do) = E_\delta * (dh_t/do)", CORRECT, ("03",)),
    PrintedFormula("dE_do", r"\partial L/\partial o", r"dE/do = E_\delta * \tanh(c_t)", CORRECT, ("03",)),
    PrintedFormula("dE_dc_chain", r"\partial L/\partial c_t",
                   r"dE/dc_t = (dE/dh_t) * (dh_t/dc_t) = E_\delta * (dh_t/dc_t)",
                   r"only the path through $h_t$: misses the path through $c_{t+1}$ (`dc_next`)", ("03", "05")),
    PrintedFormula("dE_dc", r"\partial L/\partial c_t", rf"dE/dc_t = {_DC}",
                   r"exact only at the last step: misses the path through $c_{t+1}$", ("03", "05")),
    PrintedFormula("dE_di_chain", r"\partial L/\partial i", r"dE/di = (dE/di) * (dc_t/di)",
                   r"circular: the first factor must be $dE/dc_t$", ("03",)),
    PrintedFormula("dE_di", r"\partial L/\partial i", rf"dE/di = {_DC} * g", CORRECT, ("03",)),
    PrintedFormula("dE_dg", r"\partial L/\partial g", rf"dE/dg = {_DC} * i", CORRECT, ("03",)),
    PrintedFormula("dE_df_chain", r"\partial L/\partial f", r"dE/df = E_\delta * (dE/dc_t) * (dc_t/dt)",
                   r"$E_\delta$ twice ($dE/dc_t$ already holds it), and $dc_t/dt$ is $dc_t/df$", ("03", "09")),
    PrintedFormula("dE_df", r"\partial L/\partial f", rf"dE/df = {_DC} * c_{{t-1}}",
                   r"as printed, correct (one $E_\delta$, contradicting its own chain line)", ("03",)),
    PrintedFormula("dE_dc_prev_chain", r"\partial L/\partial c_{t-1}",
                   r"dE/dc_{t-1} = E_\delta * (dE/dc_t) * (dc_t/dc_{t-1})",
                   r"$E_\delta$ twice ($dE/dc_t$ already holds it)", ("03", "09")),
    PrintedFormula("dE_dc_prev", r"\partial L/\partial c_{t-1}", rf"dE/dc_t = {_DC} * f",
                   r"mislabelled: the left-hand side is $dE/dc_{t-1}$, not $dE/dc_t$", ("03", "09")),
    # ---------------------------------------------------------------- Step 4: weight gradients
    PrintedFormula("dE_dw_xo", r"\partial L/\partial w_{xo}",
                   rf"dE/dw_{{xo}} = dE/do * (do/dw_{{xo}}) = E_\delta * \tanh(c_t) * {_SIG_O} * x_t",
                   _UNCLOSED, ("02", "04")),
    PrintedFormula("dE_dw_ho", r"\partial L/\partial w_{ho}",
                   rf"dE/dw_{{ho}} = dE/do * (do/dw_{{ho}}) = E_\delta * \tanh(c_t) * {_SIG_O} * h_{{t-1}}",
                   _UNCLOSED, ("04",)),
    PrintedFormula("dE_db_o", r"\partial L/\partial b_o",
                   rf"dE/db_o = dE/do * (do/db_o) = E_\delta * \tanh(c_t) * {_SIG_O}", _UNCLOSED, ("04",)),
    PrintedFormula("dE_dw_xf", r"\partial L/\partial w_{xf}",
                   rf"dE/dw_{{xf}} = dE/df * (df/dw_{{xf}}) = {_DC} * c_{{t-1}} * {_SIG_F} * x_t",
                   _UNCLOSED, ("04",)),
    PrintedFormula("dE_dw_hf", r"\partial L/\partial w_{hf}",
                   rf"dE/dw_{{hf}} = dE/df * (df/dw_{{hf}}) = {_DC} * c_{{t-1}} * {_SIG_F} * h_{{t-1}}",
                   _UNCLOSED, ("04",)),
    PrintedFormula("dE_db_f", r"\partial L/\partial b_f",
                   rf"dE/db_o = dE/df * (df/db_o) = {_DC} * c_{{t-1}} * {_SIG_F}",
                   r"mislabelled: under the forget gate, $db_o$ is $db_f$", ("04", "09")),
    PrintedFormula("dE_dw_xi", r"\partial L/\partial w_{xi}",
                   rf"dE/dw_{{xi}} = dE/di * (di/dw_{{xi}}) = {_DC} * g * {_SIG_I} * x_t", _UNCLOSED, ("04",)),
    PrintedFormula("dE_dw_hi", r"\partial L/\partial w_{hi}",
                   rf"dE/dw_{{hi}} = dE/di * (di/dw_{{hi}}) = {_DC} * g * {_SIG_I} * h_{{t-1}}",
                   _UNCLOSED, ("04",)),
    PrintedFormula("dE_db_i", r"\partial L/\partial b_i",
                   rf"dE/db_i = dE/di * (di/db_i) = {_DC} * g * {_SIG_I}", _UNCLOSED, ("04",)),
    PrintedFormula("dE_dw_xg", r"\partial L/\partial w_{xg}",
                   rf"dE/dw_{{xg}} = dE/dg * (dg/dw_{{xg}}) = {_DC} * i * {_TANH_G} * x_t", _QMARK, ("04",)),
    PrintedFormula("dE_dw_hg", r"\partial L/\partial w_{hg}",
                   rf"dE/dw_{{hg}} = dE/dg * (dg/dw_{{hg}}) = {_DC} * i * {_TANH_G} * h_{{t-1}}", _QMARK, ("04",)),
    PrintedFormula("dE_db_g", r"\partial L/\partial b_g",
                   rf"dE/db_g = dE/dg * (dg/db_g) = {_DC} * i * {_TANH_G}", _QMARK, ("04",)),
    PrintedFormula("final", r"\text{gradients over the sequence}",
                   r"\text{Finally the gradients } \dots \text{ are,} \quad (\text{nothing follows})",
                   r"missing: no sum over time, no $\partial L/\partial h_{t-1}$, no $\partial L/\partial x_t$",
                   ("05", "09")),
)
"""The article's formulas in the order it printed them (Steps 1 to 4)."""

TYPOS = ("weights_input_gate", "inputs", "Z_i")
"""Keys of the forward-pass typos that lesson 01 fixes: w_hj, w_g, h_{t-i}, Z_j."""


def printed_formula(key):
    """The ``PrintedFormula`` with this key, or a KeyError listing the keys."""
    for formula in ARTICLE_FORMULAS:
        if formula.key == key:
            return formula
    raise KeyError(f"no printed formula {key!r}; keys are {[f.key for f in ARTICLE_FORMULAS]}")


def _cell(text):
    """Text made safe inside a markdown table cell (a | would split the cell)."""
    return text.replace("|", r"\vert ")


def _math_lines(latex):
    """A printed chain ``a = b = c`` as math lines ``$a = b$<br>$= c$``, so long chains wrap in a table."""
    left, *rest = latex.split(" = ")
    pieces = [f"{left} = {rest[0]}" if rest else left] + [f"= {part}" for part in rest[1:]]
    return "<br>".join(f"${_cell(piece)}$" for piece in pieces)


def article_table(keys=None, link=True):
    """A markdown table of the printed formulas: quantity, as printed, verdict, where discussed.

    Parameters
    ----------
    keys : iterable of str or None, the formulas to list (all, in printed order, when None).
    link : bool, write lesson numbers as links to their notebooks (relative to ``notebooks/``).

    Returns
    -------
    str, the markdown table (one header, one separator, one row per formula); a printed chain
    ``a = b = c`` is broken into lines after its first equation.
    """
    formulas = ARTICLE_FORMULAS if keys is None else tuple(printed_formula(k) for k in keys)
    rows = ["| # | quantity | as printed | verdict | discussed in |", "|---|---|---|---|---|"]
    for number, formula in enumerate(formulas, start=1):
        lessons = ", ".join(f"[{n}]({LESSON_FILES[n]})" if link else n for n in formula.lessons)
        verdict = formula.note if formula.correct else f"**{formula.note}**"
        rows.append(f"| {number} | ${_cell(formula.quantity)}$ | {_math_lines(formula.printed)} | "
                    f"{_cell(verdict)} | {lessons} |")
    return "\n".join(rows)
