"""Inside the kernel sandbox: execute the restored notebook with nbclient; send it back on stdout.

Side of the wall: inside. This file is copied alone into the job folder and runs as the
slot's unprivileged uid, next to the student's kernel (which runs as the same uid), so
nothing it returns is trusted: the grader takes only the cells' outputs from it, checks
their form, and never lets them change a score beyond flagging (the grade comes from the
isolated checks). It imports nothing from the course.

Usage: ``python -I kernel_driver.py <job folder>`` with the job's settings as JSON on
stdin. The job folder (read-only) holds ``notebook.ipynb`` (the notebook as nbgrader
restored it), ``submission/`` (the files of that one submission) and ``shim/`` (the
``coursekit.hidden`` the notebook's hidden-test line imports). The notebook runs in a
private writable copy of ``submission/`` on the sandbox's tmpfs.
"""
import json
import os
import shutil
import sys
import tempfile


def _prepare(job: str, tmp: str) -> str:
    work = os.path.join(tmp, "work")
    shutil.copytree(os.path.join(job, "submission"), work)
    home = os.path.join(tmp, "home")
    kernels = os.path.join(tmp, "jupyter", "kernels", "python3")
    for folder in (home, kernels, os.path.join(tmp, "runtime")):
        os.makedirs(folder, exist_ok=True)
    with open(os.path.join(kernels, "kernel.json"), "w") as spec:
        json.dump({"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                   "display_name": "Python 3", "language": "python"}, spec)
    os.environ.update({"HOME": home, "JUPYTER_PATH": os.path.join(tmp, "jupyter"),
                       "JUPYTER_DATA_DIR": os.path.join(tmp, "jupyter"),
                       "JUPYTER_RUNTIME_DIR": os.path.join(tmp, "runtime"),
                       "JUPYTER_CONFIG_DIR": os.path.join(tmp, "jupyter-config"),
                       "IPYTHONDIR": os.path.join(tmp, "ipython"), "MPLCONFIGDIR": os.path.join(tmp, "mpl"),
                       "PYTHONPATH": os.path.join(job, "shim"), "NBGRADER_EXECUTION": "autograde"})
    return work


STREAM_CHARACTERS = 200_000   # per cell and stream: a chatty notebook is cut here, not rejected
MAX_OUTPUTS = 500             # per cell


def _trim(cell) -> None:
    """Cut each stream of a cell to STREAM_CHARACTERS and its outputs to MAX_OUTPUTS."""
    used, kept = {}, []
    for output in cell.outputs:
        if output.get("output_type") == "stream":
            text = output.get("text", "")
            text = "".join(text) if isinstance(text, list) else str(text)
            name = output.get("name", "stdout")
            room = STREAM_CHARACTERS - used.get(name, 0)
            if room <= 0:
                continue
            if len(text) > room:
                text = text[:room] + "\n... (output cut by the grader)\n"
            used[name] = used.get(name, 0) + len(text)
            output["text"] = text
        if len(kept) < MAX_OUTPUTS:
            kept.append(output)
    cell.outputs = kept


def _after_cell(cell, cell_index, execute_reply, **_):
    _record_reply_error(cell, execute_reply)
    _trim(cell)


def _record_reply_error(cell, execute_reply):
    """As nbgrader's Execute: an error in the reply that no output shows is added to the outputs."""
    from nbformat.notebooknode import NotebookNode
    content = execute_reply.get("content", {})
    if content.get("status") != "error":
        return
    if any(o.get("output_type") == "error" and o.get("ename") == content.get("ename") for o in cell.outputs):
        return
    cell.outputs.append(NotebookNode(output_type="error", ename=content.get("ename", "Error"),
                                     evalue=content.get("evalue", ""),
                                     traceback=content.get("traceback") or
                                     ["ERROR: An error occurred while showtraceback was disabled"]))


def main(job: str) -> int:
    config = json.loads(sys.stdin.buffer.read(1 << 20))
    os.close(0)
    out = os.fdopen(os.dup(1), "wb")
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 1)   # the kernel inherits 1 and 2: they lead nowhere
    if not os.environ.get("KDEBUG"):
        os.dup2(null, 2)
    tmp = "/tmp" if job == "/job" else tempfile.mkdtemp(prefix="kernel-work-")
    try:
        _execute(job, config, out, tmp)
    except BaseException as error:  # noqa: BLE001 - the driver itself failed: say so
        import traceback
        detail = "".join(traceback.format_exception_only(type(error), error)).strip()
        out.write(json.dumps({"status": {"ok": False, "error": f"the sandbox's driver failed: {detail[:500]}"},
                              "notebook": ""}).encode("utf-8"))
        out.flush()
    finally:
        if tmp != "/tmp":   # outside a sandbox (no bubblewrap): leave nothing behind
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


def _execute(job: str, config: dict, out, tmp: str) -> None:
    work = _prepare(job, tmp)
    # jsonschema (under nbformat) optionally imports rfc3987_syntax, which builds a grammar for
    # seconds at import; format checks are not needed here, so it is left out.
    sys.modules.setdefault("rfc3987_syntax", None)
    import nbformat
    from nbclient import NotebookClient

    with open(os.path.join(job, "notebook.ipynb"), encoding="utf-8") as source:
        notebook = nbformat.read(source, as_version=4)
    client = NotebookClient(
        notebook, kernel_name="python3", timeout=config["timeout"], startup_timeout=config["startup_timeout"],
        interrupt_on_timeout=True, allow_errors=True, raise_on_iopub_timeout=True,
        # a chatty cell on a busy machine can still be sending output seconds after its reply
        iopub_timeout=30,
        error_on_timeout=config["error_on_timeout"], skip_cells_with_tag=config["skip_cells_with_tag"],
        extra_arguments=["--HistoryManager.hist_file=:memory:"], on_cell_executed=_after_cell,
        resources={"metadata": {"path": work}})
    try:
        client.execute()
        status = {"ok": True, "error": ""}
    except BaseException as error:  # noqa: BLE001 - reported to the grader, which decides
        status = {"ok": False, "error": f"{type(error).__name__}: {str(error)[:500]}"}
    for cell in notebook.cells:   # a cell interrupted before its hook ran
        if cell.get("cell_type") == "code":
            _trim(cell)
    out.write(json.dumps({"status": status, "notebook": nbformat.writes(notebook)}).encode("utf-8"))
    out.flush()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
