"""An independent correct answer for nnlib/optim.py, written from the stub's docstrings.

Different style from the reference on purpose: validation through one table of checks,
moment updates written as "old + (1 - beta) * (new - old)", the Nesterov step in its
"w + mu * v_new - lr * dw" form, schedules through a dict of small functions, batches
drawn by sorting random keys.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

LR_SCHEDULES = ("fixed", "step", "multistep", "exp", "inv", "poly", "cosine")


def _real(x):
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _require(condition, message):
    if not condition:
        raise ValueError(message)


def _rate(lr, name="lr"):
    _require(_real(lr) and 0 < lr < math.inf, f"{name}: expected a finite number above 0, not {lr!r}")
    return float(lr)


def _fraction(x, name):
    _require(_real(x) and 0 <= x < 1, f"{name}: expected a number with 0 <= {name} < 1, not {x!r}")
    return float(x)


def _arrays(w, *others):
    out = [np.array(w, dtype=float, copy=True)]
    for other in others:
        arr = np.array(other, dtype=float, copy=True)
        _require(arr.shape == out[0].shape, f"shape mismatch: {arr.shape} is not the shape of w, {out[0].shape}")
        out.append(arr)
    return out


def _whole(x, name, low):
    _require(isinstance(x, numbers.Integral) and not isinstance(x, bool) and x >= low,
             f"{name}: expected an integer >= {low}, not {x!r}")
    return int(x)


def sgd_momentum(w, dw, v, lr, mu=0.9):
    w, dw, v = _arrays(w, dw, v)
    lr, mu = _rate(lr), _fraction(mu, "mu")
    velocity = v * mu
    velocity -= dw * lr
    return w + velocity, velocity


def nesterov(w, dw, v, lr, mu=0.9):
    w, dw, v = _arrays(w, dw, v)
    lr, mu = _rate(lr), _fraction(mu, "mu")
    velocity = v * mu - dw * lr
    # w - mu v + (1 + mu) v_new  ==  w + mu v_new - lr dw  (substitute v_new = mu v - lr dw)
    return w + mu * velocity - lr * dw, velocity


def adagrad(w, dw, cache, lr, eps=1e-8):
    w, dw, cache = _arrays(w, dw, cache)
    lr, eps = _rate(lr), _rate(eps, "eps")
    cache += np.square(dw)
    scale = lr / (eps + np.sqrt(cache))
    return w - scale * dw, cache


def rmsprop(w, dw, cache, lr, decay=0.99, eps=1e-8):
    w, dw, cache = _arrays(w, dw, cache)
    lr, eps, decay = _rate(lr), _rate(eps, "eps"), _fraction(decay, "decay")
    cache += (1 - decay) * (np.square(dw) - cache)
    return w - lr * dw / (eps + np.sqrt(cache)), cache


def adam(w, dw, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    w, dw, m, v = _arrays(w, dw, m, v)
    step = _whole(t, "t", 0) + 1
    lr, eps = _rate(lr), _rate(eps, "eps")
    b1, b2 = _fraction(beta1, "beta1"), _fraction(beta2, "beta2")
    m += (1 - b1) * (dw - m)
    v += (1 - b2) * (dw * dw - v)
    denominator = np.sqrt(v / (1 - b2 ** step)) + eps
    return w - lr * (m / (1 - b1 ** step)) / denominator, m, v, step


def lr_schedule(kind, it, base_lr, *, step_size=None, milestones=None, gamma=None, power=1.0,
                max_iter=None, min_lr=0.0):
    _require(isinstance(kind, str) and kind in LR_SCHEDULES, f"unknown schedule {kind!r}; one of {LR_SCHEDULES}")
    it = _whole(it, "it", 0)
    base = _rate(base_lr, "base_lr")

    def factor_gamma(default):
        g = default if gamma is None else gamma
        _require(_real(g) and 0 < g <= 1, f"gamma must be in (0, 1], not {g!r}")
        return float(g)

    def horizon():
        return _whole(max_iter, "max_iter", 1)

    def fixed():
        return base

    def step():
        return base * factor_gamma(0.1) ** (it // _whole(step_size, "step_size", 1))

    def multistep():
        _require(milestones is not None and len(milestones) > 0, "multistep needs a non-empty milestones list")
        marks = [_whole(x, "milestone", 1) for x in milestones]
        _require(all(a < b for a, b in zip(marks, marks[1:])), "milestones must be strictly increasing")
        g = factor_gamma(0.1)
        return base * g ** len([x for x in marks if x <= it])

    def exp():
        _require(gamma is not None, "exp needs gamma")
        return base * factor_gamma(None) ** it

    def inv():
        _require(_real(gamma) and 0 < gamma < math.inf, "inv needs gamma > 0")
        p = _rate(power, "power")
        return base / (1 + gamma * it) ** p

    def poly():
        p, T = _rate(power, "power"), horizon()
        return 0.0 if it >= T else base * (1 - it / T) ** p

    def cosine():
        T = horizon()
        _require(_real(min_lr) and 0 <= min_lr <= base, "min_lr must lie in [0, base_lr]")
        if it >= T:
            return float(min_lr)
        return min_lr + 0.5 * (base - min_lr) * (1 + math.cos(math.pi * it / T))

    table = {"fixed": fixed, "step": step, "multistep": multistep, "exp": exp, "inv": inv,
             "poly": poly, "cosine": cosine}
    return float(table[kind]())


def minibatch_indices(n, batch_size, rng, shuffle=True):
    n, size = _whole(n, "n", 1), _whole(batch_size, "batch_size", 1)
    if shuffle:
        _require(isinstance(rng, np.random.Generator), "shuffling needs rng, a numpy.random.Generator")
        rows = np.argsort(rng.random(n), kind="stable")
    else:
        rows = np.arange(n)
    cuts = list(range(size, n, size))
    return [np.asarray(part, dtype=np.int64) for part in np.split(rows, cuts)]


def scale_lr(base_lr, base_batch, new_batch, rule="linear"):
    lr = _rate(base_lr, "base_lr")
    old, new = _whole(base_batch, "base_batch", 1), _whole(new_batch, "new_batch", 1)
    rules = {"linear": lambda r: r, "sqrt": math.sqrt}
    _require(rule in rules, f"rule must be 'linear' or 'sqrt', not {rule!r}")
    return lr * rules[rule](new / old)
