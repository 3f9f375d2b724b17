"""Inside the probe sandbox: the trusted supervisor that runs each hidden check in its own child.

Side of the wall: inside the sandbox, but no student code ever runs in this process.

How a forger gains nothing (the result protocol):

1. The grader starts this process (as root inside bubblewrap, keeping only CAP_SETUID,
   CAP_SETGID and CAP_KILL) and writes the job to its stdin: the module, one seed per
   check, the limits, the unprivileged uid and a per-run random **nonce**. It reads them
   and closes stdin before any child exists.
2. It imports the probe package (no judges, no mutants; files readable by root only) and
   then, for check *i*, forks a child that drops to the unprivileged uid, closes every
   descriptor but one fresh pipe (stdin, stdout, stderr become /dev/null), imports the
   student's module and runs probe *i* alone. The child may send at most two frames on its
   pipe: ``ready`` (import done) and one ``result``. Anything else (a malformed frame, a
   second result, a frame too large, a frame before ``ready``) fails that check and is
   reported as a protocol violation.
3. This process relays each check's outcome to the grader on its own stdout as one JSON
   line ``{"nonce", "index", "result", "violation", "cpu"}``, in order, then ``{"nonce", "done"}``.
   The children cannot reach that descriptor: another uid may not open
   ``/proc/<pid>/fd`` of this process, signal it or trace it, and they never saw the nonce.
4. The grader (:mod:`coursekit.grading.protocol`) accepts exactly one well-formed line per
   check, in order, with the nonce; a missing, duplicate, out-of-order or malformed line
   fails its check and flags the submission.

Time limits are CPU time, read by this process from ``/proc/<pid>/stat`` of the child (and
of every process of its uid), from the moment the module is imported: each check gets its
own budget (``check_cpu``, a multiple of the reference's CPU time, see
:mod:`coursekit.grading.budgets`), so a busy machine slows a check down but does not fail
it. Wall time (``check_wall``, far above) is only a backstop for code that sleeps.

So the most student code can do is to write, for the one check its child runs, a value
its function could have returned itself; the judges are strict, so a forged value has to
be the right answer. After each check every process of the unprivileged uid is killed,
so nothing carries over from one check to the next.
"""
from __future__ import annotations

import ctypes
import importlib
import json
import os
import resource
import select
import signal
import struct
import sys
import time

MAX_FRAME = 64 * 2**20


def _send(fd: int, message: dict) -> None:
    data = json.dumps(message, allow_nan=True).encode()
    view = memoryview(struct.pack(">I", len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


def _import_message(module: str, error: BaseException) -> str:
    """``nnlib/<module>.py line 12: SyntaxError: ...``: where in the student's own file, and what."""
    filename = f"{module}.py"
    line = None
    if isinstance(error, SyntaxError) and str(error.filename or "").endswith(filename):
        line, text = error.lineno, f"SyntaxError: {error.msg}"
    else:
        text = f"{type(error).__name__}: {error}"
        trace = error.__traceback__
        while trace is not None:
            if trace.tb_frame.f_code.co_filename.endswith(f"nnlib/{filename}"):
                line = trace.tb_lineno
            trace = trace.tb_next
    where = f"nnlib/{filename}" + (f" line {line}" if line else "")
    return f"{where}: {text}"[:300]


def _child(job: str, config: dict, index: int, write_fd: int) -> None:
    """Drop privileges, import the student's module, run one probe, send ready + result, exit."""
    try:
        os.setsid()
        uid = config.get("uid")
        if uid is not None:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
        limits = config["limits"]
        cpu = max(int(limits["cpu_seconds"]), int(float(limits["check_cpu"][index]) + limits["startup_seconds"]) + 2)
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))   # a backstop: the supervisor measures
        resource.setrlimit(resource.RLIMIT_AS, (limits["memory_bytes"], limits["memory_bytes"]))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file_bytes"], limits["file_bytes"]))
        resource.setrlimit(resource.RLIMIT_NPROC, (limits["processes"], limits["processes"]))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.closerange(3, write_fd)
        os.closerange(write_fd + 1, 65536)
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG: die with the supervisor
        submission = f"{job}/submission"
        os.chdir("/tmp" if os.path.isdir("/tmp") else submission)
        from coursekit.grading import wire
        from coursekit.hidden import Raised, run_probe, suite

        check = suite(config["module"]).checks[index]
        try:
            student = importlib.import_module(f"nnlib.{config['module']}")
        except BaseException as error:  # noqa: BLE001 - a module that fails to import scores 0
            _send(write_fd, {"import_error": [type(error).__name__, _import_message(config["module"], error)]})
            os._exit(0)
        _send(write_fd, {"ready": True})
        result = run_probe(check, student, seed=config["seeds"][index])
        try:
            encoded = wire.encode(result)
        except (TypeError, ValueError) as error:
            encoded = wire.encode(Raised("TypeError", str(error)[:300]))
        _send(write_fd, {"result": encoded})
    except BaseException:  # noqa: BLE001 - the child never returns into the supervisor's code
        pass
    os._exit(0)


class _Frames:
    """Reads length-prefixed JSON frames from a child's pipe, within deadlines."""

    def __init__(self, fd: int):
        self.fd, self.buffer, self.eof = fd, b"", False

    def next(self, deadline: float, over_budget=None):
        """The next frame (a dict), None at end of pipe, "timeout" or "cpu"; ValueError if malformed.

        ``over_budget()``, polled every 0.1 s while waiting, ends the wait with "cpu".
        """
        while True:
            if len(self.buffer) >= 4:
                size = struct.unpack(">I", self.buffer[:4])[0]
                if size > MAX_FRAME:
                    raise ValueError(f"a frame of {size} bytes (more than {MAX_FRAME})")
                if len(self.buffer) >= 4 + size:
                    data, self.buffer = self.buffer[4:4 + size], self.buffer[4 + size:]
                    message = json.loads(data)
                    if not isinstance(message, dict) or len(message) != 1:
                        raise ValueError("a frame that is not a one-key object")
                    return message
            if self.eof:
                if self.buffer:
                    raise ValueError("a frame cut short")
                return None
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return "timeout"
            if over_budget is not None and over_budget():
                return "cpu"
            ready, _, _ = select.select([self.fd], [], [], min(remaining, 0.1 if over_budget else 0.5))
            if ready:
                chunk = os.read(self.fd, 1 << 16)
                if not chunk:
                    self.eof = True
                self.buffer += chunk


_TICK = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(uid: int | None, pid: int) -> float:
    """CPU time (user + system) of the check's child and, when it has its own uid, of every process of that uid.

    Read from ``/proc/<pid>/stat`` by this supervisor, not reported by the child: student
    code cannot change it, and a busy machine does not inflate it as it inflates wall time.
    """
    pids = {pid}
    if uid is not None:
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    if os.stat(f"/proc/{entry}").st_uid == uid:
                        pids.add(int(entry))
                except OSError:
                    pass
    total = 0
    for target in pids:
        try:
            with open(f"/proc/{target}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])   # utime, stime (fields 14 and 15 of stat)
        except (OSError, IndexError, ValueError):
            pass
    return total / _TICK


def _kill_uid(uid: int | None, pid: int) -> None:
    """Kill the child's process group and, when it has its own uid, every process of that uid here."""
    for _ in range(5):
        targets = {pid}
        if uid is not None:
            for entry in os.listdir("/proc"):
                if entry.isdigit():
                    try:
                        if os.stat(f"/proc/{entry}").st_uid == uid:
                            targets.add(int(entry))
                    except OSError:
                        pass
        alive = False
        for target in targets:
            try:
                os.kill(target, signal.SIGKILL)
                alive = True
            except (ProcessLookupError, PermissionError):
                pass
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if not alive:
            break
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    while True:   # reap any orphans re-parented to us
        try:
            if os.waitpid(-1, os.WNOHANG) == (0, 0):
                break
        except ChildProcessError:
            break


def _end_reason(status: int | None, limits: dict) -> str:
    if status is None:
        return "ended without a result"
    if os.WIFSIGNALED(status):
        name = signal.Signals(os.WTERMSIG(status)).name if os.WTERMSIG(status) in signal.Signals._value2member_map_ \
            else f"signal {os.WTERMSIG(status)}"
        return {"SIGSEGV": "crashed (segmentation fault)", "SIGXCPU": f"used more than {limits['cpu_seconds']} s of CPU",
                "SIGKILL": "was killed (out of memory?)", "SIGXFSZ": "wrote more output than allowed",
                "SIGABRT": "aborted"}.get(name, f"was killed by {name}")
    return f"ended the process (exit code {os.WEXITSTATUS(status)}) before returning"


def _run_check(job: str, config: dict, index: int) -> tuple[str, object, str | None, float | None]:
    """(kind, value, extra, cpu seconds of the check) where kind, value, extra are
    ("ok", encoded result, violation) | ("import_error", [type, msg], None) |
    ("timeout"/"crash", phase, reason) | ("cpu", "check", None).

    The check's time limit is CPU time, measured from the moment the module is imported:
    ``check_cpu[index]`` seconds; ``check_wall[index]`` seconds of wall time is only a
    backstop for a process that sleeps.
    """
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child(job, config, index, write_fd)
    os.close(write_fd)
    limits = config["limits"]
    frames = _Frames(read_fd)
    outcome: tuple[str, object, str | None]
    used: float | None = None
    try:
        first = frames.next(time.monotonic() + limits["startup_seconds"])
        if first == "timeout":
            outcome = ("timeout", "import", None)
        elif first is None:
            outcome = ("crash", "import", None)
        elif "import_error" in first:
            outcome = ("import_error", first["import_error"], None)
        elif first.get("ready") is not True:
            outcome = ("ok", None, "a frame before the module was imported")
        else:
            uid = config.get("uid")
            start_cpu = _cpu_seconds(uid, pid)
            budget = float(limits["check_cpu"][index])
            second = frames.next(time.monotonic() + float(limits["check_wall"][index]),
                                 lambda: _cpu_seconds(uid, pid) - start_cpu > budget)
            used = _cpu_seconds(uid, pid) - start_cpu
            if second == "cpu":
                outcome = ("cpu", "check", None)
            elif second == "timeout":
                outcome = ("timeout", "check", None)
            elif second is None:
                outcome = ("crash", "check", None)
            elif "result" not in second:
                outcome = ("ok", None, "an unexpected frame instead of the result")
            else:
                extra = frames.next(time.monotonic() + 0.2)
                outcome = ("ok", second["result"], None if extra in (None, "timeout")
                           else "more than one result for one check")
    except (ValueError, UnicodeDecodeError) as error:
        outcome = ("ok", None, f"malformed frame ({error})"[:200])
    status = None
    if outcome[0] == "crash":
        for _ in range(50):   # the pipe closed: the child is ending
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.01)
        else:
            status = None
        outcome = ("crash", outcome[1], _end_reason(status if done else None, limits))
    _kill_uid(config.get("uid"), pid)
    os.close(read_fd)
    return (*outcome, None if used is None else round(max(used, 0.0), 3))


def _timeout_message(exercise: str, limits: dict, index: int) -> str:
    """What a student reads when a check ran out of CPU time: the budget and what to do."""
    budget = float(limits["check_cpu"][index])
    reference = (limits.get("reference_cpu") or [None] * (index + 1))[index]
    measured = ""
    if isinstance(reference, (int, float)) and not isinstance(reference, bool):
        measured = f" (the reference solution needs {'under 0.01' if reference < 0.01 else f'{reference:.2g}'} s)"
    return (f"your {exercise} did not finish within {budget:g} s of CPU on this check{measured}. "
            "An endless loop? If it loops in Python over single elements of large arrays, vectorize it "
            "(whole-array NumPy operations, such as one rng.random(shape) call instead of one draw per element)")


def main(job: str) -> int:
    config = json.loads(sys.stdin.buffer.read(1 << 20))
    os.close(0)
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 1)
    os.dup2(null, 2)
    sys.path.insert(1, f"{job}/submission")   # nnlib's infrastructure (graders may import it)
    import numpy  # noqa: F401 - imported once, before forking

    from coursekit.grading import wire
    from coursekit.hidden import Raised, suite

    module, nonce = config["module"], config["nonce"]
    checks = suite(module).checks
    limits = config["limits"]
    skip: dict[int, str] = {}

    def emit(index: int, result, violation: str | None = None, cpu: float | None = None) -> None:
        out.write(json.dumps({"nonce": nonce, "index": index, "result": result, "violation": violation,
                              "cpu": cpu}, allow_nan=True) + "\n")
        out.flush()

    for index, check in enumerate(checks):
        if index in skip:
            emit(index, wire.encode(Raised("Timeout", skip[index])))
            continue
        kind, value, extra, cpu = _run_check(job, config, index)
        if kind == "ok":
            if value is None:
                emit(index, wire.encode(Raised("Protocol", f"the probe broke the result protocol: {extra}")), extra, cpu)
            else:
                emit(index, value, extra, cpu)
            continue
        if kind == "import_error" or (index == 0 and kind in ("timeout", "crash") and value == "import"):
            if kind == "import_error":
                failure = Raised(str(value[0])[:100], str(value[1])[:300])
            elif kind == "timeout":
                failure = Raised("Sandbox", f"importing nnlib/{module}.py did not finish within "
                                            f"{limits['startup_seconds']:g} s (an endless loop?)")
            else:
                failure = Raised("Sandbox", f"importing nnlib/{module}.py {extra}")
            for rest in range(index, len(checks)):
                emit(rest, wire.encode(failure))
            break
        if kind == "cpu":
            # Over its CPU budget (a multiple of the reference's CPU time): that check fails; the
            # exercise's other checks still run, each with its own budget.
            emit(index, wire.encode(Raised("Timeout", _timeout_message(check.exercise, limits, index))), None, cpu)
            continue
        if kind == "timeout" and value == "check":
            # The wall-clock backstop (far above the CPU budget): the code sleeps or waits. Its
            # exercise's later checks would most likely wait as well: they are not run.
            reason = (f"your {check.exercise} did not finish within {float(limits['check_wall'][index]):g} s "
                      "of wall-clock time while using little CPU (does it sleep or wait for input?)")
            for later in range(index + 1, len(checks)):
                if checks[later].exercise == check.exercise:
                    skip[later] = f"not run: an earlier check of {check.exercise} did not finish (it sleeps or waits)"
            emit(index, wire.encode(Raised("Timeout", reason)), None, cpu)
            continue
        if kind == "timeout":
            reason = f"importing nnlib/{module}.py did not finish within {limits['startup_seconds']:g} s"
        else:
            reason = extra
        emit(index, wire.encode(Raised("Sandbox", reason)), None, cpu)
    out.write(json.dumps({"nonce": nonce, "done": True}) + "\n")
    out.flush()
    return 0
