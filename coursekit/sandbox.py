"""Run the probes of hidden checks on a student's nnlib in a locked-down process.

The probe process gets a scrubbed environment, limits on CPU time, memory, processes and
file size, and, where ``bwrap`` (bubblewrap) works, no network and a filesystem view with
nothing of the course but the interpreter, its packages and ``coursekit`` (no solutions/,
no gradebook, no other submission). Running as root, it also drops to a per-worker uid
so that the process limit applies. Results come back as JSON lines of plain data.

A probe that hangs, crashes or exits costs only its own check: the runner is restarted
after it, so one infinite loop does not zero the other exercises.
"""
from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from . import kernel_limits, wire
from .hidden import Raised
from .paths import ROOT

SANDBOX_SUBMISSION = "/tmp/submission"
SANDBOX_OUT = "/tmp/out"
# Each grading process gets its own block of 16 uids, so concurrent graders never share a process limit.
BASE_UID = 61000 + (os.getpid() % 4000) * 16


@dataclass(frozen=True)
class Limits:
    """Resource limits of one probe process."""

    cpu_seconds: int = 60
    memory_bytes: int = 2 * 2**30
    processes: int = 64
    file_bytes: int = 16 * 2**20
    check_seconds: float = 3.0       # wall time one probe may take (the references' take < 0.1 s)
    startup_seconds: float = 15.0    # time to start: interpreter, numpy, the student's module


@dataclass(frozen=True)
class Isolation:
    """What this machine allows; detected once per process."""

    bwrap: str | None
    drop_uid: bool
    notes: tuple[str, ...] = field(default=())


def _scrubbed_env() -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8", "PYTHONHASHSEED": "0",
            "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _top(path: Path) -> Path:
    """The top-level folder holding ``path`` (``/work`` for ``/work/main``)."""
    parts = path.resolve().parts
    return Path(parts[0], parts[1]) if len(parts) > 1 else path


def _bwrap_args(bwrap: str, submission: Path, out: Path, hidden: list[Path], drop_uid: int | None) -> list[str]:
    """bwrap command: whole filesystem read-only, private trees hidden, the runtime bound back."""
    args = [bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
            "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
            "--die-with-parent", "--new-session"]
    tops = sorted({_top(p) for p in hidden} | {Path("/tmp"), Path("/root"), Path("/home"), Path("/var/tmp")})
    for top in tops:
        if top.is_dir():
            args += ["--perms", "0755", "--tmpfs", str(top)]
    made = set(tops)
    runtime = [Path(sys.prefix), Path(sys.base_prefix), Path(os.path.realpath(sys.executable)).parents[1],
               ROOT / "coursekit"]
    for source in dict.fromkeys(p.resolve() for p in runtime):
        for ancestor in reversed(source.parents):
            if ancestor not in made and any(top in ancestor.parents for top in tops):
                args += ["--perms", "0755", "--dir", str(ancestor)]
                made.add(ancestor)
        args += ["--ro-bind", str(source), str(source)]
    args += ["--ro-bind", str(submission), SANDBOX_SUBMISSION, "--bind", str(out), SANDBOX_OUT,
             "--chdir", SANDBOX_SUBMISSION]
    if drop_uid is not None:
        args += ["setpriv", f"--reuid={drop_uid}", f"--regid={drop_uid}", "--clear-groups", "--inh-caps=-all", "--"]
    return args


def _trial(command: list[str]) -> bool:
    try:
        return subprocess.run(command, capture_output=True, timeout=60, env=_scrubbed_env()).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


@lru_cache(maxsize=1)
def isolation() -> Isolation:
    """Detect bubblewrap and uid dropping with a trial run of the real interpreter."""
    notes = []
    is_root = os.geteuid() == 0
    bwrap = shutil.which("bwrap")
    if bwrap:
        with tempfile.TemporaryDirectory() as tmp:
            probe = [sys.executable, "-I", "-c", "import numpy, coursekit.hidden"]
            drop = BASE_UID if is_root and shutil.which("setpriv") else None
            if not _trial(_bwrap_args(bwrap, Path(tmp), Path(tmp), [ROOT], drop) + probe):
                notes.append("bubblewrap is installed but cannot start a sandbox here; "
                             "student code runs with resource limits only")
                bwrap = None
            elif is_root and drop is None:
                notes.append("setpriv not found: sandboxes run as root, so the process limit does not apply")
    else:
        notes.append("bubblewrap (bwrap) is not installed: student code runs with resource limits only, "
                     "and can read any file this user can read (install the 'bubblewrap' package)")
    return Isolation(bwrap, bool(bwrap) and is_root and shutil.which("setpriv") is not None, tuple(notes))


def _own_process_count() -> int:
    uid = os.getuid()
    return sum(1 for p in Path("/proc").iterdir() if p.name.isdigit() and _owner(p) == uid)


def _owner(path: Path) -> int | None:
    try:
        return path.stat().st_uid
    except OSError:
        return None


def _limiter(limits: Limits, process_limit: int, slot: int):
    in_groups = kernel_limits.prepared(slot)

    def apply():
        os.setsid()
        if in_groups:
            kernel_limits.enter(slot)
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_NPROC, (process_limit, process_limit))
    return apply


def _command(submission: Path, out: Path, module: str, first: int, slot: int, hidden: list[Path]) -> list[str]:
    iso = isolation()
    if iso.bwrap:
        prefix = _bwrap_args(iso.bwrap, submission, out, hidden, BASE_UID + slot % 16 if iso.drop_uid else None)
        where, result = SANDBOX_SUBMISSION, f"{SANDBOX_OUT}/results.jsonl"
    else:
        prefix, where, result = [], str(submission), str(out / "results.jsonl")
    return prefix + [sys.executable, "-I", "-m", "coursekit.probe_main", where, module, str(first), result]


def _describe_end(returncode: int | None, timed_out: bool, limits: Limits) -> str:
    if timed_out:
        return f"did not finish within {limits.check_seconds:g} s (an endless loop?)"
    signum = -returncode if returncode is not None and returncode < 0 else (
        returncode - 128 if returncode is not None and 128 < returncode < 160 else None)   # bwrap: 128 + signal
    if signum is not None:
        try:
            name = signal.Signals(signum).name
        except ValueError:
            name = f"signal {signum}"
        why = {"SIGSEGV": "crashed (segmentation fault)", "SIGXCPU": f"used more than {limits.cpu_seconds} s of CPU",
               "SIGKILL": "was killed (out of memory?)", "SIGXFSZ": "wrote more output than allowed",
               "SIGABRT": "aborted"}.get(name, f"was killed by {name}")
        return why
    return f"ended the process (exit code {returncode}) before returning"


def _read_results(path: Path, results: dict) -> bool:
    """Add the finished probes to ``results``; whether the runner reported ready."""
    if not path.exists():
        return False
    ready = False
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
            if record.get("ready") is True:
                ready = True
            else:
                results[int(record["index"])] = wire.decode(record["result"])
        except (ValueError, KeyError, TypeError, AttributeError):
            continue   # a line cut short by a kill, or forged: ignored
    return ready


def run_probes(submission: Path, module: str, exercises: list[str], *, slot: int = 0, limits: Limits = Limits(),
               hidden: tuple[Path, ...] = ()) -> list:
    """Probe results for the checks of ``module`` (``exercises[i]`` is check i's exercise).

    A probe that crashes gets a ``Raised`` saying how, and the runner restarts at the next
    check. A probe that hangs costs its exercise's remaining checks too (they would most
    likely hang as well, each costing the time limit). A module that cannot even be
    imported within the start-up time fails every check.
    """
    n_checks = len(exercises)
    results: dict[int, object] = {}
    first = 0
    uid = BASE_UID + slot % 16 if isolation().drop_uid else None
    process_limit = limits.processes
    if uid is None and os.geteuid() != 0:   # the limit counts all of this user's processes
        process_limit += _own_process_count()
    while first < n_checks:
        with tempfile.TemporaryDirectory(prefix="probe-") as tmp:
            out = Path(tmp)
            if uid is not None:
                os.chown(out, uid, uid)
            command = _command(submission, out, module, first, slot, [ROOT, *hidden])
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL, env=_scrubbed_env(),
                                       preexec_fn=_limiter(limits, process_limit, slot))
            timed_out = _watch(process, out / "results.jsonl", limits)
            ready = _read_results(out / "results.jsonl", results)
        missing = next((i for i in range(first, n_checks) if i not in results), None)
        if missing is None:
            break
        reason = _describe_end(process.returncode, timed_out, limits)
        if not ready:
            for i in range(missing, n_checks):
                results[i] = Raised("Sandbox", f"importing nnlib/{module}.py {reason}")
            break
        results[missing] = Raised("Sandbox", reason)
        if timed_out:
            for i in range(missing + 1, n_checks):
                if exercises[i] == exercises[missing] and i not in results:
                    results[i] = Raised("Sandbox", f"not run: an earlier check of {exercises[i]} {reason}")
        first = next((i for i in range(missing + 1, n_checks) if i not in results), n_checks)
    return [results[i] for i in range(n_checks)]


def _watch(process: subprocess.Popen, result_file: Path, limits: Limits) -> bool:
    """Wait for the process; kill it when it stalls: start-up, then each check, within their limits."""
    last_size, deadline = 0, time.monotonic() + limits.startup_seconds
    while process.poll() is None:
        size = result_file.stat().st_size if result_file.exists() else 0
        if size != last_size:
            last_size, deadline = size, time.monotonic() + limits.check_seconds
        elif time.monotonic() > deadline:
            _kill(process)
            return True
        time.sleep(0.02)
    return False


def _kill(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()
