"""Interactive demos that degrade to a static picture in the rendered book.

:func:`interactive_or_static` is the one entry point: in a live kernel it
returns ipywidgets controls wired to a drawing function; when the environment
variable ``NNLIB_STATIC`` is set (the book build sets it) it returns one
matplotlib figure with a panel per chosen setting instead, so the HTML shows a
picture rather than a dead widget.
"""

import io
import os
from collections.abc import Mapping, Sequence

import ipywidgets as widgets
import matplotlib.image as mpimg
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

__all__ = ["interactive_or_static", "STATIC_CAPTION", "REOPENED_HINT", "is_static"]

STATIC_CAPTION = "Static snapshots: run the notebook to move the sliders."
"""str: the caption line under the static version of a widget."""

PANEL_SIZE = (3.6, 3.3)
"""tuple of float: width and height in inches of one static panel."""


def is_static():
    """Whether widgets should render as static figures.

    Returns
    -------
    bool
        True when the environment variable ``NNLIB_STATIC`` is set to a non-empty value.
    """
    return bool(os.environ.get("NNLIB_STATIC", ""))


def _check_arguments(draw, static_values, controls):
    if not callable(draw):
        raise ValueError(f"draw must be a callable draw(**values); got {type(draw).__name__}")
    if not controls:
        raise ValueError("give at least one control, e.g. n=ipywidgets.IntSlider(value=3, min=1, max=10)")
    for name, control in controls.items():
        if not isinstance(control, widgets.ValueWidget):
            raise ValueError(f"control {name!r} must be an ipywidgets value widget such as IntSlider; got {type(control).__name__}")
    if isinstance(static_values, (str, bytes, Mapping)) or not isinstance(static_values, Sequence) or not static_values:
        raise ValueError("static_values must be a non-empty list of dicts, one per static panel, e.g. [{'n': 1}, {'n': 5}]")
    for setting in static_values:
        if not isinstance(setting, Mapping):
            raise ValueError(f"each entry of static_values must be a dict of control values; got {type(setting).__name__}")
        unknown = sorted(set(setting) - set(controls))
        if unknown:
            raise ValueError(f"static_values names unknown controls {unknown}; the controls are {sorted(controls)}")


def _format_value(value):
    if isinstance(value, (float, np.floating)):
        return f"{value:g}"
    return str(value)


def _format_setting(setting):
    return ", ".join(f"{name} = {_format_value(value)}" for name, value in setting.items())


def _paste_figure(source, ax):
    """Rasterize ``source`` and show the image in ``ax`` (for draw functions that make their own figure)."""
    buffer = io.BytesIO()
    source.savefig(buffer, format="png", dpi=100)
    buffer.seek(0)
    ax.imshow(mpimg.imread(buffer, format="png"))
    ax.set_axis_off()


def _draw_panel(draw, setting, fig, ax):
    plt.figure(fig)
    plt.sca(ax)
    result = draw(**setting)
    current = plt.gcf()
    other = result if isinstance(result, Figure) and result is not fig else (current if current is not fig else None)
    if other is not None:
        _paste_figure(other, ax)
        plt.close(other)
    label = _format_setting(setting)
    existing = ax.get_title()
    ax.set_title(f"{label}\n{existing}" if existing else label, fontsize="medium")


def _static(draw, static_values, controls):
    defaults = {name: control.value for name, control in controls.items()}
    settings = [{**defaults, **dict(values)} for values in static_values]
    n = len(settings)
    fig, axes = plt.subplots(
        1, n, figsize=(PANEL_SIZE[0] * n, PANEL_SIZE[1] + 0.4), squeeze=False, layout="constrained"
    )
    for setting, ax in zip(settings, axes[0]):
        _draw_panel(draw, setting, fig, ax)
    fig.supxlabel(STATIC_CAPTION, fontsize="small", style="italic")
    plt.close(fig)  # shown once, as the returned value, not a second time by the inline backend
    return fig


REOPENED_HINT = ("Sliders below. After reopening the notebook they show \"Error displaying widget: "
                 "model not found\" (the notebook file does not save the kernel's sliders): rerun this cell.")
"""str: the line printed above a live widget; the error it names is JupyterLab's own."""

CACHE_SIZE = 64
"""int: how many drawings a live widget keeps, so going back to a setting does not redraw it."""


def _render(draw, values):
    """Run ``draw(**values)`` and return what it printed and its figure as PNG bytes (or None)."""
    from contextlib import redirect_stdout

    printed = io.StringIO()
    before = set(plt.get_fignums())
    plt.figure()                         # draw() may draw into plt.gca(): give it a fresh figure
    try:
        with redirect_stdout(printed):
            result = draw(**values)
        new = [n for n in plt.get_fignums() if n not in before]
        figure = result if isinstance(result, Figure) else (plt.figure(new[-1]) if new else None)
        png = None
        if figure is not None and (figure.axes or figure.images):
            buffer = io.BytesIO()
            figure.savefig(buffer, format="png", bbox_inches="tight")
            png = buffer.getvalue()
    finally:
        for number in [n for n in plt.get_fignums() if n not in before]:
            plt.close(number)
        if isinstance(locals().get("result"), Figure):
            plt.close(result)
    return printed.getvalue(), png


def _live(draw, controls, continuous_update):
    from IPython.display import Image, display

    for control in controls.values():
        if "continuous_update" in control.trait_names():
            control.continuous_update = continuous_update   # False: draw once, when the slider is released
    cache = {}

    def update(**values):
        key = tuple(sorted((name, repr(value)) for name, value in values.items()))
        if key not in cache:
            try:
                cache[key] = _render(draw, values)
            except NotImplementedError as error:   # a stub: say so in one line, not a traceback
                print(f"[skipped] this widget needs an exercise that is not written yet: {error}")
                return
            if len(cache) > CACHE_SIZE:
                cache.pop(next(iter(cache)))
        printed, png = cache[key]
        if printed:
            print(printed, end="")
        if png is not None:
            display(Image(data=png, format="png"))

    output = widgets.interactive_output(update, controls)
    print(REOPENED_HINT)
    return widgets.VBox([widgets.VBox(list(controls.values())), output])


def interactive_or_static(draw, *, static_values, continuous_update=False, **controls):
    """Show ``draw`` with sliders in a live kernel, or as static snapshots in the book.

    Parameters
    ----------
    draw : callable
        ``draw(**values)`` with one keyword per control. It draws into the current
        matplotlib Axes (``plt.gca()``, which the nnlib plotting helpers use when
        ``ax`` is omitted), or creates its own figure (optionally returning it).
        It must not call ``plt.show()``.
    static_values : list of dict
        One dict per static panel, mapping control names to values; controls not
        named keep their current ``value``. At least one dict.
    continuous_update : bool, default False
        Live only: redraw while a slider is dragged (True) or once, when it is released
        (False, right for a ``draw`` that trains a network). Drawings are cached per setting,
        so returning to a setting shows it at once.
    **controls : ipywidgets.ValueWidget
        The controls, e.g. ``n=IntSlider(value=3, min=1, max=20)``; the keyword
        is the argument name passed to ``draw``. At least one.

    Returns
    -------
    ipywidgets.VBox or matplotlib.figure.Figure
        Live (``NNLIB_STATIC`` unset): a box with the controls above an output
        area that ``draw`` refills whenever a control changes (a stub's
        ``NotImplementedError`` there is one line, not a traceback), after printing
        :data:`REOPENED_HINT`.
        Static (``NNLIB_STATIC`` set to a non-empty value): a figure with one
        panel per entry of ``static_values``, left to right, each titled with its
        setting (``"n = 3, lr = 0.1"``), and the caption :data:`STATIC_CAPTION`
        below. The figure is already closed in pyplot, so it is displayed exactly
        once when it is the last expression of a notebook cell.
        Either way, make the call the last expression of the cell (or pass the
        result to ``display``).

    Raises
    ------
    ValueError
        If ``draw`` is not callable, no control is given, a control is not an
        ipywidgets value widget, or ``static_values`` is not a non-empty list of
        dicts whose keys are control names.
    """
    _check_arguments(draw, static_values, controls)
    if is_static():
        return _static(draw, static_values, controls)
    return _live(draw, controls, continuous_update)
