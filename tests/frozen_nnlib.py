"""A frozen copy of nnlib's training code before the speed work of issue 16 (do not edit).

``tests/test_training.py`` trains the same networks with this copy and with the current
:func:`nnlib.training.train` and demands bit-identical parameters and histories. It is the
concatenation of nnlib/validation.py, activations.py, losses.py, mlp.py and training.py as they
were at commit 3c84707, with the module docstrings, ``__all__`` lists and relative imports removed.
"""

import math
import os
import re
from dataclasses import dataclass, field

import numpy as np
from tqdm.auto import tqdm


# ---------------------------------------------------------------- nnlib/validation.py
def check_generator(rng, name: str = "rng") -> np.random.Generator:
    """Return ``rng`` if it is a ``numpy.random.Generator``; ValueError otherwise."""
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"{name} must be a numpy.random.Generator, e.g. np.random.default_rng(0); "
                         f"got {type(rng).__name__}")
    return rng


def check_positive_int(value, name: str, minimum: int = 1) -> int:
    """Return ``value`` as int if it is an integer (not bool) of at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer of at least {minimum}, got {value!r}")
    return int(value)


# ---------------------------------------------------------------- nnlib/activations.py
def _as_float_array(z):
    """Return ``z`` as a float64 ndarray (a copy is made only when needed)."""
    try:
        return np.asarray(z, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(
            f"activation input must be numeric (array-like of numbers); got {type(z).__name__}"
        ) from err


def relu(z):
    """Rectified linear unit, ``max(z, 0)``.

    Parameters
    ----------
    z : array_like of float, any shape
        Pre-activations.

    Returns
    -------
    ndarray of float64, same shape as ``z``

    Raises
    ------
    ValueError
        If ``z`` is not numeric.
    """
    return np.maximum(_as_float_array(z), 0.0)


def relu_grad(z):
    """Derivative of :func:`relu` with respect to ``z``: 1 where ``z > 0``, else 0.

    The kink at ``z == 0`` gets derivative 0 (a valid subgradient).

    Parameters
    ----------
    z : array_like of float, any shape
        Pre-activations.

    Returns
    -------
    ndarray of float64, same shape as ``z``, values in {0.0, 1.0}

    Raises
    ------
    ValueError
        If ``z`` is not numeric.
    """
    return (_as_float_array(z) > 0.0).astype(np.float64)


def tanh(z):
    """Hyperbolic tangent, ``(e^z - e^-z) / (e^z + e^-z)``; stable for any finite ``z``.

    Parameters
    ----------
    z : array_like of float, any shape
        Pre-activations.

    Returns
    -------
    ndarray of float64, same shape as ``z``, values in [-1, 1]

    Raises
    ------
    ValueError
        If ``z`` is not numeric.
    """
    return np.tanh(_as_float_array(z))


def tanh_grad(z):
    """Derivative of :func:`tanh`: ``1 - tanh(z)**2``.

    Parameters
    ----------
    z : array_like of float, any shape
        Pre-activations.

    Returns
    -------
    ndarray of float64, same shape as ``z``, values in [0, 1]

    Raises
    ------
    ValueError
        If ``z`` is not numeric.
    """
    t = np.tanh(_as_float_array(z))
    return 1.0 - t * t


def sigmoid(z):
    """Logistic sigmoid ``1 / (1 + e^-z)``, computed without overflow.

    Only ``exp(-|z|)`` is ever evaluated (it lies in (0, 1]), so inputs as
    large as ``|z| = 1e4`` (or any finite value) give no overflow warning:
    ``sigmoid(1e4) == 1.0`` and ``sigmoid(-1e4) == 0.0``.

    Parameters
    ----------
    z : array_like of float, any shape
        Pre-activations.

    Returns
    -------
    ndarray of float64, same shape as ``z``, values in [0, 1]

    Raises
    ------
    ValueError
        If ``z`` is not numeric.
    """
    z = _as_float_array(z)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(z):
    """Derivative of :func:`sigmoid`: ``sigmoid(z) * (1 - sigmoid(z))``.

    Parameters
    ----------
    z : array_like of float, any shape
        Pre-activations.

    Returns
    -------
    ndarray of float64, same shape as ``z``, values in [0, 0.25]

    Raises
    ------
    ValueError
        If ``z`` is not numeric.
    """
    s = sigmoid(z)
    return s * (1.0 - s)


ACTIVATIONS = {
    "relu": (relu, relu_grad),
    "tanh": (tanh, tanh_grad),
    "sigmoid": (sigmoid, sigmoid_grad),
}
"""dict: activation name -> ``(f, df)``, both functions of the pre-activation ``z``."""


def get_activation(name):
    """Look up an activation by name.

    Parameters
    ----------
    name : str
        One of the keys of :data:`ACTIVATIONS` (``"relu"``, ``"tanh"``, ``"sigmoid"``).

    Returns
    -------
    f, df : callable
        The activation and its derivative, both taking the pre-activation ``z``.

    Raises
    ------
    ValueError
        If ``name`` is not a known activation name; the message lists the valid names.
    """
    if not isinstance(name, str) or name not in ACTIVATIONS:
        valid = ", ".join(repr(k) for k in sorted(ACTIVATIONS))
        raise ValueError(f"unknown activation {name!r}; expected one of {valid}")
    return ACTIVATIONS[name]


# ---------------------------------------------------------------- nnlib/losses.py
def _float_array(x, name):
    try:
        return np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be a numeric array; got {type(x).__name__}") from err


def _int_labels(y, n, name="y"):
    """Check that ``y`` is a 1-D integer array of length ``n`` and return it."""
    y = np.asarray(y)
    if y.ndim != 1 or y.shape[0] != n:
        raise ValueError(f"{name} must have shape ({n},) to match the scores; got shape {y.shape}")
    if not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"{name} must hold integer class labels (e.g. int64); got dtype {y.dtype}")
    return y


def softmax(scores):
    """Softmax along the last axis, stable for any finite scores.

    Subtracting the row maximum before exponentiating leaves the result
    unchanged (softmax is invariant to adding a constant per row) and keeps
    every exponent <= 0, so nothing overflows.

    Parameters
    ----------
    scores : array_like of float, shape (C,) or (N, C)
        Raw class scores; ``C >= 1``.

    Returns
    -------
    ndarray of float64, same shape as ``scores``
        Probabilities; each row is non-negative and sums to 1.

    Raises
    ------
    ValueError
        If ``scores`` is not 1-D or 2-D, has no classes, or is not numeric.
    """
    s = _float_array(scores, "scores")
    if s.ndim not in (1, 2) or s.shape[-1] == 0:
        raise ValueError(f"scores must have shape (C,) or (N, C) with C >= 1; got shape {s.shape}")
    shifted = s - s.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


def softmax_cross_entropy(scores, y):
    """Mean softmax cross-entropy loss and its gradient.

    ``loss = -(1/N) * sum_i log softmax(scores_i)[y_i]``, computed with the
    log-sum-exp trick so that scores of size 1e4 neither overflow nor give
    ``log(0)``.

    Parameters
    ----------
    scores : array_like of float, shape (N, C)
        Raw (unnormalized) class scores, ``N >= 1``, ``C >= 2``.
    y : array_like of int, shape (N,)
        Integer class labels in ``[0, C)``.

    Returns
    -------
    loss : float
        Mean cross-entropy over the batch.
    dscores : ndarray of float64, shape (N, C)
        Gradient of ``loss`` with respect to ``scores``: ``(softmax(scores) - onehot(y)) / N``.

    Raises
    ------
    ValueError
        If ``scores`` is not 2-D with ``N >= 1`` and ``C >= 2``; if ``y`` is not an
        integer array of shape ``(N,)``; if a label is outside ``[0, C)``.
    """
    s = _float_array(scores, "scores")
    if s.ndim != 2 or s.shape[0] == 0 or s.shape[1] < 2:
        raise ValueError(
            f"scores must have shape (N, C) with N >= 1 and C >= 2; got shape {s.shape} "
            "(for a single logit per example use binary_cross_entropy)"
        )
    n, c = s.shape
    y = _int_labels(y, n)
    if y.min() < 0 or y.max() >= c:
        raise ValueError(f"labels y must lie in [0, {c}) for {c} classes; got min {y.min()}, max {y.max()}")
    shifted = s - s.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(shifted).sum(axis=1))
    rows = np.arange(n)
    loss = float(np.mean(log_norm - shifted[rows, y]))
    dscores = np.exp(shifted - log_norm[:, None])
    dscores[rows, y] -= 1.0
    dscores /= n
    return loss, dscores


def binary_cross_entropy(logits, y):
    """Mean binary cross-entropy on raw logits and its gradient.

    With ``p = sigmoid(z)``, the per-example loss ``-y log p - (1 - y) log(1 - p)``
    equals ``softplus(z) - y z``, and ``softplus(z) = max(z, 0) + log1p(exp(-|z|))``
    never overflows, so logits of size 1e4 give an exact, finite loss.

    Parameters
    ----------
    logits : array_like of float, shape (N,) or (N, 1)
        Raw scores for class 1, ``N >= 1``.
    y : array_like of int, shape (N,)
        Labels in {0, 1}.

    Returns
    -------
    loss : float
        Mean binary cross-entropy over the batch.
    dlogits : ndarray of float64, same shape as ``logits``
        Gradient of ``loss`` with respect to ``logits``: ``(sigmoid(z) - y) / N``.

    Raises
    ------
    ValueError
        If ``logits`` is not of shape ``(N,)`` or ``(N, 1)`` with ``N >= 1``; if ``y``
        is not an integer array of shape ``(N,)``; if a label is not 0 or 1.
    """
    z = _float_array(logits, "logits")
    if not (z.ndim == 1 or (z.ndim == 2 and z.shape[1] == 1)) or z.shape[0] == 0:
        raise ValueError(f"logits must have shape (N,) or (N, 1) with N >= 1; got shape {z.shape}")
    n = z.shape[0]
    y = _int_labels(y, n)
    if not np.all((y == 0) | (y == 1)):
        raise ValueError(f"binary labels y must be 0 or 1; got values {np.unique(y)[:10].tolist()}")
    flat = z.reshape(n)
    softplus = np.maximum(flat, 0.0) + np.log1p(np.exp(-np.abs(flat)))
    loss = float(np.mean(softplus - y * flat))
    dlogits = ((sigmoid(flat) - y) / n).reshape(z.shape)
    return loss, dlogits


# ---------------------------------------------------------------- nnlib/mlp.py
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
    f, _ = get_activation(activation)
    A = _check_X(params, X)
    inputs, pre = [A], []
    for l in range(1, L):
        Z = A @ params[f"W{l}"] + params[f"b{l}"]
        A = f(Z)
        pre.append(Z)
        inputs.append(A)
    scores = A @ params[f"W{L}"] + params[f"b{L}"]
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
    """
    L = n_layers(params)
    if not isinstance(cache, dict) or len(cache.get("inputs", ())) != L:
        raise ValueError(f"cache must be the cache returned by forward() for this {L}-layer network")
    _, df = get_activation(cache["activation"])
    inputs, pre = cache["inputs"], cache["pre_activations"]
    n, c = inputs[0].shape[0], np.shape(params[f"W{L}"])[1]
    dZ = np.asarray(dscores, dtype=np.float64)
    if dZ.shape == (n,) and c == 1:
        dZ = dZ.reshape(n, 1)
    if dZ.shape != (n, c):
        raise ValueError(f"dscores must have shape ({n}, {c}) like the scores; got shape {dZ.shape}")
    grads = {}
    for l in range(L, 0, -1):
        grads[f"W{l}"] = inputs[l - 1].T @ dZ
        grads[f"b{l}"] = dZ.sum(axis=0)
        if l > 1:
            dZ = (dZ @ np.asarray(params[f"W{l}"]).T) * df(pre[l - 2])
    return {k: grads[k] for k in params}


def _check_head(params, loss):
    _check_loss(loss)
    c = np.shape(params[f"W{n_layers(params)}"])[1]
    if loss == "binary" and c != 1:
        raise ValueError(f"loss='binary' needs a last layer with 1 unit (one logit); this network has {c}")
    if loss == "softmax" and c < 2:
        raise ValueError("loss='softmax' needs a last layer with >= 2 units; for a single logit use loss='binary'")


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
    _check_head(params, loss)
    scores, cache = forward(params, X, activation=activation)
    if loss == "softmax":
        value, dscores = softmax_cross_entropy(scores, y)
    else:
        value, dscores = binary_cross_entropy(scores, y)
    return value, backward(params, cache, dscores)


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
    _check_head(params, loss)
    scores, _ = forward(params, X, activation=activation)
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
    _check_head(params, loss)
    scores, _ = forward(params, X, activation=activation)
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


# ---------------------------------------------------------------- nnlib/training.py
PROGRESS_MIN_STEPS = 2000
"""int: with ``progress=None``, a bar is shown when ``epochs * batches_per_epoch`` reaches this."""

_METRICS = ("train_loss", "train_acc", "val_loss", "val_acc")


@dataclass
class History:
    """Per-epoch record of a training run.

    Attributes
    ----------
    epoch : list of int
        Epoch numbers, starting at 1; entry ``i`` of every other list belongs to ``epoch[i]``.
    train_loss, train_acc : list of float
        Mean loss and accuracy on the whole training set after each epoch.
    val_loss, val_acc : list of float
        The same on the validation set; empty when no validation data was given.
    """

    epoch: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_acc: list = field(default_factory=list)

    def best_epoch(self, metric="val_loss"):
        """Epoch with the best value of ``metric`` (lowest loss or highest accuracy).

        Parameters
        ----------
        metric : {"val_loss", "val_acc", "train_loss", "train_acc"}, default "val_loss"

        Returns
        -------
        int
            The epoch number (as in :attr:`epoch`); ties go to the earliest epoch.

        Raises
        ------
        ValueError
            If ``metric`` is unknown or nothing was recorded for it (for instance
            ``"val_loss"`` when training had no validation data).
        """
        if metric not in _METRICS:
            raise ValueError(f"unknown metric {metric!r}; expected one of {', '.join(map(repr, _METRICS))}")
        values = getattr(self, metric)
        if not values:
            hint = " (pass X_val and y_val to train())" if metric.startswith("val") else ""
            raise ValueError(f"no values recorded for {metric!r}{hint}")
        index = np.argmin(values) if metric.endswith("loss") else np.argmax(values)
        return int(self.epoch[int(index)])

    def as_dict(self):
        """The history as a plain dict of lists (copies), e.g. for saving to JSON.

        Returns
        -------
        dict of str -> list
            Keys ``"epoch", "train_loss", "train_acc", "val_loss", "val_acc"``.
        """
        return {name: list(getattr(self, name)) for name in ("epoch",) + _METRICS}


def sgd_step(params, grads, state, lr):
    """Plain gradient-descent update ``p <- p - lr * dp`` (the default ``step`` of :func:`train`).

    Parameters
    ----------
    params, grads : dict of str -> ndarray
        Same keys and shapes.
    state : any
        Passed through unchanged (plain SGD keeps no state).
    lr : float
        Learning rate.

    Returns
    -------
    new_params : dict of str -> ndarray
        New arrays; ``params`` is not modified.
    state : any
        The ``state`` argument.
    """
    return {k: params[k] - lr * grads[k] for k in params}, state


def _env_set(name):
    return bool(os.environ.get(name, ""))


def _show_progress(progress, n_steps):
    if progress is None:
        quiet = _env_set("NNLIB_STATIC") or _env_set("NBGRADER_EXECUTION")
        return n_steps >= PROGRESS_MIN_STEPS and not quiet
    if isinstance(progress, bool):
        return progress
    raise ValueError(f"progress must be None (automatic), True or False; got {progress!r}")


def _check_data(X, y, params, names=("X", "y")):
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    d = np.shape(params["W1"])[0]
    if X.ndim != 2 or X.shape[1] != d or X.shape[0] == 0:
        raise ValueError(f"{names[0]} must have shape (N, {d}) with N >= 1 to match W1; got shape {X.shape}")
    if y.shape != (X.shape[0],):
        raise ValueError(f"{names[1]} must have shape ({X.shape[0]},) to match {names[0]}; got shape {y.shape}")
    return X, y


def _evaluate(params, X, y, activation, loss):
    """Mean loss and accuracy of ``params`` on ``(X, y)``."""
    scores, _ = forward(params, X, activation=activation)
    if loss == "softmax":
        value, _ = softmax_cross_entropy(scores, y)
        pred = np.argmax(scores, axis=1)
    else:
        value, _ = binary_cross_entropy(scores, y)
        pred = (scores[:, 0] > 0.0).astype(np.int64)
    return value, float(np.mean(pred == y))


def _check_finite(value, epoch, lr, where):
    if not np.isfinite(value):
        raise ValueError(
            f"the {where} loss became {value} at epoch {epoch}: training diverged. "
            f"Is the learning rate too large? (lr={lr}); try a smaller one"
        )


def _apply_step(step, params, grads, state, lr):
    result = step(params, grads, state, lr)
    if not (isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], dict)):
        raise ValueError("step(params, grads, state, lr) must return a tuple (new_params: dict, new_state)")
    new_params, state = result
    if set(new_params) != set(params) or any(np.shape(new_params[k]) != np.shape(params[k]) for k in params):
        raise ValueError("step() must return params with the same keys and shapes as it received")
    return new_params, state


def _batches(n, batch_size, rng):
    if batch_size >= n:
        return [np.arange(n)]
    order = rng.permutation(n)
    return [order[i : i + batch_size] for i in range(0, n, batch_size)]


def train(
    params,
    X,
    y,
    *,
    rng,
    activation="relu",
    loss="softmax",
    lr=0.1,
    epochs=100,
    batch_size=None,
    X_val=None,
    y_val=None,
    step=None,
    progress=None,
):
    """Train a network with minibatch gradient descent and record its history.

    Each epoch visits every training example once: the rows are shuffled with
    ``rng`` and cut into batches of ``batch_size`` (the last one may be
    shorter); full-batch training does not shuffle. After every batch the
    update ``step`` is applied; after every epoch the loss and accuracy on the
    whole training set (and on the validation set, if given) are recorded.

    Parameters
    ----------
    params : dict of str -> ndarray
        Initial ``W1..WL``, ``b1..bL`` (see :func:`nnlib.mlp.init_params`); not modified.
    X : array_like of float, shape (N, D)
        Training inputs.
    y : array_like of int, shape (N,)
        Training labels (in ``[0, C)`` for ``"softmax"``, {0, 1} for ``"binary"``).
    rng : numpy.random.Generator
        Shuffles the rows each epoch (keyword only, required even for full batch).
    activation : {"relu", "tanh", "sigmoid"}, default "relu"
        Hidden-layer nonlinearity.
    loss : {"softmax", "binary"}, default "softmax"
        Output head, see :func:`nnlib.mlp.loss_and_grads`.
    lr : float, default 0.1
        Learning rate, ``> 0``; passed to ``step``.
    epochs : int, default 100
        Number of passes over the data, ``>= 1``.
    batch_size : int or None, default None
        Examples per update; ``None`` (or any value ``>= N``) means full batch.
    X_val, y_val : array_like, optional
        Validation data, both or neither; only evaluated, never trained on.
    step : callable, optional
        ``step(params, grads, state, lr) -> (new_params, new_state)``; ``state`` is
        ``None`` on the first call and whatever the previous call returned after
        that. It must not modify ``params`` in place. Default: :func:`sgd_step`.
    progress : bool or None, default None
        ``True``/``False`` force the ``tqdm`` bar on/off. ``None`` shows it when
        ``epochs * batches_per_epoch >= PROGRESS_MIN_STEPS`` (2000), unless the
        environment variable ``NNLIB_STATIC`` (book build) or
        ``NBGRADER_EXECUTION`` (grading) is set to a non-empty value.

    Returns
    -------
    params : dict of str -> ndarray of float64
        The trained parameters: a new dict of new arrays.
    history : History
        ``epoch == [1, ..., epochs]`` and the per-epoch metrics.

    Raises
    ------
    ValueError
        If ``rng`` is not a Generator; ``lr``, ``epochs``, ``batch_size``, ``step``
        or ``progress`` is invalid; only one of ``X_val``/``y_val`` is given; the
        data do not match the network or the loss (see
        :func:`nnlib.mlp.loss_and_grads`); ``step`` returns something malformed;
        or the loss becomes NaN or infinite (the message gives the epoch and
        suggests a smaller learning rate).

    Notes
    -----
    NumPy's overflow/invalid-value warnings are silenced inside the loop (also
    for ``step``): a diverging run is reported once, as the ``ValueError``
    above, instead of as a stream of warnings on stderr (which would also cost
    points under nbgrader).
    """
    check_generator(rng)
    if isinstance(lr, bool) or not isinstance(lr, (int, float, np.integer, np.floating)) or not (0 < lr < math.inf):
        raise ValueError(f"lr must be a finite float > 0; got {lr!r}")
    check_positive_int(epochs, "epochs")
    if batch_size is not None:
        check_positive_int(batch_size, "batch_size")
    if step is not None and not callable(step):
        raise ValueError(f"step must be a callable step(params, grads, state, lr) or None; got {step!r}")
    if (X_val is None) != (y_val is None):
        raise ValueError("give both X_val and y_val, or neither")
    n_layers(params)
    X, y = _check_data(X, y, params)
    if X_val is not None:
        X_val, y_val = _check_data(X_val, y_val, params, names=("X_val", "y_val"))
    loss_and_grads(params, X, y, activation=activation, loss=loss)  # validates activation, loss head, labels
    if X_val is not None:
        _evaluate(params, X_val, y_val, activation, loss)
    n = X.shape[0]
    batch_size = n if batch_size is None else min(int(batch_size), n)
    n_batches = math.ceil(n / batch_size)
    step = sgd_step if step is None else step
    params = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    history, state = History(), None
    bar = tqdm(total=epochs, desc="training", unit="epoch", disable=not _show_progress(progress, epochs * n_batches))
    with bar, np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for epoch in range(1, epochs + 1):
            for idx in _batches(n, batch_size, rng):
                value, grads = loss_and_grads(params, X[idx], y[idx], activation=activation, loss=loss)
                _check_finite(value, epoch, lr, "minibatch")
                params, state = _apply_step(step, params, grads, state, lr)
            _record(history, epoch, params, X, y, X_val, y_val, activation, loss, lr)
            bar.set_postfix(loss=f"{history.train_loss[-1]:.4g}", refresh=False)
            bar.update(1)
    return params, history


def _record(history, epoch, params, X, y, X_val, y_val, activation, loss, lr):
    train_loss, train_acc = _evaluate(params, X, y, activation, loss)
    _check_finite(train_loss, epoch, lr, "training")
    history.epoch.append(epoch)
    history.train_loss.append(train_loss)
    history.train_acc.append(train_acc)
    if X_val is not None:
        val_loss, val_acc = _evaluate(params, X_val, y_val, activation, loss)
        history.val_loss.append(val_loss)
        history.val_acc.append(val_acc)
