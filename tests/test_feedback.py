"""Exercise feedback names the likely mistake, and only when the evidence supports it."""

import numpy as np
import pytest

from lstm_core.course.feedback import diagnose, expect_close


def test_passes_when_close():
    expect_close("dw", np.ones((2, 3)), np.ones((2, 3)) + 1e-12)


@pytest.mark.parametrize("got, fragment", [
    (lambda e: -e, "wrong sign"),
    (lambda e: e.T, "transpose"),
    (lambda e: 2 * e, "times 2"),
    (lambda e: np.stack([e, e]), "sum over the batch"),
    (lambda e: e[:, :2], r"should be \(3, 3\)"),
])
def test_diagnoses_common_mistakes(got, fragment):
    expected = np.arange(9.0).reshape(3, 3) - 2.5
    with pytest.raises(AssertionError, match=fragment):
        expect_close("dw_hf", got(expected), expected)


def test_named_mistakes_win():
    expected = np.array([1.0, 2.0, 3.0])
    wrong = np.array([1.0, 0.0, 3.0])
    with pytest.raises(AssertionError, match="dc_prev is wrong.*missing f"):
        expect_close("dc_prev", wrong, expected, mistakes={"missing f": wrong})


def test_no_factor_claim_for_scalars_or_ratio_near_one():
    assert diagnose(np.array(1.5), np.array(1.0)) is None
    expected = np.linspace(1, 2, 5)
    assert diagnose(expected * 1.0004 + np.array([0, 0, 0, 0, 1e-3]), expected) is None


def test_none_is_reported():
    with pytest.raises(AssertionError, match="forget to return"):
        expect_close("dx", None, np.zeros(2))
