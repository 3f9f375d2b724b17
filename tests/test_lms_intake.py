"""Issue 13, items 6 and 7: reading real LMS bulk downloads, and the class CSV's ``--merge``.

Fast: synthetic names, folders and zips made in tmp_path, one convention at a time and all
mixed in one folder (Canvas with and without LATE, Moodle folders with names with spaces,
Blackboard attempts, nbgrader's exchange, plain ``<id>.zip``), attempt choice, a notebook
renamed by a browser, rejections with reasons; the CSV with and without merge.
Slow (one test): a mixed download graded end to end.
"""
from __future__ import annotations

import csv
import json
import os
import time
import zipfile
from pathlib import Path

import pytest

from coursekit.chapters import chapter
from coursekit.grading import lms
from coursekit.grading.grade import ClassCsv, GradeReport
from coursekit.grading.intake import Submission, find_submissions, stage, unpack

CH = chapter("ch01")
NB = f"{CH.notebook}.ipynb"
NOTEBOOK = json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
MODULE = CH.modules[0]
OLD, NEW = (2026, 11, 1, 9, 0, 0), (2026, 11, 2, 9, 0, 0)


def members(notebook=NB, prefix="ch01/"):
    return {f"{prefix}{notebook}": NOTEBOOK, f"{prefix}nnlib/{MODULE}.py": "x = 1\n",
            f"{prefix}nnlib/checking.py": "y = 2\n"}


def make_zip(path: Path, files=None, date_time=NEW) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in (members() if files is None else files).items():
            archive.writestr(zipfile.ZipInfo(name, date_time), data)
    return path


def make_folder(path: Path, files=None) -> Path:
    for name, data in (members(prefix="") if files is None else files).items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(data)
    return path


def age(path: Path, seconds: float) -> None:
    """Set a file's modification time ``seconds`` into the past."""
    then = time.time() - seconds
    os.utime(path, (then, then))


def found(folder: Path) -> dict[str, list[Submission]]:
    by_student: dict[str, list[Submission]] = {}
    for sub in find_submissions(folder, CH.id):
        by_student.setdefault(sub.student, []).append(sub)
    return by_student


def pending(folder: Path) -> dict[str, Submission]:
    return {s.student: s for s in find_submissions(folder, CH.id) if s.status == "pending"}


def collect(folder: Path, tmp_path: Path) -> dict[str, Submission]:
    """find -> stage -> unpack, as grading does; every submission by student (pending ones unpacked)."""
    subs = find_submissions(folder, CH.id)
    stage(subs, tmp_path / "staging")
    for sub in subs:
        unpack(sub, CH, tmp_path / "submitted")
    return {s.student: s for s in subs if s.status != "superseded"}


# --- one convention at a time -------------------------------------------------------------

def test_canvas_takes_the_user_id_and_marks_late_work(tmp_path):
    make_zip(tmp_path / "in" / "smithjane_48213_1923384_data-splitting.zip")
    make_zip(tmp_path / "in" / "doejohn_LATE_51007_1923999_data-splitting-1.zip")
    subs = collect(tmp_path / "in", tmp_path)
    assert set(subs) == {"48213", "51007"}
    assert all(s.status == "collected" and s.convention == "canvas" for s in subs.values()), subs
    assert "LATE" in subs["51007"].origin and "LATE" not in subs["48213"].origin
    assert "Canvas" in subs["48213"].origin and "smithjane" in subs["48213"].origin   # the name: report only
    assert (tmp_path / "submitted" / "48213" / CH.id / NB).is_file()


def test_moodle_folders_with_spaces_holding_a_zip_or_the_files(tmp_path):
    inbox = tmp_path / "in"
    make_zip(inbox / "Jane van der Berg_1042_assignsubmission_file_" / "data-splitting.zip")
    make_folder(inbox / "José Núñez_1043_assignsubmission_file_")                 # notebook + nnlib/ directly
    make_folder(inbox / "Ann Lee_1044_assignsubmission_file_", {NB: NOTEBOOK, f"{MODULE}.py": "x = 1\n"})  # no nnlib/
    make_folder(inbox / "Jane van der Berg_1042_assignsubmission_onlinetext_", {"onlinetext.html": "<p>hi</p>"})
    make_zip(inbox / "Bo Chen_1045_assignsubmission_file_data-splitting.zip")   # "without folders" download
    subs = collect(inbox, tmp_path)
    assert set(subs) == {"1042", "1043", "1044", "1045"}
    assert all(s.status == "collected" and s.convention == "moodle" for s in subs.values()), \
        {k: s.reason for k, s in subs.items()}
    assert "Jane van der Berg" in subs["1042"].origin
    assert (tmp_path / "submitted" / "1044" / CH.id / "nnlib" / f"{MODULE}.py").read_text() == "x = 1\n"


def test_blackboard_newest_attempt_by_the_stamp_in_the_name(tmp_path):
    inbox = tmp_path / "in"
    older = make_zip(inbox / "Data Splitting_jsmith_attempt_2026-11-01-09-00-00.zip", date_time=NEW)
    newer = make_zip(inbox / "Data Splitting_jsmith_attempt_2026-11-02-18-30-05.zip", date_time=OLD)
    (inbox / "Data Splitting_jsmith_attempt_2026-11-02-18-30-05.txt").write_text("Name: Jane Smith (jsmith)")
    age(newer, 3600)       # the file times and the member times both say the other one: the name wins
    subs = found(inbox)
    assert list(subs) == ["jsmith"]
    first, second = subs["jsmith"]
    assert first.archive == older and first.status == "superseded" and "time stamp in the name" in first.reason
    assert second.archive == newer and second.status == "pending" and second.convention == "blackboard"
    assert "2026-11-02 18:30:05" in second.origin


def test_plain_zip_and_attempts_by_the_zips_own_time_stamps(tmp_path):
    inbox = tmp_path / "in"
    older = make_zip(inbox / "ann_1.zip", date_time=OLD)
    newer = make_zip(inbox / "ann_2.zip", date_time=NEW)
    age(newer, 3600)       # copied later, so the file time says the wrong thing; the members say the right one
    first, second = found(inbox)["ann"]
    assert (first.archive, first.status) == (older, "superseded") and "inside each zip" in first.reason
    assert (second.archive, second.status, second.convention) == (newer, "pending", "plain")


def test_nbgrader_collected_folder_and_its_timestamp(tmp_path):
    submitted = tmp_path / "submitted-by-collect"
    make_folder(submitted / "alice" / CH.id)
    (submitted / "alice" / CH.id / "timestamp.txt").write_text("2026-11-02 10:00:00.000000 UTC")
    make_folder(submitted / "alice" / "ch02")
    (submitted / "alice" / "ch02" / "timestamp.txt").write_text("2026-11-03 10:00:00.000000 UTC")
    make_folder(submitted / "bob_k" / CH.id)
    (submitted / "bob_k" / CH.id / "timestamp.txt").write_text("2026-11-02 11:00:00.000000 UTC")
    make_folder(submitted / "carl" / CH.id)                    # placed by hand: no timestamp.txt
    make_folder(submitted / "dora" / "ch02")                   # nothing for this chapter
    (submitted / "dora" / "ch02" / "timestamp.txt").write_text("2026-11-03 10:00:00.000000 UTC")
    subs = collect(submitted, tmp_path / "out")
    assert subs.pop("dora/").reason.startswith("nbgrader folder without the assignment 'ch01'")
    assert set(subs) == {"alice", "bob_k", "carl"}
    assert all(s.status == "collected" and s.convention == "nbgrader" for s in subs.values()), subs
    assert "2026-11-02 10:00:00" in subs["alice"].origin and f"alice/{CH.id}/" in subs["alice"].origin


def test_nbgrader_inbound_attempts_by_timestamp(tmp_path):
    inbox = tmp_path / "inbound"
    make_folder(inbox / f"carol+{CH.id}+2026-11-02 10:00:00.000000 UTC+abc")
    make_folder(inbox / f"carol+{CH.id}+2026-11-01 10:00:00.000000 UTC+def")
    make_folder(inbox / "carol+ch02+2026-11-05 10:00:00.000000 UTC+ghi")     # another assignment: not ours
    first, second = found(inbox)["carol"]
    assert first.status == "superseded" and "2026-11-01" in first.archive.name
    assert second.status == "pending" and "2026-11-02" in second.archive.name and second.convention == "nbgrader"


def test_files_uploaded_one_by_one_make_one_submission_per_attempt(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / f"smithjane_48213_1923384_{NB}").write_text(NOTEBOOK)                        # Canvas, not zipped
    (inbox / f"smithjane_48213_1923384_{MODULE}.py").write_text("x = 1\n")
    for stamp, value in (("2026-11-01-09-00-00", "old"), ("2026-11-02-09-00-00", "new")):  # Blackboard, two attempts
        (inbox / f"Data Splitting_jsmith_attempt_{stamp}_{NB}").write_text(NOTEBOOK)
        (inbox / f"Data Splitting_jsmith_attempt_{stamp}_{MODULE}.py").write_text(f"x = '{value}'\n")
    (inbox / f"Bo Chen_1045_assignsubmission_file_{NB}").write_text(NOTEBOOK)              # Moodle, no folders
    (inbox / f"Bo Chen_1045_assignsubmission_file_{MODULE}.py").write_text("x = 1\n")
    subs = collect(inbox, tmp_path)
    assert {k: s.status for k, s in subs.items()} == {"48213": "collected", "jsmith": "collected", "1045": "collected"}
    assert "and 1 more file of that attempt" in subs["48213"].origin
    module = tmp_path / "submitted" / "jsmith" / CH.id / "nnlib" / f"{MODULE}.py"
    assert module.read_text() == "x = 'new'\n"
    assert [s.status for s in found(inbox)["jsmith"]] == ["superseded", "pending"]


# --- a mixed folder, and what is rejected --------------------------------------------------

def test_a_mixed_download_gives_each_student_id_and_convention(tmp_path):
    inbox = tmp_path / "in"
    make_zip(inbox / "smithjane_LATE_48213_1923384_data-splitting.zip")
    make_zip(inbox / "Jane Doe_1042_assignsubmission_file_" / "ch01.zip")
    make_zip(inbox / "Data Splitting_jsmith_attempt_2026-11-02-18-30-05.zip")
    make_zip(inbox / "dave.zip")
    make_folder(inbox / "erin" / CH.id)
    (inbox / "erin" / CH.id / "timestamp.txt").write_text("2026-11-02 10:00:00.000000 UTC")
    make_zip(inbox / "Jane Smith final.zip")
    (inbox / ".DS_Store").write_text("")
    subs = collect(inbox, tmp_path)
    conventions = {k: (s.convention, s.status) for k, s in subs.items()}
    assert conventions == {"48213": ("canvas", "collected"), "1042": ("moodle", "collected"),
                           "jsmith": ("blackboard", "collected"), "dave": ("plain", "collected"),
                           "erin": ("nbgrader", "collected"), "Jane Smith final": ("", "rejected")}
    reason = subs["Jane Smith final"].reason
    assert "cannot tell the student id" in reason and "Jane Smith final.zip" in reason
    assert all(word in reason for word in ("Canvas", "Moodle", "Blackboard", "nbgrader", "<id>.zip")), reason


def test_an_unrecognised_folder_is_rejected_with_the_conventions(tmp_path):
    make_folder(tmp_path / "in" / "Jane Smith")
    [sub] = find_submissions(tmp_path / "in", CH.id)
    assert sub.status == "rejected" and sub.student == "Jane Smith/"
    assert "Jane Smith" in sub.reason and "assignsubmission_file_" in sub.reason


def test_an_id_that_cannot_be_a_folder_name_is_rejected(tmp_path):
    make_zip(tmp_path / "in" / "Assignment_j$mith_attempt_2026-11-02-18-30-05.zip")
    [sub] = find_submissions(tmp_path / "in", CH.id)
    assert sub.status == "rejected" and "not a usable student id" in sub.reason


@pytest.mark.parametrize("renamed", ["data-splitting (1).ipynb", "data-splitting(2).ipynb",
                                     "data-splitting-1.ipynb", "data-splitting - Copy.ipynb"])
def test_a_notebook_renamed_by_a_browser_is_accepted_when_alone(tmp_path, renamed):
    make_zip(tmp_path / "in" / "ann.zip", members(renamed))
    sub = collect(tmp_path / "in", tmp_path)["ann"]
    assert sub.status == "collected", sub.reason
    assert (tmp_path / "submitted" / "ann" / CH.id / NB).read_text() == NOTEBOOK
    assert renamed in sub.origin


@pytest.mark.parametrize("names", [("data-splitting (1).ipynb", "data-splitting (2).ipynb"),
                                   (NB, "data-splitting (1).ipynb")])
def test_two_versions_of_the_notebook_are_rejected_naming_both(tmp_path, names):
    files = {**members(names[0]), f"ch01/{names[1]}": NOTEBOOK}
    make_zip(tmp_path / "in" / "ann.zip", files)
    sub = collect(tmp_path / "in", tmp_path)["ann"]
    assert sub.status == "rejected" and all(name in sub.reason for name in names), sub.reason
    assert f"named {NB}" in sub.reason


def test_the_chapter_notebook_beside_another_notebook_is_taken(tmp_path):
    make_zip(tmp_path / "in" / "ann.zip", {**members(), "ch01/scratch.ipynb": NOTEBOOK,
                                           "ch01/.ipynb_checkpoints/data-splitting-checkpoint.ipynb": NOTEBOOK})
    assert collect(tmp_path / "in", tmp_path)["ann"].status == "collected"


def test_a_folder_is_staged_without_its_links_and_extras(tmp_path):
    inbox = tmp_path / "in"
    folder = make_folder(inbox / "Ann Lee_1044_assignsubmission_file_", {**members(prefix=""), "data.csv": "1,2"})
    os.symlink("/etc/passwd", folder / "nnlib" / "secret.py")
    os.symlink("/etc", folder / "etc")
    sub = collect(inbox, tmp_path)["1044"]
    assert sub.status == "collected", sub.reason
    assert any("symbolic link 'nnlib/secret.py'" in f for f in sub.flags) and any("'etc'" in f for f in sub.flags)
    with zipfile.ZipFile(sub.archive) as staged:
        assert sorted(staged.namelist()) == [NB, "nnlib/checking.py", f"nnlib/{MODULE}.py"]
    assert len(sub.sha256) == 64


def test_a_folder_stages_to_the_same_hash_twice(tmp_path):
    make_folder(tmp_path / "in" / "Ann Lee_1044_assignsubmission_file_")
    hashes = []
    for run in range(2):
        subs = find_submissions(tmp_path / "in", CH.id)
        stage(subs, tmp_path / f"staging{run}")
        hashes.append(subs[0].sha256)
    assert hashes[0] == hashes[1] and hashes[0]


def test_an_empty_moodle_folder_is_rejected_with_a_reason(tmp_path):
    (tmp_path / "in" / "Ann Lee_1044_assignsubmission_file_").mkdir(parents=True)
    sub = collect(tmp_path / "in", tmp_path)["1044"]
    assert sub.status == "rejected" and f"no {NB}" in sub.reason and "notebooks found: none" in sub.reason


def test_parse_stamp_reads_every_lms_format():
    assert lms.parse_stamp("2026-11-02-18-30-05").isoformat() == "2026-11-02T18:30:05"
    assert lms.parse_stamp("2026-11-02 18:30:05.25 UTC").isoformat() == "2026-11-02T18:30:05.250000"
    assert lms.parse_stamp("no date") is None and lms.parse_stamp("2026-13-40-99-99-99") is None


# --- item 7: the class CSV holds this batch unless asked to merge; the summary names the convention

def _graded(student, convention="plain", total=1.0):
    return Submission(student, Path(f"{student}.zip"), status="graded", reason="graded in 1 s",
                      scores={g: total for g in POINTS}, convention=convention, origin=f"{convention}: {student}.zip")


POINTS = {f"{CH.id}_a": 1.0, f"{CH.id}_b": 2.0}


def _csv_students(path):
    with path.open(newline="") as rows:
        return {row["student_id"]: row for row in csv.DictReader(rows)}


@pytest.mark.parametrize("merge", [False, True])
def test_the_csv_holds_this_batch_unless_merged(tmp_path, merge):
    path = tmp_path / "ch01.csv"
    ClassCsv(path, CH, POINTS, merge=False).update([_graded("old"), _graded("both", total=0.0)])
    ClassCsv(path, CH, POINTS, merge=merge).update([_graded("new", "canvas"), _graded("both", "moodle")])
    rows = _csv_students(path)
    assert set(rows) == ({"old", "new", "both"} if merge else {"new", "both"})
    assert rows["both"]["total"] == "2" and "moodle" in rows["both"]["reason"]   # this batch's row replaces


def test_cli_passes_merge(monkeypatch, tmp_path):
    from coursekit import cli
    from coursekit.grading import grade as grade_module
    seen = {}
    monkeypatch.setattr(grade_module, "command", lambda chapter_id, folder, **options: seen.update(options) or 0)
    assert cli.main(["grade", CH.id, str(tmp_path), "--merge"]) == 0 and seen["merge"] is True
    assert cli.main(["grade", CH.id, str(tmp_path)]) == 0 and seen["merge"] is False


def test_the_summary_names_each_convention(tmp_path):
    subs = [_graded("48213", "canvas"), Submission("x y.zip", Path("x y.zip")).reject("cannot tell")]
    text = GradeReport(CH, POINTS, subs, tmp_path / "c.csv").summary()
    line = next(line for line in text.splitlines() if line.startswith("48213"))
    assert "canvas" in line and "download" in text.splitlines()[0]


# --- slow: one synthetic download mixing every convention, graded end to end ----------------

@pytest.mark.slow
def test_a_mixed_download_is_graded_end_to_end_and_merge_keeps_or_drops_rows(tmp_path):
    import shutil

    from coursekit import hidden, variants
    from coursekit.grading.grade import grade
    from coursekit.grading.sandbox import Limits
    from coursekit.release import release
    from coursekit.synthetic import submission

    course, inbox, work = tmp_path / "grading", tmp_path / "download", tmp_path / "work"
    release(CH.id, course_dir=course, dist=tmp_path / "dist")
    released = tmp_path / "dist" / CH.id
    reference = {MODULE: variants.reference_source(MODULE)}
    mutant = {MODULE: variants.mutant_source(MODULE, hidden.suite(MODULE).mutants[3])}
    inbox.mkdir()
    submission(released, work, inbox / "smithjane_LATE_48213_1923384_ch01.zip", reference)          # Canvas
    moodle = inbox / "Jane van der Berg_1042_assignsubmission_file_"                                  # Moodle: files
    shutil.copytree(released, moodle)
    (moodle / NB).rename(moodle / "data-splitting (1).ipynb")
    (moodle / "nnlib" / f"{MODULE}.py").write_text(mutant[MODULE])
    submission(released, work, inbox / "Data Splitting_jsmith_attempt_2026-11-01-09-00-00.zip", reference)
    newest = submission(released, work, inbox / "Data Splitting_jsmith_attempt_2026-11-02-18-30-05.zip", {})
    age(newest, 7200)                        # Blackboard: the later attempt (the stub) counts, whatever the file time
    submission(released, work, inbox / "dave.zip", reference)                                          # plain
    exchange = inbox / "erin" / CH.id                                                                   # nbgrader
    shutil.copytree(released, exchange)
    (exchange / f"nnlib/{MODULE}.py").write_text(reference[MODULE])
    (exchange / "timestamp.txt").write_text("2026-11-02 10:00:00.000000 UTC")
    submission(released, work, inbox / "Jane Smith.zip", reference)                                    # unrecognised

    started = time.perf_counter()
    fixed = Limits(check_seconds=60)          # fixed budgets: no reference timing, this test is about intake
    report = grade(CH.id, inbox, course_dir=course, workers=2, limits=fixed, progress=False)
    print(f"graded the mixed download in {time.perf_counter() - started:.0f} s")
    rows = _csv_students(report.csv_path)
    maximum = sum(report.points.values())
    expected = {"48213": ("canvas", maximum), "1042": ("moodle", None), "jsmith": ("blackboard", 0.0),
                "dave": ("plain", maximum), "erin": ("nbgrader", maximum)}
    assert set(rows) == {*expected, "Jane Smith"}, rows
    for student, (convention, total) in expected.items():
        row = rows[student]
        assert row["status"] == "graded" and row["flags"] == "", row
        assert f"[{lms.LABELS[convention]}: " in row["reason"], row
        if total is not None:
            assert float(row["total"]) == pytest.approx(total), row
        report_text = (course / "reports" / CH.id / f"{student}.txt").read_text()
        assert f"from {lms.LABELS[convention]}: " in report_text
    assert 0 < float(rows["1042"]["total"]) < maximum and "data-splitting (1).ipynb" in rows["1042"]["reason"]
    assert "LATE" in rows["48213"]["reason"]
    assert rows["Jane Smith"]["status"] == "rejected" and rows["Jane Smith"]["total"] == ""
    assert "Blackboard" in rows["Jane Smith"]["reason"]
    superseded = [s for s in report.submissions if s.status == "superseded"]
    older_attempt = inbox / "Data Splitting_jsmith_attempt_2026-11-01-09-00-00.zip"
    assert [s.original or s.archive for s in superseded] == [older_attempt]
    summary = report.summary()
    for student, (convention, _) in expected.items():
        assert any(line.startswith(student) and convention in line for line in summary.splitlines()), summary

    batch = tmp_path / "second-batch"                  # a quick second batch: one file, rejected
    batch.mkdir()
    (batch / "frank.zip").write_bytes(b"%PDF-1.4 not a zip")
    merged = _csv_students(grade(CH.id, batch, course_dir=course, workers=1, progress=False, merge=True).csv_path)
    assert set(merged) == set(rows) | {"frank"} and merged["dave"] == rows["dave"]
    alone = _csv_students(grade(CH.id, batch, course_dir=course, workers=1, progress=False).csv_path)
    assert set(alone) == {"frank"}


def test_the_grading_folders_own_submitted_is_refused(tmp_path, capsys):
    from coursekit.grading.grade import command
    own = tmp_path / "grading" / "submitted"
    make_folder(own / "alice" / CH.id)
    assert command(CH.id, own, course_dir=tmp_path / "grading", progress=False) == 2
    assert "where grading unpacks" in capsys.readouterr().err
