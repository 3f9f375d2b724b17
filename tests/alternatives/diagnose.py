"""An independent answer to nnlib/diagnose.py, written from the stub's docstrings only.

Different style from the reference on purpose: explicit loops instead of vectorized code,
a sorted-subset draw for the learning curve (the contract only asks for nested subsets
from one shuffle with ``rng.permutation``), and the verdict spelled out with branches.
"""
import math
import collections.abc as abc
from numbers import Real

import numpy as np

VERDICTS = tuple(["good fit", "high bias", "high variance",
                  "high bias and high variance"])
REMEDIES = tuple(["bigger network", "train longer", "new architecture",
                  "more data", "regularization"])
GAPS = tuple(["avoidable_bias", "variance",
              "data_mismatch", "dev_overfitting"])


def _rate(x, label):
    if type(x) is bool or isinstance(x, np.bool_) or not isinstance(x, Real):
        raise ValueError(f"{label}: expected a fraction between 0 and 1, got {x!r}")
    x = float(x)
    if math.isnan(x) or x < 0.0 or x > 1.0:
        raise ValueError(f"{label}: expected a fraction between 0 and 1, got {x!r}")
    return x


def _tolerance(tol):
    if type(tol) is bool or isinstance(tol, np.bool_) or not isinstance(tol, Real):
        raise ValueError(f"tol: expected a number, got {tol!r}")
    tol = float(tol)
    if not math.isfinite(tol) or tol < 0:
        raise ValueError(f"tol: expected a finite number >= 0, got {tol!r}")
    return tol


def diagnose(train_error, dev_error, optimal_error=0.0, *, tol=0.02):
    tr = _rate(train_error, "train_error")
    dv = _rate(dev_error, "dev_error")
    opt = _rate(optimal_error, "optimal_error")
    tol = _tolerance(tol)
    bias_gap = tr - opt
    generalization_gap = dv - tr
    too_biased = bias_gap > tol
    too_variable = generalization_gap > tol
    if too_biased and too_variable:
        verdict = "high bias and high variance"
    elif too_biased:
        verdict = "high bias"
    elif too_variable:
        verdict = "high variance"
    else:
        verdict = "good fit"
    return dict(avoidable_bias=bias_gap, variance=generalization_gap, high_bias=bool(too_biased),
                high_variance=bool(too_variable), verdict=verdict)


def error_budget(train_error, train_dev_error, dev_error, test_error=None, *, optimal_error=0.0, tol=0.02):
    rungs = {"optimal": _rate(optimal_error, "optimal_error"), "train": _rate(train_error, "train_error"),
             "train-dev": _rate(train_dev_error, "train_dev_error"), "dev": _rate(dev_error, "dev_error")}
    has_test = test_error is not None
    if has_test:
        rungs["test"] = _rate(test_error, "test_error")
    tol = _tolerance(tol)
    out = {}
    out["avoidable_bias"] = rungs["train"] - rungs["optimal"]
    out["variance"] = rungs["train-dev"] - rungs["train"]
    out["data_mismatch"] = rungs["dev"] - rungs["train-dev"]
    out["dev_overfitting"] = (rungs["test"] - rungs["dev"]) if has_test else None
    high = []
    for gap in GAPS:
        value = out[gap]
        if value is None:
            continue
        if value > tol:
            high.append(gap)
    out["high"] = high
    return out


def recipe(diagnosis, *, more_data_possible=True):
    if not isinstance(diagnosis, abc.Mapping):
        raise ValueError("diagnosis must be a mapping such as the result of diagnose()")
    flags = []
    for key in ("high_bias", "high_variance"):
        if key not in diagnosis:
            raise ValueError(f"diagnosis has no {key!r} entry")
        flag = diagnosis[key]
        if type(flag) is not bool and not isinstance(flag, np.bool_):
            raise ValueError(f"diagnosis[{key!r}] must be a bool, got {flag!r}")
        flags.append(bool(flag))
    if type(more_data_possible) is not bool and not isinstance(more_data_possible, np.bool_):
        raise ValueError(f"more_data_possible must be a bool, got {more_data_possible!r}")
    biased, variable = flags
    if biased:
        return [REMEDIES[0], REMEDIES[1], REMEDIES[2]]
    if not variable:
        return []
    plan = [REMEDIES[4], REMEDIES[2]]
    if more_data_possible:
        plan.insert(0, REMEDIES[3])
    return plan


def _checked_pair(X, y, label):
    X = np.array(X, dtype=np.float64)
    y = np.array(y)
    if X.ndim != 2 or len(X) < 1:
        raise ValueError(f"X_{label} must be a non-empty 2-D array")
    if y.ndim != 1 or len(y) != len(X):
        raise ValueError(f"y_{label} must be 1-D with one label per row of X_{label}")
    return X, y


def _count_wrong(predictor, X, y):
    labels = np.array(predictor(X))
    if labels.shape != y.shape:
        raise ValueError(f"a predictor returned {labels.shape} labels for {len(y)} rows")
    wrong = 0
    for guess, truth in zip(labels.tolist(), y.tolist()):
        wrong += guess != truth
    return wrong / len(y)


def capacity_sweep(fit, settings, X_train, y_train, X_dev, y_dev):
    if not callable(fit):
        raise ValueError("fit must be callable")
    settings = [s for s in settings]
    if len(settings) == 0:
        raise ValueError("settings is empty")
    Xt, yt = _checked_pair(X_train, y_train, "train")
    Xd, yd = _checked_pair(X_dev, y_dev, "dev")
    if Xt.shape[1] != Xd.shape[1]:
        raise ValueError("X_train and X_dev have different numbers of columns")
    train_error = np.zeros(len(settings))
    dev_error = np.zeros(len(settings))
    best = 0
    for i, setting in enumerate(settings):
        predictor = fit(setting, Xt, yt)
        train_error[i] = _count_wrong(predictor, Xt, yt)
        dev_error[i] = _count_wrong(predictor, Xd, yd)
        if dev_error[i] < dev_error[best]:
            best = i
    return {"train_error": train_error, "dev_error": dev_error, "best": best}


def log_spaced_sizes(n_min, n_max, k):
    for value in (n_min, n_max, k):
        if type(value) is bool or isinstance(value, np.bool_) or not isinstance(value, (int, np.integer)):
            raise ValueError(f"expected integers, got {value!r}")
    if n_min < 1:
        raise ValueError("n_min must be at least 1")
    if n_max <= n_min:
        raise ValueError("n_max must be larger than n_min")
    if k < 2 or k > n_max - n_min + 1:
        raise ValueError("k must lie between 2 and the number of integers in [n_min, n_max]")
    raw = np.geomspace(n_min, n_max, k)
    out = []
    for i in range(k):
        size = int(np.round(raw[i]))
        if out and size <= out[-1]:
            size = out[-1] + 1
        out.append(size)
    return np.array(out, dtype=np.int64)


def learning_curve(fit, X_train, y_train, X_dev, y_dev, sizes, *, rng):
    if not callable(fit):
        raise ValueError("fit must be callable")
    Xt, yt = _checked_pair(X_train, y_train, "train")
    Xd, yd = _checked_pair(X_dev, y_dev, "dev")
    if Xt.shape[1] != Xd.shape[1]:
        raise ValueError("X_train and X_dev have different numbers of columns")
    sizes = list(sizes)
    if not sizes:
        raise ValueError("sizes is empty")
    previous = 0
    for n in sizes:
        if type(n) is bool or not isinstance(n, (int, np.integer)):
            raise ValueError(f"sizes must be integers, got {n!r}")
        if n <= previous or n > len(yt):
            raise ValueError(f"sizes must increase strictly within 1..{len(yt)}")
        previous = n
    if not isinstance(rng, np.random.Generator):
        raise ValueError("rng must be a numpy.random.Generator")
    shuffled = rng.permutation(len(yt))
    train_errors, dev_errors = [], []
    for n in sizes:
        chosen = np.sort(shuffled[:n])       # the same rows as the first n, in the original order
        model = fit(Xt[chosen], yt[chosen])
        train_errors.append(_count_wrong(model, Xt[chosen], yt[chosen]))
        dev_errors.append(_count_wrong(model, Xd, yd))
    return {"sizes": np.array(sizes, dtype=np.int64), "train_error": np.array(train_errors, dtype=np.float64),
            "dev_error": np.array(dev_errors, dtype=np.float64)}
