"""Issue 13, item 1: hidden checks are limited in CPU time, relative to the reference's own time.

A slow but correct answer (a per-element loop) gets full marks even with CPU hogs running
beside it; an endless loop fails its checks with a message in words and no protocol flag;
a process that sleeps is stopped by the wall-clock backstop.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from coursekit import variants
from coursekit.chapters import chapter
from coursekit.grading import budgets
from coursekit.grading.isolated import isolated_scores
from coursekit.paths import ROOT
from coursekit.grading.sandbox import Limits, isolation
from coursekit.synthetic import inject
from tests.hostile import ENDLESS, slow_dropout_source

REG = chapter("ch03")
SPLIT = chapter("ch01")


def _points(ch):
    from coursekit.hidden import suite
    return {f"{ch.id}_{e}": 1.0 for m in ch.modules for e in suite(m).exercises}


def _scores(ch, module, source, **kwargs):
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / f"{module}.py").write_text(source)
        return isolated_scores(ch, _points(ch), ROOT / "nnlib", Path(tmp), **kwargs)


HOG = "import time\nend = time.monotonic() + 240\nwhile time.monotonic() < end:\n    pass\n"


@pytest.fixture
def cpu_hogs():
    """One busy-looping process per core (each ends by itself within 240 s; killed at the end)."""
    import os
    hogs = [subprocess.Popen([sys.executable, "-c", HOG]) for _ in range(os.cpu_count() or 1)]
    try:
        yield hogs
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()


def test_budgets_are_measured_from_the_reference_and_recorded(tmp_path):
    limits = Limits()
    measured = budgets.for_chapter(REG, ROOT / "nnlib", tmp_path, limits)
    record = json.loads((tmp_path / "budgets" / "ch03.json").read_text())
    checks = record["modules"]["regularization"]
    assert len(checks) == len(measured["regularization"]) > 20
    assert all(c["reference_cpu"] is not None and 0 <= c["reference_cpu"] < 1.0 for c in checks), checks
    assert all(c["budget_cpu"] == max(limits.cpu_floor, limits.cpu_factor * c["reference_cpu"]) or
               abs(c["budget_cpu"] - max(limits.cpu_floor, limits.cpu_factor * c["reference_cpu"])) < 0.01
               for c in checks)
    assert all(c["budget_wall"] == pytest.approx(limits.wall_factor * c["budget_cpu"]) for c in checks)
    assert "50 x reference CPU" in record["rule"]
    # a matching record is reused with reuse=True (no second measurement needed)
    assert budgets.for_chapter(REG, ROOT / "nnlib", tmp_path, limits, reuse=True) == measured


@pytest.mark.skipif(not isolation().bwrap, reason="needs bubblewrap")
def test_a_per_element_loop_gets_full_marks_beside_cpu_hogs(tmp_path, cpu_hogs):
    reference_cpu = budgets.for_chapter(REG, ROOT / "nnlib", tmp_path, Limits())
    scores = _scores(REG, "regularization", slow_dropout_source(), reference_cpu=reference_cpu)
    assert all(hog.poll() is None for hog in cpu_hogs), "the hogs must run throughout"
    dropout = scores["ch03_dropout_forward"]
    assert dropout.score == dropout.points, dropout.failed
    assert all(r.score == r.points for r in scores.values()), {g: r.failed for g, r in scores.items()}
    assert scores.violations == []
    slowest = max(c for c in scores.cpu["regularization"] if c is not None)
    assert slowest > 10 * max(c for c in reference_cpu["regularization"] if c is not None)   # it is slow


@pytest.mark.skipif(not isolation().bwrap, reason="needs bubblewrap")
def test_an_endless_loop_fails_in_words_without_a_flag():
    source = inject(variants.reference_source("splitting"), "kfold_indices", ENDLESS)
    scores = _scores(SPLIT, "splitting", source, limits=Limits(cpu_floor=1.0))
    kfold = scores["ch01_kfold_indices"]
    assert kfold.score == 0 and kfold.total > 1
    assert all("your kfold_indices did not finish within 1 s of CPU" in f and "vectorize" in f
               for f in kfold.failed), kfold.failed
    assert all(note.startswith("your kfold_indices did not finish") for _, passed, note, *_ in kfold.verdicts)
    assert scores.violations == []   # running out of time is not tampering
    assert all(r.score == r.points for g, r in scores.items() if g != "ch01_kfold_indices")


@pytest.mark.skipif(not isolation().bwrap, reason="needs bubblewrap")
def test_a_sleeping_check_is_stopped_by_the_wall_clock_backstop():
    source = inject(variants.reference_source("splitting"), "kfold_indices", "import time\ntime.sleep(1000)")
    scores = _scores(SPLIT, "splitting", source, limits=Limits(check_seconds=0.5, wall_factor=4))
    kfold = scores["ch01_kfold_indices"]
    assert kfold.score == 0
    assert "within 2 s of wall-clock time" in kfold.failed[0], kfold.failed
    assert all("not run" in f for f in kfold.failed[1:])
    assert scores.violations == []
    assert all(r.score == r.points for g, r in scores.items() if g != "ch01_kfold_indices")
