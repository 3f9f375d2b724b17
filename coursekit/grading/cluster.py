"""Grading on a Dask distributed cluster: ``coursekit grade <ch> <folder> --scheduler tcp://host:8786``.

Side of the wall: grader, on two kinds of machine.

**Coordinator** (the machine that runs ``coursekit grade``): it stages the submissions and
measures the check budgets as for a local run, then builds the chapter's *kit* once, in a
private temporary folder: the release source (``source/<ch>/``, the notebook with its hidden-test
lines and nnlib with stubs), nbgrader's release and a gradebook template (SQLite, the
assignment only). It gives the kit to every worker (a worker plugin, which the scheduler keeps
and hands to workers that join or restart later), and sends one task per
submission: the staged zip's bytes, the student's seeds key and budgets. It alone writes the
course folder and the gradebook (SQLite or PostgreSQL, :mod:`.database`): as each task
returns, the student's earlier results are removed, the files the task produced are unpacked
(only under that student's ``submitted``, ``autograded``, ``feedback``, ``reports`` and ``logs``
entries, with tar's data filter), the isolated scores are recorded, then the journal and the
CSV are written exactly as in a local run.

**Worker** (a ``dask worker`` process): it runs the very pipeline of a local run
(:func:`coursekit.grading.grade._grade_with`: isolated checks in the probe jail, nbgrader
autograde in the kernel jail, feedback) in a private course folder (mode 0700, root of the
worker's own temporary folder) made from the kit, with a private SQLite gradebook; the
``COURSEKIT_DB_URL`` setting is dropped in the worker, which never holds the real gradebook's
credentials. The reference and the hidden checks are the worker's own checkout's, which must be
the coordinator's: the coordinator sends a fingerprint (SHA-256 of the solutions, graders and
grading code) and a worker with other code refuses the task, so a stale worker can never grade.
Student code runs only in :mod:`coursekit.grading.jail`'s sandboxes, whose allow-list view holds
none of the kit, the checkout or the private folder (the sandbox's ``/tmp`` is its own tmpfs),
so the sandbox rules hold on every worker exactly as on one machine.

Failures: a worker that dies mid-task loses nothing (the coordinator has written nothing for
that student yet); the scheduler runs the task again on another worker. A submission whose task
kills ``distributed.scheduler.allowed-failures`` workers (Dask's default 3) fails with
``KilledWorker``: it is marked failed with that reason, never retried forever. A worker that
finds something wrong (its code differs, it cannot start nbgrader) raises, and the student is
marked failed with the reason.

Workers run the grader's environment (the same checkout and virtual environment, bubblewrap
installed) and must be allowed child processes: start them with
``DASK_DISTRIBUTED__WORKER__DAEMON=False dask worker tcp://host:8786 --nworkers N --nthreads 1``.
"""
from __future__ import annotations

import hashlib
import io
import multiprocessing
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..chapters import Chapter, chapter
from ..paths import ROOT
from . import database
from .intake import Submission
from .nbgrader_run import environment

try:   # Dask is optional (the "cluster" extra): without it this module still imports, and nothing here runs
    from distributed.diagnostics.plugin import WorkerPlugin as _PluginBase
except ImportError:
    _PluginBase = object

WORKER_DIR_ENV = "COURSEKIT_WORKER_DIR"    # where a worker makes its private folders (default: the temp folder)
OUTPUTS = ("submitted/{s}/{ch}", "autograded/{s}/{ch}", "feedback/{s}/{ch}", "logs/{ch}/{s}.log",
           "reports/{ch}/{s}.txt", "reports/{ch}/{s}.diagnosis.json")
MAX_RESULT_BYTES = 64 * 2**20


class WorkerMismatch(RuntimeError):
    """The worker's checkout is not the coordinator's: it must not grade."""


# --- both sides ------------------------------------------------------------------------------------

def fingerprint() -> str:
    """SHA-256 of the code that decides a grade: solutions, hidden checks, the grading package, the nbgrader config."""
    digest = hashlib.sha256()
    paths = [*sorted((ROOT / "solutions").glob("*.py")), *sorted((ROOT / "coursekit" / "graders").glob("*.py")),
             *sorted((ROOT / "coursekit" / "grading").glob("*.py")), ROOT / "coursekit" / "hidden.py",
             ROOT / "coursekit" / "variants.py", ROOT / "nbgrader_config.py"]
    for path in paths:
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _tar(root: Path, members: list[str]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for member in members:
            if (root / member).exists():
                tar.add(root / member, arcname=member)
    return buffer.getvalue()


# --- coordinator -----------------------------------------------------------------------------------

def build_kit(ch: Chapter, course_dir: Path) -> bytes:
    """The chapter's release source, nbgrader's release of it and a gradebook template, as one tar.gz."""
    with tempfile.TemporaryDirectory(prefix="coursekit-kit-") as scratch:
        kit = Path(scratch)
        shutil.copytree(course_dir / "source" / ch.id, kit / "source" / ch.id)
        env = {k: v for k, v in environment().items() if k != database.ENV}
        command = [sys.executable, "-m", "nbgrader", "generate_assignment", ch.id, "--force",
                   f"--CourseDirectory.root={kit}", f"--CourseDirectory.db_url=sqlite:///{kit / 'gradebook.db'}"]
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        if result.returncode != 0:
            raise RuntimeError(f"could not build the workers' kit (nbgrader generate_assignment): {result.stderr[-2000:]}")
        return _tar(kit, [f"source/{ch.id}", f"release/{ch.id}", "gradebook.db"])


@dataclass
class Task:
    """What a worker gets for one submission (besides the kit)."""

    chapter: str
    submission: Submission
    archive: bytes
    points: dict[str, float]
    limits: object
    key: str
    reference_cpu: dict | None
    cell_timeout: int | None
    fingerprint: str


@dataclass
class Result:
    """What comes back: the submission as graded, the outcome (per-check scores) and the files produced."""

    submission: Submission
    outcome: object
    files: bytes
    worker: str = ""
    seconds: float = 0.0
    feedback: str = ""          # relative to the course folder
    notes: list[str] = field(default_factory=list)


def grade_batch(scheduler: str, ch: Chapter, todo: list[Submission], course_dir: Path, points: dict[str, float],
                limits, key: str, reference_cpu: dict | None, cell_timeout: int | None, journal, table,
                progress: bool) -> None:
    """Grade ``todo`` on the cluster at ``scheduler``; each result is written here as it arrives."""
    from tqdm.auto import tqdm
    from .grade import GradingInputError, _finish
    try:
        from distributed import Client, as_completed
    except ImportError as missing:
        raise GradingInputError('grading on a Dask cluster needs Dask: pip install -e ".[cluster]"') from missing
    if not todo:
        return
    try:
        client = Client(scheduler, timeout="30s")
    except (OSError, TimeoutError, ValueError) as error:
        raise GradingInputError(f"cannot reach the Dask scheduler at {scheduler}: {error}") from error
    with client:
        kit = build_kit(ch, course_dir)
        kit_id, mark = hashlib.sha256(kit).hexdigest(), fingerprint()
        # A worker plugin, not scattered data: the scheduler keeps it and gives it to every worker,
        # those that join (or are restarted) later too, so no worker's death can lose the kit.
        plugin = KitPlugin(kit_id, kit)
        client.register_plugin(plugin, name=plugin.name)
        try:
            futures = {}
            for sub in todo:
                task = Task(ch.id, _portable(sub), sub.archive.read_bytes(), points, limits, key, reference_cpu,
                            cell_timeout, mark)
                futures[client.submit(run_task, kit_id, task, pure=False,
                                      key=f"grade-{ch.id}-{sub.student}-{os.getpid()}-{time.time_ns()}")] = sub
            with tqdm(total=len(todo), desc=f"grading {ch.id}", unit="submission", disable=not progress) as bar:
                for future in as_completed(list(futures)):
                    sub = futures[future]
                    _apply(future, ch, sub, course_dir)
                    _finish(sub, future, journal, table)
                    bar.update()
        finally:
            try:
                client.unregister_worker_plugin(plugin.name)
            except Exception:  # noqa: BLE001 - the cluster may be gone; the plugin then is too
                pass


def _portable(sub: Submission) -> Submission:
    """A copy of ``sub`` to send (its path names are the coordinator's; the worker sets its own)."""
    return replace(sub, archive=Path(sub.archive.name), original=None, feedback=None, flags=list(sub.flags),
                   scores=dict(sub.scores))


def _apply(future, ch: Chapter, sub: Submission, course_dir: Path) -> None:
    """Write one task's result into the course folder and the gradebook (or mark the student failed)."""
    from .grade import _failed, _record, _reset
    try:
        result: Result = future.result()
    except Exception as error:  # noqa: BLE001 - KilledWorker, a worker's refusal, a lost connection
        if type(error).__name__ == "KilledWorker":
            error = RuntimeError("its grading task ended the Dask workers that ran it, the allowed number of "
                                 f"times (retried on others first): {error}")
        _failed(ch, sub, course_dir, error)
        return
    try:
        _reset(ch, sub.student, course_dir)
        _clear(course_dir, ch, sub.student)   # the earlier submitted copy and reports too: the task's replace them
        graded = result.submission
        sub.status, sub.reason, sub.flags = graded.status, graded.reason, list(graded.flags)
        sub.scores, sub.feedback = dict(graded.scores), None
        _unpack(result.files, ch, sub.student, course_dir)
        if sub.status == "graded":
            _record(ch, sub.student, course_dir, result.outcome.isolated, create=True)
        if result.feedback and (course_dir / result.feedback).is_file():
            sub.feedback = course_dir / result.feedback
        sub.flags.extend(result.notes)
    except Exception as error:  # noqa: BLE001 - this student's failure, never the batch's
        _failed(ch, sub, course_dir, error)


def _unpack(data: bytes, ch: Chapter, student: str, course_dir: Path) -> None:
    """Extract a task's files, refusing any member outside that student's own output entries."""
    if len(data) > MAX_RESULT_BYTES:
        raise ValueError(f"the worker's result is {len(data)} bytes (over {MAX_RESULT_BYTES})")
    allowed = [p.format(s=student, ch=ch.id) for p in OUTPUTS]
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        members = tar.getmembers()
        for member in members:
            name = member.name
            if not any(name == a or name.startswith(a + "/") for a in allowed) or ".." in Path(name).parts:
                raise ValueError(f"the worker's result holds {name!r}, outside {student}'s entries")
            if not (member.isfile() or member.isdir()):
                raise ValueError(f"the worker's result holds {name!r}, neither a file nor a folder")
        tar.extractall(course_dir, members=members, filter="data")


# --- worker ----------------------------------------------------------------------------------------

@dataclass
class _WorkerState:
    course: Path
    nbgrader: object
    lock: threading.Lock


_STATES: dict[str, _WorkerState] = {}
_STATES_LOCK = threading.Lock()
_OWN_FINGERPRINT: list[str] = []


def _state(kit: bytes, kit_id: str, cell_timeout: int | None) -> _WorkerState:
    """This worker process's private course folder for the kit (made once) and its nbgrader process."""
    with _STATES_LOCK:
        state = _STATES.get(kit_id)
        if state is None:
            from .nbgrader_worker import NbgraderWorker
            parent = Path(os.environ.get(WORKER_DIR_ENV) or tempfile.gettempdir())
            parent.mkdir(parents=True, exist_ok=True)
            name = "".join(c for c in _worker_name() if c.isalnum() or c in "-_")[:40]
            root = Path(tempfile.mkdtemp(prefix=f"coursekit-worker-{name}-{os.getpid()}-", dir=parent))   # 0700
            course = root / "course"
            course.mkdir()
            with tarfile.open(fileobj=io.BytesIO(kit), mode="r:gz") as tar:
                tar.extractall(course, filter="data")
            state = _STATES[kit_id] = _WorkerState(course, NbgraderWorker(course, 0, cell_timeout), threading.Lock())
        return state


_KITS: dict[str, bytes] = {}


class KitPlugin(_PluginBase):
    """Dask worker plugin: hands the chapter's kit to each worker process (kept in memory there)."""

    def __init__(self, kit_id: str, kit: bytes):
        self.kit_id, self.kit = kit_id, kit
        self.name = f"coursekit-kit-{kit_id[:16]}"

    def setup(self, worker=None) -> None:
        _KITS[self.kit_id] = self.kit

    def teardown(self, worker=None) -> None:
        _KITS.pop(self.kit_id, None)


def run_task(kit_id: str, task: Task) -> Result:
    """Grade one submission on this worker: the local pipeline, in the private course folder."""
    from .grade import _grade_with, _failed, _write_instructor_report
    if not _OWN_FINGERPRINT:
        _OWN_FINGERPRINT.append(fingerprint())
    if task.fingerprint != _OWN_FINGERPRINT[0]:
        raise WorkerMismatch("the worker's solutions, hidden checks or grading code differ from the coordinator's "
                             "(run the same checkout on every worker)")
    if multiprocessing.current_process().daemon:
        raise RuntimeError("the Dask worker is a daemon process and cannot start the nbgrader process: start the "
                           "workers with DASK_DISTRIBUTED__WORKER__DAEMON=False")
    os.environ.pop(database.ENV, None)   # the worker's gradebook is its private SQLite; only the coordinator's is real
    started = time.perf_counter()
    ch = chapter(task.chapter)
    if kit_id not in _KITS:
        raise RuntimeError("this worker has not received the chapter's kit (the coordinator's worker plugin)")
    state = _state(_KITS[kit_id], kit_id, task.cell_timeout)
    with state.lock:
        course, sub = state.course, task.submission
        staging = course / "staging"
        staging.mkdir(mode=0o700, exist_ok=True)
        sub.archive = staging / sub.archive.name   # the staged file's name, as a local run's reasons show it
        sub.archive.write_bytes(task.archive)
        try:
            try:
                outcome = _grade_with(state.nbgrader, ch, sub, course, task.points, task.limits, task.key,
                                      task.reference_cpu)
            except Exception as error:  # noqa: BLE001 - as in a local run: this student fails, with the reason
                outcome = _failed(ch, sub, course, error)
            try:
                _write_instructor_report(ch, sub, outcome, course)
            except Exception as error:  # noqa: BLE001
                sub.flags.append(f"instructor report not written ({type(error).__name__})")
            files = _tar(course, [p.format(s=sub.student, ch=ch.id) for p in OUTPUTS])
            feedback = sub.feedback.relative_to(course).as_posix() if sub.feedback else ""
        finally:
            sub.archive.unlink(missing_ok=True)
            _clear(course, ch, sub.student)
    sub.feedback, sub.archive = None, Path(sub.archive.name)
    return Result(sub, outcome, files, _worker_address(), time.perf_counter() - started, feedback)


def _clear(course: Path, ch: Chapter, student: str) -> None:
    """Remove the student's files from the worker's private folder (they went back to the coordinator)."""
    for pattern in OUTPUTS:
        path = course / pattern.format(s=student, ch=ch.id)
        if path.is_dir():
            for inner in path.rglob("*"):
                inner.chmod(0o755 if inner.is_dir() else 0o644)
            shutil.rmtree(path, ignore_errors=True)
        elif path.exists():
            path.unlink(missing_ok=True)
        if path.parent.name == student and path.parent.is_dir() and not any(path.parent.iterdir()):
            path.parent.rmdir()   # submitted/<student>/ and the like, once empty


def _worker_name() -> str:
    try:
        from distributed import get_worker
        return str(get_worker().name)
    except (ImportError, ValueError):
        return "local"


def _worker_address() -> str:
    try:
        from distributed import get_worker
        return get_worker().address
    except (ImportError, ValueError):
        return ""
