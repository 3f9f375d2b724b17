"""Invariant 8: every correct implementation earns full marks, not just the reference.

``tests/alternatives/<module>.py`` holds, for each exercise module, an independent correct
answer written from the stub's docstring alone (never from the reference): other loops,
other vectorization, another order of random draws wherever the contract leaves it open.
Each must pass every hidden check, so a check that tests the reference's choices instead of
the contract fails here.
"""
from pathlib import Path

import pytest

from coursekit import hidden, variants
from coursekit.chapters import exercise_modules

ALTERNATIVES = Path(__file__).parent / "alternatives"
MODULES = exercise_modules()


def alternative(module):
    path = ALTERNATIVES / f"{module}.py"
    assert path.exists(), f"no alternative correct answer for nnlib/{module}.py in {ALTERNATIVES}"
    return variants.load_module(path.read_text(encoding="utf-8"), f"_alternative_{module}")


@pytest.mark.parametrize("module", MODULES)
def test_alternative_answers_every_exercise(module):
    student = alternative(module)
    missing = [name for name in hidden.suite(module).exercises if not callable(getattr(student, name, None))]
    assert missing == [], f"tests/alternatives/{module}.py lacks {missing}"


@pytest.mark.parametrize("module", MODULES)
def test_alternative_earns_full_marks(module):
    student, reference = alternative(module), variants.reference_module(module)
    failures = [(check.exercise, check.description, reason)
                for check, reason in hidden.run_suite(student, reference, hidden.suite(module).checks) if reason]
    assert failures == []


@pytest.mark.parametrize("module", MODULES)
def test_alternative_is_not_the_reference(module):
    text = (ALTERNATIVES / f"{module}.py").read_text(encoding="utf-8")
    body_lines = {line.strip() for line in variants.reference_source(module).splitlines() if len(line.strip()) > 30}
    copied = [line for line in text.splitlines() if line.strip() in body_lines and not line.strip().startswith(("def ", '"""', "#"))]
    assert len(copied) <= 3, f"the alternative repeats the reference's lines: {copied[:5]}"


STUDENTS = [f"student-{i}" for i in range(8)]


@pytest.mark.parametrize("module", MODULES)
def test_reference_and_alternative_pass_for_every_students_inputs(module):
    """Grading seeds each check per student (coursekit.grading.seeds): no seed may fail a correct answer."""
    checks, reference = hidden.suite(module).checks, variants.reference_module(module)
    failures = []
    for student in STUDENTS:
        seeds = [check.seed_for(student, "a course key") for check in checks]
        for name, answer in (("reference", reference), ("alternative", alternative(module))):
            failures += [(student, name, check.description, reason)
                         for check, reason in hidden.run_suite(answer, reference, checks, seeds=seeds) if reason]
    assert failures == []
