"""Small classification datasets, generated with NumPy or loaded offline.

Every generator returns ``X`` of shape ``(n, D)`` (float64) and ``y`` of shape
``(n,)`` (int64); classes are as balanced as possible (sizes differ by at most
one, the lower labels get the extra examples) and the rows come in random order.
All randomness comes from the keyword-only ``rng`` (a ``numpy.random.Generator``):
the same seed gives the same data, and nothing touches global random state.

=========================  =====  ===========================================
function                   D      classes
=========================  =====  ===========================================
:func:`make_moons`         2      2 interleaved half circles
:func:`make_circles`       2      2 concentric circles
:func:`make_spirals`       2      ``n_classes`` interleaved spiral arms
:func:`make_xor`           2      2 (XOR of the corner bits of 4 clouds)
:func:`make_blobs`         any    one Gaussian cloud per row of ``centers``
:func:`make_two_domains`   2      2, from a source and a shifted target domain
:func:`load_digits`        64     10 (real 8x8 handwritten digits, 1797 rows)
=========================  =====  ===========================================
"""

import numpy as np

from .validation import check_generator, check_positive_int

__all__ = [
    "make_moons",
    "make_circles",
    "make_spirals",
    "make_xor",
    "make_blobs",
    "make_two_domains",
    "load_digits",
]


# ---------------------------------------------------------------- validation


def _check_nonneg(value, name):
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if not ok or not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite float >= 0; got {value!r}")
    return float(value)


# ------------------------------------------------------------------- helpers


def _class_sizes(n, k):
    """Sizes of ``k`` groups summing to ``n`` and differing by at most one (larger first)."""
    return [n // k + (1 if i < n % k else 0) for i in range(k)]


def _labels(sizes):
    return np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)


def _shuffled(X, y, rng):
    order = rng.permutation(len(y))
    return X[order], y[order]


# ---------------------------------------------------------------- generators


def make_moons(n, *, noise=0.1, rng):
    """Two interleaved half circles ("double arcs").

    Class 0 lies on the upper arc ``(cos t, sin t)``, class 1 on the lower arc
    ``(1 - cos t, 0.5 - sin t)``, with ``t`` evenly spaced in ``[0, pi]``; then
    isotropic Gaussian noise of standard deviation ``noise`` is added. No
    straight line separates the classes.

    Parameters
    ----------
    n : int
        Number of examples, ``>= 2``.
    noise : float, default 0.1
        Standard deviation of the Gaussian noise, ``>= 0``.
    rng : numpy.random.Generator
        Source of randomness (keyword only).

    Returns
    -------
    X : ndarray of float64, shape (n, 2)
    y : ndarray of int64, shape (n,)
        Labels in {0, 1}; class 0 has ``ceil(n / 2)`` examples.

    Raises
    ------
    ValueError
        If ``n`` is not an int ``>= 2``, ``noise`` is negative or not finite, or
        ``rng`` is not a Generator.
    """
    check_generator(rng)
    n = check_positive_int(n, "n", 2)
    noise = _check_nonneg(noise, "noise")
    sizes = _class_sizes(n, 2)
    t0, t1 = (np.linspace(0.0, np.pi, s) for s in sizes)
    upper = np.column_stack([np.cos(t0), np.sin(t0)])
    lower = np.column_stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)])
    X = np.vstack([upper, lower]) + noise * rng.standard_normal((n, 2))
    return _shuffled(X, _labels(sizes), rng)


def make_circles(n, *, noise=0.05, factor=0.5, rng):
    """Two concentric circles: class 0 outside (radius 1), class 1 inside (radius ``factor``).

    Points are evenly spaced in angle on each circle, then isotropic Gaussian
    noise of standard deviation ``noise`` is added.

    Parameters
    ----------
    n : int
        Number of examples, ``>= 2``.
    noise : float, default 0.05
        Standard deviation of the Gaussian noise, ``>= 0``.
    factor : float, default 0.5
        Radius of the inner circle relative to the outer one, in ``(0, 1)``.
    rng : numpy.random.Generator
        Source of randomness (keyword only).

    Returns
    -------
    X : ndarray of float64, shape (n, 2)
    y : ndarray of int64, shape (n,)
        Labels in {0, 1}; 0 = outer circle, with ``ceil(n / 2)`` examples.

    Raises
    ------
    ValueError
        If ``n`` is not an int ``>= 2``, ``noise`` is negative or not finite,
        ``factor`` is not in ``(0, 1)``, or ``rng`` is not a Generator.
    """
    check_generator(rng)
    n = check_positive_int(n, "n", 2)
    noise = _check_nonneg(noise, "noise")
    if not (isinstance(factor, (int, float, np.integer, np.floating)) and 0.0 < factor < 1.0):
        raise ValueError(f"factor must be a float in (0, 1) (inner radius / outer radius); got {factor!r}")
    sizes = _class_sizes(n, 2)
    rings = []
    for radius, size in zip((1.0, float(factor)), sizes):
        angle = np.linspace(0.0, 2.0 * np.pi, size, endpoint=False)
        rings.append(radius * np.column_stack([np.cos(angle), np.sin(angle)]))
    X = np.vstack(rings) + noise * rng.standard_normal((n, 2))
    return _shuffled(X, _labels(sizes), rng)


SPIRAL_WINDING = 5.0
"""float: radians the spiral arms turn between radius 0 and radius 1 in :func:`make_spirals`."""


def make_spirals(n, *, n_classes=3, noise=0.2, rng):
    """Interleaved spiral arms, one per class.

    Arm ``k`` starts at angle ``2 pi k / n_classes``; a point at radius ``r``
    (evenly spaced in ``[0.05, 1]``) sits at angle
    ``2 pi k / n_classes + SPIRAL_WINDING * r + noise * e`` with ``e`` standard
    normal, i.e. the noise jitters the angle (in radians), not the radius.

    Parameters
    ----------
    n : int
        Number of examples, ``>= n_classes``.
    n_classes : int, default 3
        Number of arms (classes), ``>= 2``.
    noise : float, default 0.2
        Standard deviation of the angular jitter in radians, ``>= 0``.
    rng : numpy.random.Generator
        Source of randomness (keyword only).

    Returns
    -------
    X : ndarray of float64, shape (n, 2)
        All points lie in the unit disc.
    y : ndarray of int64, shape (n,)
        Labels in ``[0, n_classes)``.

    Raises
    ------
    ValueError
        If ``n_classes`` is not an int ``>= 2``, ``n`` is not an int ``>= n_classes``,
        ``noise`` is negative or not finite, or ``rng`` is not a Generator.
    """
    check_generator(rng)
    k = check_positive_int(n_classes, "n_classes", 2)
    n = check_positive_int(n, "n", k)
    noise = _check_nonneg(noise, "noise")
    sizes = _class_sizes(n, k)
    y = _labels(sizes)
    radius = np.concatenate([np.linspace(0.05, 1.0, s) for s in sizes])
    angle = 2.0 * np.pi * y / k + SPIRAL_WINDING * radius + noise * rng.standard_normal(n)
    X = radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    return _shuffled(X, y, rng)


_XOR_CORNERS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, 0.0]])


def make_xor(n, *, noise=0.1, rng):
    """Noisy clouds around the four corners of the unit square, labelled by XOR.

    A point near corner ``(a, b)`` with ``a, b`` in {0, 1} has label ``a XOR b``:
    ``(0, 0)`` and ``(1, 1)`` give class 0, ``(0, 1)`` and ``(1, 0)`` class 1.
    Each corner gets ``n // 4`` or ``n // 4 + 1`` points (so the two classes
    differ by at most one), plus isotropic Gaussian noise of standard deviation
    ``noise``. With ``noise=0`` these are exactly the four XOR points.

    Parameters
    ----------
    n : int
        Number of examples, ``>= 4``.
    noise : float, default 0.1
        Standard deviation of the Gaussian noise, ``>= 0``.
    rng : numpy.random.Generator
        Source of randomness (keyword only).

    Returns
    -------
    X : ndarray of float64, shape (n, 2)
    y : ndarray of int64, shape (n,)
        Labels in {0, 1}.

    Raises
    ------
    ValueError
        If ``n`` is not an int ``>= 4``, ``noise`` is negative or not finite, or
        ``rng`` is not a Generator.
    """
    check_generator(rng)
    n = check_positive_int(n, "n", 4)
    noise = _check_nonneg(noise, "noise")
    corner = np.repeat(np.arange(4), _class_sizes(n, 4))
    bits = _XOR_CORNERS[corner]
    y = (bits[:, 0] != bits[:, 1]).astype(np.int64)
    X = bits + noise * rng.standard_normal((n, 2))
    return _shuffled(X, y, rng)


def make_blobs(n, *, centers, std=1.0, rng):
    """Isotropic Gaussian clouds, one class per center.

    Parameters
    ----------
    n : int
        Number of examples, ``>= K``.
    centers : array_like of float, shape (K, D)
        One row per class, ``K >= 1``, ``D >= 1``, all finite.
    std : float, default 1.0
        Standard deviation of every cloud, ``>= 0``.
    rng : numpy.random.Generator
        Source of randomness (keyword only).

    Returns
    -------
    X : ndarray of float64, shape (n, D)
        Class ``k`` is drawn from ``N(centers[k], std**2 I)``.
    y : ndarray of int64, shape (n,)
        Labels in ``[0, K)``.

    Raises
    ------
    ValueError
        If ``centers`` is not a finite 2-D array with at least one row and column,
        ``n`` is not an int ``>= K``, ``std`` is negative or not finite, or ``rng``
        is not a Generator.
    """
    check_generator(rng)
    try:
        c = np.array(centers, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError("centers must be a numeric array of shape (K, D)") from err
    if c.ndim != 2 or c.shape[0] == 0 or c.shape[1] == 0 or not np.all(np.isfinite(c)):
        raise ValueError(f"centers must be a finite array of shape (K, D) with K, D >= 1; got shape {c.shape}")
    n = check_positive_int(n, "n", c.shape[0])
    std = _check_nonneg(std, "std")
    y = _labels(_class_sizes(n, c.shape[0]))
    X = c[y] + std * rng.standard_normal((n, c.shape[1]))
    return _shuffled(X, y, rng)


DOMAIN_CLASS_MEANS = np.array([[-1.0, 0.0], [1.0, 0.0]])
"""ndarray (2, 2): mean of the clean features of class 0 and class 1 in :func:`make_two_domains`."""
DOMAIN_CLASS_STD = 0.6
"""float: standard deviation of the clean features around their class mean."""
DOMAIN_OFFSET = np.array([0.5, 0.8])
"""ndarray (2,): direction of the target domain's offset (multiplied by ``shift``)."""
DOMAIN_EXTRA_NOISE = 0.25
"""float: extra noise std in the target domain, per unit of ``shift``."""


def _domain(n, shift, rng):
    """``n`` balanced examples of one domain; ``shift=0`` is the source domain."""
    y = _labels(_class_sizes(n, 2))
    clean = DOMAIN_CLASS_MEANS[y] + DOMAIN_CLASS_STD * rng.standard_normal((n, 2))
    contrast = 1.0 / (1.0 + 0.5 * shift)
    X = contrast * clean + shift * DOMAIN_OFFSET + DOMAIN_EXTRA_NOISE * shift * rng.standard_normal((n, 2))
    return _shuffled(X, y, rng)


def make_two_domains(n_source, n_target, *, rng, shift=1.0):
    """Binary data from two domains whose input distributions differ (train/test mismatch).

    Generative story. An object of class ``y`` (0 or 1, balanced within each
    domain) has two "clean" features
    ``c ~ N(DOMAIN_CLASS_MEANS[y], DOMAIN_CLASS_STD**2 I)``, i.e. centered on
    ``(-1, 0)`` or ``(1, 0)`` with std 0.6.

    * **Source** (think plentiful crawled web photos, professionally shot): we
      observe ``x = c``.
    * **Target** (think scarce blurry phone uploads from the app): the camera
      loses contrast, adds a colour/lighting cast and sensor noise, so we observe
      ``x = c / (1 + shift / 2) + shift * DOMAIN_OFFSET + DOMAIN_EXTRA_NOISE * shift * e``
      with ``DOMAIN_OFFSET = (0.5, 0.8)`` and ``e ~ N(0, I)``.

    The label depends on the object, not on the camera, but the classes sit
    elsewhere in input space in the target domain: a boundary learned on source
    data (near ``x_0 = 0``) cuts through the target's class 0. With the default
    ``shift=1`` and a large sample, logistic regression fitted on source scores
    about 95 % on source and about 83 % on target, while one fitted on target
    reaches about 92 % there. ``shift=0`` makes the two domains identical;
    larger values widen the gap.

    Parameters
    ----------
    n_source : int
        Number of source examples, ``>= 2``.
    n_target : int
        Number of target examples, ``>= 2``.
    rng : numpy.random.Generator
        Source of randomness (keyword only).
    shift : float, default 1.0
        Strength of the domain shift, ``>= 0``.

    Returns
    -------
    X : ndarray of float64, shape (n_source + n_target, 2)
    y : ndarray of int64, shape (n_source + n_target,)
        Labels in {0, 1}, balanced within each domain.
    domain : ndarray of int64, shape (n_source + n_target,)
        0 for source, 1 for target; the ``n_source`` source rows come first, each
        domain's rows in random order.

    Raises
    ------
    ValueError
        If ``n_source`` or ``n_target`` is not an int ``>= 2``, ``shift`` is
        negative or not finite, or ``rng`` is not a Generator.
    """
    check_generator(rng)
    n_source = check_positive_int(n_source, "n_source", 2)
    n_target = check_positive_int(n_target, "n_target", 2)
    shift = _check_nonneg(shift, "shift")
    Xs, ys = _domain(n_source, 0.0, rng)
    Xt, yt = _domain(n_target, shift, rng)
    domain = np.repeat(np.array([0, 1], dtype=np.int64), [n_source, n_target])
    return np.vstack([Xs, Xt]), np.concatenate([ys, yt]), domain


def load_digits():
    """The real 8x8 handwritten digits that ship inside scikit-learn (offline).

    1797 grayscale images of the digits 0-9, each flattened row-wise to 64
    pixels. The raw pixel counts (0..16) are divided by 16, so ``X`` lies in
    ``[0, 1]``. Nothing is downloaded: the data are read from the file bundled
    with scikit-learn (``sklearn.datasets.load_digits``).

    Source: the test part of the UCI "Optical Recognition of Handwritten Digits"
    data set (optdigits), E. Alpaydin and C. Kaynak, 1998, UCI Machine Learning
    Repository; see also C. Kaynak (1995), *Methods of Combining Multiple
    Classifiers and Their Applications to Handwritten Digit Recognition*, MSc
    thesis, Bogazici University, and Alpaydin & Kaynak (1998), *Cascading
    Classifiers*, Kybernetika 34(4).

    Returns
    -------
    X : ndarray of float64, shape (1797, 64)
        Pixel intensities in ``[0, 1]``; ``X[i].reshape(8, 8)`` is the image.
    y : ndarray of int64, shape (1797,)
        The digit, in ``[0, 10)``.
    """
    from sklearn.datasets import load_digits as _bundled_digits

    bunch = _bundled_digits()
    X = np.asarray(bunch.data, dtype=np.float64) / 16.0
    y = np.asarray(bunch.target, dtype=np.int64)
    return X, y
