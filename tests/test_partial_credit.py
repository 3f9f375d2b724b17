"""Checks over several bad arguments give partial credit per argument (issue 13, item 4)."""
import functools
import types

import pytest

from coursekit import hidden, variants
from coursekit.chapters import exercise_modules
from coursekit.graders.common import all_value_errors, wrong_type
from nnlib.checking import Checker


def test_each_bad_call_earns_its_share():
    labels = ["n = 0", "n = -1", wrong_type("n = 'a'"), "fractions sum to 2"]
    assert all_value_errors(["ValueError", "ValueError", "TypeError", "ValueError"], labels) is None
    one_missed = all_value_errors(["ValueError", "no error", "TypeError", "ValueError"], labels)
    assert hidden.credit(one_missed) == pytest.approx(0.75) and "n = -1" in one_missed
    assert hidden.credit(all_value_errors(["no error"] * 4, labels)) == 0.0
    assert hidden.credit(all_value_errors(["ValueError"], labels)) == 0.0   # malformed: no credit


def test_partial_error_credit_needs_another_passing_check():
    checks = [c for c in hidden.suite("splitting").checks if c.exercise == "split_indices"]
    error = next(c for c in checks if hidden.is_error_check(c))
    partial = hidden.Partial("bad arguments: n = -1", 0.5)
    alone = next(r for c, r in hidden.apply_error_rule([(c, partial if c is error else "wrong") for c in checks])
                 if c is error)
    assert alone == hidden.ERRORS_NEED_ANOTHER_PASS and hidden.credit(alone) == 0
    helped = next(r for c, r in hidden.apply_error_rule([(c, partial if c is error else None) for c in checks])
                  if c is error)
    assert hidden.credit(helped) == 0.5


def _forgets_first_check(function):
    """``function`` that forgets one argument check: the first ValueError/TypeError it raises in a call is swallowed."""
    state = {"forgotten": False}

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except (ValueError, TypeError):
            if state["forgotten"]:
                raise
            state["forgotten"] = True
            return None
    return wrapper


def _error_checks():
    for module in exercise_modules():
        for check in hidden.suite(module).checks:
            if hidden.is_error_check(check):
                yield pytest.param(module, check, id=f"{module}-{check.exercise}-{check.seed}")


@pytest.mark.parametrize("module, check", list(_error_checks()))
def test_forgetting_one_bad_argument_costs_only_its_share(module, check):
    reference = variants.reference_module(module)
    calls = hidden.run_probe(check, reference)
    if not (isinstance(calls, list) and len(calls) >= 2 and all(isinstance(c, str) for c in calls)):
        pytest.skip("not a check over several bad calls")
    student = types.SimpleNamespace(**{name: getattr(reference, name) for name in dir(reference) if not name.startswith("__")})
    setattr(student, check.exercise, _forgets_first_check(getattr(reference, check.exercise)))
    reason = hidden.judge(check, hidden.run_probe(check, student), reference)
    assert reason is not None, "forgetting a check must fail the check"
    assert hidden.credit(reason) == pytest.approx(1 - 1 / len(calls))


def test_checker_scores_partly_passed_hidden_checks():
    checker = Checker("f", points=4, verbose=False)
    checker.add_hidden("properties", True)
    checker.add_hidden("bad arguments", False, credit=0.5)
    assert checker.score() == pytest.approx(3.0)
