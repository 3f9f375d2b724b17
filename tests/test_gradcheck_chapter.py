"""Chapter 5 beyond the shared tests: strict judges, and the reference checking itself.

* Every judge of ``coursekit/graders/gradcheck.py`` rejects junk (None, empty or short lists,
  NaN, wrong types) instead of passing it vacuously.
* The reference ``grad_check`` run on the reference ``mlp_loss_and_grads`` (L2 and a seeded
  dropout mask) reports every tensor below 1e-6, and flags each planted bug on its tensor.
"""
import math

import numpy as np
import pytest

from coursekit import hidden, variants

SUITE = hidden.suite("gradcheck")
JUNK = [None, [], [None], float("nan"), np.full(3, np.nan), "ok", {}, [[], [], [], [], []]]


@pytest.fixture(scope="module")
def reference():
    return variants.reference_module("gradcheck")


@pytest.mark.parametrize("check", SUITE.checks, ids=[f"{c.exercise}:{i}" for i, c in enumerate(SUITE.checks)])
def test_judges_reject_junk(check, reference):
    for junk in JUNK:
        assert hidden.judge(check, junk, reference) is not None, (check.description, junk)


def _two_layer(seed):
    rng = np.random.default_rng(seed)
    from nnlib.mlp import init_params
    params = init_params([5, 6, 3], rng=rng)
    params["b1"], params["b2"] = rng.normal(0, 0.3, 6), rng.normal(0, 0.3, 3)
    return params, rng.normal(size=(3, 5)), rng.integers(0, 3, size=3)


@pytest.mark.parametrize("seed", range(3))
def test_reference_checker_passes_reference_network(reference, seed):
    params, X, y = _two_layer(seed)
    options = dict(lam=0.7, keep_prob=0.6, seed=seed)
    _, grads = reference.mlp_loss_and_grads(params, X, y, **options)
    report = reference.grad_check(lambda p: reference.mlp_loss_and_grads(p, X, y, **options)[0], params, grads,
                                  n_per_param=100, rng=np.random.default_rng(seed))
    assert list(report) == ["W1", "b1", "W2", "b2"]
    assert all(isinstance(v, float) and math.isfinite(v) and v < 1e-6 for v in report.values()), report


@pytest.mark.parametrize("tensor", ["W1", "b1", "W2", "b2"])
def test_reference_checker_flags_the_planted_tensor(reference, tensor):
    params, X, y = _two_layer(4)
    _, grads = reference.mlp_loss_and_grads(params, X, y, lam=0.5)
    grads = {**grads, tensor: 1.5 * grads[tensor]}
    report = reference.grad_check(lambda p: reference.mlp_loss_and_grads(p, X, y, lam=0.5)[0], params, grads,
                                  n_per_param=100, rng=np.random.default_rng(0))
    assert {k for k, v in report.items() if reference.verdict(v, has_kinks=True) == "wrong"} == {tensor}, report


@pytest.mark.parametrize("which", ["reference", "alternative"])
def test_full_marks_through_the_wire(which, reference):
    """The isolated grader sends probe results as JSON (coursekit.grading.wire); 0-d results must survive it."""
    from pathlib import Path

    from coursekit.grading import wire
    if which == "reference":
        student = reference
    else:
        path = Path(__file__).parent / "alternatives" / "gradcheck.py"
        student = variants.load_module(path.read_text(encoding="utf-8"), "_alternative_gradcheck_wire")
    failures = [(c.description, reason) for c in SUITE.checks
                if (reason := hidden.judge(c, wire.loads(wire.dumps(hidden.run_probe(c, student))), reference))]
    assert failures == []


def test_judges_do_not_need_nnlib():
    """The judges run in the grader, where only the instructor's coursekit is importable."""
    import ast
    from coursekit.paths import ROOT
    tree = ast.parse((ROOT / "coursekit" / "graders" / "gradcheck.py").read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not [name for name in imported if name.split(".")[0] == "nnlib"]


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_judges_backward_pass_matches_nnlib(activation):
    from coursekit.graders import gradcheck as graders
    from nnlib.mlp import loss_and_grads
    params, X, y = graders._net(123, 0)
    loss, grads = graders._loss_and_grads(params, X, y, activation)
    expected_loss, expected = loss_and_grads(params, X, y, activation=activation)
    assert loss == pytest.approx(expected_loss, rel=1e-12)
    for name in expected:
        np.testing.assert_allclose(grads[name], expected[name], rtol=1e-10, atol=1e-14)


def test_scale_invariance_check_is_fair_when_a_and_b_nearly_cancel():
    """Seed 2140522021 once drew a pair 8e-8 apart; cancellation in a - b then failed the reference."""
    check = next(c for c in hidden.suite("gradcheck").checks if c.description.startswith("symmetric in a and b"))
    reference = variants.reference_module("gradcheck")
    for seed in (2140522021, check.seed, 7, 12345):
        assert hidden.judge(check, hidden.run_probe(check, reference, seed), reference, seed) is None
