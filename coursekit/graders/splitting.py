"""Hidden checks and mutants for chapter 1, ``nnlib.splitting``."""
from __future__ import annotations

import numpy as np

from ..hidden import CheckSuite
from ..variants import Mutant
from .common import all_value_errors, generator, outcomes, partition_problem, wrong_type

SUITE = CheckSuite("splitting")
check = SUITE.check


# -- strict shapes: a judge checks the form of a result before it loops over it ---------
def _items_problem(got, length, what):
    """Why ``got`` is not a list or tuple of ``length`` items, or None."""
    if not isinstance(got, (list, tuple)):
        return f"{what}: expected a list or tuple, got {type(got).__name__}"
    if len(got) != length:
        return f"{what}: expected {length} items, got {len(got)}"
    return None


def _parts_problem(parts, n, n_parts, what):
    """Why ``parts`` are not ``n_parts`` disjoint integer index arrays covering 0..n-1, or None."""
    problem = _items_problem(parts, n_parts, f"{what}: the parts")
    if problem:
        return problem
    problem = partition_problem(parts, n)
    return f"{what}: {problem}" if problem else None


def _folds_problem(folds, n, k, what):
    """Why ``folds`` are not k (train, val) pairs of integer arrays, or None (no coverage check)."""
    problem = _items_problem(folds, k, f"{what}: the folds")
    if problem:
        return problem
    for i, pair in enumerate(folds):
        problem = _items_problem(pair, 2, f"{what}: fold {i} (train_idx, val_idx)")
        if problem:
            return problem
        for part in pair:
            part = np.asarray(part)
            if part.ndim != 1 or (part.size and part.dtype.kind not in "iu"):
                return f"{what}: fold {i} holds something other than 1-D arrays of integer row numbers"
    return None


# -- split_indices -------------------------------------------------------------
def _split_cases(seed):
    """Five random (n, fracs) pairs, two- and three-way, with awkward sizes."""
    rng = generator(seed)
    cases = []
    for i in range(5):
        parts = 3 if i % 2 == 0 else 2
        fracs = rng.dirichlet(np.ones(parts))
        fracs[-1] = 1.0 - fracs[:-1].sum()
        cases.append((int(rng.integers(3, 2000)), tuple(float(f) for f in fracs)))
    return cases


@check("split_indices", "parts are disjoint and hold every row once (random n and fractions)")
def _split_partition(student, seed):
    return [list(student.split_indices(n, f, rng=generator(seed, i + 1)))
            for i, (n, f) in enumerate(_split_cases(seed))]


@_split_partition.judge
def _(got, reference, seed):
    cases = _split_cases(seed)
    problem = _items_problem(got, len(cases), "results of the calls")
    if problem:
        return problem
    for parts, (n, fracs) in zip(got, cases):
        problem = _parts_problem(parts, n, len(fracs), f"n={n} with {len(fracs)} fractions")
        if problem:
            return problem
    return None


@check("split_indices", "part sizes are within one row of fracs * n (random n and fractions)")
def _split_sizes_probe(student, seed):
    return [[len(p) for p in student.split_indices(n, f, rng=generator(seed, i + 1))]
            for i, (n, f) in enumerate(_split_cases(seed))]


@_split_sizes_probe.judge
def _(got, reference, seed):
    cases = _split_cases(seed)
    problem = _items_problem(got, len(cases), "results of the calls")
    if problem:
        return problem
    for sizes, (n, fracs) in zip(got, cases):
        target = np.asarray(fracs) * n
        problem = _items_problem(sizes, len(fracs), f"n={n}: part sizes")
        if problem:
            return problem
        if sum(sizes) != n or np.any(np.abs(np.asarray(sizes) - target) >= 1):
            return f"n={n}, fracs={np.round(fracs, 3).tolist()}: sizes {sizes} (targets {np.round(target, 2).tolist()})"
    return None


@check("split_indices", "the split is shuffled, and the same seed gives the same split")
def _split_shuffled(student, seed):
    n = 500
    first = student.split_indices(n, (0.6, 0.2, 0.2), rng=generator(seed, 1))
    again = student.split_indices(n, (0.6, 0.2, 0.2), rng=generator(seed, 1))
    other = student.split_indices(n, (0.6, 0.2, 0.2), rng=generator(seed, 2))
    return [list(first), list(again), list(other)]


@_split_shuffled.judge
def _(got, reference, seed):
    problem = _items_problem(got, 3, "results of the three calls")
    for parts in (got if problem is None else []):
        problem = problem or _parts_problem(parts, 500, 3, "n=500, 60/20/20")
    if problem:
        return problem
    first, again, other = ([np.asarray(p) for p in parts] for parts in got)
    if not all(np.array_equal(a, b) for a, b in zip(first, again)):
        return "two calls with generators of the same seed gave different splits"
    if all(np.array_equal(a, b) for a, b in zip(first, other)):
        return "generators with different seeds gave the same split: is the rng used?"
    if np.array_equal(np.sort(first[0]), np.arange(len(first[0]))):
        return "with shuffle=True the training part is still the first rows"
    return None


@check("split_indices", "shuffle=False keeps the rows in order (random n)")
def _split_ordered(student, seed):
    n = int(generator(seed).integers(10, 300))
    return list(student.split_indices(n, (0.7, 0.15, 0.15), shuffle=False))


@_split_ordered.judge
def _(got, reference, seed):
    n = int(generator(seed).integers(10, 300))
    problem = _parts_problem(got, n, 3, f"n={n} with shuffle=False")
    if problem:
        return problem
    joined = np.concatenate([np.asarray(p) for p in got])
    if not np.array_equal(joined, np.arange(n)):
        return "with shuffle=False the parts joined are not 0, 1, ..., n-1 in order"
    return None


@check("split_indices", "the smallest data set, n = 3 split 60/20/20, keeps every row")
def _split_tiny(student, seed):
    return list(student.split_indices(3, (0.6, 0.2, 0.2), rng=generator(seed, 1)))


@_split_tiny.judge
def _(got, reference, seed):
    problem = _parts_problem(got, 3, 3, "n=3")
    if problem:
        return problem
    sizes = [len(p) for p in got]
    if any(abs(s - t) >= 1 for s, t in zip(sizes, (1.8, 0.6, 0.6))):
        return f"n=3 with 60/20/20: sizes {sizes} are not within one row of (1.8, 0.6, 0.6)"
    return None


_BAD_SPLITS = ["fracs summing to 0.9", "a negative fraction", "n = 0", wrong_type("shuffle without an rng")]


@check("split_indices", "bad arguments raise ValueError")
def _split_errors(student, seed):
    f = student.split_indices
    return outcomes([lambda: f(10, (0.5, 0.2, 0.2), rng=generator(seed)),
                     lambda: f(10, (1.2, -0.2), rng=generator(seed)),
                     lambda: f(0, (0.5, 0.5), rng=generator(seed)),
                     lambda: f(10, (0.5, 0.5), rng=None, shuffle=True)])


@_split_errors.judge
def _(got, reference, seed):
    return all_value_errors(got, _BAD_SPLITS)


# -- recommended_split -----------------------------------------------------------
def _typed(sizes):
    """Sizes and whether each is a Python or NumPy integer (not a float)."""
    return [[int(s) if float(s).is_integer() else float(s) for s in sizes],
            [isinstance(s, (int, np.integer)) and not isinstance(s, bool) for s in sizes]]


def _typed_problem(got, length):
    """Why ``got`` is not ``length`` pairs [sizes, integral] of three items each, or None."""
    problem = _items_problem(got, length, "results of the calls")
    for item in (got if problem is None else []):
        problem = problem or _items_problem(item, 2, "one result") \
            or _items_problem(item[0], 3, "sizes") or _items_problem(item[1], 3, "integer flags")
    return problem


def _compare_sizes(got_list, ns, reference, **kwargs):
    problem = _typed_problem(got_list, len(ns))
    if problem:
        return problem
    for (sizes, _), n in zip(got_list, ns):
        expected = list(reference.recommended_split(n, **kwargs))
        if sizes != expected:
            return f"n={n:,}: expected {tuple(expected)}, got {tuple(sizes)}"
    return None


def _small_ns(seed):
    return [int(v) for v in generator(seed).integers(3, 50_000, size=6)]


def _large_ns(seed):
    return [int(v) for v in generator(seed).integers(50_001, 50_000_000, size=6)] + [1_000_000]


@check("recommended_split", "60/20/20 while the caps do not bind (random n below 50,000)")
def _rec_small(student, seed):
    return [_typed(student.recommended_split(n)) for n in _small_ns(seed)]


@_rec_small.judge
def _(got, reference, seed):
    return _compare_sizes(got, _small_ns(seed), reference)


@check("recommended_split", "dev and test stop at their caps for large n (98/1/1 at a million)")
def _rec_large(student, seed):
    return [_typed(student.recommended_split(n)) for n in _large_ns(seed)]


@_rec_large.judge
def _(got, reference, seed):
    return _compare_sizes(got, _large_ns(seed), reference)


def _custom_args(seed):
    rng = generator(seed)
    return [dict(n=int(rng.integers(3, 10**7)), dev_cap=int(rng.integers(1, 50_000)),
                 test_cap=int(rng.integers(1, 50_000)), small=(0.7, 0.2, 0.1)) for _ in range(5)]


@check("recommended_split", "custom caps and fractions are honoured; sizes are integers adding up to n")
def _rec_custom(student, seed):
    return [_typed(student.recommended_split(a["n"], dev_cap=a["dev_cap"], test_cap=a["test_cap"],
                                             small=a["small"])) for a in _custom_args(seed)]


@_rec_custom.judge
def _(got, reference, seed):
    problem = _typed_problem(got, len(_custom_args(seed)))
    if problem:
        return problem
    for (sizes, integral), args in zip(got, _custom_args(seed)):
        if not all(integral):
            return f"n={args['n']:,}: sizes {tuple(sizes)} must be integers, not floats"
        if sum(sizes) != args["n"]:
            return f"n={args['n']:,}: sizes {tuple(sizes)} add up to {sum(sizes):,}"
        expected = list(reference.recommended_split(**args))
        if sizes != expected:
            return f"{args}: expected {tuple(expected)}, got {tuple(sizes)}"
    return None


_BAD_RECOMMEND = ["n = 2", "dev_cap = 0", "small summing to 1.1"]


@check("recommended_split", "bad arguments raise ValueError")
def _rec_errors(student, seed):
    f = student.recommended_split
    return outcomes([lambda: f(2), lambda: f(1000, dev_cap=0), lambda: f(1000, small=(0.7, 0.2, 0.2))])


@_rec_errors.judge
def _(got, reference, seed):
    return all_value_errors(got, _BAD_RECOMMEND)


# -- stratified_split ----------------------------------------------------------
def _labels(seed, i):
    """Imbalanced labels with 2-5 classes (arbitrary integer values), one class of 2 rows."""
    rng = generator(seed, 100 + i)
    k = int(rng.integers(2, 6))
    values = rng.choice(np.arange(-3, 20), size=k, replace=False)
    counts = rng.integers(20, 400, size=k)
    counts[-1] = 2
    return rng.permutation(np.repeat(values, counts))


@check("stratified_split", "parts are disjoint and hold every row once")
def _strat_partition(student, seed):
    return [list(student.stratified_split(_labels(seed, i), rng=generator(seed, i))) for i in range(4)]


@_strat_partition.judge
def _(got, reference, seed):
    problem = _items_problem(got, 4, "results of the calls")
    for i, parts in enumerate(got if problem is None else []):
        problem = _parts_problem(parts, len(_labels(seed, i)), 3, f"labels set {i}")
        if problem:
            return problem
    return problem


@check("stratified_split", "each class is split within one row of fracs * class size (imbalanced labels)")
def _strat_shares(student, seed):
    return [list(student.stratified_split(_labels(seed, i), (0.5, 0.3, 0.2), rng=generator(seed, i)))
            for i in range(4)]


def _share_problem(parts, y, fracs, what):
    """Why ``parts`` break the per-class rule (floor or ceil of fracs * n_c), or None."""
    problem = _parts_problem(parts, len(y), len(fracs), what)
    if problem:
        return problem
    for label in np.unique(y):
        n_c = int(np.sum(y == label))
        for part, frac in zip(parts, fracs):
            count = int(np.sum(y[np.asarray(part, dtype=int)] == label))
            if abs(count - frac * n_c) >= 1:
                return (f"{what}: class {label} has {n_c} rows; a {frac:.0%} part holds {count} of them "
                        f"(expected {frac * n_c:.2f} rounded up or down)")
    return None


@_strat_shares.judge
def _(got, reference, seed):
    problem = _items_problem(got, 4, "results of the calls")
    for i, parts in enumerate(got if problem is None else []):
        problem = _share_problem(parts, _labels(seed, i), (0.5, 0.3, 0.2), f"labels set {i}")
        if problem:
            return problem
    return problem


def _many_small_classes(seed, i):
    """Labels of many small classes, where per-class rounding errors add up; and three fractions.

    Case 0 is fixed: 10 classes of 7 rows split 60/20/20, which rounding each class on its own
    turns into parts of 40/20/10 rows instead of 42/14/14.
    """
    if i == 0:
        return np.repeat(np.arange(10), 7), (0.6, 0.2, 0.2)
    rng = generator(seed, 200 + i)
    counts = rng.integers(2, 13, size=int(rng.integers(8, 16)))
    fracs = rng.dirichlet(np.full(3, 2.0))
    fracs[-1] = 1.0 - fracs[:2].sum()
    return rng.permutation(np.repeat(np.arange(len(counts)), counts)), tuple(float(f) for f in fracs)


@check("stratified_split", "part totals are within one row of fracs * N, with every class within one row "
                           "of its share (many small classes)")
def _strat_totals(student, seed):
    results = []
    for i in range(5):
        y, fracs = _many_small_classes(seed, i)
        results.append(list(student.stratified_split(y, fracs, rng=generator(seed, 300 + i))))
    return results


@_strat_totals.judge
def _(got, reference, seed):
    problem = _items_problem(got, 5, "results of the calls")
    for i, parts in enumerate(got if problem is None else []):
        y, fracs = _many_small_classes(seed, i)
        what = f"{len(np.unique(y))} classes, {len(y)} rows, fracs {np.round(fracs, 3).tolist()}"
        problem = _share_problem(parts, y, fracs, what)
        if problem:
            return problem
        sizes = [len(part) for part in parts]
        if np.any(np.abs(np.asarray(sizes) - np.asarray(fracs) * len(y)) >= 1):
            return (f"{what}: parts of {sizes} rows, but each part should hold fracs * N = "
                    f"{np.round(np.asarray(fracs) * len(y), 2).tolist()} rows rounded up or down "
                    f"(the rounding errors of the classes added up)")
    return problem


@check("stratified_split", "rows are shuffled within each class, reproducibly for one seed")
def _strat_shuffled(student, seed):
    y = np.repeat([0, 1], [300, 100])
    return [list(student.stratified_split(y, rng=generator(seed, s))) for s in (1, 1, 2)]


@_strat_shuffled.judge
def _(got, reference, seed):
    problem = _items_problem(got, 3, "results of the three calls")
    for parts in (got if problem is None else []):
        problem = problem or _parts_problem(parts, 400, 3, "300 + 100 labels")
    if problem:
        return problem
    first, again, other = ([np.sort(np.asarray(p)) for p in parts] for parts in got)
    if not all(np.array_equal(a, b) for a, b in zip(first, again)):
        return "two calls with generators of the same seed gave different splits"
    if all(np.array_equal(a, b) for a, b in zip(first, other)):
        return "different seeds gave the same split: shuffle each class before cutting it"
    if np.array_equal(first[0], np.r_[np.arange(180), np.arange(300, 360)]):
        return "the training part is the first rows of each class: shuffle each class before cutting it"
    return None


_BAD_STRATIFIED = ["2-D labels", "empty labels", "fracs summing to 0.8", wrong_type("float labels (0.0 and 1.0)")]


@check("stratified_split", "bad arguments raise ValueError")
def _strat_errors(student, seed):
    f = student.stratified_split
    return outcomes([lambda: f(np.zeros((4, 2), dtype=int), rng=generator(seed)),
                     lambda: f(np.array([], dtype=int), rng=generator(seed)),
                     lambda: f(np.arange(10) % 2, (0.4, 0.2, 0.2), rng=generator(seed)),
                     lambda: f((np.arange(10) % 2).astype(float), rng=generator(seed))])


@_strat_errors.judge
def _(got, reference, seed):
    return all_value_errors(got, _BAD_STRATIFIED)


# -- fit_standardizer and apply_standardizer -----------------------------------------
def _features(seed, stream=0):
    """Random data with very different column scales and one constant column."""
    rng = generator(seed, stream)
    n, d = int(rng.integers(5, 60)), int(rng.integers(2, 7))
    X = rng.normal(rng.uniform(-50, 50, d), rng.uniform(0.01, 30, d), size=(n, d))
    X[:, int(rng.integers(d))] = rng.uniform(-5, 5)
    return X


@check("fit_standardizer", "mean and population standard deviation per column (random data)")
def _fit_values(student, seed):
    stats = [student.fit_standardizer(_features(seed, i)) for i in range(3)]
    return [[s["mean"], s["scale"]] for s in stats]


@_fit_values.judge
def _(got, reference, seed):
    problem = _items_problem(got, 3, "results of the calls")
    for pair in (got if problem is None else []):
        problem = problem or _items_problem(pair, 2, "the statistics (mean, scale)")
    if problem:
        return problem
    for i, (mean, scale) in enumerate(got):
        expected = reference.fit_standardizer(_features(seed, i))
        for name, value in (("mean", mean), ("scale", scale)):
            value, want = np.asarray(value, dtype=float), expected[name]
            if value.shape != want.shape:
                return f"'{name}' has shape {value.shape}, expected {want.shape} (one value per column)"
            if not np.allclose(value, want, rtol=1e-9, atol=1e-12):
                return f"'{name}' differs from the expected per-column values"
    return None


@check("fit_standardizer", "a constant column gets scale 1 and standardizes to 0, never NaN")
def _fit_constant(student, seed):
    X = _features(seed, 5)
    X[:, 0] = 3.25
    return student.fit_standardizer(X)["scale"]


@_fit_constant.judge
def _(got, reference, seed):
    if not isinstance(got, (list, tuple, np.ndarray)):
        return f"the scale should be an array, got {type(got).__name__}"
    scale = np.asarray(got, dtype=float)
    d = _features(seed, 5).shape[1]
    if scale.shape != (d,):
        return f"the scale has shape {scale.shape}, expected ({d},): one value per column"
    if not np.isfinite(scale).all() or scale[0] != 1.0:
        return f"the constant first column should get scale 1.0, got {scale[:1]}"
    return None


@check("fit_standardizer", "the training data is not modified")
def _fit_untouched(student, seed):
    X = _features(seed, 6)
    student.fit_standardizer(X)
    return X


@_fit_untouched.judge
def _(got, reference, seed):
    return None if np.array_equal(got, _features(seed, 6)) else "fit_standardizer changed its input array"


_BAD_FIT = ["a 1-D array", "an array with no rows", "eps = 0"]


@check("fit_standardizer", "bad arguments raise ValueError")
def _fit_errors(student, seed):
    f = student.fit_standardizer
    return outcomes([lambda: f(np.arange(5.0)), lambda: f(np.zeros((0, 3))), lambda: f(np.ones((4, 2)), eps=0.0)])


@_fit_errors.judge
def _(got, reference, seed):
    return all_value_errors(got, _BAD_FIT)


def _stats(seed):
    rng = generator(seed, 7)
    d = int(rng.integers(2, 6))
    return {"mean": rng.normal(0, 10, d), "scale": rng.uniform(0.5, 20, d)}


@check("apply_standardizer", "uses the statistics it is given, not statistics of X (random data)")
def _apply_values(student, seed):
    stats = _stats(seed)
    X = generator(seed, 8).normal(3, 7, size=(9, len(stats["mean"])))
    return student.apply_standardizer(stats, X)


@_apply_values.judge
def _(got, reference, seed):
    if not isinstance(got, (list, tuple, np.ndarray)):
        return f"the result should be an array, got {type(got).__name__}"
    stats = _stats(seed)
    X = generator(seed, 8).normal(3, 7, size=(9, len(stats["mean"])))
    expected = reference.apply_standardizer(stats, X)
    got = np.asarray(got, dtype=float)
    if got.shape != expected.shape:
        return f"result has shape {got.shape}, expected {expected.shape}"
    if not np.allclose(got, expected, rtol=1e-10, atol=1e-12):
        return "values differ from (X - mean) / scale with the given statistics"
    return None


@check("apply_standardizer", "training data standardized with its own statistics has mean 0 and std 1")
def _apply_train(student, seed):
    X = _features(seed, 9)[:, 1:] if _features(seed, 9).shape[1] > 2 else _features(seed, 9)
    X = X + generator(seed, 10).normal(size=X.shape)   # no constant column here
    return student.apply_standardizer({"mean": X.mean(0), "scale": X.std(0)}, X)


@_apply_train.judge
def _(got, reference, seed):
    if not isinstance(got, (list, tuple, np.ndarray)):
        return f"the result should be an array, got {type(got).__name__}"
    got = np.asarray(got, dtype=float)
    X = _features(seed, 9)[:, 1:] if _features(seed, 9).shape[1] > 2 else _features(seed, 9)
    if got.shape != X.shape:
        return f"result has shape {got.shape}, expected {X.shape}"
    if not (np.allclose(got.mean(0), 0, atol=1e-9) and np.allclose(got.std(0), 1, rtol=1e-9)):
        return "the columns do not end up with mean 0 and standard deviation 1"
    return None


@check("apply_standardizer", "X and the statistics are not modified")
def _apply_untouched(student, seed):
    stats = _stats(seed)
    X = generator(seed, 11).normal(size=(6, len(stats["mean"])))
    student.apply_standardizer(stats, X)
    return [X, stats["mean"], stats["scale"]]


@_apply_untouched.judge
def _(got, reference, seed):
    problem = _items_problem(got, 3, "the probe's result")
    if problem:
        return problem
    X, mean, scale = got
    stats = _stats(seed)
    if not np.array_equal(X, generator(seed, 11).normal(size=(6, len(stats["mean"])))):
        return "apply_standardizer changed X"
    if not (np.array_equal(mean, stats["mean"]) and np.array_equal(scale, stats["scale"])):
        return "apply_standardizer changed the statistics"
    return None


@check("apply_standardizer", "a column-count mismatch raises ValueError")
def _apply_mismatch(student, seed):
    stats = _stats(seed)
    return outcomes([lambda: student.apply_standardizer(stats, np.ones((3, len(stats["mean"]) + 1)))])


@_apply_mismatch.judge
def _(got, reference, seed):
    return all_value_errors(got, ["X with one column too many"])


# -- kfold_indices -------------------------------------------------------------
def _kfold_cases(seed):
    rng = generator(seed)
    cases = []
    for _ in range(4):
        n = int(rng.integers(10, 400))
        cases.append((n, int(rng.integers(2, min(n, 12) + 1))))
    return cases + [(7, 7)]


@check("kfold_indices", "every row is validated exactly once and fold sizes differ by at most one")
def _kfold_cover(student, seed):
    return [[list(pair) for pair in student.kfold_indices(n, k, rng=generator(seed, i))]
            for i, (n, k) in enumerate(_kfold_cases(seed))]


@_kfold_cover.judge
def _(got, reference, seed):
    cases = _kfold_cases(seed)
    problem = _items_problem(got, len(cases), "results of the calls")
    if problem:
        return problem
    for folds, (n, k) in zip(got, cases):
        problem = _folds_problem(folds, n, k, f"n={n}, k={k}")
        if problem:
            return problem
        problem = partition_problem([val for _, val in folds], n)
        if problem:
            return f"n={n}, k={k}, validation folds: {problem}"
        sizes = [len(val) for _, val in folds]
        if max(sizes) - min(sizes) > 1:
            return f"n={n}, k={k}: fold sizes {sizes} differ by more than one"
    return None


@check("kfold_indices", "each training part is exactly the rows outside its validation fold")
def _kfold_complement(student, seed):
    return _kfold_cover(student, seed)


@_kfold_complement.judge
def _(got, reference, seed):
    cases = _kfold_cases(seed)
    problem = _items_problem(got, len(cases), "results of the calls")
    if problem:
        return problem
    for folds, (n, k) in zip(got, cases):
        problem = _folds_problem(folds, n, k, f"n={n}, k={k}")
        if problem:
            return problem
        for i, (train, val) in enumerate(folds):
            train, val = np.asarray(train, dtype=int), np.asarray(val, dtype=int)
            if len(np.intersect1d(train, val)):
                return f"n={n}, k={k}: fold {i} trains on {len(np.intersect1d(train, val))} of its validation rows"
            if len(train) != n - len(val) or len(np.union1d(train, val)) != n:
                return f"n={n}, k={k}: fold {i}'s training part misses rows outside its validation fold"
    return None


@check("kfold_indices", "folds are shuffled, and the same seed gives the same folds")
def _kfold_shuffled(student, seed):
    return [[list(pair) for pair in student.kfold_indices(200, 5, rng=generator(seed, s))] for s in (1, 1, 2)]


@_kfold_shuffled.judge
def _(got, reference, seed):
    problem = _items_problem(got, 3, "results of the three calls")
    for folds in (got if problem is None else []):
        problem = problem or _folds_problem(folds, 200, 5, "n=200, k=5") \
            or partition_problem([val for _, val in folds], 200)
    if problem:
        return problem
    first, again, other = ([np.sort(np.asarray(val)) for _, val in folds] for folds in got)
    if not all(np.array_equal(a, b) for a, b in zip(first, again)):
        return "two calls with generators of the same seed gave different folds"
    if all(np.array_equal(a, b) for a, b in zip(first, other)):
        return "different seeds gave the same folds: is the rng used?"
    if np.array_equal(first[0], np.arange(len(first[0]))):
        return "the first fold is rows 0, 1, 2, ...: shuffle before cutting the folds"
    return None


_BAD_KFOLD = ["k = 1", "k > n", wrong_type("k = 2.5"), wrong_type("n = 10.0 (a float)")]


@check("kfold_indices", "k outside 2..n raises ValueError")
def _kfold_errors(student, seed):
    f = student.kfold_indices
    return outcomes([lambda: f(10, 1, rng=generator(seed)), lambda: f(5, 6, rng=generator(seed)),
                     lambda: f(10, 2.5, rng=generator(seed)), lambda: f(10.0, 2, rng=generator(seed))])


@_kfold_errors.judge
def _(got, reference, seed):
    return all_value_errors(got, _BAD_KFOLD)


# -- mutants: plausible wrong implementations, each must lose points -------------------
SUITE.mutants = [
    Mutant("split_indices", "indices_with_replacement", "draws random row numbers instead of a permutation",
           "order = rng.permutation(n)  # a shuffled", "order = rng.integers(0, n, size=n)  # a shuffled",
           student="draws random row numbers with replacement, so some rows appear twice and others never, instead of permuting the rows",
           section="ch01-split-indices"),
    Mutant("split_indices", "never_shuffles", "ignores shuffle=True",
           "    if shuffle:\n        check_generator(rng)\n        order = rng.permutation(n)  # a shuffled copy of 0..n-1\n    else:\n"
           "        order = np.arange(n)",
           "    order = np.arange(n)",
           student="keeps the rows in their original order even when asked to shuffle",
           section="ch01-split-indices"),
    Mutant("split_indices", "truncated_sizes", "rounds every size down, losing rows",
           "sizes = _split_sizes(n, _check_fracs(fracs))",
           "sizes = np.floor(_check_fracs(fracs) * n).astype(np.int64)",
           student="rounds every part's size down, so a few rows end up in no part",
           section="ch01-split-indices"),
    Mutant("recommended_split", "no_caps", "uses 60/20/20 at every size",
           "n_dev = min(int(np.floor(fracs[1] * n)), int(dev_cap))\n    n_test = min(int(np.floor(fracs[2] * n)), int(test_cap))",
           "n_dev = int(np.floor(fracs[1] * n))\n    n_test = int(np.floor(fracs[2] * n))",
           student="uses 60/20/20 at every data set size, where large data sets need only a small, capped dev and test set",
           section="ch01-recommended-split"),
    Mutant("recommended_split", "rounded_train", "computes train as 60% of n, so sizes stop adding up",
           "return n - n_dev - n_test, n_dev, n_test", "return int(round(fracs[0] * n)), n_dev, n_test",
           student="computes the training size as its own percentage of n, so the three sizes no longer add up to n",
           section="ch01-recommended-split"),
    Mutant("recommended_split", "float_sizes", "returns fractions times n as floats",
           "n_dev = min(int(np.floor(fracs[1] * n)), int(dev_cap))",
           "n_dev = min(np.floor(fracs[1] * n), float(dev_cap))",
           student="returns the sizes as fractions of n (floats) instead of whole numbers of rows",
           section="ch01-recommended-split"),
    Mutant("stratified_split", "not_stratified", "shuffles all rows together, ignoring classes",
           "    for label, class_sizes in zip(labels, sizes):\n        members = rng.permutation(np.flatnonzero(y == label))",
           "    for label, class_sizes in [(None, _split_sizes(len(y), fracs))]:\n        members = rng.permutation(len(y))",
           student="shuffles all rows together and ignores the classes, so the class shares drift between the parts",
           section="ch01-stratified-split"),
    Mutant("stratified_split", "unshuffled_classes", "cuts each class in its original order",
           "members = rng.permutation(np.flatnonzero(y == label))", "members = np.flatnonzero(y == label)",
           student="cuts each class in its original row order instead of shuffling it first",
           section="ch01-stratified-split"),
    Mutant("stratified_split", "truncated_class_sizes", "rounds each class's sizes down, losing rows",
           "sizes = _stratified_sizes(counts, fracs)",
           "sizes = np.floor(np.outer(counts, fracs)).astype(int)",
           student="rounds each class's part sizes down, so some rows end up in no part",
           section="ch01-stratified-split"),
    Mutant("stratified_split", "per_class_rounding_only",
           "rounds each class on its own, so the part totals drift from fracs * N",
           "sizes = _stratified_sizes(counts, fracs)",
           "sizes = np.array([_split_sizes(n_c, fracs) for n_c in counts])",
           student="rounds each class on its own, so the sizes of the whole parts drift away from the requested fractions",
           section="ch01-stratified-split"),
    Mutant("stratified_split", "accepts_float_labels", "treats float labels such as 1.0 as classes",
           "    if y.dtype.kind not in \"iu\":\n"
           '        raise ValueError(f"y must hold integer class labels, got dtype {y.dtype}")\n', "",
           student="accepts float labels such as 1.0 as classes instead of rejecting them",
           section="ch01-stratified-split"),
    Mutant("fit_standardizer", "sample_std", "divides by N - 1 instead of N",
           "scale = X_train.std(axis=0)", "scale = X_train.std(axis=0, ddof=1)",
           student="divides by N - 1 (the sample standard deviation) where the population standard deviation (divide by N) is asked for",
           section="ch01-fit-standardizer"),
    Mutant("fit_standardizer", "no_constant_guard", "divides constant columns by zero",
           'return {"mean": mean, "scale": np.where(scale < eps, 1.0, scale)}', 'return {"mean": mean, "scale": scale}',
           student="divides a constant column by a zero scale instead of guarding it",
           section="ch01-fit-standardizer"),
    Mutant("fit_standardizer", "variance_not_std", "stores the variance (sigma squared) as the scale",
           "scale = X_train.std(axis=0)", "scale = X_train.var(axis=0)",
           student="stores the variance as the scale instead of the standard deviation",
           section="ch01-fit-standardizer"),
    Mutant("apply_standardizer", "refits_on_X", "measures mean and scale again on the data it standardizes",
           "return (X - mean) / scale", "return (X - X.mean(axis=0)) / X.std(axis=0)",
           student="measures the mean and scale again on the data it transforms instead of using the ones fitted on the training set",
           section="ch01-apply-standardizer"),
    Mutant("apply_standardizer", "divides_by_variance", "divides by scale squared",
           "return (X - mean) / scale", "return (X - mean) / scale**2",
           student="divides by the square of the scale instead of the scale",
           section="ch01-apply-standardizer"),
    Mutant("apply_standardizer", "forgets_mean", "scales without centring",
           "return (X - mean) / scale", "return X / scale",
           student="divides by the scale but never subtracts the mean",
           section="ch01-apply-standardizer"),
    Mutant("kfold_indices", "drops_remainder", "makes every fold n // k rows and drops the rest",
           "folds = np.array_split(rng.permutation(n).astype(np.int64), k)",
           "folds = list(rng.permutation(n).astype(np.int64)[: n // k * k].reshape(k, -1))",
           student="makes every fold n // k rows long and drops the rows left over",
           section="ch01-kfold-indices"),
    Mutant("kfold_indices", "trains_on_validation", "trains on every row, validation fold included",
           "return [(np.concatenate(folds[:i] + folds[i + 1:]), fold) for i, fold in enumerate(folds)]",
           "return [(np.concatenate(folds), fold) for i, fold in enumerate(folds)]",
           student="trains on every row, the validation fold included",
           section="ch01-kfold-indices"),
    Mutant("kfold_indices", "float_n_unchecked", "passes a float n on to numpy, which fails with an axis error",
           '    n = check_positive_int(n, "n")\n    if not isinstance(k',
           "    if not isinstance(k",
           student="passes a non-integer n on to NumPy instead of rejecting it with a ValueError",
           section="ch01-kfold-indices"),
    Mutant("kfold_indices", "contiguous_folds", "cuts folds from the unshuffled rows",
           "folds = np.array_split(rng.permutation(n).astype(np.int64), k)",
           "folds = np.array_split(np.arange(n, dtype=np.int64), k)",
           student="cuts the folds from the rows in their original order instead of shuffling first",
           section="ch01-kfold-indices"),
]
