"""An independent correct answer to chapter 5 (nnlib/gradcheck.py), written from the stub's docstrings.

Deliberately different in style from the reference: flat-index loops with unravel_index,
copies of the parameter dict instead of in-place perturbation in grad_check, a permutation
instead of a choice for the sampled entries, a hand-written softmax and bisection for the bands.
"""
from __future__ import annotations

import bisect
import numbers

import numpy as np


def _real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def numerical_gradient(f, x, h=1e-5, method="centered"):
    if not (isinstance(x, np.ndarray) and x.dtype == np.float64):
        raise ValueError("x has to be a float64 ndarray")
    if not (_real(h) and np.isfinite(h) and h > 0):
        raise ValueError("h has to be a finite positive number")
    if method not in {"centered", "forward"}:
        raise ValueError("unknown method; use 'centered' or 'forward'")
    out = np.empty(x.shape, dtype=np.float64)
    if method == "forward":
        base = np.asarray(f(x), dtype=np.float64).item()
    for k in range(x.size):
        where = np.unravel_index(k, x.shape) if x.shape else ()
        original = x[where].copy()
        try:
            x[where] = original + h
            up = np.asarray(f(x), dtype=np.float64).item()
            if method == "centered":
                x[where] = original - h
                down = np.asarray(f(x), dtype=np.float64).item()
                out[where] = (up - down) / h / 2.0
            else:
                out[where] = (up - base) / h
        finally:
            x[where] = original
    return out


def relative_error(a, b):
    try:
        first, second = np.array(a, dtype=float), np.array(b, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError("relative_error needs numbers") from exc
    if first.shape != second.shape:
        raise ValueError("a and b must share a shape")
    bigger = np.fmax(np.fabs(first), np.fabs(second))
    gap = np.fabs(second - first)
    result = np.zeros(first.shape)
    np.divide(gap, bigger, out=result, where=bigger != 0)
    result[np.isnan(first) | np.isnan(second)] = np.nan
    return result


_EDGES = [1e-7, 1e-4, 1e-2]


def verdict(rel_err, *, has_kinks=False):
    if not _real(rel_err):
        raise ValueError("rel_err must be a real number")
    value = float(rel_err)
    if value != value:          # NaN: the check broke
        return "wrong"
    if value < 0:
        raise ValueError("rel_err cannot be below zero")
    band = bisect.bisect_right(_EDGES, value)     # 0, 1, 2 or 3
    if band == 1:
        return "ok" if has_kinks else "suspicious"
    return ("ok", None, "suspicious", "wrong")[band]


def kink_crossed(z, h):
    try:
        inputs = np.asarray(z, dtype=float)
        shift = np.asarray(h, dtype=float)
        inputs, shift = np.broadcast_arrays(inputs, shift)
    except (TypeError, ValueError) as exc:
        raise ValueError("z and h must be numeric and broadcastable") from exc
    if not np.isfinite(shift).all() or (shift < 0).any():
        raise ValueError("h must be finite and non-negative")
    winner_up = np.where(inputs + shift > 0, 1, 0)
    winner_down = np.where(inputs - shift > 0, 1, 0)
    return np.not_equal(winner_up, winner_down)


def grad_check(loss_fn, params, grads, *, h=1e-5, n_per_param=5, rng):
    if not isinstance(rng, np.random.Generator):
        raise ValueError("rng must be a numpy Generator")
    if not isinstance(params, dict) or len(params) == 0:
        raise ValueError("params must be a non-empty dict")
    if not isinstance(grads, dict) or sorted(grads) != sorted(params):
        raise ValueError("grads must have exactly the keys of params")
    for key in params:
        p = params[key]
        if not isinstance(p, np.ndarray) or p.dtype != np.float64:
            raise ValueError(f"{key} must be a float64 array")
        if np.shape(grads[key]) != p.shape:
            raise ValueError(f"gradient of {key} has the wrong shape")
    if not (_real(h) and np.isfinite(h) and h > 0):
        raise ValueError("h must be finite and > 0")
    if isinstance(n_per_param, bool) or not isinstance(n_per_param, numbers.Integral) or n_per_param < 1:
        raise ValueError("n_per_param must be a positive integer")

    def loss_with(key, flat_index, delta):
        trial = {k: v.copy() for k, v in params.items()}
        trial[key].flat[flat_index] += delta
        return float(loss_fn(trial))

    report = {}
    for key in params:
        size = params[key].size
        picks = rng.permutation(size)[: min(int(n_per_param), size)]
        worst = 0.0
        for j in picks:
            slope = (loss_with(key, j, h) - loss_with(key, j, -h)) / (2.0 * h)
            given = float(np.asarray(grads[key], dtype=float).flat[j])
            denominator = max(abs(given), abs(slope))
            if denominator > 0:
                worst = max(worst, abs(given - slope) / denominator)
        report[key] = float(worst)
    return report


def mlp_loss_and_grads(params, X, y, *, lam=0.0, keep_prob=1.0, seed=None):
    if not isinstance(params, dict) or set(params) != {"W1", "b1", "W2", "b2"}:
        raise ValueError("params must hold W1, b1, W2 and b2")
    W1, b1 = np.asarray(params["W1"], float), np.asarray(params["b1"], float)
    W2, b2 = np.asarray(params["W2"], float), np.asarray(params["b2"], float)
    if W1.ndim != 2 or W2.ndim != 2 or b1.shape != (W1.shape[1],) or b2.shape != (W2.shape[1],) \
            or W2.shape[0] != W1.shape[1] or W2.shape[1] < 2:
        raise ValueError("the shapes of W1, b1, W2, b2 do not chain")
    inputs = np.asarray(X, dtype=float)
    if inputs.ndim != 2 or inputs.shape[0] < 1 or inputs.shape[1] != W1.shape[0]:
        raise ValueError("X does not fit W1")
    labels = np.asarray(y)
    if labels.shape != (inputs.shape[0],) or labels.dtype.kind not in "iu" \
            or labels.min() < 0 or labels.max() >= W2.shape[1]:
        raise ValueError("y must hold one class label per row")
    if not (_real(lam) and np.isfinite(lam) and lam >= 0):
        raise ValueError("lam must be finite and >= 0")
    if not (_real(keep_prob) and 0 < keep_prob <= 1):
        raise ValueError("keep_prob must be in (0, 1]")
    count = inputs.shape[0]

    pre = inputs @ W1 + b1
    hidden = np.maximum(pre, 0.0)
    if keep_prob == 1:
        keep = np.ones(hidden.shape)
    else:
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
            raise ValueError("dropout needs an integer seed >= 0")
        uniform = np.random.default_rng(seed).random(hidden.shape)
        keep = np.where(uniform < keep_prob, 1.0 / keep_prob, 0.0)
    dropped = hidden * keep
    logits = dropped @ W2 + b2

    top = logits.max(axis=1, keepdims=True)
    log_z = top[:, 0] + np.log(np.exp(logits - top).sum(axis=1))
    picked = logits[np.arange(count), labels]
    data = float(np.mean(log_z - picked))
    weight_sq = (W1 ** 2).sum() + (W2 ** 2).sum()
    total = data + 0.5 * lam / count * float(weight_sq)

    probs = np.exp(logits - log_z[:, None])
    probs[np.arange(count), labels] -= 1.0
    d_logits = probs / count
    d_hidden = (d_logits @ W2.T) * keep
    d_pre = np.where(pre > 0, d_hidden, 0.0)
    return total, {
        "W1": inputs.T @ d_pre + (lam / count) * W1,
        "b1": np.sum(d_pre, axis=0),
        "W2": dropped.T @ d_logits + (lam / count) * W2,
        "b2": np.sum(d_logits, axis=0),
    }
