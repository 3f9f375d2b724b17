"""Time budgets of the hidden checks: a multiple of the reference's own CPU time on this machine.

Side of the wall: grader. The reference solution (trusted code) is run once per grading
run through the same probe sandbox as the students' code, with the checks' fixed seeds;
the probe supervisor measures each check's CPU time (user + system, from ``/proc``). A
check's budget is ``max(cpu_floor, cpu_factor x reference CPU)`` CPU seconds
(:meth:`coursekit.grading.jail.Limits.cpu_budget`, by default 50x with a floor of 3 s),
and ``wall_factor`` (10x) that in wall time is only a backstop for code that sleeps.

CPU time, unlike wall time, hardly changes when other processes compete for the cores,
so the same code gets the same verdict on an idle and on a busy machine: a slow but
correct loop passes, an endless loop fails. The measured numbers are written to
``<course>/budgets/<chapter>.json`` (for the instructor, and reused by ``--resume`` when
the reference, the checks and the machine are unchanged).
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import tempfile
from pathlib import Path

from .. import hidden
from ..chapters import Chapter
from ..paths import SOLUTIONS
from . import files, jail


def _fingerprint(ch: Chapter) -> str:
    """Hash of what the timings depend on: the references, the checks, the machine and the factors."""
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent.parent
    for module in ch.modules:
        for path in (SOLUTIONS / f"{module}.py", here / "graders" / f"{module}.py"):
            digest.update(path.read_bytes() if path.is_file() else b"-")
    digest.update(f"{platform.node()}|{platform.machine()}|{os.cpu_count()}".encode())
    return digest.hexdigest()[:16]


def measure(ch: Chapter, infrastructure: Path, limits: jail.Limits) -> dict[str, list[float | None]]:
    """module -> the reference's CPU seconds per hidden check (None where it could not be measured)."""
    from .isolated import assemble
    from .sandbox import run_probes

    generous = jail.Limits(check_seconds=max(60.0, limits.cpu_floor), wall_factor=3.0,
                           startup_seconds=limits.startup_seconds)
    measured: dict[str, list[float | None]] = {}
    from ..variants import reference_source

    with tempfile.TemporaryDirectory(prefix="budgets-") as tmp, \
            tempfile.TemporaryDirectory(prefix="budgets-ref-") as references:
        for module in ch.modules:
            (Path(references) / f"{module}.py").write_text(reference_source(module), encoding="utf-8")
        folder = assemble(ch, infrastructure, Path(references), Path(tmp))
        for module in ch.modules:
            checks = hidden.suite(module).checks
            results = run_probes(folder, module, [c.seed for c in checks], limits=generous)
            measured[module] = [cpu if not isinstance(value, hidden.Raised) else None
                                for value, cpu in zip(results.values, results.cpu)]
    return measured


def for_chapter(ch: Chapter, infrastructure: Path, course_dir: Path, limits: jail.Limits, *,
                reuse: bool = False) -> dict[str, list[float | None]]:
    """module -> reference CPU seconds per check: measured now (or, with ``reuse``, from a matching record).

    Writes ``<course>/budgets/<chapter>.json`` with the reference's time and the budget of
    every check. With ``limits.check_seconds`` set (fixed budgets) nothing is measured.
    """
    if limits.check_seconds is not None:
        return {module: [None] * len(hidden.suite(module).checks) for module in ch.modules}
    path = Path(course_dir) / "budgets" / f"{ch.id}.json"
    fingerprint = _fingerprint(ch)
    if reuse and path.is_file():
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            if record.get("fingerprint") == fingerprint:
                return {m: [c["reference_cpu"] for c in record["modules"][m]] for m in ch.modules}
        except (OSError, ValueError, KeyError, TypeError):
            pass
    measured = measure(ch, infrastructure, limits)
    record = {"chapter": ch.id, "fingerprint": fingerprint,
              "rule": f"cpu budget = max({limits.cpu_floor:g} s, {limits.cpu_factor:g} x reference CPU); "
                      f"wall backstop = {limits.wall_factor:g} x cpu budget",
              "modules": {module: [{"check": f"{c.exercise}: {c.description}", "reference_cpu": ref,
                                    "budget_cpu": limits.cpu_budget(ref),
                                    "budget_wall": limits.wall_backstop(limits.cpu_budget(ref))}
                                   for c, ref in zip(hidden.suite(module).checks, measured[module])]
                          for module in ch.modules}}
    files.write_text(path, json.dumps(record, indent=1) + "\n")
    return measured
