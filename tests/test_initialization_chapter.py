"""Chapter 4 beyond the shared tests: notebook wiring, forward/backward round trip, check bounds."""
import math

import numpy as np
import pytest

from coursekit import hidden, variants
from coursekit.chapters import chapter
from coursekit.grading.grade import exercises
from coursekit.notebooks import read

CH = chapter("ch04")


@pytest.fixture(scope="module")
def reference():
    return variants.reference_module("initialization")


def test_every_exercise_has_one_graded_cell_with_the_hidden_block():
    graded = {cell.metadata["nbgrader"]["grade_id"]: cell for cell in read(CH.notebook_path).cells
              if cell.get("metadata", {}).get("nbgrader", {}).get("grade")}
    names = hidden.suite("initialization").exercises
    assert sorted(graded) == sorted(f"ch04_{name}" for name in names)
    for grade_id, cell in graded.items():
        assert cell.metadata["nbgrader"]["locked"] is True
        assert f'Checker("{grade_id.removeprefix("ch04_")}", points=' in cell.source
        assert "### BEGIN HIDDEN TESTS\nfrom coursekit.hidden import run; run(check)\n### END HIDDEN TESTS" in cell.source
        assert cell.source.rstrip().endswith("check.score()")
    assert sum(exercises(CH).values()) == 16


def test_backward_of_the_forward_cache_matches_finite_differences(reference):
    """The two exercises fit together: backward on forward's own cache is the gradient."""
    rng = np.random.default_rng(0)
    x, gamma, beta = rng.normal(1.0, 2.0, (7, 4)), rng.normal(size=4), rng.normal(size=4)
    dout = rng.normal(size=(7, 4))
    _, cache = reference.batchnorm_forward(x, gamma, beta)
    dx, dgamma, dbeta = reference.batchnorm_backward(dout, cache)
    h = 1e-6

    def loss(x_, gamma_=gamma, beta_=beta):
        return float(np.sum(reference.batchnorm_forward(x_, gamma_, beta_)[0] * dout))

    numeric = np.zeros_like(x)
    for index in np.ndindex(*x.shape):
        step = np.zeros_like(x)
        step[index] = h
        numeric[index] = (loss(x + step) - loss(x - step)) / (2 * h)
    np.testing.assert_allclose(dx, numeric, rtol=1e-5, atol=1e-8)
    numeric_gamma = [(loss(x, gamma + h * e) - loss(x, gamma - h * e)) / (2 * h) for e in np.eye(4)]
    np.testing.assert_allclose(dgamma, numeric_gamma, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(dbeta, dout.sum(axis=0), rtol=1e-12)


def test_inference_with_converged_running_stats_equals_training_mode(reference):
    rng = np.random.default_rng(1)
    x, gamma, beta = rng.normal(3.0, 0.5, (50, 3)), rng.normal(size=3), rng.normal(size=3)
    out, cache = reference.batchnorm_forward(x, gamma, beta)
    mean, var = np.zeros(3), np.ones(3)
    for _ in range(400):
        mean, var = reference.update_running_stats(mean, var, cache["mean"], cache["var"])
    np.testing.assert_allclose(reference.batchnorm_inference(x, gamma, beta, mean, var), out, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("scheme, variance", [("lecun", 1 / 300), ("glorot_normal", 2 / 400),
                                              ("glorot_uniform", 2 / 400), ("he", 2 / 300), ("small", 1e-4)])
def test_schemes_have_their_documented_variance(reference, scheme, variance):
    W = reference.init_weights(300, 100, scheme, np.random.default_rng(2))
    # 30,000 draws: the sample variance is within 5 % except with probability far below 1e-6
    assert math.isclose(float(np.mean(W ** 2)), variance, rel_tol=0.05)


def test_init_network_matches_the_mlp_layout(reference):
    """init_network's output goes straight into nnlib.mlp, like init_params's."""
    from nnlib.mlp import forward, init_params
    params = reference.init_network([3, 5, 2], "glorot_uniform", np.random.default_rng(3))
    shapes = {k: v.shape for k, v in init_params([3, 5, 2], rng=np.random.default_rng(3)).items()}
    assert {k: v.shape for k, v in params.items()} == shapes
    scores, _ = forward(params, np.ones((4, 3)))
    assert scores.shape == (4, 2)
