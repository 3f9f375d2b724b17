"""Run the probes of one exercise module's hidden checks on a student's nnlib, in the probe jail.

Side of the wall: grader. The sandbox itself is started by :mod:`coursekit.grading.jail`
(the one module that starts student code): a trusted supervisor forks one unprivileged
child per check (:mod:`coursekit.grading.probe_supervisor`), so a probe that hangs or
crashes costs only its own check (a hang also its exercise's later checks, which would
most likely hang as well), and a module that cannot be imported fails every check.
Results come back through the strict protocol of :mod:`coursekit.grading.protocol`.
"""
from __future__ import annotations

import json
import secrets as _random
import shutil
from pathlib import Path

from . import jail, probe_package, protocol
from .jail import BASE_UID, Isolation, Limits, isolation  # noqa: F401 - the public names

__all__ = ["Limits", "Isolation", "isolation", "run_probes", "BASE_UID"]


def run_probes(submission: Path, module: str, seeds: list[int], *, slot: int = 0,
               limits: Limits = Limits(), reference_cpu: list[float | None] | None = None) -> protocol.Results:
    """Probe results for the checks of ``module`` (one seed per check) on ``submission/nnlib``.

    ``submission`` must be a private copy (it is bound read-only into the sandbox).
    ``reference_cpu`` (one per check, CPU seconds of the reference on this machine) sets
    each check's CPU budget (:meth:`Limits.cpu_budget`); without it, every check gets the floor.
    """
    reference_cpu = list(reference_cpu) if reference_cpu is not None else [None] * len(seeds)
    check_cpu = [limits.cpu_budget(r) for r in reference_cpu]
    check_wall = [limits.wall_backstop(c) for c in check_cpu]
    job = jail.private_job_dir("probe-")
    try:
        shutil.copytree(submission, job / "submission", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        for folder in [job / "submission", *(p for p in (job / "submission").rglob("*") if p.is_dir())]:
            folder.chmod(0o755)
        probe_package.write(job / "probe", module)
        nonce = _random.token_hex(16)
        uid = jail.slot_uid(slot)   # None when this process cannot change uid
        config = {"module": module, "seeds": [int(s) for s in seeds], "nonce": nonce, "uid": uid,
                  "limits": {"cpu_seconds": limits.cpu_seconds, "memory_bytes": limits.memory_bytes,
                             "processes": limits.processes, "file_bytes": limits.file_bytes,
                             "check_cpu": check_cpu, "check_wall": check_wall, "reference_cpu": reference_cpu,
                             "startup_seconds": limits.startup_seconds}}
        budget = limits.startup_seconds * 2 + sum(limits.startup_seconds + wall + 1 for wall in check_wall) + 30
        finished = jail.run_probe_jail(job, json.dumps(config).encode(), limits=limits, slot=slot, timeout=budget)
        ended = ""
        if finished.timed_out:
            ended = f"the probe sandbox ran out of its {budget:g} s"
        elif finished.overflow:
            ended = "the probe sandbox wrote more than its result limit"
        elif finished.returncode:
            ended = f"the probe sandbox ended with exit code {finished.returncode}"
        return protocol.read(finished.output, len(seeds), nonce, ended=ended)
    finally:
        shutil.rmtree(job, ignore_errors=True)
