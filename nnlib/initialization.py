"""Chapter 4 exercises: initialization and batch normalization.

Conventions used throughout (the chapter explains them and their alternatives):

* A weight matrix has shape ``(n_in, n_out)`` and a layer computes ``Z = A @ W + b``, as in
  :mod:`nnlib.mlp`; ``n_in`` is the *fan-in* (inputs per unit), ``n_out`` the *fan-out*.
* The schemes of :func:`init_weights`, by the variance of every weight:

  ==================  =====================================================
  ``"zeros"``         all weights 0 (breaks nothing, learns nothing: see symmetry)
  ``"small"``         normal, standard deviation 0.01 (variance 1e-4)
  ``"lecun"``         normal, variance ``1 / n_in``
  ``"glorot_normal"`` normal, variance ``2 / (n_in + n_out)``
  ``"glorot_uniform"`` uniform on ``[-a, a]`` with ``a = sqrt(6 / (n_in + n_out))``,
                      the same variance ``a**2 / 3 = 2 / (n_in + n_out)``
  ``"he"``            normal, variance ``2 / n_in`` (for ReLU)
  ==================  =====================================================

  Every normal distribution has mean 0. Biases start at 0.
* Batch normalization works on a batch ``x`` of shape ``(N, D)``: the statistics of each
  feature (column) are taken over the ``N`` examples (rows). The variance is the biased one
  (divide by ``N``), and ``eps`` is added to the variance inside the square root.
* Running statistics use ``momentum`` as the weight of the *old* value:
  ``running = momentum * running + (1 - momentum) * batch`` (0.9 by default). Some
  libraries (PyTorch) call ``1 - momentum`` their momentum.

Every function returns new arrays and leaves its inputs untouched.
"""
from __future__ import annotations

import numpy as np

from nnlib.activations import get_activation
from nnlib.mlp import forward, n_layers
from nnlib.validation import check_generator, check_positive_int

SCHEMES = ("zeros", "small", "lecun", "glorot_normal", "glorot_uniform", "he")
"""tuple of str: the initialization schemes understood by :func:`init_weights`."""



def init_weights(n_in, n_out, scheme, rng):
    """A weight matrix of shape ``(n_in, n_out)`` drawn from an initialization scheme.

    Parameters
    ----------
    n_in : int
        Fan-in: number of inputs of each unit (rows of the matrix), ``>= 1``.
    n_out : int
        Fan-out: number of units of the layer (columns), ``>= 1``.
    scheme : str
        One of :data:`SCHEMES`:

        - ``"zeros"``: every weight 0;
        - ``"small"``: normal with mean 0 and standard deviation 0.01;
        - ``"lecun"``: normal with mean 0 and variance ``1 / n_in``;
        - ``"glorot_normal"``: normal with mean 0 and variance ``2 / (n_in + n_out)``;
        - ``"glorot_uniform"``: uniform on ``[-a, a]``, ``a = sqrt(6 / (n_in + n_out))``;
        - ``"he"``: normal with mean 0 and variance ``2 / n_in``.
    rng : numpy.random.Generator
        The only source of randomness (no global seeding). Any order of draws is fine;
        the same generator state must give the same matrix.

    Returns
    -------
    numpy.ndarray
        Float64 array of shape ``(n_in, n_out)`` whose entries are independent draws
        from the scheme's distribution.

    Raises
    ------
    ValueError
        If ``n_in`` or ``n_out`` is not an integer ``>= 1``, ``scheme`` is not one of
        :data:`SCHEMES`, or ``rng`` is not a ``numpy.random.Generator`` (checked for
        every scheme, ``"zeros"`` included).
    TypeError
        May be raised instead of ValueError for an argument of the wrong type (a string,
        a bool, None, a list or a float where a number, an integer, an array or a
        Generator is expected); the checks accept either. A wrong value of the right
        type must raise ValueError.
    """
    raise NotImplementedError("init_weights() is an exercise of chapter 4 (Initialization): write it in nnlib/initialization.py")


def init_network(layer_sizes, scheme, rng):
    """Parameters of a fully connected network, every weight matrix from one scheme.

    The result has the layout of :mod:`nnlib.mlp` (what :func:`nnlib.mlp.init_params`
    returns), so it can be passed to ``forward``, ``loss_and_grads`` and ``train``.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``[D, H1, ..., C]``: input size, hidden sizes, output size; at least two entries,
        each an integer ``>= 1``.
    scheme : str
        One of :data:`SCHEMES`, used for every layer with that layer's own fan-in and
        fan-out (see :func:`init_weights`, which you may call).
    rng : numpy.random.Generator
        The only source of randomness; every layer gets fresh draws from it (any order).

    Returns
    -------
    dict of str -> numpy.ndarray
        ``"W1" .. "WL"`` of shapes ``(layer_sizes[l-1], layer_sizes[l])`` and ``"b1" .. "bL"``
        of shapes ``(layer_sizes[l],)``, all float64; every bias is exactly 0. Weights of
        different layers are independent of each other.

    Raises
    ------
    ValueError
        If ``layer_sizes`` has fewer than two entries or an entry that is not an integer
        ``>= 1``, ``scheme`` is unknown, or ``rng`` is not a Generator.
    TypeError
        May be raised instead of ValueError for an argument of the wrong type (a string,
        a bool, None, a list or a float where a number, an integer, an array or a
        Generator is expected); the checks accept either. A wrong value of the right
        type must raise ValueError.
    """
    raise NotImplementedError("init_network() is an exercise of chapter 4 (Initialization): write it in nnlib/initialization.py")


def activation_stats(params, X, *, activation="tanh"):
    """Statistics of every hidden layer's activations for a batch of inputs.

    The network is the one of :mod:`nnlib.mlp`: ``A_0 = X``, ``Z_l = A_{l-1} @ W_l + b_l``
    and ``A_l = f(Z_l)`` for the hidden layers ``l = 1 .. L-1`` (the last layer, which is
    linear, is not reported).

    Parameters
    ----------
    params : dict of str -> numpy.ndarray
        ``W1..WL`` and ``b1..bL`` in the layout of :mod:`nnlib.mlp`.
    X : numpy.ndarray
        Inputs of shape ``(N, D)`` with ``D`` the number of rows of ``W1``.
    activation : {"relu", "tanh", "sigmoid"}
        Hidden-layer nonlinearity ``f``, with its derivative ``f'`` from
        :mod:`nnlib.activations` (``get_activation(name)`` returns both).

    Returns
    -------
    list of dict
        One dict per hidden layer, in order ``l = 1 .. L-1`` (an empty list when ``L = 1``),
        each with four floats computed over all ``N * H_l`` entries of that layer:

        - ``"mean"``: mean of ``A_l``;
        - ``"std"``: standard deviation of ``A_l`` over all its entries (population
          formula, dividing by the number of entries: ``np.std``'s default);
        - ``"saturated"``: fraction of entries where ``f'(Z_l) < 0.01``, i.e. units that
          pass almost no gradient back (for tanh, ``|A_l|`` above about 0.995);
        - ``"zero"``: fraction of entries of ``A_l`` that are exactly 0.

    Raises
    ------
    ValueError
        If ``params`` is malformed, ``X`` does not have shape ``(N, D)`` with ``N >= 1``,
        or ``activation`` is unknown.
    TypeError
        May be raised instead of ValueError for an argument of the wrong type (a string,
        a bool, None, a list or a float where a number, an integer, an array or a
        Generator is expected); the checks accept either. A wrong value of the right
        type must raise ValueError.
    """
    raise NotImplementedError("activation_stats() is an exercise of chapter 4 (Initialization): write it in nnlib/initialization.py")


def batchnorm_forward(x, gamma, beta, *, eps=1e-5):
    """Batch normalization in training mode: normalize each feature over the batch, then scale and shift.

    For each feature (column) ``j``, with the batch mean ``mu_j`` and the biased batch
    variance ``var_j = mean over rows of (x[:, j] - mu_j) ** 2``::

        x_hat[:, j] = (x[:, j] - mu_j) / sqrt(var_j + eps)
        out[:, j]   = gamma[j] * x_hat[:, j] + beta[j]

    Parameters
    ----------
    x : numpy.ndarray
        Batch of shape ``(N, D)``, ``N >= 1`` examples (rows), ``D`` features.
    gamma : numpy.ndarray
        Learnable scale, shape ``(D,)``.
    beta : numpy.ndarray
        Learnable shift, shape ``(D,)``.
    eps : float
        Finite number ``> 0`` added to the variance before the square root.

    Returns
    -------
    out : numpy.ndarray
        Float64, shape ``(N, D)``.
    cache : dict
        What :func:`batchnorm_backward` and the running averages need, with (at least)
        these float64 entries:

        - ``"x_hat"``: the normalized batch, shape ``(N, D)``;
        - ``"gamma"``: a copy of ``gamma``, shape ``(D,)``;
        - ``"std"``: ``sqrt(var + eps)``, shape ``(D,)``;
        - ``"mean"``: the batch mean ``mu``, shape ``(D,)``;
        - ``"var"``: the biased batch variance ``var`` (without ``eps``), shape ``(D,)``.

    Raises
    ------
    ValueError
        If ``x`` is not 2-D with at least one row, ``gamma`` or ``beta`` does not have
        shape ``(D,)``, or ``eps`` is not a finite number ``> 0``.
    TypeError
        May be raised instead of ValueError for an argument of the wrong type (a string,
        a bool, None, a list or a float where a number, an integer, an array or a
        Generator is expected); the checks accept either. A wrong value of the right
        type must raise ValueError.
    """
    raise NotImplementedError("batchnorm_forward() is an exercise of chapter 4 (Initialization): write it in nnlib/initialization.py")


def batchnorm_backward(dout, cache):
    """Backward pass of :func:`batchnorm_forward` in training mode.

    The batch mean and variance depend on every row of ``x``, so the gradient with
    respect to one example involves the whole batch.

    Parameters
    ----------
    dout : numpy.ndarray
        Gradient of the loss with respect to ``out``, shape ``(N, D)``.
    cache : dict
        A cache in the format that :func:`batchnorm_forward` returns. Only its entries
        ``"x_hat"`` ``(N, D)``, ``"gamma"`` ``(D,)`` and ``"std"`` ``(D,)`` may be used:
        the checks pass caches that hold just these three.

    Returns
    -------
    dx : numpy.ndarray
        Gradient with respect to the input ``x``, float64, shape ``(N, D)``.
    dgamma : numpy.ndarray
        Gradient with respect to ``gamma``, float64, shape ``(D,)``.
    dbeta : numpy.ndarray
        Gradient with respect to ``beta``, float64, shape ``(D,)``.

    Raises
    ------
    ValueError
        If ``cache`` lacks one of the three entries, or the shapes of ``dout``,
        ``cache["x_hat"]``, ``cache["gamma"]`` and ``cache["std"]`` do not fit together.
    TypeError
        May be raised instead of ValueError for an argument of the wrong type (a string,
        a bool, None, a list or a float where a number, an integer, an array or a
        Generator is expected); the checks accept either. A wrong value of the right
        type must raise ValueError.
    """
    raise NotImplementedError("batchnorm_backward() is an exercise of chapter 4 (Initialization): write it in nnlib/initialization.py")


def update_running_stats(running_mean, running_var, batch_mean, batch_var, *, momentum=0.9):
    """One step of the exponential moving averages that batch normalization uses at test time.

    ``new = momentum * old + (1 - momentum) * batch``, for the mean and the variance alike:
    ``momentum`` is the weight of the *old* value (PyTorch's ``momentum`` is ``1 -`` ours).

    Parameters
    ----------
    running_mean, running_var : numpy.ndarray
        The current averages, shape ``(D,)``; ``running_var`` has no negative entry.
    batch_mean, batch_var : numpy.ndarray
        The statistics of the current batch, shape ``(D,)`` (``cache["mean"]`` and
        ``cache["var"]`` of :func:`batchnorm_forward`); ``batch_var`` has no negative entry.
    momentum : float
        Weight of the old value, in ``[0, 1)``; 0 keeps only the current batch.

    Returns
    -------
    tuple of numpy.ndarray
        ``(new_mean, new_var)``, new float64 arrays of shape ``(D,)``; the arguments are
        not modified.

    Raises
    ------
    ValueError
        If the four arrays are not 1-D of one shape, a variance has a negative entry, or
        ``momentum`` is not a number in ``[0, 1)``.
    TypeError
        May be raised instead of ValueError for an argument of the wrong type (a string,
        a bool, None, a list or a float where a number, an integer, an array or a
        Generator is expected); the checks accept either. A wrong value of the right
        type must raise ValueError.
    """
    raise NotImplementedError("update_running_stats() is an exercise of chapter 4 (Initialization): write it in nnlib/initialization.py")


def batchnorm_inference(x, gamma, beta, running_mean, running_var, *, eps=1e-5):
    """Batch normalization at test time: normalize with fixed (running) statistics.

    ``out = gamma * (x - running_mean) / sqrt(running_var + eps) + beta``, feature by
    feature. Nothing depends on the other rows of the batch, so a single example gets the
    same output alone as inside any batch.

    Parameters
    ----------
    x : numpy.ndarray
        Inputs of shape ``(N, D)``, ``N >= 1``.
    gamma, beta : numpy.ndarray
        The learned scale and shift, shape ``(D,)``.
    running_mean, running_var : numpy.ndarray
        Statistics collected during training (see :func:`update_running_stats`), shape
        ``(D,)``; ``running_var`` has no negative entry.
    eps : float
        Finite number ``> 0`` added to the variance before the square root (use the value
        of training).

    Returns
    -------
    numpy.ndarray
        Float64, shape ``(N, D)``.

    Raises
    ------
    ValueError
        If ``x`` is not 2-D with at least one row, one of the four vectors does not have
        shape ``(D,)``, ``running_var`` has a negative entry, or ``eps`` is not a finite
        number ``> 0``.
    TypeError
        May be raised instead of ValueError for an argument of the wrong type (a string,
        a bool, None, a list or a float where a number, an integer, an array or a
        Generator is expected); the checks accept either. A wrong value of the right
        type must raise ValueError.
    """
    raise NotImplementedError("batchnorm_inference() is an exercise of chapter 4 (Initialization): write it in nnlib/initialization.py")
