"""Benchmark: throughput of the project's grader (1 and 2 workers) against plain nbgrader autograde.

All grade the same synthetic class in one run: correct, partial (mutants), unwritten
(stubs) and hostile (an endless loop) submissions. Plain nbgrader runs ``autograde`` once
for the whole class, sequentially, with no isolated checks and no feedback, in two
configurations: stock (nbgrader's own execute step: every cell in an unsandboxed kernel, the
configuration an instructor without this course's tools runs) and the course's
(``nbgrader_config.py``: the jailed execute, which runs the nbgrader cells only). Every
course folder is released before its clock starts. Figures are ratios measured in this run,
not absolute targets. :func:`jail_cost` measures the fixed cost of the kernel jail: a
one-cell notebook run by the same driver inside and outside the sandbox.
"""
from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from . import cluster_bench, hidden, variants
from .chapters import chapter
from .grading.grade import grade
from .grading.nbgrader_run import nbgrader
from .release import release
from .synthetic import inject, submission


def synthetic_class(ch_id: str, n: int, release_folder: Path, work: Path, inbox: Path) -> list[str]:
    """``n`` zips in ``inbox``: a cycle of correct, mutant, stub and endless-loop submissions."""
    ch = chapter(ch_id)
    module = ch.modules[0]
    reference = variants.reference_source(module)
    mutants = hidden.suite(module).mutants
    last = hidden.suite(module).exercises[-1]
    kinds = ["correct", "mutant", "stub", "mutant", "correct", "endless"]
    inbox.mkdir(parents=True)
    made = []
    for i in range(n):
        kind = kinds[i % len(kinds)]
        source = {"correct": reference, "stub": variants.stub_source(module),
                  "mutant": variants.mutant_source(module, mutants[i % len(mutants)]),
                  "endless": inject(reference, last, "while True:\n    pass")}[kind]
        made.append(kind)
        submission(release_folder, work, inbox / f"s{i:03d}{kind}_1.zip", {module: source})
    return made


STOCK_CONFIG = """c = get_config()
c.CourseDirectory.course_id = "practical-nn"
# not a speed setting: without it autograde copies the released stubs over the students' own modules
c.Autograde.exclude_overwriting = {exclude!r}
"""


def _plain_nbgrader(ch_id: str, graded_course: Path, course: Path, cell_timeout: int, stock: bool) -> float:
    """Seconds for one sequential ``nbgrader autograde`` of the same collected submissions.

    ``stock``: nbgrader's own configuration (its execute step, no sandbox, every cell), run from
    a folder holding only that configuration; otherwise the course's ``nbgrader_config.py``.
    """
    release(ch_id, course_dir=course, dist=course / "dist")
    shutil.copytree(graded_course / "submitted", course / "submitted")
    started = time.perf_counter()
    if stock:
        folder = course / "stock-config"
        folder.mkdir()
        exclude = {ch_id: [f"nnlib/{m}.py" for m in chapter(ch_id).modules]}
        (folder / "nbgrader_config.py").write_text(STOCK_CONFIG.format(exclude=exclude))
        subprocess.run([sys.executable, "-m", "nbgrader", "autograde", ch_id, "--force", f"--Execute.timeout={cell_timeout}",
                        f"--CourseDirectory.root={course}"], cwd=folder, capture_output=True, check=True, timeout=3600)
    else:
        nbgrader("autograde", ch_id, "--force", f"--Execute.timeout={cell_timeout}", course_dir=course)
    return time.perf_counter() - started


def jail_cost(repeats: int = 3) -> tuple[float, float]:
    """Median seconds for a one-cell notebook: (in the kernel jail, the same driver without it)."""
    from .grading import execute, jail
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("1 + 1")]
    config = json.dumps({"timeout": 60, "startup_timeout": 60, "skip_cells_with_tag": "never",
                         "error_on_timeout": {"ename": "CellTimeoutError", "evalue": "", "traceback": []}}).encode()
    jailed, plain = [], []
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "nnlib").mkdir()
        for _ in range(repeats):
            job = jail.private_job_dir("bench-")
            try:
                execute.write_job(job, notebook, Path(tmp), None)
                started = time.perf_counter()
                jail.run_kernel_jail(job, config, limits=jail.KernelLimits(), slot=None, uid=jail.slot_uid(0))
                jailed.append(time.perf_counter() - started)
                started = time.perf_counter()
                subprocess.run([sys.executable, "-I", str(job / "kernel_driver.py"), str(job)], input=config,
                               capture_output=True, env=jail.scrubbed_env(), timeout=300)
                plain.append(time.perf_counter() - started)
            finally:
                shutil.rmtree(job, ignore_errors=True)
    return statistics.median(jailed), statistics.median(plain)


NOTEBOOK_LIMIT = 30.0   # seconds: each notebook's execution in the book build (issue 16)


def book_figures(serial: bool = True) -> list[str]:
    """The book's build, three times in one run: a clean build (every notebook executed again)
    one notebook at a time and on every core, and a rebuild with nothing changed.

    The anchor of a build is the sum of its notebooks' execution times: build / sum below 1
    means the notebooks ran side by side (and the rest of the build cost less than they saved).
    """
    from .book import build
    runs = {}
    if serial:
        runs["clean build, 1 process"] = build(fresh=True, jobs=1)
    runs["clean build, all cores"] = build(fresh=True)
    runs["rebuild, nothing changed"] = build()
    lines = ["", "book (whole build: staging, execution, Sphinx, secret scan)"]
    for name, result in runs.items():
        if result.returncode != 0:
            lines.append(f"  {name:<30} FAILED (exit {result.returncode})")
            continue
        ran = sum(e.seconds is not None for e in result.executed)
        total = result.execution_sum
        ratio = f"x{result.seconds / total:.2f} of the notebooks' sum {total:.1f} s" if total else "no notebook run"
        phases = ", ".join(f"{k} {v:.1f}" for k, v in result.phases.items())
        lines.append(f"  {name:<30} {result.seconds:6.1f} s  {result.jobs} process(es), {ran} notebook(s) "
                     f"executed; build = {ratio}  ({phases})")
    if serial and all(r.returncode == 0 for r in runs.values()):
        one, every = runs["clean build, 1 process"], runs["clean build, all cores"]
        lines.append(f"  parallel speed-up of the clean build: x{one.seconds / every.seconds:.2f} "
                     f"on {every.jobs} process(es)")
    parallel = runs["clean build, all cores"]
    lines.append("  notebook execution (clean build, all cores; limit 30 s each), slowest cells:")
    for executed in parallel.executed:
        if executed.seconds is None:
            continue
        cells = "; ".join(f"cell {i} {s:.1f} s `{src[:40]}`" for i, s, src in executed.slowest(2))
        flag = "" if executed.seconds <= NOTEBOOK_LIMIT else "  OVER THE LIMIT"
        lines.append(f"    {executed.path.name:<26} {executed.seconds:5.1f} s{flag}  {cells}")
    return lines


PLAIN = "plain nbgrader autograde, stock (sequential)"
PLAIN_COURSE = "plain nbgrader autograde, course config (sequential)"


def run(ch_id: str = "ch01", n: int = 12, cell_timeout: int = 10, book: bool = True) -> str:
    """Run the benchmark and return its report (grading, then, with ``book``, the book's build)."""
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        root = Path(tmp)
        release(ch_id, course_dir=root / "c0", dist=root / "dist")
        kinds = synthetic_class(ch_id, n, root / "dist" / ch_id, root / "work", root / "inbox")
        timings = {}
        for workers in (1, 2):
            release(ch_id, course_dir=root / f"c{workers}", dist=root / "dist")
            started = time.perf_counter()
            grade(ch_id, root / "inbox", course_dir=root / f"c{workers}", workers=workers,
                  cell_timeout=cell_timeout, progress=False)
            timings[f"coursekit grade, {workers} worker{'s' * (workers > 1)}"] = time.perf_counter() - started
        timings[PLAIN] = _plain_nbgrader(ch_id, root / "c1", root / "plain", cell_timeout, stock=True)
        timings[PLAIN_COURSE] = _plain_nbgrader(ch_id, root / "c1", root / "plain-course", cell_timeout, stock=False)
        dask_lines = cluster_bench.lines(ch_id, root, cell_timeout, n, timings)   # the loopback Dask cluster
    baseline = timings[PLAIN]
    mix = ", ".join(f"{kinds.count(k)} {k}" for k in dict.fromkeys(kinds))
    lines = [f"{n} submissions of {ch_id} ({mix}); cell timeout {cell_timeout} s", ""]
    lines += [f"{name:<55} {seconds:7.1f} s  {60 * n / seconds:6.1f}/min  x{baseline / seconds:.2f} vs plain"
              for name, seconds in timings.items()] + dask_lines
    jailed, plain = jail_cost()
    lines += ["", f"kernel jail, fixed cost per submission: a one-cell notebook takes {jailed:.2f} s in the "
                  f"sandbox, {plain:.2f} s without it (+{jailed - plain:.2f} s)"]
    if book:
        lines += book_figures()
    return "\n".join(lines)
