"""Tests for nnlib.widgets: live path (ipywidgets) and static path (NNLIB_STATIC), headless."""

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.image import AxesImage  # noqa: E402

from nnlib import widgets as nw  # noqa: E402


@pytest.fixture(autouse=True)
def cleanup():
    yield
    plt.close("all")


@pytest.fixture
def live(monkeypatch):
    monkeypatch.delenv("NNLIB_STATIC", raising=False)


@pytest.fixture
def static(monkeypatch):
    monkeypatch.setenv("NNLIB_STATIC", "1")


class Recorder:
    """A draw function that plots a line of slope ``a`` and remembers its calls."""

    def __init__(self):
        self.calls = []

    def __call__(self, a, label="x"):
        self.calls.append({"a": a, "label": label})
        x = np.arange(5)
        plt.plot(x, a * x)


def controls():
    return {"a": widgets.IntSlider(value=2, min=0, max=10), "label": widgets.Dropdown(options=["x", "y"], value="x")}


# ------------------------------------------------------------------ live


def test_live_returns_controls_and_redraws_on_change(live):
    draw, ctl = Recorder(), controls()
    box = nw.interactive_or_static(draw, static_values=[{"a": 1}], **ctl)
    assert isinstance(box, widgets.VBox)
    control_box, output = box.children
    assert isinstance(output, widgets.Output)
    assert list(control_box.children) == [ctl["a"], ctl["label"]]
    assert draw.calls == [{"a": 2, "label": "x"}]  # drawn once with the current values
    ctl["a"].value = 7
    assert draw.calls[-1] == {"a": 7, "label": "x"}


def test_empty_variable_means_live(monkeypatch):
    monkeypatch.setenv("NNLIB_STATIC", "")
    assert isinstance(nw.interactive_or_static(Recorder(), static_values=[{"a": 1}], **controls()), widgets.VBox)
    assert not nw.is_static()


# ---------------------------------------------------------------- static


def test_static_draws_one_titled_panel_per_setting(static):
    draw = Recorder()
    fig = nw.interactive_or_static(draw, static_values=[{"a": 1}, {"a": 3, "label": "y"}, {"a": 0.5}], **controls())
    assert isinstance(fig, Figure)
    assert draw.calls == [{"a": 1, "label": "x"}, {"a": 3, "label": "y"}, {"a": 0.5, "label": "x"}]
    assert len(fig.axes) == 3
    assert [ax.get_title() for ax in fig.axes] == ["a = 1, label = x", "a = 3, label = y", "a = 0.5, label = x"]
    for ax, slope in zip(fig.axes, (1, 3, 0.5)):
        (line,) = ax.lines
        np.testing.assert_array_equal(line.get_ydata(), slope * np.arange(5))
    x0 = [ax.get_position().x0 for ax in fig.axes]
    assert x0 == sorted(x0)  # a row, left to right
    assert fig.get_supxlabel() == nw.STATIC_CAPTION  # the caption line below the panels
    assert nw.STATIC_CAPTION == "Static snapshots: run the notebook to move the sliders."
    assert plt.get_fignums() == []  # closed in pyplot so the inline backend does not show it twice
    fig.canvas.draw()  # renders headless


def test_static_keeps_a_title_set_by_draw(static):
    def draw(a):
        plt.plot([0, 1], [0, a])
        plt.title("slope")

    fig = nw.interactive_or_static(draw, static_values=[{"a": 2}], a=widgets.FloatSlider(value=1.0))
    assert fig.axes[0].get_title() == "a = 2\nslope"


@pytest.mark.parametrize("returns", [True, False])
def test_static_with_draw_making_its_own_figure(static, returns):
    def draw(a):
        own, ax = plt.subplots()
        ax.bar(range(3), [a, a, a])
        return own if returns else None

    fig = nw.interactive_or_static(draw, static_values=[{"a": 1}, {"a": 2}], a=widgets.IntSlider(value=1))
    assert len(fig.axes) == 2
    for ax in fig.axes:
        assert any(isinstance(im, AxesImage) for im in ax.images)
    assert plt.get_fignums() == []  # the helper figures were closed too


# ------------------------------------------------------------ validation


@pytest.mark.parametrize(
    "draw, static_values, ctl, match",
    [
        ("draw", [{"a": 1}], None, "callable"),
        (Recorder(), [{"a": 1}], {}, "at least one control"),
        (Recorder(), [{"a": 1}], {"a": 3}, "value widget"),
        (Recorder(), [], None, "non-empty list"),
        (Recorder(), {"a": 1}, None, "non-empty list"),
        (Recorder(), [{"b": 1}], None, "unknown controls"),
        (Recorder(), [3], None, "dict"),
    ],
)
@pytest.mark.parametrize("mode", ["live", "static"])
def test_bad_arguments_raise_in_both_modes(monkeypatch, mode, draw, static_values, ctl, match):
    if mode == "static":
        monkeypatch.setenv("NNLIB_STATIC", "1")
    else:
        monkeypatch.delenv("NNLIB_STATIC", raising=False)
    with pytest.raises(ValueError, match=match):
        nw.interactive_or_static(draw, static_values=static_values, **(controls() if ctl is None else ctl))


# ------------------------------------------- live widgets in the student's notebook (issue 15)


def test_sliders_draw_on_release_and_settings_are_cached(live, capsys):
    """Item 6: a slider that trains a network must not queue a training per intermediate value."""
    draw, ctl = Recorder(), controls()
    nw.interactive_or_static(draw, static_values=[{"a": 1}], **ctl)
    assert ctl["a"].continuous_update is False
    ctl["a"].value = 7
    ctl["a"].value = 2          # back to a setting already drawn: shown from the cache
    ctl["a"].value = 7
    assert [c["a"] for c in draw.calls] == [2, 7]
    assert plt.get_fignums() == [], "drawings are shown as images; no figure stays open"
    live_drag = controls()
    nw.interactive_or_static(Recorder(), static_values=[{"a": 1}], continuous_update=True, **live_drag)
    assert live_drag["a"].continuous_update is True


def test_live_widget_says_how_to_recover_after_reopening(live, capsys):
    """Item 7: JupyterLab shows "model not found" for a reopened notebook's widget; say what to do."""
    nw.interactive_or_static(Recorder(), static_values=[{"a": 1}], **controls())
    out = capsys.readouterr().out
    assert nw.REOPENED_HINT in out and "model not found" in nw.REOPENED_HINT and "rerun this cell" in nw.REOPENED_HINT


def test_an_unwritten_exercise_in_a_widget_is_one_line(live, capsys):
    def draw(a, label):
        raise NotImplementedError("f() is an exercise of chapter 9 (Testing): write it in nnlib/f.py")

    nw.interactive_or_static(draw, static_values=[{"a": 1}], **controls())   # no traceback raised
    lines = [line for line in capsys.readouterr().out.splitlines() if "[skipped]" in line]
    assert len(lines) == 1 and "f() is an exercise" in lines[0]
