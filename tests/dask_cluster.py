"""A real Dask cluster on this machine for tests: a ``dask scheduler`` and ``dask worker`` processes over loopback.

Each process is started in its own session (so the test can kill one worker with everything it
started) and stopped at the end. Workers run with ``--nworkers 1 --nthreads 1``, non-daemonic (the
grader starts an nbgrader process per worker) and with their private folders under the test's.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DASK = str(Path(sys.executable).parent / "dask")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Cluster:
    address: str
    folder: Path
    env: dict
    scheduler: subprocess.Popen | None = None
    workers: dict[str, subprocess.Popen] = field(default_factory=dict)
    preload: Path | None = None     # a module every worker runs first (dask worker --preload)

    def start_worker(self, name: str) -> None:
        log = (self.folder / f"{name}.log").open("ab")
        self.workers[name] = subprocess.Popen(
            [DASK, "worker", self.address, "--nworkers", "1", "--nthreads", "1", "--name", name,
             "--no-dashboard", "--local-directory", str(self.folder / name),
             *(["--preload", str(self.preload)] if self.preload else [])],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def kill_worker(self, name: str) -> None:
        """SIGKILL the worker's whole session (nanny, worker process, its nbgrader process, sandboxes)."""
        process = self.workers[name]
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(30)

    def wait_for_workers(self, n: int, timeout: float = 120) -> None:
        from distributed import Client
        with Client(self.address, timeout="60s") as client:
            client.wait_for_workers(n, timeout=timeout)

    def stop(self) -> None:
        for process in [*self.workers.values(), self.scheduler]:
            if process is None or process.poll() is not None:
                continue
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.wait(10)


@contextmanager
def loopback_cluster(folder: Path, workers: int = 2, allowed_failures: int = 2, preload: Path | None = None,
                     env: dict | None = None):
    """A scheduler and ``workers`` workers; a task is given up after ending ``allowed_failures`` + 1 workers."""
    folder.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False",
           "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": str(allowed_failures),
           "COURSEKIT_WORKER_DIR": str(folder / "private"), "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    env.pop("COURSEKIT_DB_URL", None)
    cluster = Cluster(f"tcp://127.0.0.1:{port}", folder, env, preload=preload)
    try:
        log = (folder / "scheduler.log").open("ab")
        cluster.scheduler = subprocess.Popen([DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                              "--no-dashboard"], cwd=ROOT, env=env, stdout=log,
                                             stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or cluster.scheduler.poll() is not None:
                    raise RuntimeError(f"the Dask scheduler did not start: {(folder / 'scheduler.log').read_text()[-2000:]}")
                time.sleep(0.3)
        for number in range(1, workers + 1):
            cluster.start_worker(f"w{number}")
        cluster.wait_for_workers(workers)
        yield cluster
    finally:
        cluster.stop()
