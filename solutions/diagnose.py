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

### BEGIN SOLUTION
def _error_value(value, name):
    """``value`` as a float in [0, 1]; ValueError for anything else (percentages included)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    value = float(value)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be an error rate between 0 and 1 (write 15 % as 0.15), got {value!r}")
    return value


def _flag(diagnosis, key):
    if key not in diagnosis:
        raise ValueError(f"diagnosis must have the key {key!r} (a bool), as returned by diagnose()")
    value = diagnosis[key]
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"diagnosis[{key!r}] must be True or False, got {value!r}")
    return bool(value)


def _labelled_rows(inputs, labels, what):
    """``inputs`` as a float (N, D) array with N >= 1 and ``labels`` as a matching (N,) array."""
    inputs, labels = np.asarray(inputs, dtype=float), np.asarray(labels)
    if inputs.ndim != 2 or inputs.shape[0] == 0:
        raise ValueError(f"X_{what} must be a 2-D array (N, D) with N >= 1, got shape {inputs.shape}")
    if labels.shape != (len(inputs),):
        raise ValueError(f"y_{what} must have shape ({len(inputs)},) to match X_{what}, got shape {labels.shape}")
    return inputs, labels


def _train_and_dev(X_train, y_train, X_dev, y_dev):
    X_train, y_train = _labelled_rows(X_train, y_train, "train")
    X_dev, y_dev = _labelled_rows(X_dev, y_dev, "dev")
    if X_dev.shape[1] != X_train.shape[1]:
        raise ValueError(f"X_dev has {X_dev.shape[1]} columns but X_train has {X_train.shape[1]}")
    return X_train, y_train, X_dev, y_dev


def _error_rate(predictor, X, y):
    """Fraction of the rows of ``X`` whose predicted label differs from ``y``."""
    guess = np.asarray(predictor(X))
    if guess.shape != y.shape:
        raise ValueError(f"the predictor returned shape {guess.shape} for {len(y)} rows; expected ({len(y)},)")
    return float(np.mean(guess != y))
### END SOLUTION


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
    ### BEGIN SOLUTION
    train_error = _error_value(train_error, "train_error")
    dev_error = _error_value(dev_error, "dev_error")
    optimal_error = _error_value(optimal_error, "optimal_error")
    if isinstance(tol, bool) or not isinstance(tol, (int, float, np.integer, np.floating)) or not 0 <= tol < np.inf:
        raise ValueError(f"tol must be a finite number >= 0 (0.02 means 2 points), got {tol!r}")
    avoidable_bias = train_error - optimal_error
    variance = dev_error - train_error
    high_bias = bool(avoidable_bias > tol)
    high_variance = bool(variance > tol)
    verdict = VERDICTS[int(high_bias) + 2 * int(high_variance)]
    return {"avoidable_bias": avoidable_bias, "variance": variance,
            "high_bias": high_bias, "high_variance": high_variance, "verdict": verdict}
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    optimal_error = _error_value(optimal_error, "optimal_error")
    train_error = _error_value(train_error, "train_error")
    train_dev_error = _error_value(train_dev_error, "train_dev_error")
    dev_error = _error_value(dev_error, "dev_error")
    if test_error is not None:
        test_error = _error_value(test_error, "test_error")
    if isinstance(tol, bool) or not isinstance(tol, (int, float, np.integer, np.floating)) or not 0 <= tol < np.inf:
        raise ValueError(f"tol must be a finite number >= 0 (0.02 means 2 points), got {tol!r}")
    budget = {"avoidable_bias": train_error - optimal_error,
              "variance": train_dev_error - train_error,
              "data_mismatch": dev_error - train_dev_error,
              "dev_overfitting": None if test_error is None else test_error - dev_error}
    budget["high"] = [name for name in GAPS if budget[name] is not None and budget[name] > tol]
    return budget
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    if not isinstance(diagnosis, Mapping):
        raise ValueError(f"diagnosis must be a dict like the result of diagnose(), got {type(diagnosis).__name__}")
    high_bias, high_variance = _flag(diagnosis, "high_bias"), _flag(diagnosis, "high_variance")
    if not isinstance(more_data_possible, (bool, np.bool_)):
        raise ValueError(f"more_data_possible must be True or False, got {more_data_possible!r}")
    if high_bias:
        return ["bigger network", "train longer", "new architecture"]
    if high_variance:
        remedies = ["more data", "regularization", "new architecture"]
        return remedies if more_data_possible else remedies[1:]
    return []
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    if not callable(fit):
        raise ValueError(f"fit must be a callable fit(setting, X, y) -> predictor, got {type(fit).__name__}")
    settings = list(settings)
    if not settings:
        raise ValueError("settings must hold at least one setting")
    X_train, y_train, X_dev, y_dev = _train_and_dev(X_train, y_train, X_dev, y_dev)
    fitted_errors, held_out_errors = [], []
    for setting in settings:
        model = fit(setting, X_train, y_train)
        fitted_errors.append(_error_rate(model, X_train, y_train))
        held_out_errors.append(_error_rate(model, X_dev, y_dev))
    dev_error = np.array(held_out_errors, dtype=float)
    return {"train_error": np.array(fitted_errors, dtype=float), "dev_error": dev_error,
            "best": int(np.argmin(dev_error))}
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    for value, name in ((n_min, "n_min"), (n_max, "n_max"), (k, "k")):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            raise ValueError(f"{name} must be an integer, got {value!r}")
    if n_min < 1 or n_max <= n_min:
        raise ValueError(f"need 1 <= n_min < n_max, got n_min={n_min!r} and n_max={n_max!r}")
    if not 2 <= k <= n_max - n_min + 1:
        raise ValueError(f"k must be between 2 and n_max - n_min + 1 = {n_max - n_min + 1}, got {k!r}")
    sizes = np.round(np.geomspace(n_min, n_max, k)).astype(np.int64)
    for i in range(1, k):
        sizes[i] = max(sizes[i], sizes[i - 1] + 1)
    return sizes
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    if not callable(fit):
        raise ValueError(f"fit must be a callable fit(X, y) -> predictor, got {type(fit).__name__}")
    X_train, y_train, X_dev, y_dev = _train_and_dev(X_train, y_train, X_dev, y_dev)
    n_train = X_train.shape[0]
    sizes = np.asarray(sizes)
    if sizes.ndim != 1 or sizes.size == 0 or sizes.dtype.kind not in "iu":
        raise ValueError(f"sizes must be a non-empty 1-D sequence of integers, got {sizes!r}")
    if sizes[0] < 1 or sizes[-1] > n_train or np.any(np.diff(sizes) <= 0):
        raise ValueError(f"sizes must increase strictly and lie between 1 and {n_train}, got {sizes.tolist()}")
    check_generator(rng)
    order = rng.permutation(n_train)
    subset_errors, dev_errors = [], []
    for size in sizes:
        rows = order[:size]
        predictor = fit(X_train[rows], y_train[rows])
        subset_errors.append(_error_rate(predictor, X_train[rows], y_train[rows]))
        dev_errors.append(_error_rate(predictor, X_dev, y_dev))
    return {"sizes": sizes.astype(np.int64), "train_error": np.array(subset_errors, dtype=float),
            "dev_error": np.array(dev_errors, dtype=float)}
    ### END SOLUTION
