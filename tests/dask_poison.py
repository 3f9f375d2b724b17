"""Dask worker preload for tests (``dask worker --preload tests/dask_poison.py``): a fault to inject.

A task grading a student whose id starts with ``poison`` ends the worker process at once, as a
crash of the worker would (the grading of other students is untouched). Each death appends the
worker's pid to the file named by ``COURSEKIT_TEST_DEATHS`` first, so the test can count them.
The coordinator pickles ``run_task`` by reference; the worker resolves that reference to this
wrapper because the preload replaced the module's attribute before any task arrived.
"""
import os

from coursekit.grading import cluster

# Dask may run a preload twice in one process: wrap the original once, never the wrapper itself.
_grade = getattr(cluster, "_run_task_before_poison", cluster.run_task)
cluster._run_task_before_poison = _grade


def run_task(kit_id, task):
    if task.submission is not None and task.submission.student.startswith("poison"):
        with open(os.environ["COURSEKIT_TEST_DEATHS"], "a", encoding="utf-8") as deaths:
            deaths.write(f"{os.getpid()}\n")
        os._exit(70)
    return _grade(kit_id, task)


cluster.run_task = run_task
