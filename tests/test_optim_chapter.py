"""Chapter 6 (nnlib.optim): strict judges and the facts the chapter's text relies on."""
import math

import numpy as np
import pytest

from coursekit import hidden, variants

SUITE = hidden.suite("optim")
CHECKS = SUITE.checks
JUNK = {
    "None": None,
    "empty list": [],
    "empty tuple": (),
    "a string": "ok",
    "NaN": float("nan"),
    "a huge array": np.zeros(10**6),
    "a NaN array": np.full(7, np.nan),
    "nested empties": [[], [], []],
}


@pytest.fixture(scope="module")
def reference():
    return variants.reference_module("optim")


@pytest.mark.parametrize("check", CHECKS, ids=[f"{c.exercise}:{i}" for i, c in enumerate(CHECKS)])
def test_every_judge_rejects_junk(check, reference):
    for label, junk in JUNK.items():
        assert hidden.judge(check, junk, reference) is not None, f"{check.description}: accepted {label}"


@pytest.mark.parametrize("check", CHECKS, ids=[f"{c.exercise}:{i}" for i, c in enumerate(CHECKS)])
def test_every_judge_rejects_a_truncated_or_padded_result(check, reference):
    """The reference's own result, one item short or one item too long, must fail."""
    got = hidden.run_probe(check, reference)
    assert hidden.judge(check, got, reference) is None
    assert isinstance(got, (list, tuple)) and len(got) >= 1
    assert hidden.judge(check, type(got)(got[:-1]), reference) is not None, check.description
    assert hidden.judge(check, type(got)(list(got) + [got[-1]]), reference) is not None, check.description


def test_adam_first_step_with_and_without_bias_correction(reference):
    """The numbers the chapter quotes: about lr sign(g) corrected, about 3.16 lr uncorrected."""
    g = np.array([0.003, -2.0, 40.0])
    w, m, v, t = reference.adam(np.zeros(3), g, np.zeros(3), np.zeros(3), 0, lr=0.01)
    assert t == 1
    np.testing.assert_allclose(-w, 0.01 * np.sign(g), rtol=1e-5)
    uncorrected = 0.01 * m / (np.sqrt(v) + 1e-8)
    np.testing.assert_allclose(uncorrected, 0.01 * np.sign(g) / math.sqrt(0.001) * 0.1, rtol=1e-3)


def test_nesterov_is_the_explicit_look_ahead(reference):
    """The derivation in the text: the rewritten step tracks theta + mu v of the explicit form."""
    rng = np.random.default_rng(0)
    h, c = rng.uniform(0.5, 2.0, 4), rng.normal(size=4)
    theta, v_explicit = rng.normal(size=4), np.zeros(4)
    w, v = theta.copy(), np.zeros(4)
    for _ in range(30):
        v_explicit = 0.9 * v_explicit - 0.1 * h * (theta + 0.9 * v_explicit - c)
        theta = theta + v_explicit
        w, v = reference.nesterov(w, h * (w - c), v, 0.1, mu=0.9)
    np.testing.assert_allclose(w, theta + 0.9 * v_explicit, rtol=1e-12)


def test_hessian_memory_arithmetic():
    """10^6 parameters: a 10^6 x 10^6 float32 Hessian is about 3,725 GiB (the seeds' 3,725 GB)."""
    assert round(1e6 ** 2 * 4 / 2 ** 30) == 3725
