"""Chapter 6 exercises: optimizers, learning-rate schedules and mini-batches.

Conventions used throughout (the chapter explains them and their alternatives):

* Every update rule is a *pure* function of one parameter array ``w``, its gradient ``dw``
  and the optimizer's state for that array. It returns ``(new_w, new_state...)`` as new
  float64 arrays and never modifies its arguments. To train a network, apply it to every
  array of the parameter dict, each with its own state.
* Arrays may have any shape (a vector, a weight matrix); ``w``, ``dw`` and every state
  array must have the same shape. Start the state arrays at zeros of that shape.
* ``eps`` is added *outside* the square root: ``dw / (sqrt(cache) + eps)``.
* ``it`` counts iterations (mini-batch updates) from 0: the first update uses ``it = 0``.

Bad arguments raise ``ValueError`` saying what was wrong and what was expected.
"""
from __future__ import annotations

import math

import numpy as np

from nnlib.validation import check_generator, check_positive_int



def sgd_momentum(w, dw, v, lr, mu=0.9):
    """One step of gradient descent with (heavy-ball) momentum.

    The velocity ``v`` is a running sum of past steps that decays by the factor ``mu``
    ("friction") at every step::

        v_new = mu * v - lr * dw
        w_new = w + v_new

    With ``mu = 0`` this is plain gradient descent ``w - lr * dw``.

    Parameters
    ----------
    w : numpy.ndarray
        Parameters, any shape.
    dw : numpy.ndarray
        Gradient of the loss at ``w``, same shape.
    v : numpy.ndarray
        Velocity from the previous step, same shape (zeros before the first step).
    lr : float
        Learning rate, finite and ``> 0``.
    mu : float
        Momentum coefficient, in ``[0, 1)``.

    Returns
    -------
    new_w : numpy.ndarray
        Float64, same shape: ``w + v_new``.
    new_v : numpy.ndarray
        Float64, same shape: ``v_new = mu * v - lr * dw``, the state for the next step.

    Raises
    ------
    ValueError
        If ``dw`` or ``v`` differs in shape from ``w``, ``lr`` is not a finite number
        ``> 0``, or ``mu`` is not in ``[0, 1)``.
    TypeError
        May be raised instead of ValueError for an argument of the wrong type (a string,
        a bool, None, a list or a float where a number, an integer, an array or a
        Generator is expected); the checks accept either. A wrong value of the right
        type must raise ValueError.
    """
    raise NotImplementedError("sgd_momentum() is an exercise of chapter 6 (Optimizers): write it in nnlib/optim.py")


def nesterov(w, dw, v, lr, mu=0.9):
    """One step of Nesterov's accelerated gradient, in the "look-ahead" variables.

    Nesterov momentum evaluates the gradient at the look-ahead point ``theta + mu * v``
    instead of at ``theta``. Here ``w`` *is* that look-ahead point (``w = theta + mu * v``),
    so ``dw`` is simply the gradient at ``w``, and the step is::

        v_new = mu * v - lr * dw
        w_new = w - mu * v + (1 + mu) * v_new

    This produces exactly the look-ahead points of the explicit form
    ``v_new = mu * v - lr * grad(theta + mu * v)``, ``theta_new = theta + v_new``
    (with ``w = theta`` at the start, where ``v = 0``). With ``mu = 0`` it is plain
    gradient descent.

    Parameters
    ----------
    w : numpy.ndarray
        Parameters (the look-ahead point), any shape.
    dw : numpy.ndarray
        Gradient of the loss at ``w``, same shape.
    v : numpy.ndarray
        Velocity from the previous step, same shape (zeros before the first step).
    lr : float
        Learning rate, finite and ``> 0``.
    mu : float
        Momentum coefficient, in ``[0, 1)``.

    Returns
    -------
    new_w : numpy.ndarray
        Float64, same shape: ``w - mu * v + (1 + mu) * v_new``.
    new_v : numpy.ndarray
        Float64, same shape: ``v_new = mu * v - lr * dw``.

    Raises
    ------
    ValueError
        If ``dw`` or ``v`` differs in shape from ``w``, ``lr`` is not a finite number
        ``> 0``, or ``mu`` is not in ``[0, 1)``.
    TypeError
        May be raised instead of ValueError for an argument of the wrong type (a string,
        a bool, None, a list or a float where a number, an integer, an array or a
        Generator is expected); the checks accept either. A wrong value of the right
        type must raise ValueError.
    """
    raise NotImplementedError("nesterov() is an exercise of chapter 6 (Optimizers): write it in nnlib/optim.py")


def adagrad(w, dw, cache, lr, eps=1e-8):
    """One step of AdaGrad: per-coordinate learning rates from the summed squared gradients.

    ::

        cache_new = cache + dw ** 2
        w_new = w - lr * dw / (sqrt(cache_new) + eps)

    ``eps`` is added *outside* the square root, and the new cache (which already
    contains this step's gradient) is used.

    Parameters
    ----------
    w : numpy.ndarray
        Parameters, any shape.
    dw : numpy.ndarray
        Gradient of the loss at ``w``, same shape.
    cache : numpy.ndarray
        Sum of all previous squared gradients, same shape (zeros before the first step).
    lr : float
        Learning rate, finite and ``> 0``.
    eps : float
        Small constant that avoids a division by zero, finite and ``> 0``.

    Returns
    -------
    new_w : numpy.ndarray
        Float64, same shape.
    new_cache : numpy.ndarray
        Float64, same shape: ``cache + dw ** 2``.

    Raises
    ------
    ValueError
        If ``dw`` or ``cache`` differs in shape from ``w``, or ``lr`` or ``eps`` is not a
        finite number ``> 0``.
    TypeError
        May be raised instead of ValueError for an argument of the wrong type (a string,
        a bool, None, a list or a float where a number, an integer, an array or a
        Generator is expected); the checks accept either. A wrong value of the right
        type must raise ValueError.
    """
    raise NotImplementedError("adagrad() is an exercise of chapter 6 (Optimizers): write it in nnlib/optim.py")


def rmsprop(w, dw, cache, lr, decay=0.99, eps=1e-8):
    """One step of RMSprop: AdaGrad with a decaying average of squared gradients.

    ::

        cache_new = decay * cache + (1 - decay) * dw ** 2
        w_new = w - lr * dw / (sqrt(cache_new) + eps)

    ``eps`` is added *outside* the square root; there is no bias correction.

    Parameters
    ----------
    w : numpy.ndarray
        Parameters, any shape.
    dw : numpy.ndarray
        Gradient of the loss at ``w``, same shape.
    cache : numpy.ndarray
        Running average of squared gradients, same shape (zeros before the first step).
    lr : float
        Learning rate, finite and ``> 0``.
    decay : float
        Decay rate of the running average, in ``[0, 1)`` (0.9, 0.99 and 0.999 are usual).
    eps : float
        Small constant that avoids a division by zero, finite and ``> 0``.

    Returns
    -------
    new_w : numpy.ndarray
        Float64, same shape.
    new_cache : numpy.ndarray
        Float64, same shape: ``decay * cache + (1 - decay) * dw ** 2``.

    Raises
    ------
    ValueError
        If ``dw`` or ``cache`` differs in shape from ``w``, ``lr`` or ``eps`` is not a
        finite number ``> 0``, or ``decay`` is not in ``[0, 1)``.
    TypeError
        May be raised instead of ValueError for an argument of the wrong type (a string,
        a bool, None, a list or a float where a number, an integer, an array or a
        Generator is expected); the checks accept either. A wrong value of the right
        type must raise ValueError.
    """
    raise NotImplementedError("rmsprop() is an exercise of chapter 6 (Optimizers): write it in nnlib/optim.py")


def adam(w, dw, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """One step of Adam (Kingma and Ba, 2015), with bias correction.

    ``t`` is the number of steps taken *before* this one (0 before the first step). The
    function first increments it, then uses the new value in the bias correction::

        t_new = t + 1
        m_new = beta1 * m + (1 - beta1) * dw
        v_new = beta2 * v + (1 - beta2) * dw ** 2
        m_hat = m_new / (1 - beta1 ** t_new)
        v_hat = v_new / (1 - beta2 ** t_new)
        w_new = w - lr * m_hat / (sqrt(v_hat) + eps)

    ``eps`` is added *outside* the square root. So the first step (``t = 0``, ``m = v = 0``)
    is ``lr * dw / (|dw| + eps)``, about ``lr * sign(dw)`` in every coordinate.

    Parameters
    ----------
    w : numpy.ndarray
        Parameters, any shape.
    dw : numpy.ndarray
        Gradient of the loss at ``w``, same shape.
    m : numpy.ndarray
        First-moment estimate (running mean of gradients), same shape; zeros at the start.
    v : numpy.ndarray
        Second-moment estimate (running mean of squared gradients), same shape; zeros at
        the start.
    t : int
        Number of steps taken before this one, ``>= 0``.
    lr : float
        Learning rate, finite and ``> 0``.
    beta1, beta2 : float
        Decay rates of the two moment estimates, each in ``[0, 1)``.
    eps : float
        Small constant that avoids a division by zero, finite and ``> 0``.

    Returns
    -------
    tuple
        ``(new_w, new_m, new_v, new_t)``: three float64 arrays of the shape of ``w``
        (``new_m`` and ``new_v`` are the *uncorrected* estimates ``m_new`` and ``v_new``)
        and the int ``t + 1``. Pass them back in as ``m, v, t`` at the next step.

    Raises
    ------
    ValueError
        If ``dw``, ``m`` or ``v`` differs in shape from ``w``, ``t`` is not an integer
        ``>= 0``, ``lr`` or ``eps`` is not a finite number ``> 0``, or ``beta1`` or
        ``beta2`` is not in ``[0, 1)``.
    TypeError
        May be raised instead of ValueError for an argument of the wrong type (a string,
        a bool, None, a list or a float where a number, an integer, an array or a
        Generator is expected); the checks accept either. A wrong value of the right
        type must raise ValueError.
    """
    raise NotImplementedError("adam() is an exercise of chapter 6 (Optimizers): write it in nnlib/optim.py")


LR_SCHEDULES = ("fixed", "step", "multistep", "exp", "inv", "poly", "cosine")
"""tuple of str: the ``kind`` values understood by :func:`lr_schedule`."""


def lr_schedule(kind, it, base_lr, *, step_size=None, milestones=None, gamma=None, power=1.0,
                max_iter=None, min_lr=0.0):
    """The learning rate at iteration ``it`` (counted from 0) of a schedule.

    ===============  ==============================================================
    ``kind``         learning rate at iteration ``it``
    ===============  ==============================================================
    ``"fixed"``      ``base_lr``
    ``"step"``       ``base_lr * gamma ** (it // step_size)``
    ``"multistep"``  ``base_lr * gamma ** k``, ``k`` = number of milestones ``<= it``
    ``"exp"``        ``base_lr * gamma ** it``
    ``"inv"``        ``base_lr * (1 + gamma * it) ** (-power)`` (``power = 1``: 1/t decay)
    ``"poly"``       ``base_lr * (1 - it / max_iter) ** power``; ``0`` once ``it >= max_iter``
    ``"cosine"``     ``min_lr + (base_lr - min_lr) * (1 + cos(pi * it / max_iter)) / 2``;
                     ``min_lr`` once ``it >= max_iter``
    ===============  ==============================================================

    So the rate drops *at* the iteration ``step_size`` (or at a milestone): ``it =
    step_size - 1`` still uses ``base_lr``, ``it = step_size`` uses ``base_lr * gamma``.
    Every schedule starts at ``base_lr`` for ``it = 0`` and never increases.

    Parameters
    ----------
    kind : str
        One of :data:`LR_SCHEDULES`.
    it : int
        Iteration, ``>= 0``.
    base_lr : float
        Initial learning rate, finite and ``> 0``.
    step_size : int, optional
        ``"step"`` only (required): iterations between drops, ``>= 1``.
    milestones : sequence of int, optional
        ``"multistep"`` only (required): non-empty, strictly increasing integers ``>= 1``.
    gamma : float, optional
        ``"step"`` and ``"multistep"``: factor per drop, in ``(0, 1]``, default 0.1.
        ``"exp"`` (required): factor per iteration, in ``(0, 1]``.
        ``"inv"`` (required): finite and ``> 0``.
    power : float
        ``"inv"`` and ``"poly"``: the exponent, finite and ``> 0`` (default 1).
    max_iter : int, optional
        ``"poly"`` and ``"cosine"`` (required): length of the schedule, ``>= 1``.
    min_lr : float
        ``"cosine"`` only: the final rate, in ``[0, base_lr]`` (default 0).

    Parameters that the chosen ``kind`` does not use are ignored.

    Returns
    -------
    float
        The learning rate.

    Raises
    ------
    ValueError
        If ``kind`` is unknown, ``it`` is not an integer ``>= 0``, ``base_lr`` is not a
        finite number ``> 0``, or a parameter that ``kind`` uses is missing or outside
        the range given above.
    TypeError
        May be raised instead of ValueError for an argument of the wrong type (a string,
        a bool, None, a list or a float where a number, an integer, an array or a
        Generator is expected); the checks accept either. A wrong value of the right
        type must raise ValueError.
    """
    raise NotImplementedError("lr_schedule() is an exercise of chapter 6 (Optimizers): write it in nnlib/optim.py")


def minibatch_indices(n, batch_size, rng, shuffle=True):
    """Split the row numbers ``0 .. n-1`` into the mini-batches of one epoch.

    With ``shuffle``, the rows are put in a uniformly random order (a permutation drawn
    from ``rng``), which is then cut into consecutive batches; without it they stay in
    the order ``0, 1, ..., n-1``. Every batch has ``batch_size`` rows except the last,
    which holds the remaining ``n % batch_size`` rows when ``batch_size`` does not divide
    ``n``: every row is in exactly one batch. If ``batch_size >= n`` there is one batch
    with all ``n`` rows.

    Parameters
    ----------
    n : int
        Number of examples, ``>= 1``.
    batch_size : int
        Rows per batch, ``>= 1``.
    rng : numpy.random.Generator or None
        The only source of randomness (so one seed always gives the same batches, and
        successive calls with one generator give fresh orders). Required when
        ``shuffle`` is true; ignored (may be None) otherwise.
    shuffle : bool
        Shuffle the rows before cutting them into batches.

    Returns
    -------
    list of numpy.ndarray
        ``ceil(n / batch_size)`` 1-D integer arrays of row numbers, in the order the
        batches are to be used; all have length ``batch_size`` but possibly the last.

    Raises
    ------
    ValueError
        If ``n`` or ``batch_size`` is not an integer ``>= 1``, or ``shuffle`` is true and
        ``rng`` is not a ``numpy.random.Generator``.
    TypeError
        May be raised instead of ValueError for an argument of the wrong type (a string,
        a bool, None, a list or a float where a number, an integer, an array or a
        Generator is expected); the checks accept either. A wrong value of the right
        type must raise ValueError.
    """
    raise NotImplementedError("minibatch_indices() is an exercise of chapter 6 (Optimizers): write it in nnlib/optim.py")


def scale_lr(base_lr, base_batch, new_batch, rule="linear"):
    """The learning rate for a new batch size, from one tuned at another batch size.

    ``rule="linear"`` multiplies the rate by the ratio of the batch sizes (double the
    batch, double the rate); ``rule="sqrt"`` by the square root of that ratio::

        linear: base_lr * new_batch / base_batch
        sqrt:   base_lr * sqrt(new_batch / base_batch)

    Parameters
    ----------
    base_lr : float
        Learning rate that works at ``base_batch``, finite and ``> 0``.
    base_batch, new_batch : int
        Batch sizes, integers ``>= 1``.
    rule : {"linear", "sqrt"}
        The scaling rule.

    Returns
    -------
    float
        The scaled learning rate.

    Raises
    ------
    ValueError
        If ``base_lr`` is not a finite number ``> 0``, a batch size is not an integer
        ``>= 1``, or ``rule`` is not ``"linear"`` or ``"sqrt"``.
    TypeError
        May be raised instead of ValueError for an argument of the wrong type (a string,
        a bool, None, a list or a float where a number, an integer, an array or a
        Generator is expected); the checks accept either. A wrong value of the right
        type must raise ValueError.
    """
    raise NotImplementedError("scale_lr() is an exercise of chapter 6 (Optimizers): write it in nnlib/optim.py")
