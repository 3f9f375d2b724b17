"""Runs inside the sandbox: import the student's nnlib module, run the probes, write one line per check.

Usage (by coursekit.sandbox only)::

    python -I -m coursekit.probe_main <submission dir> <module> <first check> <result file>

A line ``{"ready": true}`` says the student's module is imported; each finished probe then
appends ``{"index": i, "result": <wire data>}`` to the result file and flushes it, so that when a probe hangs or kills the process, the checks done so far
survive and the grader restarts after the one that failed.
"""
from __future__ import annotations

import json
import sys


def main(argv: list[str]) -> int:
    submission, module, first, result_path = argv[0], argv[1], int(argv[2]), argv[3]
    sys.path.insert(0, submission)
    import importlib

    from coursekit import wire
    from coursekit.hidden import Raised, run_probe, suite

    checks = suite(module).checks
    with open(result_path, "a", encoding="utf-8") as out:
        try:
            student = importlib.import_module(f"nnlib.{module}")
        except BaseException as error:  # noqa: BLE001 - a module that fails to import scores 0
            student, failure = None, Raised(type(error).__name__, f"importing nnlib/{module}.py: {error}"[:300])
        out.write(json.dumps({"ready": True}) + "\n")   # imports done: from here on, time per check
        out.flush()
        for index in range(first, len(checks)):
            result = run_probe(checks[index], student) if student is not None else failure
            out.write(json.dumps({"index": index, "result": wire.encode(result)}) + "\n")
            out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
