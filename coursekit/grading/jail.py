"""The only module that starts student code: bubblewrap sandboxes with an allow-list view.

Side of the wall: this module runs in the grader; every process it starts is inside the
wall. Two kinds of sandbox are started here, both built by :func:`bwrap_prefix`:

- the **probe jail** (:func:`run_probe_jail`): a trusted supervisor
  (:mod:`coursekit.grading.probe_supervisor`) that keeps only the capabilities to change uid
  and to kill, and forks one child per hidden check; the child drops to the slot's
  unprivileged uid before it imports the student's module;
- the **kernel jail** (:func:`run_kernel_jail`): nbclient and the notebook's kernel
  (:mod:`coursekit.grading.kernel_driver`), entirely as the slot's unprivileged uid.

The filesystem view is an allow-list; nothing else of the machine is mounted (no checkout,
no ``solutions/``, no graders, no gradebook, no other submission, no host ``/proc``)::

    /usr/lib, /usr/lib64     read-only  C libraries the interpreter and NumPy load
    /lib, /lib64             symbolic links into /usr (as on the host)
    <sys.base_prefix>        read-only  the interpreter's installation
    <sys.prefix>             read-only  the virtual environment (numpy, nbclient, ipykernel...)
    /usr/bin/setpriv         read-only  (kernel jail, as root) drops to the unprivileged uid
    /job                     read-only  this job only: the private copy of one submission
                                        (and the probe package or the kernel driver)
    /tmp                     private tmpfs, size-capped: the only writable place
    /dev                     bubblewrap's minimal set (null, zero, full, random, urandom, tty)
    /proc                    a new procfs of the sandbox's own PID namespace

Each sandbox has its own PID, network (loopback only), IPC and UTS namespaces, a new
session, ``--die-with-parent`` (and a parent-death signal on bubblewrap itself), no
inherited descriptor (stdin and stdout are pipes to this process, stderr is /dev/null),
rlimits (CPU, address space, file size, processes, no core files) and, where cgroups can
be used, the slot's cgroups. Killing bubblewrap ends the PID namespace, so nothing the
student started outlives its job.
"""
from __future__ import annotations

import ctypes
import os
import resource
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from . import kernel_limits

JOB = "/job"
# Each grading process gets its own block of 16 uids, so concurrent graders never share a process limit.
BASE_UID = 61000 + (os.getpid() % 4000) * 16
_SYSTEM_PREFIXES = {Path("/"), Path("/usr"), Path("/usr/local")}


@dataclass(frozen=True)
class Limits:
    """Resource limits of one probe process (one hidden check)."""

    cpu_seconds: int = 60
    memory_bytes: int = 2 * 2**30
    processes: int = 64
    file_bytes: int = 16 * 2**20
    # Each check's CPU budget: max(cpu_floor, cpu_factor x the reference's CPU time on this machine);
    # see coursekit.grading.budgets. ``check_seconds`` fixes every budget instead (tests, or no measurement).
    cpu_factor: float = 50.0
    cpu_floor: float = 3.0
    wall_factor: float = 10.0        # wall-clock backstop per check: wall_factor x its CPU budget
    check_seconds: float | None = None
    startup_seconds: float = 15.0    # time to start: interpreter, numpy, the student's module
    tmp_bytes: int = 256 * 2**20     # the sandbox's writable /tmp

    def cpu_budget(self, reference_cpu: float | None) -> float:
        """CPU seconds one check may take, given the reference's CPU time for it (None: unknown)."""
        if self.check_seconds is not None:
            return float(self.check_seconds)
        if reference_cpu is None:
            return self.cpu_floor
        return round(max(self.cpu_floor, self.cpu_factor * reference_cpu), 2)

    def wall_backstop(self, cpu_budget: float) -> float:
        return round(self.wall_factor * cpu_budget, 2)


@dataclass(frozen=True)
class KernelLimits:
    """Resource limits of the notebook's kernel jail (nbclient, the kernel and its children)."""

    cpu_seconds: int = 900
    memory_bytes: int = 4 * 2**30
    processes: int = 256
    file_bytes: int = 256 * 2**20
    tmp_bytes: int = 512 * 2**20
    total_seconds: float = 600.0     # the whole notebook, wall clock
    output_bytes: int = 64 * 2**20   # the executed notebook sent back


@dataclass(frozen=True)
class Isolation:
    """What this machine allows; detected once per process."""

    bwrap: str | None
    drop_uid: bool
    notes: tuple[str, ...] = field(default=())


_SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def tool(name: str) -> str | None:
    """A system tool (bwrap, setpriv) found on PATH or in the system folders, whatever PATH says."""
    return shutil.which(name, path=f"{os.environ.get('PATH', '')}:{_SYSTEM_PATH}")


def scrubbed_env(**extra: str) -> dict[str, str]:
    return {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": "/tmp/home", "LANG": "C.UTF-8",
            "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg",
            "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", **extra}


def _runtime_paths() -> list[Path]:
    """The interpreter's installation and the virtual environment (read-only in every sandbox)."""
    base = Path(sys.base_prefix).resolve()
    paths = [Path(sys.prefix).resolve()]
    if base in _SYSTEM_PREFIXES:   # a system Python: only its stdlib and binary, not all of /usr
        paths += [Path(sysconfig.get_paths()["stdlib"]).resolve(), Path(os.path.realpath(sys.executable))]
    else:
        paths.append(base)
    return list(dict.fromkeys(paths))


def filesystem_view(job: Path, *, setpriv: bool) -> list[tuple[str, str, str]]:
    """(kind, host path, sandbox path) of every mount: the allow-list the README documents."""
    view = [("ro", "/usr/lib", "/usr/lib")]
    if Path("/usr/lib64").is_dir():
        view.append(("ro", "/usr/lib64", "/usr/lib64"))
    for name in ("lib", "lib64"):
        host = Path("/") / name
        if host.is_symlink():
            view.append(("link", os.readlink(host), f"/{name}"))
        elif host.is_dir():
            view.append(("ro", str(host), f"/{name}"))
    view += [("ro", str(p), str(p)) for p in _runtime_paths()]
    if setpriv and tool("setpriv"):
        view.append(("ro", os.path.realpath(tool("setpriv")), "/usr/bin/setpriv"))
    view.append(("ro", str(job), JOB))
    return view


def bwrap_prefix(bwrap: str, job: Path, *, tmp_bytes: int, supervisor: bool, setpriv_uid: int | None) -> list[str]:
    """The bubblewrap command line up to the program to run.

    ``supervisor``: the program keeps only CAP_SETUID, CAP_SETGID and CAP_KILL (it drops
    to the unprivileged uid in its children); otherwise it keeps no capability, and with
    ``setpriv_uid`` it runs as that uid from the start.
    """
    args = [bwrap, "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--die-with-parent", "--new-session", "--cap-drop", "ALL"]
    if supervisor and os.geteuid() == 0:
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_KILL"]
    elif setpriv_uid is not None:
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]   # for setpriv only, dropped by it
    # /tmp first, so that a runtime installed below /tmp (a CI checkout) is bound on top of it
    args += ["--dev", "/dev", "--proc", "/proc", "--size", str(tmp_bytes), "--perms", "1777", "--tmpfs", "/tmp"]
    made: set[Path] = {Path("/"), Path("/dev"), Path("/proc"), Path("/tmp")}
    for kind, host, inside in filesystem_view(job, setpriv=setpriv_uid is not None):
        for ancestor in reversed(Path(inside).parents):
            if ancestor not in made:
                args += ["--perms", "0755", "--dir", str(ancestor)]
                made.add(ancestor)
        made.add(Path(inside))
        args += ["--symlink", host, inside] if kind == "link" else ["--ro-bind", host, inside]
    args += ["--chdir", "/tmp"]
    if setpriv_uid is not None:
        args += ["/usr/bin/setpriv", f"--reuid={setpriv_uid}", f"--regid={setpriv_uid}", "--clear-groups",
                 "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"]
    return args


def _trial(command: list[str], env: dict[str, str]) -> bool:
    try:
        return subprocess.run(command, capture_output=True, timeout=60, env=env).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


@lru_cache(maxsize=1)
def isolation() -> Isolation:
    """Detect bubblewrap and uid dropping with a trial run of the real interpreter in the real view."""
    notes = []
    is_root = os.geteuid() == 0
    bwrap = tool("bwrap")
    drop = is_root and tool("setpriv") is not None
    if bwrap:
        with tempfile.TemporaryDirectory() as tmp:
            os.chmod(tmp, 0o755)
            probe = [sys.executable, "-I", "-c", "import numpy, json"]
            prefix = bwrap_prefix(bwrap, Path(tmp), tmp_bytes=2**20, supervisor=False,
                                  setpriv_uid=BASE_UID if drop else None)
            if not _trial(prefix + probe, scrubbed_env()):
                notes.append("bubblewrap is installed but cannot start a sandbox here; "
                             "student code runs with resource limits only")
                bwrap = None
            elif is_root and not drop:
                notes.append("setpriv not found: sandboxes run as root, so the process limit does not apply")
    else:
        notes.append("bubblewrap (bwrap) is not installed: student code runs with resource limits only, "
                     "and can read any file this user can read (install the 'bubblewrap' package)")
    return Isolation(bwrap, bool(bwrap) and drop, tuple(notes))


def slot_uid(slot: int) -> int | None:
    """The unprivileged uid of a slot's student code (None when this process cannot change uid)."""
    return BASE_UID + slot % 16 if os.geteuid() == 0 else None


def _die_with_parent() -> None:
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)   # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _preexec(cpu: int, memory: int, files: int, processes: int, slot: int | None):
    in_groups = slot is not None and kernel_limits.prepared(slot)

    def apply():
        os.setsid()
        _die_with_parent()
        if in_groups:
            kernel_limits.enter(slot)
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_FSIZE, (files, files))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))
    return apply


class NoSandbox(RuntimeError):
    """Student code would run as root without a sandbox: refused."""


@dataclass
class Finished:
    """How a sandbox ended and what it wrote to its stdout (capped)."""

    returncode: int | None
    output: bytes
    timed_out: bool
    overflow: bool
    seconds: float


def _own_process_count() -> int:
    uid = os.getuid()
    count = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                count += entry.stat().st_uid == uid
            except OSError:
                pass
    return count


def _run(command: list[str], *, stdin: bytes, env: dict[str, str], timeout: float, cap: int, preexec) -> Finished:
    """Start ``command`` with no inherited descriptor; feed ``stdin``; read at most ``cap`` bytes of stdout."""
    started = time.monotonic()
    debug = os.environ.get("COURSEKIT_JAIL_STDERR")   # a file for the sandboxes' stderr, when debugging
    stderr = open(debug, "ab") if debug else subprocess.DEVNULL
    try:
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr,
                                   env={**env, "KDEBUG": "1"} if debug else env, close_fds=True, preexec_fn=preexec)
    finally:
        if debug:
            stderr.close()
    chunks: list[bytes] = []
    state = {"size": 0, "overflow": False}

    def read():
        while True:
            chunk = process.stdout.read1(1 << 16)
            if not chunk:
                return
            if state["size"] + len(chunk) > cap:
                state["overflow"] = True   # keep draining, so the writer never blocks on us
                continue
            chunks.append(chunk)
            state["size"] += len(chunk)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        process.stdin.write(stdin)
        process.stdin.close()
    except (BrokenPipeError, OSError):
        pass
    timed_out = False
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
    kill(process)
    reader.join(5)
    return Finished(process.returncode, b"".join(chunks), timed_out, state["overflow"], time.monotonic() - started)


def kill(process: subprocess.Popen) -> None:
    """Kill bubblewrap's session: the sandbox's PID namespace, and all in it, ends with it."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        process.kill()
    except ProcessLookupError:
        pass
    process.wait()


def private_job_dir(prefix: str) -> Path:
    """A fresh job folder, readable (not writable) by the sandbox's uid."""
    job = Path(tempfile.mkdtemp(prefix=prefix))
    job.chmod(0o755)
    return job


def run_probe_jail(job: Path, config: bytes, *, limits: Limits, slot: int | None, timeout: float,
                   cap: int = 256 * 2**20) -> Finished:
    """Run the probe supervisor on ``job`` (holding ``probe/`` and ``submission/``); its stdout is the result channel.

    ``config`` (JSON) goes to the supervisor's stdin, which it reads and closes before
    any child exists: the nonce in it never reaches a process that runs student code.
    """
    iso = isolation()
    if not iso.bwrap and os.geteuid() == 0 and slot_uid(slot or 0) is None:
        raise NoSandbox("no bubblewrap and no way to drop root: the probes are not run")
    bootstrap = ("import sys; sys.path.insert(0, sys.argv[1] + '/probe'); "
                 "from coursekit.grading.probe_supervisor import main; sys.exit(main(sys.argv[1]))")
    if iso.bwrap:
        prefix, where = bwrap_prefix(iso.bwrap, job, tmp_bytes=limits.tmp_bytes, supervisor=True,
                                     setpriv_uid=None), JOB
    else:
        prefix, where = [], str(job)
    command = prefix + [sys.executable, "-I", "-c", bootstrap, where]
    processes = limits.processes
    if slot_uid(slot or 0) is None and os.geteuid() != 0:   # no own uid: the limit counts all of ours
        processes += _own_process_count()
    # The supervisor itself stays small; its children set the per-check limits.
    preexec = _preexec(limits.cpu_seconds * 4 + 60, max(limits.memory_bytes, 2 * 2**30), limits.file_bytes,
                       processes, slot)
    return _run(command, stdin=config, env=scrubbed_env(), timeout=timeout, cap=cap, preexec=preexec)


def run_kernel_jail(job: Path, config: bytes, *, limits: KernelLimits, slot: int | None, uid: int | None,
                    cgroup: bool = True) -> Finished:
    """Run nbclient and the notebook's kernel on ``job`` as ``uid``; stdout carries the executed notebook."""
    iso = isolation()
    driver = [sys.executable, "-I", f"{JOB if iso.bwrap else job}/kernel_driver.py", JOB if iso.bwrap else str(job)]
    if iso.bwrap:
        command = bwrap_prefix(iso.bwrap, job, tmp_bytes=limits.tmp_bytes, supervisor=False,
                               setpriv_uid=uid if iso.drop_uid else None) + driver
    elif uid is not None and tool("setpriv"):
        command = [tool("setpriv"), f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                   "--inh-caps=-all", "--"] + driver
    elif os.geteuid() == 0:
        raise NoSandbox("no bubblewrap and no way to drop root: the notebook is not run")
    else:
        command = driver
    processes = limits.processes + (0 if uid is not None else _own_process_count())
    preexec = _preexec(limits.cpu_seconds, limits.memory_bytes, limits.file_bytes, processes,
                       slot if cgroup else None)
    env = scrubbed_env()
    env.pop("MPLBACKEND")   # the kernel's inline backend draws the figures
    return _run(command, stdin=config, env=env, timeout=limits.total_seconds, cap=limits.output_bytes,
                preexec=preexec)
