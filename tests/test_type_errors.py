"""The bad-argument contract: a wrong VALUE raises ValueError; an argument of the wrong TYPE
may raise ValueError or TypeError (every exercise docstring's Raises section says so).

The hidden checks follow it through ``coursekit.graders.common.all_value_errors``: a bad
call labelled with ``wrong_type`` accepts either exception, every other bad call wants
ValueError.
"""
import types

import pytest

from coursekit import hidden, variants
from coursekit.chapters import exercise_modules
from coursekit.graders.common import all_value_errors, wrong_type
from coursekit.stubs import solution_path

LABELS = ["n = 0", wrong_type("n = 2.5"), wrong_type("rng = None")]


def test_type_error_passes_only_for_a_wrong_type():
    assert all_value_errors(["ValueError", "ValueError", "ValueError"], LABELS) is None
    assert all_value_errors(["ValueError", "TypeError", "TypeError"], LABELS) is None
    reason = all_value_errors(["TypeError", "TypeError", "ValueError"], LABELS)
    assert reason is not None and "n = 0: TypeError (expected ValueError)" in reason
    reason = all_value_errors(["ValueError", "KeyError", "returned"], LABELS)
    assert "n = 2.5: KeyError (expected ValueError or TypeError)" in reason and "rng = None: returned" in reason
    for junk in ([], None, ["ValueError"] * 2, ["ValueError", "ValueError", 3]):
        assert all_value_errors(junk, LABELS) is not None


def _error_checks():
    return [pytest.param(module, index, id=f"{module}-{check.exercise}")
            for module in exercise_modules() for index, check in enumerate(hidden.suite(module).checks)
            if hidden.is_error_check(check)]


@pytest.mark.parametrize("module, index", _error_checks())
def test_every_error_check_still_wants_value_error_for_a_wrong_value(module, index):
    """TypeError (or returning) for every bad call fails: each check has at least one wrong value."""
    check = hidden.suite(module).checks[index]
    reference = variants.reference_module(module)
    got = hidden.run_probe(check, reference)
    assert hidden.judge(check, got, reference) is None
    assert isinstance(got, list) and got and all(g == "ValueError" for g in got)
    for instead in ("TypeError", "returned", "KeyError"):
        assert hidden.judge(check, [instead] * len(got), reference) is not None


def test_a_bare_range_test_that_raises_type_error_for_a_string_earns_full_marks():
    """Issue 13 item 4: ``diagnose("0.1", ...)`` may raise TypeError, not only ValueError."""
    reference = variants.reference_module("diagnose")

    def diagnose(train_error, dev_error, optimal_error=0.0, *, tol=0.02):
        for value in (train_error, dev_error, optimal_error, tol):
            if not 0 <= value <= 1:      # a str raises TypeError here; NaN fails the range test
                raise ValueError(f"error rates are fractions in [0, 1], got {value}")
        return reference.diagnose(train_error, dev_error, optimal_error, tol=tol)

    student = types.SimpleNamespace(**{**vars(reference), "diagnose": diagnose})
    results = hidden.run_suite(student, reference, hidden.suite("diagnose").for_exercise("diagnose"))
    assert [reason for _, reason in results] == [None] * len(results)


def test_every_raises_section_states_the_contract():
    for module in exercise_modules():
        text = solution_path(module).read_text(encoding="utf-8")
        assert text.count("    Raises\n    ------\n    ValueError") == text.count("    TypeError\n        May be raised "
                                                                               "instead of ValueError"), module
