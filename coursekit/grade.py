"""Grade a chapter: LMS zips -> nbgrader autograde -> gradebook -> grades CSV and feedback HTML.

One submission at a time goes through nbgrader (collect, autograde, feedback). A
submission that nbgrader cannot grade (a kernel that dies, a notebook that hangs) is
marked failed with nbgrader's reason and scores 0; its old gradebook entry is removed
first, so a failed regrade never leaves an old score looking current.
"""
from __future__ import annotations

import csv
import re
import time
from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from tqdm.auto import tqdm

from .chapters import Chapter, chapter
from .intake import Submission, find_submissions, unpack
from .nbgrader_run import nbgrader
from .notebooks import read
from .paths import GRADING
from .release import release
from .secrets import assert_no_leaks

COURSE_ID = "practical-nn"
SUBMISSION_TIMEOUT = 20 * 60   # seconds for one student's autograde


def gradebook(course_dir: Path) -> Gradebook:
    return Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}", course_id=COURSE_ID)


def exercises(ch: Chapter) -> dict[str, float]:
    """grade_id -> points of every graded cell in the chapter's notebook, in notebook order."""
    points = {}
    for cell in read(ch.notebook_path).cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade"):
            points[meta["grade_id"]] = float(meta.get("points", 0))
    return points


def _exercise_name(ch: Chapter, grade_id: str) -> str:
    return grade_id.removeprefix(f"{ch.id}_")


def _forget(ch: Chapter, student: str, course_dir: Path) -> None:
    """Remove a student's earlier submission from the gradebook, so no stale score survives."""
    with gradebook(course_dir) as gb:
        try:
            gb.remove_submission(ch.id, student)
        except MissingEntry:
            pass


def _nbgrader_reason(output: str) -> str:
    """The most telling line of a failed nbgrader run."""
    for pattern in (r"(DeadKernelError[^\n]*)", r"(Timeout waiting for[^\n]*)", r"(CellTimeoutError[^\n]*)",
                    r"\[AutogradeApp \| ERROR\] ([^\n]+)"):
        match = re.search(pattern, output)
        if match:
            return match.group(1).strip()[:300]
    return "nbgrader could not grade this submission (see _grading/logs)"


def _scores(ch: Chapter, student: str, course_dir: Path) -> dict[str, float]:
    with gradebook(course_dir) as gb:
        notebook = gb.find_submission_notebook(ch.notebook, ch.id, student)
        return {grade.name: float(grade.score) for grade in notebook.grades}


def _autograde(ch: Chapter, submission: Submission, course_dir: Path) -> None:
    student = submission.student
    _forget(ch, student, course_dir)
    started = time.perf_counter()
    result = nbgrader("autograde", ch.id, "--student", student, "--force",
                      course_dir=course_dir, timeout=SUBMISSION_TIMEOUT)
    log = course_dir / "logs" / ch.id / f"{student}.log"
    log.write_text(result.stdout + result.stderr, encoding="utf-8")
    if result.returncode != 0 or not (course_dir / "autograded" / student / ch.id).is_dir():
        submission.status, submission.reason = "failed", _nbgrader_reason(result.stdout + result.stderr)
        _forget(ch, student, course_dir)
        return
    submission.scores = _scores(ch, student, course_dir)
    feedback = nbgrader("generate_feedback", ch.id, "--student", student, "--force", course_dir=course_dir)
    html = course_dir / "feedback" / student / ch.id / f"{ch.notebook}.html"
    submission.feedback = html if feedback.returncode == 0 and html.is_file() else None
    submission.status = "graded"
    submission.reason = f"graded in {time.perf_counter() - started:.1f} s"


@dataclass
class GradeReport:
    chapter: Chapter
    points: dict[str, float]
    submissions: list[Submission]
    csv_path: Path

    def summary(self) -> str:
        names = [_exercise_name(self.chapter, g) for g in self.points]
        width = max([7] + [len(s.student) for s in self.submissions])
        lines = [f"{'student':<{width}}  {'total':>7}  status      reason"]
        for s in self.submissions:
            total = f"{sum(s.scores.values()):g}/{sum(self.points.values()):g}" if s.scores else "-"
            lines.append(f"{s.student:<{width}}  {total:>7}  {s.status:<10}  {s.reason}"
                         + (f" [{'; '.join(s.flags)}]" if s.flags else ""))
        counts = {k: sum(s.status == k for s in self.submissions) for k in ("graded", "rejected", "failed", "superseded")}
        lines.append(", ".join(f"{v} {k}" for k, v in counts.items() if v) + f"; exercises: {', '.join(names)}")
        lines.append(f"grades: {self.csv_path}")
        return "\n".join(lines)


def write_csv(report: GradeReport) -> None:
    ids = list(report.points)
    with report.csv_path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["student_id", *(_exercise_name(report.chapter, g) for g in ids),
                         "total", "max_score", "status", "reason", "feedback"])
        for s in report.submissions:
            if s.status == "superseded":
                continue
            scores = [s.scores.get(g, 0.0) for g in ids]
            writer.writerow([s.student, *(f"{v:g}" for v in scores), f"{sum(scores):g}",
                             f"{sum(report.points.values()):g}", s.status,
                             "; ".join([s.reason, *s.flags]).strip("; "), s.feedback or ""])


def grade(chapter_id: str, submissions_folder: Path, *, course_dir: Path = GRADING) -> GradeReport:
    """Grade every submission in ``submissions_folder`` for one chapter; never stops on a bad one.

    ``course_dir`` is the nbgrader course folder; the chapter is released there first if needed.
    """
    ch = chapter(chapter_id)
    subs = find_submissions(Path(submissions_folder))
    if not (course_dir / "release" / ch.id).is_dir():
        release(ch.id, course_dir=course_dir, dist=course_dir / "dist")
    (course_dir / "logs" / ch.id).mkdir(parents=True, exist_ok=True)
    for submission in tqdm(subs, desc=f"grading {ch.id}", unit="submission"):
        unpack(submission, ch, course_dir / "submitted")
        if submission.status == "collected":
            _autograde(ch, submission, course_dir)
    feedback = [s.feedback for s in subs if s.feedback]
    if feedback:
        assert_no_leaks(feedback, f"feedback for {ch.id}")
    report = GradeReport(ch, exercises(ch), subs, course_dir / "grades" / f"{ch.id}.csv")
    report.csv_path.parent.mkdir(parents=True, exist_ok=True)
    write_csv(report)
    return report

