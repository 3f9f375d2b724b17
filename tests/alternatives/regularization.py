"""An independent correct answer to nnlib/regularization.py, written from the stub docstrings only.

Loops where the reference vectorizes and the other way round; dropout draws its mask with
``rng.binomial`` (one Bernoulli trial per unit) instead of comparing uniform draws.
"""
from __future__ import annotations

import numbers

import numpy as np

from nnlib.mlp import n_layers


def _finite_nonnegative(x, what):
    if isinstance(x, bool) or not isinstance(x, numbers.Real) or not np.isfinite(x) or x < 0:
        raise ValueError(f"{what} should be a finite real >= 0, not {x!r}")
    return float(x)


def _examples(m):
    if isinstance(m, bool) or not isinstance(m, numbers.Integral) or m < 1:
        raise ValueError(f"m (number of examples) should be a positive integer, not {m!r}")
    return int(m)


def _layer_names(params):
    depth = n_layers(params)
    return [f"W{l}" for l in range(1, depth + 1)], [f"b{l}" for l in range(1, depth + 1)]


def l2_penalty(params, lam, m):
    strength, count = _finite_nonnegative(lam, "lam"), _examples(m)
    weights, biases = _layer_names(params)
    factor = strength / count
    squares = 0.0
    grads = {}
    for key in weights:
        matrix = np.array(params[key], dtype=np.float64)
        squares += float(np.einsum("ij,ij->", matrix, matrix))
        grads[key] = factor * matrix
    for key in biases:
        grads[key] = np.zeros(np.shape(params[key]), dtype=np.float64)
    return 0.5 * factor * squares, grads


def elastic_net_penalty(params, lam, m, *, l1_ratio=0.5):
    strength, count = _finite_nonnegative(lam, "lam"), _examples(m)
    ratio = _finite_nonnegative(l1_ratio, "l1_ratio")
    if ratio > 1.0:
        raise ValueError(f"l1_ratio should lie between 0 and 1, not {l1_ratio!r}")
    weights, biases = _layer_names(params)
    value, grads = 0.0, {}
    for key in weights:
        matrix = np.array(params[key], dtype=np.float64)
        flat = matrix.ravel()
        value += ratio * float(np.linalg.norm(flat, 1)) + (1.0 - ratio) * 0.5 * float(flat @ flat)
        signs = np.zeros_like(matrix)
        signs[matrix > 0] = 1.0
        signs[matrix < 0] = -1.0
        grads[key] = (strength / count) * (ratio * signs + (1.0 - ratio) * matrix)
    for key in biases:
        grads[key] = np.zeros(np.shape(params[key]))
    return strength / count * value, grads


def dropout_forward(a, keep_prob, *, rng=None, train=True):
    if isinstance(keep_prob, bool) or not isinstance(keep_prob, numbers.Real) or not (0.0 < keep_prob <= 1.0):
        raise ValueError(f"keep_prob should be a probability of keeping a unit in (0, 1], not {keep_prob!r}")
    p = float(keep_prob)
    values = np.array(a, dtype=np.float64)
    if not train:
        return values, np.ones(values.shape, dtype=np.float64)
    if not isinstance(rng, np.random.Generator):
        raise ValueError("rng should be a numpy.random.Generator when train is true")
    kept = rng.binomial(1, p, size=values.shape).astype(np.float64)
    mask = np.where(kept == 1.0, 1.0 / p, 0.0)
    return values * mask, mask


def dropout_backward(dout, mask):
    upstream = np.array(dout, dtype=np.float64)
    scale = np.array(mask, dtype=np.float64)
    if np.shape(upstream) != np.shape(scale):
        raise ValueError(f"dout has shape {np.shape(upstream)} but mask has shape {np.shape(scale)}")
    return np.multiply(upstream, scale)


def max_norm_project(W, c=3.0, *, axis=0):
    matrix = np.array(W, dtype=np.float64)
    if matrix.ndim != 2:
        raise ValueError(f"W should be 2-D, not of shape {matrix.shape}")
    if isinstance(c, bool) or not isinstance(c, numbers.Real) or not np.isfinite(c) or c <= 0:
        raise ValueError(f"c should be a finite number > 0, not {c!r}")
    if type(axis) is bool or axis not in (0, 1):
        raise ValueError(f"axis should be 0 or 1, not {axis!r}")
    vectors = matrix if axis == 0 else matrix.T          # a view: columns are the unit vectors
    for j in range(vectors.shape[1]):
        length = np.sqrt(np.sum(vectors[:, j] ** 2))
        if length > c:
            vectors[:, j] = vectors[:, j] * (c / length)
    return matrix


def early_stopping(val_losses, patience, *, min_delta=0.0):
    losses = np.array(val_losses, dtype=np.float64)
    if losses.ndim != 1 or len(losses) == 0:
        raise ValueError("val_losses should be a non-empty 1-D sequence")
    if np.any(np.isnan(losses)):
        raise ValueError("val_losses should not contain NaN")
    if isinstance(patience, bool) or not isinstance(patience, numbers.Integral) or patience < 1:
        raise ValueError(f"patience should be an integer >= 1, not {patience!r}")
    delta = _finite_nonnegative(min_delta, "min_delta")
    best_index, best_loss, waited = 0, losses[0], 0
    for index in range(1, len(losses)):
        if losses[index] < best_loss - delta:
            best_index, best_loss, waited = index, losses[index], 0
            continue
        waited += 1
        if waited == patience:
            return best_index + 1, index + 1
    return best_index + 1, len(losses)
