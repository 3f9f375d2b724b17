"""Chapter 1 exercises: splitting data into train, dev and test sets.

Every function here returns new arrays and leaves its inputs untouched. Index arrays
are int64 NumPy arrays of row numbers into the data set.
"""
from __future__ import annotations

import numpy as np

from nnlib.validation import check_generator, check_positive_int

### BEGIN SOLUTION
def _split_sizes(n, fracs):
    """Sizes that add up to n, each within one example of frac * n (largest remainders)."""
    exact = np.asarray(fracs, dtype=float) * n
    sizes = np.floor(exact).astype(np.int64)
    shortfall = n - int(sizes.sum())
    by_remainder = np.argsort(-(exact - sizes), kind="stable")
    sizes[by_remainder[:shortfall]] += 1
    return sizes


def _check_fracs(fracs):
    fracs = np.asarray(fracs, dtype=float)
    if fracs.ndim != 1 or len(fracs) < 2:
        raise ValueError(f"fracs must be a sequence of at least two fractions, got {fracs!r}")
    if np.any(fracs < 0) or not np.isclose(fracs.sum(), 1.0, rtol=0, atol=1e-9):
        raise ValueError(f"fracs must be non-negative and sum to 1, got {tuple(fracs)}")
    return fracs


def _stratified_sizes(class_counts, fracs):
    """Rows of each class in each part, shape (classes, parts).

    Row c holds floor or ceil of fracs * class_counts[c] and adds up to class_counts[c];
    column i adds up to _split_sizes(N, fracs)[i]. Start from each class's own largest
    remainders, then move single rows from parts over their total to parts under it.
    """
    share = np.outer(class_counts, fracs)
    sizes = np.array([_split_sizes(n_c, fracs) for n_c in class_counts])
    target = _split_sizes(int(np.sum(class_counts)), fracs)
    while (sizes.sum(axis=0) != target).any():
        for label, source, dest in _shift_path(sizes, share, sizes.sum(axis=0) - target):
            sizes[label, source] -= 1
            sizes[label, dest] += 1
    return sizes


def _shift_path(sizes, share, excess):
    """Moves (class, from part, to part) that carry one row from a part over its total to one under it.

    A class may give up a row in part i if it holds ceil(share) there, and take one if it holds
    floor(share). Breadth-first search over parts; a chain through other parts keeps their totals.
    """
    can_give = sizes > share + 1e-9
    can_take = sizes < share - 1e-9
    came_from = {int(p): None for p in np.flatnonzero(excess > 0)}
    queue = list(came_from)
    while queue:
        part = queue.pop(0)
        if excess[part] < 0:
            path = []
            while came_from[part] is not None:
                label, source = came_from[part]
                path.append((label, source, part))
                part = source
            return path
        for other in range(sizes.shape[1]):
            if other in came_from:
                continue
            donors = np.flatnonzero(can_give[:, part] & can_take[:, other])
            if donors.size:
                came_from[other] = (int(donors[0]), part)
                queue.append(other)
    raise RuntimeError("no stratified split meets both size rules")  # never reached (see the tests)
### END SOLUTION


def split_indices(n, fracs=(0.6, 0.2, 0.2), *, rng=None, shuffle=True):
    """Split the row numbers ``0 .. n-1`` into disjoint parts of the given fractions.

    Parameters
    ----------
    n : int
        Number of examples, at least 1.
    fracs : sequence of float
        Fraction of the examples for each part (usually train, dev, test); at least two
        non-negative numbers that sum to 1.
    rng : numpy.random.Generator
        Source of the shuffle. Required when ``shuffle`` is true.
    shuffle : bool
        Shuffle before splitting (the default). ``False`` keeps the order, for data whose
        order matters (time series): the first part gets the first rows.

    Returns
    -------
    tuple of numpy.ndarray
        One int64 index array per fraction. The parts are disjoint, together hold every
        row exactly once, and part ``i`` has ``fracs[i] * n`` rows rounded up or down
        (so that the sizes add up to ``n``).

    Raises
    ------
    ValueError
        If ``n`` is not a positive integer, ``fracs`` has fewer than two entries, a negative
        entry or does not sum to 1, or ``shuffle`` is true and ``rng`` is not a Generator.
    TypeError
        May be raised instead of ValueError for an argument of the wrong type (a string,
        a bool, None, a list or a float where a number, an integer, an array or a
        Generator is expected); the checks accept either. A wrong value of the right
        type must raise ValueError.
    """
    ### BEGIN SOLUTION
    n = check_positive_int(n, "n")
    sizes = _split_sizes(n, _check_fracs(fracs))
    if shuffle:
        check_generator(rng)
        order = rng.permutation(n)  # a shuffled copy of 0..n-1
    else:
        order = np.arange(n)
    return tuple(np.split(order.astype(np.int64), np.cumsum(sizes)[:-1]))
    ### END SOLUTION


def recommended_split(n, *, dev_cap=10_000, test_cap=10_000, small=(0.6, 0.2, 0.2)):
    """Sizes of train, dev and test for a data set of ``n`` examples.

    Small data sets use the classic fractions ``small`` (60/20/20). A dev set only has to
    tell a few candidate models apart and a test set only has to estimate one error
    rate, so beyond a point they stop growing: dev and test each get
    ``floor(fraction * n)`` examples but never more than their cap, and train gets the
    rest. A million examples thus split 98 % / 1 % / 1 %.

    Parameters
    ----------
    n : int
        Number of examples, at least 3.
    dev_cap, test_cap : int
        Largest useful dev and test sizes, positive.
    small : tuple of three float
        Train, dev and test fractions for small data; non-negative, summing to 1.

    Returns
    -------
    tuple of three int
        ``(n_train, n_dev, n_test)``, Python ints that add up to ``n``.

    Raises
    ------
    ValueError
        If ``n < 3``, a cap is not positive, or ``small`` is not three fractions summing to 1.
    TypeError
        May be raised instead of ValueError for an argument of the wrong type (a string,
        a bool, None, a list or a float where a number, an integer, an array or a
        Generator is expected); the checks accept either. A wrong value of the right
        type must raise ValueError.
    """
    ### BEGIN SOLUTION
    n = check_positive_int(n, "n", minimum=3)
    if dev_cap < 1 or test_cap < 1:
        raise ValueError(f"dev_cap and test_cap must be positive, got {dev_cap!r} and {test_cap!r}")
    fracs = _check_fracs(small)
    if len(fracs) != 3:
        raise ValueError(f"small must hold three fractions (train, dev, test), got {small!r}")
    n_dev = min(int(np.floor(fracs[1] * n)), int(dev_cap))
    n_test = min(int(np.floor(fracs[2] * n)), int(test_cap))
    return n - n_dev - n_test, n_dev, n_test
    ### END SOLUTION


def stratified_split(y, fracs=(0.6, 0.2, 0.2), *, rng):
    """Split row numbers so that every part keeps the class proportions of ``y``.

    Each class is shuffled and cut on its own, and the pieces of all classes are joined.
    Two size rules hold at once:

    1. per class: for every class ``c`` with ``n_c`` examples, part ``i`` holds
       ``fracs[i] * n_c`` of them, rounded up or down;
    2. per part: part ``i`` holds ``fracs[i] * N`` rows in total, rounded up or down,
       exactly as in :func:`split_indices`.

    Rounding each class on its own (largest remainders per class) satisfies rule 1 but
    not rule 2: the rounding errors of the classes add up, so that 10 classes of 7 rows
    split 60/20/20 can give parts of 40/20/10 rows instead of 42/14/14. One way to meet
    both: round each class on its own, then move single rows of a class from a part
    that has too many rows in total to one that has too few, as long as that class
    stays within rule 1 (when no class allows a direct move, go through a third part).

    Parameters
    ----------
    y : numpy.ndarray
        Class labels, shape ``(N,)``, with an integer dtype (any integers, e.g. ``-1``
        and ``7``; float labels such as ``1.0`` are rejected).
    fracs : sequence of float
        As in :func:`split_indices`.
    rng : numpy.random.Generator
        Source of the shuffles.

    Returns
    -------
    tuple of numpy.ndarray
        One int64 index array per fraction, disjoint, covering ``0 .. N-1``, whose sizes
        meet rules 1 and 2.

    Raises
    ------
    ValueError
        If ``y`` is not a non-empty one-dimensional array of integers, ``fracs`` is
        invalid, or ``rng`` is not a Generator.
    TypeError
        May be raised instead of ValueError for an argument of the wrong type (a string,
        a bool, None, a list or a float where a number, an integer, an array or a
        Generator is expected); the checks accept either. A wrong value of the right
        type must raise ValueError.
    """
    ### BEGIN SOLUTION
    y = np.asarray(y)
    if y.ndim != 1 or y.size == 0:
        raise ValueError(f"y must be a non-empty 1-D array of labels, got shape {y.shape}")
    if y.dtype.kind not in "iu":
        raise ValueError(f"y must hold integer class labels, got dtype {y.dtype}")
    fracs = _check_fracs(fracs)
    check_generator(rng)
    labels, counts = np.unique(y, return_counts=True)
    sizes = _stratified_sizes(counts, fracs)
    parts = [[] for _ in fracs]
    for label, class_sizes in zip(labels, sizes):
        members = rng.permutation(np.flatnonzero(y == label))
        for part, chunk in zip(parts, np.split(members, np.cumsum(class_sizes)[:-1])):
            part.append(chunk)
    return tuple(rng.permutation(np.concatenate(part)).astype(np.int64) for part in parts)
    ### END SOLUTION


def fit_standardizer(X_train, *, eps=1e-8):
    """Per-feature statistics for standardizing, measured on the training set only.

    Parameters
    ----------
    X_train : numpy.ndarray
        Training inputs, shape ``(N, D)`` with ``N >= 1``.
    eps : float
        Positive threshold: a feature whose standard deviation is below ``eps`` (a
        constant column) gets scale 1, so that standardizing never divides by zero.

    Returns
    -------
    dict
        ``{"mean": (D,), "scale": (D,)}``: the mean of each column and its population
        standard deviation (divide by ``N``, not ``N - 1``), float64.

    Raises
    ------
    ValueError
        If ``X_train`` is not a non-empty 2-D array, or ``eps`` is not positive.
    TypeError
        May be raised instead of ValueError for an argument of the wrong type (a string,
        a bool, None, a list or a float where a number, an integer, an array or a
        Generator is expected); the checks accept either. A wrong value of the right
        type must raise ValueError.
    """
    ### BEGIN SOLUTION
    X_train = np.asarray(X_train, dtype=float)
    if X_train.ndim != 2 or X_train.shape[0] == 0:
        raise ValueError(f"X_train must be a 2-D array (N, D) with N >= 1, got shape {X_train.shape}")
    if not eps > 0:
        raise ValueError(f"eps must be positive, got {eps!r}")
    mean = X_train.mean(axis=0)
    scale = X_train.std(axis=0)
    return {"mean": mean, "scale": np.where(scale < eps, 1.0, scale)}
    ### END SOLUTION


def apply_standardizer(stats, X):
    """Standardize ``X`` with statistics measured earlier: ``(X - mean) / scale``.

    Use the statistics of the training set for train, dev and test alike; measuring
    them again on dev or test data leaks information and changes the features.

    Parameters
    ----------
    stats : dict
        As returned by :func:`fit_standardizer`.
    X : numpy.ndarray
        Inputs, shape ``(M, D)`` with the same ``D`` as the statistics.

    Returns
    -------
    numpy.ndarray
        Float64 array of shape ``(M, D)``.

    Raises
    ------
    ValueError
        If ``X`` is not 2-D or its number of columns differs from the statistics'.
    TypeError
        May be raised instead of ValueError for an argument of the wrong type (a string,
        a bool, None, a list or a float where a number, an integer, an array or a
        Generator is expected); the checks accept either. A wrong value of the right
        type must raise ValueError.
    """
    ### BEGIN SOLUTION
    X = np.asarray(X, dtype=float)
    mean, scale = np.asarray(stats["mean"]), np.asarray(stats["scale"])
    if X.ndim != 2 or X.shape[1] != mean.shape[0]:
        raise ValueError(f"X must be 2-D with {mean.shape[0]} columns, got shape {X.shape}")
    return (X - mean) / scale
    ### END SOLUTION


def kfold_indices(n, k, *, rng):
    """Shuffle ``0 .. n-1`` once and cut it into ``k`` folds for cross-validation.

    Parameters
    ----------
    n : int
        Number of examples, a positive integer (``10.0`` is rejected).
    k : int
        Number of folds, ``2 <= k <= n``.
    rng : numpy.random.Generator
        Source of the shuffle.

    Returns
    -------
    list of tuple of numpy.ndarray
        ``k`` pairs ``(train_idx, val_idx)`` of int64 arrays. Every row is in exactly one
        ``val_idx``; the fold sizes differ by at most one; ``train_idx`` is every row not
        in that fold.

    Raises
    ------
    ValueError
        If ``n`` is not a positive integer, ``k`` is not an integer in ``[2, n]``, or
        ``rng`` is not a Generator.
    TypeError
        May be raised instead of ValueError for an argument of the wrong type (a string,
        a bool, None, a list or a float where a number, an integer, an array or a
        Generator is expected); the checks accept either. A wrong value of the right
        type must raise ValueError.
    """
    ### BEGIN SOLUTION
    n = check_positive_int(n, "n")
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or not 2 <= k <= n:
        raise ValueError(f"k must be an integer between 2 and n={n}, got {k!r}")
    check_generator(rng)
    folds = np.array_split(rng.permutation(n).astype(np.int64), k)
    return [(np.concatenate(folds[:i] + folds[i + 1:]), fold) for i, fold in enumerate(folds)]
    ### END SOLUTION
