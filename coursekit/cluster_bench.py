"""Benchmark, the Dask part (called by :mod:`coursekit.bench`): the same class graded through a loopback cluster.

A Dask scheduler and 1, then 2, worker processes (one thread each) run on this machine over
TCP loopback (``distributed.LocalCluster`` with processes: the same nanny and worker processes
as ``dask worker``), and ``coursekit grade --scheduler`` grades the benchmark's synthetic class
through them. With the local runs of :func:`coursekit.bench.run` this gives throughput per
worker process on one machine and through Dask, as ratios; Dask's own cost per task is
measured with an empty task's round trip (submit to result, through the scheduler).
"""
from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

from .grading.grade import grade
from .release import release

LOCAL_ONE = "coursekit grade, 1 worker"


def _cluster(workers: int):
    import dask
    from distributed import LocalCluster
    with dask.config.set({"distributed.worker.daemon": False}):   # the grader starts an nbgrader process per worker
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                            protocol="tcp://", dashboard_address=":0")


def _noop() -> None:
    return None


def task_round_trip(address: str, repeats: int = 30) -> float:
    """Median seconds from submitting an empty task to holding its result."""
    from distributed import Client
    times = []
    with Client(address) as client:
        for _ in range(repeats):
            started = time.perf_counter()
            client.submit(_noop, pure=False).result()
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def timings(ch_id: str, root: Path, cell_timeout: int, worker_counts=(1, 2)) -> dict[str, float]:
    """Seconds to grade ``root/inbox`` through a loopback cluster of each size (plus Dask's per-task cost)."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        return {}
    os.environ.setdefault("COURSEKIT_WORKER_DIR", str(root / "dask-private"))   # the workers' private folders
    found = {}
    for workers in worker_counts:
        course = root / f"dask{workers}"
        release(ch_id, course_dir=course, dist=root / f"dask{workers}-dist")
        with _cluster(workers) as cluster:
            started = time.perf_counter()
            grade(ch_id, root / "inbox", course_dir=course, cell_timeout=cell_timeout, progress=False,
                  scheduler=cluster.scheduler_address)
            found[f"coursekit grade --scheduler, {workers} Dask worker{'s' * (workers > 1)} (loopback)"] = \
                time.perf_counter() - started
            if workers == worker_counts[0]:
                found["_dask_task_round_trip"] = task_round_trip(cluster.scheduler_address)
    return found


def lines(ch_id: str, root: Path, cell_timeout: int, n: int, all_timings: dict[str, float]) -> list[str]:
    """:func:`coursekit.bench.run`'s Dask part: adds the cluster runs to ``all_timings``; the summary lines."""
    found = timings(ch_id, root, cell_timeout)
    round_trip = found.pop("_dask_task_round_trip", None)
    all_timings.update(found)
    return summary(all_timings, n, round_trip)


def summary(all_timings: dict[str, float], n: int, round_trip: float | None) -> list[str]:
    """Throughput per worker process, as ratios to the local single-worker run, and Dask's cost per task."""
    local = all_timings.get(LOCAL_ONE)
    if round_trip is None or not local:
        return ["", "Dask: not installed (pip install -e '.[cluster]'), the cluster was not measured"]
    lines = ["", f"throughput per worker process (submissions per hour per worker; ratio to {LOCAL_ONE}):"]
    base = 3600 * n / local
    for name, seconds in all_timings.items():
        if not name.startswith("coursekit grade"):
            continue
        workers = 2 if ("2 worker" in name or "2 Dask" in name) else 1
        per_worker = 3600 * n / seconds / workers
        lines.append(f"  {name:<55} {per_worker:7.0f}/h per worker  x{per_worker / base:.2f}")
    one_cluster = next((s for k, s in all_timings.items() if "1 Dask worker" in k), None)
    if one_cluster:
        lines.append(f"Dask's cost per task: {1000 * round_trip:.1f} ms for an empty task's round trip; "
                     f"{(one_cluster - local) / n:+.2f} s per submission with 1 Dask worker vs 1 local worker "
                     "(the kit is built once per run and included)")
    return lines
