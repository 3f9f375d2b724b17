"""Tests for nnlib.losses: values, gradients, stability, validation."""

import warnings

import numpy as np
import pytest

from nnlib.losses import binary_cross_entropy, softmax, softmax_cross_entropy

try:
    from numerical import numerical_gradient, relative_error
except ImportError:  # tests run as a package
    from tests.numerical import numerical_gradient, relative_error


# ------------------------------------------------------------------ softmax


def test_softmax_known_values_and_rows_sum_to_one():
    np.testing.assert_allclose(softmax([0.0, np.log(3.0)]), [0.25, 0.75], rtol=1e-15)
    s = np.random.default_rng(0).standard_normal((6, 4)) * 5
    p = softmax(s)
    assert p.shape == (6, 4)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-14)
    np.testing.assert_allclose(p, np.exp(s) / np.exp(s).sum(axis=1, keepdims=True), rtol=1e-12)


def test_softmax_shift_invariant_and_stable_at_extremes():
    s = np.array([[1.0, 2.0, 3.0]])
    np.testing.assert_allclose(softmax(s + 1000.0), softmax(s), rtol=1e-14)
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        p = softmax(np.array([[1e4, 0.0, -1e4], [-1e4, -1e4, -1e4]]))
    np.testing.assert_allclose(p, [[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]], rtol=1e-14)


def test_softmax_does_not_mutate_input():
    s = np.array([[3.0, 1.0]])
    softmax(s)
    np.testing.assert_array_equal(s, [[3.0, 1.0]])


@pytest.mark.parametrize("bad", [np.zeros((2, 0)), np.zeros((2, 2, 2)), 3.0])
def test_softmax_bad_shape_raises(bad):
    with pytest.raises(ValueError, match="shape"):
        softmax(bad)


# ---------------------------------------------------- softmax cross-entropy


def test_softmax_ce_uniform_scores_give_log_c():
    loss, dscores = softmax_cross_entropy(np.zeros((4, 10)), np.arange(4))
    assert loss == pytest.approx(np.log(10.0), rel=1e-14)
    expected = (np.full((4, 10), 0.1) - np.eye(10)[:4]) / 4
    np.testing.assert_allclose(dscores, expected, atol=1e-16)


def test_softmax_ce_matches_naive_formula():
    rng = np.random.default_rng(3)
    s, y = rng.standard_normal((5, 3)), np.array([0, 2, 1, 1, 0])
    loss, _ = softmax_cross_entropy(s, y)
    naive = -np.mean(np.log(np.exp(s[np.arange(5), y]) / np.exp(s).sum(axis=1)))
    assert loss == pytest.approx(naive, rel=1e-13)


def test_softmax_ce_gradient_matches_finite_differences():
    rng = np.random.default_rng(4)
    s, y = rng.standard_normal((6, 4)) * 2, rng.integers(0, 4, size=6)
    _, dscores = softmax_cross_entropy(s, y)
    numeric = numerical_gradient(lambda v: softmax_cross_entropy(v, y)[0], s)
    assert relative_error(dscores, numeric) < 1e-8
    np.testing.assert_allclose(dscores.sum(axis=1), 0.0, atol=1e-15)


def test_softmax_ce_stable_for_huge_scores():
    s = np.array([[1e4, 0.0], [1e4, 0.0]])
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        loss, dscores = softmax_cross_entropy(s, np.array([1, 0]))
    assert loss == pytest.approx(1e4 / 2, rel=1e-12)  # (1e4 + 0) / 2
    np.testing.assert_allclose(dscores, [[0.5, -0.5], [0.0, 0.0]], atol=1e-15)


def test_softmax_ce_does_not_mutate_inputs():
    s, y = np.array([[1.0, 2.0]]), np.array([1])
    softmax_cross_entropy(s, y)
    np.testing.assert_array_equal(s, [[1.0, 2.0]])
    np.testing.assert_array_equal(y, [1])


@pytest.mark.parametrize(
    "scores, y, match",
    [
        (np.zeros(3), np.array([0]), "shape"),
        (np.zeros((2, 1)), np.array([0, 0]), "C >= 2"),
        (np.zeros((0, 3)), np.zeros(0, dtype=int), "N >= 1"),
        (np.zeros((2, 3)), np.array([0, 1, 2]), r"shape \(2,\)"),
        (np.zeros((2, 3)), np.array([[0], [1]]), r"shape \(2,\)"),
        (np.zeros((2, 3)), np.array([0.0, 1.0]), "integer"),
        (np.zeros((2, 3)), np.array([0, 3]), r"\[0, 3\)"),
        (np.zeros((2, 3)), np.array([-1, 0]), r"\[0, 3\)"),
    ],
)
def test_softmax_ce_validation(scores, y, match):
    with pytest.raises(ValueError, match=match):
        softmax_cross_entropy(scores, y)


# ----------------------------------------------------- binary cross-entropy


def test_bce_zero_logit_gives_log_two():
    loss, dlogits = binary_cross_entropy(np.zeros(4), np.array([0, 1, 1, 0]))
    assert loss == pytest.approx(np.log(2.0), rel=1e-14)
    np.testing.assert_allclose(dlogits, [0.125, -0.125, -0.125, 0.125])


def test_bce_matches_naive_formula_and_two_class_softmax():
    rng = np.random.default_rng(5)
    z, y = rng.standard_normal(7) * 3, rng.integers(0, 2, size=7)
    loss, dz = binary_cross_entropy(z, y)
    p = 1 / (1 + np.exp(-z))
    assert loss == pytest.approx(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)), rel=1e-12)
    ce, ds = softmax_cross_entropy(np.column_stack([np.zeros(7), z]), y)
    assert loss == pytest.approx(ce, rel=1e-12)
    np.testing.assert_allclose(dz, ds[:, 1], atol=1e-15)


@pytest.mark.parametrize("shape", [(6,), (6, 1)])
def test_bce_gradient_matches_finite_differences_and_keeps_shape(shape):
    rng = np.random.default_rng(6)
    z, y = rng.standard_normal(shape) * 2, rng.integers(0, 2, size=6)
    _, dz = binary_cross_entropy(z, y)
    assert dz.shape == shape
    numeric = numerical_gradient(lambda v: binary_cross_entropy(v, y)[0], z)
    assert relative_error(dz, numeric) < 1e-8


def test_bce_stable_for_huge_logits():
    z, y = np.array([1e4, -1e4, 1e4, -1e4]), np.array([1, 0, 0, 1])
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        loss, dz = binary_cross_entropy(z, y)
    assert loss == pytest.approx(2e4 / 4, rel=1e-12)  # two perfect, two wrong by 1e4
    np.testing.assert_allclose(dz, [0.0, 0.0, 0.25, -0.25], atol=1e-15)


def test_bce_does_not_mutate_inputs():
    z, y = np.array([[0.5], [-0.5]]), np.array([1, 0])
    binary_cross_entropy(z, y)
    np.testing.assert_array_equal(z, [[0.5], [-0.5]])


@pytest.mark.parametrize(
    "logits, y, match",
    [
        (np.zeros((3, 2)), np.array([0, 1, 0]), "shape"),
        (np.zeros((0,)), np.zeros(0, dtype=int), "N >= 1"),
        (np.zeros(3), np.array([0, 1]), r"shape \(3,\)"),
        (np.zeros(3), np.array([0, 1, 2]), "0 or 1"),
        (np.zeros(2), np.array([-1, 1]), "0 or 1"),
        (np.zeros(2), np.array([0.0, 1.0]), "integer"),
    ],
)
def test_bce_validation(logits, y, match):
    with pytest.raises(ValueError, match=match):
        binary_cross_entropy(logits, y)


def test_non_finite_scores_are_reported_in_the_loss_not_raised():
    with np.errstate(all="ignore"):
        loss, _ = softmax_cross_entropy(np.array([[np.nan, 0.0]]), np.array([0]))
    assert np.isnan(loss)


# ------------------------------------------------ checks once, then unchecked kernels


def test_label_checks_name_the_argument():
    from nnlib.losses import check_binary_labels, check_class_labels
    np.testing.assert_array_equal(check_class_labels([0, 2, 1], 3, 3), [0, 2, 1])
    with pytest.raises(ValueError, match=r"labels y_val must lie in \[0, 3\)"):
        check_class_labels(np.array([0, 3]), 2, 3, "y_val")
    with pytest.raises(ValueError, match=r"y must have shape \(3,\)"):
        check_class_labels(np.array([0, 1]), 3, 3)
    with pytest.raises(ValueError, match="integer class labels"):
        check_binary_labels(np.array([0.0, 1.0]), 2)
    with pytest.raises(ValueError, match="binary labels y must be 0 or 1"):
        check_binary_labels(np.array([0, 2]), 2)


def test_unchecked_kernels_give_the_same_bits():
    from nnlib.losses import _binary_cross_entropy, _softmax_cross_entropy
    rng = np.random.default_rng(3)
    scores, y = rng.standard_normal((50, 4)) * 30, rng.integers(0, 4, size=50)
    value, grad = softmax_cross_entropy(scores, y)
    scratch = scores.copy()
    value2, grad2 = _softmax_cross_entropy(scratch, y, overwrite=True)
    assert value2 == value and grad2.tobytes() == grad.tobytes()
    assert _softmax_cross_entropy(scores, y, grad=False) == (value, None)
    logits, labels = rng.standard_normal((50, 1)) * 30, rng.integers(0, 2, size=50)
    value, grad = binary_cross_entropy(logits, labels)
    assert _binary_cross_entropy(logits, labels, grad=False) == (value, None)
