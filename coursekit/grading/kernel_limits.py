"""One cgroup per worker slot for the sandboxes (grader side of the wall), plus rlimits.

Every sandbox of a slot (the kernel jail, started from the slot's nbgrader worker, and the
probe jail) runs in the slot's groups: a cap on the number of processes (a fork bomb) and
on memory, and at most one CPU, so that a runaway submission cannot starve the other
workers (whose time limits are wall-clock). The sandboxes cannot leave their groups (no
/sys in them, an unprivileged uid). Uses cgroup v1 ``pids``, ``memory`` and ``cpu``
controllers where this process may create groups (root, typically); elsewhere
:func:`available` is False and only rlimits apply.

The groups are named after the grading process (``coursekit-<pid>/slot-<n>``), so two
gradings on one machine never kill each other's kernels; :func:`remove` deletes them.
"""
from __future__ import annotations

import os
import resource
import signal
from pathlib import Path

V1 = Path("/sys/fs/cgroup")
CONTROLLERS = ("pids", "memory", "cpu")
NAME = f"coursekit-{os.getpid()}"   # forked children (the sandboxes) inherit the grader's name


def _group(controller: str, slot: int) -> Path:
    return V1 / controller / NAME / f"slot-{slot}"


def available() -> bool:
    return all(os.access(V1 / c, os.W_OK) for c in CONTROLLERS)


def prepare(slot: int, *, max_processes: int = 256, memory_bytes: int = 6 * 2**30) -> bool:
    """Create (or reset) the slot's groups with their limits; False where cgroups cannot be used."""
    if not available():
        return False
    try:
        for controller in CONTROLLERS:
            _group(controller, slot).mkdir(parents=True, exist_ok=True)
        (_group("pids", slot) / "pids.max").write_text(str(max_processes))
        (_group("memory", slot) / "memory.limit_in_bytes").write_text(str(memory_bytes))
        (_group("cpu", slot) / "cpu.cfs_period_us").write_text("100000")
        (_group("cpu", slot) / "cpu.cfs_quota_us").write_text("100000")   # one CPU
        return True
    except OSError:
        return False


def enter(slot: int, pid: int | None = None) -> None:
    """Move process ``pid`` (default: the caller, e.g. a child before exec) into the slot's groups."""
    for controller in CONTROLLERS:
        (_group(controller, slot) / "cgroup.procs").write_text(str(pid or os.getpid()))


def remove(slots) -> None:
    """Kill what is left in the slots and delete their groups (and this grader's parent groups)."""
    for slot in slots:
        kill_all(slot)
        for controller in CONTROLLERS:
            try:
                _group(controller, slot).rmdir()
            except OSError:
                pass
    for controller in CONTROLLERS:
        try:
            (V1 / controller / NAME).rmdir()
        except OSError:
            pass


def kill_all(slot: int, keep: set[int] = frozenset()) -> int:
    """Kill every process left in the slot but ``keep`` (a kernel's stray children); returns how many."""
    procs = _group("pids", slot) / "cgroup.procs"
    if not procs.exists():
        return 0
    killed = 0
    for _ in range(5):   # a fork bomb may add processes while we kill: repeat
        pids = [int(p) for p in procs.read_text().split() if int(p) not in keep]
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except ProcessLookupError:
                pass
    return killed


def prepared(slot: int) -> bool:
    """Whether the slot's groups exist (``prepare`` succeeded)."""
    return all(_group(c, slot).is_dir() for c in CONTROLLERS)


def apply_rlimits(*, memory_bytes: int = 4 * 2**30, cpu_seconds: int = 900) -> None:
    """Per-process limits for the calling process, inherited by the kernels it starts."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 10))
    resource.setrlimit(resource.RLIMIT_FSIZE, (512 * 2**20, 512 * 2**20))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
