"""Readable checks for the exercise cells of the course notebooks.

A check cell creates one :class:`Checker` per exercise and runs each check in a
``with check("what is being checked"):`` block. A failing block does not stop the
cell: the checker prints a line per check (what was expected, what came back and,
where a known misconception matches, a hint) and the cell ends with
``check.score()``, the points earned, which nbgrader reads as the cell's grade.

When the grader adds its hidden checks (randomized inputs, compared with the
reference), those decide the score and the visible ones are only advice: every
visible check has a randomized hidden counterpart.
"""
from __future__ import annotations

import math
import sys
import warnings
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

__all__ = ["Checker", "CheckFailed", "CheckResult"]


class CheckFailed(AssertionError):
    """Raised inside a ``with check(...)`` block to fail that check with a message."""


@dataclass(frozen=True)
class CheckResult:
    """Outcome of one check: its description, whether it passed, and why not."""

    description: str
    passed: bool
    message: str = ""
    hidden: bool = False


def _plain(value: Any) -> Any:
    """NumPy scalars as Python numbers (NumPy 2 prints ``np.float64(1.0)``), recursively."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (tuple, list)):
        return type(value)(_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _short(value: Any, limit: int = 200) -> str:
    """A one-line repr of ``value`` cut to ``limit`` characters."""
    with np.printoptions(threshold=12, edgeitems=3, precision=6):
        text = repr(_plain(value))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _same(got: Any, expected: Any) -> bool:
    """Exact structural equality that also works for arrays nested in tuples/lists."""
    if isinstance(expected, (tuple, list)):
        return (isinstance(got, (tuple, list)) and len(got) == len(expected)
                and all(_same(g, e) for g, e in zip(got, expected)))
    if isinstance(expected, np.ndarray) or isinstance(got, np.ndarray):
        try:
            return bool(np.array_equal(np.asarray(got), np.asarray(expected)))
        except (TypeError, ValueError):
            return False
    try:
        return bool(got == expected)
    except (TypeError, ValueError):
        return False


class _Block:
    """The context manager behind ``with check("..."):``."""

    def __init__(self, checker: "Checker", description: str):
        self.checker, self.description = checker, description

    def __enter__(self) -> "Checker":
        # Warnings are caught here: nbgrader zeroes a cell that writes to stderr.
        self._warnings = warnings.catch_warnings(record=True)
        self._caught = self._warnings.__enter__()
        warnings.simplefilter("always")
        return self.checker

    def __exit__(self, exc_type, exc, tb) -> bool:
        self._warnings.__exit__(None, None, None)
        if exc_type is None and self._caught:
            first = self._caught[0]
            print(f"       (note: {self.description!r} emitted {first.category.__name__}: {first.message})")
        if exc_type is None:
            self.checker._record(CheckResult(self.description, True))
        elif issubclass(exc_type, CheckFailed):
            self.checker._record(CheckResult(self.description, False, str(exc)))
        elif issubclass(exc_type, NotImplementedError):
            self.checker._record(CheckResult(
                self.description, False, "not implemented yet (the stub still raises NotImplementedError)"))
        elif issubclass(exc_type, Exception):
            self.checker._record(CheckResult(
                self.description, False, f"raised {exc_type.__name__}: {exc}"))
        else:
            return False  # KeyboardInterrupt, SystemExit: let them through
        return True


class Checker:
    """Runs and reports the checks of one exercise.

    Parameters
    ----------
    exercise : str
        Name of the function under test, e.g. ``"split_indices"``.
    points : float
        Points of the exercise; :meth:`score` returns the earned part of them.
    verbose : bool
        Print a line per check as it finishes.
    """

    def __init__(self, exercise: str, points: float, *, verbose: bool = True):
        if not (isinstance(points, (int, float)) and points > 0):
            raise ValueError(f"points must be a positive number, got {points!r}")
        self.exercise, self.points, self.verbose = exercise, float(points), verbose
        self.results: list[CheckResult] = []

    # -- running checks -------------------------------------------------
    def __call__(self, description: str) -> _Block:
        """Open a check: ``with check("sizes add up to n"): ...``."""
        return _Block(self, description)

    def _record(self, result: CheckResult) -> None:
        self.results.append(result)
        if self.verbose and not result.hidden:
            mark = "PASS" if result.passed else "FAIL"
            line = f"[{mark}] {self.exercise}: {result.description}"
            if not result.passed:
                line += "\n       " + result.message.replace("\n", "\n       ")
            print(line)

    def add_hidden(self, description: str, passed: bool, message: str = "") -> None:
        """Record the outcome of a hidden check (used by the grader only)."""
        self._record(CheckResult(description, passed, message, hidden=True))

    # -- assertions used inside a block ---------------------------------
    def equal(self, got: Any, expected: Any, *, what: str = "result",
              hints: Mapping[Any, str] | None = None) -> None:
        """Fail unless ``got`` equals ``expected`` exactly (arrays compared element-wise).

        ``hints`` maps known wrong answers to an explanation of the misconception.
        """
        if _same(got, expected):
            return
        raise CheckFailed(self._mismatch(what, got, expected, hints))

    def close(self, got: Any, expected: Any, *, rtol: float = 1e-7, atol: float = 0.0,
              what: str = "result", hint: str | None = None) -> None:
        """Fail unless ``got`` is within tolerance of ``expected`` and has its shape."""
        got_arr, exp_arr = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
        if got_arr.shape != exp_arr.shape:
            raise CheckFailed(f"{what} has shape {got_arr.shape}, expected {exp_arr.shape}")
        if not np.allclose(got_arr, exp_arr, rtol=rtol, atol=atol, equal_nan=False):
            message = self._mismatch(what, got, expected, None)
            worst = float(np.max(np.abs(got_arr - exp_arr))) if got_arr.size else math.nan
            message += f"\nlargest absolute difference {worst:.3g} (rtol={rtol:g}, atol={atol:g})"
            raise CheckFailed(message + (f"\nhint: {hint}" if hint else ""))

    def true(self, condition: bool, message: str) -> None:
        """Fail with ``message`` unless ``condition`` holds."""
        if not bool(condition):
            raise CheckFailed(message)

    def raises(self, exception: type[BaseException], function, *args, match: str | None = None,
               **kwargs) -> None:
        """Fail unless ``function(*args, **kwargs)`` raises ``exception``.

        With ``match``, the error message must also contain that text.
        """
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                function(*args, **kwargs)
        except NotImplementedError:
            raise
        except exception as error:
            if match is not None and match.lower() not in str(error).lower():
                raise CheckFailed(f"raised {exception.__name__} as expected, but its message "
                                  f"{str(error)!r} does not mention {match!r}") from None
            return
        except Exception as error:  # noqa: BLE001 - reported to the student
            raise CheckFailed(f"expected {exception.__name__}, but it raised "
                              f"{type(error).__name__}: {error}") from None
        call = ", ".join([_short(a, 60) for a in args] + [f"{k}={_short(v, 60)}" for k, v in kwargs.items()])
        raise CheckFailed(f"expected {exception.__name__} for {function.__name__}({call}), "
                          "but it returned normally")

    @staticmethod
    def _mismatch(what: str, got: Any, expected: Any, hints: Mapping[Any, str] | None) -> str:
        message = f"expected {what} {_short(expected)}\n got  {what} {_short(got)}"
        for wrong, hint in (hints or {}).items():
            if _same(got, wrong):
                message += f"\nhint: {hint}"
                break
        return message

    # -- scoring --------------------------------------------------------
    @property
    def graded_results(self) -> list[CheckResult]:
        """The results that decide the score: the hidden ones when any ran, else all."""
        hidden = [r for r in self.results if r.hidden]
        return hidden or self.results

    def score(self) -> float:
        """Points earned: ``points`` times the fraction of graded checks passed.

        Ends the check cell, so nbgrader reads it as the cell's grade. Also prints a summary.
        """
        graded = self.graded_results
        passed = sum(r.passed for r in graded)
        earned = self.points * passed / len(graded) if graded else 0.0
        if self.verbose:
            kind = "hidden " if any(r.hidden for r in graded) else ""
            failed = [r for r in graded if not r.passed and r.hidden]
            print(f"{self.exercise}: {passed} of {len(graded)} {kind}checks passed, "
                  f"{earned:g} of {self.points:g} points")
            for result in failed:   # the property only: inputs and expected values stay hidden
                print(f"  failed: {result.description}")
            sys.stdout.flush()
        return float(round(earned, 6))
