"""Tests for nnlib.datasets: shapes, balance, determinism, geometry, validation, domain shift, digits."""

import numpy as np
import pytest

from nnlib import datasets as ds

GENERATORS = {
    "moons": lambda n, rng, **kw: ds.make_moons(n, rng=rng, **kw),
    "circles": lambda n, rng, **kw: ds.make_circles(n, rng=rng, **kw),
    "spirals": lambda n, rng, **kw: ds.make_spirals(n, rng=rng, **kw),
    "xor": lambda n, rng, **kw: ds.make_xor(n, rng=rng, **kw),
    "blobs": lambda n, rng, **kw: ds.make_blobs(n, centers=[[0, 0, 0], [2, 0, 1], [0, 3, -1], [1, 1, 1]], rng=rng, **kw),
}
N_CLASSES = {"moons": 2, "circles": 2, "spirals": 3, "xor": 2, "blobs": 4}
DIM = {"moons": 2, "circles": 2, "spirals": 2, "xor": 2, "blobs": 3}


@pytest.mark.parametrize("name", GENERATORS)
@pytest.mark.parametrize("n", [12, 101, 1003])
def test_shapes_dtypes_and_balance(name, n):
    X, y = GENERATORS[name](n, np.random.default_rng(0))
    assert X.shape == (n, DIM[name]) and X.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.int64
    counts = np.bincount(y)
    assert len(counts) == N_CLASSES[name]
    assert counts.max() - counts.min() <= 1
    assert np.all(np.isfinite(X))


@pytest.mark.parametrize("name", GENERATORS)
def test_deterministic_given_seed_and_rows_shuffled(name):
    X1, y1 = GENERATORS[name](200, np.random.default_rng(5))
    X2, y2 = GENERATORS[name](200, np.random.default_rng(5))
    X3, _ = GENERATORS[name](200, np.random.default_rng(6))
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)
    assert np.any(np.diff(y1) < 0), "rows should come in random order, not sorted by class"


@pytest.mark.parametrize("name", GENERATORS)
@pytest.mark.parametrize("rng", [None, 42, np.random.RandomState(0)])
def test_rng_must_be_a_generator(name, rng):
    with pytest.raises(ValueError, match="Generator"):
        GENERATORS[name](20, rng)


@pytest.mark.parametrize("name", GENERATORS)
def test_bad_n_and_noise(name):
    rng = np.random.default_rng(0)
    for bad_n in (1, 0, -5, 10.0, True):
        with pytest.raises(ValueError, match="n must be an integer"):
            GENERATORS[name](bad_n, rng)
    key = "std" if name == "blobs" else "noise"
    for bad in (-0.1, float("inf"), "0.1"):
        with pytest.raises(ValueError, match=key):
            GENERATORS[name](20, rng, **{key: bad})


def test_too_few_examples_for_classes():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="at least 4"):
        ds.make_xor(3, rng=rng)
    with pytest.raises(ValueError, match="at least 5"):
        ds.make_spirals(4, n_classes=5, rng=rng)
    with pytest.raises(ValueError, match="n_classes"):
        ds.make_spirals(10, n_classes=1, rng=rng)
    with pytest.raises(ValueError, match="at least 4"):
        ds.make_blobs(3, centers=np.eye(4), rng=rng)


# ------------------------------------------------------------- geometry


def test_moons_geometry_without_noise():
    X, y = ds.make_moons(101, noise=0.0, rng=np.random.default_rng(0))
    up, low = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(up[:, 0], up[:, 1]), 1.0, rtol=1e-12)
    assert np.all(up[:, 1] >= -1e-12)
    np.testing.assert_allclose(np.hypot(low[:, 0] - 1.0, low[:, 1] - 0.5), 1.0, rtol=1e-12)
    assert np.all(low[:, 1] <= 0.5 + 1e-12)


def test_moons_noise_level():
    X, y = ds.make_moons(8000, noise=0.1, rng=np.random.default_rng(0))
    # the radial part of isotropic N(0, 0.1^2) noise has std ~0.1 (to first order); with
    # 4000 points the sample std is within 15 % of that with overwhelming probability
    residual = np.hypot(X[y == 0, 0], X[y == 0, 1]) - 1.0
    assert 0.085 < residual.std() < 0.115
    assert abs(residual.mean()) < 0.015  # curvature bias ~ 0.005, sd of the mean ~ 0.0016


@pytest.mark.parametrize("factor", [0.3, 0.5, 0.8])
def test_circles_radii(factor):
    X, y = ds.make_circles(60, noise=0.0, factor=factor, rng=np.random.default_rng(0))
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[y == 0], 1.0, rtol=1e-12)
    np.testing.assert_allclose(r[y == 1], factor, rtol=1e-12)


@pytest.mark.parametrize("factor", [0.0, 1.0, 1.5, -0.5, "half"])
def test_circles_bad_factor(factor):
    with pytest.raises(ValueError, match="factor"):
        ds.make_circles(10, factor=factor, rng=np.random.default_rng(0))


def test_spirals_lie_on_their_arms():
    k = 4
    X, y = ds.make_spirals(200, n_classes=k, noise=0.0, rng=np.random.default_rng(0))
    r = np.hypot(X[:, 0], X[:, 1])
    assert r.min() >= 0.05 - 1e-12 and r.max() <= 1.0 + 1e-12
    start = np.arctan2(X[:, 1], X[:, 0]) - ds.SPIRAL_WINDING * r
    offset = np.angle(np.exp(1j * (start - 2 * np.pi * y / k)))  # wrapped to (-pi, pi]
    np.testing.assert_allclose(offset, 0.0, atol=1e-9)


def test_xor_corners_and_labels():
    X, y = ds.make_xor(10, noise=0.0, rng=np.random.default_rng(0))
    assert set(map(tuple, X)) == {(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)}
    np.testing.assert_array_equal(y, np.logical_xor(X[:, 0], X[:, 1]).astype(int))
    corners, counts = np.unique(X, axis=0, return_counts=True)
    assert counts.max() - counts.min() <= 1


def test_xor_noisy_labels_follow_nearest_corner():
    X, y = ds.make_xor(400, noise=0.1, rng=np.random.default_rng(0))
    nearest = np.round(np.clip(X, 0, 1))
    agree = np.mean(y == np.logical_xor(nearest[:, 0], nearest[:, 1]))
    assert agree > 0.99  # P(|noise| > 0.5 on an axis) ~ 6e-7 per coordinate


def test_blobs_centers_and_spread():
    centers = np.array([[0.0, 0.0], [10.0, -5.0]])
    saved = centers.copy()
    X, y = ds.make_blobs(10, centers=centers, std=0.0, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(X, centers[y])
    np.testing.assert_array_equal(centers, saved)
    X, y = ds.make_blobs(20000, centers=centers, std=0.5, rng=np.random.default_rng(1))
    # 10000 points per class: the sample mean is within 0.5 * 4.5 / 100 of the center with prob > 1 - 1e-5
    for k in range(2):
        np.testing.assert_allclose(X[y == k].mean(axis=0), centers[k], atol=0.03)
        np.testing.assert_allclose(X[y == k].std(axis=0), 0.5, rtol=0.03)


@pytest.mark.parametrize("centers", [[1.0, 2.0], np.zeros((0, 2)), [[0.0, np.nan]], "abc"])
def test_blobs_bad_centers(centers):
    with pytest.raises(ValueError, match="centers"):
        ds.make_blobs(10, centers=centers, rng=np.random.default_rng(0))


# -------------------------------------------------------- two domains


def test_two_domains_layout():
    X, y, domain = ds.make_two_domains(301, 100, rng=np.random.default_rng(0))
    assert X.shape == (401, 2) and X.dtype == np.float64
    assert y.dtype == np.int64 and domain.dtype == np.int64
    np.testing.assert_array_equal(domain, np.r_[np.zeros(301, int), np.ones(100, int)])
    for d in (0, 1):
        counts = np.bincount(y[domain == d], minlength=2)
        assert counts.max() - counts.min() <= 1
    X2, y2, _ = ds.make_two_domains(301, 100, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)


def nearest_mean_classifier(X, y):
    means = np.array([X[y == k].mean(axis=0) for k in (0, 1)])
    return lambda Z: np.argmin(((Z[:, None, :] - means[None]) ** 2).sum(axis=2), axis=1)


def test_two_domains_shift_hurts_a_source_trained_classifier():
    # 4000 examples per domain and split: accuracies have sd < 0.5 %, the gaps below are > 8 %
    X, y, domain = ds.make_two_domains(8000, 8000, rng=np.random.default_rng(1))
    src, tgt = domain == 0, domain == 1
    Xs, ys, Xt, yt = X[src], y[src], X[tgt], y[tgt]
    assert np.linalg.norm(Xt.mean(axis=0) - Xs.mean(axis=0)) > 0.5  # input distributions differ
    assert Xt[:, 0].std() < Xs[:, 0].std()  # target has less contrast
    fit_source = nearest_mean_classifier(Xs[:4000], ys[:4000])
    fit_target = nearest_mean_classifier(Xt[:4000], yt[:4000])
    acc = lambda f, X_, y_: np.mean(f(X_) == y_)
    on_source = acc(fit_source, Xs[4000:], ys[4000:])
    on_target = acc(fit_source, Xt[4000:], yt[4000:])
    target_own = acc(fit_target, Xt[4000:], yt[4000:])
    assert on_source > 0.9
    assert on_source - on_target > 0.08
    assert target_own - on_target > 0.05  # not just harder data: the boundary is in the wrong place


def test_two_domains_shift_zero_means_no_mismatch():
    X, y, domain = ds.make_two_domains(6000, 6000, rng=np.random.default_rng(2), shift=0.0)
    for k in (0, 1):
        a, b = X[(domain == 0) & (y == k)], X[(domain == 1) & (y == k)]
        np.testing.assert_allclose(a.mean(axis=0), b.mean(axis=0), atol=0.06)  # sd of a difference ~ 0.016
        np.testing.assert_allclose(a.std(axis=0), b.std(axis=0), atol=0.05)


@pytest.mark.parametrize(
    "args, kwargs, match",
    [
        ((1, 10), {}, "n_source"),
        ((10, 1), {}, "n_target"),
        ((10, 10.0), {}, "n_target"),
        ((10, 10), {"shift": -1.0}, "shift"),
        ((10, 10), {"rng": None}, "Generator"),
    ],
)
def test_two_domains_validation(args, kwargs, match):
    kwargs = {"rng": np.random.default_rng(0), **kwargs}
    with pytest.raises(ValueError, match=match):
        ds.make_two_domains(*args, **kwargs)


# ------------------------------------------------------------------ digits


def test_load_digits():
    X, y = ds.load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    assert set(np.unique(y)) == set(range(10)) and np.bincount(y).min() >= 170
    from sklearn.datasets import load_digits as bundled

    np.testing.assert_array_equal(X * 16.0, bundled().data)
    X[:] = -1.0  # callers own their copy
    assert ds.load_digits()[0].min() == 0.0
