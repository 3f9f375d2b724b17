"""Tests for nnlib.mlp: initialization, forward, backward (against finite differences), predictions."""

import copy

import numpy as np
import pytest

from nnlib import mlp
from nnlib.activations import relu, sigmoid, tanh

try:
    from numerical import numerical_param_grads, relative_error
except ImportError:  # tests run as a package
    from tests.numerical import numerical_param_grads, relative_error

ACTS = {"relu": relu, "tanh": tanh, "sigmoid": sigmoid}


def small_net(rng, sizes=(3, 5, 4, 3)):
    params = mlp.init_params(list(sizes), rng=rng, scale=0.8)
    # non-zero biases so that bias gradients and broadcasting are really exercised
    return {k: v + 0.1 * rng.standard_normal(v.shape) if k.startswith("b") else v for k, v in params.items()}


# ----------------------------------------------------------------- init


def test_init_shapes_zero_biases_and_float64():
    params = mlp.init_params([2, 16, 8, 3], rng=np.random.default_rng(0))
    assert list(params) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    shapes = {k: v.shape for k, v in params.items()}
    assert shapes == {"W1": (2, 16), "b1": (16,), "W2": (16, 8), "b2": (8,), "W3": (8, 3), "b3": (3,)}
    assert all(v.dtype == np.float64 for v in params.values())
    assert all(np.all(params[f"b{l}"] == 0) for l in (1, 2, 3))
    assert mlp.n_layers(params) == 3


def test_init_is_deterministic_given_seed_and_differs_across_seeds():
    a = mlp.init_params([4, 6, 2], rng=np.random.default_rng(7))
    b = mlp.init_params([4, 6, 2], rng=np.random.default_rng(7))
    c = mlp.init_params([4, 6, 2], rng=np.random.default_rng(8))
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["W1"], c["W1"])


@pytest.mark.parametrize("scale, expected", [("he", np.sqrt(2 / 500)), ("lecun", np.sqrt(1 / 500)), (0.03, 0.03)])
def test_init_weight_std(scale, expected):
    # 500 * 400 = 2e5 draws: the sample std has relative sd ~ 1/sqrt(4e5) = 0.0016;
    # a 2 % tolerance is > 12 sd away, so a correct init fails far less than once in 1e6 runs.
    W = mlp.init_params([500, 400, 2], rng=np.random.default_rng(1), scale=scale)["W1"]
    assert W.std() == pytest.approx(expected, rel=0.02)
    assert abs(W.mean()) < 5 * expected / np.sqrt(W.size)


def test_init_scale_zero_gives_zero_weights():
    params = mlp.init_params([3, 2], rng=np.random.default_rng(0), scale=0.0)
    assert np.all(params["W1"] == 0)


@pytest.mark.parametrize("rng", [None, 0, np.random.RandomState(0)])
def test_init_requires_generator(rng):
    with pytest.raises(ValueError, match="Generator"):
        mlp.init_params([2, 3], rng=rng)


@pytest.mark.parametrize("sizes", [[3], [], [2, 0, 1], [2.0, 3], [2, -1], "23", [2, True]])
def test_init_bad_layer_sizes(sizes):
    with pytest.raises(ValueError, match="layer_sizes"):
        mlp.init_params(sizes, rng=np.random.default_rng(0))


@pytest.mark.parametrize("scale", ["glorot", -0.1, float("nan"), None, True])
def test_init_bad_scale(scale):
    with pytest.raises(ValueError, match="scale"):
        mlp.init_params([2, 3], rng=np.random.default_rng(0), scale=scale)


# -------------------------------------------------------------- forward


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_forward_matches_explicit_formula(activation):
    rng = np.random.default_rng(2)
    params, X = small_net(rng), rng.standard_normal((7, 3))
    f = ACTS[activation]
    a1 = f(X @ params["W1"] + params["b1"])
    a2 = f(a1 @ params["W2"] + params["b2"])
    expected = a2 @ params["W3"] + params["b3"]  # last layer linear
    scores, cache = mlp.forward(params, X, activation=activation)
    np.testing.assert_allclose(scores, expected, rtol=1e-13)
    assert scores.shape == (7, 3)
    assert cache["activation"] == activation
    assert [a.shape for a in cache["inputs"]] == [(7, 3), (7, 5), (7, 4)]
    assert [z.shape for z in cache["pre_activations"]] == [(7, 5), (7, 4)]


def test_forward_single_layer_is_linear():
    rng = np.random.default_rng(3)
    params = mlp.init_params([4, 2], rng=rng)
    params["b1"] = np.array([1.0, -2.0])
    X = rng.standard_normal((5, 4))
    scores, _ = mlp.forward(params, X)
    np.testing.assert_allclose(scores, X @ params["W1"] + params["b1"], rtol=1e-14)


@pytest.mark.parametrize(
    "mutate, match",
    [
        (lambda p: p.pop("b2"), "missing"),
        (lambda p: p.update(gamma1=np.ones(5)), "unexpected"),
        (lambda p: p.update(W2=np.ones((6, 4))), "rows"),
        (lambda p: p.update(b1=np.ones(4)), "b1"),
        (lambda p: p.update(W1=np.ones(3)), "2-D"),
    ],
)
def test_forward_rejects_malformed_params(mutate, match):
    params = small_net(np.random.default_rng(0))
    mutate(params)
    with pytest.raises(ValueError, match=match):
        mlp.forward(params, np.zeros((2, 3)))


def test_forward_rejects_wrong_input_shape_and_unknown_activation():
    params = small_net(np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"\(N, 3\)"):
        mlp.forward(params, np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"\(N, 3\)"):
        mlp.forward(params, np.zeros(3))
    with pytest.raises(ValueError, match="activation"):
        mlp.forward(params, np.zeros((2, 3)), activation="elu")
    with pytest.raises(ValueError, match="dict"):
        mlp.forward([np.zeros((3, 2))], np.zeros((2, 3)))


# ------------------------------------------------------------- backward


def _check_grads(params, X, y, activation, loss):
    _, cache = mlp.forward(params, X, activation=activation)
    # relu is not differentiable at 0: make sure no hidden pre-activation is within reach of h
    assert all(np.abs(z).min() > 1e-3 for z in cache["pre_activations"])
    value, grads = mlp.loss_and_grads(params, X, y, activation=activation, loss=loss)
    numeric = numerical_param_grads(lambda p: mlp.loss_and_grads(p, X, y, activation=activation, loss=loss)[0], params)
    assert set(grads) == set(params)
    for key in params:
        assert grads[key].shape == params[key].shape
        err = relative_error(grads[key], numeric[key])
        assert err < 1e-6, f"{key}: relative error {err:.2e} ({activation}, {loss})"
    return value


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
@pytest.mark.parametrize("loss", ["softmax", "binary"])
def test_backward_matches_finite_differences(activation, loss):
    rng = np.random.default_rng(11)
    c = 3 if loss == "softmax" else 1
    params = small_net(rng, sizes=(3, 5, 4, c))
    X = rng.standard_normal((6, 3))
    y = rng.integers(0, 3 if loss == "softmax" else 2, size=6)
    _check_grads(params, X, y, activation, loss)


def test_backward_one_layer_and_deep_network():
    rng = np.random.default_rng(12)
    X = rng.standard_normal((5, 2))
    y = rng.integers(0, 2, size=5)
    _check_grads(small_net(rng, sizes=(2, 2)), X, y, "tanh", "softmax")
    _check_grads(small_net(rng, sizes=(2, 4, 4, 4, 4, 1)), X, y, "tanh", "binary")


def test_backward_accepts_flat_dscores_for_one_output_and_checks_shape():
    rng = np.random.default_rng(13)
    params = small_net(rng, sizes=(3, 4, 1))
    X = rng.standard_normal((5, 3))
    _, cache = mlp.forward(params, X)
    d = rng.standard_normal(5)
    g_flat, g_col = mlp.backward(params, cache, d), mlp.backward(params, cache, d[:, None])
    assert all(np.array_equal(g_flat[k], g_col[k]) for k in params)
    with pytest.raises(ValueError, match=r"\(5, 1\)"):
        mlp.backward(params, cache, np.zeros((5, 2)))
    with pytest.raises(ValueError, match="cache"):
        mlp.backward(small_net(rng), cache, d)


def test_no_input_mutation():
    rng = np.random.default_rng(14)
    params = small_net(rng)
    X, y = rng.standard_normal((6, 3)), np.array([0, 1, 2, 0, 1, 2])
    saved = copy.deepcopy((params, X, y))
    _, cache = mlp.forward(params, X)
    cache_saved = copy.deepcopy(cache)
    dscores = rng.standard_normal((6, 3))
    d_saved = dscores.copy()
    mlp.backward(params, cache, dscores)
    mlp.loss_and_grads(params, X, y)
    mlp.predict(params, X)
    mlp.predict_proba(params, X)
    assert all(np.array_equal(saved[0][k], params[k]) for k in params)
    np.testing.assert_array_equal(saved[1], X)
    np.testing.assert_array_equal(saved[2], y)
    np.testing.assert_array_equal(d_saved, dscores)
    for a, b in zip(cache_saved["inputs"] + cache_saved["pre_activations"], cache["inputs"] + cache["pre_activations"]):
        np.testing.assert_array_equal(a, b)


# ------------------------------------------------------ loss and predict


def test_loss_and_grads_value_is_the_mean_loss():
    rng = np.random.default_rng(15)
    params = mlp.init_params([2, 3], rng=rng, scale=0.0)  # all scores zero
    value, _ = mlp.loss_and_grads(params, rng.standard_normal((4, 2)), np.array([0, 1, 2, 0]))
    assert value == pytest.approx(np.log(3.0), rel=1e-14)


@pytest.mark.parametrize(
    "sizes, loss, match",
    [((3, 2), "binary", "1 unit"), ((3, 1), "softmax", ">= 2 units"), ((3, 2), "mse", "unknown loss")],
)
def test_loss_head_must_match_last_layer(sizes, loss, match):
    params = mlp.init_params(list(sizes), rng=np.random.default_rng(0))
    X, y = np.zeros((2, 3)), np.array([0, 1])
    for fn in (mlp.loss_and_grads, mlp.predict, mlp.predict_proba):
        with pytest.raises(ValueError, match=match):
            fn(params, X, y, loss=loss) if fn is mlp.loss_and_grads else fn(params, X, loss=loss)


def test_loss_and_grads_checks_labels():
    params = small_net(np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        mlp.loss_and_grads(params, np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        mlp.loss_and_grads(params, np.zeros((2, 3)), np.array([0, 1, 1]))


def test_predict_and_proba_softmax():
    rng = np.random.default_rng(16)
    params, X = small_net(rng), rng.standard_normal((20, 3))
    proba = mlp.predict_proba(params, X)
    labels = mlp.predict(params, X)
    scores, _ = mlp.forward(params, X)
    assert proba.shape == (20, 3) and labels.shape == (20,) and labels.dtype == np.int64
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-14)
    np.testing.assert_array_equal(labels, np.argmax(scores, axis=1))
    assert len(np.unique(labels)) > 1


def test_predict_and_proba_binary():
    rng = np.random.default_rng(17)
    params, X = small_net(rng, sizes=(3, 4, 1)), rng.standard_normal((30, 3))
    logits = mlp.forward(params, X)[0][:, 0]
    proba = mlp.predict_proba(params, X, loss="binary")
    labels = mlp.predict(params, X, loss="binary")
    assert proba.shape == (30,) and labels.dtype == np.int64
    np.testing.assert_allclose(proba, 1 / (1 + np.exp(-logits)), rtol=1e-13)
    np.testing.assert_array_equal(labels, (logits > 0).astype(int))
    assert set(np.unique(labels)) == {0, 1}


def test_accuracy():
    assert mlp.accuracy(np.array([0, 1, 2, 2]), np.array([0, 1, 1, 2])) == 0.75
    with pytest.raises(ValueError, match="same length"):
        mlp.accuracy(np.array([0, 1]), np.array([0, 1, 1]))
    with pytest.raises(ValueError, match="non-empty"):
        mlp.accuracy(np.array([]), np.array([]))


# ------------------------------------------- bit-identity with the code before issue 16

try:
    import frozen_nnlib as frozen
except ImportError:  # tests run as a package
    from tests import frozen_nnlib as frozen


def _same_bits(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
@pytest.mark.parametrize("loss", ["softmax", "binary"])
def test_public_functions_are_bit_identical_to_the_code_before_the_speedup(activation, loss):
    rng = np.random.default_rng(21)
    c = 4 if loss == "softmax" else 1
    params = small_net(rng, sizes=(5, 9, 7, c))
    params["W1"][0, 0] = 0.0  # some pre-activations exactly 0 for relu's kink
    X = rng.standard_normal((33, 5)) * 3
    X[:4, 0] = 0.0
    y = rng.integers(0, c if c > 1 else 2, size=33)
    scores, cache = mlp.forward(params, X, activation=activation)
    old_scores, old_cache = frozen.forward(params, X, activation=activation)
    assert _same_bits(scores, old_scores)
    for a, b in zip(cache["inputs"] + cache["pre_activations"], old_cache["inputs"] + old_cache["pre_activations"]):
        assert _same_bits(a, b)
    dscores = rng.standard_normal(scores.shape)
    grads, old_grads = mlp.backward(params, cache, dscores), frozen.backward(params, old_cache, dscores)
    assert list(grads) == list(old_grads) and all(_same_bits(grads[k], old_grads[k]) for k in grads)
    (value, grads), (old_value, old_grads) = (
        fn(params, X, y, activation=activation, loss=loss) for fn in (mlp.loss_and_grads, frozen.loss_and_grads))
    assert value == old_value and list(grads) == list(old_grads)
    assert all(_same_bits(grads[k], old_grads[k]) for k in grads)
    for name in ("predict", "predict_proba"):
        new, old = (getattr(m, name)(params, X, activation=activation, loss=loss) for m in (mlp, frozen))
        assert _same_bits(new, old), name


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_slope_from_the_output_equals_the_derivative_of_the_input(activation):
    from nnlib.activations import ACTIVATIONS
    f, df = ACTIVATIONS[activation]
    z = np.array([0.0, -0.0, 1e-320, -1e-320, 0.5, -0.5, 3.0, -3.0, 20.0, -20.0, 40.0, -800.0, 800.0, np.inf, -np.inf])
    z = np.concatenate([z, np.random.default_rng(0).standard_normal(1000) * 5]).reshape(-1, 5)
    upstream = np.random.default_rng(1).standard_normal(z.shape)
    expected = upstream * df(z)
    got = mlp._scale_by_slope(upstream.copy(), f(z), activation)
    assert _same_bits(got, expected)
