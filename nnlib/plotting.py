"""Generic plots for the chapters: decision boundaries, training histories, learning curves.

Every function draws into ``ax`` (default: the current Axes, ``plt.gca()``)
and returns that Axes; none calls ``plt.show()``, so the functions work the
same in a notebook, in the book build and headless (Agg).

Colours come from the Okabe-Ito palette, which stays distinguishable with the
common forms of colour blindness; classes also differ by marker shape and the
train/validation curves by line style, so the plots survive grayscale printing.
"""

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

__all__ = [
    "CLASS_COLORS",
    "CLASS_MARKERS",
    "class_color",
    "plot_decision_boundary",
    "plot_history",
    "plot_learning_curves",
]

CLASS_COLORS = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
"""tuple of str: Okabe-Ito colours (blue, orange, green, vermillion, purple, sky blue, yellow, black)."""
CLASS_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
"""tuple of str: one marker per class, so classes differ by shape as well as colour."""
TRAIN_STYLE = {"color": CLASS_COLORS[0], "linestyle": "-"}
VAL_STYLE = {"color": CLASS_COLORS[1], "linestyle": "--"}


def class_color(k):
    """Colour of class ``k`` (the palette repeats after eight classes)."""
    return CLASS_COLORS[int(k) % len(CLASS_COLORS)]


def _class_marker(k):
    return CLASS_MARKERS[int(k) % len(CLASS_MARKERS)]


def _axes(ax):
    if ax is None:
        return plt.gca()
    if not isinstance(ax, Axes):
        raise ValueError(f"ax must be a matplotlib Axes or None; got {type(ax).__name__}")
    return ax


def _int_labels(values, name):
    labels = np.asarray(values)
    if labels.dtype == bool:
        labels = labels.astype(np.int64)
    if labels.size and not (np.issubdtype(labels.dtype, np.number) and np.all(labels == np.round(labels)) and labels.min() >= 0):
        raise ValueError(f"{name} must be non-negative integer class labels; got {labels.dtype} values like {labels.ravel()[:3]}")
    return labels.astype(np.int64)


def _grid(X, resolution, padding):
    lo, hi = X.min(axis=0) - padding, X.max(axis=0) + padding
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    return xx, yy


def plot_decision_boundary(predict, X, y, *, ax=None, resolution=200, padding=0.5, title=None):
    """Predicted class regions of a 2-D classifier, with the data on top.

    ``predict`` is evaluated on a ``resolution x resolution`` grid covering the
    data plus ``padding``; each region is filled with its class colour (light),
    and the points are drawn with their class colour and marker.

    Parameters
    ----------
    predict : callable
        Maps an array of shape ``(M, 2)`` to ``M`` non-negative integer labels,
        e.g. ``lambda Z: mlp.predict(params, Z)``.
    X : array_like of float, shape (N, 2)
        The points to draw; ``N >= 1``.
    y : array_like of int, shape (N,)
        Their labels (non-negative integers).
    ax : matplotlib.axes.Axes, optional
        Where to draw; default the current Axes.
    resolution : int, default 200
        Grid points per axis, ``>= 2``.
    padding : float, default 0.5
        Margin around the data, in data units, ``>= 0``.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.axes.Axes
        With one filled-contour set (the regions) and one scatter collection per
        class present in ``y``; a legend names the classes.

    Raises
    ------
    ValueError
        If ``predict`` is not callable or returns the wrong shape or non-integer
        labels, ``X`` is not a finite ``(N, 2)`` array, ``y`` does not match it,
        ``resolution`` is not an int ``>= 2``, ``padding`` is negative, or ``ax``
        is not an Axes.
    """
    if not callable(predict):
        raise ValueError(f"predict must be a callable mapping (M, 2) arrays to labels; got {type(predict).__name__}")
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2 or X.shape[0] == 0 or not np.all(np.isfinite(X)):
        raise ValueError(f"X must be a finite array of shape (N, 2) with N >= 1; got shape {X.shape}")
    y = _int_labels(y, "y")
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},) to match X; got shape {y.shape}")
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)) or resolution < 2:
        raise ValueError(f"resolution must be an int >= 2; got {resolution!r}")
    if not (isinstance(padding, (int, float, np.integer, np.floating)) and np.isfinite(padding) and padding >= 0):
        raise ValueError(f"padding must be a finite float >= 0; got {padding!r}")
    ax = _axes(ax)
    xx, yy = _grid(X, int(resolution), float(padding))
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    regions = np.asarray(predict(grid))
    if regions.shape != (grid.shape[0],):
        raise ValueError(f"predict must return shape ({grid.shape[0]},) for an input of shape {grid.shape}; got {regions.shape}")
    regions = _int_labels(regions, "predict(...) output")
    n_classes = int(max(regions.max(), y.max())) + 1
    ax.contourf(
        xx, yy, regions.reshape(xx.shape), levels=np.arange(n_classes + 1) - 0.5,
        colors=[class_color(k) for k in range(n_classes)], alpha=0.25,
    )
    size = 24 if X.shape[0] <= 300 else 10
    for k in np.unique(y):
        pts = X[y == k]
        ax.scatter(pts[:, 0], pts[:, 1], s=size, color=class_color(k), marker=_class_marker(k),
                   edgecolors="white", linewidths=0.5, label=f"class {k}")
    ax.set(xlim=(xx.min(), xx.max()), ylim=(yy.min(), yy.max()), xlabel="$x_1$", ylabel="$x_2$")
    ax.legend(loc="best", fontsize="small", framealpha=0.8)
    if title is not None:
        ax.set_title(title)
    return ax


def _history_dict(history):
    data = history.as_dict() if callable(getattr(history, "as_dict", None)) else history
    if not isinstance(data, Mapping):
        raise ValueError(f"history must be a History (from train) or a dict of lists; got {type(history).__name__}")
    return data


_METRIC_NAMES = {"loss": "loss", "acc": "accuracy"}


def plot_history(history, *, ax=None, metric="loss"):
    """Training and validation curves over epochs, with the best validation epoch marked.

    Parameters
    ----------
    history : History or dict
        As returned by :func:`nnlib.training.train` (or its ``as_dict()``): lists
        ``epoch``, ``train_<metric>`` and ``val_<metric>`` (the last may be empty).
    ax : matplotlib.axes.Axes, optional
        Where to draw; default the current Axes.
    metric : {"loss", "acc"}, default "loss"
        Which pair of curves to draw. The best validation epoch is the lowest
        loss or the highest accuracy (earliest on ties).

    Returns
    -------
    matplotlib.axes.Axes
        One line for train, one dashed line for validation (if any) and, with
        validation data, a dotted vertical line and a marker at the best epoch.

    Raises
    ------
    ValueError
        If ``metric`` is unknown, ``history`` lacks the needed lists, a list's
        length differs from ``epoch``, there is no training value, or ``ax`` is
        not an Axes.
    """
    if metric not in _METRIC_NAMES:
        raise ValueError(f"metric must be 'loss' or 'acc'; got {metric!r}")
    data = _history_dict(history)
    keys = ("epoch", f"train_{metric}", f"val_{metric}")
    if any(k not in data for k in keys):
        raise ValueError(f"history must have the lists {', '.join(keys)}; got keys {sorted(data)}")
    epoch, train, val = (np.asarray(data[k], dtype=np.float64) for k in keys)
    if epoch.size == 0 or train.shape != epoch.shape or val.size not in (0, epoch.size):
        raise ValueError(
            f"history lists must be non-empty and as long as 'epoch' ({epoch.size}); "
            f"got {train.size} train and {val.size} validation values"
        )
    ax = _axes(ax)
    name = _METRIC_NAMES[metric]
    ax.plot(epoch, train, label=f"train {name}", **TRAIN_STYLE)
    if val.size:
        ax.plot(epoch, val, label=f"validation {name}", **VAL_STYLE)
        best = int(np.argmin(val) if metric == "loss" else np.argmax(val))
        ax.axvline(epoch[best], color="0.35", linestyle=":", linewidth=1.2, label=f"best validation (epoch {int(epoch[best])})")
        ax.plot([epoch[best]], [val[best]], marker="o", color=VAL_STYLE["color"], markeredgecolor="black", linestyle="none")
    ax.set(xlabel="epoch", ylabel=name)
    ax.legend(loc="best", fontsize="small")
    return ax


def plot_learning_curves(sizes, train_errors, dev_errors, *, ax=None, log_x=True, optimal_error=None):
    """Train and dev error against the training-set size.

    Parameters
    ----------
    sizes : array_like of float, shape (K,)
        Training-set sizes, ``K >= 1`` (all ``> 0`` when ``log_x``).
    train_errors, dev_errors : array_like of float, shape (K,)
        Errors measured at each size.
    ax : matplotlib.axes.Axes, optional
        Where to draw; default the current Axes.
    log_x : bool, default True
        Logarithmic size axis (the natural scale to judge "is more data worth it").
    optimal_error : float, optional
        Bayes / human-level error, drawn as a horizontal dotted line.

    Returns
    -------
    matplotlib.axes.Axes
        Two lines with markers (train solid, dev dashed) and, if given, the
        optimal-error line.

    Raises
    ------
    ValueError
        If the three arrays are not 1-D of the same non-zero length, a size is
        not positive while ``log_x`` is true, ``optimal_error`` is not a finite
        number, or ``ax`` is not an Axes.
    """
    arrays = [np.asarray(a, dtype=np.float64) for a in (sizes, train_errors, dev_errors)]
    if any(a.ndim != 1 for a in arrays) or len({a.size for a in arrays}) != 1 or arrays[0].size == 0:
        raise ValueError(
            "sizes, train_errors and dev_errors must be 1-D and of the same non-zero length; "
            f"got shapes {[a.shape for a in arrays]}"
        )
    sizes, train, dev = arrays
    if log_x and np.any(sizes <= 0):
        raise ValueError("sizes must be > 0 for a logarithmic x axis (or pass log_x=False)")
    if optimal_error is not None and not (isinstance(optimal_error, (int, float, np.integer, np.floating)) and np.isfinite(optimal_error)):
        raise ValueError(f"optimal_error must be a finite number or None; got {optimal_error!r}")
    ax = _axes(ax)
    ax.plot(sizes, train, marker="o", label="train error", **TRAIN_STYLE)
    ax.plot(sizes, dev, marker="s", label="dev error", **VAL_STYLE)
    if optimal_error is not None:
        ax.axhline(float(optimal_error), color="0.35", linestyle=":", linewidth=1.2, label="optimal error")
    if log_x:
        ax.set_xscale("log")
    ax.set(xlabel="training-set size" + (" (log scale)" if log_x else ""), ylabel="error")
    ax.legend(loc="best", fontsize="small")
    return ax
