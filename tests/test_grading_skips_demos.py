"""Under grading only a notebook's nbgrader cells run (coursekit/grading/execute.py): the demos are skipped.

For every chapter the reference is graded: each nbgrader code cell (setup and checks) must have
run without an error, no demo cell may have run, and the feedback must say so. A check cell that needs a variable from a
demo would fail here (NameError), so the chapters' checks are shown to stand on the setup cell
alone. Fast tests cover the tagging itself: a fresh tag per job, check cells never tagged.
"""
import nbformat
import pytest

from coursekit import variants
from coursekit.chapters import CHAPTER_LIST
from coursekit.grading import execute
from coursekit.grading.grade import grade
from coursekit.notebooks import read
from coursekit.release import release
from coursekit.synthetic import submission


def _is_nbgrader(cell) -> bool:
    return bool(cell.get("metadata", {}).get("nbgrader"))


@pytest.mark.slow
@pytest.mark.parametrize("ch", CHAPTER_LIST, ids=lambda ch: ch.id)
def test_the_reference_runs_every_nbgrader_cell_cleanly_and_no_demo(ch, tmp_path):
    course, inbox = tmp_path / "course", tmp_path / "inbox"
    release(ch.id, course_dir=course, dist=tmp_path / "dist")
    inbox.mkdir()
    submission(tmp_path / "dist" / ch.id, tmp_path / "work", inbox / "ref.zip",
               {m: variants.reference_source(m) for m in ch.modules})
    report = grade(ch.id, inbox, course_dir=course, workers=1, progress=False)
    assert [s.status for s in report.submissions] == ["graded"] and not report.submissions[0].flags
    graded = nbformat.read(course / "autograded" / "ref" / ch.id / f"{ch.notebook}.ipynb", as_version=4)
    code = [cell for cell in graded.cells if cell.cell_type == "code"]
    checks, demos = [c for c in code if _is_nbgrader(c)], [c for c in code if not _is_nbgrader(c)]
    assert len(checks) >= 2 and len(demos) >= 5
    for cell in checks:
        assert cell.execution_count is not None, cell.source[:80]
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert not errors, (cell.source[:80], errors[:1])
    ran = [c.source[:60] for c in demos if c.execution_count is not None or c.outputs]
    assert not ran, ran
    feedback = report.submissions[0].feedback.read_text(encoding="utf-8")
    assert "the demos (the code cells without points) were not" in feedback   # the student is told why


def test_only_code_cells_without_nbgrader_metadata_are_tagged_and_the_original_is_untouched():
    notebook = read(CHAPTER_LIST[0].notebook_path)
    tagged = execute.demos_tagged(notebook, "t-123")
    for before, after in zip(notebook.cells, tagged.cells):
        has_tag = "t-123" in after.get("metadata", {}).get("tags", [])
        assert has_tag == (after.cell_type == "code" and not _is_nbgrader(after))
        assert "t-123" not in before.get("metadata", {}).get("tags", [])
