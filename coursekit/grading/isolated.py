"""Authoritative scores: hidden checks probed in the probe jail, judged here, where no student code runs.

Side of the wall: grader. The folder the sandbox sees holds the pristine nnlib
infrastructure of the release plus the student's exercise module(s), as the autograder's
copy does. Each check's seed derives from the student's id, the check and the course's
key (:mod:`coursekit.grading.seeds`); without a student, the checks' fixed seeds are used.
A passed "raises ValueError" check counts only when another check of its exercise passes
(:func:`coursekit.hidden.apply_error_rule`).
"""
from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .. import hidden
from ..chapters import Chapter
from .sandbox import Limits, run_probes
from ..variants import reference_module


@dataclass
class ExerciseScore:
    """Isolated outcome of one exercise (one graded cell)."""

    grade_id: str
    points: float
    passed: float = 0.0   # checks passed, a partly passed check counting its share (hidden.credit)
    total: int = 0
    failed: list[str] = field(default_factory=list)   # "description: reason", for the instructor
    # (description, passed, note, credit), in order; the note is what the student may read about a
    # failure (over the time budget, their module does not import), else ""; credit in [0, 1]
    verdicts: list[tuple[str, bool, str, float]] = field(default_factory=list)

    @property
    def score(self) -> float:
        return round(self.points * self.passed / self.total, 6) if self.total else 0.0


class IsolatedScores(dict):
    """grade_id -> ExerciseScore, plus the result-protocol violations seen (they flag the submission)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.violations: list[str] = []
        self.cpu: dict[str, list] = {}   # module -> CPU seconds of each check (measured in the sandbox)
        self.probes: dict[str, list] = {}   # module -> each check's raw probe result (untrusted plain data), for diagnosis


def student_note(module: str, got) -> str:
    """What the student may read about a failed check: only the grader's own words about their code.

    A time-budget failure (``Raised("Timeout")``) and a module that does not import (the
    supervisor's ``nnlib/<module>.py line N: SyntaxError: ...``) are explained; any other
    failure shows no reason (the reasons hold hidden inputs and expected values).
    """
    if not isinstance(got, hidden.Raised):
        return ""
    if got.type == "Timeout" or got.message.startswith(f"nnlib/{module}.py"):
        return got.message[:400]
    return ""


def assemble(ch: Chapter, infrastructure: Path, student: Path, dest: Path) -> Path:
    """``dest/nnlib``: the release's nnlib with the student's exercise modules copied in.

    A missing student module stays missing (its import fails, every check of it fails).
    """
    dest.chmod(0o755)   # readable by the sandbox's unprivileged uid
    package = dest / "nnlib"
    shutil.copytree(infrastructure, package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for module in ch.modules:
        (package / f"{module}.py").unlink(missing_ok=True)
        source = student / f"{module}.py"
        if source.is_file() and not source.is_symlink():
            shutil.copyfile(source, package / f"{module}.py")
    return dest


def isolated_scores(ch: Chapter, points: dict[str, float], infrastructure: Path, student_nnlib: Path, *,
                    slot: int = 0, limits: Limits = Limits(), student: str | None = None, key: str = "",
                    reference_cpu: dict[str, list] | None = None, **_ignored) -> IsolatedScores:
    """grade_id -> ExerciseScore, from the hidden checks of every exercise module of ``ch``.

    ``reference_cpu`` (module -> the reference's CPU seconds per check, from
    :mod:`coursekit.grading.budgets`) sets each check's CPU budget; without it every check
    gets ``limits``' floor (or ``limits.check_seconds``).
    """
    scores = IsolatedScores({gid: ExerciseScore(gid, p) for gid, p in points.items()})
    with tempfile.TemporaryDirectory(prefix="isolated-") as tmp:
        folder = assemble(ch, infrastructure, student_nnlib, Path(tmp))
        for module in ch.modules:
            checks = hidden.suite(module).checks
            seeds = [c.seed if student is None else c.seed_for(student, key) for c in checks]
            channel = run_probes(folder, module, seeds, slot=slot, limits=limits,
                                 reference_cpu=(reference_cpu or {}).get(module))
            scores.cpu[module] = list(channel.cpu)
            scores.probes[module] = list(channel.values)
            scores.violations.extend(f"nnlib/{module}.py: {v}" for v in channel.violations)
            reference = reference_module(module)
            judged = hidden.apply_error_rule([(check, hidden.judge(check, got, reference, seed))
                                              for check, got, seed in zip(checks, channel.values, seeds)])
            for (check, reason), got in zip(judged, channel.values):
                entry = scores.get(f"{ch.id}_{check.exercise}")
                if entry is None:
                    continue
                share = hidden.credit(reason)
                entry.total += 1
                entry.verdicts.append((check.description, reason is None,
                                       student_note(module, got) if reason is not None else "", share))
                entry.passed += share
                if reason is not None:
                    entry.failed.append(f"{check.description}: {reason}")
    return scores
