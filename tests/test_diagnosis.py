"""Diagnosis of wrong answers (coursekit.grading.diagnosis): fast, in-process, every chapter.

Every mutant's own probe results must be diagnosed as that mutant (or, for mutants the probes
cannot tell apart, as the pair listed in INDISTINGUISHABLE), the reference as nothing and the
stub as "not attempted"; every mutant has a student sentence and a section label that exists in
its chapter's notebook; no sentence trips the secret scanner.
"""
import math
import re

import numpy as np
import pytest

from coursekit import hidden, secrets, variants
from coursekit.chapters import CHAPTER_LIST, chapter_of_module, exercise_modules
from coursekit.grading import diagnosis
from coursekit.grading.isolated import ExerciseScore, IsolatedScores

# Pairs of mutants (module -> {(exercise, mutant, mutant)}) whose probe results the matching rule
# cannot tell apart. None today: every mutant of every chapter is told apart.
INDISTINGUISHABLE: dict[str, set] = {module: set() for module in exercise_modules()}
SEED_SETS = [None, "student-a"]   # the checks' fixed seeds, and one student's seeds
KEY = "test-key"
ALL_MUTANTS = [(m, mu) for m in exercise_modules() for mu in hidden.suite(m).mutants]


def _seeds(checks, student):
    return [c.seed if student is None else c.seed_for(student, KEY) for c in checks]


def scores_in_process(module, student_module, student=None, only=None, base=None):
    """IsolatedScores as the isolated grader builds them, probed in this process (our own code only).

    With ``only`` (an exercise), only its checks are probed; the others take their values from ``base``.
    """
    ch = chapter_of_module(module)
    checks = hidden.suite(module).checks
    seeds = _seeds(checks, student)
    values = [hidden.run_probe(c, student_module, s) if only is None or c.exercise == only else base[i]
              for i, (c, s) in enumerate(zip(checks, seeds))]
    reference = variants.reference_module(module)
    judged = hidden.apply_error_rule([(c, hidden.judge(c, v, reference, s)) for c, v, s in zip(checks, values, seeds)])
    scores = IsolatedScores({f"{ch.id}_{e}": ExerciseScore(f"{ch.id}_{e}", 1.0) for e in hidden.suite(module).exercises})
    for check, reason in judged:
        entry = scores[f"{ch.id}_{check.exercise}"]
        entry.total += 1
        entry.passed += reason is None
        entry.verdicts.append((check.description, reason is None, ""))
    scores.probes[module] = values
    return ch, scores


@pytest.mark.parametrize("module", exercise_modules())
@pytest.mark.parametrize("student", SEED_SETS)
def test_every_mutant_is_diagnosed_as_itself(module, student):
    pairs = set()
    for mutant in hidden.suite(module).mutants:
        checks = hidden.suite(module).for_exercise(mutant.exercise)
        seeds = _seeds(checks, student)
        values, passed = diagnosis.mutant_results(module, mutant.name, mutant.exercise, tuple(seeds))
        assert not all(passed), f"{mutant.name} loses no points with these seeds"
        found = diagnosis.diagnose_exercise(module, mutant.exercise, list(values), list(passed), seeds)
        assert found is not None and found.kind == diagnosis.MATCHED and mutant.name in found.mutants, \
            f"{mutant.exercise}/{mutant.name} diagnosed as {found}"
        pairs |= {(mutant.exercise, *sorted((mutant.name, other))) for other in found.mutants if other != mutant.name}
    assert pairs == INDISTINGUISHABLE[module], f"pairs the probes cannot tell apart: {sorted(pairs)}"


@pytest.mark.parametrize("module", exercise_modules())
def test_full_pipeline_names_each_mutant_reference_nothing_stub_not_attempted(module):
    ch, scores = scores_in_process(module, variants.reference_module(module), "student-a")
    assert diagnosis.diagnose(ch, scores, "student-a", KEY) == {}
    reference_values = scores.probes[module]
    for i, mutant in enumerate(hidden.suite(module).mutants):
        student = variants.load_module(variants.mutant_source(module, mutant), f"_diag_test_{module}_{i}")
        ch, scores = scores_in_process(module, student, "student-a", only=mutant.exercise, base=reference_values)
        found = diagnosis.diagnose(ch, scores, "student-a", KEY)
        assert list(found) == [mutant.exercise] and found[mutant.exercise].mutants == [mutant.name]
        sentence = diagnosis.sentence(ch, module, found[mutant.exercise])
        assert sentence.startswith(f"Your `{mutant.exercise}` behaves like an answer that {mutant.student}")
    stub = variants.load_module(variants.stub_source(module), f"_diag_test_stub_{module}")
    ch, scores = scores_in_process(module, stub, "student-a")
    found = diagnosis.diagnose(ch, scores, "student-a", KEY)
    assert set(found) == set(hidden.suite(module).exercises)
    assert {d.kind for d in found.values()} == {diagnosis.NOT_ATTEMPTED}
    assert diagnosis.sentences(ch, found) == []


@pytest.mark.parametrize("module,mutant", ALL_MUTANTS, ids=lambda v: getattr(v, "name", v))
def test_every_mutant_has_a_student_sentence_and_a_section_in_its_chapter(module, mutant):
    ch = chapter_of_module(module)
    assert mutant.student and mutant.section, f"{mutant.exercise}/{mutant.name} lacks student= or section="
    assert mutant.student[0].islower() and not mutant.student.endswith("."), "a clause that follows 'an answer that'"
    assert mutant.section.startswith(f"{ch.id}-")
    assert mutant.section in diagnosis.chapter_labels(str(ch.notebook_path)), \
        f"no ({mutant.section})= target in {ch.notebook_path.name}"


def test_labels_are_read_from_the_notebook_and_a_missing_one_is_reported(tmp_path):
    ch = CHAPTER_LIST[-1]
    labels = diagnosis.chapter_labels(str(ch.notebook_path))
    assert labels["ch06-adam"].startswith("section 4 of the chapter, “") and labels["ch06-adam"].endswith("(Exercise 6)")
    assert "ch06-no-such-label" not in labels


def test_no_sentence_trips_the_secret_scanner(tmp_path):
    """Every sentence a student can read, put into a feedback page and scanned as the grader scans feedback."""
    page = tmp_path / "feedback.html"
    page.write_text("<!DOCTYPE html><html><body><p>feedback</p></body></html>")
    texts = []
    for module, mutant in ALL_MUTANTS:
        ch = chapter_of_module(module)
        texts.append(diagnosis.sentence(ch, module, diagnosis.Diagnosis(mutant.exercise, diagnosis.MATCHED, [mutant.name])))
        body = tmp_path / f"{module}.html"
        body.write_text(page.read_text())
        found = {m.exercise: diagnosis.Diagnosis(m.exercise, diagnosis.MATCHED, [m.name])
                 for m in hidden.suite(module).mutants}
        diagnosis.add_to_feedback(ch, body, found)
        assert "behaves like an answer that" in secrets.html_text(body.read_text())
        assert secrets.scan([body]) == []
    assert all(texts) and secrets.scan([_write(tmp_path / "all.txt", "\n".join(texts))]) == []
    # the scan can fail: a sentence quoting a hidden-check line is caught
    leak = next(line for line in secrets.secret_lines() if "rng" in line or "seed" in line)
    assert secrets.scan([_write(tmp_path / "leak.txt", texts[0] + " " + leak)])


def _write(path, text):
    path.write_text(text)
    return path


def test_no_sentence_names_a_number_of_a_hidden_input():
    """Sentences describe the mistake, never data: no long numbers (hidden inputs are random draws)."""
    for module, mutant in ALL_MUTANTS:
        assert not re.search(r"\d\.\d{3,}|\d{4,}", mutant.student), mutant.student


# -- the matching rule on its own -----------------------------------------------------------

def _adam_case(student="student-a"):
    checks = hidden.suite("optim").for_exercise("adam")
    seeds = _seeds(checks, student)
    values, passed = diagnosis.mutant_results("optim", "no_bias_correction", "adam", tuple(seeds))
    return checks, seeds, list(values), list(passed)


def _perturb(value, factor):
    if isinstance(value, tuple):
        return tuple(_perturb(v, factor) for v in value)
    if isinstance(value, list):
        return [_perturb(v, factor) for v in value]
    if isinstance(value, dict):
        return {k: _perturb(v, factor) for k, v in value.items()}
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return value * factor
    if isinstance(value, float) and not isinstance(value, bool):
        return value * factor
    return value


def test_outputs_within_tolerance_match_and_far_ones_do_not():
    _, seeds, values, passed = _adam_case()
    close = [_perturb(v, 1 + 1e-9) for v in values]
    assert diagnosis.diagnose_exercise("optim", "adam", close, passed, seeds).mutants == ["no_bias_correction"]
    far = [_perturb(v, 1.7) if not ok else v for v, ok in zip(values, passed)]
    assert diagnosis.diagnose_exercise("optim", "adam", far, passed, seeds).kind == diagnosis.UNRECOGNISED


def test_other_failed_checks_or_useless_results_are_unrecognised():
    _, seeds, values, passed = _adam_case()
    other = [not p for p in passed]
    if all(other):
        other[0] = False
    assert diagnosis.diagnose_exercise("optim", "adam", values, other, seeds).kind == diagnosis.UNRECOGNISED
    timeouts = [hidden.Raised("Timeout", "over the budget")] * len(values)
    assert diagnosis.diagnose_exercise("optim", "adam", timeouts, [False] * len(values), seeds).kind \
        == diagnosis.UNRECOGNISED
    assert diagnosis.diagnose_exercise("optim", "adam", values, [True] * len(values), seeds) is None


@pytest.mark.parametrize("junk", [None, [], "x", [None] * 3, float("nan"), np.zeros(10**5)])
def test_junk_probe_results_never_crash_the_diagnosis(junk):
    ch, scores = scores_in_process("optim", variants.reference_module("optim"), "student-a")
    scores.probes["optim"] = [junk] * len(scores.probes["optim"])
    for entry in scores.values():
        entry.verdicts = [(d, False, "", 0.0) for d, *_ in entry.verdicts]
    found = diagnosis.diagnose(ch, scores, "student-a", KEY)
    assert all(d.kind == diagnosis.UNRECOGNISED for d in found.values())
    scores.probes["optim"] = [1, 2]   # wrong length: nothing diagnosed, nothing raised
    assert diagnosis.diagnose(ch, scores, "student-a", KEY) == {}


def test_distance_rule():
    assert diagnosis._distance(np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-12])) < diagnosis.RTOL
    assert diagnosis._distance(np.array([1.0, 2.0]), np.array([1.0, 2.1])) > diagnosis.RTOL
    assert math.isinf(diagnosis._distance(np.zeros(2), np.zeros(3)))
    assert math.isinf(diagnosis._distance((1.0, 2.0), [1.0, 2.0]))
    assert diagnosis._distance(hidden.Raised("ValueError", "a"), hidden.Raised("ValueError", "b")) == 0
    assert math.isinf(diagnosis._distance(hidden.Raised("NotImplementedError", ""), hidden.Raised("NotImplementedError", "")))
    assert diagnosis._distance({"a": [1, "x"]}, {"a": [1, "x"]}) == 0
    assert math.isinf(diagnosis._distance(True, 1))


def test_record_is_written_atomically_and_read_back(tmp_path):
    import json
    module = "splitting"
    mutant = hidden.suite(module).mutants[0]
    student = variants.load_module(variants.mutant_source(module, mutant), "_diag_record")
    ch, scores = scores_in_process(module, student, "s1")
    found = diagnosis.diagnose(ch, scores, "s1", KEY)
    path = diagnosis.write_record(tmp_path, ch, "s1", "graded", scores, found)
    assert path == tmp_path / "reports" / ch.id / "s1.diagnosis.json"
    record = json.loads(path.read_text())
    assert record["graded"] and record["exercises"][mutant.exercise]["diagnosis"]["mutants"] == [mutant.name]
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]   # no temporary file left
