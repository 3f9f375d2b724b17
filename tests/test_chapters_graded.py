"""Every chapter after the first is released and graded end to end like chapter 1.

Reference -> full marks, stub -> 0, a mutant -> exactly the partial score its hidden checks
give. (Chapter 1, with rejected files and regrades, is in test_end_to_end.py.) Slow.
"""
import csv

import pytest

from coursekit import hidden, secrets, variants
from coursekit.chapters import CHAPTER_LIST
from coursekit.grading.grade import exercises, grade
from coursekit.release import release
from coursekit.synthetic import submission

pytestmark = pytest.mark.slow
LATER = CHAPTER_LIST[1:]


def expected_total(chapter, sources):
    total = 0.0
    for module, source in sources.items():
        student = variants.load_module(source, f"_expected_{module}")
        reference = variants.reference_module(module)
        for grade_id, points in exercises(chapter).items():
            checks = hidden.suite(module).for_exercise(grade_id.removeprefix(f"{chapter.id}_"))
            if checks:
                results = hidden.run_suite(student, reference, checks)
                total += points * sum(reason is None for _, reason in results) / len(results)
    return total


@pytest.mark.parametrize("chapter", LATER, ids=[c.id for c in LATER])
def test_chapter_grades_end_to_end(chapter, tmp_path):
    release(chapter.id, course_dir=tmp_path / "grading", dist=tmp_path / "dist")
    released = tmp_path / "dist" / chapter.id
    assert secrets.scan([released, tmp_path / "dist" / f"{chapter.id}.zip"]) == []
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    mutant = hidden.suite(chapter.modules[0]).mutants[0]
    mutant_sources = {m: variants.reference_source(m) for m in chapter.modules}
    mutant_sources[chapter.modules[0]] = variants.mutant_source(chapter.modules[0], mutant)
    submission(released, tmp_path / "work", inbox / "ref_1.zip", {m: variants.reference_source(m) for m in chapter.modules})
    submission(released, tmp_path / "work", inbox / "stub_1.zip", {})
    submission(released, tmp_path / "work", inbox / "mut_1.zip", mutant_sources)

    report = grade(chapter.id, inbox, course_dir=tmp_path / "grading", workers=2, progress=False)
    rows = {r["student_id"]: r for r in csv.DictReader(report.csv_path.open())}
    maximum = sum(exercises(chapter).values())
    assert float(rows["ref"]["total"]) == pytest.approx(maximum) and rows["ref"]["flags"] == "", rows["ref"]
    assert float(rows["stub"]["total"]) == 0 and rows["stub"]["flags"] == "", rows["stub"]
    expected = expected_total(chapter, mutant_sources)
    assert 0 < expected < maximum
    assert float(rows["mut"]["total"]) == pytest.approx(expected, abs=1e-4), rows["mut"]
    feedback = [s.feedback for s in report.submissions if s.feedback]
    assert len(feedback) == 3 and secrets.scan(feedback) == []
