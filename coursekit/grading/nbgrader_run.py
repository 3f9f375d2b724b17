"""Running nbgrader's command line from the course's environment."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ..paths import ROOT
from . import database


# Small matrices on two cores: BLAS threads only fight each other (and the other worker).
SINGLE_THREADED_BLAS = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def environment() -> dict[str, str]:
    """The environment nbgrader runs in.

    The venv's bin goes first on PATH (nbgrader calls ``alembic`` by name when it creates a
    gradebook); PYTHONPATH is removed (it would shadow the student's nnlib in the kernel).
    """
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           "PYTHONDONTWRITEBYTECODE": "1", **SINGLE_THREADED_BLAS}
    for name in ("PYTHONPATH", "MPLBACKEND"):
        env.pop(name, None)
    return env


def db_url(course_dir: Path) -> str:
    """The gradebook of ``course_dir``: ``COURSEKIT_DB_URL`` when set (a PostgreSQL server), else the
    course folder's SQLite, whose busy timeout lets parallel graders share it (:mod:`.database`)."""
    return database.url(course_dir)


def nbgrader(*args: str, course_dir: Path, timeout: float | None = None) -> subprocess.CompletedProcess:
    """Run ``nbgrader <args>`` on the course folder ``course_dir``.

    It runs in the repository root, where nbgrader_config.py is; ``course_dir`` overrides the
    config's course root (the command line takes precedence over config files).
    """
    command = [sys.executable, "-m", "nbgrader", *args, f"--CourseDirectory.root={course_dir}"]
    if not database.is_server():   # a server URL may hold a password: nbgrader_config.py reads it from the environment
        command.append(f"--CourseDirectory.db_url={db_url(course_dir)}")
    return subprocess.run(command, cwd=ROOT, env=environment(), capture_output=True, text=True, timeout=timeout)


def checked(*args: str, course_dir: Path, timeout: float | None = None) -> subprocess.CompletedProcess:
    """``nbgrader`` that raises RuntimeError with nbgrader's own log when it fails."""
    result = nbgrader(*args, course_dir=course_dir, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed (exit {result.returncode}):\n"
                           f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result
