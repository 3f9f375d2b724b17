"""End to end: grade the reference, the stub and every mutant of chapter 1; diagnosis, feedback, class report.

Slow (nbgrader runs a kernel per submission); CI runs it. Chapter 1 has the fewest mutants.
Every mutant's submission must be diagnosed as that mutant (or as a pair the probes cannot tell
apart, listed in tests/test_diagnosis.py), the reference as nothing, the stub as not attempted;
the class report counts each mutant once; no feedback trips the secret scanner; a regrade
updates the report.
"""
import csv
import json

import pytest

from coursekit import hidden, secrets, variants
from coursekit.chapters import CHAPTER_LIST
from coursekit.grading import class_report, diagnosis
from coursekit.grading.grade import grade
from coursekit.release import release
from coursekit.synthetic import submission

from test_diagnosis import INDISTINGUISHABLE

pytestmark = pytest.mark.slow
CH = CHAPTER_LIST[0]
MODULE = CH.modules[0]
MUTANTS = hidden.suite(MODULE).mutants
STUDENTS = {f"mut{i:02d}": mutant for i, mutant in enumerate(MUTANTS)}


def _twins(exercise, name):
    return {b if a == name else a for ex, a, b in INDISTINGUISHABLE[MODULE] if ex == exercise and name in (a, b)}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    course = root / "grading"
    release(CH.id, course_dir=course, dist=root / "dist")
    released = root / "dist" / CH.id
    inbox, work = tmp_path_factory.mktemp("lms"), tmp_path_factory.mktemp("work")
    submission(released, work, inbox / f"ref_1234_{CH.id}.zip", {MODULE: variants.reference_source(MODULE)})
    submission(released, work, inbox / f"stub_1234_{CH.id}.zip", {})
    for student, mutant in STUDENTS.items():
        submission(released, work, inbox / f"{student}_1234_{CH.id}.zip",
                   {MODULE: variants.mutant_source(MODULE, mutant)})
    report = grade(CH.id, inbox, course_dir=course, workers=2, progress=False)
    return report, course, root


def _record(course, student):
    return json.loads(diagnosis.record_path(course, CH.id, student).read_text())


def _mistake_counts(course):
    with (course / "reports" / CH.id / class_report.CSV_NAME).open(newline="") as rows:
        return {(r["exercise"], r["item"]): int(r["count"]) for r in csv.DictReader(rows) if r["kind"] == "mistake"}


def test_everyone_is_graded_and_the_report_is_announced(graded):
    report, course, _ = graded
    assert {s.student: s.status for s in report.submissions} == {s: "graded" for s in ["ref", "stub", *STUDENTS]}
    assert any(note.startswith("class report: ") for note in report.notes)
    assert (course / "reports" / CH.id / class_report.HTML_NAME).is_file()


def test_each_mutant_is_diagnosed_as_itself_reference_as_nothing_stub_not_attempted(graded):
    _, course, _ = graded
    for student, mutant in STUDENTS.items():
        exercises = _record(course, student)["exercises"]
        found = exercises[mutant.exercise]["diagnosis"]
        assert found["kind"] == diagnosis.MATCHED, (mutant.name, found)
        assert set(found["mutants"]) - {mutant.name} <= _twins(mutant.exercise, mutant.name) \
            and mutant.name in found["mutants"], (mutant.name, found)
        assert all(e["diagnosis"] is None for name, e in exercises.items() if name != mutant.exercise)
    assert all(e["diagnosis"] is None for e in _record(course, "ref")["exercises"].values())
    assert {e["diagnosis"]["kind"] for e in _record(course, "stub")["exercises"].values()} == {diagnosis.NOT_ATTEMPTED}


def test_class_report_counts_each_mutant_once(graded):
    _, course, _ = graded
    counts = _mistake_counts(course)
    for mutant in MUTANTS:
        rows = [n for (exercise, item), n in counts.items() if exercise == mutant.exercise and mutant.name in item.split(" = ")]
        assert rows == [1], (mutant.name, rows)
    for exercise in hidden.suite(MODULE).exercises:
        assert counts[(exercise, class_report.NOT_ATTEMPTED_ROW)] == 1
        assert (exercise, class_report.UNRECOGNISED_ROW) not in counts
    page = (course / "reports" / CH.id / class_report.HTML_NAME).read_text()
    assert "data:image/png;base64," in page and "Hidden checks: pass rate" in page
    assert all(mutant.name in page for mutant in MUTANTS)


def test_feedback_names_the_mistake_and_leaks_nothing(graded):
    report, course, _ = graded
    feedback = {s.student: s.feedback for s in report.submissions}
    for student, mutant in STUDENTS.items():
        assert feedback[student] is not None, f"feedback of {student} ({mutant.name}) was withheld"
        text = secrets.html_text(feedback[student].read_text())
        assert f"Your {mutant.exercise} behaves like an answer that {mutant.student}" in text   # `x` is <code>x</code>
        assert text.count("behaves like an answer that") == 1
    assert "behaves like" not in secrets.html_text(feedback["ref"].read_text())
    assert "behaves like" not in secrets.html_text(feedback["stub"].read_text())
    assert secrets.scan([course / "feedback"]) == []


def test_a_regrade_updates_the_report(graded, tmp_path):
    _, course, root = graded
    student, mutant = next(iter(STUDENTS.items()))
    inbox = tmp_path / "lms"
    inbox.mkdir()
    submission(root / "dist" / CH.id, tmp_path, inbox / f"{student}_1234_{CH.id}.zip",
               {MODULE: variants.reference_source(MODULE)})
    grade(CH.id, inbox, course_dir=course, workers=1, progress=False, students={student})
    assert all(e["diagnosis"] is None for e in _record(course, student)["exercises"].values())
    counts = _mistake_counts(course)
    assert not [n for (exercise, item), n in counts.items() if exercise == mutant.exercise and mutant.name in item]
    assert counts[(MUTANTS[1].exercise, MUTANTS[1].name)] == 1   # the others are kept
