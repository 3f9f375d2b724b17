"""Hidden checks: randomized, seeded checks that decide an exercise's score.

A hidden check has two halves so that grading can keep student code away from the
reference: ``probe(student_module, seed)`` calls the student's function on inputs built
from ``seed`` and returns plain data only (numbers, strings, arrays, and tuples, lists
and dicts of them); ``judge(got, reference_module, seed)`` rebuilds the same inputs,
compares, and returns the reason for failing or ``None``. ``run`` executes both halves
in one process (inside the notebook kernel); the isolated grader runs them apart.
"""
from __future__ import annotations

import hashlib
import importlib
import re
import warnings
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from .chapters import chapter_of_module, exercise_modules


@dataclass(frozen=True)
class Raised:
    """What a probe raised, as plain data."""

    type: str
    message: str

    def __str__(self) -> str:
        return f"raised {self.type}: {self.message}"


class Partial(str):
    """A failure reason that still earns a share of its check: ``credit`` in [0, 1].

    A judge of several independent bad calls returns one, so a student who validates four
    arguments of five earns 4/5 of that check (:func:`credit`).
    """

    credit: float

    def __new__(cls, reason: str, credit: float) -> "Partial":
        obj = super().__new__(cls, reason)
        obj.credit = min(max(float(credit), 0.0), 1.0)
        return obj


def credit(reason: str | None) -> float:
    """The share of a check earned: 1 when it passed, a :class:`Partial`'s credit, else 0."""
    if reason is None:
        return 1.0
    return reason.credit if isinstance(reason, Partial) else 0.0


@dataclass
class HiddenCheck:
    exercise: str
    description: str
    probe: Callable[[Any, int], Any]
    judge: Callable[[Any, Any, int], str | None] | None = None
    expects_error: bool = False   # the judge wants to see a Raised (e.g. "raises ValueError")

    @property
    def seed(self) -> int:
        """The fixed seed of the in-notebook run: stable per check."""
        return zlib.crc32(f"{self.exercise}/{self.description}".encode())

    def seed_for(self, student: str, key: str = "") -> int:
        """The seed of this check for one student: a regrade reproduces it, another student's differs.

        ``key`` is the course's secret (``coursekit.grading.seeds``), so nobody can compute
        another student's hidden inputs, or their own, from the public code.
        """
        digest = hashlib.sha256(f"{key}\0{student}\0{self.exercise}\0{self.description}".encode()).digest()
        return int.from_bytes(digest[:4], "big")


@dataclass
class CheckSuite:
    """The hidden checks and mutants of one exercise module."""

    module: str
    checks: list[HiddenCheck] = field(default_factory=list)
    mutants: list = field(default_factory=list)

    def check(self, exercise: str, description: str, *, expects_error: bool = False):
        """Decorator registering a probe; decorate the judge with ``@<probe>.judge``."""
        def register(probe):
            hidden = HiddenCheck(exercise, description, probe, expects_error=expects_error)
            self.checks.append(hidden)

            def set_judge(judge):
                hidden.judge = judge
                return judge
            probe.judge = set_judge
            return probe
        return register

    def for_exercise(self, exercise: str) -> list[HiddenCheck]:
        return [c for c in self.checks if c.exercise == exercise]

    @property
    def exercises(self) -> list[str]:
        return list(dict.fromkeys(c.exercise for c in self.checks))


def suite(module: str) -> CheckSuite:
    """The CheckSuite of an exercise module (``coursekit/graders/<module>.py``)."""
    chapter_of_module(module)  # ValueError for unknown modules
    return importlib.import_module(f"coursekit.graders.{module}").SUITE


def module_of_exercise(exercise: str) -> str:
    for module in exercise_modules():
        if exercise in suite(module).exercises:
            return module
    raise ValueError(f"no hidden checks are registered for exercise {exercise!r}")


def to_plain(value: Any, where: str = "result") -> Any:
    """``value`` as plain data; TypeError for anything else (objects could carry code)."""
    if value is None or isinstance(value, (bool, int, float, str, Raised)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise TypeError(f"{where} is an array of dtype {value.dtype}; expected numbers")
        return value.copy()
    if isinstance(value, (tuple, list)):
        return type(value)(to_plain(v, f"{where}[{i}]") for i, v in enumerate(value))
    if isinstance(value, dict):
        return {str(k): to_plain(v, f"{where}[{k!r}]") for k, v in value.items()}
    raise TypeError(f"{where} is a {type(value).__name__}; expected numbers, arrays, tuples, lists or dicts")


def run_probe(check: HiddenCheck, student, seed: int | None = None) -> Any:
    """Call the student half (with ``seed``, default the check's fixed one); exceptions become ``Raised``."""
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return to_plain(check.probe(student, check.seed if seed is None else seed))
    except NotImplementedError:
        return Raised("NotImplementedError", "not implemented yet")
    except Exception as error:  # noqa: BLE001 - a student's error is a result, not a crash
        return Raised(type(error).__name__, str(error)[:300])


def judge(check: HiddenCheck, got: Any, reference, seed: int | None = None) -> str | None:
    """The reason ``got`` fails ``check``, or None when it passes; never raises."""
    if isinstance(got, Raised) and got.type == "Timeout":
        return got.message   # the grader's own words: over the CPU budget, or a sleeping process
    if isinstance(got, Raised) and not check.expects_error:
        return str(got)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            reason = check.judge(got, reference, check.seed if seed is None else seed)
    except Exception as error:  # noqa: BLE001 - malformed results fail, they do not crash
        return f"result has the wrong form ({type(error).__name__}: {str(error)[:200]})"
    if reason is None or isinstance(reason, str):
        return reason
    return f"the judge returned {type(reason).__name__}, not a reason"


def is_error_check(check: HiddenCheck) -> bool:
    """A check of "bad arguments raise ValueError": flagged ``expects_error``, or described as one."""
    text = check.description
    return check.expects_error or ("ValueError" in text and re.search(r"\braises?\b", text) is not None)


ERRORS_NEED_ANOTHER_PASS = ("counts only when another check of this exercise passes "
                            "(a function that always raises earns no points for raising)")


def apply_error_rule(results: list[tuple[HiddenCheck, str | None]]) -> list[tuple[HiddenCheck, str | None]]:
    """A passed error check (:func:`is_error_check`) counts only if another check of its exercise passes.

    Otherwise a function that always raises would collect the "bad arguments raise
    ValueError" points (or part of them: a :class:`Partial` loses its credit too).
    Exercises whose checks are all error checks are left as they are.
    """
    passing_exercises = {c.exercise for c, reason in results if reason is None and not is_error_check(c)}
    has_plain = {c.exercise for c, _ in results if not is_error_check(c)}
    return [(c, ERRORS_NEED_ANOTHER_PASS if credit(reason) > 0 and is_error_check(c) and c.exercise in has_plain
             and c.exercise not in passing_exercises else reason) for c, reason in results]


def run_suite(student, reference, checks: list[HiddenCheck],
              seeds: list[int] | None = None) -> list[tuple[HiddenCheck, str | None]]:
    """Probe and judge every check in this process; pairs of (check, failure reason).

    ``seeds`` (one per check) default to the checks' fixed seeds. The error rule of
    :func:`apply_error_rule` applies, as in grading.
    """
    seeds = [c.seed for c in checks] if seeds is None else seeds
    return apply_error_rule([(check, judge(check, run_probe(check, student, seed), reference, seed))
                             for check, seed in zip(checks, seeds)])


def run(checker) -> None:
    """Add the hidden checks of ``checker.exercise`` to a notebook's ``Checker``.

    This is the one line inside each ``### BEGIN HIDDEN TESTS`` block.
    """
    from .variants import reference_module

    module = module_of_exercise(checker.exercise)
    student = importlib.import_module(f"nnlib.{module}")
    checks = suite(module).for_exercise(checker.exercise)
    for check, reason in run_suite(student, reference_module(module), checks):
        checker.add_hidden(check.description, reason is None, reason or "", credit=credit(reason))
