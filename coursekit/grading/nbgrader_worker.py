"""A long-lived nbgrader process per grading slot (grader side of the wall: no student code runs here).

Importing nbgrader costs seconds; starting ``nbgrader autograde`` once per student would pay
that for every submission. A worker imports it once, then autogrades and writes feedback
for one student per request through nbgrader's own API (the same code the command line
runs, with the same ``nbgrader_config.py``, whose execute step runs the notebook in the
kernel jail: :mod:`coursekit.grading.execute`). It lives in the slot's cgroups, so the
sandboxes it starts inherit the slot's limits, and it is replaced after a hang or every
``MAX_TASKS`` requests.
"""
from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
from pathlib import Path

from . import kernel_limits
from .nbgrader_run import db_url, environment
from ..paths import ROOT

MAX_TASKS = 50


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when the grader dies (a killed grader leaves no orphans)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)   # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _log_to_file(path: Path) -> None:
    """Send this worker's stdout and stderr (SQLAlchemy's and jupyter_client's warnings, nbgrader's
    log lines) to a log file in the grading folder: the console keeps the progress bar and summary."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        log = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    except OSError:
        log = os.open(os.devnull, os.O_WRONLY)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)


def _serve(connection, course_dir: str, slot: int, cell_timeout: int | None) -> None:
    """The worker's main loop (runs in the child process, which the parent put in the slot's cgroups)."""
    _die_with_parent()
    _log_to_file(Path(course_dir) / "logs" / f"nbgrader-worker-{slot}.log")
    env = environment()                         # computed before clearing: it extends this PATH
    os.environ.clear()
    os.environ.update(env)
    kernel_limits.apply_rlimits()
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    config.CourseDirectory.root = course_dir
    config.CourseDirectory.db_url = db_url(Path(course_dir))
    if cell_timeout:
        config.Execute.timeout = cell_timeout
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    while True:
        request = connection.recv()
        if request is None:
            return
        operation, assignment, student, job = request
        from coursekit.grading import execute
        execute.JOB = job
        run = api.autograde if operation == "autograde" else api.generate_feedback
        result = run(assignment, student, force=True)
        connection.send({key: str(value) if key != "success" else bool(value) for key, value in result.items()})


class NbgraderWorker:
    """Client side: one worker process for one slot, restarted when needed."""

    def __init__(self, course_dir: Path, slot: int, cell_timeout: int | None):
        self.course_dir, self.slot, self.cell_timeout = course_dir, slot, cell_timeout
        self.process = self.connection = None
        self.tasks = 0

    def start(self) -> None:
        """Start the worker process now (it imports nbgrader while the caller does other work)."""
        if self.process is None or not self.process.is_alive():
            self.stop()
            self._start()

    def _start(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve, daemon=True, name=f"nbgrader-worker-{self.slot}",
                                       args=(child, str(self.course_dir), self.slot, self.cell_timeout))
        self.process.start()
        if kernel_limits.prepare(self.slot):
            kernel_limits.enter(self.slot, self.process.pid)   # before it has started any kernel
        self.tasks = 0

    def run(self, operation: str, assignment: str, student: str, timeout: float, job: dict | None = None) -> dict:
        """``{"success": bool, "log": str, "error": str}``; a hang or a dead worker counts as a failure."""
        if self.process is None or not self.process.is_alive() or self.tasks >= MAX_TASKS:
            self.stop()
            self._start()
        self.tasks += 1
        try:
            self.connection.send((operation, assignment, student, job))
            if self.connection.poll(timeout):
                reply = self.connection.recv()
                kernel_limits.kill_all(self.slot, keep={self.process.pid})
                return reply
            error = f"{operation} did not finish within {timeout:g} s"
        except (EOFError, OSError) as broken:   # the worker died (a kernel took it down, or it was killed)
            error = f"the nbgrader worker stopped during {operation} ({type(broken).__name__})"
        self.stop()
        return {"success": False, "log": "", "error": error}

    def stop(self) -> None:
        if self.process is not None:
            if self.process.is_alive():
                try:
                    self.connection.send(None)
                    self.process.join(5)
                except (BrokenPipeError, OSError):
                    pass
            if self.process.is_alive():
                self.process.kill()
                self.process.join()
            kernel_limits.kill_all(self.slot)
        self.process = self.connection = None
