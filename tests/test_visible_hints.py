"""Every known mistake gets a hint from the visible checks, and the reference gets none.

For each chapter, the visible part of every autograded check cell (the code outside
``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS``) runs after the chapter's setup cell,
with the exercise functions bound to one version of the exercise module: the reference,
then each mutant (``coursekit/graders/<module>.py``) and the few mistakes named in issue 13
that have no mutant (``EXTRA``). A mutant must make its exercise's check cell print a
``hint:`` line (the Checker's way of naming a misconception); the reference must pass every
visible check without one. Mutants that no visible check can see are listed in
``INVISIBLE`` with the reason; the test fails if one of them starts getting a hint, so the
list stays honest.
"""
from __future__ import annotations

import contextlib
import io
import re
import sys
import warnings

import nbformat
import numpy as np
import pytest

from coursekit import hidden
from coursekit.chapters import CHAPTER_LIST, Chapter
from coursekit.variants import Mutant, load_module, mutant_source, reference_source
from nnlib.checking import SHOWN, Checker

HIDDEN_BLOCK = re.compile(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS\n?", re.S)

# (module, mutant name): why no visible check can see it (one line each; keep it short)
INVISIBLE: dict[tuple[str, str], str] = {}

# Mistakes that issue 13 names and no mutant covers: (module, Mutant); the same rule applies.
EXTRA: list[tuple[str, Mutant]] = [
    ("splitting", Mutant(
        "kfold_indices", "swapped_pair", "returns each fold as (val_idx, train_idx)",
        "return [(np.concatenate(folds[:i] + folds[i + 1:]), fold) for i, fold in enumerate(folds)]",
        "return [(fold, np.concatenate(folds[:i] + folds[i + 1:])) for i, fold in enumerate(folds)]")),
    ("regularization", Mutant(
        "early_stopping", "previous_epoch", "compares each loss with the previous epoch's, not the best so far",
        "        if losses[epoch - 1] < best - min_delta:\n            best_epoch, best = epoch, losses[epoch - 1]\n",
        "        improved = losses[epoch - 1] < best - min_delta\n        best = losses[epoch - 1]\n"
        "        if improved:\n            best_epoch = epoch\n")),
]


def _cells(ch: Chapter) -> tuple[str, dict[str, str]]:
    """The setup cell (without magics and the Run-All helper) and grade_id -> visible check code."""
    notebook = nbformat.read(ch.notebook_path, as_version=4)
    setup, checks = "", {}
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code":
            continue
        if meta.get("grade_id") == f"{ch.id}_setup":
            setup = "\n".join(line for line in cell.source.splitlines()
                              if not line.startswith("%") and "run_all_past_unwritten_exercises()" not in line)
        elif meta.get("grade"):
            assert cell.source.count("### BEGIN HIDDEN TESTS") == 1, meta["grade_id"]
            checks[meta["grade_id"]] = HIDDEN_BLOCK.sub("", cell.source)
    assert setup and checks, ch.id
    return setup, checks


def run_visible_checks(ch: Chapter, module: str, version, setup: str, checks: dict[str, str]) -> dict[str, str]:
    """grade_id -> what the cell printed, with the functions of ``nnlib.<module>`` taken from ``version``."""
    namespace = {"__name__": "__main__"}
    exec(compile(setup, f"<{ch.id} setup>", "exec"), namespace)   # noqa: S102 - our notebook
    for name, value in list(namespace.items()):
        if getattr(value, "__module__", None) == f"nnlib.{module}":
            namespace[name] = getattr(version, name)
    printed = {}
    for grade_id, source in checks.items():
        out = io.StringIO()
        with contextlib.redirect_stdout(out), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                exec(compile(source, f"<{grade_id}>", "exec"), namespace)   # noqa: S102
            except Exception as error:  # noqa: BLE001 - a cell that crashes is reported as such
                print(f"CELL ERROR {type(error).__name__}: {error}")
        printed[grade_id] = out.getvalue()
    return printed


@pytest.fixture
def in_chapter(monkeypatch):
    """Run a chapter's cells from its folder (the setup cell finds nnlib/ from there)."""
    saved_path, saved_modules = list(sys.path), set(sys.modules)

    def enter(ch: Chapter):
        monkeypatch.chdir(ch.path)
    yield enter
    sys.path[:] = saved_path
    for name in set(sys.modules) - saved_modules:
        if name.startswith("_visible_"):
            del sys.modules[name]


def _mistakes(module):
    return [m for m in hidden.suite(module).mutants] + [m for mod, m in EXTRA if mod == module]


@pytest.mark.slow   # about 25 s of CPU for the six chapters on this machine
@pytest.mark.parametrize("ch, module", [pytest.param(ch, m, id=m) for ch in CHAPTER_LIST for m in ch.modules])
def test_every_mutant_gets_a_visible_hint(ch, module, in_chapter):
    in_chapter(ch)
    setup, checks = _cells(ch)
    reference = load_module(reference_source(module), f"_visible_reference_{module}")
    for grade_id, text in run_visible_checks(ch, module, reference, setup, checks).items():
        assert "[FAIL]" not in text and "hint:" not in text and "CELL ERROR" not in text, \
            f"the reference fails a visible check of {grade_id}:\n{text}"

    names = {m.name for m in hidden.suite(module).mutants}
    stale = [name for mod, name in INVISIBLE if mod == module and name not in names]
    assert not stale, f"INVISIBLE lists mutants that do not exist: {stale}"

    missing, now_visible = [], []
    for mutant in _mistakes(module):
        version = load_module(mutant_source(module, mutant), f"_visible_{module}_{mutant.name}")
        own = run_visible_checks(ch, module, version, setup, checks)[f"{ch.id}_{mutant.exercise}"]
        hinted = any(line.startswith("hint:") for line in (l.strip() for l in own.splitlines()))
        if (module, mutant.name) in INVISIBLE:
            if hinted:
                now_visible.append(mutant.name)
        elif not hinted:
            failed = [line.strip() for line in own.splitlines() if line.strip()][:6]
            missing.append(f"{mutant.exercise}.{mutant.name} ({mutant.misconception}): " + " | ".join(failed))
    assert not missing, f"{len(missing)} mistakes get no visible hint:\n" + "\n".join(missing)
    assert not now_visible, f"these INVISIBLE mutants now get a hint; remove them from the list: {now_visible}"


# -- the Checker's hints and short messages (fast) --------------------------------------
def _message(run) -> str:
    check = Checker("f", points=1, verbose=False)
    with check("c"):
        run(check)
    return check.results[0].message


def test_true_close_and_raises_print_a_hint_line_on_failure():
    assert "\nhint: swap them" in _message(lambda c: c.true(False, "wrong order", hint="swap them"))
    hinted = _message(lambda c: c.close([2.0, 4.0], [1.0, 2.0], hints=[([2.0, 4.0], "halve it"), ([3.0], "no")]))
    assert hinted.endswith("\nhint: halve it")
    assert "hint:" not in _message(lambda c: c.close([5.0, 4.0], [1.0, 2.0], hints=[([2.0, 4.0], "halve it")]))
    assert "\nhint: check n" in _message(lambda c: c.raises(ValueError, lambda n: n, 3, hint="check n"))


def test_raises_wants_exactly_the_named_classes_and_accepts_a_tuple():
    def axis_error(n):
        raise np.exceptions.AxisError("axis 0 is out of bounds for array of dimension 0")

    def type_error(n):
        raise TypeError("n must be an int")
    assert "raised AxisError" in _message(lambda c: c.raises(ValueError, axis_error, 10.0))
    assert _message(lambda c: c.raises((ValueError, TypeError), type_error, 10.0)) == ""
    assert "expected ValueError or TypeError" in _message(lambda c: c.raises((ValueError, TypeError), axis_error, 1.0))


def test_messages_show_no_value_longer_than_shown():
    def fit(X, y):
        return None
    big, text = np.arange(400.0).reshape(20, 20), "x" * 500

    def loud(*args, **kwargs):
        raise KeyError(text)
    returned = _message(lambda c: c.raises(ValueError, lambda *a, **k: None, fit, big, {f"k{i}": big for i in range(9)},
                                           list(range(300)), rng=np.random.default_rng(0)))
    assert "<function fit>" in returned and "<float64 array of shape (20, 20)>" in returned
    assert "returned normally" in returned and len(returned) < 4 * SHOWN + 100
    assert len(_message(lambda c: c.raises(ValueError, loud, 1))) < 2 * SHOWN + 60
    assert all(len(line) < 2 * SHOWN for line in _message(lambda c: c.equal(big, big + 1)).splitlines())
