"""Authoritative scores: hidden checks probed in the sandbox, judged here, where no student code runs.

The folder the sandbox sees holds the pristine nnlib infrastructure of the release plus the
student's exercise module(s), as the autograder's copy does.
"""
from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import hidden
from .chapters import Chapter
from .sandbox import Limits, run_probes
from .variants import reference_module


@dataclass
class ExerciseScore:
    """Isolated outcome of one exercise (one graded cell)."""

    grade_id: str
    points: float
    passed: int = 0
    total: int = 0
    failed: list[str] = field(default_factory=list)   # "description: reason", for the instructor

    @property
    def score(self) -> float:
        return round(self.points * self.passed / self.total, 6) if self.total else 0.0


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
                    slot: int = 0, limits: Limits = Limits(), hidden_paths: tuple[Path, ...] = ()
                    ) -> dict[str, ExerciseScore]:
    """grade_id -> ExerciseScore, from the hidden checks of every exercise module of ``ch``."""
    scores = {gid: ExerciseScore(gid, p) for gid, p in points.items()}
    with tempfile.TemporaryDirectory(prefix="isolated-") as tmp:
        folder = assemble(ch, infrastructure, student_nnlib, Path(tmp))
        for module in ch.modules:
            checks = hidden.suite(module).checks
            outputs = run_probes(folder, module, [c.exercise for c in checks], slot=slot, limits=limits,
                                 hidden=hidden_paths)
            reference = reference_module(module)
            for check, got in zip(checks, outputs):
                entry = scores.get(f"{ch.id}_{check.exercise}")
                if entry is None:
                    continue
                reason = hidden.judge(check, got, reference)
                entry.total += 1
                if reason is None:
                    entry.passed += 1
                else:
                    entry.failed.append(f"{check.description}: {reason}")
    return scores
