"""Chapter 1 exercises: splitting data into train, dev and test sets.

Every function here returns new arrays and leaves its inputs untouched. Index arrays
are int64 NumPy arrays of row numbers into the data set.
"""
from __future__ import annotations

import numpy as np

from nnlib.validation import check_generator, check_positive_int



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
    raise NotImplementedError("split_indices() is an exercise of chapter 1 (Data splitting: train, dev and test): write it in nnlib/splitting.py")


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
    raise NotImplementedError("recommended_split() is an exercise of chapter 1 (Data splitting: train, dev and test): write it in nnlib/splitting.py")


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
    raise NotImplementedError("stratified_split() is an exercise of chapter 1 (Data splitting: train, dev and test): write it in nnlib/splitting.py")


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
    raise NotImplementedError("fit_standardizer() is an exercise of chapter 1 (Data splitting: train, dev and test): write it in nnlib/splitting.py")


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
    raise NotImplementedError("apply_standardizer() is an exercise of chapter 1 (Data splitting: train, dev and test): write it in nnlib/splitting.py")


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
    raise NotImplementedError("kfold_indices() is an exercise of chapter 1 (Data splitting: train, dev and test): write it in nnlib/splitting.py")
