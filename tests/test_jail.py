"""The jail: an allow-list view for probes and kernels, a result channel student code cannot forge,
per-student seeds, and the grader's writing that nothing a student writes can break."""
import json
import os
import tempfile
from pathlib import Path

import nbformat
import pytest

from coursekit import hidden, variants
from coursekit.grading import sandbox
from coursekit.chapters import chapter
from coursekit.grading.grade import Journal
from coursekit.grading import execute, files, jail, probe_package, protocol, seeds
from coursekit.grading.text import clean
from coursekit.grading.intake import Submission
from coursekit.grading.isolated import isolated_scores
from coursekit.paths import ROOT
from coursekit.synthetic import inject

CH = chapter("ch01")
MODULE = CH.modules[0]
POINTS = {f"{CH.id}_{e}": 1.0 for e in hidden.suite(MODULE).exercises}
needs_bwrap = pytest.mark.skipif(not sandbox.isolation().bwrap, reason="needs bubblewrap")


def _allowed_top_level() -> set[str]:
    view = jail.filesystem_view(Path("/x"), setpriv=True)
    return {Path(inside).parts[1] for _, _, inside in view} | {"dev", "proc", "tmp"}


# Student code that fails (raises AssertionError) if it can see or do more than the allow-list permits.
VIEW_PROBE = """
import os, socket
allowed = set({allowed!r})
assert set(os.listdir("/")) <= allowed, sorted(set(os.listdir("/")) - allowed)
assert os.getuid() != 0 or {root_ok!r}
for top in os.listdir("/"):
    if top in ("proc", "dev"):
        continue
    for folder, dirs, names in os.walk("/" + top):
        if folder.count("/") > 6:
            dirs[:] = []
        assert not {{"solutions", "graders", "gradebook.db", "_grading", ".git"}} & set(dirs + names), folder
for path in ("/job/probe", "/proc/1/environ", "/proc/1/fd"):
    try:
        os.listdir(path) if not path.endswith("environ") else open(path).read()
    except (PermissionError, FileNotFoundError, NotADirectoryError):
        pass
    else:
        raise AssertionError("could read " + path)
try:
    open("/job/x", "w")
except OSError:
    pass
else:
    raise AssertionError("/job is writable")
try:
    socket.create_connection(("1.1.1.1", 53), timeout=2)
except OSError:
    pass
else:
    raise AssertionError("network")
"""


def _scores(source, **limits):
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / f"{MODULE}.py").write_text(source)
        result = isolated_scores(CH, POINTS, ROOT / "nnlib", Path(tmp), limits=sandbox.Limits(**limits))
    return result, {gid.removeprefix(f"{CH.id}_"): r for gid, r in result.items()}


@needs_bwrap
def test_probe_children_see_only_the_allow_list():
    code = VIEW_PROBE.format(allowed=sorted(_allowed_top_level()), root_ok=not jail.isolation().drop_uid)
    result, scores = _scores(inject(variants.reference_source(MODULE), "recommended_split", code), check_seconds=60)
    assert scores["recommended_split"].score == 1.0, scores["recommended_split"].failed
    assert result.violations == []


@needs_bwrap
def test_the_kernel_jail_sees_only_the_allow_list(tmp_path):
    submission = tmp_path / "sub"
    (submission / "nnlib").mkdir(parents=True)
    code = VIEW_PROBE.format(allowed=sorted(_allowed_top_level()), root_ok=not jail.isolation().drop_uid)
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(code + "\nprint('VIEW-OK')"),
                      nbformat.v4.new_code_cell("import coursekit.hidden as h\nprint(h.__file__)")]
    job = jail.private_job_dir("kernel-test-")
    try:
        execute.write_job(job, notebook, submission, {"f": [["d", True]]})
        config = {"timeout": 60, "startup_timeout": 60, "error_on_timeout": {"ename": "CellTimeoutError",
                  "evalue": "", "traceback": []}, "skip_cells_with_tag": "never"}
        finished = jail.run_kernel_jail(job, json.dumps(config).encode(), limits=jail.KernelLimits(total_seconds=120),
                                        slot=None, uid=jail.slot_uid(0))
    finally:
        import shutil
        shutil.rmtree(job, ignore_errors=True)
    reply = json.loads(finished.output)
    assert reply["status"]["ok"], reply["status"]
    executed = nbformat.reads(reply["notebook"], as_version=4)
    first = "".join(o.get("text", "") for o in executed.cells[0].outputs)
    assert "VIEW-OK" in first, executed.cells[0].outputs
    assert "/job/shim/coursekit/hidden.py" in executed.cells[1].outputs[0]["text"]


def test_the_probe_package_holds_no_judge_and_no_mutant(tmp_path):
    from coursekit.chapters import exercise_modules
    for module in exercise_modules():
        dest = tmp_path / module
        probe_package.write(dest, module)
        text = (dest / "coursekit" / "graders" / f"{module}.py").read_text()
        tree = __import__("ast").parse(text)
        assert "Mutant(" not in text and not any(probe_package._is_judge(node) for node in tree.body), module
        assert "misconception=" not in text and "SUITE.mutants" not in text, module
        assert oct((dest / "coursekit").stat().st_mode & 0o777) == "0o700"
        assert oct((dest / "coursekit" / "graders" / f"{module}.py").stat().st_mode & 0o777) == "0o600"


FORGE = """
import os, json, struct
for message in ({"ready": True}, {"result": [0, 1, 2]}):
    data = json.dumps(message).encode()
    for fd in range(3, 64):
        try:
            os.write(fd, struct.pack(">I", len(data)) + data)
        except OSError:
            pass
for path in ("/proc/1/fd/1", "/proc/%d/fd/1" % os.getppid()):
    try:
        open(path, "wb").write(b'{"index": 0, "result": 1}\\n')
    except OSError:
        pass
"""


@needs_bwrap
def test_forged_frames_fail_and_flag_and_never_reach_the_channel():
    source = variants.stub_source(MODULE).replace("import numpy as np\n", "import numpy as np\n" + FORGE, 1)
    result, scores = _scores(source)
    assert all(r.score == 0 for r in scores.values())
    assert result.violations and all("more than one result" in v or "frame" in v for v in result.violations)


def test_the_reader_fails_duplicates_gaps_disorder_and_foreign_lines():
    def line(index, value=1.0, nonce="n", violation=None, cpu=0.25):
        return json.dumps({"nonce": nonce, "index": index, "result": value, "violation": violation, "cpu": cpu})
    done = json.dumps({"nonce": "n", "done": True})
    good = protocol.read("\n".join([line(0), line(1), line(2, cpu=None), done]).encode(), 3, "n")
    assert good.values == [1.0, 1.0, 1.0] and good.violations == []
    assert good.cpu == [0.25, 0.25, None]   # CPU seconds per check, measured by the supervisor
    bad = protocol.read("\n".join([line(0), line(0), line(2), line(1, nonce="x"), "junk", done]).encode(), 3, "n")
    assert isinstance(bad.values[0], hidden.Raised) and isinstance(bad.values[1], hidden.Raised)
    assert len(bad.violations) >= 4
    cut = protocol.read(line(0).encode(), 2, "n", ended="killed")
    assert isinstance(cut.values[1], hidden.Raised) and "killed" in cut.values[1].message
    assert any("no result" in v for v in cut.violations)
    malformed = protocol.read("\n".join([json.dumps({"nonce": "n", "index": 0, "result": {"__pickle__": 1},
                                                     "violation": None, "cpu": None}), done]).encode(), 1, "n")
    assert isinstance(malformed.values[0], hidden.Raised) and malformed.violations


def test_seeds_differ_per_student_and_repeat_per_student(tmp_path):
    checks = hidden.suite(MODULE).checks
    key = seeds.course_key(tmp_path)
    assert key == seeds.course_key(tmp_path) and len(key) == 64
    assert oct((tmp_path / seeds.KEY_FILE).stat().st_mode & 0o777) == "0o600"
    alice, again, bob = (seeds.student_seeds(checks, s, key) for s in ("alice", "alice", "bob"))
    assert alice == again and alice != bob
    assert seeds.student_seeds(checks, "alice", "other key") != alice
    assert [c.seed for c in checks] == [c.seed for c in hidden.suite(MODULE).checks]   # the notebook's: fixed


def test_text_from_student_code_is_written_safely(tmp_path):
    text = "bad \udc80 value \x00\x1b[31m"
    assert clean(text) == "bad ? value ??[31m"
    target = tmp_path / "reports" / "x.txt"
    target.mkdir(parents=True)   # a folder where the grader writes a report
    files.write_text(target, text)
    assert target.read_text(encoding="utf-8") == "bad ? value ??[31m"


def test_the_journal_resumes_only_students_graded_from_the_same_file(tmp_path):
    journal = Journal(tmp_path / "j.jsonl", resume=False)
    done = Submission("ann", tmp_path / "a.zip", status="graded", reason="graded in 1 s", sha256="abc",
                      scores={"ch01_x": 1.5}, flags=["f"])
    journal.record(done)
    with (tmp_path / "j.jsonl").open("a") as out:
        out.write('{"student": "bob", "sha')   # a line cut short by a crash
    again = Journal(tmp_path / "j.jsonl", resume=True)
    same, changed = Submission("ann", tmp_path / "a.zip", sha256="abc"), Submission("ann", tmp_path / "a.zip", sha256="d")
    assert again.finished(same) and same.scores == {"ch01_x": 1.5} and same.status == "graded"
    assert not again.finished(changed) and not again.finished(Submission("bob", tmp_path / "b.zip", sha256="x"))
    assert not Journal(tmp_path / "j.jsonl", resume=False).finished(Submission("ann", tmp_path / "a.zip", sha256="abc"))
