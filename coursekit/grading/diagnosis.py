"""Which known mistake did a wrong answer make? Its probe results against the mutants'.

Side of the wall: grader. The student's probe results come back from the probe jail
(:mod:`coursekit.grading.isolated` keeps them, per module and check); the mutants are our
own code (:class:`coursekit.variants.Mutant`) and are probed here, in the grading process,
on the *same* per-student seeds. No student code runs here.

The matching rule, per exercise and student:

1. Only an exercise on which the student lost points is diagnosed. If every failed check
   raised ``NotImplementedError`` the exercise was not attempted: no diagnosis.
2. A mutant of that exercise is a candidate only if it loses points on these seeds.
3. The answer *behaves like* a candidate when it fails exactly the same checks of the
   exercise (the "raises ValueError" error rule applied to both) and, on every failed
   check, their outputs agree. Outputs agree when
   (a) they are equal as plain data (same structure, numbers within ``rtol=1e-6``,
   ``atol=1e-9``; two exceptions agree when they are of the same type), or
   (b) the check's own judge accepts the student's output with the mutant standing in for
   the reference: the student matches the mutant within the check's own tolerance, or
   (c) the mutant is not reproducible on that check (it draws from an unseeded generator:
   two runs on the same seed differ), and the outputs have the same form (structure,
   shapes, kinds of number): the only thing such a mistake has in common from run to run.
   Results that say nothing about behaviour (not implemented, over the time budget, a
   sandbox or protocol failure) never agree with anything.
4. When several candidates match, the closest wins: the distance is the sum, over the
   failed checks, of how far the outputs are apart (rule (a): the largest relative
   difference, scaled into [0, 0.001]; rule (b): 0.001 plus the relative difference, at
   most 1; rule (c): 1). Candidates at the same smallest distance behave identically on
   these probes: all are named, as indistinguishable.
5. No candidate matches: "an unrecognised mistake".

Cost (measured, CPU seconds, for a student failing every exercise, so every mutant of the
chapter is probed twice and judged): ch01 0.12, ch02 0.14, ch03 1.1, ch04 2.4, ch05 0.7,
ch06 2.3, plus about 0.2 s once per process to load the mutants; a regrade of the same
student hits the cache (``mutant_run``, keyed by mutant and seeds): 0.01-0.4 s. Seeds differ
per student, so nothing can be shared between students; only the exercises a student lost
points on are computed.
"""
from __future__ import annotations

import html
import json
import math
import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from .. import hidden
from ..chapters import Chapter
from ..notebooks import read
from ..variants import load_module, mutant_source, reference_module
from . import files

RTOL, ATOL = 1e-6, 1e-9
NOT_BEHAVIOUR = {"NotImplementedError", "Timeout", "Sandbox", "Protocol"}
MATCHED, UNRECOGNISED, NOT_ATTEMPTED = "matched", "unrecognised", "not attempted"


@dataclass
class Diagnosis:
    """What one exercise's wrong answer looks like."""

    exercise: str
    kind: str                                         # MATCHED, UNRECOGNISED or NOT_ATTEMPTED
    mutants: list[str] = field(default_factory=list)  # the closest matching mutants (several: indistinguishable)
    distance: float = 0.0

    def to_json(self) -> dict:
        return {"exercise": self.exercise, "kind": self.kind, "mutants": list(self.mutants),
                "distance": self.distance}


# -- comparing plain probe results ------------------------------------------------------

def _distance(a, b) -> float:
    """Largest relative difference between two plain results; inf when their forms differ."""
    if isinstance(a, hidden.Raised) or isinstance(b, hidden.Raised):
        if isinstance(a, hidden.Raised) and isinstance(b, hidden.Raised) and a.type == b.type \
                and a.type not in NOT_BEHAVIOUR:
            return 0.0
        return math.inf
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        if len(a) != len(b) or isinstance(a, tuple) != isinstance(b, tuple):
            return math.inf
        return max((_distance(x, y) for x, y in zip(a, b)), default=0.0)
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            return math.inf
        return max((_distance(a[k], b[k]) for k in a), default=0.0)
    if isinstance(a, str) or isinstance(b, str) or a is None or b is None:
        return 0.0 if type(a) is type(b) and a == b else math.inf
    if isinstance(a, bool) or isinstance(b, bool):
        return 0.0 if isinstance(a, bool) and isinstance(b, bool) and a == b else math.inf
    try:
        x, y = np.asarray(a), np.asarray(b)
        if x.shape != y.shape or x.dtype.kind not in "biuf" or y.dtype.kind not in "biuf":
            return math.inf
        if x.size == 0:
            return 0.0
        x, y = x.astype(float), y.astype(float)
        same = (x == y) | (np.isnan(x) & np.isnan(y))
        diff = np.where(same, 0.0, np.abs(x - y) / (ATOL / RTOL + np.abs(y)))
        diff = np.where(np.isnan(diff), math.inf, diff)
        return float(diff.max())
    except (TypeError, ValueError, OverflowError):
        return math.inf


def _form(value):
    """The shape of a plain result without its numbers: structure, array shapes, kinds of number."""
    if isinstance(value, hidden.Raised):
        return ("raised", value.type)
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(_form(v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple(sorted((k, _form(v)) for k, v in value.items())))
    if isinstance(value, np.ndarray):
        return ("array", value.shape, value.dtype.kind)
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return (type(value).__name__,)
    if isinstance(value, (int, float)):
        return ("number",)
    return ("other", type(value).__name__)


def _check_distance(check: hidden.HiddenCheck, got, mutant_got, mutant_module, seed: int,
                    random: bool = False) -> float:
    """0..1 when ``got`` agrees with the mutant's output on a failed check (rule 3), else inf."""
    if isinstance(got, hidden.Raised) and got.type in NOT_BEHAVIOUR:
        return math.inf
    numeric = _distance(got, mutant_got)
    if numeric <= RTOL:
        return numeric / RTOL * 1e-3   # equal within rtol: far closer than agreement by the judge
    if hidden.judge(check, got, mutant_module, seed) is None:
        return min(1.0, 1e-3 + numeric) if math.isfinite(numeric) else 1.0
    if random and _form(got) == _form(mutant_got):
        return 1.0
    return math.inf


# -- the mutants, probed in this process -------------------------------------------------

_LOCK = threading.Lock()


@lru_cache(maxsize=None)
def _mutant_module(module: str, exercise: str, name: str):
    with _LOCK:
        return load_module(mutant_source(module, mutant_named(module, exercise, name)),
                           f"_diagnosis_{module}_{exercise}_{name}")


@lru_cache(maxsize=None)
def _reference(module: str):
    with _LOCK:
        return reference_module(module)


def mutants_of(module: str, exercise: str) -> list:
    return [m for m in hidden.suite(module).mutants if m.exercise == exercise]


@lru_cache(maxsize=4096)
def mutant_run(module: str, name: str, exercise: str, seeds: tuple[int, ...]) -> tuple[tuple, tuple, tuple]:
    """(probe values, passed flags, not-reproducible flags) of one mutant on its exercise's checks.

    Each probe runs twice: a check whose two results differ is marked not reproducible (rule (c)).
    """
    student = _mutant_module(module, exercise, name)
    checks = hidden.suite(module).for_exercise(exercise)
    values = tuple(hidden.run_probe(check, student, seed) for check, seed in zip(checks, seeds))
    again = tuple(hidden.run_probe(check, student, seed) for check, seed in zip(checks, seeds))
    judged = hidden.apply_error_rule([(check, hidden.judge(check, got, _reference(module), seed))
                                      for check, got, seed in zip(checks, values, seeds)])
    random = tuple(_distance(a, b) > RTOL for a, b in zip(values, again))
    return values, tuple(reason is None for _, reason in judged), random


def mutant_results(module: str, name: str, exercise: str, seeds: tuple[int, ...]) -> tuple[tuple, tuple]:
    """(probe values, passed flags) of one mutant on the checks of its exercise, with these seeds."""
    values, passed, _ = mutant_run(module, name, exercise, tuple(seeds))
    return values, passed


def diagnose_exercise(module: str, exercise: str, values: list, passed: list[bool],
                      seeds: list[int]) -> Diagnosis | None:
    """The diagnosis of one exercise from the student's probe values and verdicts (check order).

    None when the exercise lost no points (nothing to diagnose).
    """
    checks = hidden.suite(module).for_exercise(exercise)
    if len(values) != len(checks) or len(passed) != len(checks) or len(seeds) != len(checks):
        return Diagnosis(exercise, UNRECOGNISED)
    if all(passed):
        return None
    failed = [i for i, ok in enumerate(passed) if not ok]
    if all(isinstance(values[i], hidden.Raised) and values[i].type == "NotImplementedError" for i in failed):
        return Diagnosis(exercise, NOT_ATTEMPTED)
    found: list[tuple[float, str]] = []
    for mutant in mutants_of(module, exercise):
        mutant_values, mutant_passed, random = mutant_run(module, mutant.name, exercise, tuple(seeds))
        if all(mutant_passed) or list(mutant_passed) != list(passed):
            continue
        total = 0.0
        for i in failed:
            total += _check_distance(checks[i], values[i], mutant_values[i],
                                     _mutant_module(module, exercise, mutant.name), seeds[i], random[i])
            if not math.isfinite(total):
                break
        if math.isfinite(total):
            found.append((total, mutant.name))
    if not found:
        return Diagnosis(exercise, UNRECOGNISED)
    best = min(d for d, _ in found)
    closest = [name for d, name in found if d <= best + 1e-12]
    return Diagnosis(exercise, MATCHED, closest, best)


def diagnose(ch: Chapter, scores, student: str | None, key: str = "") -> dict[str, Diagnosis]:
    """exercise -> Diagnosis for every exercise of ``ch`` that lost points (``scores``: IsolatedScores).

    Never raises: a failure here must not cost a student their grade (the exercise is then
    left undiagnosed).
    """
    out: dict[str, Diagnosis] = {}
    probes = getattr(scores, "probes", {}) or {}
    for module in ch.modules:
        values = probes.get(module)
        checks = hidden.suite(module).checks
        if values is None or len(values) != len(checks):
            continue
        for exercise in hidden.suite(module).exercises:
            entry = scores.get(f"{ch.id}_{exercise}")
            if entry is None:
                continue
            index = [i for i, c in enumerate(checks) if c.exercise == exercise]
            seeds = [checks[i].seed if student is None else checks[i].seed_for(student, key) for i in index]
            try:
                found = diagnose_exercise(module, exercise, [values[i] for i in index],
                                          [bool(v[1]) for v in entry.verdicts], seeds)
            except Exception:  # noqa: BLE001 - diagnosis is advice; it never breaks grading
                continue
            if found is not None:
                out[exercise] = found
    return out


# -- what the student reads -------------------------------------------------------------

def mutant_named(module: str, exercise: str, name: str):
    return next(m for m in hidden.suite(module).mutants if m.exercise == exercise and m.name == name)


_LABEL = re.compile(r"^\(([A-Za-z0-9_.:-]+)\)=\s*$")
_SECTION = re.compile(r"^##\s+(\d+)\.\s+(.*\S)\s*$")
_EXERCISE = re.compile(r"^###\s+(Exercise\s+\d+)\b")


@lru_cache(maxsize=None)
def chapter_labels(notebook_path: str) -> dict[str, str]:
    """label -> where it points, in words ("section 4 of the chapter, “Adaptive ...” (Exercise 6)"), for a chapter notebook."""
    labels: dict[str, str] = {}
    section = exercise = ""
    pending: list[str] = []
    for cell in read(Path(notebook_path)).cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            label = _LABEL.match(line.strip())
            if label:
                pending.append(label.group(1))
                continue
            heading = _SECTION.match(line)
            if heading:
                section, exercise = f"section {heading.group(1)} of the chapter, “{heading.group(2)}”", ""
            elif line.startswith("## "):
                section, exercise = "", ""
            ex = _EXERCISE.match(line)
            if ex:
                exercise = ex.group(1)
            if line.strip() and pending:
                where = f"{section} ({exercise})" if exercise and section else (section or "the chapter")
                for name in pending:
                    labels[name] = where
                pending = []
    for name in pending:
        labels[name] = "the chapter"
    return labels


def sentence(ch: Chapter, module: str, found: Diagnosis) -> str:
    """The one plain sentence a student reads about a matched exercise ("" when nothing matched)."""
    if found.kind != MATCHED or not found.mutants:
        return ""
    mutants = [mutant_named(module, found.exercise, name) for name in found.mutants]
    described = [m.student or m.misconception for m in mutants]
    like = "an answer that " + described[0]
    if len(described) > 1:
        like += "".join(f", or one that {d}" for d in described[1:]) + " (the checks cannot tell these apart)"
    where = chapter_labels(str(ch.notebook_path)).get(mutants[0].section, "the chapter")
    return f"Your `{found.exercise}` behaves like {like}. See {where}."


def sentences(ch: Chapter, diagnoses: dict[str, Diagnosis]) -> list[str]:
    out = []
    for module in ch.modules:
        for exercise in hidden.suite(module).exercises:
            found = diagnoses.get(exercise)
            text = sentence(ch, module, found) if found else ""
            if text:
                out.append(text)
    return out


def add_to_feedback(ch: Chapter, path: Path, diagnoses: dict[str, Diagnosis] | None) -> None:
    """Put the sentences at the top of the student's feedback HTML (before it is scanned for secrets).

    Never raises: the feedback stays as it was if anything goes wrong.
    """
    try:
        texts = sentences(ch, diagnoses or {})
    except Exception:  # noqa: BLE001 - advice only
        return
    if not texts or not path.is_file():
        return
    items = "".join(f"<li>{_code(html.escape(t))}</li>" for t in texts)
    block = (f"<div class='container'><div class='coursekit-diagnosis' style='border:1px solid #c9a227;"
             f"background:#fff8e1;padding:0.6em 1em;margin:1em 0;font-family:sans-serif'>"
             f"<strong>Known mistakes your answers behave like</strong><ul>{items}</ul></div></div>")
    files.insert_at_top(path, block)


def _code(escaped: str) -> str:
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)


# -- what the class report reads back ----------------------------------------------------

def record_path(course_dir: Path, chapter_id: str, student: str) -> Path:
    return Path(course_dir) / "reports" / chapter_id / f"{student}.diagnosis.json"


def write_record(course_dir: Path, ch: Chapter, student: str, status: str, isolated: dict,
                 diagnoses: dict[str, Diagnosis] | None) -> Path:
    """The student's scores, check verdicts and diagnoses, for the class report (atomically; a regrade replaces it)."""
    exercises = {}
    for grade_id, result in (isolated or {}).items():
        name = grade_id.removeprefix(f"{ch.id}_")
        found = (diagnoses or {}).get(name)
        exercises[name] = {"points": result.points, "score": result.score,
                           "checks": [[str(d), bool(p)] for d, p, *_ in result.verdicts],
                           "diagnosis": found.to_json() if found else None}
    record = {"student": student, "chapter": ch.id, "status": status if exercises else f"{status} (no scores)",
              "graded": bool(exercises) and status == "graded", "exercises": exercises}
    return files.write_text(record_path(course_dir, ch.id, student), json.dumps(record, indent=1))


__all__ = ["Diagnosis", "diagnose", "diagnose_exercise", "sentence", "sentences", "add_to_feedback",
           "write_record", "record_path", "mutant_run", "mutant_results"]
