"""Tests for nnlib.activations: values, derivatives, stability, registry, no mutation."""

import warnings

import numpy as np
import pytest

from nnlib import activations as act

try:
    from numerical import numerical_gradient
except ImportError:  # tests run as a package
    from tests.numerical import numerical_gradient

PAIRS = [
    ("relu", act.relu, act.relu_grad),
    ("tanh", act.tanh, act.tanh_grad),
    ("sigmoid", act.sigmoid, act.sigmoid_grad),
]


def test_relu_values():
    z = np.array([-2.0, -0.5, 0.0, 0.5, 3.0])
    np.testing.assert_array_equal(act.relu(z), [0.0, 0.0, 0.0, 0.5, 3.0])
    np.testing.assert_array_equal(act.relu_grad(z), [0.0, 0.0, 0.0, 1.0, 1.0])


def test_sigmoid_known_values_and_symmetry():
    assert act.sigmoid(0.0) == 0.5
    np.testing.assert_allclose(act.sigmoid(np.log(3.0)), 0.75, rtol=1e-15)
    z = np.linspace(-30, 30, 121)
    np.testing.assert_allclose(act.sigmoid(-z), 1.0 - act.sigmoid(z), atol=1e-15)
    np.testing.assert_allclose(act.sigmoid(z), 1.0 / (1.0 + np.exp(-z)), rtol=1e-13)


def test_tanh_values_and_identity_with_sigmoid():
    z = np.linspace(-5, 5, 41)
    np.testing.assert_allclose(act.tanh(z), np.tanh(z), rtol=1e-15)
    np.testing.assert_allclose(act.tanh(z), 2.0 * act.sigmoid(2.0 * z) - 1.0, atol=1e-14)


@pytest.mark.parametrize("name, f, df", PAIRS)
def test_derivative_matches_finite_differences(name, f, df):
    rng = np.random.default_rng(1)
    z = rng.uniform(-4, 4, size=(5, 7))
    z[np.abs(z) < 1e-2] = 0.5  # keep away from the relu kink
    weights = rng.standard_normal(z.shape)  # grad of sum(w * f(z)) is w * f'(z)
    numeric = numerical_gradient(lambda v: float(np.sum(weights * f(v))), z)
    np.testing.assert_allclose(weights * df(z), numeric, rtol=1e-7, atol=1e-9)


def test_derivative_peaks():
    assert act.sigmoid_grad(0.0) == 0.25
    assert act.tanh_grad(0.0) == 1.0


@pytest.mark.parametrize("name, f, df", PAIRS)
def test_extreme_inputs_give_no_warning_and_correct_limits(name, f, df):
    z = np.array([-1e4, -800.0, 800.0, 1e4])
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        a, da = f(z), df(z)
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(da))
    low, high = {"relu": (0.0, 1e4), "tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0)}[name]
    assert a[0] == low and a[-1] == high
    expected_slope = {"relu": [0, 0, 1, 1], "tanh": [0, 0, 0, 0], "sigmoid": [0, 0, 0, 0]}[name]
    np.testing.assert_array_equal(da, expected_slope)


@pytest.mark.parametrize("name, f, df", PAIRS)
def test_shape_preserved_float64_and_input_not_mutated(name, f, df):
    z = np.random.default_rng(2).standard_normal((2, 3, 4))
    before = z.copy()
    for fn in (f, df):
        out = fn(z)
        assert out.shape == z.shape and out.dtype == np.float64
        assert out is not z
    np.testing.assert_array_equal(z, before)


def test_integer_input_is_accepted_as_float():
    np.testing.assert_array_equal(act.relu([-1, 2]), [0.0, 2.0])
    assert act.relu([-1, 2]).dtype == np.float64


@pytest.mark.parametrize("fn", [act.relu, act.tanh, act.sigmoid, act.sigmoid_grad])
def test_non_numeric_input_raises(fn):
    with pytest.raises(ValueError, match="numeric"):
        fn(["a", "b"])


def test_registry_and_lookup():
    assert set(act.ACTIVATIONS) == {"relu", "tanh", "sigmoid"}
    for name, f, df in PAIRS:
        assert act.get_activation(name) == (f, df)


@pytest.mark.parametrize("bad", ["ReLU", "softmax", "", None, 3])
def test_unknown_activation_lists_valid_names(bad):
    with pytest.raises(ValueError, match="'relu', 'sigmoid', 'tanh'"):
        act.get_activation(bad)
