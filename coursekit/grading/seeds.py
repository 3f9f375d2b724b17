"""Per-student seeds of the hidden checks.

Side of the wall: grader. A check's seed for a student is a hash of the course's secret
key, the student's id and the check (:meth:`coursekit.hidden.HiddenCheck.seed_for`): a
regrade gives the same inputs and so the same score, another student gets other inputs,
and, without the key, nobody can compute anybody's inputs from the public code. The key
is created at random in the course folder (``.seed-key``, readable by the instructor only)
the first time it is needed; keep it with the gradebook. The in-notebook run keeps each
check's fixed seed.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

KEY_FILE = ".seed-key"


def course_key(course_dir: Path) -> str:
    """The course's key (created on first use)."""
    path = Path(course_dir) / KEY_FILE
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600) if not path.exists() else None
        if fd is not None:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(32))
    return path.read_text().strip()


def student_seeds(checks, student: str, key: str) -> list[int]:
    return [check.seed_for(student, key) for check in checks]
