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
    raise NotImplementedError("l2_penalty() is an exercise of chapter 3 (Regularization): write it in nnlib/regularization.py")


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
    raise NotImplementedError("elastic_net_penalty() is an exercise of chapter 3 (Regularization): write it in nnlib/regularization.py")


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
    raise NotImplementedError("dropout_forward() is an exercise of chapter 3 (Regularization): write it in nnlib/regularization.py")


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
    raise NotImplementedError("dropout_backward() is an exercise of chapter 3 (Regularization): write it in nnlib/regularization.py")


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
    raise NotImplementedError("max_norm_project() is an exercise of chapter 3 (Regularization): write it in nnlib/regularization.py")


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
    raise NotImplementedError("early_stopping() is an exercise of chapter 3 (Regularization): write it in nnlib/regularization.py")
