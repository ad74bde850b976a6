"""The record of the article's printed formulas: complete, unique, honest about its slips, renders."""

import re
from pathlib import Path

import pytest

from lstm_core.course.article_record import (
    ARTICLE_FORMULAS,
    CORRECT,
    LESSON_FILES,
    TYPOS,
    article_table,
    printed_formula,
)

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def test_every_key_is_unique_and_every_field_filled():
    keys = [f.key for f in ARTICLE_FORMULAS]
    assert len(keys) == len(set(keys)), f"duplicate keys: {sorted(k for k in keys if keys.count(k) > 1)}"
    for formula in ARTICLE_FORMULAS:
        assert formula.quantity.strip() and formula.printed.strip() and formula.note.strip(), formula.key
        assert formula.lessons and set(formula.lessons) <= set(LESSON_FILES), formula.key


@pytest.mark.parametrize("key, printed", [
    ("Z_i", "Z_j ="),  # the left-hand side typo
    ("weights_input_gate", "w_{hj}"),
    ("weights_input_gate", "w_g,"),
    ("inputs", "h_{t-i}"),
    ("E_delta", "E_\\delta = dE/dh_t"),
    ("E_delta_mse", "(y - h(x))"),
    ("dE_di_chain", "dE/di = (dE/di) * (dc_t/di)"),  # circular
    ("dE_df_chain", "(dc_t/dt)"),
    ("dE_df_chain", "E_\\delta * (dE/dc_t)"),  # E_delta twice
    ("dE_dc_prev_chain", "E_\\delta * (dE/dc_t)"),
    ("dE_dc_prev", "dE/dc_t ="),  # the dE/dc_{t-1} expansion labelled dE/dc_t
    ("dE_db_f", "dE/db_o ="),  # the forget gate's bias labelled b_o
    ("final", "nothing follows"),
])
def test_the_named_slips_are_recorded_as_printed_and_flagged(key, printed):
    formula = printed_formula(key)
    assert printed in formula.printed
    if key != "E_delta":  # right as the total gradient; flagged for how the article uses it
        assert not formula.correct, f"{key} is a slip but its note says {formula.note!r}"
    assert formula.note != CORRECT


def test_the_typos_lesson_01_fixes_are_listed():
    assert set(TYPOS) <= {f.key for f in ARTICLE_FORMULAS}
    assert all("01" in printed_formula(k).lessons and "typo" in printed_formula(k).note for k in TYPOS)


def test_correct_lines_are_marked_correct():
    assert printed_formula("h_t").correct and printed_formula("dE_do").correct
    assert printed_formula("dE_dw_xo").correct  # right up to an unclosed parenthesis


def test_unknown_key_is_a_clear_error():
    with pytest.raises(KeyError, match="no printed formula 'Z_q'"):
        printed_formula("Z_q")


def test_the_table_renders_one_row_per_formula_with_working_links():
    table = article_table()
    lines = table.splitlines()
    assert lines[0].startswith("| # | quantity | as printed |") and set(lines[1]) <= set("|-")
    assert len(lines) == 2 + len(ARTICLE_FORMULAS)
    for line, formula in zip(lines[2:], ARTICLE_FORMULAS):
        assert line.count("|") == 6, line  # five cells: no stray | inside one
        pieces = formula.printed.split(" = ")
        assert all(piece in line for piece in pieces), f"{formula.key} is not printed in full"
        assert line.count("$") % 2 == 0, f"unbalanced $ in {line}"
    linked = set(re.findall(r"\]\((\d\d_\w+\.ipynb)\)", table))
    assert linked == set(LESSON_FILES.values())  # every lesson that discusses a formula is linked
    assert all((NOTEBOOKS / name).exists() for name in linked), "a link points to a missing lesson"


def test_the_table_can_list_a_subset_without_links():
    table = article_table(keys=TYPOS, link=False)
    assert len(table.splitlines()) == 2 + len(TYPOS) and "](" not in table
