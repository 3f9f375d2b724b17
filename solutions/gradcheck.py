"""Chapter 5 exercises: gradient checking.

The conventions of this course (the chapter explains them and the alternatives):

* Everything is float64. A check in float32 drowns in rounding error.
* The numerical derivative is the *centered* difference ``(f(x + h) - f(x - h)) / (2 h)``
  with ``h = 1e-5``; the forward difference ``(f(x + h) - f(x)) / h`` is there to compare.
* Analytic and numerical derivatives are compared entry by entry with the relative error
  ``|a - b| / max(|a|, |b|)``, which is defined as 0 where both are 0.
* The verdict bands are 1e-7, 1e-4 and 1e-2: below 1e-7 is right; from 1e-7 to 1e-4 is
  right only when the function has kinks (ReLU, max, hinge) and suspicious otherwise;
  from 1e-4 to 1e-2 is suspicious; 1e-2 and above is wrong.
* A ReLU ``max(0, z)`` has a kink at ``z = 0``; its "winner" is ``z`` where ``z > 0`` and
  ``0`` otherwise (so its derivative at exactly 0 is 0, as in :func:`nnlib.activations.relu_grad`).

Parameter dicts follow :mod:`nnlib.mlp`: ``{"W1": (D, H), "b1": (H,), ...}``.
Unless a docstring says otherwise, inputs are left untouched.
"""
from __future__ import annotations

import math

import numpy as np

from nnlib.activations import relu, relu_grad
from nnlib.losses import softmax_cross_entropy
from nnlib.mlp import n_layers
from nnlib.validation import check_generator, check_positive_int

### BEGIN SOLUTION
def _is_real(value):
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def _check_step(h):
    if not (_is_real(h) and math.isfinite(h) and h > 0):
        raise ValueError(f"h must be a finite number > 0 (the course uses 1e-5), got {h!r}")
    return float(h)
### END SOLUTION


def numerical_gradient(f, x, h=1e-5, method="centered"):
    """Finite-difference gradient of a scalar function of one array.

    For every entry ``x[i]`` (in any order) the function writes ``x[i] + h`` into ``x``
    itself, evaluates ``f(x)``, then does the same with ``x[i] - h`` (centered) and finally
    writes the saved original value back. So ``f`` may read ``x`` through its argument or
    through any other reference to the same array (a closure over a parameter dict, say).

    * ``method="centered"``: ``(f(x + h e_i) - f(x - h e_i)) / (2 h)``, error ``O(h^2)``;
    * ``method="forward"``: ``(f(x + h e_i) - f(x)) / h``, error ``O(h)``.

    Parameters
    ----------
    f : callable
        ``f(x) -> float``: a real scalar (a Python or NumPy number, or an array of size 1).
    x : numpy.ndarray
        The point, a float64 array of any shape (0-d included). It is perturbed in place
        during the call and holds its original values, bit for bit, when the call returns.
    h : float
        Step, finite and ``> 0``.
    method : {"centered", "forward"}
        Which difference quotient to use.

    Returns
    -------
    numpy.ndarray
        Float64, same shape as ``x``: the estimate of ``df/dx``.

    Raises
    ------
    ValueError
        If ``x`` is not a float64 NumPy array, ``h`` is not a finite number ``> 0``, or
        ``method`` is neither ``"centered"`` nor ``"forward"``.
    TypeError
        May be raised instead of ValueError for an argument of the wrong type (a string,
        a bool, None, a list or a float where a number, an integer, an array or a
        Generator is expected); the checks accept either. A wrong value of the right
        type must raise ValueError.
    """
    ### BEGIN SOLUTION
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise ValueError("x must be a float64 NumPy array (it is perturbed in place); "
                         f"got {type(x).__name__} of dtype {getattr(x, 'dtype', None)}")
    h = _check_step(h)
    if method not in ("centered", "forward"):
        raise ValueError(f"method must be 'centered' or 'forward', got {method!r}")
    grad = np.zeros(x.shape, dtype=np.float64)
    f_x = float(f(x)) if method == "forward" else None
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + h
        f_plus = float(f(x))
        if method == "centered":
            x[index] = saved - h
            f_minus = float(f(x))
            grad[index] = (f_plus - f_minus) / (2 * h)
        else:
            grad[index] = (f_plus - f_x) / h
        x[index] = saved
    return grad
    ### END SOLUTION


def relative_error(a, b):
    """Element-wise relative error ``|a - b| / max(|a|, |b|)``, with 0 where both are 0.

    Parameters
    ----------
    a, b : array_like of float
        Two estimates of the same quantity (an analytic and a numerical gradient, say),
        of the same shape.

    Returns
    -------
    numpy.ndarray
        Float64, the shape of ``a`` (0-d for scalars), values in ``[0, 2]``: symmetric in
        ``a`` and ``b``, unchanged when both are multiplied by the same non-zero number,
        exactly 0 where ``a == b`` (both 0 included: no NaN there), 1 where exactly one is 0.
        (For finite inputs; a NaN in gives NaN out.)

    Raises
    ------
    ValueError
        If ``a`` and ``b`` differ in shape or are not numeric.
    TypeError
        May be raised instead of ValueError for an argument of the wrong type (a string,
        a bool, None, a list or a float where a number, an integer, an array or a
        Generator is expected); the checks accept either. A wrong value of the right
        type must raise ValueError.
    """
    ### BEGIN SOLUTION
    try:
        a = np.asarray(a, dtype=np.float64)
        b = np.asarray(b, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"a and b must be numeric arrays: {error}") from None
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    scale = np.maximum(np.abs(a), np.abs(b))
    difference = np.abs(a - b)
    both_zero = scale == 0
    return np.where(both_zero, 0.0, difference / np.where(both_zero, 1.0, scale))
    ### END SOLUTION


def verdict(rel_err, *, has_kinks=False):
    """The course's reading of a relative error between two gradients.

    ===========================  ======================  =====================
    relative error               function without kinks  function with kinks
    ===========================  ======================  =====================
    ``err < 1e-7``               ``"ok"``                ``"ok"``
    ``1e-7 <= err < 1e-4``       ``"suspicious"``        ``"ok"``
    ``1e-4 <= err < 1e-2``       ``"suspicious"``        ``"suspicious"``
    ``err >= 1e-2`` or NaN       ``"wrong"``             ``"wrong"``
    ===========================  ======================  =====================

    Parameters
    ----------
    rel_err : float
        A relative error (a real number ``>= 0``; ``inf`` and NaN are allowed and are
        ``"wrong"``: a NaN means the check itself broke).
    has_kinks : bool
        Whether the checked function has kinks (ReLU, max, hinge, absolute value).

    Returns
    -------
    str
        ``"ok"``, ``"suspicious"`` or ``"wrong"``.

    Raises
    ------
    ValueError
        If ``rel_err`` is not a real number (a bool, a string, None, an array...) or is
        negative.
    TypeError
        May be raised instead of ValueError for an argument of the wrong type (a string,
        a bool, None, a list or a float where a number, an integer, an array or a
        Generator is expected); the checks accept either. A wrong value of the right
        type must raise ValueError.
    """
    ### BEGIN SOLUTION
    if not _is_real(rel_err):
        raise ValueError(f"rel_err must be a real number >= 0, got {rel_err!r}")
    err = float(rel_err)
    if err < 0:
        raise ValueError(f"a relative error cannot be negative, got {err!r}")
    if err < 1e-7:
        return "ok"
    if err < 1e-4:
        return "ok" if has_kinks else "suspicious"
    if err < 1e-2:
        return "suspicious"
    return "wrong"   # NaN fails every comparison above and lands here too
    ### END SOLUTION


def kink_crossed(z, h):
    """Where a ReLU input ``z`` moved by ``-h`` and ``+h`` lands on both sides of its kink.

    ``max(0, t)`` picks ``t`` when ``t > 0`` and ``0`` otherwise. A kink is crossed where the
    winner at ``z + h`` differs from the winner at ``z - h``, i.e. where
    ``(z + h > 0) != (z - h > 0)``, which for ``h >= 0`` means ``-h < z <= h``.
    A centered difference across such a point mixes the two slopes.

    Parameters
    ----------
    z : array_like of float
        ReLU inputs (pre-activations), any shape.
    h : float or array_like of float
        How far each input moves either way, ``>= 0`` and finite: a number, or an array
        that broadcasts against ``z`` (one shift per input).

    Returns
    -------
    numpy.ndarray
        Boolean, the broadcast shape of ``z`` and ``h`` (a NumPy bool for two scalars).

    Raises
    ------
    ValueError
        If ``z`` or ``h`` is not numeric, ``h`` has a negative or non-finite entry, or the
        shapes do not broadcast.
    TypeError
        May be raised instead of ValueError for an argument of the wrong type (a string,
        a bool, None, a list or a float where a number, an integer, an array or a
        Generator is expected); the checks accept either. A wrong value of the right
        type must raise ValueError.
    """
    ### BEGIN SOLUTION
    try:
        z = np.asarray(z, dtype=np.float64)
        h = np.asarray(h, dtype=np.float64)
        np.broadcast_shapes(z.shape, h.shape)
    except (TypeError, ValueError) as error:
        raise ValueError(f"z and h must be numeric arrays that broadcast together: {error}") from None
    if not np.all(np.isfinite(h)) or np.any(h < 0):
        raise ValueError("h must be finite and >= 0 (the size of the move either way)")
    return (z + h > 0) != (z - h > 0)
    ### END SOLUTION


def grad_check(loss_fn, params, grads, *, h=1e-5, n_per_param=5, rng):
    """Check analytic gradients against centered differences, a few entries of every tensor.

    For each array ``params[name]``, draw ``min(n_per_param, size)`` *distinct* entries
    uniformly at random with ``rng`` (the order of the draws is free), estimate the
    derivative of ``loss_fn`` at each with the centered difference of step ``h``, and
    compare it with ``grads[name]`` at that entry by the relative error
    ``|a - n| / max(|a|, |n|)`` (0 when both are 0). Each sampled entry costs two
    evaluations of ``loss_fn``; the others cost nothing.

    ``loss_fn(params)`` must compute the loss from the dict it receives. ``grad_check``
    may call it with ``params`` itself, one entry moved by ``+h`` or ``-h`` in place, or
    with a copy; when it returns, every array of ``params`` holds its original values,
    bit for bit, and ``grads`` is unchanged.

    Parameters
    ----------
    loss_fn : callable
        ``loss_fn(params) -> float``.
    params : dict of str -> numpy.ndarray
        Float64 arrays of any shapes (not only :mod:`nnlib.mlp` networks), at least one.
    grads : dict of str -> numpy.ndarray
        The analytic gradients to check: the same keys as ``params``, each of the same
        shape as its parameter.
    h : float
        Step of the centered difference, finite and ``> 0``.
    n_per_param : int
        Entries to check per tensor, ``>= 1``; a tensor with fewer entries is checked whole.
    rng : numpy.random.Generator
        Chooses the entries.

    Returns
    -------
    dict of str -> float
        The same keys as ``params``, in the same order: the largest relative error among
        the entries checked in that tensor (a Python float in ``[0, 2]``).

    Raises
    ------
    ValueError
        If ``params`` is not a non-empty dict of float64 arrays, ``grads`` has other keys or
        shapes, ``h`` is not a finite number ``> 0``, ``n_per_param`` is not an integer
        ``>= 1``, or ``rng`` is not a Generator.
    TypeError
        May be raised instead of ValueError for an argument of the wrong type (a string,
        a bool, None, a list or a float where a number, an integer, an array or a
        Generator is expected); the checks accept either. A wrong value of the right
        type must raise ValueError.
    """
    ### BEGIN SOLUTION
    if not isinstance(params, dict) or not params:
        raise ValueError("params must be a non-empty dict of float64 arrays")
    if not isinstance(grads, dict) or set(grads) != set(params):
        raise ValueError(f"grads must have the keys of params {sorted(params)}; got "
                         f"{sorted(grads) if isinstance(grads, dict) else type(grads).__name__}")
    for name, value in params.items():
        if not isinstance(value, np.ndarray) or value.dtype != np.float64:
            raise ValueError(f"params[{name!r}] must be a float64 NumPy array")
        if np.shape(grads[name]) != value.shape:
            raise ValueError(f"grads[{name!r}] has shape {np.shape(grads[name])}, params[{name!r}] {value.shape}")
    h = _check_step(h)
    n_per_param = check_positive_int(n_per_param, "n_per_param")
    check_generator(rng)
    worst = {}
    for name, value in params.items():
        analytic = np.asarray(grads[name], dtype=np.float64).ravel()
        flat = value.reshape(-1)            # a view: writing into it perturbs params[name]
        chosen = rng.choice(flat.size, size=min(n_per_param, flat.size), replace=False)
        errors = []
        for i in chosen:
            saved = flat[i]
            flat[i] = saved + h
            plus = float(loss_fn(params))
            flat[i] = saved - h
            minus = float(loss_fn(params))
            flat[i] = saved
            numeric = (plus - minus) / (2 * h)
            scale = max(abs(analytic[i]), abs(numeric))
            errors.append(0.0 if scale == 0 else abs(analytic[i] - numeric) / scale)
        worst[name] = float(max(errors))
    return worst
    ### END SOLUTION


def mlp_loss_and_grads(params, X, y, *, lam=0.0, keep_prob=1.0, seed=None):
    """Loss and gradients of a two-layer ReLU network with L2 and inverted dropout.

    With ``N`` examples (rows of ``X``) the network computes::

        Z1 = X @ W1 + b1          A1 = relu(Z1)          D = A1 * mask
        scores = D @ W2 + b2
        loss = softmax_cross_entropy(scores, y) + lam / (2 N) * (||W1||_F^2 + ||W2||_F^2)

    The biases are not penalized. The dropout mask has the shape of ``A1``: when
    ``keep_prob < 1`` it is ``(r < keep_prob) / keep_prob`` with
    ``r = np.random.default_rng(seed).random(A1.shape)`` (one call, nothing else drawn), so
    the same seed always gives the same mask; when ``keep_prob == 1`` it is all ones and
    ``seed`` is ignored. The backward pass reuses that mask.

    Parameters
    ----------
    params : dict of str -> numpy.ndarray
        Exactly ``W1 (D, H)``, ``b1 (H,)``, ``W2 (H, C)``, ``b2 (C,)`` with ``C >= 2``.
    X : array_like of float, shape (N, D)
        Inputs, ``N >= 1``.
    y : array_like of int, shape (N,)
        Labels in ``[0, C)``.
    lam : float
        L2 strength, finite and ``>= 0``.
    keep_prob : float
        Probability of keeping a hidden unit, in ``(0, 1]``.
    seed : int or None
        Seed of the dropout mask, an integer ``>= 0``; required when ``keep_prob < 1``.

    Returns
    -------
    loss : float
        Data loss (mean over the batch) plus the penalty.
    grads : dict of str -> numpy.ndarray
        Float64, the keys and shapes of ``params``: the exact gradient of ``loss``.

    Raises
    ------
    ValueError
        If ``params`` is not a two-layer network, ``X`` or ``y`` do not fit it, ``lam`` is
        negative or not finite, ``keep_prob`` is not a number in ``(0, 1]``, or
        ``keep_prob < 1`` and ``seed`` is not an integer ``>= 0``.
    TypeError
        May be raised instead of ValueError for an argument of the wrong type (a string,
        a bool, None, a list or a float where a number, an integer, an array or a
        Generator is expected); the checks accept either. A wrong value of the right
        type must raise ValueError.
    """
    ### BEGIN SOLUTION
    if n_layers(params) != 2:
        raise ValueError(f"params must be a two-layer network (W1, b1, W2, b2), got keys {sorted(params)}")
    W1, b1, W2, b2 = (np.asarray(params[k], dtype=np.float64) for k in ("W1", "b1", "W2", "b2"))
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != W1.shape[0] or X.shape[0] == 0:
        raise ValueError(f"X must have shape (N, {W1.shape[0]}) with N >= 1, got {X.shape}")
    if not (_is_real(lam) and math.isfinite(lam) and lam >= 0):
        raise ValueError(f"lam must be a finite number >= 0, got {lam!r}")
    if not (_is_real(keep_prob) and 0 < keep_prob <= 1):
        raise ValueError(f"keep_prob is the probability of keeping a unit and must lie in (0, 1], got {keep_prob!r}")
    n = X.shape[0]
    Z1 = X @ W1 + b1
    A1 = relu(Z1)
    if keep_prob < 1:
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"keep_prob < 1 needs an integer seed >= 0 for the dropout mask, got {seed!r}")
        mask = (np.random.default_rng(seed).random(A1.shape) < keep_prob) / keep_prob
    else:
        mask = np.ones_like(A1)
    D = A1 * mask
    scores = D @ W2 + b2
    data_loss, dscores = softmax_cross_entropy(scores, y)
    penalty = lam / (2 * n) * (float(np.sum(W1 * W1)) + float(np.sum(W2 * W2)))
    dD = dscores @ W2.T
    dZ1 = dD * mask * relu_grad(Z1)
    grads = {
        "W1": X.T @ dZ1 + lam / n * W1,
        "b1": dZ1.sum(axis=0),
        "W2": D.T @ dscores + lam / n * W2,
        "b2": dscores.sum(axis=0),
    }
    return data_loss + penalty, {k: grads[k] for k in params}
    ### END SOLUTION
