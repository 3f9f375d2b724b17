"""Hostile and broken submissions: each gets its expected score and reason; none stops the batch.

Slow: it grades a whole class (nbgrader plus the isolated checks for each). The fork and
memory bombs need the sandbox's process and memory limits, which need bubblewrap and root
(CI installs bubblewrap); without them those cases are skipped, and the test says so.
"""
import csv
import hashlib
import os
import site
from pathlib import Path

import pytest

from coursekit.chapters import chapter
from coursekit.grading.grade import grade, gradebook
from coursekit.grading import jail
from coursekit.paths import ROOT
from coursekit.release import release
from coursekit.grading.sandbox import Limits, isolation
from hostile import CASES, build_class

pytestmark = pytest.mark.slow
CH = chapter("ch01")
NEEDS_LIMITS = {"forkbomb", "membomb"}   # bounded only by the sandbox's uid and limits
NEEDS_HIDING = {"readsref", "escape", "forger"}   # out of reach only inside bubblewrap


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.is_file()}


def _sandbox_processes() -> list[int]:
    """Processes left running under the grader's block of sandbox uids."""
    left = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if jail.BASE_UID <= entry.stat().st_uid < jail.BASE_UID + 16:
                    left.append(int(entry.name))
            except OSError:
                pass
    return left


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    course = root / "grading"
    release(CH.id, course_dir=course, dist=root / "dist")
    targets = [ROOT, Path(site.getsitepackages()[0]), course, root / "inbox", root]
    build_class(root / "dist" / CH.id, root / "work", root / "inbox", targets, jailed=bool(isolation().bwrap))
    before = _hashes(root / "inbox")
    try:
        report = grade(CH.id, root / "inbox", course_dir=course, workers=2, limits=Limits(),
                       cell_timeout=10, progress=False)
    finally:
        escaped = [t / name for t in targets for name in ("HOSTILE_MARK", "zz_hostile.pth") if (t / name).exists()]
        for path in escaped:
            path.unlink()
    left = _sandbox_processes()
    rows = {r["student_id"]: r for r in csv.DictReader(report.csv_path.open(encoding="utf-8"))}
    return report, rows, course, {"root": root, "targets": targets, "before": before, "left": left,
                                  "escaped": escaped}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_gets_its_expected_grade_and_reason(graded, case):
    report, rows, course, _ = graded
    if case.name in NEEDS_LIMITS and not isolation().drop_uid:
        pytest.skip("needs bubblewrap running as root to bound the process count and memory")
    if case.name in NEEDS_HIDING and not isolation().bwrap:
        pytest.skip("needs bubblewrap to hide solutions/ from student code")
    row = rows[case.name]
    assert row["status"] == case.status, row
    if case.status == "graded":
        assert float(row["total"]) == pytest.approx(case.total), row
    else:
        assert row["total"] == "", row   # an empty row with its reason, not a graded 0
    text = f"{row['reason']} {row['flags']}"
    for words in case.words:
        assert words in text, row
    if case.report_words:
        details = (course / "reports" / CH.id / f"{case.name}.txt").read_text()
        assert all(words in details for words in case.report_words), details
    assert ("possibly tampered" in row["flags"]) == case.tampered, row
    if case.tampered or "result protocol" in row["flags"]:
        assert row["feedback"] == "" and "feedback withheld" in row["flags"], row


def test_the_batch_finishes_with_every_file_accounted_for(graded):
    report, rows, _, _ = graded
    assert set(rows) == {c.name for c in CASES} | {"notzip", "??badname"}
    assert rows["??badname"]["status"] == "rejected"
    assert rows["notzip"]["status"] == "rejected" and "not a zip" in rows["notzip"]["reason"]
    older = [s for s in report.submissions if s.status == "superseded"]
    assert [s.student for s in older] == ["latecomer"]


def test_honest_submissions_are_not_flagged_and_get_feedback(graded):
    report, rows, _, _ = graded
    for name in ("reference", "editedcells", "skiptag", "infra", "chatty", "slow", "latin1", "stackwalk",
                 "syntax", "torchimport"):
        assert rows[name]["flags"] == "" and rows[name]["feedback"], rows[name]


def test_gradebook_holds_the_isolated_scores(graded):
    """formgrader, export and feedback read the gradebook: it must agree with the CSV."""
    _, rows, course, _ = graded
    with gradebook(course) as gb:
        for name, row in rows.items():
            if row["status"] == "graded":
                assert gb.find_submission(CH.id, name).score == pytest.approx(float(row["total"])), name


@pytest.mark.skipif(not isolation().bwrap, reason="needs bubblewrap")
def test_nothing_outside_the_grading_area_is_written_and_nothing_is_left_running(graded):
    _, rows, course, run = graded
    assert run["left"] == [], "processes of the sandbox uids outlived the grading"
    assert run["escaped"] == [], "student code wrote outside its sandbox"


def test_inputs_are_frozen_and_hashed(graded):
    """Nobody's zip changed while the class was graded, and the CSV holds each file's hash."""
    _, rows, _, run = graded
    assert _hashes(run["root"] / "inbox") == run["before"]
    for name, digest in run["before"].items():
        student = name.split("_")[0]
        if student in rows and rows[student]["status"] in ("graded",):
            assert rows[student]["sha256"] in {d for n, d in run["before"].items() if n.startswith(student + "_")}
