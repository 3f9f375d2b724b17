"""A throwaway PostgreSQL server for tests: ``initdb`` in a temporary folder, a Unix socket only, stopped at the end.

Debian's ``postgresql`` package (``.ci/run`` installs it when missing) puts its programs in
``/usr/lib/postgresql/<version>/bin``; they are found there or on PATH. ``initdb`` and the
server refuse to run as root, so as root (CI) they run as an unprivileged user through
``setpriv``, in a folder that user owns. The server listens on no TCP port at all, only on
a socket in its own folder, with ``trust`` authentication for its one role: nothing outside
this machine's root (and the test) can reach it, and no sandbox sees the folder.

``cluster()`` is a context manager giving a :class:`Server`; ``server.new_database(name)``
creates an empty database and returns its SQLAlchemy URL (psycopg 3).
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROLE = "coursekit"


def binaries() -> Path | None:
    """The folder holding initdb, pg_ctl and postgres, newest version first; None when not installed."""
    found = shutil.which("initdb")
    if found:
        folder = Path(os.path.realpath(found)).parent
        if (folder / "pg_ctl").exists() and (folder / "postgres").exists():
            return folder
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                      key=lambda p: [int(x) for x in Path(p).parts[-3].split(".") if x.isdigit()], reverse=True)
    return Path(versions[0]).parent if versions else None


def _unprivileged() -> tuple[int, int]:
    """The uid and gid the server runs as when the test runs as root."""
    for name in ("postgres", "nobody"):
        try:
            entry = pwd.getpwnam(name)
            return entry.pw_uid, entry.pw_gid
        except KeyError:
            continue
    return 65534, 65534


@dataclass
class Server:
    folder: Path
    bin: Path
    run_as: list[str]

    @property
    def socket_dir(self) -> str:
        return str(self.folder)

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run one SQL command with psql as the test's role; its output (tuples only)."""
        result = subprocess.run([*self.run_as, str(self.bin / "psql"), "-h", self.socket_dir, "-U", ROLE,
                                 "-d", database, "-At", "-v", "ON_ERROR_STOP=1", "-c", sql],
                                capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"psql failed: {result.stderr}")
        return result.stdout

    def new_database(self, name: str) -> str:
        self.psql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def url(self, name: str) -> str:
        return f"postgresql+psycopg://{ROLE}@/{name}?host={self.socket_dir}"


def _run(command: list[str], what: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"{what} failed (exit {result.returncode}):\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")


@contextmanager
def cluster():
    """Start a private PostgreSQL server; stop it and remove its folder afterwards."""
    bin_dir = binaries()
    if bin_dir is None:
        raise FileNotFoundError("no PostgreSQL server programs (install Debian's postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="ckpg-"))   # short: a socket path must fit in 107 bytes
    run_as: list[str] = []
    if os.geteuid() == 0:
        uid, gid = _unprivileged()
        os.chown(folder, uid, gid)
        run_as = [shutil.which("setpriv") or "/usr/bin/setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups"]
    data = folder / "data"
    server = Server(folder, bin_dir, run_as)
    env_locale = {"LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
    started = False
    try:
        _run([*run_as, "env", *(f"{k}={v}" for k, v in env_locale.items()), str(bin_dir / "initdb"), "-D", str(data),
              "-U", ROLE, "--auth=trust", "--encoding=UTF8", "--no-sync"], "initdb")
        options = f"-c listen_addresses='' -c unix_socket_directories={folder} -c fsync=off -c max_connections=200"
        _run([*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-w",
              "-t", "60", "-o", options, "start"], "pg_ctl start")
        started = True
        deadline = time.monotonic() + 30
        while True:
            try:
                server.psql("SELECT 1")
                break
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield server
    finally:
        if started:
            subprocess.run([*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                           capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


def _pytest_fixture():
    import pytest

    @pytest.fixture(scope="session")
    def postgres_server():
        """A running throwaway server for the session (skipped, saying why, when PostgreSQL is not installed)."""
        if binaries() is None:
            pytest.skip("PostgreSQL is not installed (no initdb on PATH or in /usr/lib/postgresql/*/bin): "
                        "apt-get install postgresql")
        with cluster() as server:
            yield server

    return postgres_server


postgres_server = _pytest_fixture()
