"""An independent answer to chapter 4 (nnlib/initialization.py), written from the stub's docstrings.

Deliberately different from the reference: columns drawn one at a time, uniform numbers
made from rng.random, layers drawn last to first, an explicit forward loop, batch norm
feature by feature and its backward pass through the computational graph step by step.
"""
import math

import numpy as np

from nnlib import activations

SCHEMES = "zeros small lecun glorot_normal glorot_uniform he".split()


def _int_at_least_one(value, what):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{what} must be an integer >= 1 (got {value!r})")
    return int(value)


def _generator(rng):
    if not isinstance(rng, np.random.Generator):
        raise ValueError("rng must be a numpy.random.Generator")
    return rng


def init_weights(n_in, n_out, scheme, rng):
    rows = _int_at_least_one(n_in, "n_in")
    cols = _int_at_least_one(n_out, "n_out")
    if scheme not in SCHEMES or not isinstance(scheme, str):
        raise ValueError(f"scheme {scheme!r} is not one of {SCHEMES}")
    _generator(rng)
    W = np.empty((rows, cols), dtype=np.float64)
    if scheme == "zeros":
        W[...] = 0.0
        return W
    fan_sum = rows + cols
    for j in range(cols):                      # one unit (column) at a time
        if scheme == "glorot_uniform":
            limit = math.sqrt(6 / fan_sum)
            W[:, j] = limit * (2.0 * rng.random(rows) - 1.0)
        else:
            variance = {"small": 1e-4, "lecun": 1 / rows, "glorot_normal": 2 / fan_sum, "he": 2 / rows}[scheme]
            W[:, j] = rng.normal(0.0, math.sqrt(variance), size=rows)
    return W


def init_network(layer_sizes, scheme, rng):
    try:
        sizes = list(layer_sizes)
    except TypeError:
        raise ValueError("layer_sizes must be a sequence of ints") from None
    if isinstance(layer_sizes, (str, bytes)) or len(sizes) < 2:
        raise ValueError("layer_sizes needs at least an input and an output size")
    sizes = [_int_at_least_one(s, "a layer size") for s in sizes]
    if scheme not in SCHEMES:
        raise ValueError(f"unknown scheme {scheme!r}")
    _generator(rng)
    params = {}
    for l in reversed(range(1, len(sizes))):          # last layer first: any order is allowed
        params["W%d" % l] = init_weights(sizes[l - 1], sizes[l], scheme, rng)
        params["b%d" % l] = np.zeros((sizes[l],), dtype=np.float64)
    return params


def activation_stats(params, X, *, activation="tanh"):
    if not isinstance(params, dict):
        raise ValueError("params must be a dict")
    L = 0
    while f"W{L + 1}" in params:
        L += 1
    if L == 0 or set(params) != {f"{p}{l}" for l in range(1, L + 1) for p in "Wb"}:
        raise ValueError("params must hold W1..WL and b1..bL")
    X = np.array(X, dtype=float)
    if X.ndim != 2 or len(X) == 0 or X.shape[1] != np.shape(params["W1"])[0]:
        raise ValueError("X must have shape (N, D) matching W1")
    if activation not in activations.ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}")
    f, df = activations.ACTIVATIONS[activation]
    out, A = [], X
    for l in range(1, L):
        W, b = np.asarray(params[f"W{l}"], float), np.asarray(params[f"b{l}"], float)
        if W.ndim != 2 or W.shape[0] != A.shape[1] or b.shape != (W.shape[1],):
            raise ValueError(f"W{l}/b{l} have the wrong shapes")
        Z = A.dot(W) + b
        A = f(Z)
        count = A.size
        mean = A.sum() / count
        out.append({
            "mean": float(mean),
            "std": float(np.sqrt(np.sum((A - mean) ** 2) / count)),
            "saturated": float(np.count_nonzero(df(Z) < 0.01) / count),
            "zero": float(np.count_nonzero(A == 0) / count),
        })
    W_last = np.asarray(params[f"W{L}"])
    if W_last.ndim != 2 or W_last.shape[0] != A.shape[1] or np.shape(params[f"b{L}"]) != (W_last.shape[1],):
        raise ValueError("the last layer has the wrong shapes")
    return out


def _positive_finite(eps):
    if isinstance(eps, bool) or not isinstance(eps, (int, float, np.floating, np.integer)) or not (0 < eps < math.inf):
        raise ValueError("eps must be a finite positive number")


def _vectors(D, *vectors):
    result = []
    for v in vectors:
        v = np.asarray(v, dtype=np.float64)
        if v.shape != (D,):
            raise ValueError(f"expected a vector of shape ({D},), got {v.shape}")
        result.append(v)
    return result


def batchnorm_forward(x, gamma, beta, *, eps=1e-5):
    x = np.array(x, dtype=float)
    if x.ndim != 2 or x.shape[0] == 0:
        raise ValueError("x must be (N, D) with N >= 1")
    N, D = x.shape
    gamma, beta = _vectors(D, gamma, beta)
    _positive_finite(eps)
    out = np.empty_like(x)
    x_hat = np.empty_like(x)
    mu, var, sd = np.empty(D), np.empty(D), np.empty(D)
    for j in range(D):                         # one feature at a time
        column = x[:, j]
        mu[j] = column.sum() / N
        var[j] = ((column - mu[j]) ** 2).sum() / N
        sd[j] = math.sqrt(var[j] + eps)
        x_hat[:, j] = (column - mu[j]) / sd[j]
        out[:, j] = gamma[j] * x_hat[:, j] + beta[j]
    return out, {"x_hat": x_hat, "gamma": np.array(gamma), "std": sd, "mean": mu, "var": var}


def batchnorm_backward(dout, cache):
    try:
        x_hat, gamma, sd = (np.asarray(cache[k], dtype=np.float64) for k in ("x_hat", "gamma", "std"))
    except (KeyError, TypeError):
        raise ValueError("cache needs 'x_hat', 'gamma' and 'std'") from None
    dout = np.array(dout, dtype=float)
    if x_hat.ndim != 2 or dout.shape != x_hat.shape:
        raise ValueError("dout and x_hat must have the same (N, D) shape")
    N, D = x_hat.shape
    gamma, sd = _vectors(D, gamma, sd)
    # graph: xc = x - mu; ivar = 1 / sd; x_hat = xc * ivar; out = gamma * x_hat + beta
    xc = x_hat * sd                            # x - mu
    ivar = 1.0 / sd
    dbeta = np.sum(dout, axis=0)
    dgamma = np.sum(x_hat * dout, axis=0)
    dx_hat = gamma * dout
    divar = np.sum(dx_hat * xc, axis=0)
    dxc = dx_hat * ivar
    dsd = -divar / sd ** 2
    dvar = dsd * 0.5 / sd                      # sd = sqrt(var + eps)
    dxc = dxc + 2.0 * xc * dvar / N            # var = mean(xc ** 2)
    dmu = -np.sum(dxc, axis=0)
    dx = dxc + dmu / N                         # xc = x - mean(x)
    return dx, dgamma, dbeta


def update_running_stats(running_mean, running_var, batch_mean, batch_var, *, momentum=0.9):
    rm, rv, bm, bv = (np.array(a, dtype=np.float64, copy=True) for a in (running_mean, running_var, batch_mean, batch_var))
    if rm.ndim != 1 or not (rm.shape == rv.shape == bm.shape == bv.shape):
        raise ValueError("the four statistics must be 1-D of one shape")
    if (rv < 0).any() or (bv < 0).any():
        raise ValueError("a variance is negative")
    if isinstance(momentum, bool) or not isinstance(momentum, (int, float, np.floating, np.integer)) or not (0 <= momentum < 1):
        raise ValueError("momentum must lie in [0, 1)")
    keep = float(momentum)
    return rm + (1.0 - keep) * (bm - rm), rv + (1.0 - keep) * (bv - rv)


def batchnorm_inference(x, gamma, beta, running_mean, running_var, *, eps=1e-5):
    x = np.array(x, dtype=float)
    if x.ndim != 2 or x.shape[0] == 0:
        raise ValueError("x must be (N, D) with N >= 1")
    gamma, beta, m, v = _vectors(x.shape[1], gamma, beta, running_mean, running_var)
    if np.any(v < 0):
        raise ValueError("running_var must be >= 0")
    _positive_finite(eps)
    x_hat = (x - m[None, :]) / np.sqrt(v + eps)[None, :]
    return gamma[None, :] * x_hat + beta[None, :]
