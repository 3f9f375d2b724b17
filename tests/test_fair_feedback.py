"""Issue 13, items 2, 3, 7 and 8: feedback that is fair, readable, and never contradicts the grade.

The slow part grades a small chapter-1 class end to end: a syntax error and a stray
``import torch`` get full feedback with a readable message and no leak or tamper flag; a
real leak (the notebook prints hidden-check text) is still caught; a rejected file gets an
empty score row with its reason; warnings go to the grading folder's log, not the console;
the feedback's cell output shows the isolated result, never a number that disagrees with
the header. The fast part: a missing or empty submissions folder is a one-line error.
"""
from __future__ import annotations

import base64
import csv
import re

import pytest

from coursekit import secrets, variants
from coursekit.chapters import CHAPTER_LIST
from coursekit.grading.grade import GradingInputError, command, grade
from coursekit.release import release
from coursekit.grading.sandbox import isolation
from coursekit.synthetic import submission
from tests.hostile import prepend

CH = CHAPTER_LIST[0]
MODULE = CH.modules[0]


def _syntax_error() -> tuple[str, int]:
    source = variants.reference_source(MODULE)
    line = source.splitlines().index("def kfold_indices(n, k, *, rng):") + 1
    return source.replace("def kfold_indices(n, k, *, rng):", "def kfold_indices(n, k, *, rng)"), line


def _leaker() -> str:
    """The stub, printing at import a line of the hidden checks it got hold of (base64, to hide it)."""
    secret = next(line for line in secrets.secret_lines() if "def " not in line and len(line) > 40)
    encoded = base64.b64encode(secret.encode()).decode()
    return prepend(variants.stub_source(MODULE), f"import base64\nprint(base64.b64decode('{encoded}').decode())")


def test_a_missing_or_empty_folder_is_a_one_line_error(tmp_path, capsys):
    assert command(CH.id, tmp_path / "nowhere", course_dir=tmp_path / "grading", progress=False) == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    assert command(CH.id, empty, course_dir=tmp_path / "grading", progress=False) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "does not exist" in err[0] and "holds no files" in err[1], err
    assert not any("Traceback" in line for line in err)
    with pytest.raises(GradingInputError):
        grade(CH.id, empty, course_dir=tmp_path / "grading", progress=False)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("fair")
    course = root / "grading"
    release(CH.id, course_dir=course, dist=root / "dist")
    released, inbox, work = root / "dist" / CH.id, root / "inbox", root / "work"
    inbox.mkdir()
    syntax, line = _syntax_error()
    submission(released, work, inbox / "syntax_1.zip", {MODULE: syntax})
    submission(released, work, inbox / "torch_1.zip", {MODULE: prepend(variants.reference_source(MODULE),
                                                                         "import torch")})
    submission(released, work, inbox / "leaker_1.zip", {MODULE: _leaker()})
    submission(released, work, inbox / "ref_1.zip", {MODULE: variants.reference_source(MODULE)})
    (inbox / "notzip_1.zip").write_bytes(b"%PDF-1.4 not a zip")
    report = grade(CH.id, inbox, course_dir=course, workers=2, progress=False)
    rows = {r["student_id"]: r for r in csv.DictReader(report.csv_path.open(encoding="utf-8"))}
    return report, rows, course, line


pytestmark_slow = pytest.mark.slow
needs_bwrap = pytest.mark.skipif(not isolation().bwrap, reason="needs bubblewrap")


def _feedback(course, student) -> str:
    path = course / "feedback" / student / CH.id / f"{CH.notebook}.html"
    assert path.is_file(), f"no feedback for {student}"
    return secrets.html_text(path.read_text(encoding="utf-8"))


@pytest.mark.slow
@needs_bwrap
@pytest.mark.parametrize("student", ["syntax", "torch"])
def test_a_broken_module_gets_readable_feedback_and_no_flag(graded, student):
    report, rows, course, line = graded
    row = rows[student]
    assert row["status"] == "graded" and row["flags"] == "", row
    text = _feedback(course, student)
    expected = (f"nnlib/{MODULE}.py line {line}: SyntaxError" if student == "syntax"
                else f"nnlib/{MODULE}.py line ")
    assert expected in text, text[-3000:]
    if student == "torch":
        assert "No module named 'torch'" in text


@pytest.mark.slow
@needs_bwrap
def test_a_real_leak_is_still_caught(graded):
    report, rows, course, _ = graded
    assert "feedback withheld" in rows["leaker"]["flags"], rows["leaker"]
    assert not (course / "feedback" / "leaker" / CH.id / f"{CH.notebook}.html").exists()


@pytest.mark.slow
@needs_bwrap
def test_a_rejected_file_gets_an_empty_row_with_its_reason(graded):
    _, rows, _, _ = graded
    row = rows["notzip"]
    assert row["status"] == "rejected" and "not a zip" in row["reason"]
    scores = [row[name] for name in list(row)[1:] if name not in ("max_score", "status", "flags", "reason",
                                                                    "feedback", "sha256")]
    assert scores and all(value == "" for value in scores), row
    assert float(rows["ref"]["total"]) == float(rows["ref"]["max_score"])


@pytest.mark.slow
@needs_bwrap
def test_warnings_go_to_the_log_not_the_console(graded):
    _, _, course, _ = graded
    logs = list((course / "logs").glob("nbgrader-worker-*.log")) + list((course / "logs").glob("grade-*.log"))
    assert logs, "no log file in the grading folder"


@pytest.mark.slow
@needs_bwrap
@pytest.mark.parametrize("student", ["ref", "syntax", "torch"])
def test_the_cell_output_agrees_with_the_header(graded, student):
    """Each check cell prints the isolated result, the same number as the CSV, gradebook and header."""
    report, rows, course, _ = graded
    text = _feedback(course, student)
    header = re.search(r"Score:\s*([\d.]+)\s*/\s*([\d.]+)", text)
    assert header, text[:2000]
    assert float(header.group(1)) == pytest.approx(float(rows[student]["total"]))
    cells = re.findall(r"(\w+): \d+ of \d+ (?:hidden )?checks passed, ([\d.]+) of [\d.]+ points", text)
    assert {name for name, _ in cells} == {g.removeprefix(f"{CH.id}_") for g in report.points}, cells
    for name, points in cells:
        assert float(points) == pytest.approx(float(rows[student][name])), (name, points, rows[student])
