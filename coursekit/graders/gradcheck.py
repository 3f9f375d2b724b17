"""Hidden checks and mutants for chapter 5, ``nnlib.gradcheck``.

The judges know the exact answers: the smooth test functions come with their analytic
gradients, the networks are :mod:`nnlib.mlp` networks whose backward pass is
infrastructure, and the planted bugs are made by the judge itself. Where an exercise
samples coordinates (``grad_check``), the judges test properties that hold whichever
coordinates were drawn: each reported error must be the error of *some* coordinate of that
tensor, a tensor checked whole must report its worst coordinate, and different generators
must not always pick the same coordinates.

Every judge first checks the form of what came back (type, length, shape, finiteness), so
that None, an empty list or an array of NaN fails instead of passing vacuously.
"""
from __future__ import annotations

import math

import numpy as np

from ..hidden import CheckSuite
from ..variants import Mutant
from .common import all_value_errors, generator, outcomes, wrong_type

SUITE = CheckSuite("gradcheck")
check = SUITE.check


# -- form checks shared by the judges --------------------------------------------------
def _count_problem(got, n, what):
    """Why ``got`` is not a list or tuple of exactly ``n`` items, or None."""
    if not isinstance(got, (list, tuple)):
        return f"expected a list of {n} {what}, got {type(got).__name__}"
    if len(got) != n:
        return f"expected {n} {what}, got {len(got)}"
    return None


def _array_problem(got, shape, label, *, kinds="f", finite=True):
    """Why ``got`` is not a NumPy array of ``shape`` whose dtype kind is in ``kinds``, or None."""
    if not isinstance(got, np.ndarray):
        return f"{label}: expected a NumPy array of shape {tuple(shape)}, got {type(got).__name__}"
    if got.dtype.kind not in kinds or got.shape != tuple(shape):
        return f"{label}: expected an array of shape {tuple(shape)}, got shape {got.shape} of dtype {got.dtype}"
    if finite and got.dtype.kind == "f" and not np.all(np.isfinite(got)):
        return f"{label}: the array contains NaN or infinity"
    return None


def _number_problem(got, label):
    if not isinstance(got, (int, float)) or isinstance(got, bool) or not math.isfinite(got):
        return f"{label}: expected a finite number, got {got!r}"
    return None


def _zero_d_safe(value):
    """A 0-d array as ["0-d", its one value as a 1-element array]; anything else unchanged.

    The wire format of the isolated grader sends arrays of at least one dimension, so a probe
    wraps 0-d results and the judge unwraps them with :func:`_restore_0d`.
    """
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return ["0-d", value.reshape(1)]
    return value


def _restore_0d(value):
    if (isinstance(value, list) and len(value) == 2 and value[0] == "0-d" and isinstance(value[1], np.ndarray)
            and value[1].shape == (1,)):
        return value[1].reshape(())
    return value


def _scaled_gap(got, expected):
    """Largest ``|got - expected| / (1 + |expected|)``."""
    return float(np.max(np.abs(got - expected) / (1.0 + np.abs(expected)))) if expected.size else 0.0


# -- numerical_gradient -------------------------------------------------------------------
_SHAPES = [(7,), (3, 4), (2, 3, 2), ()]


def _smooth(seed, i):
    """A random smooth function of an array of shape ``_SHAPES[i]``, a point, and its exact gradient.

    f(x) = sum(c * sin(a x)) + q/2 * (sum(w * x))^2 + sum(d * x^3) / 3, of order 1.
    """
    rng = generator(seed, 100 + i)
    shape = _SHAPES[i]
    a, c, w, d = (rng.uniform(0.5, 1.5, shape), rng.normal(0, 0.5, shape), rng.normal(0, 0.3, shape),
                  rng.normal(0, 0.2, shape))
    q = float(rng.uniform(0.2, 1.0))
    x = rng.uniform(-1.2, 1.2, shape)

    def f(v):
        return float(np.sum(c * np.sin(a * v)) + q / 2 * np.sum(w * v) ** 2 + np.sum(d * v ** 3) / 3)

    def gradient(v):
        return c * a * np.cos(a * v) + q * np.sum(w * v) * w + d * v ** 2

    return f, x, gradient


@check("numerical_gradient", "centered differences of random smooth functions (shapes (7,), (3,4), (2,3,2), ()) "
                             "are within 1e-7 of the exact gradient")
def _ng_exact(student, seed):
    result = []
    for i in range(len(_SHAPES)):
        f, x, _ = _smooth(seed, i)
        result.append(_zero_d_safe(student.numerical_gradient(f, x)))
    return result


@_ng_exact.judge
def _(got, reference, seed):
    problem = _count_problem(got, len(_SHAPES), "gradients")
    if problem:
        return problem
    for i, estimate in enumerate(got):
        _, x, gradient = _smooth(seed, i)
        estimate = _restore_0d(estimate)
        problem = _array_problem(estimate, x.shape, f"shape {x.shape}")
        if problem:
            return problem
        gap = _scaled_gap(estimate, gradient(x))
        if gap > 1e-7:
            hint = " (an error of order h = 1e-5: a forward difference, or x not restored between entries?)" if gap > 1e-6 else ""
            return f"shape {x.shape}: the estimate is {gap:.2g} away from the exact gradient (relative to 1 + |g|){hint}"
    return None


@check("numerical_gradient", "the estimate is the float64 quotient (f(x + h e_i) - f(x - h e_i)) / (2h), "
                             "to 1e-12 relative, for h = 1e-5 and h = 1e-3")
def _ng_quotient(student, seed):
    f, x, _ = _smooth(seed, 1)
    return [student.numerical_gradient(f, x, h=1e-5), student.numerical_gradient(f, x, h=1e-3)]


def _quotients(f, x, h, method):
    """The judge's own difference quotients, entry by entry, on fresh copies of x."""
    out = np.zeros(x.shape)
    base = f(x)
    for index in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[index] += h
        minus[index] -= h
        out[index] = (f(plus) - f(minus)) / (2 * h) if method == "centered" else (f(plus) - base) / h
    return out


@_ng_quotient.judge
def _(got, reference, seed):
    problem = _count_problem(got, 2, "gradients")
    if problem:
        return problem
    f, x, _ = _smooth(seed, 1)
    for h, estimate in zip((1e-5, 1e-3), got):
        problem = _array_problem(estimate, x.shape, f"h = {h:g}")
        if problem:
            return problem
        if estimate.dtype != np.float64:
            return f"h = {h:g}: the result has dtype {estimate.dtype}; return float64"
        gap = _scaled_gap(estimate, _quotients(f, x, h, "centered"))
        if gap > 1e-12:
            return (f"h = {h:g}: the estimate differs from the centered quotient by {gap:.2g} (relative): is it "
                    "stored or computed in lower precision, or with another step?")
    return None


@check("numerical_gradient", "x holds its original values bit for bit after the call, "
                             "and f may read x through a closure (x is perturbed in place)")
def _ng_restore(student, seed):
    f, x, _ = _smooth(seed, 2)
    x = x * 1.37 + 0.1    # values whose sums with h do not round back exactly
    seen = x

    def through_closure(_ignored):
        return f(seen)

    estimate = student.numerical_gradient(through_closure, x, h=1e-5)
    forward = student.numerical_gradient(through_closure, x, h=1e-5, method="forward")
    return [x, estimate, forward]


@_ng_restore.judge
def _(got, reference, seed):
    problem = _count_problem(got, 3, "parts (x after the calls, centered estimate, forward estimate)")
    if problem:
        return problem
    after, estimate, forward = got
    f, x, gradient = _smooth(seed, 2)
    x = x * 1.37 + 0.1
    problem = (_array_problem(after, x.shape, "x after the call") or _array_problem(estimate, x.shape, "centered")
               or _array_problem(forward, x.shape, "forward"))
    if problem:
        return problem
    if not np.array_equal(after, x):
        return (f"x changed: {int(np.sum(after != x))} of {x.size} entries differ after the calls; save each entry "
                "and write the saved value back (x[i] + h - h is not always x[i] in floating point)")
    exact = gradient(x)
    if _scaled_gap(estimate, exact) > 1e-7 or _scaled_gap(forward, exact) > 1e-3:
        return ("with an f that reads x through a closure the estimate is wrong: perturb x itself, in place, "
                "rather than a copy")
    return None


@check("numerical_gradient", "method='forward' is the quotient (f(x + h e_i) - f(x)) / h; halving h halves "
                             "its error on sin and quarters the centered error")
def _ng_orders(student, seed):
    x = generator(seed, 150).uniform(0.3, 1.2, size=6)

    def f(v):
        return float(np.sum(np.sin(v)))

    return [student.numerical_gradient(f, x, h=h, method=m) for m in ("forward", "centered") for h in (1e-3, 5e-4)]


@_ng_orders.judge
def _(got, reference, seed):
    problem = _count_problem(got, 4, "gradients")
    if problem:
        return problem
    x = generator(seed, 150).uniform(0.3, 1.2, size=6)
    for label, estimate in zip(("forward h=1e-3", "forward h=5e-4", "centered h=1e-3", "centered h=5e-4"), got):
        problem = _array_problem(estimate, x.shape, label)
        if problem:
            return problem
    forward_big, forward_small, centered_big, centered_small = got
    expected = _quotients(lambda v: float(np.sum(np.sin(v))), x, 1e-3, "forward")
    if _scaled_gap(forward_big, expected) > 1e-9:
        return "method='forward' does not give (f(x + h e_i) - f(x)) / h"
    exact = np.cos(x)
    ratios = [float(np.max(np.abs(big - exact)) / max(np.max(np.abs(small - exact)), 1e-300))
              for big, small in ((forward_big, forward_small), (centered_big, centered_small))]
    if not 1.8 < ratios[0] < 2.2:
        return f"halving h divided the forward error by {ratios[0]:.3g}; a first-order method gives about 2"
    if not 3.6 < ratios[1] < 4.4:
        return f"halving h divided the centered error by {ratios[1]:.3g}; a second-order method gives about 4"
    return None


_BAD_NUMERICAL = [wrong_type("x a float32 array"), wrong_type("x a list"), "h = 0", "h = -1e-5", "h = nan", "method = 'backward'"]


@check("numerical_gradient", "bad arguments raise ValueError")
def _ng_errors(student, seed):
    f = student.numerical_gradient
    x = np.ones(3)

    def g(v):
        return float(np.sum(v))

    return outcomes([lambda: f(g, np.ones(3, dtype=np.float32)), lambda: f(g, [1.0, 2.0]), lambda: f(g, x, h=0.0),
                     lambda: f(g, x, h=-1e-5), lambda: f(g, x, h=float("nan")),
                     lambda: f(g, x, method="backward")])


@_ng_errors.judge
def _(got, reference, seed):
    return all_value_errors(got, _BAD_NUMERICAL)


# -- relative_error ------------------------------------------------------------------------
def _pairs(seed):
    """Pairs (a, b) of several shapes: close values, far values, opposite signs, some zeros."""
    rng = generator(seed, 200)
    pairs = []
    for shape in [(9,), (4, 5), (2, 3, 4)]:
        a = rng.normal(0, 1, shape) * 10.0 ** rng.uniform(-3, 3, shape)
        b = a * (1 + rng.normal(0, 1, shape) * 10.0 ** rng.uniform(-9, 0, shape))
        b.flat[0], b.flat[1] = -a.flat[1], 0.0
        pairs.append((a, b))
    return pairs


def _expected_relative(a, b):
    scale = np.maximum(np.abs(a), np.abs(b))
    return np.divide(np.abs(a - b), scale, out=np.zeros_like(scale), where=scale > 0)


@check("relative_error", "|a - b| / max(|a|, |b|) element by element on random pairs of several shapes")
def _re_values(student, seed):
    return [student.relative_error(a, b) for a, b in _pairs(seed)]


@_re_values.judge
def _(got, reference, seed):
    pairs = _pairs(seed)
    problem = _count_problem(got, len(pairs), "results")
    if problem:
        return problem
    for (a, b), value in zip(pairs, got):
        problem = _array_problem(value, a.shape, f"shape {a.shape}")
        if problem:
            return problem
        expected = _expected_relative(a, b)
        if not np.allclose(value, expected, rtol=1e-12, atol=0):
            k = int(np.argmax(np.abs(value - expected)))
            return (f"shape {a.shape}: a = {a.flat[k]:.6g}, b = {b.flat[k]:.6g} give {value.flat[k]:.6g}, "
                    f"expected {expected.flat[k]:.6g} = |a - b| / max(|a|, |b|)")
    return None


@check("relative_error", "both zero gives exactly 0 (no NaN), equal values give 0, exactly one zero gives 1")
def _re_zeros(student, seed):
    rng = generator(seed, 210)
    a = np.array([0.0, 0.0, 3.5, -2.0, 0.0, 1e-300])
    a[2:4] *= rng.uniform(0.5, 2.0, 2)
    b = np.array([0.0, 0.0, a[2], a[3], 7.0, 0.0])
    return [student.relative_error(a, b), _zero_d_safe(student.relative_error(0.0, 0.0))]


@_re_zeros.judge
def _(got, reference, seed):
    problem = _count_problem(got, 2, "results")
    if problem:
        return problem
    values, scalar = got[0], _restore_0d(got[1])
    problem = _array_problem(values, (6,), "array case", finite=False)
    if problem:
        return problem
    if np.any(np.isnan(values[:2])) or np.isnan(np.asarray(scalar, dtype=float)).any():
        return "both inputs 0 gave NaN: define the relative error as 0 there (both-zero guard)"
    if np.asarray(scalar).shape != () or float(np.asarray(scalar)) != 0.0:
        return f"relative_error(0.0, 0.0) should be a 0-d value 0, got {scalar!r}"
    expected = np.array([0.0, 0.0, 0.0, 0.0, 1.0, 1.0])
    if not np.array_equal(values, expected):
        return f"expected {expected.tolist()} for (0,0), (0,0), equal, equal, (0,7), (1e-300,0); got {values.tolist()}"
    return None


def _invariance_pair(seed):
    """Two (5, 4) arrays that differ by 1e-4 to 1e-3 in every entry.

    The gap is kept away from zero: with a gap of 1e-7 the cancellation in a - b alone changes
    the error in its 9th digit when both are scaled, and a correct answer would fail.
    """
    rng = generator(seed, 220)
    a = rng.normal(size=(5, 4))
    gap = rng.uniform(1e-4, 1e-3, size=(5, 4)) * rng.choice([-1.0, 1.0], size=(5, 4))
    return a, a + gap


@check("relative_error", "symmetric in a and b, and unchanged when both are scaled by 1e-9, 1e9 or -3")
def _re_invariance(student, seed):
    a, b = _invariance_pair(seed)
    return [student.relative_error(a, b), student.relative_error(b, a)] + [
        student.relative_error(s * a, s * b) for s in (1e-9, 1e9, -3.0)]


@_re_invariance.judge
def _(got, reference, seed):
    problem = _count_problem(got, 5, "results")
    if problem:
        return problem
    for i, value in enumerate(got):
        problem = _array_problem(value, (5, 4), f"result {i + 1}")
        if problem:
            return problem
    base = got[0]
    a, b = _invariance_pair(seed)
    if not np.allclose(base, _expected_relative(a, b), rtol=1e-9, atol=0):
        return "the relative error of the unscaled pair is wrong"
    if not np.allclose(got[1], base, rtol=1e-12, atol=0):
        return "relative_error(a, b) differs from relative_error(b, a): use a denominator symmetric in a and b"
    for scale, value in zip((1e-9, 1e9, -3.0), got[2:]):
        if not np.allclose(value, base, rtol=1e-9, atol=0):
            return (f"scaling both inputs by {scale:g} changed the relative error (no additive floor in the "
                    "denominator: it breaks scale invariance for small gradients)")
    return None


@check("relative_error", "a and b are not modified")
def _re_untouched(student, seed):
    a, b = np.array([1.0, -2.0, 3.0]), np.array([1.5, 0.0, 3.0])
    student.relative_error(a, b)
    return [a, b]


@_re_untouched.judge
def _(got, reference, seed):
    problem = _count_problem(got, 2, "parts")
    if problem:
        return problem
    a, b = got
    if not (isinstance(a, np.ndarray) and np.array_equal(a, [1.0, -2.0, 3.0])
            and isinstance(b, np.ndarray) and np.array_equal(b, [1.5, 0.0, 3.0])):
        return "relative_error modified its inputs"
    return None


@check("relative_error", "a shape mismatch or non-numeric input raises ValueError")
def _re_errors(student, seed):
    f = student.relative_error
    return outcomes([lambda: f(np.ones(3), np.ones(4)), lambda: f(np.ones((2, 3)), np.ones((3, 2))),
                     lambda: f("abc", "abd")])


@_re_errors.judge
def _(got, reference, seed):
    return all_value_errors(got, ["shapes (3,) and (4,)", "shapes (2, 3) and (3, 2)", wrong_type("strings")])


# -- verdict ------------------------------------------------------------------------------
_BANDS = [(-12.0, -7.0, "ok", "ok"), (-7.0, -4.0, "suspicious", "ok"),
          (-4.0, -2.0, "suspicious", "suspicious"), (-2.0, 0.3, "wrong", "wrong")]


def _band_values(seed):
    """Log-uniform errors strictly inside each band, several per band."""
    rng = generator(seed, 300)
    cases = []
    for lo, hi, smooth, kinked in _BANDS:
        for exponent in rng.uniform(lo + 0.05, hi - 0.05, size=4):
            cases.append((float(10.0 ** exponent), smooth, kinked))
    return cases


def _labels_problem(got, expected, what):
    problem = _count_problem(got, len(expected), "verdicts")
    if problem:
        return problem
    for value, (label, right) in zip(got, expected):
        if not isinstance(value, str):
            return f"{what}: the verdict must be a string, got {type(value).__name__}"
        if value != right:
            return f"{what}: {label} should be {right!r}, got {value!r}"
    return None


@check("verdict", "errors inside each band: ok below 1e-7, ok/suspicious up to 1e-4 (with/without kinks), "
                  "suspicious up to 1e-2, wrong above")
def _vd_bands(student, seed):
    return [[student.verdict(err, has_kinks=k) for err, _, _ in _band_values(seed)] for k in (False, True)]


@_vd_bands.judge
def _(got, reference, seed):
    problem = _count_problem(got, 2, "lists of verdicts")
    if problem:
        return problem
    cases = _band_values(seed)
    smooth = [(f"err = {err:.3g} without kinks", s) for err, s, _ in cases]
    kinked = [(f"err = {err:.3g} with kinks", k) for err, _, k in cases]
    return _labels_problem(got[0], smooth, "no kinks") or _labels_problem(got[1], kinked, "with kinks")


_EDGES = [(1e-7, False, "suspicious"), (1e-7, True, "ok"), (1e-4, False, "suspicious"), (1e-4, True, "suspicious"),
          (1e-2, False, "wrong"), (1e-2, True, "wrong"), (0.0, False, "ok"), (9.99e-8, False, "ok"),
          (2.0, True, "wrong")]


@check("verdict", "band edges belong to the band above: 1e-7, 1e-4 and 1e-2 exactly; 0 is ok")
def _vd_edges(student, seed):
    return [student.verdict(err, has_kinks=k) for err, k, _ in _EDGES]


@_vd_edges.judge
def _(got, reference, seed):
    return _labels_problem(got, [(f"err = {e:g}{' with kinks' if k else ''}", v) for e, k, v in _EDGES], "edges")


@check("verdict", "NaN and infinity are 'wrong' (a NaN means the check itself broke), with or without kinks")
def _vd_nan(student, seed):
    return [student.verdict(value, has_kinks=k) for value in (float("nan"), float("inf"), np.float64("nan"))
            for k in (False, True)]


@_vd_nan.judge
def _(got, reference, seed):
    labels = [(f"{v}{' with kinks' if k else ''}", "wrong") for v in ("nan", "inf", "np.float64 nan") for k in (0, 1)]
    return _labels_problem(got, labels, "non-finite errors")


_BAD_VERDICT = ["rel_err = -1e-9", wrong_type("rel_err = '1e-3'"), wrong_type("rel_err = None"),
                wrong_type("rel_err = [1e-3, 1e-5]")]


@check("verdict", "a negative or non-numeric rel_err raises ValueError")
def _vd_errors(student, seed):
    f = student.verdict
    return outcomes([lambda: f(-1e-9), lambda: f("1e-3"), lambda: f(None), lambda: f([1e-3, 1e-5])])


@_vd_errors.judge
def _(got, reference, seed):
    return all_value_errors(got, _BAD_VERDICT)


# -- kink_crossed ----------------------------------------------------------------------------
def _near_kink(seed, i):
    rng = generator(seed, 400 + i)
    h = float(10.0 ** rng.uniform(-7, -3))
    shape = [(50,), (8, 9), (3, 4, 5)][i]
    return rng.uniform(-3 * h, 3 * h, shape), h


@check("kink_crossed", "inputs within a few h of 0 (several shapes): True exactly where (z + h > 0) != (z - h > 0)")
def _kc_random(student, seed):
    return [student.kink_crossed(*_near_kink(seed, i)) for i in range(3)]


def _bool_problem(got, expected, label):
    if isinstance(got, bool) and expected.shape == ():
        got = np.array(got)      # a NumPy bool comes back from the sandbox as a Python bool
    if not isinstance(got, np.ndarray) or got.dtype != np.bool_ or got.shape != expected.shape:
        return (f"{label}: expected a boolean array of shape {expected.shape}, got "
                f"{type(got).__name__} {getattr(got, 'shape', '')} {getattr(got, 'dtype', '')}")
    if not np.array_equal(got, expected):
        return f"{label}: {int(np.sum(got != expected))} of {expected.size} entries are wrong"
    return None


@_kc_random.judge
def _(got, reference, seed):
    problem = _count_problem(got, 3, "results")
    if problem:
        return problem
    for i, value in enumerate(got):
        z, h = _near_kink(seed, i)
        problem = _bool_problem(value, (z + h > 0) != (z - h > 0), f"h = {h:.3g}, shape {z.shape}")
        if problem:
            return problem
    return None


_KINK_CASES = [(-1e-6, 1e-5, True), (-1.0, 1e-5, False), (1e-5, 1e-5, True), (-1e-5, 1e-5, False),
               (0.0, 0.0, False), (0.0, 1e-5, True), (5e-6, 1e-5, True), (3.0, 1e-5, False), (-2e-5, 1e-5, False)]


@check("kink_crossed", "the course's example z = -1e-6, h = 1e-5 crosses; z = -1 does not; z = h crosses, "
                       "z = -h does not; h = 0 never crosses")
def _kc_cases(student, seed):
    z = np.array([c[0] for c in _KINK_CASES])
    h = np.array([c[1] for c in _KINK_CASES])
    return [student.kink_crossed(z, h), _zero_d_safe(student.kink_crossed(-1e-6, 1e-5)),
            student.kink_crossed(generator(seed, 410).normal(size=20), 0.0)]


@_kc_cases.judge
def _(got, reference, seed):
    problem = _count_problem(got, 3, "results")
    if problem:
        return problem
    vector, scalar, zero_step = got[0], _restore_0d(got[1]), got[2]
    expected = np.array([c[2] for c in _KINK_CASES])
    if not isinstance(vector, np.ndarray) or vector.shape != expected.shape or vector.dtype != np.bool_:
        return "expected a boolean array with one entry per input"
    for (z, h, right), value in zip(_KINK_CASES, vector):
        if bool(value) != right:
            return f"z = {z:g}, h = {h:g}: expected {right}, got {bool(value)}"
    problem = _bool_problem(scalar, np.array(True), "z = -1e-6, h = 1e-5 as scalars (0-d result)")
    return problem or _bool_problem(zero_step, np.zeros(20, dtype=bool), "h = 0")


def _shifts(seed):
    rng = generator(seed, 420)
    X = rng.normal(size=(6, 4))
    z = rng.normal(0, 1e-4, size=(6, 5))
    return z, X, 1e-4


@check("kink_crossed", "h broadcasts against z: one shift per row or per entry (a first-layer weight moves "
                       "column j of Z by h * |X[:, i]|)")
def _kc_broadcast(student, seed):
    z, X, h = _shifts(seed)
    per_row = h * np.abs(X[:, :1])                     # (6, 1)
    per_column = np.linspace(0, 2 * h, 5)              # (5,)
    return [student.kink_crossed(z, per_row), student.kink_crossed(z, per_column),
            student.kink_crossed(z[:, 2], h * np.abs(X[:, 1]))]


@_kc_broadcast.judge
def _(got, reference, seed):
    problem = _count_problem(got, 3, "results")
    if problem:
        return problem
    z, X, h = _shifts(seed)
    cases = [(z, h * np.abs(X[:, :1]), "h of shape (6, 1)"), (z, np.linspace(0, 2 * h, 5), "h of shape (5,)"),
             (z[:, 2], h * np.abs(X[:, 1]), "z and h of shape (6,)")]
    for value, (zz, hh, label) in zip(got, cases):
        problem = _bool_problem(value, (zz + hh > 0) != (zz - hh > 0), label)
        if problem:
            return problem
    return None


_BAD_KINK = ["h = -1e-5", "h = nan", "h = inf", "an entry of h negative", "shapes (3,) and (4,)"]


@check("kink_crossed", "a negative or non-finite h, or shapes that do not broadcast, raise ValueError")
def _kc_errors(student, seed):
    f = student.kink_crossed
    z = np.zeros(3)
    return outcomes([lambda: f(z, -1e-5), lambda: f(z, float("nan")), lambda: f(z, float("inf")),
                     lambda: f(z, np.array([1e-5, -1e-5, 1e-5])), lambda: f(z, np.ones(4))])


@_kc_errors.judge
def _(got, reference, seed):
    return all_value_errors(got, _BAD_KINK)


# -- networks shared by grad_check and mlp_loss_and_grads ------------------------------------
# The judges run where the student's nnlib is not (and need not be) importable, so the
# networks are built and differentiated here, with NumPy alone, in nnlib.mlp's layout.
def _init_params(sizes, rng):
    """Weights N(0, 1) drawn in the order W1, W2, ... and zero biases."""
    params = {}
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        params[f"W{l}"] = rng.standard_normal((n_in, n_out))
        params[f"b{l}"] = np.zeros(n_out)
    return params


def _loss_and_grads(params, X, y, activation="relu"):
    """Mean softmax cross-entropy of the network and its exact gradients (the judges' own backward pass)."""
    layers = len(params) // 2
    A, inputs, pre = X, [], []
    for l in range(1, layers + 1):
        inputs.append(A)
        Z = A @ params[f"W{l}"] + params[f"b{l}"]
        if l < layers:
            pre.append(Z)
            A = np.tanh(Z) if activation == "tanh" else np.maximum(Z, 0.0)
    rows = np.arange(len(y))
    shifted = Z - Z.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(shifted).sum(axis=1))
    loss = float(np.mean(log_norm - shifted[rows, y]))
    dZ = np.exp(shifted - log_norm[:, None])
    dZ[rows, y] -= 1.0
    dZ /= len(y)
    grads = {}
    for l in range(layers, 0, -1):
        grads[f"W{l}"] = inputs[l - 1].T @ dZ
        grads[f"b{l}"] = dZ.sum(axis=0)
        if l > 1:
            below = pre[l - 2]
            slope = 1.0 - np.tanh(below) ** 2 if activation == "tanh" else (below > 0).astype(float)
            dZ = (dZ @ params[f"W{l}"].T) * slope
    return loss, {k: grads[k] for k in params}


def _net(seed, stream, sizes=None, n=None):
    """A small network with non-zero biases and a batch of data for it."""
    rng = generator(seed, 500 + stream)
    sizes = sizes or [int(rng.integers(3, 6)), int(rng.integers(3, 7)), int(rng.integers(2, 4))]
    params = _init_params(sizes, rng)
    for name in params:
        if name.startswith("b"):
            params[name] = rng.normal(0, 0.5, params[name].shape)
    n = n or int(rng.integers(3, 7))
    X = rng.normal(size=(n, sizes[0]))
    y = rng.integers(0, sizes[-1], size=n)
    return params, X, y


def _tanh_loss(X, y, lam):
    """Mean softmax cross-entropy of a tanh network plus lam/(2N) sum ||W||^2: smooth, no kinks."""
    n = len(y)

    def loss(params):
        value, _ = _loss_and_grads(params, X, y, "tanh")
        return value + lam / (2 * n) * sum(float(np.sum(params[k] ** 2)) for k in params if k[0] == "W")

    def grads(params):
        _, g = _loss_and_grads(params, X, y, "tanh")
        return {k: g[k] + (lam / n * params[k] if k[0] == "W" else 0.0) for k in params}

    return loss, grads


def _all_errors(loss, params, grads, h=1e-5):
    """Relative error of every coordinate of every tensor (the judge's full check)."""
    errors = {}
    for name, value in params.items():
        numeric = np.zeros(value.shape)
        for index in np.ndindex(value.shape):
            moved = {k: v.copy() for k, v in params.items()}
            moved[name][index] = params[name][index] + h
            plus = loss(moved)
            moved[name][index] = params[name][index] - h
            numeric[index] = (plus - loss(moved)) / (2 * h)
        errors[name] = _expected_relative(np.asarray(grads[name], dtype=float), numeric).ravel()
    return errors


def _report_problem(report, params, label):
    """Why ``report`` is not a dict of finite floats with the keys of ``params`` in order, or None."""
    if not isinstance(report, dict):
        return f"{label}: grad_check must return a dict, got {type(report).__name__}"
    if list(report) != list(params):
        return f"{label}: expected the keys {list(params)} in that order, got {list(report)}"
    for name, value in report.items():
        if not isinstance(value, float) or not math.isfinite(value) or not 0 <= value <= 2:
            return f"{label}: the error of {name!r} must be a float in [0, 2], got {value!r}"
    return None


def _matches_some(value, errors):
    """Whether ``value`` is (to round-off) the error of one of the coordinates."""
    return bool(np.any(np.abs(errors - value) <= 1e-6 * errors + 1e-11))


# -- grad_check ---------------------------------------------------------------------------------
def _smooth_dict(seed):
    """A loss on a dict of arbitrary shapes (not a network), with its exact gradients."""
    rng = generator(seed, 600)
    params = {"kernel": rng.normal(size=(2, 3, 2)), "scale": rng.normal(size=(5,)), "offset": rng.normal(size=(1,))}
    c = rng.normal(size=(2, 3, 2))

    def loss(p):
        return float(np.sum(c * np.sin(p["kernel"])) + 0.5 * np.sum(p["scale"] ** 2) * p["offset"][0] ** 2)

    def grads(p):
        return {"kernel": c * np.cos(p["kernel"]), "scale": p["scale"] * p["offset"][0] ** 2,
                "offset": np.array([np.sum(p["scale"] ** 2) * p["offset"][0]])}

    return params, loss, grads


def _correct_cases(seed):
    cases = []
    for i in range(3):
        params, X, y = _net(seed, i)
        loss, grads = _tanh_loss(X, y, lam=float(generator(seed, 610 + i).uniform(0, 2)))
        cases.append((params, loss, grads(params)))
    params, loss, grads = _smooth_dict(seed)
    cases.append((params, loss, grads(params)))
    return cases


@check("grad_check", "correct gradients (tanh networks with L2, and a dict of other shapes): every tensor's "
                     "worst error is below 1e-7 and is the error of one of its coordinates")
def _gc_correct(student, seed):
    return [student.grad_check(loss, params, grads, n_per_param=4, rng=generator(seed, 620 + i))
            for i, (params, loss, grads) in enumerate(_correct_cases(seed))]


@_gc_correct.judge
def _(got, reference, seed):
    cases = _correct_cases(seed)
    problem = _count_problem(got, len(cases), "reports")
    if problem:
        return problem
    for i, (report, (params, loss, grads)) in enumerate(zip(got, cases)):
        label = f"case {i + 1}"
        problem = _report_problem(report, params, label)
        if problem:
            return problem
        errors = _all_errors(loss, params, grads)
        for name, value in report.items():
            # A tiny true gradient can give a correct centered check an error above 1e-7; a report
            # above the worst centered error of the tensor cannot come from centered differences.
            if value >= 1e-7 and value > 1.01 * float(np.max(errors[name])) + 1e-11:
                return f"{label}: correct gradients, yet {name!r} reports {value:.3g} (>= 1e-7): is the difference centered?"
            if not _matches_some(value, errors[name]):
                return f"{label}: {name!r} reports {value:.3g}, which is not the relative error of any of its coordinates"
    return None


def _planted(seed):
    """Three networks with one planted bug each: (params, loss, buggy grads, names of the buggy tensors)."""
    cases = []
    # 1. bias gradients averaged over the batch instead of summed (the loss already has the 1/N)
    params, X, y = _net(seed, 10, n=6)
    loss, grads = _tanh_loss(X, y, 0.0)
    buggy = grads(params)
    buggy["b1"], buggy["b2"] = buggy["b1"] / len(y), buggy["b2"] / len(y)
    cases.append((params, loss, buggy, {"b1", "b2"}))
    # 2. the L2 term lam/N * W missing from dW1 only (large lam, so it dominates)
    params, X, y = _net(seed, 11)
    loss, grads = _tanh_loss(X, y, 30.0)
    buggy = grads(params)
    buggy["W1"] = buggy["W1"] - 30.0 / len(y) * params["W1"]
    cases.append((params, loss, buggy, {"W1"}))
    # 3. the output bias gradient has the wrong sign
    params, X, y = _net(seed, 12)
    loss, grads = _tanh_loss(X, y, 0.5)
    buggy = grads(params)
    buggy["b2"] = -buggy["b2"]
    cases.append((params, loss, buggy, {"b2"}))
    return cases


@check("grad_check", "planted bugs (bias gradients averaged, L2 term missing from dW1, sign of db2), every "
                     "entry checked: the worst error of each tensor, above 1e-2 exactly on the buggy tensors")
def _gc_planted(student, seed):
    return [student.grad_check(loss, params, grads, n_per_param=10_000, rng=generator(seed, 630 + i))
            for i, (params, loss, grads, _) in enumerate(_planted(seed))]


@_gc_planted.judge
def _(got, reference, seed):
    cases = _planted(seed)
    problem = _count_problem(got, len(cases), "reports")
    if problem:
        return problem
    for i, (report, (params, loss, grads, buggy)) in enumerate(zip(got, cases)):
        label = f"bug {i + 1}"
        problem = _report_problem(report, params, label)
        if problem:
            return problem
        errors = _all_errors(loss, params, grads)
        for name, value in report.items():
            worst = float(errors[name].max())
            if abs(value - worst) > 1e-6 * worst + 1e-11:
                return (f"{label}: with n_per_param larger than every tensor, {name!r} should report its worst "
                        f"error {worst:.4g}, got {value:.4g} (check every entry, each once, and keep the maximum)")
        flagged = {name for name, value in report.items() if value >= 1e-2}
        if flagged != buggy:
            return f"{label}: flagged {sorted(flagged)}, the bug is in {sorted(buggy)}"
    return None


def _noisy_case(seed):
    """Gradients with a distinct error on every coordinate, so each coordinate can be recognised."""
    params, X, y = _net(seed, 20, sizes=[3, 4, 3], n=4)
    loss, grads = _tanh_loss(X, y, 0.1)
    rng = generator(seed, 640)
    noisy = {k: v * (1 + rng.uniform(0.05, 0.9, v.shape)) for k, v in grads(params).items()}
    return params, loss, noisy


# A correct sampler reports the same value for all 25 generators only if it drew the same
# worst coordinate every time. For a tensor of k >= 3 entries with distinct errors and 2 draws
# per call, the most likely worst coordinate has probability at most 2/3 (k = 3): the chance
# of 25 identical reports is below (2/3)^25 + (1/3)^25 < 4e-5 for k = 3, and below
# (1/2)^25 < 3e-8 for k >= 4. Only b2 has k = 3; the check requires variety in the tensors
# with k >= 4 (W1: 12, b1: 4, W2: 12), so a correct answer fails with probability < 1e-7.
_DRAWS = 25


@check("grad_check", "with 2 entries per tensor, every reported error is that of one of the tensor's "
                     "coordinates, and 25 generators do not always pick the same coordinates")
def _gc_sampling(student, seed):
    params, loss, noisy = _noisy_case(seed)
    return [student.grad_check(loss, params, noisy, n_per_param=2, rng=generator(seed, 700 + r))
            for r in range(_DRAWS)]


@_gc_sampling.judge
def _(got, reference, seed):
    problem = _count_problem(got, _DRAWS, "reports")
    if problem:
        return problem
    params, loss, noisy = _noisy_case(seed)
    errors = _all_errors(loss, params, noisy)
    for r, report in enumerate(got):
        problem = _report_problem(report, params, f"generator {r + 1}")
        if problem:
            return problem
        for name, value in report.items():
            if not _matches_some(value, errors[name]):
                return f"generator {r + 1}: {name!r} reports {value:.4g}, the error of none of its coordinates"
            if value > errors[name].max() * (1 + 1e-6) or value < np.sort(errors[name])[1] * (1 - 1e-6):
                return (f"generator {r + 1}: {name!r} reports {value:.4g}, which cannot be the worst of 2 "
                        "distinct entries")
    for name in ("W1", "b1", "W2"):
        if len({round(report[name], 12) for report in got}) == 1:
            return f"{name!r} reported the same error for all {_DRAWS} generators: draw the entries with rng"
    return None


@check("grad_check", "params hold their original values bit for bit afterwards, grads are untouched, and "
                     "loss_fn is evaluated at most twice per checked entry (plus once)")
def _gc_restore(student, seed):
    params, X, y = _net(seed, 30)
    for name in params:
        params[name] = params[name] * 1.37 + 0.01     # entries whose sums with h do not round back
    loss, grads = _tanh_loss(X, y, 0.3)
    g = grads(params)
    calls = [0]

    def counting(p):
        calls[0] += 1
        return loss(p)

    report = student.grad_check(counting, params, g, n_per_param=3, rng=generator(seed, 800))
    return [params, g, calls[0], report]


@_gc_restore.judge
def _(got, reference, seed):
    problem = _count_problem(got, 4, "parts")
    if problem:
        return problem
    after, g_after, calls, report = got
    params, X, y = _net(seed, 30)
    for name in params:
        params[name] = params[name] * 1.37 + 0.01
    _, grads = _tanh_loss(X, y, 0.3)
    problem = _report_problem(report, params, "report")
    if problem:
        return problem
    if not isinstance(after, dict) or set(after) != set(params):
        return "params came back with other keys"
    for name, value in params.items():
        if not isinstance(after[name], np.ndarray) or not np.array_equal(after[name], value):
            return (f"params[{name!r}] changed during the check: save each entry and write the saved value "
                    "back (x + h - h is not always x in floating point)")
    expected = grads(params)
    if not isinstance(g_after, dict) or set(g_after) != set(expected) or not all(
            isinstance(g_after[k], np.ndarray) and np.array_equal(g_after[k], expected[k]) for k in expected):
        return "grad_check modified grads"
    checked = sum(min(3, v.size) for v in params.values())
    if not isinstance(calls, int) or calls > 2 * checked + 1:
        return f"loss_fn was called {calls} times for {checked} checked entries; two calls per entry are enough"
    return None


_BAD_GRADCHECK = ["grads without b2", "grads['W1'] transposed", "n_per_param = 0", "h = 0", wrong_type("rng = None"),
                  wrong_type("params['W1'] float32")]


@check("grad_check", "bad arguments raise ValueError")
def _gc_errors(student, seed):
    params, X, y = _net(seed, 40, sizes=[3, 4, 2])
    loss, grads = _tanh_loss(X, y, 0.0)
    g = grads(params)
    f = student.grad_check
    rng = generator(seed, 900)
    missing = {k: v for k, v in g.items() if k != "b2"}
    transposed = {**g, "W1": g["W1"].T.copy()}
    single = {**params, "W1": params["W1"].astype(np.float32)}
    return outcomes([lambda: f(loss, params, missing, rng=rng), lambda: f(loss, params, transposed, rng=rng),
                     lambda: f(loss, params, g, n_per_param=0, rng=rng), lambda: f(loss, params, g, h=0.0, rng=rng),
                     lambda: f(loss, params, g, rng=None), lambda: f(loss, single, g, rng=rng)])


@_gc_errors.judge
def _(got, reference, seed):
    return all_value_errors(got, _BAD_GRADCHECK)


# -- mlp_loss_and_grads --------------------------------------------------------------------------
def _grads_problem(got, expected, label, *, rtol=1e-9, atol=1e-12):
    if not isinstance(got, dict) or set(got) != set(expected):
        keys = sorted(got) if isinstance(got, dict) else type(got).__name__
        return f"{label}: grads must have the keys {sorted(expected)}, got {keys}"
    for name in expected:
        problem = _array_problem(got[name], expected[name].shape, f"{label}: grads[{name!r}]")
        if problem:
            return problem
        if not np.allclose(got[name], expected[name], rtol=rtol, atol=atol):
            return f"{label}: grads[{name!r}] differs from the gradient of the loss"
    return None


def _pair_problem(got, label):
    if not isinstance(got, (list, tuple)) or len(got) != 2:
        return f"{label}: expected (loss, grads), got {type(got).__name__}"
    return _number_problem(got[0], f"{label}: loss")


def _relu_net(seed, stream):
    params, X, y = _net(seed, 50 + stream)
    return params, X, y


@check("mlp_loss_and_grads", "lam = 0 and keep_prob = 1: loss and gradients of nnlib.mlp's ReLU network")
def _ml_plain(student, seed):
    return [student.mlp_loss_and_grads(*_relu_net(seed, i)) for i in range(3)]


@_ml_plain.judge
def _(got, reference, seed):
    problem = _count_problem(got, 3, "results")
    if problem:
        return problem
    for i, pair in enumerate(got):
        label = f"network {i + 1}"
        problem = _pair_problem(pair, label)
        if problem:
            return problem
        params, X, y = _relu_net(seed, i)
        loss, grads = _loss_and_grads(params, X, y)
        if not math.isclose(pair[0], loss, rel_tol=1e-10, abs_tol=1e-12):
            return f"{label}: loss {pair[0]:.8g}, expected the mean cross-entropy {loss:.8g}"
        problem = _grads_problem(pair[1], grads, label)
        if problem:
            return problem
    return None


def _lam(seed, i):
    return float(generator(seed, 60 + i).uniform(0.5, 5.0))


@check("mlp_loss_and_grads", "with L2: the loss adds lam/(2N) (||W1||^2 + ||W2||^2), dW adds lam/N W, "
                             "biases unpenalized")
def _ml_l2(student, seed):
    return [student.mlp_loss_and_grads(*_relu_net(seed, 10 + i), lam=_lam(seed, i)) for i in range(3)]


@_ml_l2.judge
def _(got, reference, seed):
    problem = _count_problem(got, 3, "results")
    if problem:
        return problem
    for i, pair in enumerate(got):
        lam = _lam(seed, i)
        label = f"network {i + 1}, lam = {lam:.3g}"
        problem = _pair_problem(pair, label)
        if problem:
            return problem
        params, X, y = _relu_net(seed, 10 + i)
        n = len(y)
        loss, grads = _loss_and_grads(params, X, y)
        loss += lam / (2 * n) * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
        grads = {k: g + (lam / n * params[k] if k[0] == "W" else 0.0) for k, g in grads.items()}
        if not math.isclose(pair[0], loss, rel_tol=1e-10, abs_tol=1e-12):
            return f"{label}: loss {pair[0]:.8g}, expected data loss + penalty = {loss:.8g}"
        problem = _grads_problem(pair[1], grads, label)
        if problem:
            return problem
    return None


def _dropout_case(seed, i):
    params, X, y = _relu_net(seed, 20 + i)
    rng = generator(seed, 70 + i)
    return params, X, y, float(rng.uniform(0, 2)), float(rng.uniform(0.3, 0.9)), int(rng.integers(0, 2**31))


@check("mlp_loss_and_grads", "with dropout: the mask is (default_rng(seed).random(A1.shape) < keep_prob) / keep_prob, "
                             "the same seed gives the same loss, keep_prob = 1 ignores the seed")
def _ml_dropout(student, seed):
    result = []
    for i in range(3):
        params, X, y, lam, keep, s = _dropout_case(seed, i)
        first = student.mlp_loss_and_grads(params, X, y, lam=lam, keep_prob=keep, seed=s)
        again = student.mlp_loss_and_grads(params, X, y, lam=lam, keep_prob=keep, seed=s)[0]
        result.append([first, again])
    params, X, y, lam, _, s = _dropout_case(seed, 0)
    result.append([student.mlp_loss_and_grads(params, X, y, lam=lam, keep_prob=1.0, seed=s)[0],
                   student.mlp_loss_and_grads(params, X, y, lam=lam, keep_prob=1.0)[0]])
    return result


@_ml_dropout.judge
def _(got, reference, seed):
    problem = _count_problem(got, 4, "results")
    if problem:
        return problem
    for i in range(3):
        params, X, y, lam, keep, s = _dropout_case(seed, i)
        label = f"network {i + 1}, keep_prob = {keep:.2f}"
        part = got[i]
        problem = _count_problem(part, 2, "results") or _pair_problem(part[0], label) or _number_problem(part[1], label)
        if problem:
            return problem
        loss, grads = reference.mlp_loss_and_grads(params, X, y, lam=lam, keep_prob=keep, seed=s)
        if not math.isclose(part[0][0], loss, rel_tol=1e-10, abs_tol=1e-12):
            return (f"{label}: loss {part[0][0]:.8g}, expected {loss:.8g} (mask drawn once with "
                    "default_rng(seed).random(A1.shape), kept units divided by keep_prob)")
        if part[1] != part[0][0]:
            return f"{label}: the same seed gave two different losses"
        problem = _grads_problem(part[0][1], grads, label)
        if problem:
            return problem + " (the backward pass must reuse the forward mask)"
    with_seed, without = got[3]
    problem = _number_problem(with_seed, "keep_prob = 1") or _number_problem(without, "keep_prob = 1")
    if problem:
        return problem
    params, X, y, lam, _, _ = _dropout_case(seed, 0)
    expected = reference.mlp_loss_and_grads(params, X, y, lam=lam)[0]
    if not (math.isclose(with_seed, expected, rel_tol=1e-10) and math.isclose(without, expected, rel_tol=1e-10)):
        return "keep_prob = 1 must mean no dropout, with or without a seed"
    return None


def _direction(params, seed):
    rng = generator(seed, 80)
    d = {k: rng.normal(size=v.shape) for k, v in params.items()}
    norm = math.sqrt(sum(float(np.sum(v ** 2)) for v in d.values()))
    return {k: v / norm for k, v in d.items()}


@check("mlp_loss_and_grads", "the gradients agree with centered differences of the function's own loss "
                             "(lam > 0, dropout with a fixed seed), along 4 random directions")
def _ml_consistent(student, seed):
    params, X, y, lam, keep, s = _dropout_case(seed, 5)
    _, grads = student.mlp_loss_and_grads(params, X, y, lam=lam, keep_prob=keep, seed=s)
    values = []
    for j in range(4):
        d = _direction(params, seed + j)
        for sign in (1, -1):
            moved = {k: params[k] + sign * 1e-5 * d[k] for k in params}
            values.append(student.mlp_loss_and_grads(moved, X, y, lam=lam, keep_prob=keep, seed=s)[0])
    return [grads, values, params]


@_ml_consistent.judge
def _(got, reference, seed):
    problem = _count_problem(got, 3, "parts")
    if problem:
        return problem
    grads, values, after = got
    params, X, y, lam, keep, s = _dropout_case(seed, 5)
    problem = _count_problem(values, 8, "loss values")
    if problem:
        return problem
    if not all(isinstance(v, float) and math.isfinite(v) for v in values):
        return "every loss must be a finite float"
    if not isinstance(grads, dict) or set(grads) != set(params):
        return f"grads must have the keys {sorted(params)}"
    for name in params:
        problem = _array_problem(grads[name], params[name].shape, f"grads[{name!r}]")
        if problem:
            return problem
    if not isinstance(after, dict) or not all(np.array_equal(after.get(k), v) for k, v in params.items()):
        return "mlp_loss_and_grads modified params"
    for j in range(4):
        d = _direction(params, seed + j)
        numeric = (values[2 * j] - values[2 * j + 1]) / 2e-5
        analytic = sum(float(np.sum(grads[k] * d[k])) for k in params)
        if abs(numeric - analytic) > 1e-6 * max(abs(numeric), abs(analytic)) + 1e-9:
            return (f"direction {j + 1}: the loss changes at rate {numeric:.8g}, the gradients say {analytic:.8g}: "
                    "the gradients do not belong to the loss (penalty in both? same mask in both passes?)")
    return None


_BAD_MLP = ["keep_prob = 0", "keep_prob = 1.5", "lam = -1", wrong_type("keep_prob = 0.5 without a seed"), "a 3-layer network"]


@check("mlp_loss_and_grads", "bad arguments raise ValueError")
def _ml_errors(student, seed):
    params, X, y = _relu_net(seed, 30)
    deep = _init_params([X.shape[1], 3, 3, 2], generator(seed, 90))
    f = student.mlp_loss_and_grads
    return outcomes([lambda: f(params, X, y, keep_prob=0.0, seed=1), lambda: f(params, X, y, keep_prob=1.5, seed=1),
                     lambda: f(params, X, y, lam=-1.0), lambda: f(params, X, y, keep_prob=0.5),
                     lambda: f(deep, X, y % 2)])


@_ml_errors.judge
def _(got, reference, seed):
    return all_value_errors(got, _BAD_MLP)


# -- mutants: plausible wrong implementations, each must lose points -------------------------------
SUITE.mutants = [
    Mutant("numerical_gradient", "forward_difference", "uses the forward difference for the default method",
           "            x[index] = saved - h\n            f_minus = float(f(x))\n"
           "            grad[index] = (f_plus - f_minus) / (2 * h)",
           "            x[index] = saved\n            grad[index] = (f_plus - float(f(x))) / h",
           student="uses the forward difference where the centered difference is the default",
           section="ch05-numerical-gradient"),
    Mutant("numerical_gradient", "not_restored", "never writes the saved value back, so later entries see a moved x",
           "            grad[index] = (f_plus - f_x) / h\n        x[index] = saved\n",
           "            grad[index] = (f_plus - f_x) / h\n",
           student="never puts the saved value back, so later entries are estimated at a moved x",
           section="ch05-numerical-gradient"),
    Mutant("numerical_gradient", "restored_by_arithmetic", "undoes the step by adding h back instead of restoring "
           "the saved value (x + h - h is not always x)",
           "        x[index] = saved\n    return grad", "        x[index] = x[index] + h\n    return grad",
           student="undoes each step by arithmetic instead of restoring the saved value, which is not always exact in floating point",
           section="ch05-numerical-gradient"),
    Mutant("numerical_gradient", "float32_silently", "stores the estimates in a float32 array",
           "grad = np.zeros(x.shape, dtype=np.float64)", "grad = np.zeros(x.shape, dtype=np.float32)",
           student="stores the estimates in a float32 array, losing precision",
           section="ch05-numerical-gradient"),
    Mutant("numerical_gradient", "one_sided_denominator", "divides the centered difference by h instead of 2h",
           "grad[index] = (f_plus - f_minus) / (2 * h)", "grad[index] = (f_plus - f_minus) / h",
           student="divides the centered difference by h instead of 2h",
           section="ch05-numerical-gradient"),
    Mutant("relative_error", "no_both_zero_guard", "divides by max(|a|, |b|) even where both are 0 (NaN)",
           "return np.where(both_zero, 0.0, difference / np.where(both_zero, 1.0, scale))",
           "return difference / scale",
           student="divides by zero (giving NaN) where both values are 0",
           section="ch05-relative-error"),
    Mutant("relative_error", "one_side_denominator", "divides by |a| only (asymmetric)",
           "scale = np.maximum(np.abs(a), np.abs(b))", "scale = np.abs(a)",
           student="divides by the size of one value only, so the error is not symmetric",
           section="ch05-relative-error"),
    Mutant("relative_error", "sum_denominator", "divides by |a| + |b| (another convention, half the values)",
           "scale = np.maximum(np.abs(a), np.abs(b))", "scale = np.abs(a) + np.abs(b)",
           student="divides by the sum of the two sizes instead of the larger one",
           section="ch05-relative-error"),
    Mutant("relative_error", "floored_denominator", "floors the denominator at 1e-8 instead of guarding both-zero",
           "return np.where(both_zero, 0.0, difference / np.where(both_zero, 1.0, scale))",
           "return difference / np.maximum(scale, 1e-8)",
           student="floors the denominator at a small constant, which breaks scale invariance for small gradients",
           section="ch05-relative-error"),
    Mutant("relative_error", "absolute_error", "returns the absolute difference",
           "return np.where(both_zero, 0.0, difference / np.where(both_zero, 1.0, scale))",
           "return difference",
           student="returns the absolute difference instead of the relative one",
           section="ch05-relative-error"),
    Mutant("verdict", "ignores_kinks", "accepts the middle band with or without kinks",
           'return "ok" if has_kinks else "suspicious"', 'return "ok"',
           student="accepts the middle band whether or not kinks were crossed",
           section="ch05-verdict"),
    Mutant("verdict", "other_bands", "uses the bands 1e-7 / 1e-5 / 1e-3 of another source",
           "    if err < 1e-4:\n        return \"ok\" if has_kinks", "    if err < 1e-5:\n        return \"ok\" if has_kinks",
           student="uses band edges from another source instead of the ones in the chapter",
           section="ch05-verdict"),
    Mutant("verdict", "nan_passes", "writes the tests from the top, so NaN falls through to 'ok'",
           '        return "suspicious"\n    return "wrong"',
           '        return "suspicious"\n    return "wrong" if err >= 1e-2 else "ok"',
           student="lets a NaN error fall through to a passing verdict",
           section="ch05-verdict"),
    Mutant("verdict", "inclusive_edges", "puts the band edges in the band below (<= instead of <)",
           "    if err < 1e-7:\n        return \"ok\"", "    if err <= 1e-7:\n        return \"ok\"",
           student="puts the values exactly on a band edge into the band below",
           section="ch05-verdict"),
    Mutant("kink_crossed", "one_sided", "only asks whether z + h lands on the other side of 0 from z",
           "return (z + h > 0) != (z - h > 0)", "return (z + h > 0) != (z > 0)",
           student="only looks at the step to z + h and forgets the step to z - h",
           section="ch05-kink-crossed"),
    Mutant("kink_crossed", "abs_within_h", "tests |z| < h, getting z = h and z = -h the wrong way round",
           "return (z + h > 0) != (z - h > 0)", "return np.abs(z) < h",
           student="tests |z| < h, which gets the points exactly h away from the kink wrong",
           section="ch05-kink-crossed"),
    Mutant("kink_crossed", "twice_h", "thinks the centered step spans 2h either way",
           "return (z + h > 0) != (z - h > 0)", "return (z + 2 * h > 0) != (z - 2 * h > 0)",
           student="thinks the centered step reaches 2h either way",
           section="ch05-kink-crossed"),
    Mutant("kink_crossed", "any_kink", "returns one bool for the whole array",
           "return (z + h > 0) != (z - h > 0)", "return np.bool_(np.any((z + h > 0) != (z - h > 0)))",
           student="returns one bool for the whole array instead of one per entry",
           section="ch05-kink-crossed"),
    Mutant("grad_check", "first_tensor_only", "checks only the first tensor",
           "    for name, value in params.items():\n        analytic",
           "    for name, value in list(params.items())[:1]:\n        analytic",
           student="checks only the first tensor of the network",
           section="ch05-grad-check"),
    Mutant("grad_check", "biases_skipped", "skips the biases (reports 0 for them)",
           "        analytic = np.asarray(grads[name], dtype=np.float64).ravel()\n",
           "        if name.startswith(\"b\"):\n            worst[name] = 0.0\n            continue\n"
           "        analytic = np.asarray(grads[name], dtype=np.float64).ravel()\n",
           student="skips the biases",
           section="ch05-grad-check"),
    Mutant("grad_check", "forward_difference", "uses a forward difference inside the check",
           "numeric = (plus - minus) / (2 * h)", "numeric = (plus - float(loss_fn(params))) / h",
           student="uses a forward difference inside the check",
           section="ch05-grad-check"),
    Mutant("grad_check", "first_entries", "always checks the first entries instead of random ones",
           "chosen = rng.choice(flat.size, size=min(n_per_param, flat.size), replace=False)",
           "chosen = np.arange(min(n_per_param, flat.size))",
           student="always checks the first entries of a tensor instead of entries drawn at random",
           section="ch05-grad-check"),
    Mutant("grad_check", "with_replacement", "draws entries with replacement, so some are checked twice and others never",
           "size=min(n_per_param, flat.size), replace=False)", "size=min(n_per_param, flat.size), replace=True)",
           student="draws the entries to check with replacement, so some are checked twice and others never",
           section="ch05-grad-check"),
    Mutant("grad_check", "mean_not_max", "reports the mean error of the checked entries instead of the worst",
           "worst[name] = float(max(errors))", "worst[name] = float(np.mean(errors))",
           student="reports the mean error of the checked entries instead of the worst one",
           section="ch05-grad-check"),
    Mutant("grad_check", "not_restored", "leaves each entry at x - h after checking it",
           "            flat[i] = saved\n            numeric", "            numeric",
           student="leaves each checked entry moved after checking it",
           section="ch05-grad-check"),
    Mutant("mlp_loss_and_grads", "penalty_missing_in_dW", "adds the L2 term to the loss but not to dW",
           '"W1": X.T @ dZ1 + lam / n * W1,', '"W1": X.T @ dZ1,',
           student="adds the L2 term to the loss but not to the weight gradients",
           section="ch05-mlp-loss-and-grads"),
    Mutant("mlp_loss_and_grads", "biases_penalized", "penalizes the biases as well",
           "penalty = lam / (2 * n) * (float(np.sum(W1 * W1)) + float(np.sum(W2 * W2)))",
           "penalty = lam / (2 * n) * (float(np.sum(W1 * W1)) + float(np.sum(W2 * W2)) + float(np.sum(b1 * b1)))",
           student="penalizes the biases as well as the weights",
           section="ch05-mlp-loss-and-grads"),
    Mutant("mlp_loss_and_grads", "mask_not_reused", "forgets the dropout mask in the backward pass",
           "dZ1 = dD * mask * relu_grad(Z1)", "dZ1 = dD * relu_grad(Z1)",
           student="forgets the dropout mask in the backward pass",
           section="ch05-mlp-loss-and-grads"),
    Mutant("mlp_loss_and_grads", "no_rescale", "drops units without dividing the kept ones by keep_prob",
           "mask = (np.random.default_rng(seed).random(A1.shape) < keep_prob) / keep_prob",
           "mask = (np.random.default_rng(seed).random(A1.shape) < keep_prob) * 1.0",
           student="drops units without dividing the kept ones by keep_prob",
           section="ch05-mlp-loss-and-grads"),
    Mutant("mlp_loss_and_grads", "bias_gradient_averaged", "averages the bias gradient over the batch instead of summing",
           '"b1": dZ1.sum(axis=0),', '"b1": dZ1.mean(axis=0),',
           student="averages the bias gradient over the batch instead of summing it, so it comes out N times too small",
           section="ch05-mlp-loss-and-grads"),
    Mutant("mlp_loss_and_grads", "lam_over_n_value", "uses lam/N instead of lam/(2N) in the loss",
           "penalty = lam / (2 * n) *", "penalty = lam / n *",
           student="uses lam/N instead of lam/(2N) in the loss's penalty term",
           section="ch05-mlp-loss-and-grads"),
]
