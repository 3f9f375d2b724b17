"""Grading on a real Dask cluster on this machine: a scheduler and two workers over loopback.

A batch is graded through the cluster while one worker is killed (SIGKILL, with everything it
started) in the middle of a task: every student must be graded exactly once (one CSV row, one
journal line, one gradebook submission) and the class CSV must equal that of a local run of the
same batch. It runs twice: with the course folders' SQLite gradebooks and with gradebooks on a
real PostgreSQL server (tests/postgres.py). A submission whose task ends every worker that runs
it (a preloaded fault, tests/dask_poison.py) must be marked failed after Dask's allowed
failures, while the rest of the batch is graded. Fast tests check what the coordinator accepts
from a worker and that a worker with other code refuses to grade.
"""
import csv
import io
import json
import re
import shutil
import tarfile
import threading
from pathlib import Path
from types import SimpleNamespace
import time
import uuid

import pytest
from dask_cluster import loopback_cluster
from postgres import postgres_server  # noqa: F401 - the session's server fixture, for the PostgreSQL run
from sqlalchemy import create_engine, text
from test_end_to_end import CH, MODULE, MUTANT

from coursekit import secrets, variants
from coursekit.grading import cluster, database, seeds
from coursekit.grading.grade import exercises, grade
from coursekit.release import release
from coursekit.synthetic import submission

distributed = pytest.importorskip("distributed", reason="Dask is not installed: pip install -e '.[cluster]'")


class Gradebooks:
    """Each course folder's gradebook: its own SQLite file, or its own database on a PostgreSQL server."""

    def __init__(self, server, monkeypatch):
        self.server, self.monkeypatch, self.urls = server, monkeypatch, {}

    def use(self, course_dir: Path) -> None:
        """Make ``course_dir``'s gradebook the setting, as an instructor's ``COURSEKIT_DB_URL`` would."""
        if self.server is None:
            self.monkeypatch.delenv(database.ENV, raising=False)
            return
        if course_dir not in self.urls:
            self.urls[course_dir] = self.server.new_database(f"dask_{uuid.uuid4().hex[:8]}")
        self.monkeypatch.setenv(database.ENV, self.urls[course_dir])

    def submissions(self, course_dir: Path) -> dict[str, int]:
        """student -> how many submissions of the chapter the gradebook holds."""
        engine = create_engine(self.urls.get(course_dir, f"sqlite:///{course_dir / 'gradebook.db'}"))
        try:
            with engine.connect() as db:
                return dict(db.execute(text(
                    "SELECT s.student_id, COUNT(*) FROM submitted_assignment s JOIN assignment a "
                    "ON a.id = s.assignment_id WHERE a.name = :ch GROUP BY s.student_id"), {"ch": CH.id}).all())
        finally:
            engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def gradebooks(request, monkeypatch):
    server = request.getfixturevalue("postgres_server") if request.param == "postgresql" else None
    return Gradebooks(server, monkeypatch)


def _batch(tmp_path, gradebooks: Gradebooks):
    """A released course folder, a copy of it (same release, same seeds key) and a small class's zips."""
    cluster_course, local_course = tmp_path / "cluster-course", tmp_path / "local-course"
    gradebooks.use(cluster_course)
    release(CH.id, course_dir=cluster_course, dist=tmp_path / "dist")
    seeds.course_key(cluster_course)
    shutil.copytree(cluster_course, local_course)
    if gradebooks.server is not None:   # the copy's gradebook is another database: it learns the chapter too
        gradebooks.use(local_course)
        release(CH.id, course_dir=local_course, dist=tmp_path / "dist-local")
    inbox, work = tmp_path / "inbox", tmp_path / "work"
    inbox.mkdir()
    released = tmp_path / "dist" / CH.id
    submission(released, work, inbox / "ref.zip", {MODULE: variants.reference_source(MODULE)})
    submission(released, work, inbox / "stub.zip", {})
    submission(released, work, inbox / "mut.zip", {MODULE: variants.mutant_source(MODULE, MUTANT)})
    (inbox / "notzip.zip").write_bytes(b"not a zip")
    return cluster_course, local_course, inbox


def _comparable(course_dir):
    """The class CSV with what differs by nature between two runs normalised (grading time, the folder)."""
    rows = {}
    for row in csv.DictReader((course_dir / "grades" / f"{CH.id}.csv").open()):
        row["reason"] = re.sub(r"graded in [0-9.]+ s", "graded in T s", row["reason"])
        row["feedback"] = row["feedback"].replace(str(course_dir), "<course>")
        rows[row["student_id"]] = row
    return rows


def _kill_mid_task(address, cluster_handle, victim, finished, log):
    """Kill ``victim`` once it has been running a task for a few seconds (mid-grading)."""
    from distributed import Client
    with Client(address, timeout="60s") as client:
        busy_since = None
        while not finished.is_set():
            names = {addr: info.get("name") for addr, info in client.scheduler_info()["workers"].items()}
            busy = [addr for addr, keys in client.processing().items() if keys and str(names.get(addr)).startswith(victim)]
            if busy and busy_since is None:
                busy_since = time.monotonic()
            if busy_since is not None and time.monotonic() - busy_since > 3:
                log.append(client.processing()[busy[0]] if busy and busy[0] in client.processing() else "?")
                cluster_handle.kill_worker(victim)
                return
            time.sleep(0.2)


@pytest.mark.slow
def test_a_batch_on_a_loopback_cluster_survives_a_killed_worker_and_equals_a_local_run(tmp_path, gradebooks):
    cluster_course, local_course, inbox = _batch(tmp_path, gradebooks)
    gradebooks.use(cluster_course)
    with loopback_cluster(tmp_path / "dask", workers=2) as dask:
        finished, killed = threading.Event(), []
        killer = threading.Thread(target=_kill_mid_task, args=(dask.address, dask, "w1", finished, killed))
        killer.start()
        try:
            report = grade(CH.id, inbox, course_dir=cluster_course, progress=False, scheduler=dask.address)
        finally:
            finished.set()
            killer.join(60)
    assert killed, "the worker was never caught mid-task: the test proved nothing"
    gradebooks.use(local_course)
    local = grade(CH.id, inbox, course_dir=local_course, workers=2, progress=False)

    on_cluster, at_home = _comparable(cluster_course), _comparable(local_course)
    assert set(on_cluster) == set(at_home) == {"ref", "stub", "mut", "notzip"}
    for student in on_cluster:
        assert on_cluster[student] == at_home[student], student
    maximum = sum(exercises(CH).values())
    assert float(on_cluster["ref"]["total"]) == pytest.approx(maximum)
    assert float(on_cluster["stub"]["total"]) == 0 and 0 < float(on_cluster["mut"]["total"]) < maximum
    assert on_cluster["notzip"]["status"] == "rejected"
    # exactly once: one journal line and one gradebook submission per student
    journal = (cluster_course / "journal" / f"{CH.id}.jsonl").read_text().splitlines()
    assert sorted(json.loads(line)["student"] for line in journal) == sorted(["ref", "stub", "mut", "notzip"])
    assert gradebooks.submissions(cluster_course) == {"ref": 1, "stub": 1, "mut": 1}
    assert gradebooks.submissions(local_course) == {"ref": 1, "stub": 1, "mut": 1}
    assert (cluster_course / "gradebook.db").exists() == (gradebooks.server is None)
    feedback = [s.feedback for s in report.submissions if s.feedback]
    assert len(feedback) == 3 and all(str(f).startswith(str(cluster_course)) for f in feedback)
    assert secrets.scan(feedback) == [] and [s.feedback for s in local.submissions if s.feedback]
    assert (cluster_course / "reports" / CH.id / "mut.txt").is_file()
    private = tmp_path / "dask" / "private"
    kept = [p for step in ("submitted", "autograded", "feedback") for p in private.glob(f"coursekit-worker-w2-*/course/{step}/*")]
    assert not kept, "a worker that finished kept a student's files"


@pytest.mark.slow
def test_a_submission_that_ends_every_worker_it_reaches_is_failed_and_the_batch_goes_on(tmp_path, monkeypatch):
    """A real crash, twice: the task is given up after the allowed failures, never retried forever."""
    monkeypatch.delenv(database.ENV, raising=False)
    course, inbox, deaths = tmp_path / "course", tmp_path / "inbox", tmp_path / "deaths.txt"
    release(CH.id, course_dir=course, dist=tmp_path / "dist")
    inbox.mkdir()
    for student in ("ref", "poison"):
        submission(tmp_path / "dist" / CH.id, tmp_path / "work", inbox / f"{student}.zip",
                   {MODULE: variants.reference_source(MODULE)})
    with loopback_cluster(tmp_path / "dask", workers=2, allowed_failures=1, preload=Path(__file__).with_name("dask_poison.py"),
                          env={"COURSEKIT_TEST_DEATHS": str(deaths)}) as dask:
        report = grade(CH.id, inbox, course_dir=course, progress=False, scheduler=dask.address)
    by_student = {s.student: s for s in report.submissions}
    assert deaths.is_file() and len(deaths.read_text().split()) == 2, "one death allowed, the second ends the task"
    poison = by_student["poison"]
    assert poison.status == "failed" and "ended the Dask workers" in poison.reason and poison.scores == {}
    assert by_student["ref"].status == "graded"
    assert sum(by_student["ref"].scores.values()) == pytest.approx(sum(exercises(CH).values()))
    rows = {r["student_id"]: r for r in csv.DictReader((course / "grades" / f"{CH.id}.csv").open())}
    assert rows["poison"]["status"] == "failed" and rows["poison"]["total"] == ""
    assert not (course / "feedback" / "poison").exists()


# --- fast: what crosses between coordinator and worker ----------------------------------------------

def _tar(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in entries.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.mark.parametrize("name", ["feedback/other/ch01/x.html", "reports/ch01/other.txt", "gradebook.db",
                                  "feedback/alice/ch01/../../../../etc/x", "solutions/splitting.py"])
def test_the_coordinator_refuses_files_outside_the_students_entries(tmp_path, name):
    with pytest.raises(ValueError, match="outside alice's entries"):
        cluster._unpack(_tar({name: b"x"}), CH, "alice", tmp_path)
    assert not any(tmp_path.rglob("*"))


def test_the_coordinator_takes_the_students_own_outputs(tmp_path):
    cluster._unpack(_tar({"feedback/alice/ch01/data-splitting.html": b"<p>ok</p>", "reports/ch01/alice.txt": b"r"}),
                    CH, "alice", tmp_path)
    assert (tmp_path / "feedback/alice/ch01/data-splitting.html").read_bytes() == b"<p>ok</p>"


def test_a_worker_with_other_code_refuses_to_grade():
    task = cluster.Task(CH.id, None, b"", {}, None, "", None, None, fingerprint="0" * 64)
    with pytest.raises(cluster.WorkerMismatch, match="same checkout"):
        cluster.run_task("kit", task)


class _Future:
    def __init__(self, error):
        self.error = error

    def result(self):
        raise self.error


def test_a_submission_that_kills_workers_is_marked_failed_with_the_reason(tmp_path, monkeypatch):
    from distributed.scheduler import KilledWorker
    from coursekit.grading import grade as pipeline
    from coursekit.grading.intake import Submission
    monkeypatch.setattr(pipeline, "_reset", lambda *args: None)
    sub = Submission("alice", tmp_path / "alice.zip", status="pending")
    cluster._apply(_Future(KilledWorker("grade-ch01-alice", SimpleNamespace(address="tcp://127.0.0.1:1"), 3)), CH, sub, tmp_path)
    assert sub.status == "failed" and "ended the Dask workers" in sub.reason and sub.scores == {}
