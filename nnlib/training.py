"""A minibatch gradient-descent training loop that records a history.

:func:`train` runs plain (minibatch) gradient descent on the network of
:mod:`nnlib.mlp` and returns *new* parameters plus a :class:`History` of
per-epoch losses and accuracies. Later chapters plug in their own update rule
through ``step``::

    def step(params, grads, state, lr):
        ...                       # state is None on the first call
        return new_params, new_state

Long runs show a ``tqdm`` progress bar over epochs (see ``progress`` in :func:`train`).
"""

import math
import os
from dataclasses import dataclass, field

import numpy as np
from tqdm.auto import tqdm

from .activations import get_activation
from .losses import _binary_cross_entropy, _softmax_cross_entropy, check_binary_labels, check_class_labels
from .mlp import _backward_kernel, _check_head, _forward_kernel, _grads_dict, _weights, n_layers
from .validation import check_generator, check_positive_int

__all__ = ["History", "train", "sgd_step", "PROGRESS_MIN_STEPS"]

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


def _check_labels(params, L, loss, y, name):
    """The label checks of the loss function, once for the whole data set."""
    if loss == "softmax":
        return check_class_labels(y, y.shape[0], np.shape(params[f"W{L}"])[1], name)
    return check_binary_labels(y, y.shape[0], name)


def _metrics(scores, y, loss, *, grad=False, acc=True):
    """Mean loss, accuracy (None unless ``acc``) and, if ``grad``, the loss gradient of ``scores``.

    ``scores`` is used as scratch space. Accuracy is computed first, from the raw scores.
    """
    accuracy = None
    if loss == "softmax":
        if acc:
            accuracy = float(np.mean(np.argmax(scores, axis=1) == y))
        value, dscores = _softmax_cross_entropy(scores, y, overwrite=True, grad=grad)
    else:
        if acc:
            accuracy = float(np.mean((scores[:, 0] > 0.0).astype(np.int64) == y))
        value, dscores = _binary_cross_entropy(scores, y, grad=grad)
    return value, accuracy, dscores


def _evaluate(Ws, bs, X, y, activation, loss):
    """Mean loss and accuracy of the network ``(Ws, bs)`` on ``(X, y)`` (one forward pass, no cache)."""
    scores, _, _ = _forward_kernel(Ws, bs, X, activation, keep=False)
    value, accuracy, _ = _metrics(scores, y, loss)
    return value, accuracy


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
    if new_params.keys() != params.keys() or any(np.shape(new_params[k]) != np.shape(params[k]) for k in params):
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

    The arguments are checked once, here (the data, the labels against the loss head, the
    activation); the steps then run without repeating those checks. On full batch, the
    training loss and accuracy recorded for epoch ``e`` are those of the forward pass that
    starts epoch ``e + 1`` (the same parameters on the same rows, so the same numbers, bit for
    bit), and only the last epoch needs a forward pass of its own. With minibatches the
    history needs that extra pass over all training rows after every epoch.
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
    L = n_layers(params)
    X, y = _check_data(X, y, params)
    if X_val is not None:
        X_val, y_val = _check_data(X_val, y_val, params, names=("X_val", "y_val"))
    # Everything a step would check is checked here, once: the loss head, the activation, the labels.
    _check_head(params, loss, L)
    get_activation(activation)
    y = _check_labels(params, L, loss, y, "y")
    if X_val is not None:
        y_val = _check_labels(params, L, loss, y_val, "y_val")
    n = X.shape[0]
    batch_size = n if batch_size is None else min(int(batch_size), n)
    n_batches = math.ceil(n / batch_size)
    step = sgd_step if step is None else step
    params = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    history, state = History(), None
    bar = tqdm(total=epochs, desc="training", unit="epoch", disable=not _show_progress(progress, epochs * n_batches))

    # Plain SGD updates our own copy of the parameters in place (same arithmetic as sgd_step);
    # a custom step gets dicts, as documented.
    in_place = step is sgd_step
    full = batch_size == n
    # Full batch: the step of epoch e + 1 starts with a forward pass over all training rows with the
    # parameters after epoch e, which is exactly what the history records for epoch e; its loss and
    # accuracy are recorded from there, and only the last epoch needs a pass of its own. The rows
    # are passed to the step as the C-contiguous array the old ``X[np.arange(n)]`` was; when ``X``
    # itself is not C-contiguous, the history keeps its own pass over ``X`` so that its numbers stay
    # bit-identical to evaluating ``X`` as given.
    X_full = np.ascontiguousarray(X) if full else None
    reuse = full and X_full is X
    Ws, bs = _weights(params, L)

    def record(epoch, train_loss, train_acc):
        _check_finite(train_loss, epoch, lr, "training")
        history.epoch.append(epoch)
        history.train_loss.append(train_loss)
        history.train_acc.append(train_acc)
        if X_val is not None:
            val_loss, val_acc = _evaluate(Ws, bs, X_val, y_val, activation, loss)
            history.val_loss.append(val_loss)
            history.val_acc.append(val_acc)
        if not bar.disable:
            bar.set_postfix(loss=f"{history.train_loss[-1]:.4g}", refresh=False)
        bar.update(1)

    with bar, np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for epoch in range(1, epochs + 1):
            for idx in (None,) if full else _batches(n, batch_size, rng):  # full batch: no shuffling, no rng use
                Xb, yb = (X_full, y) if full else (X[idx], y[idx])
                scores, inputs, _ = _forward_kernel(Ws, bs, Xb, activation, keep=True)
                recording = reuse and epoch > 1
                value, train_acc, dscores = _metrics(scores, yb, loss, grad=True, acc=recording)
                if recording:  # the loss of the parameters after the previous epoch
                    record(epoch - 1, value, train_acc)
                else:
                    _check_finite(value, epoch, lr, "minibatch")
                dWs, dbs = _backward_kernel(Ws, inputs, dscores, activation)
                if in_place:
                    for p, g in zip(Ws + bs, dWs + dbs):
                        g *= lr
                        p -= g
                else:
                    params, state = _apply_step(step, params, _grads_dict(params, dWs, dbs), state, lr)
                    Ws, bs = _weights(params, L)
            if not reuse or epoch == epochs:
                record(epoch, *_evaluate(Ws, bs, X, y, activation, loss))
    return params, history
