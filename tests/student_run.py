"""Execute a chapter notebook as a student's Run All would, and report every cell as JSON.

Run by the Python of the environment under test (it needs only nbclient and ipykernel,
which JupyterLab brings): ``python student_run.py <notebook> <report.json>``. The kernel is
that environment's own (``python3`` resolves to ``sys.executable``). Every cell runs, as in
JupyterLab when no cell fails; the report says which cells failed, what each graded cell
scored (the ``text/plain`` nbgrader reads) and which cells said they were skipped, with the
wall time and the kernel's CPU time (the cost on an idle machine).
"""
import json
import re
import resource
import sys
import time
from datetime import datetime
from pathlib import Path

import nbclient
import nbformat


def _time(cell, event):
    try:
        return datetime.fromisoformat(cell.metadata.get("execution", {})[event].replace("Z", "+00:00")).timestamp()
    except (KeyError, ValueError):
        return None


def _seconds(cell):
    start, end = _time(cell, "iopub.execute_input"), _time(cell, "shell.execute_reply")
    return None if start is None or end is None else round(end - start, 2)


def _phases(nb, started: float, ended: float) -> dict:
    """Where the wall time went: before the first cell, in the cells, between them, after the last."""
    spans = [(_time(c, "iopub.status.busy"), _time(c, "iopub.status.idle")) for c in nb.cells if c.cell_type == "code"]
    spans = [(a, b) for a, b in spans if a is not None and b is not None]
    if not spans:
        return {}
    gaps = [round(b[0] - a[1], 2) for a, b in zip(spans, spans[1:])]
    return {"before_first_cell": round(spans[0][0] - started, 2), "in_cells": round(sum(b - a for a, b in spans), 2),
            "longest_gap_between_cells": max(gaps, default=0.0), "after_last_cell": round(ended - spans[-1][1], 2)}


def cell_report(index, cell):
    outputs = cell.get("outputs", [])
    nbgrader = cell.metadata.get("nbgrader", {})
    stdout = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream" and o.get("name") == "stdout")
    stderr = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream" and o.get("name") == "stderr")
    results = [o["data"] for o in outputs if o.get("output_type") == "execute_result"]
    errors = [f"{o.get('ename')}: {o.get('evalue')}" for o in outputs if o.get("output_type") == "error"]
    return {
        "index": index,
        "grade_id": nbgrader.get("grade_id"),
        "graded": bool(nbgrader.get("grade")),
        "max_points": nbgrader.get("points"),
        "errors": errors,
        "stderr": stderr,
        "skipped": [line for line in stdout.splitlines() if line.startswith("[skipped]")],
        "points": [float(m.group(1)) for m in re.finditer(r"checks passed, ([0-9.]+) of [0-9.]+ points$", stdout, re.M)],
        "results": [r.get("text/plain") for r in results],
        "first_line": cell.source.splitlines()[0] if cell.source else "",
        "seconds": _seconds(cell),
    }


def main(notebook, report):
    path = Path(notebook).resolve()
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=300, allow_errors=False, record_timing=True,
                                     resources={"metadata": {"path": str(path.parent)}})
    start, started = time.perf_counter(), time.time()
    stopped = None
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as error:   # Run All stops here
        stopped = str(error).splitlines()[-1][:300] if str(error) else "CellExecutionError"
    seconds = time.perf_counter() - start
    kernel = resource.getrusage(resource.RUSAGE_CHILDREN)   # the kernel, shut down and waited for by now
    cells = [cell_report(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    executed = sum(1 for c in nb.cells if c.cell_type == "code" and c.get("execution_count"))
    Path(report).write_text(json.dumps({"seconds": seconds, "stopped": stopped, "executed": executed,
                                        "kernel_cpu_seconds": round(kernel.ru_utime + kernel.ru_stime, 2),
                                        "phases": _phases(nb, started, time.time()),
                                        "python": sys.executable, "cells": cells}, indent=1))


if __name__ == "__main__":
    main(*sys.argv[1:3])
