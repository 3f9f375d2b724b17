"""End to end: release a chapter, grade a class of built submissions, check the CSV and feedback.

Slow (nbgrader runs a kernel per submission); CI runs it.
"""
import csv
import shutil
import zipfile

import pytest

from coursekit import hidden, secrets, variants
from coursekit.chapters import CHAPTER_LIST
from coursekit.grade import exercises, grade
from coursekit.notebooks import read
from coursekit.release import release

pytestmark = pytest.mark.slow
CH = CHAPTER_LIST[0]
MODULE = CH.modules[0]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A fresh nbgrader course folder with the chapter released into it."""
    root = tmp_path_factory.mktemp("course")
    archive = release(CH.id, course_dir=root / "grading", dist=root / "dist")
    return root, archive


def test_release_holds_notebook_and_stubbed_nnlib_only(course):
    root, archive = course
    with zipfile.ZipFile(archive) as z:
        names = set(z.namelist())
    assert f"{CH.id}/{CH.notebook}.ipynb" in names and f"{CH.id}/README.txt" in names
    assert f"{CH.id}/nnlib/{MODULE}.py" in names and f"{CH.id}/nnlib/mlp.py" in names
    assert not any("solutions" in n or "coursekit" in n for n in names)
    released = (root / "dist" / CH.id / "nnlib" / f"{MODULE}.py").read_text()
    assert released == variants.stub_source(MODULE)


def test_release_has_no_solution_and_no_hidden_check(course):
    root, archive = course
    assert secrets.scan([archive, root / "dist" / CH.id]) == []
    cells = read(root / "dist" / CH.id / f"{CH.notebook}.ipynb").cells
    graded = [c for c in cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert len(graded) == len(exercises(CH))
    assert all("check.score()" in c.source and "HIDDEN" not in c.source for c in graded)


def _submission(course, folder, name, module_source=None, *, drop=None, corrupt=False):
    """A zip like a student's: the released folder with nnlib/<module>.py replaced."""
    root, _ = course
    work = root / "work" / name / CH.id
    shutil.copytree(root / "dist" / CH.id, work)
    if module_source is not None:
        (work / "nnlib" / f"{MODULE}.py").write_text(module_source)
    if drop:
        (work / drop).unlink()
    if corrupt:
        (work / f"{CH.notebook}.ipynb").write_text('{"cells": [')
    shutil.make_archive(str(folder / f"{name}_1234_{CH.id}"), "zip", work.parent)


def _expected_total(module_source):
    """Points the hidden checks give this implementation, computed in this process."""
    student = variants.load_module(module_source, "_expected_total")
    reference = variants.reference_module(MODULE)
    points = {gid.removeprefix(f"{CH.id}_"): p for gid, p in exercises(CH).items()}
    total = 0.0
    suite = hidden.suite(MODULE)
    for exercise, p in points.items():
        results = hidden.run_suite(student, reference, suite.for_exercise(exercise))
        total += p * sum(reason is None for _, reason in results) / len(results)
    return total


def test_grading_a_class(course, tmp_path):
    folder = tmp_path / "lms"
    folder.mkdir()
    mutant = hidden.suite(MODULE).mutants[3]          # recommended_split without caps
    mutant_source = variants.mutant_source(MODULE, mutant)
    _submission(course, folder, "ref", variants.reference_source(MODULE))
    _submission(course, folder, "stub")
    _submission(course, folder, "mut", mutant_source)
    _submission(course, folder, "nomod", drop=f"nnlib/{MODULE}.py")
    _submission(course, folder, "badjson", corrupt=True)
    (folder / "notzip_1.zip").write_bytes(b"%PDF-1.4 not a zip")

    report = grade(CH.id, folder, course_dir=course[0] / "grading")
    rows = {r["student_id"]: r for r in csv.DictReader(report.csv_path.open())}
    maximum = sum(exercises(CH).values())

    assert rows["ref"]["status"] == "graded" and float(rows["ref"]["total"]) == pytest.approx(maximum)
    assert rows["stub"]["status"] == "graded" and float(rows["stub"]["total"]) == 0
    expected = _expected_total(mutant_source)
    assert 0 < expected < maximum
    assert float(rows["mut"]["total"]) == pytest.approx(expected, abs=1e-4)
    assert float(rows["mut"][mutant.exercise]) < exercises(CH)[f"{CH.id}_{mutant.exercise}"]
    for student, words in [("nomod", f"missing nnlib/{MODULE}.py"), ("badjson", "not a valid notebook"),
                           ("notzip", "not a zip")]:
        assert rows[student]["status"] == "rejected" and words in rows[student]["reason"], rows[student]
        assert float(rows[student]["total"]) == 0
    names = [g.removeprefix(f"{CH.id}_") for g in exercises(CH)]
    assert list(rows["ref"])[1:len(names) + 1] == names

    feedback = [s.feedback for s in report.submissions if s.feedback]
    assert len(feedback) == 3
    assert secrets.scan(feedback) == []
    ref_html = secrets.html_text(next(f for f in feedback if "/ref/" in str(f)).read_text())
    assert "[PASS]" in ref_html and "hidden checks passed" in ref_html
