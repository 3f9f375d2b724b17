"""A fully connected network (multilayer perceptron) with explicit forward and backward passes.

Parameters live in a plain dict ``{"W1": (D, H1), "b1": (H1,), ..., "WL": (H_{L-1}, C), "bL": (C,)}``;
the number of layers ``L`` is read from the keys. For a batch ``X`` of shape ``(N, D)``::

    Z_l = A_{l-1} @ W_l + b_l        A_0 = X
    A_l = f(Z_l)                     for the hidden layers l = 1 .. L-1
    scores = Z_L                     the last layer is linear (scores / logits)

Two output heads are supported, chosen with ``loss=``:

* ``"softmax"``: ``C >= 2`` output units, softmax cross-entropy, labels in ``[0, C)``;
* ``"binary"``: exactly one output unit (a logit), binary cross-entropy, labels in {0, 1}.

No function here modifies its inputs; gradients and scores are new arrays.
"""

import re

import numpy as np

from .activations import ACTIVATIONS, get_activation, sigmoid
from .losses import binary_cross_entropy, softmax, softmax_cross_entropy
from .validation import check_generator

__all__ = [
    "n_layers",
    "init_params",
    "forward",
    "backward",
    "loss_and_grads",
    "predict",
    "predict_proba",
    "accuracy",
    "LOSSES",
]

LOSSES = ("softmax", "binary")
"""tuple of str: the output heads understood by ``loss=``."""

_KEY = re.compile(r"^([Wb])([1-9][0-9]*)$")


def _check_loss(loss):
    if not isinstance(loss, str) or loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; expected one of {', '.join(map(repr, LOSSES))}")


def n_layers(params):
    """Number of layers ``L`` of a parameter dict, after checking that it is well formed.

    Parameters
    ----------
    params : dict of str -> ndarray
        Must hold exactly the keys ``W1..WL`` and ``b1..bL`` with ``W_l`` of shape
        ``(n_{l-1}, n_l)`` and ``b_l`` of shape ``(n_l,)``.

    Returns
    -------
    int
        ``L >= 1``.

    Raises
    ------
    ValueError
        If ``params`` is not a dict, has missing or unexpected keys, or has
        arrays whose shapes do not chain.
    """
    if not isinstance(params, dict):
        raise ValueError(f"params must be a dict like {{'W1': ..., 'b1': ...}}; got {type(params).__name__}")
    bad = sorted(k for k in params if not (isinstance(k, str) and _KEY.match(k)))
    if bad:
        raise ValueError(f"unexpected keys in params: {bad}; expected only W1..WL and b1..bL")
    count = sum(1 for k in params if k.startswith("W"))
    expected = {f"{p}{l}" for l in range(1, count + 1) for p in "Wb"}
    if count == 0 or set(params) != expected:
        missing = sorted(expected - set(params))
        extra = sorted(set(params) - expected)
        raise ValueError(
            f"params must hold W1..WL and b1..bL for some L >= 1; missing {missing}, unexpected {extra}"
        )
    prev = None
    for l in range(1, count + 1):
        w, b = np.shape(params[f"W{l}"]), np.shape(params[f"b{l}"])
        if len(w) != 2 or b != (w[1],):
            raise ValueError(f"W{l} must be 2-D (n_in, n_out) and b{l} of shape (n_out,); got {w} and {b}")
        if prev is not None and w[0] != prev:
            raise ValueError(f"W{l} has {w[0]} rows but layer {l - 1} has {prev} units")
        prev = w[1]
    return count


def init_params(layer_sizes, *, rng, scale="he"):
    """Random Gaussian weights and zero biases for a fully connected network.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``[D, H1, ..., C]``: input size, hidden sizes, output size; at least two
        entries, all ``>= 1``.
    rng : numpy.random.Generator
        Source of randomness; weights are drawn in the order W1, W2, ...
    scale : {"he", "lecun"} or float, default "he"
        Standard deviation of layer ``l``'s weights: ``"he"`` gives
        ``sqrt(2 / n_in)`` (suited to ReLU), ``"lecun"`` gives ``sqrt(1 / n_in)``
        (suited to tanh), a float ``>= 0`` is used as is. (The initialization
        chapter explains these and Glorot's ``sqrt(2 / (n_in + n_out))``.)

    Returns
    -------
    dict of str -> ndarray of float64
        ``W_l`` of shape ``(layer_sizes[l-1], layer_sizes[l])``, ``b_l`` zeros of
        shape ``(layer_sizes[l],)``.

    Raises
    ------
    ValueError
        If ``rng`` is not a Generator, ``layer_sizes`` has fewer than two entries or
        a non-positive / non-integer entry, or ``scale`` is neither a known name
        nor a finite float ``>= 0``.
    """
    check_generator(rng)
    sizes = list(layer_sizes) if not isinstance(layer_sizes, (str, bytes)) else None
    if (
        sizes is None
        or len(sizes) < 2
        or not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s >= 1 for s in sizes)
    ):
        raise ValueError(f"layer_sizes must be a list of at least two positive ints like [2, 16, 3]; got {layer_sizes!r}")
    params = {}
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        std = _init_std(scale, int(n_in))
        params[f"W{l}"] = rng.standard_normal((int(n_in), int(n_out))) * std
        params[f"b{l}"] = np.zeros(int(n_out))
    return params


def _init_std(scale, n_in):
    if isinstance(scale, str):
        if scale == "he":
            return np.sqrt(2.0 / n_in)
        if scale == "lecun":
            return np.sqrt(1.0 / n_in)
    elif isinstance(scale, (int, float, np.integer, np.floating)) and not isinstance(scale, bool):
        if np.isfinite(scale) and scale >= 0:
            return float(scale)
    raise ValueError(f"scale must be 'he', 'lecun' or a finite float >= 0 (the weight std); got {scale!r}")


def _check_X(params, X, name="X"):
    X = np.asarray(X, dtype=np.float64)
    d = np.shape(params["W1"])[0]
    if X.ndim != 2 or X.shape[1] != d:
        raise ValueError(f"{name} must have shape (N, {d}) to match W1; got shape {X.shape}")
    return X


# --------------------------------------------------------------------------------------------
# Unchecked kernels. The public functions below check their arguments once and then call these;
# nnlib.training.train checks its arguments once per call and then runs them at every step.
# Each performs exactly the floating-point operations of the straightforward formulas
# (``A @ W + b``, ``(dZ @ W.T) * f'(Z)``), only with fewer temporary arrays, so the results are
# bit-identical to them.


def _weights(params, L):
    """``[W1, ..., WL]`` and ``[b1, ..., bL]`` of a checked parameter dict."""
    return [params[f"W{l}"] for l in range(1, L + 1)], [params[f"b{l}"] for l in range(1, L + 1)]


def _affine(A, W, b):
    """``A @ W + b`` as a new array (the bias is added in place to the product)."""
    Z = A @ W
    Z += b
    return Z


def _forward_kernel(Ws, bs, X, activation, keep):
    """Scores of the network, and the list of every layer's input if ``keep`` (else None).

    With ``keep="pre"`` the hidden pre-activations are kept too (``f`` is applied out of place);
    with ``keep=True`` only the layer inputs are kept; with ``keep=False`` nothing is kept and
    the activations are applied in place (prediction and evaluation only).
    """
    f, _ = ACTIVATIONS[activation]
    inputs = [X] if keep else None
    pre = [] if keep == "pre" else None
    A = X
    for W, b in zip(Ws[:-1], bs[:-1]):
        Z = _affine(A, W, b)
        if pre is not None:
            pre.append(Z)
            A = f(Z)
        elif activation == "relu":
            A = np.maximum(Z, 0.0, out=Z)
        elif activation == "tanh":
            A = np.tanh(Z, out=Z)
        else:
            A = f(Z)
        if inputs is not None:
            inputs.append(A)
    return _affine(A, Ws[-1], bs[-1]), inputs, pre


def _scale_by_slope(dA, A, activation):
    """``dA *= f'(Z)`` in place, with ``f'`` computed from the layer's output ``A = f(Z)``.

    The values equal :func:`relu_grad`, :func:`tanh_grad` and :func:`sigmoid_grad` of ``Z`` bit
    for bit (``A > 0`` exactly where ``Z > 0``; ``A`` *is* ``tanh(Z)`` or ``sigmoid(Z)``), so the
    backward pass needs neither the pre-activations nor a second ``np.tanh`` or ``np.exp``.
    """
    if activation == "relu":
        np.multiply(dA, A > 0.0, out=dA)
    elif activation == "tanh":
        slope = A * A
        np.subtract(1.0, slope, out=slope)
        dA *= slope
    else:
        slope = 1.0 - A
        slope *= A
        dA *= slope
    return dA


def _backward_kernel(Ws, inputs, dZ, activation):
    """Gradients ``([dW1, ..., dWL], [db1, ..., dbL])`` from the layer inputs of a forward pass."""
    L = len(Ws)
    dWs, dbs = [None] * L, [None] * L
    for l in range(L - 1, -1, -1):
        dWs[l] = inputs[l].T @ dZ
        dbs[l] = dZ.sum(axis=0)
        if l > 0:
            dZ = _scale_by_slope(dZ @ np.asarray(Ws[l]).T, inputs[l], activation)
    return dWs, dbs


def _grads_dict(params, dWs, dbs):
    """The gradients as a dict with the keys of ``params``, in the same order."""
    grads = {}
    for l, (dW, db) in enumerate(zip(dWs, dbs), start=1):
        grads[f"W{l}"], grads[f"b{l}"] = dW, db
    return {k: grads[k] for k in params}


def forward(params, X, *, activation="relu"):
    """Forward pass: hidden layers use ``activation``, the last layer is linear.

    Parameters
    ----------
    params : dict of str -> ndarray
        ``W1..WL``, ``b1..bL`` as returned by :func:`init_params`.
    X : array_like of float, shape (N, D)
        Inputs, one example per row; ``D == W1.shape[0]``.
    activation : {"relu", "tanh", "sigmoid"}, default "relu"
        Hidden-layer nonlinearity.

    Returns
    -------
    scores : ndarray of float64, shape (N, C)
        Output of the last (linear) layer; ``C == WL.shape[1]``.
    cache : dict
        What :func:`backward` needs: ``"activation"`` (the name), ``"inputs"``
        (the list ``[A_0 = X, A_1, ..., A_{L-1}]`` of each layer's input) and
        ``"pre_activations"`` (the list ``[Z_1, ..., Z_{L-1}]`` of hidden
        pre-activations). Treat it as read-only.

    Raises
    ------
    ValueError
        If ``params`` is malformed, ``X`` has the wrong shape, or ``activation``
        is unknown.
    """
    L = n_layers(params)
    get_activation(activation)
    X = _check_X(params, X)
    scores, inputs, pre = _forward_kernel(*_weights(params, L), X, activation, keep="pre")
    return scores, {"activation": activation, "inputs": inputs, "pre_activations": pre}


def backward(params, cache, dscores):
    """Backward pass: gradients of a scalar loss with respect to every parameter.

    Parameters
    ----------
    params : dict of str -> ndarray
        The parameters used in the :func:`forward` call that produced ``cache``.
    cache : dict
        Second return value of :func:`forward`.
    dscores : array_like of float, shape (N, C)
        Gradient of the loss with respect to the scores (any ``1/N`` factor
        already included). Shape ``(N,)`` is accepted when ``C == 1``.

    Returns
    -------
    dict of str -> ndarray of float64
        Same keys and shapes as ``params``: ``dW_l = A_{l-1}^T dZ_l`` and
        ``db_l = sum over rows of dZ_l``.

    Raises
    ------
    ValueError
        If ``params`` is malformed, ``cache`` does not come from a forward pass
        through these parameters, or ``dscores`` has the wrong shape.

    Notes
    -----
    The derivative of the activation is computed from the cached layer outputs
    ``A_l = f(Z_l)`` (``f'(Z) = 1 - A**2`` for tanh, ``A (1 - A)`` for sigmoid, ``A > 0``
    for ReLU), which gives the same numbers as evaluating ``f'`` on ``Z_l`` without
    computing ``f`` again.
    """
    L = n_layers(params)
    if not isinstance(cache, dict) or len(cache.get("inputs", ())) != L:
        raise ValueError(f"cache must be the cache returned by forward() for this {L}-layer network")
    activation = cache["activation"]
    get_activation(activation)
    inputs = cache["inputs"]
    n, c = inputs[0].shape[0], np.shape(params[f"W{L}"])[1]
    dZ = np.asarray(dscores, dtype=np.float64)
    if dZ.shape == (n,) and c == 1:
        dZ = dZ.reshape(n, 1)
    if dZ.shape != (n, c):
        raise ValueError(f"dscores must have shape ({n}, {c}) like the scores; got shape {dZ.shape}")
    Ws, _ = _weights(params, L)
    return _grads_dict(params, *_backward_kernel(Ws, inputs, dZ, activation))


def _check_head(params, loss, L=None):
    _check_loss(loss)
    c = np.shape(params[f"W{n_layers(params) if L is None else L}"])[1]
    if loss == "binary" and c != 1:
        raise ValueError(f"loss='binary' needs a last layer with 1 unit (one logit); this network has {c}")
    if loss == "softmax" and c < 2:
        raise ValueError("loss='softmax' needs a last layer with >= 2 units; for a single logit use loss='binary'")


def _check_model(params, X, activation, loss):
    """The checks shared by the functions taking ``(params, X, activation, loss)``; returns ``(L, X)``."""
    _check_loss(loss)
    L = n_layers(params)
    _check_head(params, loss, L)
    get_activation(activation)
    return L, _check_X(params, X)


def loss_and_grads(params, X, y, *, activation="relu", loss="softmax"):
    """Mean loss over the batch and its gradients with respect to all parameters.

    Parameters
    ----------
    params : dict of str -> ndarray
        ``W1..WL``, ``b1..bL``.
    X : array_like of float, shape (N, D)
        Inputs.
    y : array_like of int, shape (N,)
        Labels: in ``[0, C)`` for ``loss="softmax"``, in {0, 1} for ``loss="binary"``.
    activation : {"relu", "tanh", "sigmoid"}, default "relu"
        Hidden-layer nonlinearity.
    loss : {"softmax", "binary"}, default "softmax"
        Output head: softmax cross-entropy on ``C >= 2`` scores, or binary
        cross-entropy on a single logit (last layer with one unit).

    Returns
    -------
    loss : float
        Mean loss over the ``N`` examples (no regularization term).
    grads : dict of str -> ndarray of float64
        Same keys and shapes as ``params``.

    Raises
    ------
    ValueError
        If ``loss`` is unknown or does not match the size of the last layer,
        or any argument fails the checks of :func:`forward` and the loss function.
    """
    L, X = _check_model(params, X, activation, loss)
    Ws, bs = _weights(params, L)
    scores, inputs, _ = _forward_kernel(Ws, bs, X, activation, keep=True)
    if loss == "softmax":
        value, dscores = softmax_cross_entropy(scores, y)
    else:
        value, dscores = binary_cross_entropy(scores, y)
    return value, _grads_dict(params, *_backward_kernel(Ws, inputs, dscores, activation))


def predict_proba(params, X, *, activation="relu", loss="softmax"):
    """Class probabilities.

    Parameters
    ----------
    params, X, activation, loss
        As in :func:`loss_and_grads`.

    Returns
    -------
    ndarray of float64
        ``loss="softmax"``: shape ``(N, C)``, rows sum to 1.
        ``loss="binary"``: shape ``(N,)``, the probability of class 1.

    Raises
    ------
    ValueError
        As :func:`forward`, or if ``loss`` does not match the last layer.
    """
    L, X = _check_model(params, X, activation, loss)
    scores, _, _ = _forward_kernel(*_weights(params, L), X, activation, keep=False)
    return softmax(scores) if loss == "softmax" else sigmoid(scores[:, 0])


def predict(params, X, *, activation="relu", loss="softmax"):
    """Predicted class labels.

    Parameters
    ----------
    params, X, activation, loss
        As in :func:`loss_and_grads`.

    Returns
    -------
    ndarray of int64, shape (N,)
        ``argmax`` of the scores (``"softmax"``) or ``logit > 0`` (``"binary"``,
        i.e. probability of class 1 above 0.5).

    Raises
    ------
    ValueError
        As :func:`forward`, or if ``loss`` does not match the last layer.
    """
    L, X = _check_model(params, X, activation, loss)
    scores, _, _ = _forward_kernel(*_weights(params, L), X, activation, keep=False)
    if loss == "softmax":
        return np.argmax(scores, axis=1).astype(np.int64)
    return (scores[:, 0] > 0.0).astype(np.int64)


def accuracy(y_pred, y):
    """Fraction of predictions equal to the labels.

    Parameters
    ----------
    y_pred : array_like of int, shape (N,)
        Predicted labels.
    y : array_like of int, shape (N,)
        True labels; ``N >= 1``.

    Returns
    -------
    float
        In [0, 1].

    Raises
    ------
    ValueError
        If the arrays are not 1-D, differ in length, or are empty.
    """
    y_pred, y = np.asarray(y_pred), np.asarray(y)
    if y_pred.ndim != 1 or y.ndim != 1 or y_pred.shape != y.shape or y.size == 0:
        raise ValueError(
            f"y_pred and y must be non-empty 1-D arrays of the same length; got shapes {y_pred.shape} and {y.shape}"
        )
    return float(np.mean(y_pred == y))
