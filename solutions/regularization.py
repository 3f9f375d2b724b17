"""Chapter 3 exercises: regularization.

Conventions used throughout (the chapter explains them and their alternatives):

* Penalties are computed on a parameter dict ``{"W1": (D, H1), "b1": (H1,), ...}`` as used
  by :mod:`nnlib.mlp`. Only the weight matrices ``W1 .. WL`` are penalized; the biases
  ``b1 .. bL`` never are, and their penalty gradient is an array of zeros.
* ``lam`` is the regularization strength and ``m`` the number of training examples over
  which the data loss is averaged. The L2 penalty is ``lam / (2 m)`` times the sum of the
  squared Frobenius norms, so its gradient is ``lam / m * W``; the L1 penalty is
  ``lam / m`` times the sum of absolute values.
* Dropout uses the *keep* probability ``keep_prob`` (not the drop probability) and is
  *inverted*: kept units are divided by ``keep_prob`` at training time, and nothing
  changes at test time.
* Epochs are numbered from 1, like :class:`nnlib.training.History`.

Every function returns new arrays and leaves its inputs untouched.
"""
from __future__ import annotations

import numpy as np

from nnlib.mlp import n_layers
from nnlib.validation import check_generator, check_positive_int

### BEGIN SOLUTION
def _check_strength(value, name):
    """``value`` as a float if it is a finite real number >= 0; ValueError otherwise."""
    is_number = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if not (is_number and np.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


def _check_penalty_args(params, lam, m):
    n_layers(params)  # ValueError unless params holds exactly W1..WL and b1..bL with chaining shapes
    return _check_strength(lam, "lam"), check_positive_int(m, "m")
### END SOLUTION


def l2_penalty(params, lam, m):
    """L2 penalty ``lam / (2 m) * sum_l ||W_l||_F^2`` and its gradient.

    Parameters
    ----------
    params : dict of str -> numpy.ndarray
        Network parameters ``W1..WL`` (2-D) and ``b1..bL`` (1-D), as in :mod:`nnlib.mlp`.
    lam : float
        Regularization strength, finite and ``>= 0``.
    m : int
        Number of training examples the data loss is averaged over, ``>= 1``.

    Returns
    -------
    value : float
        ``lam / (2 m)`` times the sum over layers of the squared Frobenius norm of ``W_l``
        (the sum of its squared entries). Biases do not count.
    grads : dict of str -> numpy.ndarray
        Same keys and shapes as ``params``, float64: ``lam / m * W_l`` for every weight
        matrix and zeros for every bias. Add these to the data-loss gradients.

    Raises
    ------
    ValueError
        If ``params`` is not a well-formed parameter dict, ``lam`` is negative, NaN or
        infinite, or ``m`` is not a positive integer.
    TypeError
        May be raised instead of ValueError for an argument of the wrong type (a string,
        a bool, None, a list or a float where a number, an integer, an array or a
        Generator is expected); the checks accept either. A wrong value of the right
        type must raise ValueError.
    """
    ### BEGIN SOLUTION
    lam, m = _check_penalty_args(params, lam, m)
    total, grads = 0.0, {}
    for name, array in params.items():
        array = np.asarray(array, dtype=np.float64)
        if name[0] == "W":
            total += float(np.sum(array * array))
            grads[name] = (lam / m) * array
        else:
            grads[name] = np.zeros_like(array)   # biases are not penalized
    return lam / (2 * m) * total, grads
    ### END SOLUTION


def elastic_net_penalty(params, lam, m, *, l1_ratio=0.5):
    """Elastic-net penalty (a mix of L1 and L2) and its subgradient.

    With ``r = l1_ratio`` the penalty is::

        lam / m * sum over weight entries w of ( r * |w| + (1 - r) / 2 * w**2 )

    so ``l1_ratio=1`` gives the L1 penalty ``lam / m * sum |w|`` and ``l1_ratio=0`` gives
    exactly the L2 penalty of :func:`l2_penalty`.

    Parameters
    ----------
    params : dict of str -> numpy.ndarray
        Network parameters ``W1..WL`` and ``b1..bL``; only the weights are penalized.
    lam : float
        Regularization strength, finite and ``>= 0``.
    m : int
        Number of training examples, ``>= 1``.
    l1_ratio : float
        Share ``r`` of the L1 part, in ``[0, 1]``.

    Returns
    -------
    value : float
        The penalty.
    grads : dict of str -> numpy.ndarray
        Same keys and shapes as ``params``, float64: ``lam / m * (r * sign(W) + (1 - r) * W)``
        for each weight matrix, where ``sign(0) = 0`` (the subgradient of ``|w|`` chosen at
        ``w = 0``), and zeros for every bias.

    Raises
    ------
    ValueError
        If ``params`` is malformed, ``lam`` is negative or not finite, ``m`` is not a
        positive integer, or ``l1_ratio`` is not a number in ``[0, 1]``.
    TypeError
        May be raised instead of ValueError for an argument of the wrong type (a string,
        a bool, None, a list or a float where a number, an integer, an array or a
        Generator is expected); the checks accept either. A wrong value of the right
        type must raise ValueError.
    """
    ### BEGIN SOLUTION
    lam, m = _check_penalty_args(params, lam, m)
    r = _check_strength(l1_ratio, "l1_ratio")
    if r > 1:
        raise ValueError(f"l1_ratio must lie in [0, 1] (1 = pure L1, 0 = pure L2), got {l1_ratio!r}")
    abs_sum, square_sum, grads = 0.0, 0.0, {}
    for name, array in params.items():
        array = np.asarray(array, dtype=np.float64)
        is_weight = name.startswith("W")
        if is_weight:
            abs_sum += float(np.abs(array).sum())
            square_sum += float((array ** 2).sum())
            grads[name] = lam / m * (r * np.sign(array) + (1.0 - r) * array)
        else:
            grads[name] = np.zeros(array.shape)
    return lam / m * (r * abs_sum + (1.0 - r) / 2.0 * square_sum), grads
    ### END SOLUTION


def dropout_forward(a, keep_prob, *, rng=None, train=True):
    """Inverted dropout on a batch of activations.

    At training time every entry of ``a`` is kept with probability ``keep_prob``,
    independently of all others, and a kept entry is divided by ``keep_prob``, so that the
    expected output equals ``a``. At test time (``train=False``) nothing is dropped and
    nothing is scaled.

    Parameters
    ----------
    a : numpy.ndarray
        Activations, any shape (usually ``(N, H)``).
    keep_prob : float
        Probability of *keeping* a unit, in ``(0, 1]``; ``1`` keeps everything.
    rng : numpy.random.Generator
        Source of the random mask (for instance draw ``rng.random(a.shape) < keep_prob``).
        Required when ``train`` is true, ignored otherwise.
    train : bool
        Training mode (drop and rescale) or test mode (identity).

    Returns
    -------
    out : numpy.ndarray
        Float64, same shape as ``a``: ``a * mask``.
    mask : numpy.ndarray
        Float64, same shape as ``a``, with entries ``0`` (dropped) or ``1 / keep_prob``
        (kept); all ones when ``train`` is false. Keep it for :func:`dropout_backward`.

    Raises
    ------
    ValueError
        If ``keep_prob`` is not a number in ``(0, 1]``, or ``train`` is true and ``rng`` is
        not a Generator.
    TypeError
        May be raised instead of ValueError for an argument of the wrong type (a string,
        a bool, None, a list or a float where a number, an integer, an array or a
        Generator is expected); the checks accept either. A wrong value of the right
        type must raise ValueError.
    """
    ### BEGIN SOLUTION
    a = np.asarray(a, dtype=np.float64)
    ok = isinstance(keep_prob, (int, float, np.integer, np.floating)) and not isinstance(keep_prob, bool)
    if not ok or not 0.0 < keep_prob <= 1.0:
        raise ValueError(f"keep_prob is the probability of keeping a unit and must lie in (0, 1], got {keep_prob!r}")
    if not train:
        return a.copy(), np.ones_like(a)
    check_generator(rng)
    keep_prob = float(keep_prob)      # a float32 keep_prob would otherwise make a float32 mask
    mask = (rng.random(a.shape) < keep_prob) / keep_prob
    return a * mask, mask
    ### END SOLUTION


def dropout_backward(dout, mask):
    """Backward pass of inverted dropout: route the gradient through the kept units.

    Parameters
    ----------
    dout : numpy.ndarray
        Gradient of the loss with respect to the output of :func:`dropout_forward`.
    mask : numpy.ndarray
        The mask that the same forward call returned (entries ``0`` or ``1 / keep_prob``),
        same shape as ``dout``.

    Returns
    -------
    numpy.ndarray
        Float64 gradient with respect to the input ``a`` of the forward pass, same shape.

    Raises
    ------
    ValueError
        If ``dout`` and ``mask`` differ in shape.
    TypeError
        May be raised instead of ValueError for an argument of the wrong type (a string,
        a bool, None, a list or a float where a number, an integer, an array or a
        Generator is expected); the checks accept either. A wrong value of the right
        type must raise ValueError.
    """
    ### BEGIN SOLUTION
    dout = np.asarray(dout, dtype=np.float64)
    mask = np.asarray(mask, dtype=np.float64)
    if dout.shape != mask.shape:
        raise ValueError(f"dout and mask must have the same shape, got {dout.shape} and {mask.shape}")
    return dout * mask
    ### END SOLUTION


def max_norm_project(W, c=3.0, *, axis=0):
    """Project each unit's weight vector onto the ball of radius ``c``.

    In a weight matrix ``W`` of shape ``(n_in, n_out)`` (the layout of :mod:`nnlib.mlp`),
    column ``j`` holds the incoming weights of unit ``j``. Every such vector whose
    Euclidean norm exceeds ``c`` is scaled down to norm ``c`` (its direction is kept);
    every other vector is returned unchanged, bit for bit.

    Parameters
    ----------
    W : numpy.ndarray
        2-D weight matrix.
    c : float
        Largest allowed norm, finite and ``> 0`` (3 or 4 are usual).
    axis : {0, 1}
        The axis the norms are taken along: ``0`` (default) treats columns as the unit
        vectors, ``1`` treats rows as the unit vectors (for weights stored as
        ``(n_out, n_in)``).

    Returns
    -------
    numpy.ndarray
        Float64, same shape as ``W``.

    Raises
    ------
    ValueError
        If ``W`` is not 2-D, ``c`` is not a finite number ``> 0``, or ``axis`` is not 0 or 1.
    TypeError
        May be raised instead of ValueError for an argument of the wrong type (a string,
        a bool, None, a list or a float where a number, an integer, an array or a
        Generator is expected); the checks accept either. A wrong value of the right
        type must raise ValueError.
    """
    ### BEGIN SOLUTION
    W = np.asarray(W, dtype=np.float64)
    if W.ndim != 2:
        raise ValueError(f"W must be a 2-D weight matrix, got shape {W.shape}")
    if _check_strength(c, "c") == 0:
        raise ValueError("c must be > 0, got 0")
    if isinstance(axis, bool) or axis not in (0, 1):
        raise ValueError(f"axis must be 0 (columns are units) or 1 (rows are units), got {axis!r}")
    norms = np.linalg.norm(W, axis=axis, keepdims=True)
    scale = np.ones_like(norms)
    long = norms > c
    scale[long] = c / norms[long]
    return W * scale
    ### END SOLUTION


def early_stopping(val_losses, patience, *, min_delta=0.0):
    """When to stop training, and which epoch's weights to restore.

    Walk through the validation losses epoch by epoch. The first epoch always counts as an
    improvement (there is nothing before it to beat), whatever its loss, ``+inf`` included.
    Every later epoch *improves* when its loss is below the best loss so far by more than
    ``min_delta``: a tie is not an improvement, ``+inf`` never is, and after a leading
    ``+inf`` any finite loss is. Training stops at the first epoch that comes ``patience``
    epochs after the last improvement; if that never happens, it stops at the last epoch.
    The best epoch is the last improving epoch up to the stop.

    Parameters
    ----------
    val_losses : sequence of float
        Validation loss after epochs ``1, 2, ..., E``; non-empty, no NaN (``+inf`` is
        allowed, for instance for a diverged epoch).
    patience : int
        Number of epochs without improvement to wait, ``>= 1``; ``1`` stops at the first
        epoch that does not improve.
    min_delta : float
        Smallest decrease that counts as an improvement, finite and ``>= 0``.

    Returns
    -------
    tuple of int
        ``(best_epoch, stop_epoch)``, 1-based epoch numbers with
        ``1 <= best_epoch <= stop_epoch <= E``. Restore the weights of ``best_epoch``.

    Raises
    ------
    ValueError
        If ``val_losses`` is empty, not 1-D or contains NaN, ``patience`` is not an
        integer ``>= 1``, or ``min_delta`` is negative or not finite.
    TypeError
        May be raised instead of ValueError for an argument of the wrong type (a string,
        a bool, None, a list or a float where a number, an integer, an array or a
        Generator is expected); the checks accept either. A wrong value of the right
        type must raise ValueError.
    """
    ### BEGIN SOLUTION
    losses = np.asarray(val_losses, dtype=np.float64)
    if losses.ndim != 1 or losses.size == 0 or np.isnan(losses).any():
        raise ValueError(f"val_losses must be a non-empty 1-D sequence of losses without NaN, got shape {losses.shape}")
    patience = check_positive_int(patience, "patience")
    min_delta = _check_strength(min_delta, "min_delta")
    best_epoch, best = 1, np.inf
    for epoch in range(1, losses.size + 1):
        if losses[epoch - 1] < best - min_delta:
            best_epoch, best = epoch, losses[epoch - 1]
        elif epoch - best_epoch >= patience:
            return best_epoch, epoch
    return best_epoch, int(losses.size)
    ### END SOLUTION
