"""Chapter 1 beyond the hidden checks: the stratified size rules on many random label sets,
the reference's error messages, and judges that reject malformed results instead of passing them."""
import numpy as np
import pytest

from coursekit import hidden, variants

MODULE = "splitting"


@pytest.fixture(scope="module")
def reference():
    return variants.reference_module(MODULE)


def _random_problem(rng):
    fracs = rng.dirichlet(np.full(int(rng.integers(2, 6)), float(rng.choice([0.3, 1.0, 3.0]))))
    fracs[-1] = max(0.0, 1.0 - fracs[:-1].sum())
    counts = rng.integers(1, int(rng.choice([4, 10, 60])), size=int(rng.integers(1, 15)))
    y = rng.permutation(np.repeat(rng.choice(np.arange(-5, 40), size=len(counts), replace=False), counts))
    return y, tuple(float(f) for f in fracs)


def test_stratified_split_meets_both_size_rules_on_random_problems(reference):
    rng = np.random.default_rng(2026)
    problems = [(np.repeat(np.arange(10), 7), (0.6, 0.2, 0.2))] + [_random_problem(rng) for _ in range(1500)]
    for y, fracs in problems:
        parts = reference.stratified_split(y, fracs, rng=rng)
        assert np.array_equal(np.sort(np.concatenate(parts)), np.arange(len(y)))
        sizes = np.array([len(p) for p in parts])
        assert np.all(np.abs(sizes - np.asarray(fracs) * len(y)) < 1), (fracs, np.bincount(y - y.min()), sizes)
        for label in np.unique(y):
            n_c = np.sum(y == label)
            counts = np.array([np.sum(y[p] == label) for p in parts])
            assert np.all(np.abs(counts - np.asarray(fracs) * n_c) < 1), (label, n_c, fracs, counts)


def test_ten_classes_of_seven_give_42_14_14(reference):
    parts = reference.stratified_split(np.repeat(np.arange(10), 7), rng=np.random.default_rng(0))
    assert [len(p) for p in parts] == [42, 14, 14]


def test_float_labels_and_float_n_raise_value_errors_that_name_the_argument(reference):
    with pytest.raises(ValueError, match="integer"):
        reference.stratified_split(np.array([0.0, 1.0, 1.0, 0.0]), rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"\bn\b") as raised:
        reference.kfold_indices(10.0, 2, rng=np.random.default_rng(0))
    assert type(raised.value) is ValueError          # not numpy's AxisError about axes


def _junk(good):
    junk = [[], (), np.array([]), None, float("nan"), np.full(5, np.nan), np.zeros(200_000), 0, "x", {}]
    if isinstance(good, (list, tuple)) and good:
        junk += [type(good)(good[:-1]), type(good)(list(good) + [good[-1]]),
                 type(good)([[] for _ in good]), type(good)([None for _ in good])]
    if isinstance(good, np.ndarray) and good.dtype.kind == "f":
        junk.append(np.full_like(good, np.nan))
    return junk


@pytest.mark.parametrize("check", hidden.suite(MODULE).checks, ids=lambda c: f"{c.exercise}: {c.description[:40]}")
def test_every_judge_rejects_junk(check, reference):
    good = hidden.run_probe(check, reference)
    assert hidden.judge(check, good, reference) is None
    passed = [repr(j)[:40] for j in _junk(good) if hidden.judge(check, j, reference) is None]
    assert passed == [], f"the judge accepts malformed results: {passed}"
