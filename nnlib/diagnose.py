"""Chapter 2 exercises: bias and variance, the basic recipe, capacity sweeps, learning curves
and the error budget of a train-dev set.

Error rates are fractions in ``[0, 1]`` (0.15 means 15 %), never percentages. A classifier
is passed around as a *predictor*: any callable that maps an input array ``(M, D)`` to
``M`` integer labels. A *fit* function trains a model and returns such a predictor, so
the functions here work with any model, from a network trained with
``nnlib.training.train`` to a rule written by hand.

Conventions of this chapter (stated once, used everywhere):

* **avoidable bias** = training error minus the optimal error (the Bayes error, or
  human-level error as a stand-in for it). It is *not* clipped at zero: a negative value
  means the model fits its training set better than any classifier can fit new data,
  that is, it has learned some of the noise.
* **variance** = dev error minus training error (the generalization gap), when the
  training and dev sets come from the same distribution. When they do not, hold out a
  **train-dev** set (rows of the training distribution that the model never trains on)
  and split the gap further with :func:`error_budget`: variance = train-dev error minus
  training error, **data mismatch** = dev error minus train-dev error, **dev overfitting**
  = test error minus dev error.
* A quantity is **high** when it is larger than the tolerance ``tol``, strictly.

These are diagnostic quantities in the sense of Ng's *Machine Learning Yearning*, not the
terms of the statistical bias-variance decomposition; the chapter explains the difference.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from nnlib.validation import check_generator

VERDICTS = ("good fit", "high bias", "high variance", "high bias and high variance")
"""tuple of str: the possible ``"verdict"`` values of :func:`diagnose`."""

REMEDIES = ("bigger network", "train longer", "new architecture", "more data", "regularization")
"""tuple of str: the vocabulary of :func:`recipe`."""

GAPS = ("avoidable_bias", "variance", "data_mismatch", "dev_overfitting")
"""tuple of str: the four gaps of :func:`error_budget`, in the order of the error ladder."""



def diagnose(train_error, dev_error, optimal_error=0.0, *, tol=0.02):
    """Avoidable bias, variance and a verdict from the training and dev error.

    The optimal error is the lowest error any classifier can reach on this task (the
    Bayes error); human-level error often stands in for it. With an optimal error of
    0, a model at 15 % training error has a lot of avoidable bias; with an optimal
    error of 15 % (blurry images, noisy labels) the same model has none.

    Parameters
    ----------
    train_error, dev_error : float
        Error rates on the training and dev sets, fractions in ``[0, 1]``.
    optimal_error : float, default 0.0
        The optimal (Bayes or human-level) error rate, a fraction in ``[0, 1]``.
    tol : float, default 0.02
        Tolerance, same units (0.02 = 2 percentage points), ``>= 0``. A gap counts as
        high only when it is strictly larger than ``tol``: a gap equal to ``tol`` is
        not high.

    Returns
    -------
    dict
        ``"avoidable_bias"`` (float): ``train_error - optimal_error``, not clipped, so
        it is negative when the training error is below the optimal error.
        ``"variance"`` (float): ``dev_error - train_error``, not clipped either. This
        reading assumes that the dev set comes from the training distribution; when
        it does not, :func:`error_budget` separates variance from data mismatch.
        ``"high_bias"`` (bool): ``avoidable_bias > tol``.
        ``"high_variance"`` (bool): ``variance > tol``.
        ``"verdict"`` (str): one of :data:`VERDICTS`: ``"good fit"`` when neither is
        high, ``"high bias"`` or ``"high variance"`` when only that one is, and
        ``"high bias and high variance"`` when both are.

    Raises
    ------
    ValueError
        If an error rate is not a number in ``[0, 1]`` (percentages such as 15 are
        rejected), or ``tol`` is negative or not a finite number.
    TypeError
        May be raised instead of ValueError for an argument of the wrong type (a string,
        a bool, None, a list or a float where a number, an integer, an array or a
        Generator is expected); the checks accept either. A wrong value of the right
        type must raise ValueError.
    """
    raise NotImplementedError("diagnose() is an exercise of chapter 2 (Bias and variance): write it in nnlib/diagnose.py")


def error_budget(train_error, train_dev_error, dev_error, test_error=None, *, optimal_error=0.0, tol=0.02):
    """Split the errors along the ladder optimal -> train -> train-dev -> dev -> test.

    When the training data come from another distribution than the dev and test data
    (plentiful web photos for training, scarce app photos for dev and test), the gap
    between training and dev error mixes two problems: the model does not generalize
    (variance), and the dev data look different (data mismatch). A **train-dev** set,
    rows drawn from the training distribution but never trained on, separates them.
    Each gap is the difference between neighbouring rungs of the ladder:

    * ``"avoidable_bias"`` = ``train_error - optimal_error``;
    * ``"variance"`` = ``train_dev_error - train_error``;
    * ``"data_mismatch"`` = ``dev_error - train_dev_error``;
    * ``"dev_overfitting"`` = ``test_error - dev_error`` (the dev set has been used so
      often to choose among models that its error is optimistic).

    None is clipped at zero, and together they add up to ``test_error - optimal_error``
    (to ``dev_error - optimal_error`` without the last one).

    Parameters
    ----------
    train_error, train_dev_error, dev_error : float
        Error rates on the training, train-dev and dev sets, fractions in ``[0, 1]``.
    test_error : float or None, default None
        Error rate on the test set, a fraction in ``[0, 1]``; ``None`` when no test
        error has been measured (then there is no dev-overfitting gap).
    optimal_error : float, default 0.0
        The optimal (Bayes or human-level) error rate on the training distribution, a
        fraction in ``[0, 1]`` (keyword only).
    tol : float, default 0.02
        Tolerance, ``>= 0`` and finite (keyword only). A gap is high when it is strictly
        larger than ``tol``.

    Returns
    -------
    dict
        The four keys of :data:`GAPS`, each a float, except ``"dev_overfitting"``,
        which is ``None`` when ``test_error`` is ``None``; and ``"high"``: a new list of
        the names of the gaps that are strictly larger than ``tol``, in the order of
        :data:`GAPS` (a missing ``"dev_overfitting"`` is never high).

    Raises
    ------
    ValueError
        If an error rate is not a number in ``[0, 1]`` (percentages such as 15, NaN and
        bools are rejected; ``test_error`` may also be ``None``), or ``tol`` is negative
        or not a finite number.
    TypeError
        May be raised instead of ValueError for an argument of the wrong type (a string,
        a bool, None, a list or a float where a number, an integer, an array or a
        Generator is expected); the checks accept either. A wrong value of the right
        type must raise ValueError.
    """
    raise NotImplementedError("error_budget() is an exercise of chapter 2 (Bias and variance): write it in nnlib/diagnose.py")


def recipe(diagnosis, *, more_data_possible=True):
    """The next remedies to try, by the basic recipe: fix bias first, then variance.

    1. High (avoidable) bias: the model does not even fit its training set. Try
       ``["bigger network", "train longer", "new architecture"]``, in that order. More
       data does not cure bias, so it is not on this list, and neither is
       regularization. This holds even when the variance is high too: until the
       training set is fitted, the dev error cannot tell you much more.
    2. Otherwise, high variance: try ``["more data", "regularization", "new architecture"]``;
       when ``more_data_possible`` is false, the same list without ``"more data"``.
    3. Otherwise nothing needs fixing: the empty list.

    Parameters
    ----------
    diagnosis : mapping
        Needs the keys ``"high_bias"`` and ``"high_variance"`` with bool values
        (Python or NumPy bools), as in the result of :func:`diagnose`; other keys are
        ignored. It is not modified.
    more_data_possible : bool, default True
        Whether collecting more training data is affordable.

    Returns
    -------
    list of str
        A new list of entries of :data:`REMEDIES`, most promising first.

    Raises
    ------
    ValueError
        If ``diagnosis`` is not a mapping, lacks one of the two keys, or has a non-bool
        value there; or if ``more_data_possible`` is not a bool.
    TypeError
        May be raised instead of ValueError for an argument of the wrong type (a string,
        a bool, None, a list or a float where a number, an integer, an array or a
        Generator is expected); the checks accept either. A wrong value of the right
        type must raise ValueError.
    """
    raise NotImplementedError("recipe() is an exercise of chapter 2 (Bias and variance): write it in nnlib/diagnose.py")


def capacity_sweep(fit, settings, X_train, y_train, X_dev, y_dev):
    """Train one model per capacity setting and measure its training and dev error.

    Parameters
    ----------
    fit : callable
        ``fit(setting, X, y) -> predictor``: trains a model with that setting (say,
        a number of hidden units) on ``(X, y)`` and returns a callable mapping an
        ``(M, D)`` array to ``M`` labels. It is called once per setting, in order,
        with the training data only.
    settings : sequence
        The settings to try, at least one; any values that ``fit`` understands.
    X_train : numpy.ndarray
        Training inputs, shape ``(N, D)``, ``N >= 1``.
    y_train : numpy.ndarray
        Training labels, shape ``(N,)``.
    X_dev : numpy.ndarray
        Dev inputs, shape ``(M, D)``, ``M >= 1``, same ``D``.
    y_dev : numpy.ndarray
        Dev labels, shape ``(M,)``.

    Returns
    -------
    dict
        ``"train_error"`` and ``"dev_error"``: float64 arrays of shape ``(K,)`` for the
        ``K`` settings, the error of each trained model on the whole training set and
        on the dev set. ``"best"``: the index (int) of the setting with the lowest dev
        error; on a tie, the first such setting.

    Raises
    ------
    ValueError
        If ``fit`` is not callable, ``settings`` is empty, the arrays have the wrong
        shapes, or a predictor returns the wrong number of labels.
    TypeError
        May be raised instead of ValueError for an argument of the wrong type (a string,
        a bool, None, a list or a float where a number, an integer, an array or a
        Generator is expected); the checks accept either. A wrong value of the right
        type must raise ValueError.
    """
    raise NotImplementedError("capacity_sweep() is an exercise of chapter 2 (Bias and variance): write it in nnlib/diagnose.py")


def log_spaced_sizes(n_min, n_max, k):
    """``k`` training-set sizes from ``n_min`` to ``n_max``, evenly spaced on a log scale.

    Adding a few examples to a large training set barely changes anything, so learning
    curves are measured at sizes that grow by a constant *factor*, such as 100, 200,
    400, 800, rather than by a constant step.

    The sizes are the numbers of ``np.geomspace(n_min, n_max, k)`` rounded to the
    nearest integer (``np.round``). Near a small ``n_min`` rounding can make two
    neighbours equal (1, 1.4, 2.1 round to 1, 1, 2), so each size is then raised to at
    least one more than the size before it: ``s[i] = max(s[i], s[i - 1] + 1)``.

    Parameters
    ----------
    n_min : int
        Smallest size, ``>= 1``.
    n_max : int
        Largest size, ``> n_min``.
    k : int
        Number of sizes, ``2 <= k <= n_max - n_min + 1``.

    Returns
    -------
    numpy.ndarray
        int64 array of shape ``(k,)``, strictly increasing, starting at exactly
        ``n_min`` and ending at exactly ``n_max``.

    Raises
    ------
    ValueError
        If an argument is not an integer (bools are not integers here), ``n_min < 1``,
        ``n_max <= n_min``, or ``k`` is outside ``[2, n_max - n_min + 1]``.
    TypeError
        May be raised instead of ValueError for an argument of the wrong type (a string,
        a bool, None, a list or a float where a number, an integer, an array or a
        Generator is expected); the checks accept either. A wrong value of the right
        type must raise ValueError.
    """
    raise NotImplementedError("log_spaced_sizes() is an exercise of chapter 2 (Bias and variance): write it in nnlib/diagnose.py")


def learning_curve(fit, X_train, y_train, X_dev, y_dev, sizes, *, rng):
    """Training and dev error of models trained on growing subsets of the training set.

    The training rows are shuffled once, with ``rng.permutation``; the model for size
    ``n`` is trained on the first ``n`` rows of that shuffled order. The subsets are
    therefore nested: each one contains the previous one, so the curve shows the effect
    of *adding* data rather than the luck of drawing a different sample at every size.

    Parameters
    ----------
    fit : callable
        ``fit(X, y) -> predictor``: trains a fresh model on ``(X, y)`` and returns a
        callable mapping an ``(M, D)`` array to ``M`` labels.
    X_train : numpy.ndarray
        Training inputs, shape ``(N, D)``, ``N >= 1``.
    y_train : numpy.ndarray
        Training labels, shape ``(N,)``.
    X_dev : numpy.ndarray
        Dev inputs, shape ``(M, D)``, ``M >= 1``, same ``D``.
    y_dev : numpy.ndarray
        Dev labels, shape ``(M,)``.
    sizes : sequence of int
        Training-set sizes, strictly increasing, each in ``[1, N]`` (for example from
        :func:`log_spaced_sizes`).
    rng : numpy.random.Generator
        Source of the shuffle.

    Returns
    -------
    dict
        ``"sizes"``: the sizes as an int64 array of shape ``(K,)``.
        ``"train_error"``: float64 ``(K,)``, the error of each model on the subset it
        was trained on (not on the whole training set).
        ``"dev_error"``: float64 ``(K,)``, the error of each model on the whole dev set.

    Raises
    ------
    ValueError
        If ``fit`` is not callable; the arrays have the wrong shapes; ``sizes`` is not a
        non-empty, strictly increasing sequence of integers in ``[1, N]``; ``rng`` is not
        a Generator; or a predictor returns the wrong number of labels.
    TypeError
        May be raised instead of ValueError for an argument of the wrong type (a string,
        a bool, None, a list or a float where a number, an integer, an array or a
        Generator is expected); the checks accept either. A wrong value of the right
        type must raise ValueError.
    """
    raise NotImplementedError("learning_curve() is an exercise of chapter 2 (Bias and variance): write it in nnlib/diagnose.py")
