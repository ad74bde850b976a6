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


MATH_ONLY = re.compile(r"\\(dots|ldots|cdots|partial|frac|sigma|quad|mathbb|tanh)\b|[\^_]")
"""What MathJax typesets only in math mode (\\dots in text mode is 'only supported in math mode')."""


def _text_groups(math):
    """The contents of every \\text{...} in a LaTeX string, braces matched."""
    groups = []
    for match in re.finditer(r"\\text\{", math):
        depth, start = 1, match.end()
        for end in range(start, len(math)):
            depth += {"{": 1, "}": -1}.get(math[end], 0)
            if depth == 0:
                groups.append(math[start:end])
                break
        else:
            raise AssertionError(f"unclosed \\text{{ in {math}")
    return groups


def test_the_table_has_no_math_command_outside_math_mode():
    for line in article_table().splitlines()[2:]:
        pieces = line.split("$")
        assert len(pieces) % 2 == 1, f"unbalanced $ in {line}"
        for outside in pieces[::2]:  # the markdown between $...$ spans
            assert "\\" not in outside, f"a LaTeX command outside $...$: {outside!r} in {line}"
        for math in pieces[1::2]:
            for text in _text_groups(math):
                assert not MATH_ONLY.search(text), f"math-mode-only LaTeX inside \\text{{{text}}} in {line}"
    assert _text_groups(r"\text{a \dots\ b} x") == [r"a \dots\ b"]  # what the check caught in row 40
    assert MATH_ONLY.search(r"a \dots\ b")
