"""Hidden checks and mutants for chapter 2, ``nnlib.diagnose``.

The models in these checks are tiny hand-written rules, never trained networks, so that a
whole suite runs in well under a second. Every ``fit`` handed to the student's code is
built here; it records what it was given, and the probe returns those records as plain
data for the judge.
"""
from __future__ import annotations

import math

import numpy as np

from ..hidden import CheckSuite
from ..variants import Mutant
from .common import all_value_errors, generator, outcomes, wrong_type

SUITE = CheckSuite("diagnose")
check = SUITE.check


def _count_problem(got, n, what):
    """Why ``got`` is not a list or tuple of exactly ``n`` items, or None.

    Every judge calls this (or :func:`_array_problem`) before it loops or zips over a
    result, so that an empty, short, overlong or missing result fails instead of passing
    vacuously.
    """
    if not isinstance(got, (list, tuple)):
        return f"expected a list of {n} {what}, got {type(got).__name__}"
    if len(got) != n:
        return f"expected {n} {what}, got {len(got)}"
    return None


def _is_number(value):
    """A finite int or float that is not a bool."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _array_problem(got, shape, what):
    """Why ``got`` is not a finite numeric array (or list) of ``shape``, or None."""
    if not isinstance(got, (np.ndarray, list, tuple)):
        return f"{what}: expected an array of shape {shape}, got {type(got).__name__}"
    try:
        value = np.asarray(got)
    except ValueError:
        return f"{what}: expected an array of shape {shape}, got a ragged sequence"
    if value.dtype.kind not in "biuf" or value.dtype.kind == "b" or value.shape != tuple(shape):
        return f"{what}: expected a numeric array of shape {shape}, got shape {value.shape} ({value.dtype})"
    if not np.all(np.isfinite(value)):
        return f"{what} contains NaN or infinity"
    return None


def _dict_problem(got, keys, what):
    """Why ``got`` is not a dict with (at least) ``keys``, or None."""
    if not isinstance(got, dict):
        return f"{what} must be a dict, got {type(got).__name__}"
    missing = [k for k in keys if k not in got]
    return f"{what} lacks the keys {missing}" if missing else None


def _close(got, expected, what, atol=1e-12):
    expected = np.asarray(expected, dtype=float)
    problem = _array_problem(got, expected.shape, what)
    if problem:
        return problem
    if not np.allclose(np.asarray(got, dtype=float), expected, rtol=0, atol=atol):
        return f"{what} differs from the expected values"
    return None


def _strings_problem(got, what):
    """Why ``got`` is not a list (or tuple) of strings, or None."""
    if not isinstance(got, (list, tuple)) or not all(isinstance(item, str) for item in got):
        return f"{what} must be a list of strings, got {got!r:.80}"
    return None


# -- diagnose -----------------------------------------------------------------
def _error_triples(seed, count=10):
    """Random (train, dev, optimal) error rates; dev may be below train, train below optimal."""
    rng = generator(seed)
    optimal = rng.uniform(0.0, 0.3, count)
    optimal[:3] = rng.uniform(0.1, 0.3, 3)
    offset = rng.uniform(-0.08, 0.25, count)
    offset[:3] = -rng.uniform(0.01, 0.08, 3)    # three cases with train error below the optimal error
    train = np.clip(optimal + offset, 0.0, 1.0)
    dev = np.clip(train + rng.uniform(-0.05, 0.3, count), 0.0, 1.0)
    return [(float(t), float(d), float(o)) for t, d, o in zip(train, dev, optimal)]


def _tolerance_cases(seed, count=16):
    """Triples and tolerances whose gaps are never within 1e-6 of the tolerance."""
    rng = generator(seed, 1)
    cases = []
    while len(cases) < count:
        optimal = float(rng.uniform(0.0, 0.2))
        train = float(rng.uniform(0.0, 0.4))
        dev = float(np.clip(train + rng.uniform(-0.03, 0.15), 0.0, 1.0))
        tol = float(rng.choice([0.0, rng.uniform(0.005, 0.08)]))
        if min(abs(train - optimal - tol), abs(dev - train - tol)) > 1e-6:
            cases.append((train, dev, optimal, tol))
    return cases


@check("diagnose", "avoidable bias is train minus optimal error, variance is dev minus train error (random errors)")
def _diag_numbers(student, seed):
    results = [student.diagnose(t, d, o) for t, d, o in _error_triples(seed)]
    return [[r["avoidable_bias"], r["variance"]] for r in results]


@_diag_numbers.judge
def _(got, reference, seed):
    triples = _error_triples(seed)
    problem = _count_problem(got, len(triples), "[avoidable_bias, variance] pairs")
    if problem:
        return problem
    for pair, (t, d, o) in zip(got, triples):
        problem = _count_problem(pair, 2, "numbers (avoidable_bias, variance)")
        if problem:
            return problem
        bias, variance = pair
        if not (_is_number(bias) and _is_number(variance)):
            return "avoidable_bias and variance must be finite numbers (floats)"
        expected = reference.diagnose(t, d, o)
        if not math.isclose(bias, expected["avoidable_bias"], abs_tol=1e-12):
            if math.isclose(bias, t, abs_tol=1e-12):
                return "avoidable bias ignores the optimal error: it is train error minus optimal error"
            if math.isclose(bias, max(0.0, expected["avoidable_bias"]), abs_tol=1e-12):
                return "avoidable bias must not be clipped at zero (it is negative when train error < optimal error)"
            return "avoidable bias differs from train_error - optimal_error"
        if not math.isclose(variance, expected["variance"], abs_tol=1e-12):
            if math.isclose(variance, d - o, abs_tol=1e-12):
                return "variance is measured against the optimal error; it is dev error minus train error"
            return "variance differs from dev_error - train_error"
    return None


@check("diagnose", "high_bias, high_variance and the verdict follow the tolerance rule (random errors and tol)")
def _diag_flags(student, seed):
    results = [student.diagnose(t, d, o, tol=tol) for t, d, o, tol in _tolerance_cases(seed)]
    return [[r["high_bias"], r["high_variance"], r["verdict"]] for r in results]


@_diag_flags.judge
def _(got, reference, seed):
    cases = _tolerance_cases(seed)
    problem = _count_problem(got, len(cases), "[high_bias, high_variance, verdict] triples")
    if problem:
        return problem
    for triple, (t, d, o, tol) in zip(got, cases):
        problem = _count_problem(triple, 3, "entries (high_bias, high_variance, verdict)")
        if problem:
            return problem
        high_bias, high_variance, verdict = triple
        expected = reference.diagnose(t, d, o, tol=tol)
        if not isinstance(high_bias, bool) or not isinstance(high_variance, bool):
            return "high_bias and high_variance must be booleans"
        if not isinstance(verdict, str):
            return f"the verdict must be a string, got {type(verdict).__name__}"
        if (high_bias, high_variance) != (expected["high_bias"], expected["high_variance"]):
            return "a flag is wrong: high means the gap is strictly larger than tol"
        if verdict != expected["verdict"]:
            return f"verdict {verdict!r} does not match the flags (expected one of {reference.VERDICTS})"
    return None


_CLASSIC = [(0.01, 0.11), (0.15, 0.16), (0.15, 0.30), (0.005, 0.01)]
_CLASSIC_VERDICTS = {0.0: ["high variance", "high bias", "high bias and high variance", "good fit"],
                     0.15: ["high variance", "good fit", "high variance", "good fit"]}


def _classic_order(seed):
    return [int(i) for i in generator(seed).permutation(8)]


@check("diagnose", "the four classic cases, with an optimal error of 0 and of 15 %")
def _diag_classic(student, seed):
    cases = [(t, d, o) for o in (0.0, 0.15) for t, d in _CLASSIC]
    return [student.diagnose(*cases[i])["verdict"] for i in _classic_order(seed)]


@_diag_classic.judge
def _(got, reference, seed):
    expected = _CLASSIC_VERDICTS[0.0] + _CLASSIC_VERDICTS[0.15]
    cases = [(t, d, o) for o in (0.0, 0.15) for t, d in _CLASSIC]
    problem = _count_problem(got, len(cases), "verdicts") or _strings_problem(got, "the verdicts")
    if problem:
        return problem
    for verdict, i in zip(got, _classic_order(seed)):
        t, d, o = cases[i]
        # the 0.5 % / 1 % case has a negative avoidable bias when the optimal error is 15 %
        if verdict != expected[i] or verdict != reference.diagnose(t, d, o)["verdict"]:
            return f"train {t:.1%}, dev {d:.1%}, optimal {o:.0%}: expected {expected[i]!r}, got {verdict!r}"
    return None


@check("diagnose", "a gap exactly equal to tol is not high, and a custom tol is honoured")
def _diag_boundary(student, seed):
    # Dyadic numbers: every difference below is exact in floating point.
    scale = 2.0 ** -int(generator(seed).integers(3, 6))     # dev error 5 * scale <= 0.625
    t, d, o, tol = 4 * scale, 5 * scale, 3 * scale, scale
    return [[r["high_bias"], r["high_variance"], r["verdict"]]
            for r in (student.diagnose(t, d, o, tol=tol), student.diagnose(t, d, o, tol=tol / 2))]


@_diag_boundary.judge
def _(got, reference, seed):
    problem = _count_problem(got, 2, "results (gap equal to tol, gap above tol)")
    if problem:
        return problem
    for triple in got:
        problem = _count_problem(triple, 3, "entries (high_bias, high_variance, verdict)")
        if problem:
            return problem
        if not (isinstance(triple[0], bool) and isinstance(triple[1], bool) and isinstance(triple[2], str)):
            return "high_bias and high_variance must be booleans, the verdict a string"
    at_tol, below = (list(triple) for triple in got)
    if at_tol != [False, False, "good fit"]:
        return "gaps equal to tol must not count as high (high means strictly larger than tol)"
    if below != [True, True, "high bias and high variance"]:
        return "with a smaller tol the same gaps must count as high: is tol used?"
    return None


_BAD_DIAGNOSE = ["train_error given in percent (15)", "a negative dev_error", "a NaN optimal_error",
                 "a negative tol", wrong_type("an error rate given as a string")]


@check("diagnose", "bad arguments raise ValueError (percentages, negative or NaN errors, negative tol)")
def _diag_errors(student, seed):
    f = student.diagnose
    return outcomes([lambda: f(15, 0.2), lambda: f(0.1, -0.1), lambda: f(0.1, 0.2, float("nan")),
                     lambda: f(0.1, 0.2, tol=-0.01), lambda: f("0.1", 0.2)])


@_diag_errors.judge
def _(got, reference, seed):
    return all_value_errors(got, _BAD_DIAGNOSE)


# -- error_budget ----------------------------------------------------------------
_GAPS = ("avoidable_bias", "variance", "data_mismatch", "dev_overfitting")


def _ladders(seed, count=10):
    """Random (optimal, train, train-dev, dev, test) error rates; some rungs go down."""
    rng = generator(seed, 40)
    ladders = []
    for i in range(count):
        optimal = float(rng.uniform(0.0, 0.2))
        train = float(np.clip(optimal + rng.uniform(-0.05 if i < 3 else 0.0, 0.15), 0.0, 1.0))
        train_dev = float(np.clip(train + rng.uniform(-0.02, 0.15), 0.0, 1.0))
        dev = float(np.clip(train_dev + rng.uniform(-0.02, 0.2), 0.0, 1.0))
        test = float(np.clip(dev + rng.uniform(-0.05, 0.08), 0.0, 1.0))
        ladders.append((optimal, train, train_dev, dev, test))
    return ladders


def _budget_gaps_problem(result, expected, where):
    """Why the four gaps of ``result`` differ from ``expected`` (a reference result), or None."""
    problem = _dict_problem(result, _GAPS, where)
    if problem:
        return problem
    for name in _GAPS:
        value, want = result[name], expected[name]
        if want is None:
            if value is not None:
                return f"{where}: without a test error, dev_overfitting must be None, got {value!r}"
            continue
        if not _is_number(value):
            return f"{where}: {name} must be a finite number, got {value!r:.40}"
        if not math.isclose(value, want, abs_tol=1e-12):
            return f"{where}: {name} is {value:+.4f}, expected {want:+.4f}"
    return None


def _budget_hint(result, ladder):
    """The misconception that explains a wrong gap of ``result``, or None."""
    optimal, train, train_dev, dev, test = ladder
    right = {"avoidable_bias": train - optimal, "variance": train_dev - train,
             "data_mismatch": dev - train_dev, "dev_overfitting": test - dev}
    wrong = [("variance", dev - train, "variance is train-dev error minus training error, not dev minus training error"),
             ("data_mismatch", dev - train, "data mismatch is dev error minus train-dev error, not dev minus training error"),
             ("dev_overfitting", dev - test, "dev overfitting is test error minus dev error (the sign is reversed)"),
             ("avoidable_bias", train, "avoidable bias is training error minus the optimal error")]
    for name, value, hint in wrong:
        got = result.get(name) if isinstance(result, dict) else None
        if _is_number(got) and math.isclose(got, value, abs_tol=1e-12) and not math.isclose(value, right[name], abs_tol=1e-9):
            return hint
    return None


@check("error_budget", "the four gaps along optimal, train, train-dev, dev and test error (random ladders)")
def _budget_gaps(student, seed):
    results = [student.error_budget(t, td, d, te, optimal_error=o) for o, t, td, d, te in _ladders(seed)]
    return [{name: result[name] for name in _GAPS} for result in results]


@_budget_gaps.judge
def _(got, reference, seed):
    ladders = _ladders(seed)
    problem = _count_problem(got, len(ladders), "results")
    if problem:
        return problem
    for i, (result, ladder) in enumerate(zip(got, ladders)):
        o, t, td, d, te = ladder
        problem = _budget_gaps_problem(result, reference.error_budget(t, td, d, te, optimal_error=o), f"ladder {i + 1}")
        if problem:
            return _budget_hint(result, ladder) or problem
    return None


@check("error_budget", "without a test error, dev_overfitting is None and never high; the other gaps are unchanged")
def _budget_no_test(student, seed):
    results = [student.error_budget(t, td, d, optimal_error=o, tol=0.0) for o, t, td, d, _ in _ladders(seed, 6)]
    return [{name: result[name] for name in _GAPS + ("high",)} for result in results]


@_budget_no_test.judge
def _(got, reference, seed):
    ladders = _ladders(seed, 6)
    problem = _count_problem(got, len(ladders), "results")
    if problem:
        return problem
    for i, (result, (o, t, td, d, _)) in enumerate(zip(got, ladders)):
        expected = reference.error_budget(t, td, d, optimal_error=o, tol=0.0)
        problem = _budget_gaps_problem(result, expected, f"ladder {i + 1} without a test error")
        if problem:
            return problem
        problem = _strings_problem(result["high"], "high")
        if problem:
            return problem
        if "dev_overfitting" in result["high"]:
            return "dev_overfitting cannot be high when no test error was given"
        if list(result["high"]) != expected["high"]:
            return f"ladder {i + 1} without a test error, tol 0: high should be {expected['high']}, got {list(result['high'])}"
    return None


def _budget_tol_cases(seed, count=16):
    """Ladders and tolerances whose gaps are never within 1e-6 of the tolerance."""
    rng = generator(seed, 41)
    cases = []
    while len(cases) < count:
        rungs = np.clip(np.cumsum(np.r_[rng.uniform(0.0, 0.15), rng.uniform(-0.03, 0.09, 4)]), 0.0, 1.0)
        tol = float(rng.choice([0.0, rng.uniform(0.005, 0.06)]))
        if np.min(np.abs(np.diff(rungs) - tol)) > 1e-6:
            cases.append((*(float(r) for r in rungs), tol))
    return cases


@check("error_budget", "high lists the gaps strictly larger than tol, in the order of the ladder (random tol)")
def _budget_high(student, seed):
    return [student.error_budget(t, td, d, te, optimal_error=o, tol=tol)["high"]
            for o, t, td, d, te, tol in _budget_tol_cases(seed)]


@_budget_high.judge
def _(got, reference, seed):
    cases = _budget_tol_cases(seed)
    problem = _count_problem(got, len(cases), "lists of high gaps")
    if problem:
        return problem
    for high, (o, t, td, d, te, tol) in zip(got, cases):
        problem = _strings_problem(high, "high")
        if problem:
            return problem
        expected = reference.error_budget(t, td, d, te, optimal_error=o, tol=tol)["high"]
        if list(high) != expected:
            if sorted(high) == sorted(expected):
                return f"high must list the gaps in the order {list(_GAPS)}"
            return f"tol {tol:.4f}: high should be {expected}, got {list(high)} (high means strictly larger than tol)"
    return None


@check("error_budget", "a gap exactly equal to tol is not high, and tol is honoured")
def _budget_boundary(student, seed):
    # Dyadic numbers: every difference below is exact in floating point.
    scale = 2.0 ** -int(generator(seed, 42).integers(3, 6))
    rungs = [1 * scale, 2 * scale, 3 * scale, 4 * scale, 5 * scale]
    return [student.error_budget(*rungs[1:], optimal_error=rungs[0], tol=t)["high"] for t in (scale, scale / 2)]


@_budget_boundary.judge
def _(got, reference, seed):
    problem = _count_problem(got, 2, "lists of high gaps")
    if problem:
        return problem
    problem = next((p for p in (_strings_problem(h, "high") for h in got) if p), None)
    if problem:
        return problem
    at_tol, below = (list(h) for h in got)
    if at_tol != []:
        return "gaps equal to tol must not count as high (high means strictly larger than tol)"
    if below != list(_GAPS):
        return "with a smaller tol every gap must count as high: is tol used?"
    return None


_BAD_BUDGET = ["train_error given in percent (15)", "a NaN dev_error", "a negative train_dev_error",
               wrong_type("test_error given as a string"), "a negative tol",
               wrong_type("optimal_error given as True")]


@check("error_budget", "bad arguments raise ValueError (percentages, NaN, negative errors or tol, strings, bools)")
def _budget_errors(student, seed):
    f = student.error_budget
    return outcomes([lambda: f(15, 0.2, 0.3), lambda: f(0.1, 0.2, float("nan")), lambda: f(0.1, -0.2, 0.3),
                     lambda: f(0.1, 0.2, 0.3, "0.3"), lambda: f(0.1, 0.2, 0.3, tol=-0.01),
                     lambda: f(0.1, 0.2, 0.3, optimal_error=True)])


@_budget_errors.judge
def _(got, reference, seed):
    return all_value_errors(got, _BAD_BUDGET)


# -- recipe ---------------------------------------------------------------------
_BIAS = ["bigger network", "train longer", "new architecture"]
_VARIANCE = ["more data", "regularization", "new architecture"]


def _diagnosis(seed, stream, high_bias, high_variance, numpy_bools=False):
    """A diagnosis dict with extra keys and random numbers consistent with the flags."""
    rng = generator(seed, stream)
    bias = float(rng.uniform(0.03, 0.2) if high_bias else rng.uniform(-0.05, 0.02))
    variance = float(rng.uniform(0.03, 0.2) if high_variance else rng.uniform(-0.02, 0.02))
    flag = np.bool_ if numpy_bools else bool
    return {"avoidable_bias": bias, "variance": variance, "high_bias": flag(high_bias),
            "high_variance": flag(high_variance), "verdict": "whatever"}


@check("recipe", "high bias alone: bigger network, train longer, new architecture (never more data)")
def _recipe_bias(student, seed):
    return [student.recipe(_diagnosis(seed, 1, True, False), more_data_possible=possible) for possible in (True, False)]


@_recipe_bias.judge
def _(got, reference, seed):
    problem = _count_problem(got, 2, "lists of remedies")
    if problem:
        return problem
    for remedies in got:
        problem = _strings_problem(remedies, "the remedies")
        if problem:
            return problem
        if "more data" in remedies:
            return "more data was recommended for high bias: more data does not help a model that cannot fit its training set"
        if list(remedies) != _BIAS:
            return f"high bias: expected {_BIAS}, got {list(remedies)}"
    return None


@check("recipe", "high bias and high variance together: fix the bias first")
def _recipe_both(student, seed):
    return [student.recipe(_diagnosis(seed, 2, True, True, numpy_bools=(i == 1)), more_data_possible=i == 0)
            for i in range(2)]


@_recipe_both.judge
def _(got, reference, seed):
    problem = _count_problem(got, 2, "lists of remedies")
    if problem:
        return problem
    for remedies in got:
        problem = _strings_problem(remedies, "the remedies")
        if problem:
            return problem
        if list(remedies) != _BIAS:
            return f"with both problems, the bias remedies come first and alone: expected {_BIAS}, got {list(remedies)}"
    return None


@check("recipe", "high variance alone: more data, regularization, new architecture; no more data when it is not possible")
def _recipe_variance(student, seed):
    return [student.recipe(_diagnosis(seed, 3, False, True), more_data_possible=True),
            student.recipe(_diagnosis(seed, 4, False, True, numpy_bools=True), more_data_possible=False)]


@_recipe_variance.judge
def _(got, reference, seed):
    problem = _count_problem(got, 2, "lists of remedies")
    if problem:
        return problem
    problem = next((p for p in (_strings_problem(r, "the remedies") for r in got) if p), None)
    if problem:
        return problem
    with_data, without_data = (list(r) for r in got)
    if with_data != _VARIANCE:
        return f"high variance: expected {_VARIANCE}, got {with_data}"
    if without_data != _VARIANCE[1:]:
        return f"high variance without more data: expected {_VARIANCE[1:]}, got {without_data}"
    return None


@check("recipe", "nothing to fix gives an empty list, and the diagnosis is not modified")
def _recipe_nothing(student, seed):
    diagnosis = _diagnosis(seed, 5, False, False)
    result = student.recipe(diagnosis)
    return [list(result), {k: v for k, v in diagnosis.items() if k != "verdict"}, diagnosis["verdict"]]


@_recipe_nothing.judge
def _(got, reference, seed):
    problem = _count_problem(got, 3, "parts (remedies, the diagnosis after the call, its verdict)")
    if problem:
        return problem
    remedies, rest, verdict = got
    problem = _strings_problem(remedies, "the remedies") or _dict_problem(rest, (), "the diagnosis")
    if problem:
        return problem
    if not isinstance(verdict, str) or not all(isinstance(v, (bool, int, float)) for v in rest.values()):
        return "recipe changed the diagnosis it was given"
    if list(remedies) != []:
        return f"nothing to fix: expected an empty list, got {remedies}"
    original = _diagnosis(seed, 5, False, False)
    if verdict != original["verdict"] or any(rest[k] != original[k] for k in rest) or len(rest) != 4:
        return "recipe changed the diagnosis it was given"
    return None


_BAD_RECIPE = [wrong_type("a list instead of a dict"), "no 'high_variance' key",
               wrong_type("a flag given as the string 'yes'"),
               wrong_type("more_data_possible given as the string 'no'")]


@check("recipe", "bad arguments raise ValueError")
def _recipe_errors(student, seed):
    f = student.recipe
    return outcomes([lambda: f([True, False]), lambda: f({"high_bias": False}),
                     lambda: f({"high_bias": "yes", "high_variance": False}),
                     lambda: f({"high_bias": False, "high_variance": True}, more_data_possible="no")])


@_recipe_errors.judge
def _(got, reference, seed):
    return all_value_errors(got, _BAD_RECIPE)


# -- shared fixtures for capacity_sweep and learning_curve ----------------------------
def _rows(seed, stream, n, first_id):
    """Data whose column 0 is a row id (train rows 0.., dev rows negative), labels 0/1."""
    rng = generator(seed, stream)
    y = rng.integers(0, 2, n)
    features = rng.normal(size=(n, 2)) + 1.2 * np.column_stack([y, -y])
    ids = first_id + np.arange(n) if first_id >= 0 else first_id - np.arange(n)
    return np.column_stack([ids, features]), y.astype(np.int64)


def _ids(X):
    return np.rint(np.asarray(X, dtype=float)[:, 0]).astype(np.int64)


# -- capacity_sweep ---------------------------------------------------------------
def _sweep_data(seed):
    rng = generator(seed, 20)
    n_train, n_dev = int(rng.integers(20, 60)), int(rng.integers(20, 60))
    X_train, y_train = _rows(seed, 21, n_train, 0)
    X_dev, y_dev = _rows(seed, 22, n_dev, -1)
    return X_train, y_train, X_dev, y_dev


def _sweep_plan(seed, ties=False):
    """Wrong-answer counts per setting: train errors fall, dev errors make a U (or tie)."""
    X_train, y_train, X_dev, y_dev = _sweep_data(seed)
    rng = generator(seed, 23)
    k = int(rng.integers(4, 8))
    n_tr, n_dv = len(y_train), len(y_dev)
    train_wrong = np.sort(rng.choice(n_tr // 2, size=k, replace=False))[::-1]
    dev_wrong = rng.choice(np.arange(n_dv // 3, n_dv), size=k, replace=False)
    low = int(rng.integers(1, k - 1))
    dev_wrong[low] = int(rng.integers(0, n_dv // 3))           # the best setting is in the middle
    if ties:
        dev_wrong[k - 1] = dev_wrong[low]                       # ... and the last one ties with it
    settings = [int(s) for s in rng.choice(np.arange(100, 1000), size=k, replace=False)]
    wrong = {}
    for j, setting in enumerate(settings):
        wrong[setting] = set(rng.choice(n_tr, size=int(train_wrong[j]), replace=False).tolist()) | \
            set((-1 - rng.choice(n_dv, size=int(dev_wrong[j]), replace=False)).tolist())
    return settings, wrong, train_wrong / n_tr, dev_wrong / n_dv


def _run_sweep(student, seed, ties=False):
    """Call capacity_sweep with a rule-based fit; return the result and what fit saw."""
    X_train, y_train, X_dev, y_dev = _sweep_data(seed)
    settings, wrong, _, _ = _sweep_plan(seed, ties)
    truth = dict(zip(_ids(X_train).tolist() + _ids(X_dev).tolist(), np.r_[y_train, y_dev].tolist()))
    seen = []

    def fit(setting, X, y):
        seen.append([int(setting), np.sort(_ids(X))])

        def predictor(Z):
            ids = _ids(Z).tolist()
            return np.array([1 - truth[i] if i in wrong[setting] else truth[i] for i in ids], dtype=np.int64)
        return predictor

    result = student.capacity_sweep(fit, list(settings), X_train, y_train, X_dev, y_dev)
    return [{"train_error": result["train_error"], "dev_error": result["dev_error"], "best": result["best"]}, seen]


@check("capacity_sweep", "training and dev error of every setting (rule-based models with known errors)")
def _sweep_errors(student, seed):
    result = _run_sweep(student, seed)[0]
    return {"train_error": result["train_error"], "dev_error": result["dev_error"]}


@_sweep_errors.judge
def _(got, reference, seed):
    _, _, train_err, dev_err = _sweep_plan(seed)
    problem = _dict_problem(got, ("train_error", "dev_error"), "the result")
    if problem:
        return problem
    if _close(got["train_error"], dev_err, "train_error") is None:
        return "train_error and dev_error are swapped"
    return (_close(got["train_error"], train_err, "train_error (error on the whole training set)")
            or _close(got["dev_error"], dev_err, "dev_error (error on the dev set)"))


@check("capacity_sweep", "best is the setting with the lowest dev error, not the lowest training error")
def _sweep_best(student, seed):
    return _run_sweep(student, seed)[0]["best"]


@_sweep_best.judge
def _(got, reference, seed):
    _, _, train_err, dev_err = _sweep_plan(seed)
    if not isinstance(got, int) or isinstance(got, bool):
        return f"best must be an int index, got {type(got).__name__}"
    if got == int(np.argmin(train_err)):
        return "best was chosen by training error; choose by dev error"
    if got != int(np.argmin(dev_err)):
        return "best is not the index of the lowest dev error"
    return None


@check("capacity_sweep", "on a tie, best is the first setting with the lowest dev error")
def _sweep_ties(student, seed):
    return _run_sweep(student, seed, ties=True)[0]["best"]


@_sweep_ties.judge
def _(got, reference, seed):
    _, _, _, dev_err = _sweep_plan(seed, ties=True)
    if not isinstance(got, int) or isinstance(got, bool):
        return f"best must be an int index, got {type(got).__name__}"
    return None if got == int(np.argmin(dev_err)) else "on a tie, best must be the first of the tied settings"


@check("capacity_sweep", "each setting is fitted once, in order, on the training rows only")
def _sweep_calls(student, seed):
    return _run_sweep(student, seed)[1]


@_sweep_calls.judge
def _(got, reference, seed):
    X_train, _, _, _ = _sweep_data(seed)
    settings, _, _, _ = _sweep_plan(seed)
    problem = _count_problem(got, len(settings), "calls of fit (one per setting)")
    if problem:
        return problem
    if not all(isinstance(call, (list, tuple)) and len(call) == 2 and isinstance(call[0], int) for call in got):
        return "each recorded call of fit must be a pair (setting, row ids)"
    if [s for s, _ in got] != settings:
        return "fit must be called once per setting, in the order given"
    for _, ids in got:
        if _array_problem(ids, (len(X_train),), "row ids") or not np.array_equal(np.asarray(ids), np.sort(_ids(X_train))):
            return "fit must be given exactly the training rows (no dev rows, none missing)"
    return None


_BAD_SWEEP = ["no settings", wrong_type("fit that is not callable"), "y_train one label short", "X_dev with an extra column"]


@check("capacity_sweep", "bad arguments raise ValueError")
def _sweep_errors_raised(student, seed):
    X_train, y_train, X_dev, y_dev = _sweep_data(seed)

    def fit(setting, X, y):
        return lambda Z: np.zeros(len(Z), dtype=np.int64)
    f = student.capacity_sweep
    return outcomes([lambda: f(fit, [], X_train, y_train, X_dev, y_dev),
                     lambda: f("fit", [1, 2], X_train, y_train, X_dev, y_dev),
                     lambda: f(fit, [1, 2], X_train, y_train[:-1], X_dev, y_dev),
                     lambda: f(fit, [1, 2], X_train, y_train, np.c_[X_dev, X_dev[:, :1]], y_dev)])


@_sweep_errors_raised.judge
def _(got, reference, seed):
    return all_value_errors(got, _BAD_SWEEP)


# -- log_spaced_sizes --------------------------------------------------------------
def _wide_cases(seed):
    rng = generator(seed)
    return [(int(rng.integers(1, 200)), int(rng.integers(2_000, 2_000_000)), int(rng.integers(2, 12)))
            for _ in range(8)]


def _crowded_cases(seed):
    rng = generator(seed, 1)
    cases = []
    for _ in range(6):
        n_min = int(rng.integers(1, 4))
        n_max = int(rng.integers(40, 400))
        cases.append((n_min, n_max, int(rng.integers(12, 30))))
    return cases + [(1, 1000, 20)]


def _as_list(sizes):
    return [int(s) if float(s).is_integer() else float(s) for s in sizes]


@check("log_spaced_sizes", "k sizes, strictly increasing, from exactly n_min to exactly n_max (random ranges)")
def _sizes_shape(student, seed):
    return [_as_list(student.log_spaced_sizes(*case)) for case in _wide_cases(seed) + _crowded_cases(seed)]


@_sizes_shape.judge
def _(got, reference, seed):
    cases = _wide_cases(seed) + _crowded_cases(seed)
    problem = _count_problem(got, len(cases), "lists of sizes")
    if problem:
        return problem
    for sizes, (n_min, n_max, k) in zip(got, cases):
        where = f"n_min={n_min}, n_max={n_max}, k={k}"
        if not isinstance(sizes, (list, tuple)) or not all(_is_number(s) for s in sizes):
            return f"{where}: the sizes must be finite numbers"
        if len(sizes) != k:
            return f"{where}: expected {k} sizes, got {len(sizes)}"
        if any(isinstance(s, float) for s in sizes):
            return f"{where}: sizes must be whole numbers"
        if sizes[0] != n_min or sizes[-1] != n_max:
            return f"{where}: the sizes must start at n_min and end at n_max (both included)"
        if any(b <= a for a, b in zip(sizes, sizes[1:])):
            return f"{where}: the sizes must increase strictly (no repeated size)"
    return None


@check("log_spaced_sizes", "the sizes are the rounded geometric sequence (wide random ranges)")
def _sizes_geometric(student, seed):
    return [np.asarray(student.log_spaced_sizes(*case)) for case in _wide_cases(seed)]


@_sizes_geometric.judge
def _(got, reference, seed):
    cases = _wide_cases(seed)
    problem = _count_problem(got, len(cases), "arrays of sizes")
    if problem:
        return problem
    for sizes, case in zip(got, cases):
        expected = reference.log_spaced_sizes(*case)
        problem = _array_problem(sizes, expected.shape, f"sizes for n_min={case[0]}, n_max={case[1]}, k={case[2]}")
        if problem:
            return problem
        sizes = np.asarray(sizes)
        if not np.array_equal(sizes, expected):
            ratios = np.diff(np.log(np.maximum(np.asarray(sizes, dtype=float), 1.0)))
            if sizes.size > 2 and np.ptp(np.diff(np.asarray(sizes, dtype=float))) < 2:
                return "the sizes are evenly spaced on a linear scale; space them evenly on a log scale"
            if sizes.size > 2 and np.ptp(ratios) > 0.5:
                return "neighbouring sizes must grow by a (nearly) constant factor"
            return "the sizes differ from round(np.geomspace(n_min, n_max, k))"
    return None


@check("log_spaced_sizes", "a crowded small end is bumped up, one above the previous size (e.g. 1 to 1000 in 20)")
def _sizes_crowded(student, seed):
    return [np.asarray(student.log_spaced_sizes(*case)) for case in _crowded_cases(seed)]


@_sizes_crowded.judge
def _(got, reference, seed):
    cases = _crowded_cases(seed)
    problem = _count_problem(got, len(cases), "arrays of sizes")
    if problem:
        return problem
    for sizes, case in zip(got, cases):
        expected = reference.log_spaced_sizes(*case)
        if _array_problem(sizes, expected.shape, "sizes") or not np.array_equal(np.asarray(sizes), expected):
            return (f"n_min={case[0]}, n_max={case[1]}, k={case[2]}: expected the rounded geometric sequence "
                    "with each size raised to at least the previous one plus one")
    return None


@check("log_spaced_sizes", "k = n_max - n_min + 1 gives every integer in the range, as an integer array")
def _sizes_full(student, seed):
    n_min = int(generator(seed).integers(1, 50))
    span = int(generator(seed, 1).integers(2, 12))
    sizes = student.log_spaced_sizes(n_min, n_min + span, span + 1)
    return [_as_list(sizes), np.asarray(sizes).dtype.kind]


@_sizes_full.judge
def _(got, reference, seed):
    problem = _count_problem(got, 2, "parts (sizes, dtype kind)")
    if problem:
        return problem
    sizes, kind = got
    if not isinstance(sizes, (list, tuple)) or not all(_is_number(s) for s in sizes) or not isinstance(kind, str):
        return "the sizes must be finite numbers"
    n_min = int(generator(seed).integers(1, 50))
    span = int(generator(seed, 1).integers(2, 12))
    if list(sizes) != list(range(n_min, n_min + span + 1)):
        return f"expected every integer from {n_min} to {n_min + span}"
    return None if kind == "i" else "the sizes must be an integer array (int64), not floats"


_BAD_SIZES = ["k = 1", "n_min = 0", "n_max = n_min", "k larger than the number of integers in the range",
              wrong_type("a float n_min (2.5)")]


@check("log_spaced_sizes", "bad arguments raise ValueError")
def _sizes_errors(student, seed):
    f = student.log_spaced_sizes
    return outcomes([lambda: f(10, 1000, 1), lambda: f(0, 1000, 5), lambda: f(50, 50, 2),
                     lambda: f(10, 15, 7), lambda: f(2.5, 1000, 5)])


@_sizes_errors.judge
def _(got, reference, seed):
    return all_value_errors(got, _BAD_SIZES)


# -- learning_curve -----------------------------------------------------------------
def _curve_data(seed):
    rng = generator(seed, 30)
    n_train, n_dev = int(rng.integers(40, 90)), int(rng.integers(30, 70))
    X_train, y_train = _rows(seed, 31, n_train, 0)
    X_dev, y_dev = _rows(seed, 32, n_dev, -1)
    fracs = rng.uniform(0.15, 0.9, 2)
    sizes = sorted({2, n_train // 2, n_train} | {int(f * n_train) for f in fracs})
    return X_train, y_train, X_dev, y_dev, sizes


def _half(sizes):
    """Position of the size N // 2 in the sorted sizes (the last one is N)."""
    return sizes.index(sizes[-1] // 2)


def _nearest_mean_fit(X, y):
    """A nearest-class-mean rule on the feature columns (column 0, the id, is ignored)."""
    X, y = np.asarray(X, dtype=float)[:, 1:], np.asarray(y)
    labels = np.unique(y)
    means = np.array([X[y == c].mean(axis=0) for c in labels])

    def predictor(Z):
        Z = np.asarray(Z, dtype=float)[:, 1:]
        return labels[np.argmin(((Z[:, None, :] - means[None]) ** 2).sum(axis=2), axis=1)].astype(np.int64)
    return predictor


def _run_curve(student, seed, stream=1):
    X_train, y_train, X_dev, y_dev, sizes = _curve_data(seed)
    seen = []

    def fit(X, y):
        seen.append(_ids(X))
        return _nearest_mean_fit(X, y)

    result = student.learning_curve(fit, X_train, y_train, X_dev, y_dev, list(sizes), rng=generator(seed, stream))
    return [{"sizes": np.asarray(result["sizes"]), "train_error": result["train_error"],
             "dev_error": result["dev_error"]}, seen]


@check("learning_curve", "one fit per size, on that many distinct training rows, each subset containing the previous")
def _curve_subsets(student, seed):
    return _run_curve(student, seed)[1]


@_curve_subsets.judge
def _(got, reference, seed):
    X_train, _, _, _, sizes = _curve_data(seed)
    problem = _count_problem(got, len(sizes), "calls of fit (one per size)")
    if problem:
        return problem
    previous = set()
    for ids, size in zip(got, sizes):
        problem = _array_problem(ids, (size,), f"the row ids of the model for size {size}")
        if problem:
            return problem
        ids = np.asarray(ids)
        if len(ids) != size or len(np.unique(ids)) != size:
            return f"the model for size {size} was trained on {len(np.unique(ids))} distinct rows out of {len(ids)}"
        if np.any(ids < 0) or np.any(ids >= len(X_train)):
            return "a model was trained on rows that are not training rows"
        if not previous <= set(ids.tolist()):
            return "the subsets are not nested: take the first n rows of one shuffled order"
        previous = set(ids.tolist())
    # A random half of the rows equals the first half with probability 1 / C(N, N/2) < 1e-11 (N >= 40).
    half = np.asarray(got[_half(sizes)])
    if np.array_equal(np.sort(half), np.arange(len(half))):
        return "the subsets are the first rows of the training set: shuffle with rng first"
    return None


@check("learning_curve", "train error is measured on the subset the model saw, dev error on the whole dev set")
def _curve_errors(student, seed):
    result, seen = _run_curve(student, seed)
    return [{"train_error": result["train_error"], "dev_error": result["dev_error"]}, seen]


@_curve_errors.judge
def _(got, reference, seed):
    problem = _count_problem(got, 2, "parts (result, rows seen by fit)")
    if problem:
        return problem
    result, seen = got
    X_train, y_train, X_dev, y_dev, sizes = _curve_data(seed)
    problem = (_dict_problem(result, ("train_error", "dev_error"), "the result")
               or _count_problem(seen, len(sizes), "calls of fit (one per size)"))
    if problem:
        return problem
    train_err, dev_err, full_train_err = [], [], []
    for ids, size in zip(seen, sizes):
        problem = _array_problem(ids, (size,), f"the row ids of the model for size {size}")
        if problem:
            return problem
        ids = np.asarray(ids)
        if ids.dtype.kind not in "iu" or np.any(ids < 0) or np.any(ids >= len(X_train)):
            return "a model was trained on rows that are not training rows"
        predictor = _nearest_mean_fit(X_train[ids], y_train[ids])
        train_err.append(np.mean(predictor(X_train[ids]) != y_train[ids]))
        dev_err.append(np.mean(predictor(X_dev) != y_dev))
        full_train_err.append(np.mean(predictor(X_train) != y_train))
    if (_close(result["train_error"], full_train_err, "train_error") is None
            and _close(result["train_error"], train_err, "train_error") is not None):
        return "train_error was measured on the whole training set, not on the subset the model was trained on"
    return (_close(result["train_error"], train_err, "train_error (error on the training subset)")
            or _close(result["dev_error"], dev_err, "dev_error (error on the whole dev set)"))


@check("learning_curve", "the same seed gives the same curve, another seed other subsets; sizes are returned")
def _curve_seeded(student, seed):
    first, again, other = (_run_curve(student, seed, stream) for stream in (1, 1, 2))
    return [first, again, other]


@_curve_seeded.judge
def _(got, reference, seed):
    sizes = _curve_data(seed)[4]
    problem = _count_problem(got, 3, "runs (seed, same seed, other seed)")
    if problem:
        return problem
    for run in got:
        problem = _count_problem(run, 2, "parts (result, rows seen by fit)")
        if problem:
            return problem
        result, seen = run
        problem = (_dict_problem(result, ("sizes", "train_error", "dev_error"), "the result")
                   or _count_problem(seen, len(sizes), "calls of fit (one per size)"))
        if problem:
            return problem
        problem = next((p for p in (_array_problem(result[key], (len(sizes),), f"result[{key!r}]")
                                    for key in ("sizes", "train_error", "dev_error")) if p), None)
        if problem:
            return problem
        problem = next((p for p in (_array_problem(ids, (size,), f"the row ids for size {size}")
                                    for ids, size in zip(seen, sizes)) if p), None)
        if problem:
            return problem
    (first, seen_first), (again, seen_again), (_, seen_other) = got
    problem = _array_problem(first["sizes"], (len(sizes),), "result['sizes']")
    if problem:
        return problem
    if [int(s) for s in np.asarray(first["sizes"])] != sizes:
        return "result['sizes'] must hold the sizes that were asked for"
    if not all(np.array_equal(a, b) for a, b in zip(seen_first, seen_again)) or \
            _close(first["dev_error"], again["dev_error"], "dev_error") is not None:
        return "two generators with the same seed gave different curves: take all randomness from rng"
    # The halves chosen by two independent shuffles coincide with probability 1 / C(N, N/2) < 1e-11.
    half = _half(sizes)
    if np.array_equal(np.sort(seen_first[half]), np.sort(seen_other[half])):
        return "generators with different seeds chose the same rows: is rng used for the shuffle?"
    return None


_BAD_CURVE = ["sizes not increasing", "a size larger than the training set", "a size of 0",
              wrong_type("fit that is not callable"), "X_dev with an extra column", wrong_type("rng = None")]


@check("learning_curve", "bad arguments raise ValueError")
def _curve_bad(student, seed):
    X_train, y_train, X_dev, y_dev, sizes = _curve_data(seed)
    f = student.learning_curve
    rng = generator(seed, 5)
    n = len(y_train)
    raised = outcomes([lambda: f(_nearest_mean_fit, X_train, y_train, X_dev, y_dev, [10, 5], rng=rng),
                       lambda: f(_nearest_mean_fit, X_train, y_train, X_dev, y_dev, [5, n + 1], rng=rng),
                       lambda: f(_nearest_mean_fit, X_train, y_train, X_dev, y_dev, [0, 5], rng=rng),
                       lambda: f("fit", X_train, y_train, X_dev, y_dev, [5, 10], rng=rng),
                       lambda: f(_nearest_mean_fit, X_train, y_train, np.c_[X_dev, X_dev[:, :1]], y_dev, [5, 10],
                                 rng=rng),
                       lambda: f(_nearest_mean_fit, X_train, y_train, X_dev, y_dev, [5, 10], rng=None)])
    return raised


@_curve_bad.judge
def _(got, reference, seed):
    return all_value_errors(got, _BAD_CURVE)


@check("learning_curve", "X_train, y_train, X_dev and y_dev are not modified")
def _curve_untouched(student, seed):
    X_train, y_train, X_dev, y_dev, sizes = _curve_data(seed)
    student.learning_curve(_nearest_mean_fit, X_train, y_train, X_dev, y_dev, sizes, rng=generator(seed, 5))
    return [X_train, y_train, X_dev, y_dev]


@_curve_untouched.judge
def _(got, reference, seed):
    problem = _count_problem(got, 4, "the four input arrays after the call")
    if problem:
        return problem
    for array, original in zip(got, _curve_data(seed)[:4]):
        if _array_problem(array, original.shape, "an input array") or not np.array_equal(array, original):
            return "learning_curve modified its input arrays"
    return None


# -- mutants --------------------------------------------------------------------------
SUITE.mutants = [
    Mutant("diagnose", "variance_against_optimal", "measures variance as dev error minus the optimal error",
           "variance = dev_error - train_error", "variance = dev_error - optimal_error",
           student="measures the variance as the dev error minus the optimal error instead of minus the training error",
           section="ch02-diagnose"),
    Mutant("diagnose", "bias_ignores_optimal", "takes the training error itself as the avoidable bias",
           "avoidable_bias = train_error - optimal_error", "avoidable_bias = train_error",
           student="takes the training error itself as the avoidable bias, forgetting to subtract the optimal error",
           section="ch02-diagnose"),
    Mutant("diagnose", "bias_clipped", "clips a negative avoidable bias to zero",
           "avoidable_bias = train_error - optimal_error", "avoidable_bias = max(0.0, train_error - optimal_error)",
           student="clips a negative avoidable bias to zero instead of reporting it as it is",
           section="ch02-diagnose"),
    Mutant("diagnose", "inclusive_tolerance", "counts a gap equal to the tolerance as high",
           "high_bias = bool(avoidable_bias > tol)", "high_bias = bool(avoidable_bias >= tol)",
           student="counts a gap exactly equal to the tolerance as high",
           section="ch02-diagnose"),
    Mutant("diagnose", "bias_hides_variance", "reports only high bias when both are high",
           "verdict = VERDICTS[int(high_bias) + 2 * int(high_variance)]",
           "verdict = VERDICTS[1] if high_bias else VERDICTS[2 * int(high_variance)]",
           student="reports only high bias when both the bias and the variance are high",
           section="ch02-diagnose"),
    Mutant("diagnose", "accepts_percentages", "accepts error rates outside [0, 1], such as 15 for 15 %",
           "    if not 0.0 <= value <= 1.0:\n", "    if value != value:\n",
           student="accepts error rates outside [0, 1], such as 15 for 15 %, instead of rejecting them",
           section="ch02-diagnose"),
    Mutant("error_budget", "two_set_variance", "keeps measuring variance as dev error minus training error",
           '"variance": train_dev_error - train_error,', '"variance": dev_error - train_error,',
           student="still measures the variance as dev error minus training error, where the train-dev error belongs in between",
           section="ch02-error-budget"),
    Mutant("error_budget", "mismatch_from_train", "measures data mismatch from the training error",
           '"data_mismatch": dev_error - train_dev_error,', '"data_mismatch": dev_error - train_error,',
           student="measures the data mismatch from the training error instead of the train-dev error",
           section="ch02-error-budget"),
    Mutant("error_budget", "overfitting_reversed", "takes dev error minus test error as dev overfitting",
           "None if test_error is None else test_error - dev_error}", "None if test_error is None else dev_error - test_error}",
           student="takes the dev error minus the test error as the overfitting to the dev set (the sign is reversed)",
           section="ch02-error-budget"),
    Mutant("error_budget", "missing_test_is_zero", "reports a zero dev-overfitting gap when no test error was given",
           "None if test_error is None else test_error - dev_error}", "0.0 if test_error is None else test_error - dev_error}",
           student="reports a dev-overfitting gap of zero when no test error was given, instead of leaving it unknown",
           section="ch02-error-budget"),
    Mutant("error_budget", "inclusive_tolerance_budget", "counts a gap equal to the tolerance as high",
           "budget[name] is not None and budget[name] > tol]", "budget[name] is not None and budget[name] >= tol]",
           student="counts a gap exactly equal to the tolerance as high",
           section="ch02-error-budget"),
    Mutant("error_budget", "budget_ignores_optimal", "takes the training error itself as the avoidable bias",
           '"avoidable_bias": train_error - optimal_error,', '"avoidable_bias": train_error,',
           student="takes the training error itself as the avoidable bias, forgetting to subtract the optimal error",
           section="ch02-error-budget"),
    Mutant("recipe", "more_data_for_bias", "recommends more data for high bias",
           'return ["bigger network", "train longer", "new architecture"]',
           'return ["bigger network", "more data", "train longer", "new architecture"]',
           student="recommends more data for high bias, which does not reduce bias",
           section="ch02-recipe"),
    Mutant("recipe", "variance_first", "treats the variance first when both are high",
           "    if high_bias:\n", "    if high_bias and not high_variance:\n",
           student="treats the variance first when both the bias and the variance are high",
           section="ch02-recipe"),
    Mutant("recipe", "ignores_data_budget", "recommends more data even when it cannot be collected",
           "return remedies if more_data_possible else remedies[1:]", "return remedies",
           student="recommends more data even when no more data can be collected",
           section="ch02-recipe"),
    Mutant("recipe", "everything_at_once", "lists the bias and the variance remedies together",
           'return ["bigger network", "train longer", "new architecture"]',
           'return ["bigger network", "train longer", "new architecture"] + '
           '(["more data", "regularization"] if high_variance else [])',
           student="lists the bias and the variance remedies together instead of fixing the bias first",
           section="ch02-recipe"),
    Mutant("capacity_sweep", "best_by_train_error", "picks the setting with the lowest training error",
           '"best": int(np.argmin(dev_error))}', '"best": int(np.argmin(fitted_errors))}',
           student="picks the setting with the lowest training error instead of the lowest dev error",
           section="ch02-capacity-sweep"),
    Mutant("capacity_sweep", "last_of_ties", "on a tie picks the last setting with the lowest dev error",
           '"best": int(np.argmin(dev_error))}', '"best": int(len(dev_error) - 1 - np.argmin(dev_error[::-1]))}',
           student="picks the last of several settings tied at the lowest dev error instead of the first",
           section="ch02-capacity-sweep"),
    Mutant("capacity_sweep", "fits_on_dev_too", "trains each model on the training and the dev rows",
           "model = fit(setting, X_train, y_train)",
           "model = fit(setting, np.vstack([X_train, X_dev]), np.concatenate([y_train, y_dev]))",
           student="trains each model on the dev rows as well as the training rows",
           section="ch02-capacity-sweep"),
    Mutant("capacity_sweep", "swapped_errors", "measures the training error on the dev set and vice versa",
           "fitted_errors.append(_error_rate(model, X_train, y_train))",
           "fitted_errors.append(_error_rate(model, X_dev, y_dev))",
           student="measures the training error on the dev set and the dev error on the training set",
           section="ch02-capacity-sweep"),
    Mutant("log_spaced_sizes", "linear_spacing", "spaces the sizes evenly on a linear scale",
           "np.round(np.geomspace(n_min, n_max, k))", "np.round(np.linspace(n_min, n_max, k))",
           student="spaces the sizes evenly on a linear scale instead of a logarithmic one",
           section="ch02-log-spaced-sizes"),
    Mutant("log_spaced_sizes", "missing_endpoint", "leaves n_max out (endpoint=False)",
           "np.round(np.geomspace(n_min, n_max, k))", "np.round(np.geomspace(n_min, n_max, k, endpoint=False))",
           student="leaves the largest size itself out of the list",
           section="ch02-log-spaced-sizes"),
    Mutant("log_spaced_sizes", "truncates", "truncates instead of rounding to the nearest integer",
           "np.round(np.geomspace(n_min, n_max, k))", "np.floor(np.geomspace(n_min, n_max, k))",
           student="truncates the sizes instead of rounding them to the nearest integer",
           section="ch02-log-spaced-sizes"),
    Mutant("log_spaced_sizes", "repeats_sizes", "keeps repeated sizes at a crowded small end",
           "sizes[i] = max(sizes[i], sizes[i - 1] + 1)", "sizes[i] = sizes[i]",
           student="keeps repeated sizes where the small end is crowded instead of removing duplicates",
           section="ch02-log-spaced-sizes"),
    Mutant("learning_curve", "train_error_on_full_train", "measures the training error on the whole training set",
           "subset_errors.append(_error_rate(predictor, X_train[rows], y_train[rows]))",
           "subset_errors.append(_error_rate(predictor, X_train, y_train))",
           student="measures the training error on the whole training set instead of on the subset the model was trained on",
           section="ch02-learning-curve"),
    Mutant("learning_curve", "dev_error_on_subset", "evaluates the curve on the training subset only",
           "dev_errors.append(_error_rate(predictor, X_dev, y_dev))",
           "dev_errors.append(_error_rate(predictor, X_train[rows], y_train[rows]))",
           student="evaluates the curve on the training subset only instead of on the dev set",
           section="ch02-learning-curve"),
    Mutant("learning_curve", "fresh_sample_per_size", "draws a new random subset for every size (not nested)",
           "rows = order[:size]", "rows = rng.permutation(n_train)[:size]",
           student="draws a new random subset for every size instead of nested subsets from one shuffle",
           section="ch02-learning-curve"),
    Mutant("learning_curve", "unshuffled", "takes the first rows of the training set without shuffling",
           "order = rng.permutation(n_train)", "order = np.arange(n_train)",
           student="takes the first rows of the training set without shuffling",
           section="ch02-learning-curve"),
]
