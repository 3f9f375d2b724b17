"""Tests for nnlib.plotting under the headless Agg backend."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.contour import ContourSet  # noqa: E402

from nnlib import plotting  # noqa: E402
from nnlib.training import History  # noqa: E402


@pytest.fixture(autouse=True)
def no_show_and_cleanup(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("plotting helpers must not call plt.show()")

    monkeypatch.setattr(plt, "show", forbidden)
    yield
    plt.close("all")


@pytest.fixture
def data():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.5], [-1.0, 2.0], [0.5, -1.0], [1.5, 1.5]])
    y = np.array([0, 1, 2, 0, 1, 2])
    return X, y


def three_regions(Z):
    return np.digitize(Z[:, 0], [0.25, 1.25])  # vertical stripes labelled 0, 1, 2


# ------------------------------------------------------ decision boundary


def test_decision_boundary_artists(data):
    X, y = data
    seen = []

    def predict(Z):
        seen.append(Z.shape)
        return three_regions(Z)

    fig, ax = plt.subplots()
    out = plotting.plot_decision_boundary(predict, X, y, ax=ax, resolution=50, padding=0.5, title="stripes")
    assert out is ax and ax.get_title() == "stripes"
    assert seen == [(2500, 2)]
    contours = [c for c in ax.collections if isinstance(c, ContourSet)]
    assert len(contours) == 1
    np.testing.assert_allclose(contours[0].levels, [-0.5, 0.5, 1.5, 2.5])
    scatters = [c for c in ax.collections if isinstance(c, PathCollection) and not isinstance(c, ContourSet)]
    assert len(scatters) == 3
    for k, sc in enumerate(scatters):
        np.testing.assert_array_equal(sc.get_offsets(), X[y == k])
        assert to_hex(sc.get_facecolor()[0]) == to_hex(plotting.class_color(k))
    assert len({to_hex(sc.get_facecolor()[0]) for sc in scatters}) == 3
    np.testing.assert_allclose(ax.get_xlim(), (-1.5, 2.5))
    np.testing.assert_allclose(ax.get_ylim(), (-1.5, 2.5))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1", "class 2"]


def test_decision_boundary_uses_current_axes_and_accepts_bool_predictions(data):
    X, y = data
    ax = plotting.plot_decision_boundary(lambda Z: Z[:, 1] > 0.5, X, (y > 0).astype(int), resolution=10)
    assert ax is plt.gca()
    assert sum(isinstance(c, ContourSet) for c in ax.collections) == 1


@pytest.mark.parametrize(
    "predict, kwargs, match",
    [
        ("not callable", {}, "callable"),
        (lambda Z: three_regions(Z)[:-1], {}, "predict must return shape"),
        (lambda Z: np.full(len(Z), 0.3), {}, "integer class labels"),
        (three_regions, {"resolution": 1}, "resolution"),
        (three_regions, {"padding": -1.0}, "padding"),
        (three_regions, {"ax": "axes"}, "Axes"),
    ],
)
def test_decision_boundary_validation(data, predict, kwargs, match):
    X, y = data
    with pytest.raises(ValueError, match=match):
        plotting.plot_decision_boundary(predict, X, y, **kwargs)


def test_decision_boundary_bad_data(data):
    X, y = data
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        plotting.plot_decision_boundary(three_regions, np.zeros((3, 3)), np.zeros(3, int))
    with pytest.raises(ValueError, match=r"shape \(6,\)"):
        plotting.plot_decision_boundary(three_regions, X, y[:-1])


# ------------------------------------------------------------- history


def make_history(with_val=True):
    return History(
        epoch=[1, 2, 3, 4, 5],
        train_loss=[1.0, 0.6, 0.4, 0.3, 0.2],
        train_acc=[0.5, 0.7, 0.8, 0.85, 0.9],
        val_loss=[1.1, 0.7, 0.5, 0.55, 0.6] if with_val else [],
        val_acc=[0.5, 0.6, 0.75, 0.8, 0.7] if with_val else [],
    )


def legend_texts(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_history_loss_marks_best_validation_epoch():
    fig, ax = plt.subplots()
    out = plotting.plot_history(make_history(), ax=ax)
    assert out is ax
    by_label = {line.get_label(): line for line in ax.lines}
    np.testing.assert_array_equal(by_label["train loss"].get_ydata(), [1.0, 0.6, 0.4, 0.3, 0.2])
    np.testing.assert_array_equal(by_label["validation loss"].get_ydata(), [1.1, 0.7, 0.5, 0.55, 0.6])
    best = by_label["best validation (epoch 3)"]
    np.testing.assert_array_equal(best.get_xdata(), [3, 3])
    assert "best validation (epoch 3)" in legend_texts(ax)
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "loss"


def test_history_accuracy_uses_the_maximum_and_accepts_a_dict():
    ax = plotting.plot_history(make_history().as_dict(), metric="acc")
    assert "best validation (epoch 4)" in legend_texts(ax)
    assert ax.get_ylabel() == "accuracy"


def test_history_without_validation_has_a_single_curve():
    ax = plotting.plot_history(make_history(with_val=False))
    assert [line.get_label() for line in ax.lines] == ["train loss"]


@pytest.mark.parametrize(
    "history, metric, match",
    [
        (make_history(), "f1", "metric"),
        ({"epoch": [1, 2], "train_loss": [1.0]}, "loss", "val_loss"),
        ({"epoch": [1, 2], "train_loss": [1.0], "val_loss": []}, "loss", "as long as"),
        ({"epoch": [], "train_loss": [], "val_loss": []}, "loss", "non-empty"),
        ([1, 2, 3], "loss", "History"),
    ],
)
def test_history_validation(history, metric, match):
    with pytest.raises(ValueError, match=match):
        plotting.plot_history(history, metric=metric)


# ------------------------------------------------------- learning curves


def test_learning_curves_log_scale_and_optimal_line():
    sizes, tr, dev = [100, 1000, 10000], [0.01, 0.05, 0.08], [0.3, 0.15, 0.1]
    fig, ax = plt.subplots()
    out = plotting.plot_learning_curves(sizes, tr, dev, ax=ax, optimal_error=0.05)
    assert out is ax and ax.get_xscale() == "log"
    by_label = {line.get_label(): line for line in ax.lines}
    assert set(by_label) == {"train error", "dev error", "optimal error"}
    np.testing.assert_array_equal(by_label["dev error"].get_xdata(), sizes)
    np.testing.assert_array_equal(by_label["dev error"].get_ydata(), dev)
    np.testing.assert_array_equal(by_label["optimal error"].get_ydata(), [0.05, 0.05])


def test_learning_curves_linear_without_optimal():
    ax = plotting.plot_learning_curves([0, 10, 20], [0.1, 0.1, 0.1], [0.5, 0.3, 0.2], log_x=False)
    assert ax.get_xscale() == "linear" and len(ax.lines) == 2


@pytest.mark.parametrize(
    "args, kwargs, match",
    [
        (([1, 2], [0.1], [0.2, 0.3]), {}, "same non-zero length"),
        (([], [], []), {}, "same non-zero length"),
        (([0, 10], [0.1, 0.1], [0.2, 0.2]), {}, "log"),
        (([1, 10], [0.1, 0.1], [0.2, 0.2]), {"optimal_error": "low"}, "optimal_error"),
    ],
)
def test_learning_curves_validation(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        plotting.plot_learning_curves(*args, **kwargs)


def test_palette_is_distinct():
    assert len(set(plotting.CLASS_COLORS)) == len(plotting.CLASS_COLORS) == 8
    assert plotting.class_color(8) == plotting.class_color(0)
