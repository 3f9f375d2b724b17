"""The gradebook on a PostgreSQL server: the end-to-end grading test again, nbgrader's own export, and
concurrent writers.

A throwaway server is started by the test (tests/postgres.py: initdb in a temporary folder, a Unix
socket only, stopped at the end); each test module gets its own database. The end-to-end tests of
tests/test_end_to_end.py run unchanged with ``COURSEKIT_DB_URL`` pointing at it: release, grading a
class, the CSV, the feedback, regrading one student, a failed regrade leaving no stale score.
"""
import csv
import os
import shutil
import subprocess
import sys
import textwrap
import uuid

import pytest
from postgres import postgres_server  # noqa: F401 - the session's server fixture
from sqlalchemy import create_engine, text
import test_end_to_end as e2e
from test_end_to_end import CH, MODULE, MUTANT, _rows

from coursekit import variants
from coursekit.grading import database, seeds
from coursekit.grading.grade import exercises, gradebook
from coursekit.grading.nbgrader_run import checked, db_url
from coursekit.paths import ROOT
from coursekit.release import release
from coursekit.synthetic import submission

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pg_url(postgres_server):  # noqa: F811
    """A fresh database on the server, named in ``COURSEKIT_DB_URL`` for the whole module (graders inherit it)."""
    url = postgres_server.new_database(f"gradebook_{uuid.uuid4().hex[:8]}")
    before = os.environ.get(database.ENV)
    os.environ[database.ENV] = url
    yield url
    if before is None:
        os.environ.pop(database.ENV, None)
    else:
        os.environ[database.ENV] = before


@pytest.fixture(scope="module")
def course(pg_url, tmp_path_factory):
    """The end-to-end tests' course folder, its gradebook on the server (overrides test_end_to_end's)."""
    root = tmp_path_factory.mktemp("course")
    archive = release(CH.id, course_dir=root / "grading", dist=root / "dist")
    return root, archive


# test_end_to_end's fixture and tests, in its order (pytest runs a module's tests in definition order)
graded_class = e2e.graded_class
test_reference_full_stub_zero_mutant_exact_partial = e2e.test_reference_full_stub_zero_mutant_exact_partial
test_bad_files_are_rejected_with_reasons = e2e.test_bad_files_are_rejected_with_reasons
test_feedback_shows_checks_and_no_secret = e2e.test_feedback_shows_checks_and_no_secret


def test_the_gradebook_is_on_the_server_not_in_the_folder(graded_class, course, pg_url):
    course_dir = course[0] / "grading"
    assert db_url(course_dir) == pg_url and not (course_dir / "gradebook.db").exists()
    engine = create_engine(pg_url)
    try:
        with engine.connect() as db:
            students = {row[0] for row in db.execute(text(
                "SELECT s.student_id FROM submitted_assignment s JOIN assignment a ON a.id = s.assignment_id "
                "WHERE a.name = :ch"), {"ch": CH.id})}
    finally:
        engine.dispose()
    assert {"ref", "stub", "mut"} <= students


def test_nbgrader_export_reads_the_same_grades(graded_class, course, tmp_path):
    """nbgrader's own CSV export (what formgrader and LMS scripts use) agrees with coursekit's CSV."""
    report, _ = graded_class
    out = tmp_path / "export.csv"
    checked("export", f"--to={out}", "--assignment", CH.id, course_dir=course[0] / "grading")
    exported = {r["student_id"]: r for r in csv.DictReader(out.open()) if r["assignment"] == CH.id}
    ours = _rows(report)
    for student in ("ref", "stub", "mut"):
        assert float(exported[student]["score"]) == pytest.approx(float(ours[student]["total"])), student


test_regrading_one_student_is_idempotent_and_keeps_the_class = e2e.test_regrading_one_student_is_idempotent_and_keeps_the_class
test_a_failed_regrade_leaves_no_stale_score = e2e.test_a_failed_regrade_leaves_no_stale_score   # last: it removes ref


# --- concurrent writers ----------------------------------------------------------------------------

RUNNER = textwrap.dedent("""
    import sys
    from pathlib import Path
    sys.path.insert(0, {root!r})
    from coursekit.grading.grade import grade
    report = grade({ch!r}, Path(sys.argv[1]), course_dir=Path(sys.argv[2]), workers=1, progress=False)
    print(report.summary())
""")


def _students(engine, assignment: str) -> dict[str, list[float]]:
    """student -> the score of each of their submissions of ``assignment`` (one per student if nothing duplicated)."""
    with engine.connect() as db:
        rows = db.execute(text(
            "SELECT s.student_id, COALESCE(SUM(g.auto_score), 0), COUNT(g.id) FROM submitted_assignment s "
            "JOIN assignment a ON a.id = s.assignment_id "
            "JOIN submitted_notebook n ON n.assignment_id = s.id JOIN grade g ON g.notebook_id = n.id "
            "WHERE a.name = :ch GROUP BY s.id, s.student_id"), {"ch": assignment}).all()
    found: dict[str, list[float]] = {}
    for student, score, cells in rows:
        assert cells == len(exercises(CH)), f"{student} has {cells} grade rows"
        found.setdefault(student, []).append(float(score))
    return found


def test_two_grading_runs_at_once_neither_lose_nor_duplicate_a_grade(postgres_server, tmp_path):  # noqa: F811
    """Two graders (two course folders, as on two machines) write one gradebook at the same time."""
    url = postgres_server.new_database(f"concurrent_{uuid.uuid4().hex[:8]}")
    env = {**os.environ, database.ENV: url}
    first, second = tmp_path / "first", tmp_path / "second"
    old = os.environ.get(database.ENV)
    os.environ[database.ENV] = url
    try:
        release(CH.id, course_dir=first, dist=tmp_path / "dist")
        seeds.course_key(first)
    finally:
        os.environ.pop(database.ENV) if old is None else os.environ.__setitem__(database.ENV, old)
    shutil.copytree(first, second)   # the same release and course key: only the gradebook is shared
    work = tmp_path / "work"
    released = tmp_path / "dist" / CH.id
    batches = {first: {"aref": variants.reference_source(MODULE), "astub": None},
               second: {"bref": variants.reference_source(MODULE), "bmut": variants.mutant_source(MODULE, MUTANT)}}
    inboxes = {}
    for folder, students in batches.items():
        inbox = inboxes[folder] = tmp_path / f"inbox-{folder.name}"
        inbox.mkdir()
        for student, source in students.items():
            submission(released, work, inbox / f"{student}.zip", {MODULE: source} if source else {})
    script = RUNNER.format(root=str(ROOT), ch=CH.id)
    runs = [subprocess.Popen([sys.executable, "-c", script, str(inboxes[folder]), str(folder)], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for folder in batches]
    outputs = [run.communicate(timeout=600)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    engine = create_engine(url)
    try:
        found = _students(engine, CH.id)
    finally:
        engine.dispose()
    csv_totals = {}
    for folder in batches:
        with (folder / "grades" / f"{CH.id}.csv").open() as table:
            csv_totals.update({r["student_id"]: float(r["total"]) for r in csv.DictReader(table)})
    assert set(found) == {"aref", "astub", "bref", "bmut"}, outputs
    assert all(len(scores) == 1 for scores in found.values()), found          # never a duplicate submission
    assert {s: scores[0] for s, scores in found.items()} == pytest.approx(csv_totals)   # never a lost grade
    maximum = sum(exercises(CH).values())
    assert csv_totals["aref"] == csv_totals["bref"] == pytest.approx(maximum) and csv_totals["astub"] == 0
    assert 0 < csv_totals["bmut"] < maximum
    assert not (first / "gradebook.db").exists() and not (second / "gradebook.db").exists()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(database.ENV, url)
        with gradebook(first) as gb:
            assert gb.find_submission(CH.id, "bmut").score == pytest.approx(csv_totals["bmut"])


# --- the setting itself (fast) ---------------------------------------------------------------------

@pytest.mark.parametrize("given, expected", [
    ("postgresql://u:pw@db.example/course", "postgresql+psycopg://u:pw@db.example/course"),
    ("postgresql+psycopg://u@/g?host=/run/pg", "postgresql+psycopg://u@/g?host=/run/pg"),
    ("sqlite:////srv/gradebook.db", "sqlite:////srv/gradebook.db"),
])
def test_the_setting_names_the_driver(given, expected):
    assert database.normalise(given) == expected


@pytest.mark.parametrize("bad", ["mysql://u@h/db", "gradebook.db", "http://example.com"])
def test_an_unusable_setting_is_one_clear_error(bad):
    with pytest.raises(database.DatabaseSettingError, match="COURSEKIT_DB_URL"):
        database.normalise(bad)


def test_without_the_setting_the_gradebook_is_the_course_folders_sqlite(tmp_path, monkeypatch):
    monkeypatch.delenv(database.ENV, raising=False)
    assert db_url(tmp_path) == f"sqlite:///{tmp_path.resolve() / 'gradebook.db'}?timeout=120"
    monkeypatch.setenv(database.ENV, "postgresql://grader:secret@db/course")
    assert db_url(tmp_path) == "postgresql+psycopg://grader:secret@db/course"
    assert "secret" not in database.describe(tmp_path)


def test_a_password_never_reaches_nbgraders_command_line(tmp_path, monkeypatch):
    """nbgrader reads a server URL from the environment (nbgrader_config.py), not from its argv."""
    seen = {}
    monkeypatch.setenv(database.ENV, "postgresql://grader:secret@db/course")
    monkeypatch.setattr(subprocess, "run", lambda command, **kw: seen.update(command=command, env=kw["env"]))
    from coursekit.grading import nbgrader_run
    nbgrader_run.nbgrader("export", course_dir=tmp_path)
    assert not any("secret" in part for part in seen["command"])
    assert seen["env"][database.ENV] == "postgresql://grader:secret@db/course"
