"""nbgrader's execute step, moved into the kernel jail.

Side of the wall: grader (it runs in the nbgrader worker, which never runs student code).
``nbgrader_config.py`` puts :class:`JailedExecute` where nbgrader's ``Execute`` was in
``Autograde.autograde_preprocessors``, so every autograde (ours, or ``nbgrader autograde``
by hand) executes the notebook inside the sandbox: the notebook as nbgrader restored it
(locked cells and hidden-test lines back from the gradebook) goes into a job folder with a
private copy of that one submission, nbclient and the kernel run there
(:mod:`coursekit.grading.kernel_driver`), and only the cells' outputs come back. They are
checked (same cells, valid nbformat outputs, size caps) and then scored by nbgrader as
usual. The notebook's score is advisory: the grade comes from the isolated checks.

Only the notebook's nbgrader cells run: the locked setup cell and the check cells. The other
code cells are the book's demos (training sweeps, figures, widgets), which the reader needs and
the grade does not; skipping them is most of a submission's grading time (ch01: 7.2 s -> 2.6 s).
They are skipped through nbclient's tag mechanism with a tag made up for that one job, so a
student can neither guess it nor tag a check cell away; a cell a student adds (or strips of its
nbgrader metadata) is not an nbgrader cell and does not run. The feedback tells the student so.

The grader tells the worker, per submission, the slot, the uid and the isolated verdicts
for the kernel's ``coursekit.hidden`` shim through :data:`JOB`.
"""
from __future__ import annotations

import copy
import json
import secrets
import shutil
from pathlib import Path

import nbformat
from nbgrader.preprocessors import Execute
from traitlets import Float

from . import jail

HERE = Path(__file__).resolve().parent
JOB: dict | None = None   # set by the nbgrader worker before each autograde


class JailedKernelError(RuntimeError):
    """The notebook could not be run in the sandbox (the message says why)."""


def _copy_submission(source: Path, dest: Path) -> None:
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("*.ipynb", "__pycache__", "*.pyc", ".*"),
                    symlinks=False, ignore_dangling_symlinks=True)
    for path in [dest, *dest.rglob("*")]:
        if path.is_symlink():
            path.unlink()
        else:
            path.chmod(0o755 if path.is_dir() else 0o644)


def write_job(job: Path, notebook: nbformat.NotebookNode, submission: Path, verdicts: dict | None) -> None:
    """The job folder: the notebook, a private copy of the submission, the driver and the shim."""
    _copy_submission(submission, job / "submission")
    (job / "notebook.ipynb").write_text(nbformat.writes(notebook), encoding="utf-8")
    shutil.copyfile(HERE / "kernel_driver.py", job / "kernel_driver.py")
    shim = job / "shim" / "coursekit"
    shim.mkdir(parents=True)
    (shim / "__init__.py").write_text('"""The grader\'s stand-in for coursekit inside the kernel sandbox."""\n')
    shutil.copyfile(HERE / "kernel_shim.py", shim / "hidden.py")
    if verdicts is not None:
        (shim / "isolated.json").write_text(json.dumps(verdicts), encoding="utf-8")
    for path in [job, *job.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def merge_outputs(notebook: nbformat.NotebookNode, executed_text: str) -> None:
    """Copy the executed cells' outputs into ``notebook``; JailedKernelError if they do not fit it."""
    try:
        executed = nbformat.reads(executed_text, as_version=4)
    except Exception as error:  # noqa: BLE001 - anything unreadable is the sandbox's fault
        raise JailedKernelError(f"the sandbox returned an unreadable notebook ({type(error).__name__})") from None
    if len(executed.cells) != len(notebook.cells):
        raise JailedKernelError("the sandbox returned a notebook with other cells")
    for mine, theirs in zip(notebook.cells, executed.cells):
        if mine.cell_type != theirs.cell_type:
            raise JailedKernelError("the sandbox returned a notebook with other cells")
        if mine.cell_type == "code":
            outputs = theirs.get("outputs", [])
            if not isinstance(outputs, list):
                raise JailedKernelError("the sandbox returned malformed outputs")
            mine.outputs = outputs
            count = theirs.get("execution_count")
            mine.execution_count = count if isinstance(count, int) and not isinstance(count, bool) else None
    try:
        nbformat.validate(notebook)
    except Exception as error:  # noqa: BLE001 - malformed outputs from the sandbox
        raise JailedKernelError(f"the sandbox returned malformed outputs ({str(error).splitlines()[0][:200]})") \
            from None


def demos_tagged(notebook: nbformat.NotebookNode, tag: str) -> nbformat.NotebookNode:
    """A copy of ``notebook`` whose code cells without nbgrader metadata (the demos) carry ``tag``."""
    tagged = copy.deepcopy(notebook)
    for cell in tagged.cells:
        if cell.cell_type == "code" and not cell.get("metadata", {}).get("nbgrader"):
            cell.setdefault("metadata", {}).setdefault("tags", []).append(tag)
    return tagged


class JailedExecute(Execute):
    """``Execute`` whose kernel runs in the kernel jail; see the module docstring."""

    total_timeout = Float(600.0, help="Wall-clock seconds for the whole notebook in the sandbox.").tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        resources = resources or {}
        submission = Path(resources.get("metadata", {}).get("path") or ".").resolve()
        job_context = JOB or {}
        job = jail.private_job_dir("kernel-")
        try:
            skip = f"coursekit-demo-{secrets.token_hex(8)}"   # per job: no student can guess it
            write_job(job, demos_tagged(nb, skip), submission, job_context.get("verdicts"))
            config = {"timeout": self.timeout, "startup_timeout": self.startup_timeout,
                      "error_on_timeout": dict(self.error_on_timeout), "skip_cells_with_tag": skip}
            limits = jail.KernelLimits(total_seconds=float(job_context.get("total_seconds", self.total_timeout)))
            uid = job_context.get("uid", jail.slot_uid(0))
            finished = jail.run_kernel_jail(job, json.dumps(config).encode(), limits=limits,
                                            slot=job_context.get("slot"), uid=uid,
                                            cgroup=job_context.get("cgroup", False))
        finally:
            shutil.rmtree(job, ignore_errors=True)
        if finished.timed_out:
            raise JailedKernelError(f"Timeout waiting for the notebook: it ran longer than {limits.total_seconds:g} s")
        if finished.overflow:
            raise JailedKernelError(f"the notebook's outputs exceeded {limits.output_bytes // 2**20} MiB")
        try:
            reply = json.loads(finished.output.decode("utf-8"))
            status, text = reply["status"], reply["notebook"]
            ok, error = bool(status["ok"]), str(status.get("error", ""))
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            raise JailedKernelError(f"the sandbox returned no notebook (exit code {finished.returncode}; "
                                    "the kernel or nbclient was killed?)") from None
        if not ok:
            raise JailedKernelError(error.encode("utf-8", "replace").decode("utf-8")[:500])
        merge_outputs(nb, text)
        return nb, resources
