"""Classification losses with their gradients, written to be numerically stable.

* :func:`softmax` turns scores into probabilities (shift-invariant, no overflow).
* :func:`softmax_cross_entropy` is the multiclass loss on raw scores ``(N, C)``.
* :func:`binary_cross_entropy` is the two-class loss on raw logits ``(N,)`` or ``(N, 1)``.

Both losses return the **mean** over the batch and the gradient of that mean
with respect to their first argument, so ``dscores`` already carries the
``1/N`` factor. Non-finite scores are not an error here: the loss then comes
back as NaN or inf, and the caller (for example :func:`nnlib.training.train`)
decides what to do.
"""

import numpy as np

from .activations import sigmoid

__all__ = ["softmax", "softmax_cross_entropy", "binary_cross_entropy", "check_class_labels", "check_binary_labels"]


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


def check_class_labels(y, n, n_classes, name="y"):
    """Return ``y`` as an array after checking it holds ``n`` integer labels in ``[0, n_classes)``.

    The checks of :func:`softmax_cross_entropy` on its labels, for callers (such as
    :func:`nnlib.training.train`) that check their data once instead of at every step.

    Raises
    ------
    ValueError
        If ``y`` is not a 1-D integer array of length ``n`` or a label lies outside ``[0, n_classes)``.
    """
    y = _int_labels(y, n, name)
    if y.min() < 0 or y.max() >= n_classes:
        raise ValueError(
            f"labels {name} must lie in [0, {n_classes}) for {n_classes} classes; got min {y.min()}, max {y.max()}"
        )
    return y


def check_binary_labels(y, n, name="y"):
    """Return ``y`` as an array after checking it holds ``n`` integer labels, each 0 or 1.

    The checks of :func:`binary_cross_entropy` on its labels (see :func:`check_class_labels`).

    Raises
    ------
    ValueError
        If ``y`` is not a 1-D integer array of length ``n`` or a label is not 0 or 1.
    """
    y = _int_labels(y, n, name)
    if not np.all((y == 0) | (y == 1)):
        raise ValueError(f"binary labels {name} must be 0 or 1; got values {np.unique(y)[:10].tolist()}")
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
    y = check_class_labels(y, s.shape[0], s.shape[1])
    return _softmax_cross_entropy(s, y)


def _softmax_cross_entropy(s, y, *, overwrite=False, grad=True):
    """:func:`softmax_cross_entropy` without the checks, for callers that checked once.

    ``s`` is a float64 ``(N, C)`` array and ``y`` valid labels. With ``overwrite=True`` the
    scores ``s`` are used as scratch space (and destroyed); with ``grad=False`` only the loss
    is computed and ``None`` comes back as the gradient. The arithmetic is the same either way,
    so the results are bit-identical.
    """
    n = s.shape[0]
    row_max = s.max(axis=1, keepdims=True)
    if overwrite:
        s -= row_max
        shifted = s
    else:
        shifted = s - row_max
    log_norm = np.log(np.exp(shifted).sum(axis=1))
    rows = np.arange(n)
    loss = float(np.mean(log_norm - shifted[rows, y]))
    if not grad:
        return loss, None
    shifted -= log_norm[:, None]
    dscores = np.exp(shifted, out=shifted)
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
    y = check_binary_labels(y, z.shape[0])
    return _binary_cross_entropy(z, y)


def _binary_cross_entropy(z, y, *, grad=True):
    """:func:`binary_cross_entropy` without the checks (``z`` float64 ``(N,)`` or ``(N, 1)``, valid ``y``)."""
    n = z.shape[0]
    flat = z.reshape(n)
    softplus = np.maximum(flat, 0.0) + np.log1p(np.exp(-np.abs(flat)))
    loss = float(np.mean(softplus - y * flat))
    if not grad:
        return loss, None
    dlogits = ((sigmoid(flat) - y) / n).reshape(z.shape)
    return loss, dlogits
