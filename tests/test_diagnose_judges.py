"""Chapter 2's judges reject junk: every hidden check of nnlib.diagnose fails a malformed result.

For each check the reference's own result is taken apart: every number becomes NaN or None, every
list is emptied, shortened or lengthened, every array shortened or given a NaN, a huge array is put
anywhere; plus generic junk for the whole result. No such result may pass, and no judge may raise
(a judge explains what is wrong instead).
"""
import copy

import numpy as np
import pytest

from coursekit import hidden, variants

SUITE = hidden.suite("diagnose")
GENERIC = [None, [], (), {}, np.array([]), float("nan"), np.zeros(10**6), "junk", 0, True, [None] * 20,
           [float("nan")] * 20, {"train_error": None, "dev_error": None}]


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _paths(item, prefix + (i,))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, prefix + (key,))


def _at(value, path):
    for key in path:
        value = value[key]
    return value


def _replaced(value, path, new):
    if not path:
        return new
    value = copy.deepcopy(value)
    parent = _at(value, path[:-1])
    if isinstance(parent, tuple):
        return None
    parent[path[-1]] = new
    return value


def _same(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape
                and a.dtype == b.dtype and np.array_equal(a, b))
    if type(a) is not type(b):
        return False
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


def _junk(good):
    yield from (("whole result", junk) for junk in GENERIC)
    for path in _paths(good):
        node = _at(good, path)
        changes = [float("nan"), None, [], np.zeros(10**5)]
        if isinstance(node, (list, tuple)) and node:
            changes += [type(node)(list(node)[:-1]), type(node)(list(node) + [list(node)[-1]])]
        if isinstance(node, np.ndarray) and node.size:
            with_nan = node.astype(float)
            with_nan.flat[0] = np.nan
            changes += [node[:-1], with_nan]
        for new in changes:
            junk = _replaced(good, path, new)
            if junk is not None and not _same(junk, good):
                yield path, junk


@pytest.mark.parametrize("check", SUITE.checks, ids=[f"{c.exercise}: {c.description[:50]}" for c in SUITE.checks])
def test_judge_rejects_junk(check):
    reference = variants.reference_module("diagnose")
    good = hidden.run_probe(check, reference)
    assert check.judge(good, reference, check.seed) is None
    accepted, raised = [], []
    for where, junk in _junk(good):
        try:
            if check.judge(junk, reference, check.seed) is None:
                accepted.append(where)
        except Exception as error:  # noqa: BLE001 - recorded: a judge should explain, not raise
            raised.append((where, type(error).__name__))
    assert accepted == [], f"junk passed at {accepted[:5]}"
    assert raised == [], f"the judge raised instead of explaining: {raised[:5]}"
