"""End to end: release a chapter, grade a class of built submissions, regrade, check CSV, gradebook, feedback.

Slow (nbgrader runs a kernel per submission); CI runs it.
"""
import csv

import pytest

from coursekit import hidden, secrets, variants
from coursekit.chapters import CHAPTER_LIST
from coursekit.grading import seeds
from coursekit.grading.grade import exercises, grade, gradebook
from coursekit.notebooks import read
from coursekit.release import release
from coursekit.synthetic import submission, write_zip

pytestmark = pytest.mark.slow
CH = CHAPTER_LIST[0]
MODULE = CH.modules[0]
MUTANT = hidden.suite(MODULE).mutants[3]          # recommended_split without caps


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A fresh nbgrader course folder with the chapter released into it."""
    root = tmp_path_factory.mktemp("course")
    archive = release(CH.id, course_dir=root / "grading", dist=root / "dist")
    return root, archive


def _rows(report):
    return {r["student_id"]: r for r in csv.DictReader(report.csv_path.open())}


def _expected_total(module_source, student_id, course_dir):
    """Points the hidden checks give this implementation with this student's seeds, computed in this process."""
    student = variants.load_module(module_source, "_expected_total")
    reference = variants.reference_module(MODULE)
    key = seeds.course_key(course_dir)
    total = 0.0
    for grade_id, points in exercises(CH).items():
        checks = hidden.suite(MODULE).for_exercise(grade_id.removeprefix(f"{CH.id}_"))
        results = hidden.run_suite(student, reference, checks, seeds.student_seeds(checks, student_id, key))
        total += points * sum(reason is None for _, reason in results) / len(results)
    return total


@pytest.fixture(scope="module")
def graded_class(course, tmp_path_factory):
    root, _ = course
    inbox = tmp_path_factory.mktemp("lms")
    work = tmp_path_factory.mktemp("work")
    released = root / "dist" / CH.id
    submission(released, work, inbox / "ref_1234_ch01.zip", {MODULE: variants.reference_source(MODULE)})
    submission(released, work, inbox / "stub_1234_ch01.zip", {})
    submission(released, work, inbox / "mut_1234_ch01.zip", {MODULE: variants.mutant_source(MODULE, MUTANT)})
    nomod = work / "nomod"
    (nomod / "nnlib").mkdir(parents=True)
    (nomod / f"{CH.notebook}.ipynb").write_text((released / f"{CH.notebook}.ipynb").read_text())
    write_zip(nomod, inbox / "nomod_1.zip", CH.id)
    badjson = work / "badjson"
    (badjson / "nnlib").mkdir(parents=True)
    (badjson / f"{CH.notebook}.ipynb").write_text('{"cells": [')
    (badjson / "nnlib" / f"{MODULE}.py").write_text("")
    write_zip(badjson, inbox / "badjson_1.zip", CH.id)
    (inbox / "notzip_1.zip").write_bytes(b"%PDF-1.4 not a zip")
    report = grade(CH.id, inbox, course_dir=root / "grading", workers=2, progress=False)
    return report, inbox


def test_release_holds_notebook_and_stubbed_nnlib_only(course):
    import zipfile
    root, archive = course
    with zipfile.ZipFile(archive) as z:
        names = set(z.namelist())
    assert f"{CH.id}/{CH.notebook}.ipynb" in names and f"{CH.id}/README.txt" in names
    assert f"{CH.id}/nnlib/{MODULE}.py" in names and f"{CH.id}/nnlib/mlp.py" in names
    assert not any("solutions" in n or "coursekit" in n for n in names)
    assert (root / "dist" / CH.id / "nnlib" / f"{MODULE}.py").read_text() == variants.stub_source(MODULE)


def test_release_has_no_solution_and_no_hidden_check(course):
    root, archive = course
    assert secrets.scan([archive, root / "dist" / CH.id]) == []
    cells = read(root / "dist" / CH.id / f"{CH.notebook}.ipynb").cells
    graded = [c for c in cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert len(graded) == len(exercises(CH))
    assert all("check.score()" in c.source and "HIDDEN" not in c.source for c in graded)


def test_reference_full_stub_zero_mutant_exact_partial(graded_class):
    rows = _rows(graded_class[0])
    maximum = sum(exercises(CH).values())
    assert rows["ref"]["status"] == "graded" and float(rows["ref"]["total"]) == pytest.approx(maximum)
    assert rows["stub"]["status"] == "graded" and float(rows["stub"]["total"]) == 0
    expected = _expected_total(variants.mutant_source(MODULE, MUTANT), "mut", graded_class[0].csv_path.parents[1])
    assert 0 < expected < maximum
    assert float(rows["mut"]["total"]) == pytest.approx(expected, abs=1e-4)
    assert float(rows["mut"][MUTANT.exercise]) < exercises(CH)[f"{CH.id}_{MUTANT.exercise}"]
    assert all(rows[s]["flags"] == "" for s in ("ref", "stub", "mut"))
    names = [g.removeprefix(f"{CH.id}_") for g in exercises(CH)]
    assert list(rows["ref"])[1:len(names) + 1] == names


def test_bad_files_are_rejected_with_reasons(graded_class):
    rows = _rows(graded_class[0])
    for student, words in [("nomod", f"missing nnlib/{MODULE}.py"), ("badjson", "not a valid notebook"),
                           ("notzip", "not a zip")]:
        assert rows[student]["status"] == "rejected" and words in rows[student]["reason"], rows[student]
        assert rows[student]["total"] == "" and rows[student]["max_score"] != ""   # empty, not a graded 0


def test_feedback_shows_checks_and_no_secret(graded_class):
    report, _ = graded_class
    feedback = [s.feedback for s in report.submissions if s.feedback]
    assert len(feedback) == 3 and secrets.scan(feedback) == []
    ref_html = secrets.html_text(next(f for f in feedback if "/ref/" in str(f)).read_text())
    assert "[PASS]" in ref_html and "hidden checks passed" in ref_html


def test_regrading_one_student_is_idempotent_and_keeps_the_class(graded_class, course):
    report, inbox = graded_class
    before = _rows(report)
    again = grade(CH.id, inbox, course_dir=course[0] / "grading", students={"mut"}, progress=False)
    after = _rows(again)
    assert set(after) == set(before)
    for student in before:
        assert after[student]["total"] == before[student]["total"], student
    with gradebook(course[0] / "grading") as gb:
        assert gb.find_submission(CH.id, "mut").score == pytest.approx(float(before["mut"]["total"]))


def test_a_failed_regrade_leaves_no_stale_score(graded_class, course, tmp_path):
    inbox = tmp_path / "late"
    inbox.mkdir()
    (inbox / "ref_9.zip").write_bytes(b"broken upload")
    again = grade(CH.id, inbox, course_dir=course[0] / "grading", progress=False)
    row = _rows(again)["ref"]
    assert row["status"] == "rejected" and row["total"] == ""   # an empty row, not a graded 0
    with gradebook(course[0] / "grading") as gb:
        with pytest.raises(Exception):
            gb.find_submission(CH.id, "ref")
