"""Invariant 3: every hidden check passes on the reference, every stub scores 0, every mutant loses points."""
import pytest

from coursekit import hidden, variants
from coursekit.chapters import exercise_modules

MODULES = exercise_modules()
MUTANTS = [(module, mutant) for module in MODULES for mutant in hidden.suite(module).mutants]


@pytest.fixture(scope="module", params=MODULES)
def module(request):
    return request.param


def _failures(student_module, module, checks):
    reference = variants.reference_module(module)
    return [(check.description, reason) for check, reason in hidden.run_suite(student_module, reference, checks)
            if reason is not None]


def test_reference_passes_every_hidden_check(module):
    suite = hidden.suite(module)
    assert len(suite.checks) >= 3 * len(suite.exercises)
    assert _failures(variants.reference_module(module), module, suite.checks) == []


def test_stub_fails_every_hidden_check(module):
    stub = variants.load_module(variants.stub_source(module), f"_stub_{module}")
    checks = hidden.suite(module).checks
    assert len(_failures(stub, module, checks)) == len(checks)


def test_every_exercise_has_three_mutants(module):
    suite = hidden.suite(module)
    for exercise in suite.exercises:
        assert sum(m.exercise == exercise for m in suite.mutants) >= 3, exercise


@pytest.mark.parametrize("module, mutant", MUTANTS, ids=[f"{module}-{m.exercise}-{m.name}" for module, m in MUTANTS])
def test_mutant_loses_points(module, mutant):
    source = variants.mutant_source(module, mutant)
    assert source != variants.reference_source(module)
    student = variants.load_module(source, f"_mutant_{mutant.name}")
    assert _failures(student, module, hidden.suite(module).for_exercise(mutant.exercise)), \
        f"mutant {mutant.name} ({mutant.misconception}) passes every hidden check"


def test_hidden_checks_are_reproducible(module):
    """Same seeds, same verdicts: a regrade gives the same score."""
    stub_like = variants.load_module(variants.mutant_source(module, hidden.suite(module).mutants[0]), "_again")
    checks = hidden.suite(module).checks
    assert _failures(stub_like, module, checks) == _failures(stub_like, module, checks)


def test_probe_output_must_be_plain_data():
    class Sneaky:
        pass
    with pytest.raises(TypeError, match="Sneaky"):
        hidden.to_plain([1, {"a": Sneaky()}])
    assert isinstance(hidden.run_probe(hidden.HiddenCheck("x", "d", lambda m, s: Sneaky()), None), hidden.Raised)
