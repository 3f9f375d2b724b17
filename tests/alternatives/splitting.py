"""An independent answer to chapter 1's exercises, written from the stub's docstrings.

Different choices from the reference wherever the contract allows them: every split is
made by drawing a part label for each row (so the parts come back sorted by row number),
sizes are rounded with an explicit loop, folds come from shuffled labels ``i % k``, and the
stratified sizes come from a bipartite matching (Kuhn's augmenting paths) of each class's
leftover rows to the parts that still miss rows.
"""
from __future__ import annotations

import math

import numpy as np


def _require_generator(rng):
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"expected a numpy.random.Generator for rng, got {type(rng).__name__}")


def _require_count(value, name, least):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an int, got {value!r}")
    if value < least:
        raise ValueError(f"{name} must be at least {least}, got {value}")
    return int(value)


def _fractions(fracs, how_many=None):
    try:
        values = [float(f) for f in fracs]
    except (TypeError, ValueError):
        raise ValueError(f"fracs must be a sequence of numbers, got {fracs!r}") from None
    if len(values) < 2 or (how_many is not None and len(values) != how_many):
        raise ValueError(f"wrong number of fractions: {values}")
    if min(values) < 0 or abs(math.fsum(values) - 1.0) > 1e-9:
        raise ValueError(f"fractions must be >= 0 and add up to 1, got {values}")
    return values


def _rounded(total, fracs):
    """Integer sizes adding up to total, each the floor or the ceiling of frac * total."""
    wanted = [f * total for f in fracs]
    sizes = [math.floor(w) for w in wanted]
    while sum(sizes) < total:
        # the part that is furthest below its exact share gets the next row
        gaps = [w - s for w, s in zip(wanted, sizes)]
        sizes[gaps.index(max(gaps))] += 1
    return sizes


def _parts_from_labels(part_of, n_parts):
    return tuple(np.flatnonzero(part_of == i).astype(np.int64) for i in range(n_parts))


def split_indices(n, fracs=(0.6, 0.2, 0.2), *, rng=None, shuffle=True):
    n = _require_count(n, "n", 1)
    fracs = _fractions(fracs)
    sizes = _rounded(n, fracs)
    if shuffle:
        _require_generator(rng)
    labels = np.repeat(np.arange(len(sizes)), sizes)
    if shuffle:
        labels = rng.permutation(labels)   # a random part for every row, sizes kept
    return _parts_from_labels(labels, len(sizes))


def recommended_split(n, *, dev_cap=10_000, test_cap=10_000, small=(0.6, 0.2, 0.2)):
    n = _require_count(n, "n", 3)
    for name, cap in (("dev_cap", dev_cap), ("test_cap", test_cap)):
        if not cap >= 1:
            raise ValueError(f"{name} must be positive, got {cap!r}")
    _, dev_share, test_share = _fractions(small, how_many=3)
    dev = int(min(math.floor(dev_share * n), dev_cap))
    test = int(min(math.floor(test_share * n), test_cap))
    return (n - dev - test, dev, test)


def _extra_rows(options, needs, demand):
    """Choose, for each class, ``needs[c]`` distinct parts from ``options[c]`` so that part i
    is chosen ``demand[i]`` times in all. Kuhn's algorithm with one slot per leftover row."""
    slots = [c for c, k in enumerate(needs) for _ in range(k)]
    taken = {}                       # part -> list of slot numbers placed there
    where = [None] * len(slots)      # slot -> part

    def place(slot, seen):
        c = slots[slot]
        for part in options[c]:
            if part in seen or any(where[s] == part for s in range(len(slots)) if slots[s] == c and s != slot):
                continue
            seen.add(part)
            holders = taken.setdefault(part, [])
            if len(holders) < demand[part]:
                holders.append(slot)
                where[slot] = part
                return True
            for other in list(holders):
                previous = where[other]
                where[other] = None
                if place(other, seen):
                    holders.remove(other)
                    holders.append(slot)
                    where[slot] = part
                    return True
                where[other] = previous
        return False

    for slot in range(len(slots)):
        if not place(slot, set()):
            raise RuntimeError("could not meet both size rules")
    return where, slots


def stratified_split(y, fracs=(0.6, 0.2, 0.2), *, rng):
    y = np.asarray(y)
    if y.ndim != 1 or len(y) == 0:
        raise ValueError(f"y must be a non-empty 1-D array, got shape {y.shape}")
    if y.dtype.kind not in "iu":
        raise ValueError(f"labels must be integers, got dtype {y.dtype}")
    fracs = _fractions(fracs)
    _require_generator(rng)

    classes = sorted(set(y.tolist()))
    counts = [int(np.count_nonzero(y == c)) for c in classes]
    floors = [[math.floor(f * n_c) for f in fracs] for n_c in counts]
    needs = [n_c - sum(row) for n_c, row in zip(counts, floors)]
    options = [[i for i, f in enumerate(fracs) if f * n_c - row[i] > 1e-9]
               for n_c, row in zip(counts, floors)]
    totals = _rounded(len(y), fracs)
    demand = [t - sum(row[i] for row in floors) for i, t in enumerate(totals)]
    where, slots = _extra_rows(options, needs, demand)
    for slot, part in enumerate(where):
        floors[slots[slot]][part] += 1

    part_of = np.empty(len(y), dtype=np.int64)
    order = rng.permutation(len(y))            # one shuffle for all rows, then each class in that order
    for c, sizes in zip(classes, floors):
        members = order[y[order] == c]
        part_of[members] = np.repeat(np.arange(len(fracs)), sizes)
    return _parts_from_labels(part_of, len(fracs))


def fit_standardizer(X_train, *, eps=1e-8):
    X = np.array(X_train, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] < 1:
        raise ValueError(f"X_train must have shape (N, D) with N >= 1, got {X.shape}")
    if not (isinstance(eps, (int, float, np.floating, np.integer)) and eps > 0):
        raise ValueError(f"eps must be a positive number, got {eps!r}")
    means, scales = [], []
    for column in X.T:
        mu = math.fsum(column) / len(column)
        sigma = math.sqrt(math.fsum((column - mu) ** 2) / len(column))
        means.append(mu)
        scales.append(1.0 if sigma < eps else sigma)
    return {"mean": np.array(means), "scale": np.array(scales)}


def apply_standardizer(stats, X):
    X = np.array(X, dtype=np.float64)
    mean = np.array(stats["mean"], dtype=np.float64)
    scale = np.array(stats["scale"], dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D, got shape {X.shape}")
    if X.shape[1] != len(mean):
        raise ValueError(f"X has {X.shape[1]} columns but the statistics describe {len(mean)}")
    return np.divide(np.subtract(X, mean[np.newaxis, :]), scale[np.newaxis, :])


def kfold_indices(n, k, *, rng):
    n = _require_count(n, "n", 1)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise ValueError(f"k must be an int, got {k!r}")
    if k < 2 or k > n:
        raise ValueError(f"k must lie between 2 and n = {n}, got {k}")
    _require_generator(rng)
    fold_of = rng.permutation(np.arange(n) % k)     # fold sizes differ by at most one
    everything = np.arange(n, dtype=np.int64)
    return [(everything[fold_of != i], everything[fold_of == i]) for i in range(int(k))]
