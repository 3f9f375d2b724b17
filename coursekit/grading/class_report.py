"""The class report of a chapter, for the instructor: scores, hidden checks and known mistakes.

Side of the wall: grader. Built only from the per-student records that grading leaves beside
the instructor reports (``reports/<chapter>/<student>.diagnosis.json``, written by
:func:`coursekit.grading.diagnosis.write_record`), so it is rewritten at the end of every
``coursekit grade`` run and whenever ``coursekit report <chapter>`` asks, and a regraded
student's new record replaces the old one. When the class CSV (``grades/<chapter>.csv``)
exists, only the students it lists as graded are counted.

Writes ``reports/<chapter>/class-report.html`` (one page: the score distribution of every
exercise as an embedded PNG, the pass rate of every hidden check, and per exercise the known
mistakes ranked by how many students made them, with unrecognised wrong answers and
unattempted exercises counted) and ``reports/<chapter>/class-report.csv`` (the same numbers),
both atomically (:mod:`coursekit.grading.files`). For instructors only: it names hidden checks.
"""
from __future__ import annotations

import base64
import csv
import html
import io
import json
import sys
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from .. import hidden
from ..chapters import Chapter, chapter
from ..paths import GRADING
from . import diagnosis, files

HTML_NAME, CSV_NAME = "class-report.html", "class-report.csv"
UNRECOGNISED_ROW = "(an unrecognised mistake)"
NOT_ATTEMPTED_ROW = "(not attempted)"


def _records(ch: Chapter, course_dir: Path) -> list[dict]:
    """The graded students' records (those of the class CSV when there is one), by student id."""
    folder = Path(course_dir) / "reports" / ch.id
    listed = _graded_in_csv(Path(course_dir) / "grades" / f"{ch.id}.csv")
    records = []
    for path in sorted(folder.glob("*.diagnosis.json")) if folder.is_dir() else []:
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(record, dict) or not record.get("graded") or not isinstance(record.get("exercises"), dict):
            continue
        if listed is not None and record.get("student") not in listed:
            continue
        records.append(record)
    return records


def _graded_in_csv(path: Path) -> set[str] | None:
    if not path.is_file():
        return None
    try:
        with path.open(newline="", encoding="utf-8", errors="replace") as rows:
            return {row["student_id"] for row in csv.DictReader(rows) if row.get("status") == "graded"}
    except (OSError, csv.Error, KeyError):
        return None


def _exercises(ch: Chapter) -> list[tuple[str, str]]:
    return [(module, exercise) for module in ch.modules for exercise in hidden.suite(module).exercises]


def summarize(ch: Chapter, records: list[dict]) -> dict:
    """Per exercise: scores, check pass counts, mistake counts (the report's numbers)."""
    out = {}
    for module, exercise in _exercises(ch):
        entries = [r["exercises"][exercise] for r in records if isinstance(r["exercises"].get(exercise), dict)]
        checks: dict[str, list[int]] = {c.description: [0, 0] for c in hidden.suite(module).for_exercise(exercise)}
        for entry in entries:
            for description, passed in entry.get("checks", []):
                counts = checks.setdefault(str(description), [0, 0])
                counts[0] += bool(passed)
                counts[1] += 1
        mistakes: Counter = Counter()
        who: dict[str, list[str]] = {}
        wrong = full = 0
        for record, entry in ((r, r["exercises"][exercise]) for r in records
                              if isinstance(r["exercises"].get(exercise), dict)):
            found = entry.get("diagnosis") or {}
            kind = found.get("kind")
            if entry.get("score", 0) >= entry.get("points", 0) and kind is None:
                full += 1
                continue
            wrong += 1
            if kind == diagnosis.MATCHED and found.get("mutants"):
                row = " = ".join(sorted(str(m) for m in found["mutants"]))
            elif kind == diagnosis.NOT_ATTEMPTED:
                row = NOT_ATTEMPTED_ROW
            else:
                row = UNRECOGNISED_ROW
            mistakes[row] += 1
            who.setdefault(row, []).append(str(record.get("student")))
        out[exercise] = {"module": module, "points": max([e.get("points", 0) for e in entries] or [0]),
                         "scores": [float(e.get("score", 0)) for e in entries], "checks": checks,
                         "mistakes": mistakes, "students": who, "wrong": wrong, "full": full}
    return out


def _misconception(module: str, exercise: str, row: str) -> str:
    if row in (UNRECOGNISED_ROW, NOT_ATTEMPTED_ROW):
        return ""
    texts = []
    for name in row.split(" = "):
        try:
            texts.append(diagnosis.mutant_named(module, exercise, name).misconception)
        except StopIteration:
            texts.append("(a mutant no longer defined)")
    return " / ".join(texts)


def _ranked(mistakes: Counter) -> list[tuple[str, int]]:
    """Known mistakes by count (then name); the unrecognised and unattempted rows last."""
    known = sorted(((r, n) for r, n in mistakes.items() if not r.startswith("(")), key=lambda rn: (-rn[1], rn[0]))
    return known + [(r, mistakes[r]) for r in (UNRECOGNISED_ROW, NOT_ATTEMPTED_ROW) if mistakes[r]]


def _figure(ch: Chapter, summary: dict) -> str:
    """The score distribution of every exercise, as a base64 PNG."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    names = list(summary)
    cols = min(4, max(1, len(names)))
    rows = (len(names) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(11, 2.6 * rows), squeeze=False)
    for ax, name in zip(axes.flat, names):
        points = summary[name]["points"] or 1.0
        fractions = np.array(summary[name]["scores"]) / points
        bins = np.linspace(0, 1, 11)
        counts, _ = np.histogram(np.clip(fractions, 0, 1), bins=bins)
        colours = ["#c0392b" if b < 0.5 else "#e1a33b" if b < 0.9 else "#2e8b57" for b in bins[:-1]]
        ax.bar(bins[:-1] * 100 + 5, counts, width=9, color=colours)
        ax.set_title(f"{name} ({len(fractions)} students)", fontsize=10)
        ax.set_xlim(0, 100)
        ax.set_xlabel("score (% of the exercise's points)", fontsize=8)
        ax.set_ylabel("students", fontsize=8)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.tick_params(labelsize=8)
    for ax in list(axes.flat)[len(names):]:
        ax.axis("off")
    fig.suptitle(f"{ch.id}: score distribution per exercise", fontsize=12)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


_STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5em auto;max-width:1100px;color:#222}
h1{font-size:1.5em} h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:0.5em 0 1em;width:100%} td,th{border-bottom:1px solid #e4e4e4;padding:3px 8px;
text-align:left;vertical-align:top;font-size:0.9em} th{background:#f4f4f4}
td.n{text-align:right;white-space:nowrap;width:5em} .bar{display:inline-block;height:0.8em;background:#4a7fb5}
.low .bar{background:#c0392b} .muted{color:#777} code{font-size:0.95em}
"""


def render_html(ch: Chapter, summary: dict, n_students: int) -> str:
    e = html.escape
    written = datetime.now(timezone.utc)
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{e(ch.id)} class report</title>",
             f"<style>{_STYLE}</style></head><body>",
             f"<h1>Chapter {ch.number}: {e(ch.title)} — class report</h1>",
             f"<p>{n_students} graded student(s); written {written:%Y-%m-%d %H:%M} UTC. "
             + "For the instructor only: it names the hidden checks.</p>"]
    parts.append("<h2>Overview</h2><table><tr><th>exercise</th><th class='n'>students</th><th class='n'>mean</th>"
                 "<th class='n'>full marks</th><th class='n'>known mistake</th><th class='n'>unrecognised</th>"
                 "<th class='n'>not attempted</th></tr>")
    for name, s in summary.items():
        known = sum(n for r, n in s["mistakes"].items() if not r.startswith("("))
        mean = sum(s["scores"]) / len(s["scores"]) if s["scores"] else 0.0
        parts.append(f"<tr><td><code>{e(name)}</code></td><td class='n'>{len(s['scores'])}</td>"
                     f"<td class='n'>{mean:.2g} / {s['points']:g}</td><td class='n'>{s['full']}</td>"
                     f"<td class='n'>{known}</td><td class='n'>{s['mistakes'][UNRECOGNISED_ROW]}</td>"
                     f"<td class='n'>{s['mistakes'][NOT_ATTEMPTED_ROW]}</td></tr>")
    parts.append("</table>")
    if n_students:
        parts.append(f"<h2>Score distribution</h2><img alt='score distribution per exercise' style='max-width:100%' "
                     f"src='data:image/png;base64,{_figure(ch, summary)}'>")
    parts.append("<h2>Known mistakes, per exercise</h2><p class='muted'>Each wrong answer is matched against the "
                 "exercise's mutants on the student's own hidden inputs (see <code>coursekit/grading/diagnosis.py</code>"
                 "). Mutants joined by = behaved identically on the probes.</p>")
    for name, s in summary.items():
        parts.append(f"<h3><code>{e(name)}</code>: {s['wrong']} wrong answer(s) of {len(s['scores'])}</h3>")
        ranked = _ranked(s["mistakes"])
        if not ranked:
            parts.append("<p class='muted'>No wrong answers.</p>")
            continue
        parts.append("<table><tr><th>mistake</th><th>what it does</th><th class='n'>students</th>"
                     "<th class='n'>share</th></tr>")
        for row, count in ranked:
            share = count / s["wrong"] if s["wrong"] else 0.0
            parts.append(f"<tr><td><code>{e(row)}</code></td><td>{e(_misconception(s['module'], name, row))}</td>"
                         f"<td class='n'>{count}</td><td class='n'>{share:.0%}</td></tr>")
        parts.append("</table>")
    parts.append("<h2>Hidden checks: pass rate</h2>")
    for name, s in summary.items():
        parts.append(f"<h3><code>{e(name)}</code></h3><table><tr><th>check</th><th class='n'>passed</th>"
                     f"<th class='n'>rate</th><th style='width:22%'></th></tr>")
        for description, (passed, total) in s["checks"].items():
            rate = passed / total if total else 0.0
            low = " class='low'" if total and rate < 0.5 else ""
            parts.append(f"<tr{low}><td>{e(description)}</td><td class='n'>{passed}/{total}</td>"
                         f"<td class='n'>{rate:.0%}</td><td><span class='bar' style='width:{rate * 100:.0f}%'></span></td></tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts)


def render_csv(summary: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["kind", "exercise", "item", "description", "count", "total", "rate", "students"])
    for name, s in summary.items():
        scores, points = s["scores"], s["points"]
        mean = sum(scores) / len(scores) if scores else 0.0
        writer.writerow(["score", name, "mean", f"of {points:g} points", f"{mean:.4g}", len(scores), "", ""])
        writer.writerow(["score", name, "full marks", "", s["full"], len(scores),
                         f"{s['full'] / len(scores):.4f}" if scores else "", ""])
        for description, (passed, total) in s["checks"].items():
            writer.writerow(["check", name, description, "", passed, total, f"{passed / total:.4f}" if total else "", ""])
        for row, count in _ranked(s["mistakes"]):
            writer.writerow(["mistake", name, row, _misconception(s["module"], name, row), count, s["wrong"],
                             f"{count / s['wrong']:.4f}" if s["wrong"] else "", ";".join(sorted(s["students"][row]))])
    return out.getvalue()


def write(chapter_id: str, course_dir: Path = GRADING) -> tuple[Path, Path]:
    """Write the chapter's class report (HTML and CSV) from the students' records; their paths."""
    ch = chapter(chapter_id)
    records = _records(ch, Path(course_dir))
    summary = summarize(ch, records)
    folder = Path(course_dir) / "reports" / ch.id
    page = files.write_text(folder / HTML_NAME, render_html(ch, summary, len(records)))
    table = files.write_text(folder / CSV_NAME, render_csv(summary))
    return page, table


def after_grading(ch: Chapter, course_dir: Path) -> tuple[str, ...]:
    """Called by ``coursekit grade`` at the end of a run: a note naming the report, or why it is missing."""
    try:
        page, _ = write(ch.id, course_dir)
        return (f"class report: {page}",)
    except Exception as error:  # noqa: BLE001 - the grades are written already; the report is extra
        return (f"class report not written ({type(error).__name__}: {str(error)[:200]})",)


def command(chapter_id: str, course_dir: Path = GRADING) -> int:
    """``coursekit report <chapter>``."""
    page, table = write(chapter_id, course_dir)
    n = len(_records(chapter(chapter_id), Path(course_dir)))
    print(f"class report of {chapter_id} ({n} graded students): {page}\n{table}")
    if not n:
        print(f"note: no graded student records in {Path(course_dir) / 'reports' / chapter_id}", file=sys.stderr)
    return 0
