"""Centered finite differences for the test suite (not part of nnlib: gradient
checking is an exercise of a later chapter, so the library must not ship one)."""

import numpy as np


def numerical_gradient(f, x, h=1e-5):
    """Centered-difference gradient of a scalar function of one array.

    ``df/dx[i] ~ (f(x + h e_i) - f(x - h e_i)) / (2 h)``, with truncation error
    O(h**2). ``x`` is not modified: every evaluation gets a fresh copy.

    Parameters
    ----------
    f : callable
        ``f(array) -> float``.
    x : ndarray of float64
        Point at which to differentiate.
    h : float
        Step size.

    Returns
    -------
    ndarray of float64, same shape as ``x``
    """
    x = np.asarray(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[i] += h
        minus[i] -= h
        grad[i] = (f(plus) - f(minus)) / (2.0 * h)
    return grad


def numerical_param_grads(f, params, h=1e-5):
    """Centered-difference gradients of ``f(params) -> float`` for every array in a dict.

    Returns a dict with the same keys and shapes as ``params``; ``params`` is not modified.
    """
    grads = {}
    for key in params:
        def f_key(value, key=key):
            return f({**params, key: value})

        grads[key] = numerical_gradient(f_key, params[key], h)
    return grads


def relative_error(a, b):
    """Norm-based relative error ``||a - b|| / max(||a|| + ||b||, 1e-12)``."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-12))
