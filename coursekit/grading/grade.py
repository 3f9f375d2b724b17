"""Grade a chapter: LMS zips -> isolated hidden checks -> nbgrader autograde (jailed) -> gradebook, CSV, feedback.

Side of the wall: grader. No student code runs in this process or in the nbgrader
workers; it runs only in the sandboxes of :mod:`coursekit.grading.jail`.

Before any student code runs, every file is copied into a private staging folder and
hashed (``intake.stage``), and the reference's CPU time per hidden check is measured once
(``grading.budgets``): each check may take max(3 s, 50x that) of CPU, so a slow but
correct answer passes on a busy machine and only an endless loop runs out of time (the
student is told so in words; it is not a flag). Then, for each submission, in parallel workers:

1. the student's earlier results for the chapter are removed (gradebook entry, autograded
   and feedback folders), so nothing stale can survive a regrade that fails;
2. the staged zip is checked and collected, within size caps (``intake``); a bad one is
   rejected with a reason;
3. the hidden checks run in the probe sandbox, with seeds derived from the student's id
   (``isolated``), and are judged in this process: they are the grade. Their results come
   back through a strict protocol; a violation flags the submission;
4. nbgrader autogrades the notebook, whose execution happens in the kernel sandbox
   (``grading.execute``); its hidden-test line shows the isolated verdicts, so an honest
   notebook scores exactly the isolated score. A notebook score above it flags possible
   tampering. When the notebook cannot be run at all, the submission is still graded from
   the isolated checks and flagged;
5. the isolated scores are written into the gradebook in one transaction;
6. feedback is written, and withheld when the submission is flagged as tampered or broke
   the result protocol, or when the scanner finds secret text in it;
7. the instructor report and the class CSV are written (atomically), still inside that
   student's error handling: nothing a student's text holds can stop the batch.

Each slot has one long-lived nbgrader worker (``nbgrader_worker``) and its own limits.
The console shows the progress bar and the summary; warnings (SQLAlchemy's, the workers'
nbgrader and jupyter_client output) go to ``<course>/logs/``. A rejected or failed student
has an empty score row with the reason, not zeros. :func:`command` is the CLI's entry: a
missing or empty submissions folder is a one-line error and exit status 2.
"""
from __future__ import annotations

import csv
import html
import io
import json
import os
import queue
import re
import shutil
import sys
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from sqlalchemy.exc import SAWarning
from tqdm.auto import tqdm

from . import kernel_limits
from ..chapters import Chapter, chapter
from . import budgets, files, jail, seeds
from . import class_report, diagnosis
from .text import clean
from .intake import Submission, find_submissions, stage, unpack
from .isolated import ExerciseScore, isolated_scores
from .nbgrader_run import db_url
from .nbgrader_worker import NbgraderWorker
from ..notebooks import read
from ..paths import GRADING
from ..release import release
from .sandbox import Limits, isolation
from ..secrets import scan, secret_lines

COURSE_ID = "practical-nn"
SUBMISSION_TIMEOUT = 10 * 60   # seconds for one student's autograde
_DB_LOCK = threading.Lock()    # this process's gradebook writes, one at a time
DEMOS_NOT_RUN = ("<div class='container'><p class='coursekit-demos-note' style='font-family:sans-serif;"
                 "color:#444'>To grade your notebook only its setup cell and its check cells were run; "
                 "the demos (the code cells without points) were not, so they show no output here. "
                 "Run them in your own notebook.</p></div>")


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
    for pattern in (r"(Timeout waiting for[^\n]*)", r"(CellTimeoutError[^\n]*)", r"JailedKernelError: ([^\n]+)",
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
    withhold: bool = False      # tampered or broke the result protocol: no feedback
    diagnosis: dict = field(default_factory=dict)   # exercise -> which known mistake (grading/diagnosis.py)


def _grade_one(ch: Chapter, sub: Submission, course_dir: Path, points: dict[str, float], limits: Limits,
               workers: queue.Queue, key: str, reference_cpu: dict | None = None) -> Outcome:
    """Everything done for one student, report included; nothing in here can stop the batch."""
    worker = workers.get()
    try:
        try:
            outcome = _grade_with(worker, ch, sub, course_dir, points, limits, key, reference_cpu)
        except Exception as error:  # noqa: BLE001 - one broken submission never stops the batch
            outcome = _failed(ch, sub, course_dir, error)
        try:
            _write_instructor_report(ch, sub, outcome, course_dir)
        except Exception as error:  # noqa: BLE001
            sub.flags.append(f"instructor report not written ({type(error).__name__})")
        return outcome
    finally:
        workers.put(worker)


def _failed(ch: Chapter, sub: Submission, course_dir: Path, error: Exception) -> Outcome:
    sub.status, sub.reason = "failed", clean(f"grader error: {type(error).__name__}: {error}", 300)
    sub.scores, sub.feedback = {}, None
    try:
        _reset(ch, sub.student, course_dir)
    except Exception as again:  # noqa: BLE001
        sub.flags.append(f"could not remove the earlier results ({type(again).__name__})")
    return Outcome()


def _run_notebook(worker: NbgraderWorker, ch: Chapter, sub: Submission, course_dir: Path, job: dict) -> str | None:
    """nbgrader autograde in the slot's worker (the notebook runs jailed); None on success, else why not."""
    result = worker.run("autograde", ch.id, sub.student, SUBMISSION_TIMEOUT, job)
    log = clean(result.get("log", "") + result.get("error", ""))
    files.write_text(course_dir / "logs" / ch.id / f"{sub.student}.log", log)
    if result["success"] and (course_dir / "autograded" / sub.student / ch.id).is_dir():
        return None
    return _nbgrader_reason(log)


def _grade_with(worker: NbgraderWorker, ch: Chapter, sub: Submission, course_dir: Path, points: dict[str, float],
                limits: Limits, key: str, reference_cpu: dict | None = None) -> Outcome:
    outcome = Outcome()
    _reset(ch, sub.student, course_dir)
    unpack(sub, ch, course_dir / "submitted")
    if sub.status != "collected":
        return outcome
    started = time.perf_counter()
    outcome.isolated = isolated_scores(ch, points, course_dir / "source" / ch.id / "nnlib",
                                       course_dir / "submitted" / sub.student / ch.id / "nnlib",
                                       slot=worker.slot, limits=limits, student=sub.student, key=key,
                                       reference_cpu=reference_cpu)
    outcome.diagnosis = diagnosis.diagnose(ch, outcome.isolated, sub.student, key)
    verdicts = {exercise_name(ch, gid): r.verdicts for gid, r in outcome.isolated.items()}
    job = {"verdicts": verdicts, "slot": worker.slot, "uid": jail.slot_uid(worker.slot), "cgroup": False}
    failure = _run_notebook(worker, ch, sub, course_dir, job)
    if failure is None:
        outcome.notebook_scores = _notebook_scores(ch, sub.student, course_dir)
    else:
        outcome.notebook_error = failure
        _reset(ch, sub.student, course_dir)
    _record(ch, sub.student, course_dir, outcome.isolated, create=failure is not None)
    sub.scores = {gid: r.score for gid, r in outcome.isolated.items()}
    sub.flags.extend(_flags(ch, outcome))
    sub.feedback = _feedback(worker, ch, sub, outcome, course_dir)
    sub.status, sub.reason = "graded", f"graded in {time.perf_counter() - started:.1f} s"
    return outcome


def _feedback(worker: NbgraderWorker, ch: Chapter, sub: Submission, outcome: Outcome, course_dir: Path) -> Path | None:
    """The student's feedback HTML (nbgrader's, or ours when the notebook could not run), scanned for leaks.

    Withheld when the submission is flagged as tampered or broke the result protocol. The
    feedback folder keeps only the HTML (nbgrader also copies the submission's files there).
    """
    folder = course_dir / "feedback" / sub.student / ch.id
    path = folder / f"{ch.notebook}.html"
    if outcome.withhold:
        sub.flags.append("feedback withheld: the submission is flagged")
        if folder.exists():
            shutil.rmtree(folder)
        return None
    if outcome.notebook_scores is None:
        _fallback_feedback(ch, sub, outcome, path)
    else:
        worker.run("feedback", ch.id, sub.student, SUBMISSION_TIMEOUT)
        if path.is_file():
            files.insert_at_top(path, DEMOS_NOT_RUN)
    if folder.is_dir():
        for extra in folder.iterdir():
            if extra != path:
                shutil.rmtree(extra) if extra.is_dir() and not extra.is_symlink() else extra.unlink()
    if not path.is_file():
        return None
    diagnosis.add_to_feedback(ch, path, outcome.diagnosis)   # one sentence per known mistake, scanned below
    if scan([path], _secrets_not_submitted(ch, course_dir / "submitted" / sub.student / ch.id / "nnlib")):
        path.unlink()   # the student's code printed secret text: never return it
        sub.flags.append("feedback withheld: it contained solution or hidden-check text "
                         "(did the notebook read the instructor's files?)")
        return None
    return path


def _secrets_not_submitted(ch: Chapter, nnlib: Path) -> tuple[str, ...]:
    """The secret lines minus those the student submitted themselves (a traceback may quote their own code)."""
    own = []
    for module in ch.modules:
        try:
            own.append(" ".join((nnlib / f"{module}.py").read_bytes().decode("utf-8", "replace").split()))
        except OSError:
            pass
    submitted = "\n".join(own)
    return tuple(line for line in secret_lines() if line not in submitted)


def _flags(ch: Chapter, outcome: Outcome) -> list[str]:
    flags = [clean(f"result protocol: {v}", 300) for v in getattr(outcome.isolated, "violations", [])]
    if flags:
        outcome.withhold = True
    if outcome.notebook_scores is None:
        return flags + [clean(f"notebook could not be run ({outcome.notebook_error}); "
                              "scored by the isolated checks", 400)]
    for grade_id, result in outcome.isolated.items():
        in_notebook = outcome.notebook_scores.get(grade_id, 0.0)
        if in_notebook > result.score + 1e-6:
            outcome.withhold = True
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
    files.write_text(path,
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(ch.title)}: feedback</title></head>"
        f"<body><h1>Chapter {ch.number}: {html.escape(ch.title)}</h1><p>Student: {html.escape(sub.student)}</p>"
        f"<p>Your notebook could not be run by the grader ({html.escape(outcome.notebook_error)}). "
        f"Your nnlib functions were checked on their own; these are your scores.</p>"
        f"<table border='1' cellpadding='4'><tr><th>exercise</th><th>points</th><th>failed checks</th></tr>"
        f"{''.join(rows)}</table></body></html>")
    return path


def _write_instructor_report(ch: Chapter, sub: Submission, outcome: Outcome, course_dir: Path) -> None:
    """Every failed check with its full reason: for the instructor, never for students."""
    lines = [f"{sub.student} {ch.id}: {sub.status} {sub.reason}", f"from {sub.origin}", f"sha256 {sub.sha256}", *sub.flags]
    for grade_id, result in outcome.isolated.items():
        lines.append(f"{grade_id}: {result.score:g}/{result.points:g} ({result.passed:g}/{result.total} checks)")
        lines.extend(f"    {clean(failure, 2000, newlines=False)}" for failure in result.failed)
    files.write_text(course_dir / "reports" / ch.id / f"{sub.student}.txt", "\n".join(lines) + "\n")
    diagnosis.write_record(course_dir, ch, sub.student, sub.status, outcome.isolated, outcome.diagnosis)


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
        lines.append(f"{'student':<{width}}  {'total':>7}  {'status':<10}  {'download':<10}  reason")
        for s in self.submissions:
            total = f"{sum(s.scores.values()):g}/{sum(self.points.values()):g}" if s.status == "graded" else "-"
            lines.append(f"{s.student:<{width}}  {total:>7}  {s.status:<10}  {s.convention or '?':<10}  "
                         f"{clean(s.reason, 300, newlines=False)}")
            lines.extend(f"{'':<{width}}  {'':>7}  {'flag':<10}  {'':<10}  {clean(flag, 300, newlines=False)}" for flag in s.flags)
        counts = {k: sum(s.status == k for s in self.submissions) for k in ("graded", "rejected", "failed", "superseded")}
        flagged = sum(bool(s.flags) for s in self.submissions if s.status == "graded")
        lines.append(", ".join(f"{v} {k}" for k, v in counts.items() if v) + f", {flagged} flagged; "
                     f"{len(self.submissions)} files in {self.seconds:.0f} s")
        lines.append(f"grades: {self.csv_path}")
        return "\n".join(lines)


CSV_TAIL = ["total", "max_score", "status", "flags", "reason", "feedback", "sha256"]


def _csv_header(ch: Chapter, points: dict[str, float]) -> list[str]:
    return ["student_id", *(exercise_name(ch, g) for g in points), *CSV_TAIL]


def _csv_row(ch: Chapter, points: dict[str, float], s: Submission) -> dict[str, str]:
    """One student's row; only a graded submission has scores (a rejected one is empty, not 0)."""
    if s.status == "graded":
        scores = [s.scores.get(g, 0.0) for g in points]
        cells = [*(f"{v:g}" for v in scores), f"{sum(scores):g}"]
    else:
        cells = [""] * (len(points) + 1)
    values = [s.student, *cells, f"{sum(points.values()):g}",
              s.status, "; ".join(s.flags), s.reason_and_origin, str(s.feedback or ""), s.sha256]
    return {k: clean(v, 4000) for k, v in zip(_csv_header(ch, points), values)}


class ClassCsv:
    """The class's grades, rewritten atomically after each student: this batch's rows only, or with
    ``merge`` the existing file's other students too (this batch's rows replace theirs)."""

    def __init__(self, path: Path, ch: Chapter, points: dict[str, float], merge: bool = True):
        self.path, self.ch, self.points = path, ch, points
        self.header = _csv_header(ch, points)
        self.rows: dict[str, dict[str, str]] = {}
        self.lock = threading.Lock()
        if merge and path.is_file():
            try:
                with path.open(newline="", encoding="utf-8", errors="replace") as existing:
                    self.rows = {row["student_id"]: row for row in csv.DictReader(existing)
                                 if list(row) == self.header}
            except (OSError, csv.Error, KeyError):
                self.rows = {}

    def update(self, subs: list[Submission]) -> None:
        with self.lock:
            for s in subs:
                if s.status != "superseded":
                    self.rows[s.student] = _csv_row(self.ch, self.points, s)
            out = io.StringIO()
            writer = csv.DictWriter(out, fieldnames=self.header)
            writer.writeheader()
            writer.writerows(self.rows[student] for student in sorted(self.rows))
            files.write_text(self.path, out.getvalue())


def write_csv(report: GradeReport) -> None:
    """The class's grades: this batch's rows replace those students' earlier rows; others are kept."""
    ClassCsv(report.csv_path, report.chapter, report.points).update(report.submissions)


class Journal:
    """Crash-safe record of finished students (one fsynced JSON line each), for ``grade(..., resume=True)``.

    A student is written to the journal only after the gradebook, feedback and report are
    done, so a grader killed mid-student regrades that student from scratch on resume, and
    a journaled student is never graded twice (the staged file's hash must match).
    """

    def __init__(self, path: Path, resume: bool):
        self.path, self.lock, self.done = path, threading.Lock(), {}
        path.parent.mkdir(parents=True, exist_ok=True)
        if resume and path.is_file():
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                try:
                    entry = json.loads(line)
                    self.done[entry["student"]] = entry
                except (ValueError, KeyError, TypeError):
                    continue   # a line cut short by a crash
        else:
            files.write_text(path, "")

    def finished(self, sub: Submission) -> bool:
        """Restore ``sub`` from the journal when it was graded from the same file."""
        entry = self.done.get(sub.student)
        if not entry or entry.get("sha256") != sub.sha256 or not sub.sha256:
            return False
        sub.status, sub.reason, sub.flags = entry["status"], entry["reason"], list(entry["flags"])
        sub.scores = {k: float(v) for k, v in entry["scores"].items()}
        sub.feedback = Path(entry["feedback"]) if entry.get("feedback") else None
        return True

    def record(self, sub: Submission) -> None:
        line = json.dumps({"student": sub.student, "sha256": sub.sha256, "status": sub.status,
                           "reason": clean(sub.reason), "flags": [clean(f) for f in sub.flags],
                           "scores": sub.scores, "feedback": str(sub.feedback or "")})
        with self.lock, self.path.open("a", encoding="utf-8") as out:
            out.write(line + "\n")
            out.flush()
            os.fsync(out.fileno())


def _finish(sub: Submission, outcome_future, journal: Journal, table: ClassCsv) -> None:
    """After one student: journal, then the CSV (atomically); a failure here is that student's, not the batch's."""
    try:
        journal.record(sub)
        table.update([sub])
    except Exception as error:  # noqa: BLE001 - reported; the final CSV write retries
        print(clean(f"warning: could not record {sub.student}: {type(error).__name__}: {error}"), file=sys.stderr)


def grade(chapter_id: str, submissions_folder: Path, *, course_dir: Path = GRADING, workers: int | None = None,
          limits: Limits = Limits(), cell_timeout: int | None = None, students: set[str] | None = None,
          progress: bool = True, resume: bool = False, merge: bool = False, scheduler: str | None = None) -> GradeReport:
    """Grade every submission in ``submissions_folder`` for one chapter; never stops on a bad one.

    ``course_dir`` is the nbgrader course folder (the chapter is released there first if
    needed); ``workers`` submissions are graded at once (default: CPU count); ``limits`` bound
    the isolated checks and ``cell_timeout`` (seconds) overrides nbgrader's per-cell limit.
    The class CSV holds only this batch's students, unless ``merge`` (or ``students``) keeps the
    other rows of the existing CSV. With ``students``, only their files are graded; the CSV keeps
    everyone else's rows.
    With ``resume``, students the journal of an interrupted run already finished (from the
    same file) are kept as they were, and only the others are graded. With ``scheduler`` (a Dask
    scheduler's address) the submissions are graded on that cluster (:mod:`.cluster`).
    """
    started = time.perf_counter()
    ch = chapter(chapter_id)
    course_dir = Path(course_dir)
    if Path(submissions_folder).resolve().is_relative_to((course_dir / "submitted").resolve()):
        raise GradingInputError(f"{submissions_folder} is where grading unpacks; give the download (or nbgrader's "
                                "submitted/ folder of your JupyterHub course), not the grading folder's own")
    subs = _submissions(Path(submissions_folder), ch.id)
    if students is not None:
        unknown = students - {s.student for s in subs}
        if unknown:
            raise GradingInputError(f"no submission from {', '.join(sorted(unknown))} in {submissions_folder}")
        subs = [s for s in subs if s.student in students]
    workers = workers or os.cpu_count() or 1
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    if not (course_dir / "release" / ch.id).is_dir():
        release(ch.id, course_dir=course_dir, dist=course_dir / "dist")
    (course_dir / "logs" / ch.id).mkdir(parents=True, exist_ok=True)
    staging = course_dir / "staging" / ch.id
    if staging.exists() and not resume:
        shutil.rmtree(staging)
    stage(subs, staging / f"run-{os.getpid()}-{int(time.time())}")   # inputs frozen before any student code
    notes = isolation().notes
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    points = exercises(ch)
    key = seeds.course_key(course_dir)
    table = ClassCsv(course_dir / "grades" / f"{ch.id}.csv", ch, points, merge=merge or students is not None)
    journal = Journal(course_dir / "journal" / f"{ch.id}.jsonl", resume)
    todo = [s for s in subs if s.status == "pending" and not journal.finished(s)]
    table.update([s for s in subs if s not in todo])
    # Importing nbgrader takes seconds: the local workers start now and import it while the budgets are measured.
    nbgrader_workers = [] if scheduler or not todo else [NbgraderWorker(course_dir, slot, cell_timeout)
                                                         for slot in range(min(workers, len(todo)))]
    log = (course_dir / "logs" / f"grade-{ch.id}.log").open("a", encoding="utf-8")
    try:
        for worker in nbgrader_workers:
            worker.start()
        # once per run: the reference's CPU time per check sets every check's budget (grading/budgets.py)
        reference_cpu = budgets.for_chapter(ch, course_dir / "source" / ch.id / "nnlib", course_dir, limits,
                                            reuse=resume) if todo_possible(subs) else None
        if scheduler:   # each submission a task on a Dask cluster; this process alone writes the results (grading/cluster.py)
            from .cluster import grade_batch
            grade_batch(scheduler, ch, todo, course_dir, points, limits, key, reference_cpu, cell_timeout, journal,
                        table, progress)
            todo = []
        idle: queue.Queue = queue.Queue()
        for worker in nbgrader_workers:
            idle.put(worker)
        with _warnings_to(log), ThreadPoolExecutor(max_workers=max(1, len(nbgrader_workers))) as pool, \
                tqdm(total=len(todo), desc=f"grading {ch.id}", unit="submission", disable=not progress) as bar:
            futures = {pool.submit(_grade_one, ch, s, course_dir, points, limits, idle, key, reference_cpu): s
                       for s in todo}
            for future in as_completed(futures):
                sub = futures[future]
                _outcome_or_failure(future, ch, sub, course_dir)
                _finish(sub, future, journal, table)
                bar.update()
    finally:
        for worker in nbgrader_workers:
            worker.stop()
        kernel_limits.remove(range(workers))
        log.close()
    report = GradeReport(ch, points, subs, table.path, notes, time.perf_counter() - started)
    table.update(subs)
    report.notes += class_report.after_grading(ch, course_dir)   # the class report, rewritten from every student's record
    return report


class GradingInputError(ValueError):
    """The submissions folder cannot be graded at all (missing, not a folder, or empty): one line says why."""


def _submissions(folder: Path, assignment: str | None = None) -> list[Submission]:
    if not folder.exists():
        raise GradingInputError(f"the submissions folder {folder} does not exist")
    if not folder.is_dir():
        raise GradingInputError(f"{folder} is not a folder (give the folder that holds the students' zips)")
    subs = find_submissions(folder, assignment)
    if not subs:
        raise GradingInputError(f"the submissions folder {folder} holds no files to grade")
    return subs


@contextmanager
def _warnings_to(log):
    """Warnings raised in this process (SQLAlchemy's, jupyter_client's) go to ``log``, not the console."""
    def show(message, category, filename, lineno, file=None, line=None):
        try:
            log.write(warnings.formatwarning(message, category, filename, lineno, line))
            log.flush()
        except (OSError, ValueError):
            pass
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        warnings.showwarning = show
        yield


def command(chapter_id: str, submissions_folder: Path, **options) -> int:
    """``coursekit grade``: grade, print the summary; 2 with a one-line error when there is nothing to grade."""
    try:
        report = grade(chapter_id, Path(submissions_folder), **options)
    except GradingInputError as error:
        print(f"coursekit grade: error: {error}", file=sys.stderr)
        return 2
    print(report.summary())
    return 0


def todo_possible(subs: list[Submission]) -> bool:
    return any(s.status == "pending" for s in subs)


def _outcome_or_failure(future, ch: Chapter, sub: Submission, course_dir: Path) -> Outcome:
    """The graded outcome, or, when the grader itself broke on this submission, a failure with its reason."""
    try:
        return future.result()
    except Exception as error:  # noqa: BLE001 - one broken submission never stops the batch
        return _failed(ch, sub, course_dir, error)
