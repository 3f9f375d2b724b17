"""Hostile and broken submissions: each gets its expected score and reason; none stops the batch.

Slow: it grades a whole class (nbgrader plus the isolated checks for each). The fork and
memory bombs need the sandbox's process and memory limits, which need bubblewrap and root
(CI installs bubblewrap); without them those cases are skipped, and the test says so.
"""
import csv

import pytest

from coursekit.chapters import chapter
from coursekit.grade import grade, gradebook
from coursekit.release import release
from coursekit.sandbox import Limits, isolation
from hostile import CASES, build_class

pytestmark = pytest.mark.slow
CH = chapter("ch01")
NEEDS_LIMITS = {"forkbomb", "membomb"}   # bounded only by the sandbox's uid and limits
NEEDS_HIDING = {"readsref"}               # the solutions are out of reach only inside bubblewrap


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    course = root / "grading"
    release(CH.id, course_dir=course, dist=root / "dist")
    build_class(root / "dist" / CH.id, root / "work", root / "inbox")
    report = grade(CH.id, root / "inbox", course_dir=course, workers=2, limits=Limits(check_seconds=3),
                   cell_timeout=10, progress=False)
    rows = {r["student_id"]: r for r in csv.DictReader(report.csv_path.open())}
    return report, rows, course


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_gets_its_expected_grade_and_reason(graded, case):
    report, rows, course = graded
    if case.name in NEEDS_LIMITS and not isolation().drop_uid:
        pytest.skip("needs bubblewrap running as root to bound the process count and memory")
    if case.name in NEEDS_HIDING and not isolation().bwrap:
        pytest.skip("needs bubblewrap to hide solutions/ from student code")
    row = rows[case.name]
    assert row["status"] == case.status, row
    assert float(row["total"]) == pytest.approx(case.total), row
    text = f"{row['reason']} {row['flags']}"
    for words in case.words:
        assert words in text, row
    if case.report_words:
        details = (course / "reports" / CH.id / f"{case.name}.txt").read_text()
        assert all(words in details for words in case.report_words), details
    assert ("possibly tampered" in row["flags"]) == case.tampered, row


def test_the_batch_finishes_with_every_file_accounted_for(graded):
    report, rows, _ = graded
    assert set(rows) == {c.name for c in CASES} | {"notzip"}
    assert rows["notzip"]["status"] == "rejected" and "not a zip" in rows["notzip"]["reason"]
    older = [s for s in report.submissions if s.status == "superseded"]
    assert [s.student for s in older] == ["latecomer"]


def test_honest_submissions_are_not_flagged_and_get_feedback(graded):
    report, rows, _ = graded
    for name in ("reference", "editedcells", "skiptag", "infra"):
        assert rows[name]["flags"] == "" and rows[name]["feedback"], rows[name]


def test_gradebook_holds_the_isolated_scores(graded):
    """formgrader, export and feedback read the gradebook: it must agree with the CSV."""
    _, rows, course = graded
    with gradebook(course) as gb:
        for name, row in rows.items():
            if row["status"] == "graded":
                assert gb.find_submission(CH.id, name).score == pytest.approx(float(row["total"])), name
