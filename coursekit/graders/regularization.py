"""Hidden checks and mutants for chapter 3, ``nnlib.regularization``.

Probes return small plain data: large random masks travel as packed bits
(``np.packbits``), never as float arrays, so the results of the whole suite stay far
below the sandbox's output limit.
"""
from __future__ import annotations

import math

import numpy as np

from ..hidden import CheckSuite
from ..variants import Mutant
from .common import all_value_errors, generator, outcomes, wrong_type

SUITE = CheckSuite("regularization")
check = SUITE.check


# -- shared helpers ---------------------------------------------------------------
def _network(seed, stream, *, zeros=False):
    """Random parameters of a 1- to 3-layer network; with ``zeros``, some weights are exactly 0."""
    rng = generator(seed, stream)
    sizes = [int(s) for s in rng.integers(1, 7, size=int(rng.integers(2, 5)))]
    params = {}
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        W = rng.normal(0.0, rng.uniform(0.3, 3.0), size=(n_in, n_out))
        if zeros:
            W[rng.random(W.shape) < 0.3] = 0.0
        params[f"W{l}"] = W
        params[f"b{l}"] = rng.normal(0.0, 2.0, size=n_out)
    return params


def _strengths(seed, stream):
    rng = generator(seed, 1000 + stream)
    return float(rng.uniform(0.01, 5.0)), int(rng.integers(1, 500))


def _away_from_zero(params, seed, stream):
    """The same shapes with every weight at least 0.1 away from 0 (so |w| is smooth nearby)."""
    rng = generator(seed, 2000 + stream)
    out = {}
    for name, value in params.items():
        signs = np.where(rng.random(value.shape) < 0.5, -1.0, 1.0)
        out[name] = signs * rng.uniform(0.1, 2.0, size=value.shape) if name[0] == "W" else value.copy()
    return out


def _direction(params, seed, stream):
    rng = generator(seed, 3000 + stream)
    return {name: rng.normal(size=np.shape(value)) for name, value in params.items()}


def _shifted(params, direction, h):
    return {name: params[name] + h * direction[name] for name in params}


def _count_problem(got, n, what):
    """Why ``got`` is not a list or tuple of exactly ``n`` items, or None.

    Judges call this before looping or zipping over a result, so that an empty, short or
    overlong result fails instead of passing vacuously.
    """
    if not isinstance(got, (list, tuple)):
        return f"expected a list of {n} {what}, got {type(got).__name__}"
    if len(got) != n:
        return f"expected {n} {what}, got {len(got)}"
    return None


def _array_problem(got, shape, label):
    """Why ``got`` is not a finite numeric array of ``shape``, or None."""
    if not isinstance(got, (np.ndarray, list, tuple)):
        return f"{label}: expected an array of shape {shape}, got {type(got).__name__}"
    value = np.asarray(got)
    if value.dtype.kind not in "biuf" or value.shape != tuple(shape):
        return f"{label}: expected a numeric array of shape {shape}, got shape {value.shape} ({value.dtype})"
    if not np.all(np.isfinite(value)):
        return f"{label}: the array contains NaN or infinity"
    return None


def _grads_form_problem(got, params):
    """Why ``got`` is not a dict of finite arrays with the keys and shapes of ``params``, or None."""
    if not isinstance(got, dict) or set(got) != set(params):
        keys = sorted(got) if isinstance(got, dict) else type(got).__name__
        return f"grads must have the keys {sorted(params)}, got {keys}"
    return next((p for p in (_array_problem(got[k], np.shape(v), f"grads['{k}']") for k, v in params.items()) if p), None)


def _grads_problem(got, expected, label):
    """Why the gradient dict ``got`` differs from ``expected``, or None."""
    if not isinstance(got, dict) or set(got) != set(expected):
        keys = sorted(got) if isinstance(got, dict) else type(got).__name__
        return f"{label}: grads must have the keys {sorted(expected)}, got {keys}"
    for name in expected:
        value = np.asarray(got[name], dtype=float)
        if value.shape != expected[name].shape:
            return f"{label}: grads['{name}'] has shape {value.shape}, expected {expected[name].shape}"
        if not np.allclose(value, expected[name], rtol=1e-9, atol=1e-12):
            if name[0] == "b":
                return f"{label}: grads['{name}'] should be zeros: biases are not penalized"
            return f"{label}: grads['{name}'] differs from the expected gradient"
    return None


def _value_problem(got, expected, label):
    if not isinstance(got, (int, float)) or isinstance(got, bool):
        return f"{label}: the penalty must be a number, got {type(got).__name__}"
    if not math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-12):
        return f"{label}: penalty {got:.6g}, expected {expected:.6g}"
    return None


def _penalty_values_problem(values, n):
    """Why ``values`` are not ``n`` finite numbers, or None."""
    problem = _count_problem(values, n, "penalty values")
    if problem:
        return problem
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in values):
        return "every penalty value must be a finite number"
    return None


def _directional_problem(values, grads, direction, h, label):
    """Compare a central difference of the penalty along ``direction`` with grads . direction."""
    plus, minus = values
    numeric = (plus - minus) / (2 * h)
    analytic = sum(float(np.sum(np.asarray(grads[k], dtype=float) * direction[k])) for k in direction)
    if not math.isclose(numeric, analytic, rel_tol=1e-6, abs_tol=1e-9):
        return (f"{label}: the gradient does not match the penalty's own slope "
                f"(central difference {numeric:.6g}, grads give {analytic:.6g})")
    return None


# -- l2_penalty -------------------------------------------------------------------
@check("l2_penalty", "value is lam/(2m) times the summed squared Frobenius norms of the weights (random networks)")
def _l2_value(student, seed):
    return [student.l2_penalty(_network(seed, i), *_strengths(seed, i))[0] for i in range(5)]


@_l2_value.judge
def _(got, reference, seed):
    problem = _count_problem(got, 5, "penalty values")
    if problem:
        return problem
    for i, value in enumerate(got):
        expected = reference.l2_penalty(_network(seed, i), *_strengths(seed, i))[0]
        problem = _value_problem(value, expected, f"network {i + 1} (lam={_strengths(seed, i)[0]:.3g}, m={_strengths(seed, i)[1]})")
        if problem:
            return problem
    return None


@check("l2_penalty", "weight gradients are lam/m * W, bias gradients are zeros, same keys and shapes")
def _l2_grads(student, seed):
    return [student.l2_penalty(_network(seed, i), *_strengths(seed, i))[1] for i in range(5)]


@_l2_grads.judge
def _(got, reference, seed):
    problem = _count_problem(got, 5, "gradient dicts")
    if problem:
        return problem
    for i, grads in enumerate(got):
        problem = _grads_problem(grads, reference.l2_penalty(_network(seed, i), *_strengths(seed, i))[1],
                                 f"network {i + 1}")
        if problem:
            return problem
    return None


@check("l2_penalty", "the gradient matches a central difference of the value, and biases do not change the value")
def _l2_slope(student, seed):
    params, (lam, m) = _network(seed, 7), _strengths(seed, 7)
    direction, h = _direction(params, seed, 7), 1e-3
    _, grads = student.l2_penalty(params, lam, m)
    values = [student.l2_penalty(_shifted(params, direction, s * h), lam, m)[0] for s in (1, -1)]
    moved = {k: (v + 5.0 if k[0] == "b" else v) for k, v in params.items()}
    return [grads, values, [student.l2_penalty(params, lam, m)[0], student.l2_penalty(moved, lam, m)[0]]]


@_l2_slope.judge
def _(got, reference, seed):
    problem = _count_problem(got, 3, "parts (gradients, shifted values, values before and after)")
    if problem:
        return problem
    grads, values, (before, after) = got
    params = _network(seed, 7)
    problem = (_grads_form_problem(grads, params) or _penalty_values_problem([*values, before, after], 4)
               or _directional_problem(values, grads, _direction(params, seed, 7), 1e-3, "random direction"))
    if problem:
        return problem
    if not math.isclose(before, after, rel_tol=1e-12, abs_tol=1e-12):
        return f"adding 5 to every bias changed the penalty from {before:.6g} to {after:.6g}: biases are not penalized"
    return None


@check("l2_penalty", "lam = 0 gives a zero penalty and zero gradients, and the parameters are not modified")
def _l2_zero(student, seed):
    params = _network(seed, 9)
    value, grads = student.l2_penalty(params, 0.0, 10)
    return [value, grads, params]


@_l2_zero.judge
def _(got, reference, seed):
    problem = _count_problem(got, 3, "parts (value, gradients, parameters after the call)")
    if problem:
        return problem
    value, grads, params = got
    expected = _network(seed, 9)
    if not isinstance(params, dict) or set(params) != set(expected):
        return "the parameter dict lost or gained keys during the call"
    if not all(np.array_equal(params[k], expected[k]) for k in expected):
        return "l2_penalty modified the parameter arrays it was given"
    if value != 0.0:
        return f"with lam = 0 the penalty should be 0, got {value!r}"
    return _grads_problem(grads, {k: np.zeros_like(v) for k, v in expected.items()}, "lam = 0")


_BAD_PENALTY = ["lam = -1", "m = 0", wrong_type("m = 2.5"), "lam = nan", "params without b1"]


def _bad_penalty_calls(function, seed, **extra):
    params = _network(seed, 11)
    missing = {k: v for k, v in params.items() if k != "b1"}
    return outcomes([lambda: function(params, -1.0, 10, **extra), lambda: function(params, 0.5, 0, **extra),
                     lambda: function(params, 0.5, 2.5, **extra), lambda: function(params, float("nan"), 10, **extra),
                     lambda: function(missing, 0.5, 10, **extra)])


@check("l2_penalty", "bad arguments raise ValueError")
def _l2_errors(student, seed):
    return _bad_penalty_calls(student.l2_penalty, seed)


@_l2_errors.judge
def _(got, reference, seed):
    return all_value_errors(got, _BAD_PENALTY)


# -- elastic_net_penalty ------------------------------------------------------------
def _ratio(seed, i):
    return float(generator(seed, 4000 + i).uniform(0.05, 0.95))


@check("elastic_net_penalty", "value matches lam/m * sum(r|w| + (1-r)/2 w^2) (random networks and l1_ratio)")
def _en_value(student, seed):
    return [student.elastic_net_penalty(_network(seed, i, zeros=True), *_strengths(seed, i), l1_ratio=_ratio(seed, i))[0]
            for i in range(5)]


@_en_value.judge
def _(got, reference, seed):
    problem = _count_problem(got, 5, "penalty values")
    if problem:
        return problem
    for i, value in enumerate(got):
        expected = reference.elastic_net_penalty(_network(seed, i, zeros=True), *_strengths(seed, i),
                                                 l1_ratio=_ratio(seed, i))[0]
        problem = _value_problem(value, expected, f"network {i + 1}, l1_ratio={_ratio(seed, i):.3f}")
        if problem:
            return problem
    return None


@check("elastic_net_penalty", "gradients match lam/m * (r sign(w) + (1-r) w), zeros for biases (random networks)")
def _en_grads(student, seed):
    return [student.elastic_net_penalty(_network(seed, i, zeros=True), *_strengths(seed, i), l1_ratio=_ratio(seed, i))[1]
            for i in range(5)]


@_en_grads.judge
def _(got, reference, seed):
    problem = _count_problem(got, 5, "gradient dicts")
    if problem:
        return problem
    for i, grads in enumerate(got):
        expected = reference.elastic_net_penalty(_network(seed, i, zeros=True), *_strengths(seed, i),
                                                 l1_ratio=_ratio(seed, i))[1]
        problem = _grads_problem(grads, expected, f"network {i + 1}, l1_ratio={_ratio(seed, i):.3f}")
        if problem:
            return problem
    return None


@check("elastic_net_penalty", "l1_ratio = 0 is the L2 penalty lam/(2m) sum w^2 and l1_ratio = 1 the L1 penalty lam/m sum |w|")
def _en_limits(student, seed):
    params, (lam, m) = _network(seed, 20, zeros=True), _strengths(seed, 20)
    return [student.elastic_net_penalty(params, lam, m, l1_ratio=r) for r in (0.0, 1.0)]


@_en_limits.judge
def _(got, reference, seed):
    params, (lam, m) = _network(seed, 20, zeros=True), _strengths(seed, 20)
    weights = [np.asarray(v) for k, v in params.items() if k[0] == "W"]
    ridge = lam / (2 * m) * sum(float(np.sum(W ** 2)) for W in weights)
    lasso = lam / m * sum(float(np.sum(np.abs(W))) for W in weights)
    problem = _count_problem(got, 2, "(value, grads) pairs") or next(
        (p for p in (_count_problem(pair, 2, "parts of (value, grads)") for pair in got) if p), None)
    if problem:
        return problem
    (v0, g0), (v1, g1) = got
    problem = (_value_problem(v0, ridge, "l1_ratio = 0 (pure L2)") or _value_problem(v1, lasso, "l1_ratio = 1 (pure L1)"))
    if problem:
        return problem
    ridge_grads = {k: (lam / m * v if k[0] == "W" else np.zeros_like(v)) for k, v in params.items()}
    lasso_grads = {k: (lam / m * np.sign(v) if k[0] == "W" else np.zeros_like(v)) for k, v in params.items()}
    return _grads_problem(g0, ridge_grads, "l1_ratio = 0") or _grads_problem(g1, lasso_grads, "l1_ratio = 1")


@check("elastic_net_penalty", "the subgradient is 0 at weights that are exactly 0, and biases do not change the value")
def _en_zero(student, seed):
    params, (lam, m) = _network(seed, 21, zeros=True), _strengths(seed, 21)
    params["W1"][0, 0] = 0.0
    moved = {k: (v - 3.0 if k[0] == "b" else v) for k, v in params.items()}
    value, grads = student.elastic_net_penalty(params, lam, m, l1_ratio=1.0)
    return [grads, value, student.elastic_net_penalty(moved, lam, m, l1_ratio=1.0)[0]]


@_en_zero.judge
def _(got, reference, seed):
    problem = _count_problem(got, 3, "parts (gradients, value, value with moved biases)")
    if problem:
        return problem
    grads, before, after = got
    params = _network(seed, 21, zeros=True)
    params["W1"][0, 0] = 0.0
    problem = _grads_form_problem(grads, params) or _penalty_values_problem([before, after], 2)
    if problem:
        return problem
    for name, value in params.items():
        if name[0] == "W":
            at_zero = np.asarray(grads[name], dtype=float)[value == 0.0]
            if np.any(at_zero != 0.0):
                return (f"grads['{name}'] is {at_zero[at_zero != 0.0][0]:.3g} at a weight that is exactly 0; "
                        "use sign(0) = 0 as the subgradient of |w| there")
    if not math.isclose(before, after, rel_tol=1e-12, abs_tol=1e-12):
        return f"subtracting 3 from every bias changed the penalty from {before:.6g} to {after:.6g}: biases are not penalized"
    return None


@check("elastic_net_penalty", "the gradient matches a central difference of the value (weights away from 0)")
def _en_slope(student, seed):
    params = _away_from_zero(_network(seed, 22), seed, 22)
    (lam, m), r = _strengths(seed, 22), _ratio(seed, 22)
    direction, h = _direction(params, seed, 22), 1e-4
    _, grads = student.elastic_net_penalty(params, lam, m, l1_ratio=r)
    return [grads, [student.elastic_net_penalty(_shifted(params, direction, s * h), lam, m, l1_ratio=r)[0] for s in (1, -1)]]


@_en_slope.judge
def _(got, reference, seed):
    problem = _count_problem(got, 2, "parts (gradients, shifted values)")
    if problem:
        return problem
    grads, values = got
    params = _away_from_zero(_network(seed, 22), seed, 22)
    problem = _grads_form_problem(grads, params) or _penalty_values_problem(values, 2)
    if problem:
        return problem
    return _directional_problem(values, grads, _direction(params, seed, 22), 1e-4, "random direction")


_BAD_ELASTIC = _BAD_PENALTY + ["l1_ratio = -0.1", "l1_ratio = 1.5"]


@check("elastic_net_penalty", "bad arguments (including l1_ratio outside [0, 1]) raise ValueError")
def _en_errors(student, seed):
    f = student.elastic_net_penalty
    params = _network(seed, 23)
    return _bad_penalty_calls(f, seed) + outcomes([lambda: f(params, 1.0, 10, l1_ratio=-0.1),
                                                   lambda: f(params, 1.0, 10, l1_ratio=1.5)])


@_en_errors.judge
def _(got, reference, seed):
    return all_value_errors(got, _BAD_ELASTIC)


# -- dropout_forward ----------------------------------------------------------------
def _keep_probs(seed):
    """Three keep probabilities at least 0.1 away from 0.5 (where keep and drop coincide)."""
    rng = generator(seed, 5000)
    return [float(rng.uniform(0.15, 0.4)), float(rng.uniform(0.6, 0.9)), float(rng.uniform(0.6, 0.95))]


_PATTERN_SHAPE = (2000, 500)   # 10^6 units
# Hoeffding: the kept fraction of n = 10^6 independent units is within t = 0.003 of keep_prob
# except with probability 2 exp(-2 n t^2) = 2 exp(-18) < 3e-8; three cases: < 1e-7.
_FRACTION_TOL = 0.003


@check("dropout_forward", "the kept fraction is within 0.003 of keep_prob on 10^6 units, each unit drawn independently")
def _do_fraction(student, seed):
    result = []
    for i, p in enumerate(_keep_probs(seed)):
        out, mask = student.dropout_forward(np.ones(_PATTERN_SHAPE), p, rng=generator(seed, i))
        mask = np.asarray(mask, dtype=float)
        result.append([list(mask.shape), np.packbits(mask.ravel() != 0)])
    return result


@_do_fraction.judge
def _(got, reference, seed):
    problem = _count_problem(got, 3, "masks")
    if problem:
        return problem
    for (shape, bits), p in zip(got, _keep_probs(seed)):
        if not isinstance(bits, np.ndarray) or bits.size != math.prod(_PATTERN_SHAPE) // 8:
            return f"the mask must have {math.prod(_PATTERN_SHAPE)} entries, the shape of the input {_PATTERN_SHAPE}"
        if tuple(shape) != _PATTERN_SHAPE:
            return f"the mask has shape {tuple(shape)}, expected the shape of the input {_PATTERN_SHAPE}"
        kept = np.unpackbits(np.asarray(bits, dtype=np.uint8))[: math.prod(_PATTERN_SHAPE)].reshape(_PATTERN_SHAPE)
        fraction = float(kept.mean())
        if abs(fraction - p) > _FRACTION_TOL:
            hint = " (is keep_prob used as the drop probability?)" if abs(fraction - (1 - p)) <= _FRACTION_TOL else ""
            return f"keep_prob={p:.3f}: {fraction:.4f} of the units were kept{hint}"
        if np.mean(kept[1:] == kept[:-1]) > 0.99 or np.mean(kept[:, 1:] == kept[:, :-1]) > 0.99:
            return f"keep_prob={p:.3f}: the mask repeats across rows or columns; draw every unit independently"
    return None


def _positive_activations(seed, i):
    return generator(seed, 5100 + i).uniform(0.5, 2.0, size=(250_000, 4))


@check("dropout_forward", "inverted dropout preserves the mean activation (250,000 examples, Hoeffding bound)")
def _do_mean(student, seed):
    sums = []
    for i, p in enumerate(_keep_probs(seed)):
        out, _ = student.dropout_forward(_positive_activations(seed, i), p, rng=generator(seed, 10 + i))
        sums.append(np.asarray(out, dtype=float).sum(axis=0))
    return sums


@_do_mean.judge
def _(got, reference, seed):
    # Column sum S = sum_i a_i B_i / p with independent terms in [0, a_i / p]. Hoeffding:
    # P(|S - sum a| >= t) <= 2 exp(-2 t^2 / sum (a_i/p)^2) = 1e-8 for the t below;
    # 4 columns x 3 keep_probs: a correct implementation fails with probability < 2e-7.
    problem = _count_problem(got, 3, "column sums")
    if problem:
        return problem
    for i, (sums, p) in enumerate(zip(got, _keep_probs(seed))):
        a = _positive_activations(seed, i)
        sums = np.asarray(sums, dtype=float)
        if sums.shape != (a.shape[1],) or not np.all(np.isfinite(sums)):
            return f"the output does not have the shape of the input {a.shape}, or is not finite"
        t = np.sqrt(np.log(2e8) / 2 * np.sum((a / p) ** 2, axis=0))
        expected = a.sum(axis=0)
        if np.any(np.abs(sums - expected) > t):
            ratio = float(np.mean(sums / expected))
            hints = {p: " (kept units must be divided by keep_prob)",
                     (1 - p) / p: " (is keep_prob used as the drop probability?)",
                     p * p: " (multiply by 1/keep_prob, not by keep_prob)"}
            hint = next((h for r, h in hints.items() if abs(ratio - r) < 0.05), "")
            return f"keep_prob={p:.3f}: the mean output is {ratio:.3f} times the mean input, expected 1{hint}"
    return None


def _activations(seed, i):
    return generator(seed, 5200 + i).normal(0.0, 3.0, size=(40, 25))


@check("dropout_forward", "out equals a * mask, mask entries are exactly 0 or 1/keep_prob, the input is untouched")
def _do_structure(student, seed):
    result = []
    for i, p in enumerate(_keep_probs(seed)):
        a = _activations(seed, i)
        out, mask = student.dropout_forward(a, p, rng=generator(seed, 20 + i))
        result.append([a, out, mask])
    return result


@_do_structure.judge
def _(got, reference, seed):
    problem = _count_problem(got, 3, "(input, out, mask) triples") or next(
        (p for p in (_count_problem(triple, 3, "parts of (input, out, mask)") for triple in got) if p), None)
    if problem:
        return problem
    for i, ((a_after, out, mask), p) in enumerate(zip(got, _keep_probs(seed))):
        a = _activations(seed, i)
        problem = _array_problem(out, a.shape, "out") or _array_problem(mask, a.shape, "mask")
        if problem:
            return problem
        out, mask = np.asarray(out, dtype=float), np.asarray(mask, dtype=float)
        if not np.array_equal(a_after, a):
            return "dropout_forward modified its input array"
        if out.shape != a.shape or mask.shape != a.shape:
            return f"out and mask must have the input's shape {a.shape}, got {out.shape} and {mask.shape}"
        kept = mask != 0
        # 1,000 units kept with probability >= 0.15 each: none kept has probability < 1e-70.
        if not kept.any():
            return f"keep_prob={p:.3f}: every unit of 1,000 was dropped"
        if not np.allclose(mask[kept], 1.0 / p, rtol=1e-12, atol=0):
            return (f"keep_prob={p:.3f}: kept mask entries should be 1/keep_prob = {1 / p:.4f}, "
                    f"found {mask[kept][0]:.4f}")
        if not np.allclose(out, a * mask, rtol=1e-12, atol=0):
            return "out differs from a * mask"
    return None


@check("dropout_forward", "train=False and keep_prob=1 return the input bit for bit (mask of ones)")
def _do_identity(student, seed):
    a = _activations(seed, 7) * 1e3
    test_out, test_mask = student.dropout_forward(a, 0.6, rng=None, train=False)
    full_out, _ = student.dropout_forward(a, 1.0, rng=generator(seed, 30))
    return [test_out, test_mask, full_out]


@_do_identity.judge
def _(got, reference, seed):
    problem = _count_problem(got, 3, "arrays (test-mode out and mask, keep_prob=1 out)")
    if problem:
        return problem
    test_out, test_mask, full_out = (np.asarray(v) for v in got)
    a = _activations(seed, 7) * 1e3
    if not np.array_equal(test_out, a):
        scaled = test_out.shape == a.shape and np.allclose(test_out, 0.6 * a)
        return "with train=False the output must equal the input exactly" + (
            " (inverted dropout never scales at test time)" if scaled else "")
    if test_mask.shape != a.shape or np.any(test_mask != 1.0):
        return "with train=False the mask must be all ones"
    if not np.array_equal(full_out, a):
        return "with keep_prob=1 every unit is kept unscaled: the output must equal the input exactly"
    return None


@check("dropout_forward", "the same seed gives the same mask, another seed a different one")
def _do_seeded(student, seed):
    a = np.ones((30, 30))
    return [np.asarray(student.dropout_forward(a, 0.5, rng=generator(seed, s))[1], dtype=float) for s in (40, 40, 41)]


@_do_seeded.judge
def _(got, reference, seed):
    problem = _count_problem(got, 3, "masks") or next(
        (p for p in (_array_problem(mask, (30, 30), "mask") for mask in got) if p), None)
    if problem:
        return problem
    first, again, other = (np.asarray(mask, dtype=float) for mask in got)
    # 900 units at keep_prob 0.5: a mask with nothing kept or nothing dropped has probability 2^-899.
    if not all(np.all((m == 0) | (m == 2.0)) and 0 < np.count_nonzero(m) < m.size for m in (first, again, other)):
        return "with keep_prob = 0.5 the mask entries must be 0 or 2, some of each"
    if not np.array_equal(first, again):
        return "two generators with the same seed gave different masks: draw all randomness from rng"
    if np.array_equal(first, other):
        return "generators with different seeds gave the same mask: is rng used?"
    return None


@check("dropout_forward", "out and mask are float64, also for a float32 keep_prob and integer activations")
def _do_dtypes(student, seed):
    ints = _int_activations(seed)
    result = []
    for keep_prob in (np.float32(0.75), 0.75):
        for a, train in ((ints, True), (ints.astype(np.float32), True), (ints, False)):
            out, mask = student.dropout_forward(a, keep_prob, rng=generator(seed, 50), train=train)
            result.append([out, mask])
    return result


@_do_dtypes.judge
def _(got, reference, seed):
    problem = _count_problem(got, 6, "(out, mask) pairs") or next(
        (p for p in (_count_problem(pair, 2, "parts of (out, mask)") for pair in got) if p), None)
    if problem:
        return problem
    labels = [f"{k} keep_prob, {a}" for k in ("float32", "float") for a in
              ("integer activations", "float32 activations", "integer activations with train=False")]
    for label, (out, mask) in zip(labels, got):
        for name, array in (("out", out), ("mask", mask)):
            if not isinstance(array, np.ndarray) or array.shape != (20, 7):
                return f"{label}: {name} must be an array of the input's shape (20, 7)"
            if array.dtype != np.float64:
                return f"{label}: {name} has dtype {array.dtype}; the contract promises float64"
        allowed = (1.0,) if label.endswith("train=False") else (0.0, 1 / 0.75)
        near = np.isclose(mask[..., None], np.array(allowed), rtol=1e-12, atol=0).any(axis=-1)
        if not (np.all(near) and np.allclose(out, _int_activations(seed) * mask, rtol=1e-12, atol=0)):
            return f"{label}: expected mask entries in {allowed} and out = a * mask"
    return None


def _int_activations(seed):
    return generator(seed, 5300).integers(-5, 6, size=(20, 7))


_BAD_DROPOUT = ["keep_prob = 0", "keep_prob = 1.5", "keep_prob = -0.2", "keep_prob = nan", wrong_type("train=True without rng")]


@check("dropout_forward", "bad arguments raise ValueError")
def _do_errors(student, seed):
    f, a = student.dropout_forward, np.ones((3, 4))
    return outcomes([lambda: f(a, 0.0, rng=generator(seed)), lambda: f(a, 1.5, rng=generator(seed)),
                     lambda: f(a, -0.2, rng=generator(seed)), lambda: f(a, float("nan"), rng=generator(seed)),
                     lambda: f(a, 0.5, rng=None)])


@_do_errors.judge
def _(got, reference, seed):
    return all_value_errors(got, _BAD_DROPOUT)


# -- dropout_backward ---------------------------------------------------------------
def _mask(seed, i, shape=(30, 20)):
    """A mask built here (not by the student's forward pass): 0 or 1/p."""
    rng = generator(seed, 6000 + i)
    p = float(rng.uniform(0.2, 0.9))
    return (rng.random(shape) < p) / p


def _upstream(seed, i, shape=(30, 20)):
    return generator(seed, 6100 + i).normal(size=shape)


@check("dropout_backward", "the gradient is dout * mask (random masks of several keep_probs)")
def _db_values(student, seed):
    return [student.dropout_backward(_upstream(seed, i), _mask(seed, i)) for i in range(4)]


@_db_values.judge
def _(got, reference, seed):
    problem = _count_problem(got, 4, "gradients")
    if problem:
        return problem
    for i, grad in enumerate(got):
        grad, mask = np.asarray(grad, dtype=float), _mask(seed, i)
        expected = reference.dropout_backward(_upstream(seed, i), mask)
        if grad.shape != expected.shape:
            return f"the gradient has shape {grad.shape}, expected {expected.shape}"
        if not np.allclose(grad, expected, rtol=1e-12, atol=0):
            if np.allclose(grad, _upstream(seed, i) * (mask != 0)):
                return "the gradient of kept units must also be divided by keep_prob (multiply by the mask itself)"
            return "the gradient differs from dout * mask: reuse the mask of the forward pass"
    return None


@check("dropout_backward", "the forward mask is reused: repeated calls agree, dropped units get exactly 0")
def _db_reuse(student, seed):
    dout, mask = _upstream(seed, 5), _mask(seed, 5)
    return [student.dropout_backward(dout, mask), student.dropout_backward(dout, mask)]


@_db_reuse.judge
def _(got, reference, seed):
    problem = _count_problem(got, 2, "gradients") or next(
        (p for p in (_array_problem(g, _mask(seed, 5).shape, "gradient") for g in got) if p), None)
    if problem:
        return problem
    first, again = (np.asarray(g, dtype=float) for g in got)
    if not np.array_equal(first, again):
        return "two calls with the same mask gave different gradients: do not draw a new mask in backward"
    mask = _mask(seed, 5)
    if first.shape != mask.shape or np.any(first[mask == 0] != 0):
        return "units dropped in the forward pass must get a zero gradient"
    return None


@check("dropout_backward", "works for any shape, a mask of ones passes dout through unchanged, inputs untouched")
def _db_shapes(student, seed):
    flat, cube = _mask(seed, 6, (50,)), _mask(seed, 7, (4, 5, 6))
    dflat, dcube = _upstream(seed, 6, (50,)), _upstream(seed, 7, (4, 5, 6))
    ones = np.ones((8, 9))
    d_ones = _upstream(seed, 8, (8, 9))
    results = [student.dropout_backward(dflat, flat), student.dropout_backward(dcube, cube),
               student.dropout_backward(d_ones, ones)]
    return results + [dcube, cube]


@_db_shapes.judge
def _(got, reference, seed):
    problem = _count_problem(got, 5, "arrays (three gradients, dout and mask after the calls)")
    if problem:
        return problem
    flat_grad, cube_grad, ones_grad, dcube_after, cube_after = (np.asarray(g, dtype=float) for g in got)
    if not (np.array_equal(dcube_after, _upstream(seed, 7, (4, 5, 6))) and np.array_equal(cube_after, _mask(seed, 7, (4, 5, 6)))):
        return "dropout_backward modified dout or mask"
    for grad, i, shape in ((flat_grad, 6, (50,)), (cube_grad, 7, (4, 5, 6))):
        expected = _upstream(seed, i, shape) * _mask(seed, i, shape)
        if grad.shape != shape or not np.allclose(grad, expected, rtol=1e-12, atol=0):
            return f"wrong gradient for arrays of shape {shape}"
    if not np.array_equal(ones_grad, _upstream(seed, 8, (8, 9))):
        return "with a mask of ones (test mode) the gradient must be dout unchanged"
    return None


@check("dropout_backward", "dout and mask of different shapes raise ValueError")
def _db_errors(student, seed):
    f = student.dropout_backward
    return outcomes([lambda: f(np.ones((3, 4)), np.ones((4, 3))), lambda: f(np.ones(5), np.ones(6))])


@_db_errors.judge
def _(got, reference, seed):
    return all_value_errors(got, ["shapes (3, 4) and (4, 3)", "shapes (5,) and (6,)"])


# -- max_norm_project ---------------------------------------------------------------
def _weights(seed, i):
    """A (n_in, n_out) matrix, n_in != n_out, with long, short and zero columns; and c."""
    rng = generator(seed, 7000 + i)
    n_in, n_out = int(rng.integers(3, 9)), int(rng.integers(9, 15))
    c = float(rng.uniform(1.0, 5.0))
    W = rng.normal(size=(n_in, n_out))
    W /= np.linalg.norm(W, axis=0)
    W *= rng.uniform(0.1, 3.0, size=n_out) * c       # column norms between 0.1 c and 3 c
    W[:, 0] *= 3.0 / np.linalg.norm(W[:, 0]) * c      # one long column
    W[:, 1] *= 0.5 / np.linalg.norm(W[:, 1]) * c      # one short column
    W[:, 2] = 0.0                                     # one zero column
    return W, c


@check("max_norm_project", "columns longer than c end with norm c and keep their direction (random matrices)")
def _mn_long(student, seed):
    return [student.max_norm_project(*_weights(seed, i)) for i in range(4)]


@_mn_long.judge
def _(got, reference, seed):
    problem = _count_problem(got, 4, "projected matrices")
    if problem:
        return problem
    for i, projected in enumerate(got):
        W, c = _weights(seed, i)
        problem = _array_problem(projected, W.shape, "the result")
        if problem:
            return problem
        projected = np.asarray(projected, dtype=float)
        norms = np.linalg.norm(projected, axis=0)
        long = np.linalg.norm(W, axis=0) > c
        if np.any(norms > c * (1 + 1e-12)):
            return f"c={c:.3f}: a column still has norm {norms.max():.4f} > c (columns are the units' weight vectors)"
        if not np.allclose(norms[long], c, rtol=1e-12):
            return f"c={c:.3f}: long columns should be scaled to norm exactly c, got norms like {norms[long][0]:.4f}"
        if not np.allclose(projected, reference.max_norm_project(W, c), rtol=1e-12, atol=1e-15):
            return f"c={c:.3f}: the projected columns do not point in their original directions"
    return None


@check("max_norm_project", "columns within the limit (and a zero column) come back bit-identical")
def _mn_short(student, seed):
    return [student.max_norm_project(*_weights(seed, i)) for i in range(4, 8)]


@_mn_short.judge
def _(got, reference, seed):
    problem = _count_problem(got, 4, "projected matrices")
    if problem:
        return problem
    for i, projected in zip(range(4, 8), got):
        W, c = _weights(seed, i)
        problem = _array_problem(projected, W.shape, "the result")
        if problem:
            return problem
        projected = np.asarray(projected, dtype=float)
        short = np.linalg.norm(W, axis=0) <= c
        if not np.all(np.isfinite(projected[:, 2])) or np.any(projected[:, 2] != 0):
            return "a zero column must stay zero (no division by a zero norm)"
        if not np.array_equal(projected[:, short], W[:, short]):
            return f"c={c:.3f}: a column of norm <= c was changed; only longer columns may be rescaled"
    return None


@check("max_norm_project", "projecting twice gives the result of projecting once (up to rounding), input untouched")
def _mn_idempotent(student, seed):
    W, c = _weights(seed, 9)
    once = student.max_norm_project(W, c)
    return [W, once, student.max_norm_project(once, c)]


@_mn_idempotent.judge
def _(got, reference, seed):
    W, c = _weights(seed, 9)
    problem = _count_problem(got, 3, "matrices (input after the call, once, twice)") or next(
        (p for p in (_array_problem(g, W.shape, "matrix") for g in got) if p), None)
    if problem:
        return problem
    W_after, once, twice = (np.asarray(g, dtype=float) for g in got)
    if not np.array_equal(W_after, W):
        return "max_norm_project modified its input"
    # A projected column has norm c up to a few units in the last place, so the second
    # projection may move it by about 1e-16 relative: allow 1e-13.
    if once.shape != W.shape or not np.allclose(twice, once, rtol=1e-13, atol=0):
        return "projecting the projected matrix again changed it: the projection should be idempotent"
    if not np.allclose(once, reference.max_norm_project(W, c), rtol=1e-12, atol=1e-15):
        return "the projection differs from scaling each column of norm > c down to norm c"
    return None


@check("max_norm_project", "axis=1 treats rows as the units' weight vectors")
def _mn_rows(student, seed):
    return [student.max_norm_project(_weights(seed, i)[0].T, _weights(seed, i)[1], axis=1) for i in range(10, 13)]


@_mn_rows.judge
def _(got, reference, seed):
    problem = _count_problem(got, 3, "projected matrices")
    if problem:
        return problem
    for i, projected in zip(range(10, 13), got):
        W, c = _weights(seed, i)
        expected = reference.max_norm_project(W.T, c, axis=1)
        projected = np.asarray(projected, dtype=float)
        if projected.shape != expected.shape or not np.allclose(projected, expected, rtol=1e-12, atol=1e-15):
            return f"with axis=1 each row of norm > c should be scaled to norm c (c={c:.3f})"
    return None


_BAD_MAXNORM = ["c = 0", "c = -1", "c = inf", "a 1-D W", "axis = 2"]


@check("max_norm_project", "bad arguments raise ValueError")
def _mn_errors(student, seed):
    f, W = student.max_norm_project, np.ones((3, 4))
    return outcomes([lambda: f(W, 0.0), lambda: f(W, -1.0), lambda: f(W, float("inf")),
                     lambda: f(np.ones(4), 3.0), lambda: f(W, 3.0, axis=2)])


@_mn_errors.judge
def _(got, reference, seed):
    return all_value_errors(got, _BAD_MAXNORM)


# -- early_stopping -----------------------------------------------------------------
def _u_curves(seed):
    """Noisy U-shaped validation curves with random length, minimum and patience."""
    rng = generator(seed, 8000)
    cases = []
    for _ in range(8):
        epochs = int(rng.integers(20, 120))
        t = np.arange(1, epochs + 1)
        fall, rise = rng.uniform(3.0, 8.0), rng.uniform(0.2, 1.0)
        curve = 0.3 + np.exp(-fall * t / epochs) + rise * (t / epochs) ** 2 + rng.normal(0, 0.004, epochs)
        cases.append((curve.tolist(), int(rng.integers(1, 15)), float(rng.choice([0.0, 0.0, 0.002]))))
    return cases


def _epochs(pair):
    """The two returned epochs as [int, int] (or a description of what came back)."""
    if not isinstance(pair, (tuple, list)) or len(pair) != 2:
        return ["not a pair", repr(type(pair).__name__)]
    return [int(v) if isinstance(v, (int, np.integer)) and not isinstance(v, bool) else repr(v) for v in pair]


def _compare_stops(got, cases, reference):
    problem = _count_problem(got, len(cases), "(best_epoch, stop_epoch) pairs")
    if problem:
        return problem
    for i, (pair, (losses, patience, min_delta)) in enumerate(zip(got, cases)):
        expected = list(reference.early_stopping(losses, patience, min_delta=min_delta))
        if pair != expected:
            return (f"case {i + 1} ({len(losses)} epochs, patience={patience}, min_delta={min_delta}): "
                    f"expected (best_epoch, stop_epoch) = {tuple(expected)}, got {tuple(pair)}")
    return None


@check("early_stopping", "best and stop epochs on noisy U-shaped validation curves (random patience)")
def _es_curves(student, seed):
    return [_epochs(student.early_stopping(losses, patience, min_delta=delta))
            for losses, patience, delta in _u_curves(seed)]


@_es_curves.judge
def _(got, reference, seed):
    return _compare_stops(got, _u_curves(seed), reference)


def _edge_cases(seed):
    rng = generator(seed, 8100)
    n, patience = int(rng.integers(8, 30)), int(rng.integers(2, 6))
    falling = list(np.linspace(2.0, 1.0, n))
    rising = list(np.linspace(1.0, 2.0, n))
    return [(falling, patience, 0.0), (rising, patience, 0.0), (rising, 1, 0.0), ([0.7], patience, 0.0)]


@check("early_stopping", "a falling curve runs to the end; a rising one stops patience epochs after epoch 1")
def _es_edges(student, seed):
    return [_epochs(student.early_stopping(losses, patience, min_delta=delta))
            for losses, patience, delta in _edge_cases(seed)]


@_es_edges.judge
def _(got, reference, seed):
    return _compare_stops(got, _edge_cases(seed), reference)


def _tie_cases(seed):
    rng = generator(seed, 8200)
    cases = []
    for _ in range(3):
        start, flat, patience = int(rng.integers(2, 6)), int(rng.integers(2, 8)), int(rng.integers(2, 5))
        losses = list(np.linspace(2.0, 1.0, start)) + [1.0] * flat + list(np.linspace(1.1, 1.5, 10))
        cases.append((losses, patience, 0.0))
    return cases


@check("early_stopping", "ties are not improvements: the earliest of equal losses is the best epoch")
def _es_ties(student, seed):
    return [_epochs(student.early_stopping(losses, patience, min_delta=delta))
            for losses, patience, delta in _tie_cases(seed)]


@_es_ties.judge
def _(got, reference, seed):
    return _compare_stops(got, _tie_cases(seed), reference)


def _delta_cases(seed):
    """Declines of 0.001 per epoch against min_delta = 0.0065: the loss must fall 7 epochs'
    worth below the best so far before an epoch counts as an improvement."""
    rng = generator(seed, 8300)
    cases = []
    for _ in range(3):
        n, patience = int(rng.integers(15, 40)), int(rng.integers(2, 6))
        losses = list(1.0 - 0.001 * np.arange(n))
        cases += [(losses, patience, 0.0065), (losses, patience + 6, 0.0065), (losses, patience, 0.0)]
    return cases


@check("early_stopping", "decreases smaller than min_delta do not count as improvements")
def _es_delta(student, seed):
    return [_epochs(student.early_stopping(losses, patience, min_delta=delta))
            for losses, patience, delta in _delta_cases(seed)]


@_es_delta.judge
def _(got, reference, seed):
    return _compare_stops(got, _delta_cases(seed), reference)


def _late_dip_cases(seed):
    """The curve rises for longer than the patience, then dips below its first minimum."""
    rng = generator(seed, 8400)
    cases = []
    for _ in range(3):
        patience = int(rng.integers(2, 6))
        down = list(np.linspace(2.0, 1.0, int(rng.integers(3, 10))))
        up = list(np.linspace(1.05, 1.3, patience + int(rng.integers(1, 5))))
        cases.append((down + up + [0.5, 0.4, 0.3], patience, 0.0))
    return cases


@check("early_stopping", "the best epoch is chosen among epochs up to the stop, not from later epochs")
def _es_dip(student, seed):
    return [_epochs(student.early_stopping(losses, patience, min_delta=delta))
            for losses, patience, delta in _late_dip_cases(seed)]


@_es_dip.judge
def _(got, reference, seed):
    return _compare_stops(got, _late_dip_cases(seed), reference)


def _inf_cases(seed):
    """Curves with +inf losses (a diverged epoch): the first epoch counts even at +inf, later +inf never."""
    rng = generator(seed, 8500)
    patience, n = int(rng.integers(2, 6)), int(rng.integers(5, 15))
    falling = list(np.linspace(2.0, 1.0, n))
    inf = float("inf")
    return [([inf] + falling, patience, 0.0),                        # any finite loss beats a leading +inf
            ([inf] * (patience + 3), patience, 0.0),                 # nothing beats epoch 1: stop patience later
            ([inf, inf, 1.0, 0.9], 1, 0.0),                          # patience 1: epoch 2 does not improve
            (falling[:3] + [inf] * (patience + 2) + [0.1], patience, 0.0)]   # +inf after the start never improves


@check("early_stopping", "+inf losses: the first epoch counts as the best even at +inf, a later +inf never improves")
def _es_inf(student, seed):
    return [_epochs(student.early_stopping(losses, patience, min_delta=delta))
            for losses, patience, delta in _inf_cases(seed)]


@_es_inf.judge
def _(got, reference, seed):
    return _compare_stops(got, _inf_cases(seed), reference)


_BAD_STOPPING = ["patience = 0", wrong_type("patience = 2.5"), "no losses", "2-D losses", "min_delta = -0.1", "a NaN loss"]


@check("early_stopping", "bad arguments raise ValueError")
def _es_errors(student, seed):
    f = student.early_stopping
    return outcomes([lambda: f([1.0, 0.9], 0), lambda: f([1.0, 0.9], 2.5), lambda: f([], 3),
                     lambda: f([[1.0, 0.9]], 3), lambda: f([1.0, 0.9], 3, min_delta=-0.1),
                     lambda: f([1.0, float("nan"), 0.8], 3)])


@_es_errors.judge
def _(got, reference, seed):
    return all_value_errors(got, _BAD_STOPPING)


# -- mutants: plausible wrong implementations, each must lose points -------------------
SUITE.mutants = [
    Mutant("l2_penalty", "bias_penalized", "adds the biases to the penalty and decays them too",
           'if name[0] == "W":', "if True:",
           student="adds the biases to the penalty and decays them too, where only the weight matrices are penalized",
           section="ch03-l2-penalty"),
    Mutant("l2_penalty", "lam_over_m_value", "uses lam/m instead of lam/(2m) in the value (gradient unchanged)",
           "return lam / (2 * m) * total, grads", "return lam / m * total, grads",
           student="uses lam/m instead of lam/(2m) in the penalty's value",
           section="ch03-l2-penalty"),
    Mutant("l2_penalty", "half_gradient", "differentiates lam/(2m) w^2 to lam/(2m) w, keeping the 1/2",
           "grads[name] = (lam / m) * array", "grads[name] = (lam / (2 * m)) * array",
           student="keeps the 1/2 when differentiating, so the gradient of the penalty is half what it should be",
           section="ch03-l2-penalty"),
    Mutant("l2_penalty", "forgets_m", "divides by 2 but not by the number of examples m",
           "return lam / (2 * m) * total, grads", "return lam / 2 * total, grads",
           student="divides by 2 but not by the number of examples m",
           section="ch03-l2-penalty"),
    Mutant("l2_penalty", "unsquared_norm", "sums Frobenius norms instead of squared norms",
           "total += float(np.sum(array * array))", "total += float(np.sqrt(np.sum(array * array)))",
           student="sums the norms of the weight matrices instead of their squared norms",
           section="ch03-l2-penalty"),
    Mutant("elastic_net_penalty", "bias_penalized", "penalizes the biases as well",
           'is_weight = name.startswith("W")', "is_weight = True",
           student="penalizes the biases as well as the weights",
           section="ch03-elastic-net-penalty"),
    Mutant("elastic_net_penalty", "subgradient_one_at_zero", "uses +1 as the subgradient of |w| at w = 0",
           "r * np.sign(array)", "r * np.where(array >= 0, 1.0, -1.0)",
           student="uses +1 as the subgradient of |w| at w = 0 instead of 0",
           section="ch03-elastic-net-penalty"),
    Mutant("elastic_net_penalty", "no_half_in_l2", "drops the 1/2 of the L2 part, so l1_ratio=0 is not ridge",
           "(1.0 - r) / 2.0 * square_sum", "(1.0 - r) * square_sum",
           student="drops the 1/2 of the L2 part, so the L2-only end does not agree with the L2 penalty",
           section="ch03-elastic-net-penalty"),
    Mutant("elastic_net_penalty", "swapped_ratio", "weights the L2 part by l1_ratio and the L1 part by 1 - l1_ratio",
           "r * abs_sum + (1.0 - r) / 2.0 * square_sum", "(1.0 - r) * abs_sum + r / 2.0 * square_sum",
           student="weights the L2 part by l1_ratio and the L1 part by 1 - l1_ratio (the mixing is the wrong way round)",
           section="ch03-elastic-net-penalty"),
    Mutant("dropout_forward", "no_rescale", "forgets to divide kept units by keep_prob (not inverted)",
           "mask = (rng.random(a.shape) < keep_prob) / keep_prob",
           "mask = (rng.random(a.shape) < keep_prob).astype(np.float64)",
           student="forgets to divide the kept units by keep_prob, so the expected activation shrinks during training",
           section="ch03-dropout-forward"),
    Mutant("dropout_forward", "drop_probability", "treats keep_prob as the probability of dropping a unit",
           "(rng.random(a.shape) < keep_prob)", "(rng.random(a.shape) < 1.0 - keep_prob)",
           student="treats keep_prob as the probability of dropping a unit",
           section="ch03-dropout-forward"),
    Mutant("dropout_forward", "scales_at_test_time", "multiplies by keep_prob at test time as in vanilla dropout",
           "return a.copy(), np.ones_like(a)", "return a * keep_prob, np.ones_like(a)",
           student="multiplies by keep_prob at test time as vanilla dropout does, where inverted dropout leaves test time alone",
           section="ch03-dropout-forward"),
    Mutant("dropout_forward", "one_mask_per_batch", "draws one mask row and shares it across the examples",
           "(rng.random(a.shape)", "(rng.random(a.shape[-1:]) * np.ones(a.shape)",
           student="draws one mask row and shares it across all examples of the batch",
           section="ch03-dropout-forward"),
    Mutant("dropout_forward", "multiplies_by_keep_prob", "scales kept units by keep_prob instead of 1/keep_prob",
           "< keep_prob) / keep_prob", "< keep_prob) * keep_prob",
           student="multiplies the kept units by keep_prob instead of dividing by it",
           section="ch03-dropout-forward"),
    Mutant("dropout_backward", "fresh_mask", "draws a new mask in the backward pass instead of reusing the forward one",
           "return dout * mask",
           "return dout * (np.random.default_rng().random(mask.shape) < np.mean(mask > 0)) * mask.max()",
           student="draws a new mask in the backward pass instead of reusing the forward pass's mask",
           section="ch03-dropout-backward"),
    Mutant("dropout_backward", "pattern_only", "multiplies by the 0/1 keep pattern, forgetting the 1/keep_prob scale",
           "return dout * mask", "return dout * (mask > 0)",
           student="multiplies by the 0/1 keep pattern but forgets the 1/keep_prob scale",
           section="ch03-dropout-backward"),
    Mutant("dropout_backward", "pass_through", "passes the gradient to every unit, dropped ones included",
           "return dout * mask", "return dout.copy()",
           student="passes the gradient to every unit, dropped ones included",
           section="ch03-dropout-backward"),
    Mutant("max_norm_project", "rows_not_columns", "measures the norms of rows instead of the units' columns",
           "np.linalg.norm(W, axis=axis, keepdims=True)", "np.linalg.norm(W, axis=1 - axis, keepdims=True)",
           student="measures the norms of the rows instead of the columns (one column per unit)",
           section="ch03-max-norm-project"),
    Mutant("max_norm_project", "rescales_all", "scales every non-zero column to norm c, short ones too",
           "long = norms > c", "long = norms > 0",
           student="scales every column to norm c, the short ones too, instead of only the ones that are too long",
           section="ch03-max-norm-project"),
    Mutant("max_norm_project", "clips_entries", "clips each weight to [-c, c] instead of the vector's norm",
           "return W * scale", "return np.clip(W, -c, c)",
           student="clips each weight to [-c, c] instead of rescaling the whole vector",
           section="ch03-max-norm-project"),
    Mutant("max_norm_project", "unit_norm", "scales long columns to norm 1 instead of c",
           "scale[long] = c / norms[long]", "scale[long] = 1.0 / norms[long]",
           student="scales the long columns to norm 1 instead of norm c",
           section="ch03-max-norm-project"),
    Mutant("early_stopping", "returns_stop_epoch", "restores the weights of the epoch it stopped at, not the best",
           "return best_epoch, epoch", "return epoch, epoch",
           student="returns the epoch at which training stopped as the best epoch",
           section="ch03-early-stopping"),
    Mutant("early_stopping", "global_minimum", "picks the lowest loss of the whole list, even after the stop",
           "return best_epoch, epoch", "return int(np.argmin(losses)) + 1, epoch",
           student="picks the lowest loss of the whole list, even one that comes after training should have stopped",
           section="ch03-early-stopping"),
    Mutant("early_stopping", "ties_improve", "counts an equal loss as an improvement",
           "if losses[epoch - 1] < best - min_delta:", "if losses[epoch - 1] <= best - min_delta:",
           student="counts a loss equal to the best so far as an improvement",
           section="ch03-early-stopping"),
    Mutant("early_stopping", "patience_off_by_one", "waits patience + 1 epochs without improvement",
           "elif epoch - best_epoch >= patience:", "elif epoch - best_epoch > patience:",
           student="waits one epoch too many (patience + 1) without improvement before stopping",
           section="ch03-early-stopping"),
    Mutant("early_stopping", "starts_at_epoch_0", "starts the best epoch at 0, so a leading +inf loss is never the best",
           "best_epoch, best = 1, np.inf", "best_epoch, best = 0, np.inf",
           student="starts the best epoch at 0 although epochs are numbered from 1, so it can report an epoch that does not exist",
           section="ch03-early-stopping"),
    Mutant("dropout_forward", "float32_mask", "builds the mask in the dtype of keep_prob (float32 for a float32 keep_prob)",
           "keep_prob = float(keep_prob)      # a float32 keep_prob would otherwise make a float32 mask",
           "keep_prob = keep_prob",
           student="builds the mask in the dtype of keep_prob, so a float32 keep_prob silently lowers the precision",
           section="ch03-dropout-forward"),
    Mutant("early_stopping", "ignores_min_delta", "counts every decrease as an improvement",
           "< best - min_delta:", "< best:",
           student="counts every decrease as an improvement, ignoring min_delta",
           section="ch03-early-stopping"),
]
