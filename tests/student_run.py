"""Execute a chapter notebook as a student's Run All would, and report every cell as JSON.

Run by the Python of the environment under test (it needs only nbclient and ipykernel,
which JupyterLab brings): ``python student_run.py <notebook> <report.json>``. The kernel is
that environment's own (``python3`` resolves to ``sys.executable``). Every cell runs, as in
JupyterLab when no cell fails; the report says which cells failed, what each graded cell
scored (the ``text/plain`` nbgrader reads) and which cells said they were skipped.
"""
import json
import re
import sys
import time
from datetime import datetime
from pathlib import Path

import nbclient
import nbformat


def _seconds(cell):
    timing = cell.metadata.get("execution", {})
    try:
        start = datetime.fromisoformat(timing["iopub.execute_input"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(timing["shell.execute_reply"].replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return None
    return round((end - start).total_seconds(), 2)


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
    client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=300, allow_errors=False,
                                     resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    stopped = None
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as error:   # Run All stops here
        stopped = str(error).splitlines()[-1][:300] if str(error) else "CellExecutionError"
    seconds = time.perf_counter() - start
    cells = [cell_report(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    executed = sum(1 for c in nb.cells if c.cell_type == "code" and c.get("execution_count"))
    Path(report).write_text(json.dumps({"seconds": seconds, "stopped": stopped, "executed": executed,
                                        "python": sys.executable, "cells": cells}, indent=1))


if __name__ == "__main__":
    main(*sys.argv[1:3])
