"""Hidden checks and mutants for chapter 6, ``nnlib.optim``.

The update rules are compared, step after step, with small implementations written here
from the docstrings (never with the reference's code), on random quadratics whose gradient
feeds back into the next step, and with closed forms of the state after ``k`` steps. The
probes feed the student's returned state back in, and return every step's raw result; the
judges check its form (a tuple of the right length, float arrays of the right shape,
finite) before comparing numbers, so junk never passes.
"""
from __future__ import annotations

import math

import numpy as np

from ..hidden import CheckSuite
from ..variants import Mutant
from .common import all_value_errors, generator, outcomes, partition_problem, wrong_type

SUITE = CheckSuite("optim")
check = SUITE.check

STEPS = 60
SHAPES = ((5,), (3, 4), (2, 3))


# -- form checks shared by every judge ----------------------------------------------
def _count_problem(got, n, what):
    """Why ``got`` is not a list or tuple of exactly ``n`` items, or None (checked before any loop)."""
    if not isinstance(got, (list, tuple)):
        return f"expected a list of {n} {what}, got {type(got).__name__}"
    if len(got) != n:
        return f"expected {n} {what}, got {len(got)}"
    return None


def _array_problem(got, shape, label):
    """Why ``got`` is not a finite float ndarray of ``shape``, or None."""
    if not isinstance(got, np.ndarray) or got.dtype.kind != "f":
        kind = f"an array of dtype {got.dtype}" if isinstance(got, np.ndarray) else type(got).__name__
        return f"{label} must be a float numpy array of shape {shape}, got {kind}"
    if got.shape != tuple(shape):
        return f"{label} has shape {got.shape}, expected {tuple(shape)} (the shape of w)"
    if not np.all(np.isfinite(got)):
        return f"{label} contains NaN or inf"
    return None


def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _is_real(value):
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def _result_problem(result, names, shape, label):
    """Form of one update's result: a tuple ``names`` long, arrays of ``shape`` (``t`` an int)."""
    problem = _count_problem(result, len(names), f"values ({', '.join(names)})")
    if problem:
        return f"{label}: {problem}"
    for name, value in zip(names, result):
        if name == "new_t":
            if not _is_int(value):
                return f"{label}: new_t must be an int, got {value!r}"
        else:
            problem = _array_problem(value, shape, f"{label}: {name}")
            if problem:
                return problem
    return None


def _compare_steps(got, expected, names, shape, *, rtol, atol, what):
    """Compare the list of per-step results ``got`` with ``expected`` (same structure)."""
    problem = _count_problem(got, len(expected), "step results")
    if problem:
        return f"{what}: {problem}"
    for k, (result, wanted) in enumerate(zip(got, expected), start=1):
        problem = _result_problem(result, names, shape, f"{what}, step {k}")
        if problem:
            return problem
        for name, value, target in zip(names, result, wanted):
            if name == "new_t":
                if int(value) != target:
                    return f"{what}, step {k}: new_t = {value}, expected {target}"
            elif not np.allclose(value, target, rtol=rtol, atol=atol):
                worst = float(np.max(np.abs(value - target)))
                return (f"{what}, step {k}: {name} differs from the expected value "
                        f"(largest difference {worst:.3g})")
    return None


# -- problems: random quadratics f(w) = 1/2 sum h (w - c)^2 -------------------------
def _quadratic(seed, stream):
    rng = generator(seed, stream)
    shape = SHAPES[int(rng.integers(len(SHAPES)))]
    curvature = rng.uniform(0.2, 3.0, size=shape)
    centre = rng.normal(0.0, 2.0, size=shape)
    start = rng.normal(0.0, 2.0, size=shape)
    return start, curvature, centre


def _gradient_at(point, curvature, centre, scale=1.0):
    return scale * curvature * (np.asarray(point, dtype=np.float64) - centre)


def _drive(function, start, curvature, centre, n_state, args, kwargs, *, steps=STEPS, scale=1.0, zero_t=False):
    """Run the student's rule for ``steps`` steps from zero state; every raw result, in order.

    ``args`` follow the state (lr, ...); with ``zero_t`` the last state entry is the int step
    count, starting at 0 (Adam).
    """
    w = start.copy()
    state = [np.zeros_like(start) for _ in range(n_state)]
    if zero_t:
        state[-1] = 0
    results = []
    for _ in range(steps):
        out = function(w, _gradient_at(w, curvature, centre, scale), *state, *args, **kwargs)
        results.append(out)
        w, state = out[0], list(out[1:1 + n_state])
        if len(state) != n_state:
            raise ValueError(f"the rule returned {len(out)} values; expected {n_state + 1}")
    return results


def _signed_magnitudes(rng, shape, low=0.1, high=2.0):
    """Random numbers of size in [low, high] and random sign (bounded away from 0)."""
    return np.where(rng.random(shape) < 0.5, -1.0, 1.0) * rng.uniform(low, high, size=shape)


def _gradient_sequence(seed, stream, steps=25):
    rng = generator(seed, stream)
    shape = SHAPES[int(rng.integers(len(SHAPES)))]
    return rng.normal(0.0, 1.0, size=shape), [_signed_magnitudes(rng, shape) for _ in range(steps)]


def _feed(function, start, gradients, state, args, kwargs):
    """Apply the student's rule to a fixed gradient sequence, feeding the state back."""
    w, state, results = start.copy(), list(state), []
    for g in gradients:
        out = function(w, g, *state, *args, **kwargs)
        results.append(out)
        w, state = out[0], list(out[1:1 + len(state)])
    return results


# -- independent implementations (from the docstrings) ------------------------------
def _momentum_path(start, curvature, centre, lr, mu, steps=STEPS):
    position, velocity, path = start.copy(), np.zeros_like(start), []
    for _ in range(steps):
        velocity = velocity * mu - _gradient_at(position, curvature, centre) * lr
        position = position + velocity
        path.append((position, velocity))
    return path


def _lookahead_path(start, curvature, centre, lr, mu, steps=STEPS):
    """Explicit Nesterov: gradient at theta + mu v; report the look-ahead point theta + mu v."""
    theta, velocity, path = start.copy(), np.zeros_like(start), []
    for _ in range(steps):
        ahead = theta + mu * velocity
        velocity = mu * velocity - lr * _gradient_at(ahead, curvature, centre)
        theta = theta + velocity
        path.append((theta + mu * velocity, velocity))
    return path


def _adagrad_path(start, curvature, centre, lr, eps, steps=STEPS):
    position, total, path = start.copy(), np.zeros_like(start), []
    for _ in range(steps):
        g = _gradient_at(position, curvature, centre)
        total = total + np.square(g)
        position = position - lr * g / (eps + np.sqrt(total))
        path.append((position, total))
    return path


def _rmsprop_path(start, curvature, centre, lr, decay, eps, steps=STEPS, scale=1.0):
    position, average, path = start.copy(), np.zeros_like(start), []
    for _ in range(steps):
        g = _gradient_at(position, curvature, centre, scale)
        average = average + (1.0 - decay) * (np.square(g) - average)
        position = position - lr * g / (eps + np.sqrt(average))
        path.append((position, average))
    return path


def _adam_path(start, curvature, centre, lr, b1, b2, eps, steps=STEPS, scale=1.0):
    position = start.copy()
    first, second, path = np.zeros_like(start), np.zeros_like(start), []
    for count in range(1, steps + 1):
        g = _gradient_at(position, curvature, centre, scale)
        first = first + (1.0 - b1) * (g - first)
        second = second + (1.0 - b2) * (g * g - second)
        corrected_first = first / (1.0 - b1 ** count)
        corrected_second = second / (1.0 - b2 ** count)
        position = position - lr * corrected_first / (eps + np.sqrt(corrected_second))
        path.append((position, first, second, count))
    return path


# -- hyperparameters for the trajectories --------------------------------------------
def _momentum_settings(seed):
    rng = generator(seed, 900)
    return [(float(rng.uniform(0.01, 0.3)), float(rng.uniform(0.5, 0.95))) for _ in range(2)]


def _adaptive_settings(seed):
    rng = generator(seed, 901)
    return [(float(rng.uniform(0.02, 0.5)), float(rng.uniform(0.5, 0.98)), float(10.0 ** rng.uniform(-8, -3)))
            for _ in range(2)]


def _adam_settings(seed):
    rng = generator(seed, 902)
    return [(float(rng.uniform(0.005, 0.2)), float(rng.uniform(0.5, 0.95)), float(rng.uniform(0.9, 0.9999)),
             float(10.0 ** rng.uniform(-8, -4))) for _ in range(2)]


_RULE_ARGS = {"sgd_momentum": ("v",), "nesterov": ("v",), "adagrad": ("cache",), "rmsprop": ("cache",)}


def _names(exercise):
    return ("new_w",) + tuple(f"new_{s}" for s in _RULE_ARGS[exercise])


# -- sgd_momentum -------------------------------------------------------------------
@check("sgd_momentum", "60 steps on random quadratics (state fed back) follow v = mu v - lr dw, w = w + v")
def _mom_path(student, seed):
    runs = []
    for i, (lr, mu) in enumerate(_momentum_settings(seed)):
        runs.append(_drive(student.sgd_momentum, *_quadratic(seed, i), 1, (lr,), {"mu": mu}))
    runs.append(_drive(student.sgd_momentum, *_quadratic(seed, 9), 1, (0.05,), {}))   # default mu = 0.9
    return runs


@_mom_path.judge
def _(got, reference, seed):
    settings = _momentum_settings(seed) + [(0.05, 0.9)]
    problem = _count_problem(got, len(settings), "runs")
    if problem:
        return problem
    for i, (run, (lr, mu)) in enumerate(zip(got, settings)):
        stream = i if i < 2 else 9
        start, curvature, centre = _quadratic(seed, stream)
        what = f"run {i + 1} (lr={lr:.3g}, mu={mu:.3g}{', the default' if i == 2 else ''})"
        problem = _compare_steps(run, _momentum_path(start, curvature, centre, lr, mu), _names("sgd_momentum"),
                                 start.shape, rtol=1e-9, atol=1e-12, what=what)
        if problem:
            return problem
    return None


@check("sgd_momentum", "a constant gradient g: after k steps v = -lr g (1 - mu^k) / (1 - mu), tending to -lr g / (1 - mu)")
def _mom_constant(student, seed):
    rng = generator(seed, 1)
    g, lr, mu = _signed_magnitudes(rng, (4,)), float(rng.uniform(0.01, 0.5)), float(rng.uniform(0.5, 0.97))
    return _feed(student.sgd_momentum, rng.normal(size=4), [g] * 400, [np.zeros(4)], (lr,), {"mu": mu})


@_mom_constant.judge
def _(got, reference, seed):
    rng = generator(seed, 1)
    g, lr, mu = _signed_magnitudes(rng, (4,)), float(rng.uniform(0.01, 0.5)), float(rng.uniform(0.5, 0.97))
    start = rng.normal(size=4)
    expected = []
    for k in range(1, 401):
        velocity = -lr * g * (1.0 - mu ** k) / (1.0 - mu)
        travelled = -lr * g / (1.0 - mu) * (k - mu * (1.0 - mu ** k) / (1.0 - mu))
        expected.append((start + travelled, velocity))
    problem = _compare_steps(got, expected, _names("sgd_momentum"), (4,), rtol=1e-9, atol=1e-12,
                             what=f"constant gradient (lr={lr:.3g}, mu={mu:.3g})")
    if problem:
        return problem
    return None


@check("sgd_momentum", "mu = 0 is plain gradient descent: w - lr dw, and v becomes -lr dw")
def _mom_plain(student, seed):
    return [student.sgd_momentum(w, dw, v, lr, mu=0.0) for w, dw, v, lr in _plain_cases(seed, 2)]


def _plain_cases(seed, stream):
    rng = generator(seed, stream)
    return [(rng.normal(size=(3, 2)), rng.normal(size=(3, 2)), rng.normal(size=(3, 2)), float(rng.uniform(0.01, 1)))
            for _ in range(3)]


@_mom_plain.judge
def _(got, reference, seed):
    cases = _plain_cases(seed, 2)
    problem = _count_problem(got, len(cases), "results")
    if problem:
        return problem
    for i, (result, (w, dw, v, lr)) in enumerate(zip(got, cases)):
        problem = _compare_steps([result], [(w - lr * dw, -lr * dw)], _names("sgd_momentum"), w.shape,
                                 rtol=1e-12, atol=1e-14, what=f"mu = 0, case {i + 1}")
        if problem:
            return problem + " (with mu = 0 the old velocity must be forgotten entirely)"
    return None


def _untouched_problem(got, originals, names, label):
    """``got`` = [inputs after the call..., result]: inputs must equal ``originals`` exactly."""
    problem = _count_problem(got, len(originals) + 1, "items (inputs after the call, result)")
    if problem:
        return problem
    for name, after, before in zip(names, got, originals):
        if not isinstance(after, np.ndarray) or after.shape != before.shape or not np.array_equal(after, before):
            return f"{label} modified its argument {name}: an update rule must return new arrays"
    return None


def _mutation_inputs(seed, stream, n_arrays):
    rng = generator(seed, stream)
    arrays = [rng.normal(size=(4, 3)) for _ in range(n_arrays)]
    if n_arrays >= 3:
        arrays[2] = np.abs(arrays[2])        # caches and second moments are >= 0
    if n_arrays >= 4:
        arrays[3] = np.abs(arrays[3])
    return arrays


def _call_and_keep(function, arrays, *rest, **kwargs):
    inputs = [a.copy() for a in arrays]
    result = function(*inputs, *rest, **kwargs)
    return inputs + [result]


@check("sgd_momentum", "w, dw and v are not modified, and the result is (new_w, new_v)")
def _mom_pure(student, seed):
    return _call_and_keep(student.sgd_momentum, _mutation_inputs(seed, 3, 3), 0.1, mu=0.8)


@_mom_pure.judge
def _(got, reference, seed):
    w, dw, v = _mutation_inputs(seed, 3, 3)
    problem = _untouched_problem(got, (w, dw, v), ("w", "dw", "v"), "sgd_momentum")
    if problem:
        return problem
    new_v = 0.8 * v - 0.1 * dw
    return _compare_steps([got[-1]], [(w + new_v, new_v)], _names("sgd_momentum"), w.shape,
                          rtol=1e-12, atol=1e-14, what="one step")


def _bad_rule_calls(function, n_state, extra_name):
    """Bad calls shared by the four single-state rules (extra_name: mu or decay or eps)."""
    w, wrong = np.zeros(3), np.zeros(4)
    state = [np.zeros(3)] * n_state
    calls = [lambda: function(w, wrong, *state, 0.1),
             lambda: function(w, w, *([wrong] * n_state), 0.1),
             lambda: function(w, w, *state, 0.0),
             lambda: function(w, w, *state, -0.1),
             lambda: function(w, w, *state, float("nan"))]
    if extra_name in ("mu", "decay"):
        calls += [lambda: function(w, w, *state, 0.1, **{extra_name: 1.0}),
                  lambda: function(w, w, *state, 0.1, **{extra_name: -0.5})]
    else:
        calls += [lambda: function(w, w, *state, 0.1, eps=0.0), lambda: function(w, w, *state, 0.1, eps=-1e-8)]
    return outcomes(calls)


def _bad_labels(extra_name, state_name):
    first = ["dw of another shape", f"{state_name} of another shape", "lr = 0", "lr = -0.1", "lr = nan"]
    if extra_name in ("mu", "decay"):
        return first + [f"{extra_name} = 1", f"{extra_name} = -0.5"]
    return first + ["eps = 0", "eps = -1e-8"]


@check("sgd_momentum", "bad arguments (shape mismatch, lr <= 0 or NaN, mu outside [0, 1)) raise ValueError")
def _mom_errors(student, seed):
    return _bad_rule_calls(student.sgd_momentum, 1, "mu")


@_mom_errors.judge
def _(got, reference, seed):
    return all_value_errors(got, _bad_labels("mu", "v"))


# -- nesterov -----------------------------------------------------------------------
@check("nesterov", "60 steps on random quadratics match the explicit look-ahead form (gradient at theta + mu v)")
def _nag_path(student, seed):
    runs = []
    for i, (lr, mu) in enumerate(_momentum_settings(seed)):
        runs.append(_drive(student.nesterov, *_quadratic(seed, 10 + i), 1, (lr,), {"mu": mu}))
    runs.append(_drive(student.nesterov, *_quadratic(seed, 19), 1, (0.05,), {}))   # default mu = 0.9
    return runs


@_nag_path.judge
def _(got, reference, seed):
    settings = _momentum_settings(seed) + [(0.05, 0.9)]
    problem = _count_problem(got, len(settings), "runs")
    if problem:
        return problem
    for i, (run, (lr, mu)) in enumerate(zip(got, settings)):
        start, curvature, centre = _quadratic(seed, 10 + i if i < 2 else 19)
        what = f"run {i + 1} (lr={lr:.3g}, mu={mu:.3g}{', the default' if i == 2 else ''})"
        problem = _compare_steps(run, _lookahead_path(start, curvature, centre, lr, mu), _names("nesterov"),
                                 start.shape, rtol=1e-9, atol=1e-12, what=what)
        if problem:
            return problem
    return None


def _nag_single_cases(seed):
    rng = generator(seed, 11)
    return [(rng.normal(size=(2, 5)), rng.normal(size=(2, 5)), rng.normal(size=(2, 5)),
             float(rng.uniform(0.01, 0.5)), float(rng.uniform(0.3, 0.99))) for _ in range(4)]


@check("nesterov", "one step from any velocity: w - mu v + (1 + mu) v_new with v_new = mu v - lr dw")
def _nag_single(student, seed):
    return [student.nesterov(w, dw, v, lr, mu=mu) for w, dw, v, lr, mu in _nag_single_cases(seed)]


@_nag_single.judge
def _(got, reference, seed):
    cases = _nag_single_cases(seed)
    problem = _count_problem(got, len(cases), "results")
    if problem:
        return problem
    for i, (result, (w, dw, v, lr, mu)) in enumerate(zip(got, cases)):
        velocity = mu * v - lr * dw
        ahead = w + mu * velocity - lr * dw          # the same point, written as look-ahead + correction
        problem = _compare_steps([result], [(ahead, velocity)], _names("nesterov"), w.shape,
                                 rtol=1e-10, atol=1e-12, what=f"case {i + 1} (mu={mu:.3g})")
        if problem:
            return problem
    return None


@check("nesterov", "mu = 0 is plain gradient descent, and w, dw, v are not modified")
def _nag_plain(student, seed):
    kept = _call_and_keep(student.nesterov, _mutation_inputs(seed, 12, 3), 0.1, mu=0.7)
    return [kept, [student.nesterov(w, dw, v, lr, mu=0.0) for w, dw, v, lr in _plain_cases(seed, 13)]]


@_nag_plain.judge
def _(got, reference, seed):
    problem = _count_problem(got, 2, "parts")
    if problem:
        return problem
    w, dw, v = _mutation_inputs(seed, 12, 3)
    problem = _untouched_problem(got[0], (w, dw, v), ("w", "dw", "v"), "nesterov")
    if problem:
        return problem
    cases = _plain_cases(seed, 13)
    problem = _count_problem(got[1], len(cases), "results with mu = 0")
    if problem:
        return problem
    for i, (result, (w, dw, v, lr)) in enumerate(zip(got[1], cases)):
        problem = _compare_steps([result], [(w - lr * dw, -lr * dw)], _names("nesterov"), w.shape,
                                 rtol=1e-12, atol=1e-14, what=f"mu = 0, case {i + 1}")
        if problem:
            return problem
    return None


@check("nesterov", "bad arguments (shape mismatch, lr <= 0 or NaN, mu outside [0, 1)) raise ValueError")
def _nag_errors(student, seed):
    return _bad_rule_calls(student.nesterov, 1, "mu")


@_nag_errors.judge
def _(got, reference, seed):
    return all_value_errors(got, _bad_labels("mu", "v"))


# -- adagrad ------------------------------------------------------------------------
@check("adagrad", "60 steps on random quadratics follow cache += dw^2, w -= lr dw / (sqrt(cache) + eps)")
def _ada_path(student, seed):
    runs = []
    for i, (lr, _, eps) in enumerate(_adaptive_settings(seed)):
        runs.append(_drive(student.adagrad, *_quadratic(seed, 20 + i), 1, (lr,), {"eps": eps}))
    runs.append(_drive(student.adagrad, *_quadratic(seed, 29), 1, (0.3,), {}))     # default eps = 1e-8
    return runs


@_ada_path.judge
def _(got, reference, seed):
    settings = [(lr, eps) for lr, _, eps in _adaptive_settings(seed)] + [(0.3, 1e-8)]
    problem = _count_problem(got, len(settings), "runs")
    if problem:
        return problem
    for i, (run, (lr, eps)) in enumerate(zip(got, settings)):
        start, curvature, centre = _quadratic(seed, 20 + i if i < 2 else 29)
        problem = _compare_steps(run, _adagrad_path(start, curvature, centre, lr, eps), _names("adagrad"),
                                 start.shape, rtol=1e-9, atol=1e-12, what=f"run {i + 1} (lr={lr:.3g}, eps={eps:.2g})")
        if problem:
            return problem
    return None


@check("adagrad", "after k steps the cache is the starting cache plus the sum of squared gradients (never decreasing)")
def _ada_state(student, seed):
    start, gradients = _gradient_sequence(seed, 21)
    cache = generator(seed, 22).uniform(0.0, 2.0, size=start.shape)
    return _feed(student.adagrad, start, gradients, [cache], (0.1,), {"eps": 1e-6})


@_ada_state.judge
def _(got, reference, seed):
    start, gradients = _gradient_sequence(seed, 21)
    total = generator(seed, 22).uniform(0.0, 2.0, size=start.shape)
    expected, position = [], start.copy()
    for g in gradients:
        total = total + g ** 2
        position = position - 0.1 * g / (np.sqrt(total) + 1e-6)
        expected.append((position, total))
    return _compare_steps(got, expected, _names("adagrad"), start.shape, rtol=1e-9, atol=1e-12,
                          what="random gradient sequence, non-zero starting cache")


def _tiny_gradients(seed, stream):
    """Gradients from 1e-9 to 1e3 in size: where eps = 1e-8 matters and where it does not."""
    rng = generator(seed, stream)
    return np.where(rng.random(12) < 0.5, -1.0, 1.0) * 10.0 ** np.linspace(-9, 3, 12)


@check("adagrad", "first step from a zero cache is lr dw / (|dw| + eps): eps outside the sqrt (gradients 1e-9 to 1e3)")
def _ada_first(student, seed):
    g = _tiny_gradients(seed, 23)
    return _call_and_keep(student.adagrad, [np.ones(12), g, np.zeros(12)], 0.01)


@_ada_first.judge
def _(got, reference, seed):
    g = _tiny_gradients(seed, 23)
    problem = _untouched_problem(got, (np.ones(12), g, np.zeros(12)), ("w", "dw", "cache"), "adagrad")
    if problem:
        return problem
    expected = (np.ones(12) - 0.01 * g / (np.abs(g) + 1e-8), g ** 2)
    return _compare_steps([got[-1]], [expected], _names("adagrad"), (12,), rtol=1e-9, atol=1e-15,
                          what="first step, eps = 1e-8")


@check("adagrad", "bad arguments (shape mismatch, lr <= 0 or NaN, eps <= 0) raise ValueError")
def _ada_errors(student, seed):
    return _bad_rule_calls(student.adagrad, 1, "eps")


@_ada_errors.judge
def _(got, reference, seed):
    return all_value_errors(got, _bad_labels("eps", "cache"))


# -- rmsprop ------------------------------------------------------------------------
@check("rmsprop", "60 steps on random quadratics follow cache = d cache + (1 - d) dw^2, w -= lr dw / (sqrt(cache) + eps)")
def _rms_path(student, seed):
    runs = []
    for i, (lr, decay, eps) in enumerate(_adaptive_settings(seed)):
        runs.append(_drive(student.rmsprop, *_quadratic(seed, 30 + i), 1, (lr * 0.1,), {"decay": decay, "eps": eps}))
    runs.append(_drive(student.rmsprop, *_quadratic(seed, 39), 1, (0.01,), {}))   # defaults 0.99, 1e-8
    return runs


@_rms_path.judge
def _(got, reference, seed):
    settings = [(lr * 0.1, d, eps) for lr, d, eps in _adaptive_settings(seed)] + [(0.01, 0.99, 1e-8)]
    problem = _count_problem(got, len(settings), "runs")
    if problem:
        return problem
    for i, (run, (lr, decay, eps)) in enumerate(zip(got, settings)):
        start, curvature, centre = _quadratic(seed, 30 + i if i < 2 else 39)
        what = f"run {i + 1} (lr={lr:.3g}, decay={decay:.3g}, eps={eps:.2g}{', the defaults' if i == 2 else ''})"
        problem = _compare_steps(run, _rmsprop_path(start, curvature, centre, lr, decay, eps), _names("rmsprop"),
                                 start.shape, rtol=1e-9, atol=1e-12, what=what)
        if problem:
            return problem
    return None


@check("rmsprop", "after k steps the cache is the exponential moving average d^k c0 + (1 - d) sum d^(k-j) g_j^2")
def _rms_state(student, seed):
    start, gradients = _gradient_sequence(seed, 31)
    cache = generator(seed, 32).uniform(0.0, 2.0, size=start.shape)
    return _feed(student.rmsprop, start, gradients, [cache], (0.01,), {"decay": 0.9, "eps": 1e-6})


@_rms_state.judge
def _(got, reference, seed):
    start, gradients = _gradient_sequence(seed, 31)
    initial = generator(seed, 32).uniform(0.0, 2.0, size=start.shape)
    expected, position = [], start.copy()
    for k in range(1, len(gradients) + 1):
        average = 0.9 ** k * initial + 0.1 * sum(0.9 ** (k - j) * gradients[j - 1] ** 2 for j in range(1, k + 1))
        position = position - 0.01 * gradients[k - 1] / (np.sqrt(average) + 1e-6)
        expected.append((position, average))
    return _compare_steps(got, expected, _names("rmsprop"), start.shape, rtol=1e-9, atol=1e-12,
                          what="random gradient sequence, decay = 0.9, non-zero starting cache")


@check("rmsprop", "gradients x1000 leave the path unchanged (up to eps), and eps sits outside the sqrt")
def _rms_scale(student, seed):
    start, curvature, centre = _quadratic(seed, 33)
    runs = [_drive(student.rmsprop, start, curvature, centre, 1, (0.02,), {"decay": 0.9}, steps=30, scale=s)
            for s in (1.0, 1000.0)]
    g = _tiny_gradients(seed, 34)
    return [[run[-1] for run in runs], _call_and_keep(student.rmsprop, [np.ones(12), g, np.zeros(12)], 0.01, decay=0.0)]


@_rms_scale.judge
def _(got, reference, seed):
    problem = _count_problem(got, 2, "parts") or _count_problem(got[0], 2, "final results")
    if problem:
        return problem
    start, curvature, centre = _quadratic(seed, 33)
    for result, scale in zip(got[0], (1.0, 1000.0)):
        problem = _result_problem(result, _names("rmsprop"), start.shape, f"gradient scale {scale:g}")
        if problem:
            return problem
    # Gradients s times larger give the path of eps / s exactly (the cache grows by s^2), whatever
    # the gradients' size: near the centre they become tiny, and eps is then not negligible.
    moved = [np.asarray(result[0]) - start for result in got[0]]
    scaled = _rmsprop_path(start, curvature, centre, 0.02, 0.9, 1e-8 / 1000.0, steps=30)[-1]
    if not np.allclose(moved[1], scaled[0] - start, rtol=1e-7, atol=1e-10):
        return "multiplying every gradient by 1000 changed the path: RMSprop divides by the root of the squared gradients"
    expected = _rmsprop_path(start, curvature, centre, 0.02, 0.9, 1e-8, steps=30)[-1]
    if not np.allclose(moved[0], expected[0] - start, rtol=1e-9, atol=1e-12):
        return "after 30 steps (decay = 0.9, default eps) the parameters differ from the expected ones"
    g = _tiny_gradients(seed, 34)
    problem = _untouched_problem(got[1], (np.ones(12), g, np.zeros(12)), ("w", "dw", "cache"), "rmsprop")
    if problem:
        return problem
    step = (np.ones(12) - 0.01 * g / (np.abs(g) + 1e-8), g ** 2)
    return _compare_steps([got[1][-1]], [step], _names("rmsprop"), (12,), rtol=1e-9, atol=1e-15,
                          what="decay = 0, one step with gradients from 1e-9 to 1e3 (eps outside the sqrt)")


@check("rmsprop", "bad arguments (shape mismatch, lr <= 0 or NaN, decay outside [0, 1)) raise ValueError")
def _rms_errors(student, seed):
    return _bad_rule_calls(student.rmsprop, 1, "decay")


@_rms_errors.judge
def _(got, reference, seed):
    return all_value_errors(got, _bad_labels("decay", "cache"))


# -- adam ---------------------------------------------------------------------------
_ADAM_NAMES = ("new_w", "new_m", "new_v", "new_t")


@check("adam", "60 steps on random quadratics from t = 0 (m, v, t fed back) match Adam with bias correction")
def _adam_traj(student, seed):
    runs = []
    for i, (lr, b1, b2, eps) in enumerate(_adam_settings(seed)):
        runs.append(_drive(student.adam, *_quadratic(seed, 40 + i), 3, (),
                           {"lr": lr, "beta1": b1, "beta2": b2, "eps": eps}, zero_t=True))
    runs.append(_drive(student.adam, *_quadratic(seed, 49), 3, (), {}, zero_t=True))   # the defaults
    return runs


@_adam_traj.judge
def _(got, reference, seed):
    settings = _adam_settings(seed) + [(1e-3, 0.9, 0.999, 1e-8)]
    problem = _count_problem(got, len(settings), "runs")
    if problem:
        return problem
    for i, (run, (lr, b1, b2, eps)) in enumerate(zip(got, settings)):
        start, curvature, centre = _quadratic(seed, 40 + i if i < 2 else 49)
        what = f"run {i + 1} (lr={lr:.3g}, beta1={b1:.3g}, beta2={b2:.4g}{', the defaults' if i == 2 else ''})"
        # rtol 1e-7 leaves room for other correct orders of the arithmetic around eps.
        problem = _compare_steps(run, _adam_path(start, curvature, centre, lr, b1, b2, eps), _ADAM_NAMES,
                                 start.shape, rtol=1e-7, atol=1e-12, what=what)
        if problem:
            return problem
    return None


@check("adam", "the first step (t = 0, m = v = 0) is lr dw / (|dw| + eps), about lr sign(dw), and returns t = 1")
def _adam_first(student, seed):
    g = _tiny_gradients(seed, 41)
    rng = generator(seed, 42)
    big = _signed_magnitudes(rng, (3, 3), 0.01, 100.0)
    return [_call_and_keep(student.adam, [np.ones(12), g, np.zeros(12), np.zeros(12)], 0, lr=0.01),
            student.adam(np.zeros((3, 3)), big, np.zeros((3, 3)), np.zeros((3, 3)), 0, lr=0.1, beta1=0.5, beta2=0.9)]


@_adam_first.judge
def _(got, reference, seed):
    problem = _count_problem(got, 2, "parts")
    if problem:
        return problem
    g = _tiny_gradients(seed, 41)
    problem = _untouched_problem(got[0], (np.ones(12), g, np.zeros(12), np.zeros(12)), ("w", "dw", "m", "v"), "adam")
    if problem:
        return problem
    expected = (np.ones(12) - 0.01 * g / (np.abs(g) + 1e-8), 0.1 * g, 0.001 * g ** 2, 1)
    problem = _compare_steps([got[0][-1]], [expected], _ADAM_NAMES, (12,), rtol=1e-9, atol=1e-15,
                             what="first step, gradients from 1e-9 to 1e3, eps = 1e-8")
    if problem:
        if isinstance(got[0][-1], (tuple, list)) and len(got[0][-1]) == 4 and isinstance(got[0][-1][0], np.ndarray):
            step = np.ones(12) - got[0][-1][0]
            if np.allclose(step[-4:], 0.01 * 0.1 / np.sqrt(0.001) * np.sign(g[-4:]), rtol=1e-3):
                problem += " (the step is about 3.16 lr: is the bias correction missing?)"
        return problem
    big = _signed_magnitudes(generator(seed, 42), (3, 3), 0.01, 100.0)
    wanted = (-0.1 * big / (np.abs(big) + 1e-8), 0.5 * big, 0.1 * big ** 2, 1)
    return _compare_steps([got[1]], [wanted], _ADAM_NAMES, (3, 3), rtol=1e-9, atol=1e-15,
                          what="first step, beta1 = 0.5, beta2 = 0.9")


def _resume_case(seed):
    """Resume at t0 = 37 with random moments, then 25 random gradients."""
    start, gradients = _gradient_sequence(seed, 43)
    rng = generator(seed, 44)
    return start, gradients, rng.normal(0.0, 0.5, start.shape), rng.uniform(0.1, 2.0, start.shape), 37


@check("adam", "resuming at t = 37: after k steps m, v are the moving averages, t = 37 + k, corrected with t + 1, t + 2, ...")
def _adam_state(student, seed):
    start, gradients, m0, v0, t0 = _resume_case(seed)
    return _feed(student.adam, start, gradients, [m0, v0, t0], (), {"lr": 0.01, "beta1": 0.8, "beta2": 0.95})


@_adam_state.judge
def _(got, reference, seed):
    start, gradients, m0, v0, t0 = _resume_case(seed)
    expected, position = [], start.copy()
    for k in range(1, len(gradients) + 1):
        first = 0.8 ** k * m0 + 0.2 * sum(0.8 ** (k - j) * gradients[j - 1] for j in range(1, k + 1))
        second = 0.95 ** k * v0 + 0.05 * sum(0.95 ** (k - j) * gradients[j - 1] ** 2 for j in range(1, k + 1))
        t = t0 + k
        position = position - 0.01 * (first / (1 - 0.8 ** t)) / (np.sqrt(second / (1 - 0.95 ** t)) + 1e-8)
        expected.append((position, first, second, t))
    return _compare_steps(got, expected, _ADAM_NAMES, start.shape, rtol=1e-9, atol=1e-12,
                          what="resumed at t = 37, beta1 = 0.8, beta2 = 0.95")


@check("adam", "gradients x1000 leave the path unchanged (up to eps)")
def _adam_scale(student, seed):
    start, curvature, centre = _quadratic(seed, 45)
    return [_drive(student.adam, start, curvature, centre, 3, (), {"lr": 0.05}, steps=30, scale=s, zero_t=True)[-1]
            for s in (1.0, 1000.0)]


@_adam_scale.judge
def _(got, reference, seed):
    problem = _count_problem(got, 2, "final results")
    if problem:
        return problem
    start, curvature, centre = _quadratic(seed, 45)
    for result, scale in zip(got, (1.0, 1000.0)):
        problem = _result_problem(result, _ADAM_NAMES, start.shape, f"gradient scale {scale:g}")
        if problem:
            return problem
    # Gradients s times larger give exactly the path of eps / s (m grows by s, v by s^2).
    moved = [np.asarray(result[0]) - start for result in got]
    scaled = _adam_path(start, curvature, centre, 0.05, 0.9, 0.999, 1e-8 / 1000.0, steps=30)[-1]
    if not np.allclose(moved[1], scaled[0] - start, rtol=1e-7, atol=1e-10):
        return "multiplying every gradient by 1000 changed the path: Adam's step should not depend on the gradient's scale"
    expected = _adam_path(start, curvature, centre, 0.05, 0.9, 0.999, 1e-8, steps=30)[-1]
    if not np.allclose(moved[0], expected[0] - start, rtol=1e-7, atol=1e-12):
        return "after 30 steps (lr = 0.05, default betas) the parameters differ from the expected ones"
    return None


_BAD_ADAM = ["dw of another shape", "v of another shape", "t = -1", wrong_type("t = 1.5"), "lr = 0", "beta1 = 1",
             "beta2 = -0.1", "eps = 0"]


@check("adam", "bad arguments (shape mismatch, t < 0 or not an int, lr <= 0, betas outside [0, 1), eps <= 0) raise ValueError")
def _adam_errors(student, seed):
    f, w, z = student.adam, np.zeros(3), np.zeros(4)
    return outcomes([lambda: f(w, z, w, w, 0), lambda: f(w, w, w, z, 0), lambda: f(w, w, w, w, -1),
                     lambda: f(w, w, w, w, 1.5), lambda: f(w, w, w, w, 0, lr=0.0),
                     lambda: f(w, w, w, w, 0, beta1=1.0), lambda: f(w, w, w, w, 0, beta2=-0.1),
                     lambda: f(w, w, w, w, 0, eps=0.0)])


@_adam_errors.judge
def _(got, reference, seed):
    return all_value_errors(got, _BAD_ADAM)


# -- lr_schedule --------------------------------------------------------------------
def _expected_rate(kind, it, base, kw):
    """The schedules of the docstring's table, written out independently."""
    gamma = kw.get("gamma")
    if kind == "fixed":
        return base
    if kind == "step":
        drops = 0
        while (drops + 1) * kw["step_size"] <= it:
            drops += 1
        return base * (0.1 if gamma is None else gamma) ** drops
    if kind == "multistep":
        drops = len([m for m in kw["milestones"] if it >= m])
        return base * (0.1 if gamma is None else gamma) ** drops
    if kind == "exp":
        return base * math.exp(it * math.log(gamma))
    if kind == "inv":
        return base / (1.0 + gamma * it) ** kw.get("power", 1.0)
    fraction = 1.0 if it >= kw["max_iter"] else it / kw["max_iter"]
    if kind == "poly":
        return base * (1.0 - fraction) ** kw.get("power", 1.0)
    low = kw.get("min_lr", 0.0)
    return low + 0.5 * (base - low) * (1.0 + math.cos(math.pi * fraction))


def _schedule_cases(seed):
    """(kind, it, base_lr, kwargs) at random iterations, with random and default parameters."""
    rng = generator(seed, 50)
    cases = []
    for _ in range(3):
        base = float(10.0 ** rng.uniform(-3, 0))
        size = int(rng.integers(1, 400))
        marks = sorted(int(m) for m in rng.choice(np.arange(1, 5000), size=3, replace=False))
        horizon = int(rng.integers(50, 5000))
        options = [
            ("fixed", {}),
            ("step", {"step_size": size, "gamma": float(rng.uniform(0.1, 0.9))}),
            ("step", {"step_size": size}),
            ("multistep", {"milestones": marks, "gamma": float(rng.uniform(0.1, 0.9))}),
            ("multistep", {"milestones": marks}),
            ("exp", {"gamma": float(rng.uniform(0.99, 0.9999))}),
            ("inv", {"gamma": float(10.0 ** rng.uniform(-4, -1)), "power": float(rng.uniform(0.3, 1.5))}),
            ("inv", {"gamma": float(10.0 ** rng.uniform(-4, -1))}),
            ("poly", {"max_iter": horizon, "power": float(rng.uniform(0.5, 2.0))}),
            ("poly", {"max_iter": horizon}),
            ("cosine", {"max_iter": horizon, "min_lr": base * float(rng.uniform(0.0, 0.2))}),
            ("cosine", {"max_iter": horizon}),
        ]
        for kind, kw in options:
            for it in rng.integers(0, 6000, size=4):
                cases.append((kind, int(it), base, kw))
    return cases


def _rates_problem(got, cases, label):
    problem = _count_problem(got, len(cases), "learning rates")
    if problem:
        return problem
    for value, (kind, it, base, kw) in zip(got, cases):
        expected = _expected_rate(kind, it, base, kw)
        if not _is_real(value) or not math.isfinite(value):
            return f"{label}: {kind} at it = {it} returned {value!r}, expected a finite float"
        if not math.isclose(value, expected, rel_tol=1e-9, abs_tol=1e-15):
            shown = {k: v for k, v in kw.items()}
            return f"{label}: {kind} schedule {shown} at it = {it}: got {value:.6g}, expected {expected:.6g}"
    return None


@check("lr_schedule", "every schedule at random iterations matches its formula (random and default parameters)")
def _sched_values(student, seed):
    return [student.lr_schedule(kind, it, base, **kw) for kind, it, base, kw in _schedule_cases(seed)]


@_sched_values.judge
def _(got, reference, seed):
    return _rates_problem(got, _schedule_cases(seed), "random iterations")


def _drop_cases(seed):
    rng = generator(seed, 51)
    size = int(rng.integers(2, 300))
    cases = [("step", it, 0.5, {"step_size": size}) for it in (0, size - 1, size, 2 * size - 1, 2 * size, 5 * size)]
    marks = {"milestones": [3000, 5500, 8000]}
    cases += [("multistep", it, 0.1, marks) for it in (0, 2999, 3000, 5499, 5500, 7999, 8000, 20000)]
    return cases


@check("lr_schedule", "step and multistep drop exactly at step_size and at the milestones 3000, 5500, 8000")
def _sched_drops(student, seed):
    return [student.lr_schedule(kind, it, base, **kw) for kind, it, base, kw in _drop_cases(seed)]


@_sched_drops.judge
def _(got, reference, seed):
    return _rates_problem(got, _drop_cases(seed), "around the drops (a drop happens at it = step_size, not one later)")


def _shape_grid(seed):
    rng = generator(seed, 52)
    horizon = int(rng.integers(20, 200))
    settings = [("fixed", {}), ("step", {"step_size": 7}), ("multistep", {"milestones": [5, 17, 40]}),
                ("exp", {"gamma": 0.97}), ("inv", {"gamma": 0.05, "power": 0.5}), ("inv", {"gamma": 0.1}),
                ("poly", {"max_iter": horizon, "power": 0.9}), ("poly", {"max_iter": horizon}),
                ("cosine", {"max_iter": horizon, "min_lr": 0.01}), ("cosine", {"max_iter": horizon})]
    return settings, 2 * horizon + 10


@check("lr_schedule", "each schedule starts at base_lr, never increases; poly ends at 0 and cosine at min_lr, and stay there")
def _sched_shape(student, seed):
    settings, length = _shape_grid(seed)
    return [[student.lr_schedule(kind, it, 0.2, **kw) for it in range(length)] for kind, kw in settings]


@_sched_shape.judge
def _(got, reference, seed):
    settings, length = _shape_grid(seed)
    problem = _count_problem(got, len(settings), "schedules")
    if problem:
        return problem
    for values, (kind, kw) in zip(got, settings):
        problem = _count_problem(values, length, f"rates of the {kind} schedule")
        if problem:
            return problem
        if not all(_is_real(v) and math.isfinite(v) for v in values):
            return f"{kind} {kw}: every rate must be a finite number"
        rates = np.asarray(values, dtype=float)
        if not math.isclose(rates[0], 0.2, rel_tol=1e-12):
            return f"{kind} {kw}: the rate at it = 0 is {rates[0]:.6g}, expected base_lr = 0.2"
        if np.any(np.diff(rates) > 1e-15):
            first = int(np.argmax(np.diff(rates) > 1e-15)) + 1
            return f"{kind} {kw}: the rate increases at it = {first}"
        if kind in ("poly", "cosine"):
            end = 0.0 if kind == "poly" else kw.get("min_lr", 0.0)
            tail = rates[kw["max_iter"]:]
            if not np.allclose(tail, end, rtol=0, atol=1e-12):
                return f"{kind} {kw}: from it = max_iter on the rate must be {end}, got {tail[:3]}"
        problem = _rates_problem(values, [(kind, it, 0.2, kw) for it in range(length)], "full schedule")
        if problem:
            return problem
    return None


_BAD_SCHEDULES = ["kind = 'linear'", "it = -1", wrong_type("it = 2.5"), "base_lr = 0", "step without step_size",
                  "multistep with decreasing milestones", "exp without gamma", "poly without max_iter",
                  "cosine with min_lr > base_lr"]


@check("lr_schedule", "bad arguments (unknown kind, negative it, missing or invalid parameters) raise ValueError")
def _sched_errors(student, seed):
    f = student.lr_schedule
    return outcomes([lambda: f("linear", 0, 0.1), lambda: f("fixed", -1, 0.1), lambda: f("fixed", 2.5, 0.1),
                     lambda: f("fixed", 0, 0.0), lambda: f("step", 3, 0.1),
                     lambda: f("multistep", 3, 0.1, milestones=[50, 20]), lambda: f("exp", 3, 0.1),
                     lambda: f("poly", 3, 0.1), lambda: f("cosine", 3, 0.1, max_iter=10, min_lr=0.5)])


@_sched_errors.judge
def _(got, reference, seed):
    return all_value_errors(got, _BAD_SCHEDULES)


# -- minibatch_indices --------------------------------------------------------------
def _batch_cases(seed):
    rng = generator(seed, 60)
    cases = []
    for _ in range(6):
        n = int(rng.integers(1, 300))
        cases.append((n, int(rng.integers(1, n + 1))))
    return cases + [(100, 32), (64, 64), (10, 3), (7, 50), (1, 1)]


def _batches_problem(batches, n, size, label):
    """Why ``batches`` is not one epoch's partition of 0..n-1 into full batches and a short last one."""
    expected_count = -(-n // size)
    problem = _count_problem(batches, expected_count, "batches")
    if problem:
        return f"{label}: {problem} (ceil(n / batch_size); the short last batch counts)"
    for index, batch in enumerate(batches):
        if not isinstance(batch, np.ndarray) or batch.ndim != 1 or batch.dtype.kind not in "iu":
            return f"{label}: batch {index + 1} must be a 1-D numpy array of integer row numbers"
    sizes = [len(b) for b in batches]
    wanted = [size] * (n // size) + ([n % size] if n % size else [])
    if sizes != wanted:
        return f"{label}: batch sizes {sizes[:6]}{'...' if len(sizes) > 6 else ''}, expected {wanted[:6]}"
    return partition_problem(batches, n) and f"{label}: {partition_problem(batches, n)}"


@check("minibatch_indices", "every row once per epoch, batches of batch_size and a short last batch (shuffled or not)")
def _mb_partition(student, seed):
    return [[student.minibatch_indices(n, b, generator(seed, i), shuffle=flag) for flag in (True, False)]
            for i, (n, b) in enumerate(_batch_cases(seed))]


@_mb_partition.judge
def _(got, reference, seed):
    cases = _batch_cases(seed)
    problem = _count_problem(got, len(cases), "cases")
    if problem:
        return problem
    for pair, (n, size) in zip(got, cases):
        problem = _count_problem(pair, 2, "epochs (shuffled, not shuffled)")
        if problem:
            return problem
        for batches, flag in zip(pair, ("shuffle=True", "shuffle=False")):
            problem = _batches_problem(batches, n, size, f"n={n}, batch_size={size}, {flag}")
            if problem:
                return problem
    return None


@check("minibatch_indices", "shuffle=False keeps the order 0..n-1; the same seed gives the same batches; rng may be None")
def _mb_order(student, seed):
    cases = _batch_cases(seed)
    return [[student.minibatch_indices(n, b, None, shuffle=False) for n, b in cases],
            [[student.minibatch_indices(n, b, generator(seed, 99), shuffle=True) for _ in range(2)] for n, b in cases]]


@_mb_order.judge
def _(got, reference, seed):
    cases = _batch_cases(seed)
    problem = _count_problem(got, 2, "parts") or _count_problem(got[0], len(cases), "cases") \
        or _count_problem(got[1], len(cases), "cases")
    if problem:
        return problem
    for batches, (n, size) in zip(got[0], cases):
        problem = _batches_problem(batches, n, size, f"n={n}, batch_size={size}, shuffle=False")
        if problem:
            return problem
        if not np.array_equal(np.concatenate(batches), np.arange(n)):
            return f"n={n}, batch_size={size}: with shuffle=False the rows must stay in the order 0, 1, ..., n-1"
    for pair, (n, size) in zip(got[1], cases):
        problem = _count_problem(pair, 2, "epochs")
        if problem:
            return problem
        for batches in pair:
            problem = _batches_problem(batches, n, size, f"n={n}, batch_size={size}")
            if problem:
                return problem
        if not np.array_equal(np.concatenate(pair[0]), np.concatenate(pair[1])):
            return (f"n={n}, batch_size={size}: two generators with the same seed gave different batches; "
                    "draw the order from rng only (no global np.random)")
    return None


# 10,000 epochs of n = 10 rows in batches of 4. A uniformly random order puts each row in the
# first batch with probability 0.4: the count is Binomial(10000, 0.4), sd 49.0. A band of
# +-330 (6.7 sd) fails a correct answer with probability < 3e-11 per row, < 3e-10 for all ten.
# Pairs (rows 0 and 1 together in batch 1, p = 12/90): sd 34.0, band +-235 (6.9 sd), < 1e-11.
# (Shuffling only the order of three fixed batches puts row 0 first 3,333 times: 667 off.)
_EPOCHS, _FIRST_BAND, _PAIR_BAND = 10_000, 330, 235


@check("minibatch_indices", "shuffled batches: every row equally likely in the first batch, rows mixed across batches, fresh order each call")
def _mb_uniform(student, seed):
    rng = generator(seed, 61)
    first_counts, together, repeats, previous = np.zeros(10, dtype=np.int64), 0, 0, None
    for _ in range(_EPOCHS):
        batches = student.minibatch_indices(10, 4, rng)
        first = np.asarray(batches[0], dtype=np.int64)
        if first.shape != (4,) or first.min() < 0 or first.max() > 9 or len(set(first.tolist())) != 4:
            return ["bad first batch", first.tolist()[:10], 0]
        first_counts[first] += 1
        together += int(0 in first and 1 in first)
        order = np.concatenate([np.asarray(b, dtype=np.int64) for b in batches])
        repeats += int(previous is not None and np.array_equal(order, previous))
        previous = order
    return [first_counts, together, repeats]


@_mb_uniform.judge
def _(got, reference, seed):
    problem = _count_problem(got, 3, "statistics")
    if problem:
        return problem
    counts, together, repeats = got
    if isinstance(counts, str):
        return f"a first batch of 4 distinct rows in 0..9 was expected, got {together}"
    counts = np.asarray(counts)
    if counts.shape != (10,) or not _is_int(together) or not _is_int(repeats):
        return "the statistics have the wrong form"
    expected = 0.4 * _EPOCHS
    if np.any(np.abs(counts - expected) > _FIRST_BAND):
        row = int(np.argmax(np.abs(counts - expected)))
        return (f"row {row} was in the first batch in {counts[row]} of {_EPOCHS} epochs, expected about "
                f"{expected:.0f}: shuffle the rows themselves, not only the order of the batches")
    if abs(together - _EPOCHS * 12 / 90) > _PAIR_BAND:
        return f"rows 0 and 1 shared the first batch {together} times, expected about {_EPOCHS * 12 / 90:.0f}"
    # Two successive uniform orders of 10 rows coincide with probability 1 / 10! < 3e-7 per epoch;
    # more than 2 repeats in 10,000 epochs has probability < 1e-7.
    if repeats > 2:
        return f"{repeats} of {_EPOCHS} epochs repeated the previous order: draw a fresh permutation from rng each call"
    return None


_BAD_BATCHES = ["n = 0", "batch_size = 0", wrong_type("n = 2.5"), wrong_type("shuffle=True with rng=None")]


@check("minibatch_indices", "bad arguments (n or batch_size < 1 or not int, missing rng when shuffling) raise ValueError")
def _mb_errors(student, seed):
    f, rng = student.minibatch_indices, generator(seed, 62)
    return outcomes([lambda: f(0, 4, rng), lambda: f(10, 0, rng), lambda: f(2.5, 1, rng), lambda: f(10, 3, None)])


@_mb_errors.judge
def _(got, reference, seed):
    return all_value_errors(got, _BAD_BATCHES)


# -- scale_lr -----------------------------------------------------------------------
def _scale_cases(seed):
    rng = generator(seed, 70)
    return [(float(10.0 ** rng.uniform(-4, 0)), int(rng.integers(1, 512)), int(rng.integers(1, 4096)))
            for _ in range(12)]


def _scaled_problem(got, cases, rule):
    problem = _count_problem(got, len(cases), "rates")
    if problem:
        return problem
    for value, (lr, old, new) in zip(got, cases):
        factor = new / old if rule == "linear" else math.sqrt(new / old)
        if not _is_real(value) or not math.isclose(value, lr * factor, rel_tol=1e-12):
            return (f"rule={rule!r}, base_lr={lr:.3g}, batch {old} -> {new}: got {value!r}, "
                    f"expected {lr * factor:.6g}")
    return None


@check("scale_lr", "linear rule: the rate grows by new_batch / base_batch (random batch sizes, up and down)")
def _scale_linear(student, seed):
    return [student.scale_lr(lr, old, new, "linear") for lr, old, new in _scale_cases(seed)]


@_scale_linear.judge
def _(got, reference, seed):
    return _scaled_problem(got, _scale_cases(seed), "linear")


@check("scale_lr", "sqrt rule: the rate grows by sqrt(new_batch / base_batch); the default rule is linear")
def _scale_sqrt(student, seed):
    cases = _scale_cases(seed)
    return [[student.scale_lr(lr, old, new, rule="sqrt") for lr, old, new in cases],
            [student.scale_lr(lr, old, new) for lr, old, new in cases]]


@_scale_sqrt.judge
def _(got, reference, seed):
    problem = _count_problem(got, 2, "parts")
    if problem:
        return problem
    cases = _scale_cases(seed)
    return _scaled_problem(got[0], cases, "sqrt") or _scaled_problem(got[1], cases, "linear")


_BAD_SCALE = ["rule = 'log'", "base_lr = 0", "base_batch = 0", wrong_type("new_batch = 2.5"), "base_lr = inf"]


@check("scale_lr", "bad arguments (unknown rule, base_lr <= 0 or inf, batch sizes not integers >= 1) raise ValueError")
def _scale_errors(student, seed):
    f = student.scale_lr
    return outcomes([lambda: f(0.1, 32, 64, "log"), lambda: f(0.0, 32, 64), lambda: f(0.1, 0, 64),
                     lambda: f(0.1, 32, 2.5), lambda: f(float("inf"), 32, 64)])


@_scale_errors.judge
def _(got, reference, seed):
    return all_value_errors(got, _BAD_SCALE)


# -- mutants: plausible wrong implementations, each must lose points -------------------
SUITE.mutants = [
    Mutant("sgd_momentum", "velocity_sign", "adds the gradient to the velocity (climbs the loss)",
           "v_new = mu * v - lr * dw\n    return w + v_new, v_new", "v_new = mu * v + lr * dw\n    return w + v_new, v_new",
           student="adds the gradient to the velocity, so the steps climb the loss",
           section="ch06-sgd-momentum"),
    Mutant("sgd_momentum", "old_velocity", "moves w with the previous velocity instead of the new one",
           "return w + v_new, v_new", "return w + v, v_new",
           student="moves the weights with the previous velocity instead of the new one",
           section="ch06-sgd-momentum"),
    Mutant("sgd_momentum", "dampened", "scales the gradient by (1 - mu) as in an exponential average",
           "v_new = mu * v - lr * dw\n    return w + v_new, v_new",
           "v_new = mu * v - (1 - mu) * lr * dw\n    return w + v_new, v_new",
           student="scales the gradient by (1 - mu) as an exponential average does, so the steps are too small",
           section="ch06-sgd-momentum"),
    Mutant("sgd_momentum", "in_place", "updates the velocity in place, overwriting the caller's array",
           "v_new = mu * v - lr * dw\n    return w + v_new, v_new",
           "v *= mu\n    v -= lr * dw\n    v_new = v\n    return w + v_new, v_new",
           student="updates the velocity in place, overwriting the caller's array",
           section="ch06-sgd-momentum"),
    Mutant("nesterov", "no_lookahead", "forgets the look-ahead correction: plain momentum",
           "return w - mu * v + (1.0 + mu) * v_new, v_new", "return w + v_new, v_new",
           student="forgets the look-ahead correction, which makes it plain momentum",
           section="ch06-nesterov"),
    Mutant("nesterov", "no_old_velocity", "adds (1 + mu) v_new but forgets to subtract mu v",
           "return w - mu * v + (1.0 + mu) * v_new, v_new", "return w + (1.0 + mu) * v_new, v_new",
           student="adds the look-ahead term but forgets to subtract the old velocity's part",
           section="ch06-nesterov"),
    Mutant("nesterov", "velocity_sign", "adds the gradient to the velocity",
           "v_new = mu * v - lr * dw\n    return w - mu", "v_new = mu * v + lr * dw\n    return w - mu",
           student="adds the gradient to the velocity, so the steps climb the loss",
           section="ch06-nesterov"),
    Mutant("nesterov", "in_place", "updates the velocity in place, so the old velocity is lost (and the caller's array changed)",
           "v_new = mu * v - lr * dw\n    return w - mu", "v *= mu\n    v -= lr * dw\n    v_new = v\n    return w - mu",
           student="updates the velocity in place, so the old velocity is lost and the caller's array changes",
           section="ch06-nesterov"),
    Mutant("adagrad", "no_sqrt", "divides by the cache itself instead of its square root",
           "return w - lr * dw / (np.sqrt(cache) + eps), cache\n    ### END SOLUTION\n\n\ndef rmsprop",
           "return w - lr * dw / (cache + eps), cache\n    ### END SOLUTION\n\n\ndef rmsprop",
           student="divides by the accumulated squares themselves instead of their square root",
           section="ch06-adagrad"),
    Mutant("adagrad", "eps_inside_sqrt", "adds eps inside the square root",
           "return w - lr * dw / (np.sqrt(cache) + eps), cache\n    ### END SOLUTION\n\n\ndef rmsprop",
           "return w - lr * dw / np.sqrt(cache + eps), cache\n    ### END SOLUTION\n\n\ndef rmsprop",
           student="adds eps inside the square root instead of after it",
           section="ch06-adagrad"),
    Mutant("adagrad", "no_accumulation", "keeps only the latest squared gradient instead of the sum",
           "cache = cache + dw * dw", "cache = dw * dw",
           student="keeps only the latest squared gradient instead of the running sum",
           section="ch06-adagrad"),
    Mutant("adagrad", "old_cache", "divides by the cache before adding this step's gradient",
           "cache = cache + dw * dw\n    return w - lr * dw / (np.sqrt(cache) + eps), cache",
           "new_cache = cache + dw * dw\n    return w - lr * dw / (np.sqrt(cache) + eps), new_cache",
           student="divides by the accumulated squares from before this step's gradient was added",
           section="ch06-adagrad"),
    Mutant("rmsprop", "cache_not_decayed", "accumulates (1 - decay) dw^2 without decaying the old cache",
           "cache = decay * cache + (1.0 - decay) * dw ** 2", "cache = cache + (1.0 - decay) * dw ** 2",
           student="adds the new squared gradient without decaying the old average",
           section="ch06-rmsprop"),
    Mutant("rmsprop", "swapped_decay", "weights the old cache by 1 - decay and the new gradient by decay",
           "cache = decay * cache + (1.0 - decay) * dw ** 2", "cache = (1.0 - decay) * cache + decay * dw ** 2",
           student="weights the old average by 1 - decay and the new squared gradient by decay (the wrong way round)",
           section="ch06-rmsprop"),
    Mutant("rmsprop", "eps_inside_sqrt", "adds eps inside the square root",
           "return w - lr * dw / (np.sqrt(cache) + eps), cache\n    ### END SOLUTION\n\n\ndef adam",
           "return w - lr * dw / np.sqrt(cache + eps), cache\n    ### END SOLUTION\n\n\ndef adam",
           student="adds eps inside the square root instead of after it",
           section="ch06-rmsprop"),
    Mutant("rmsprop", "no_sqrt", "divides by the running average itself, not its root",
           "return w - lr * dw / (np.sqrt(cache) + eps), cache\n    ### END SOLUTION\n\n\ndef adam",
           "return w - lr * dw / (cache + eps), cache\n    ### END SOLUTION\n\n\ndef adam",
           student="divides by the running average itself instead of its square root",
           section="ch06-rmsprop"),
    Mutant("adam", "no_bias_correction", "uses m and v without the bias correction",
           "m_hat = m / (1.0 - beta1 ** t)\n    v_hat = v / (1.0 - beta2 ** t)", "m_hat = m\n    v_hat = v",
           student="uses the moments without the bias correction, so the first steps are far too small",
           section="ch06-adam"),
    Mutant("adam", "t_from_zero", "corrects with the old step count (t starting at 0), incrementing afterwards",
           "    t = t + 1\n    m = beta1", "    m = beta1",
           student="corrects with the old step count and increments it afterwards",
           section="ch06-adam"),
    Mutant("adam", "eps_inside_sqrt", "adds eps inside the square root",
           "np.sqrt(v_hat) + eps)", "np.sqrt(v_hat + eps))",
           student="adds eps inside the square root instead of after it",
           section="ch06-adam"),
    Mutant("adam", "t_not_returned", "returns the old step count, so the correction never fades",
           "return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v, t",
           "return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v, t - 1",
           student="returns the old step count, so the bias correction never fades",
           section="ch06-adam"),
    Mutant("adam", "returns_corrected", "returns the bias-corrected moments as the state",
           "return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v, t",
           "return w - lr * m_hat / (np.sqrt(v_hat) + eps), m_hat, v_hat, t",
           student="returns the bias-corrected moments as the new state instead of the raw moving averages",
           section="ch06-adam"),
    Mutant("lr_schedule", "step_one_early", "drops the rate one iteration before step_size",
           "return base_lr * gamma ** (it // step_size)", "return base_lr * gamma ** ((it + 1) // step_size)",
           student="drops the step schedule's rate one iteration too early",
           section="ch06-lr-schedule"),
    Mutant("lr_schedule", "multistep_one_late", "drops the rate one iteration after each milestone",
           "passed = sum(1 for p in points if p <= it)", "passed = sum(1 for p in points if p < it)",
           student="drops the rate one iteration after each milestone instead of at it",
           section="ch06-lr-schedule"),
    Mutant("lr_schedule", "exp_off_by_one", "counts iterations from 1 in the exponential schedule",
           "return base_lr * gamma ** it\n", "return base_lr * gamma ** (it + 1)\n",
           student="counts iterations from 1 in the exponential schedule, so it starts below the base rate",
           section="ch06-lr-schedule"),
    Mutant("lr_schedule", "no_clamp", "lets poly and cosine run past max_iter",
           "progress = min(it, max_iter) / max_iter", "progress = it / max_iter",
           student="lets the poly and cosine schedules run on past max_iter instead of holding the final rate",
           section="ch06-lr-schedule"),
    Mutant("lr_schedule", "inv_sign", "raises 1 + gamma it to +power, so the rate grows",
           "(1.0 + gamma * it) ** (-power)", "(1.0 + gamma * it) ** power",
           student="raises (1 + gamma it) to a positive power in the inverse schedule, so the rate grows",
           section="ch06-lr-schedule"),
    Mutant("minibatch_indices", "last_batch_dropped", "drops the short last mini-batch",
           "for start in range(0, n, batch_size)]", "for start in range(0, n - batch_size + 1, batch_size)]",
           student="drops the short last mini-batch, so some rows are never used",
           section="ch06-minibatch-indices"),
    Mutant("minibatch_indices", "batch_order_only", "shuffles the order of fixed consecutive batches, not the rows",
           "order = check_generator(rng).permutation(n)",
           "order = np.concatenate([np.arange(s, min(s + batch_size, n)) "
           "for s in check_generator(rng).permutation(np.arange(0, n, batch_size))])",
           student="shuffles the order of fixed consecutive batches instead of the rows themselves",
           section="ch06-minibatch-indices"),
    Mutant("minibatch_indices", "global_random", "shuffles with NumPy's global random state instead of rng",
           "order = check_generator(rng).permutation(n)", "order = np.random.permutation(n)",
           student="shuffles with NumPy's global random state instead of the rng it was given",
           section="ch06-minibatch-indices"),
    Mutant("minibatch_indices", "always_shuffles", "shuffles even when shuffle is false",
           "    if shuffle:\n        order", "    if True:\n        order",
           student="shuffles even when shuffle is false",
           section="ch06-minibatch-indices"),
    Mutant("scale_lr", "inverted_ratio", "divides by the batch ratio instead of multiplying",
           'ratio = check_positive_int(new_batch, "new_batch") / check_positive_int(base_batch, "base_batch")',
           'ratio = check_positive_int(base_batch, "base_batch") / check_positive_int(new_batch, "new_batch")',
           student="divides by the batch-size ratio instead of multiplying by it",
           section="ch06-scale-lr"),
    Mutant("scale_lr", "sqrt_is_linear", "forgets the square root in the sqrt rule",
           "return base_lr * math.sqrt(ratio)", "return base_lr * ratio",
           student="forgets the square root in the square-root rule",
           section="ch06-scale-lr"),
    Mutant("scale_lr", "sqrt_of_rate", "takes the square root of the whole rate",
           "return base_lr * math.sqrt(ratio)", "return math.sqrt(base_lr * ratio)",
           student="takes the square root of the whole scaled rate instead of the batch-size ratio only",
           section="ch06-scale-lr"),
    Mutant("scale_lr", "linear_is_sqrt", "uses the square root for the linear rule too",
           'if rule == "linear":\n        return base_lr * ratio', 'if rule == "linear":\n        return base_lr * math.sqrt(ratio)',
           student="uses the square root for the linear rule too",
           section="ch06-scale-lr"),
]
