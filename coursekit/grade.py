"""Grade a chapter: LMS zips -> nbgrader autograde -> isolated hidden checks -> gradebook, CSV, feedback.

For each submission, in parallel workers:

1. the student's earlier results for the chapter are removed (gradebook entry, autograded
   and feedback folders), so nothing stale can survive a regrade that fails;
2. the zip is checked and collected (``intake``); a bad one is rejected with a reason;
3. nbgrader autogrades the notebook: the student's kernel runs the visible and hidden
   checks, and the feedback will show its output;
4. the hidden checks run again in the sandbox (``isolated``), compared with the reference
   in this process, and those scores overwrite the gradebook's: they are the grade. A
   notebook score above them flags possible tampering. When nbgrader cannot run the
   notebook at all, the submission is still graded from the isolated checks and flagged;
5. feedback is written (and withheld if it contains solution text).

Each slot has one long-lived nbgrader worker (``nbgrader_worker``) and its own limits. At
the end the class CSV is written and a summary printed.
"""
from __future__ import annotations

import csv
import html
import os
import queue
import re
import shutil
import sys
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from sqlalchemy.exc import SAWarning
from tqdm.auto import tqdm

from . import kernel_limits
from .chapters import Chapter, chapter
from .intake import Submission, find_submissions, unpack
from .isolated import ExerciseScore, isolated_scores
from .nbgrader_run import db_url
from .nbgrader_worker import NbgraderWorker
from .notebooks import read
from .paths import GRADING
from .release import release
from .sandbox import Limits, isolation
from .secrets import scan

COURSE_ID = "practical-nn"
SUBMISSION_TIMEOUT = 10 * 60   # seconds for one student's autograde
_DB_LOCK = threading.Lock()    # this process's gradebook writes, one at a time


def gradebook(course_dir: Path) -> Gradebook:
    return Gradebook(db_url(course_dir), course_id=COURSE_ID)


def exercises(ch: Chapter) -> dict[str, float]:
    """grade_id -> points of every graded cell in the chapter's notebook, in notebook order."""
    points = {}
    for cell in read(ch.notebook_path).cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade"):
            points[meta["grade_id"]] = float(meta.get("points", 0))
    return points


def exercise_name(ch: Chapter, grade_id: str) -> str:
    return grade_id.removeprefix(f"{ch.id}_")


def _reset(ch: Chapter, student: str, course_dir: Path) -> None:
    """Forget a student's earlier results for the chapter: gradebook entry and output folders."""
    with _DB_LOCK, gradebook(course_dir) as gb:
        try:
            gb.remove_submission(ch.id, student)
        except MissingEntry:
            pass
    for step in ("autograded", "feedback"):
        folder = course_dir / step / student / ch.id
        if folder.exists():
            for path in folder.rglob("*"):   # nbgrader writes autograded files read-only
                path.chmod(0o755 if path.is_dir() else 0o644)
            shutil.rmtree(folder)


def _nbgrader_reason(output: str) -> str:
    """The most telling line of a failed nbgrader run."""
    if "overwritecells" in output and "KeyError" in output:
        return "check cells were deleted and nbgrader could not put them back"
    if "DeadKernelError" in output:
        return "the kernel died (a crash, os._exit or running out of memory)"
    for pattern in (r"(Timeout waiting for[^\n]*)", r"(CellTimeoutError[^\n]*)",
                    r"^\s*((?!nbgrader\.)[\w.]*(?:Error|Exception): [^\n]+)"):
        match = re.search(pattern, output, re.MULTILINE)
        if match:
            return match.group(1).strip()[:300]
    return "nbgrader could not run the notebook"


def _notebook_scores(ch: Chapter, student: str, course_dir: Path) -> dict[str, float]:
    with gradebook(course_dir) as gb:
        notebook = gb.find_submission_notebook(ch.notebook, ch.id, student)
        return {g.name: float(g.auto_score or 0.0) for g in notebook.grades}


def _record(ch: Chapter, student: str, course_dir: Path, scores: dict[str, ExerciseScore], create: bool) -> None:
    """Write the isolated scores into the gradebook (creating the submission if nbgrader did not)."""
    with _DB_LOCK, gradebook(course_dir) as gb:
        if create:
            gb.update_or_create_student(student)
            with warnings.catch_warnings():   # nbgrader's add_submission trips SQLAlchemy's autoflush warnings
                warnings.simplefilter("ignore", SAWarning)
                gb.add_submission(ch.id, student)
        for grade_id, result in scores.items():
            grade = gb.find_grade(grade_id, ch.notebook, ch.id, student)
            grade.auto_score, grade.needs_manual_grade = result.score, False
        gb.db.commit()


@dataclass
class Outcome:
    """What grading found beyond the scores, for the instructor's report."""

    notebook_scores: dict[str, float] | None = None
    isolated: dict[str, ExerciseScore] = field(default_factory=dict)
    notebook_error: str = ""


def _grade_one(ch: Chapter, sub: Submission, course_dir: Path, points: dict[str, float], limits: Limits,
               workers: queue.Queue) -> Outcome:
    worker = workers.get()
    try:
        return _grade_with(worker, ch, sub, course_dir, points, limits)
    finally:
        workers.put(worker)


def _run_notebook(worker: NbgraderWorker, ch: Chapter, sub: Submission, course_dir: Path) -> str | None:
    """nbgrader autograde in the slot's worker; None on success, else the reason it failed."""
    result = worker.run("autograde", ch.id, sub.student, SUBMISSION_TIMEOUT)
    log = result.get("log", "") + result.get("error", "")
    (course_dir / "logs" / ch.id / f"{sub.student}.log").write_text(log, encoding="utf-8")
    if result["success"] and (course_dir / "autograded" / sub.student / ch.id).is_dir():
        return None
    return _nbgrader_reason(log)


def _grade_with(worker: NbgraderWorker, ch: Chapter, sub: Submission, course_dir: Path, points: dict[str, float],
                limits: Limits) -> Outcome:
    outcome = Outcome()
    _reset(ch, sub.student, course_dir)
    unpack(sub, ch, course_dir / "submitted")
    if sub.status != "collected":
        return outcome
    started = time.perf_counter()
    failure = _run_notebook(worker, ch, sub, course_dir)
    if failure is None:
        outcome.notebook_scores = _notebook_scores(ch, sub.student, course_dir)
    else:
        outcome.notebook_error = failure
        _reset(ch, sub.student, course_dir)
    outcome.isolated = isolated_scores(ch, points, course_dir / "source" / ch.id / "nnlib",
                                       course_dir / "submitted" / sub.student / ch.id / "nnlib",
                                       slot=worker.slot, limits=limits, hidden_paths=(course_dir,))
    _record(ch, sub.student, course_dir, outcome.isolated, create=failure is not None)
    sub.scores = {gid: r.score for gid, r in outcome.isolated.items()}
    sub.flags.extend(_flags(ch, outcome))
    sub.feedback = _feedback(worker, ch, sub, outcome, course_dir)
    sub.status, sub.reason = "graded", f"graded in {time.perf_counter() - started:.1f} s"
    return outcome


def _feedback(worker: NbgraderWorker, ch: Chapter, sub: Submission, outcome: Outcome, course_dir: Path) -> Path | None:
    """The student's feedback HTML (nbgrader's, or ours when the notebook could not run), scanned for leaks."""
    path = course_dir / "feedback" / sub.student / ch.id / f"{ch.notebook}.html"
    if outcome.notebook_scores is None:
        _fallback_feedback(ch, sub, outcome, path)
    else:
        worker.run("feedback", ch.id, sub.student, SUBMISSION_TIMEOUT)
    if not path.is_file():
        return None
    if scan([path]):
        path.unlink()   # the student's code printed secret text: never return it
        sub.flags.append("feedback withheld: it contained solution or hidden-check text "
                         "(did the notebook read the instructor's files?)")
        return None
    return path


def _flags(ch: Chapter, outcome: Outcome) -> list[str]:
    if outcome.notebook_scores is None:
        return [f"notebook could not be run ({outcome.notebook_error}); scored by the isolated checks"]
    flags = []
    for grade_id, result in outcome.isolated.items():
        in_notebook = outcome.notebook_scores.get(grade_id, 0.0)
        if in_notebook > result.score + 1e-6:
            flags.append(f"possibly tampered: {exercise_name(ch, grade_id)} scored {in_notebook:g} in the notebook "
                         f"but {result.score:g} in isolation")
    return flags


def _fallback_feedback(ch: Chapter, sub: Submission, outcome: Outcome, path: Path) -> Path:
    """Feedback for a submission whose notebook could not be run: scores and failed properties."""
    rows = []
    for grade_id, result in outcome.isolated.items():
        failed = "".join(f"<li>{html.escape(f.split(': ')[0])}</li>" for f in result.failed)
        rows.append(f"<tr><td>{html.escape(exercise_name(ch, grade_id))}</td>"
                    f"<td>{result.score:g} / {result.points:g}</td><td><ul>{failed}</ul></td></tr>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(ch.title)}: feedback</title></head>"
        f"<body><h1>Chapter {ch.number}: {html.escape(ch.title)}</h1><p>Student: {html.escape(sub.student)}</p>"
        f"<p>Your notebook could not be run by the grader ({html.escape(outcome.notebook_error)}). "
        f"Your nnlib functions were checked on their own; these are your scores.</p>"
        f"<table border='1' cellpadding='4'><tr><th>exercise</th><th>points</th><th>failed checks</th></tr>"
        f"{''.join(rows)}</table></body></html>", encoding="utf-8")
    return path


def _write_instructor_report(ch: Chapter, sub: Submission, outcome: Outcome, course_dir: Path) -> None:
    """Every failed check with its full reason: for the instructor, never for students."""
    lines = [f"{sub.student} {ch.id}: {sub.status} {sub.reason}", *sub.flags]
    for grade_id, result in outcome.isolated.items():
        lines.append(f"{grade_id}: {result.score:g}/{result.points:g} ({result.passed}/{result.total} checks)")
        lines.extend(f"    {failure}" for failure in result.failed)
    folder = course_dir / "reports" / ch.id
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{sub.student}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


@dataclass
class GradeReport:
    chapter: Chapter
    points: dict[str, float]
    submissions: list[Submission]
    csv_path: Path
    notes: tuple[str, ...] = ()
    seconds: float = 0.0

    def summary(self) -> str:
        width = max([7] + [len(s.student) for s in self.submissions])
        lines = [f"note: {note}" for note in self.notes]
        lines.append(f"{'student':<{width}}  {'total':>7}  {'status':<10}  reason")
        for s in self.submissions:
            total = f"{sum(s.scores.values()):g}/{sum(self.points.values()):g}" if s.status == "graded" else "-"
            lines.append(f"{s.student:<{width}}  {total:>7}  {s.status:<10}  {s.reason}")
            lines.extend(f"{'':<{width}}  {'':>7}  {'flag':<10}  {flag}" for flag in s.flags)
        counts = {k: sum(s.status == k for s in self.submissions) for k in ("graded", "rejected", "failed", "superseded")}
        flagged = sum(bool(s.flags) for s in self.submissions if s.status == "graded")
        lines.append(", ".join(f"{v} {k}" for k, v in counts.items() if v) + f", {flagged} flagged; "
                     f"{len(self.submissions)} files in {self.seconds:.0f} s")
        lines.append(f"grades: {self.csv_path}")
        return "\n".join(lines)


def write_csv(report: GradeReport) -> None:
    """The class's grades: this batch's rows replace those students' earlier rows; others are kept."""
    ids = list(report.points)
    header = ["student_id", *(exercise_name(report.chapter, g) for g in ids),
              "total", "max_score", "status", "flags", "reason", "feedback"]
    rows = {}
    if report.csv_path.exists():
        with report.csv_path.open(newline="", encoding="utf-8") as existing:
            rows = {row["student_id"]: row for row in csv.DictReader(existing) if list(row) == header}
    for s in report.submissions:
        if s.status == "superseded":
            continue
        scores = [s.scores.get(g, 0.0) for g in ids]
        values = [s.student, *(f"{v:g}" for v in scores), f"{sum(scores):g}", f"{sum(report.points.values()):g}",
                  s.status, "; ".join(s.flags), s.reason, str(s.feedback or "")]
        rows[s.student] = dict(zip(header, values))
    with report.csv_path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows[student] for student in sorted(rows))


def _outcome_or_failure(future, ch: Chapter, sub: Submission, course_dir: Path) -> Outcome:
    """The graded outcome, or, when the grader itself broke on this submission, a failure with its reason."""
    try:
        return future.result()
    except Exception as error:  # noqa: BLE001 - one broken submission never stops the batch
        sub.status, sub.reason = "failed", f"grader error: {type(error).__name__}: {error}"[:300]
        sub.scores, sub.feedback = {}, None
        _reset(ch, sub.student, course_dir)
        return Outcome()


def grade(chapter_id: str, submissions_folder: Path, *, course_dir: Path = GRADING, workers: int | None = None,
          limits: Limits = Limits(), cell_timeout: int | None = None, students: set[str] | None = None,
          progress: bool = True) -> GradeReport:
    """Grade every submission in ``submissions_folder`` for one chapter; never stops on a bad one.

    ``course_dir`` is the nbgrader course folder (the chapter is released there first if
    needed); ``workers`` submissions are graded at once (default: CPU count); ``limits`` bound
    the isolated checks and ``cell_timeout`` (seconds) overrides nbgrader's per-cell limit.
    With ``students``, only their files are graded; the CSV keeps everyone else's rows.
    """
    started = time.perf_counter()
    ch = chapter(chapter_id)
    subs = find_submissions(Path(submissions_folder))
    if students is not None:
        unknown = students - {s.student for s in subs}
        if unknown:
            raise ValueError(f"no submission from {', '.join(sorted(unknown))} in {submissions_folder}")
        subs = [s for s in subs if s.student in students]
    workers = workers or os.cpu_count() or 1
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    if not (course_dir / "release" / ch.id).is_dir():
        release(ch.id, course_dir=course_dir, dist=course_dir / "dist")
    (course_dir / "logs" / ch.id).mkdir(parents=True, exist_ok=True)
    notes = isolation().notes
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    points = exercises(ch)
    nbgrader_workers = [NbgraderWorker(course_dir, slot, cell_timeout) for slot in range(workers)]
    idle: queue.Queue = queue.Queue()
    for worker in nbgrader_workers:
        idle.put(worker)
    outcomes: dict[str, Outcome] = {}
    todo = [s for s in subs if s.status == "pending"]
    try:
        with ThreadPoolExecutor(max_workers=workers) as pool, \
                tqdm(total=len(todo), desc=f"grading {ch.id}", unit="submission", disable=not progress) as bar:
            futures = {pool.submit(_grade_one, ch, s, course_dir, points, limits, idle): s for s in todo}
            for future in as_completed(futures):
                sub = futures[future]
                outcomes[sub.student] = _outcome_or_failure(future, ch, sub, course_dir)
                _write_instructor_report(ch, sub, outcomes[sub.student], course_dir)
                bar.update()
    finally:
        for worker in nbgrader_workers:
            worker.stop()
        kernel_limits.remove(range(workers))
    report = GradeReport(ch, points, subs, course_dir / "grades" / f"{ch.id}.csv", notes,
                         time.perf_counter() - started)
    report.csv_path.parent.mkdir(parents=True, exist_ok=True)
    write_csv(report)
    return report
