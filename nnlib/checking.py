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
from pathlib import Path
from typing import Any, Mapping

import numpy as np

__all__ = ["Checker", "CheckFailed", "CheckResult", "Score", "uncompilable_module"]


class CheckFailed(AssertionError):
    """Raised inside a ``with check(...)`` block to fail that check with a message."""


@dataclass(frozen=True)
class CheckResult:
    """Outcome of one check: its description, whether it passed, and why not."""

    description: str
    passed: bool
    message: str = ""
    hidden: bool = False
    credit: float | None = None   # share of the check earned (a hidden check may pass in part)

    @property
    def earned(self) -> float:
        return float(self.passed) if self.credit is None else self.credit


def _plain(value: Any) -> Any:
    """NumPy scalars as Python numbers (NumPy 2 prints ``np.float64(1.0)``), recursively."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (tuple, list)):
        return type(value)(_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


SHOWN = 80
"""int: the most characters a message shows of one value (an argument, a result, an error message)."""


def _short(value: Any, limit: int = SHOWN) -> str:
    """A one-line repr of ``value`` cut to ``limit`` characters."""
    with np.printoptions(threshold=12, edgeitems=3, precision=6):
        text = repr(_plain(value))
    return _cut(text, limit)


def _brief(value: Any, limit: int = 40) -> str:
    """How a message names an argument: a large array by its shape and dtype, a function by its name."""
    if isinstance(value, np.ndarray) and value.size > 6:
        return f"<{value.dtype} array of shape {value.shape}>"
    if callable(value) and not isinstance(value, type):
        return f"<function {getattr(value, '__name__', type(value).__name__)}>"
    if isinstance(value, dict) and len(_short(value, limit + 1)) > limit:
        return _cut("{" + ", ".join(f"{key!r}: ..." for key in value) + "}", limit)
    return _short(value, limit)


def _cut(text: str, limit: int = SHOWN) -> str:
    """``text`` on one line, cut to ``limit`` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _names(exception) -> str:
    """``ValueError`` or ``ValueError or TypeError`` for an exception class or a tuple of them."""
    return " or ".join(e.__name__ for e in (exception if isinstance(exception, tuple) else (exception,)))


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


_LIBRARY = Path(__file__).resolve().parent
"""Path: the nnlib folder this notebook imported (a release's copy, the student's files)."""


def uncompilable_module() -> str | None:
    """Why a loaded ``nnlib`` module no longer matches its file, or None when all compile.

    With autoreload, a module whose file does not compile keeps running its previous
    version; grading that would report on code the student no longer has. Returns one
    line such as ``"nnlib/regularization.py line 57 does not compile (invalid syntax)"``.
    """
    folder = _LIBRARY
    for name, module in sorted(sys.modules.items()):
        if not (name == "nnlib" or name.startswith("nnlib.")):
            continue
        path = getattr(module, "__file__", None)
        if not path or Path(path).resolve().parent != folder:
            continue
        try:
            source = Path(path).read_bytes()
        except OSError as error:
            return f"{folder.name}/{Path(path).name} cannot be read ({error.strerror})"
        try:
            compile(source, path, "exec", dont_inherit=True)
        except SyntaxError as error:
            return f"{folder.name}/{Path(path).name} line {error.lineno} does not compile ({error.msg})"
        except ValueError as error:   # e.g. null bytes
            return f"{folder.name}/{Path(path).name} does not compile ({error})"
    return None


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
        if self.checker.stale and (exc_type is None or issubclass(exc_type, Exception)):
            self.checker._record(CheckResult(self.description, False, f"not graded: {self.checker.stale}"))
        elif exc_type is None:
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
        self.stale = uncompilable_module()
        """str or None: why the loaded module may be stale (a file that does not compile)."""
        if self.stale and verbose:
            print(f"[NOT GRADED] {self.stale}: fix it and rerun this cell; "
                  f"{exercise} scores 0 until it compiles (the kernel still runs the previous version).")

    # -- running checks -------------------------------------------------
    def __call__(self, description: str) -> _Block:
        """Open a check: ``with check("sizes add up to n"): ...``."""
        return _Block(self, description)

    def _record(self, result: CheckResult) -> None:
        self.results.append(result)
        if self.verbose and not result.hidden and not self.stale:
            mark = "PASS" if result.passed else "FAIL"
            line = f"[{mark}] {self.exercise}: {result.description}"
            if not result.passed:
                line += "\n       " + result.message.replace("\n", "\n       ")
            print(line)

    def add_hidden(self, description: str, passed: bool, message: str = "", credit: float | None = None) -> None:
        """Record the outcome of a hidden check (used by the grader only); ``credit`` is the
        share earned by a check that passed in part (one bad argument of several unchecked)."""
        share = None if credit is None else min(max(float(credit), 0.0), 1.0)
        self._record(CheckResult(description, passed, message, hidden=True, credit=share))

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
              what: str = "result", hint: str | None = None, hints=None) -> None:
        """Fail unless ``got`` is within tolerance of ``expected`` and has its shape.

        ``hints`` is a list of ``(wrong answer, explanation)`` pairs: the first wrong answer
        that ``got`` is close to (same tolerances) names the misconception; ``hint`` is shown
        on any other failure.
        """
        got_arr, exp_arr = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
        if got_arr.shape != exp_arr.shape:
            raise CheckFailed(f"{what} has shape {got_arr.shape}, expected {exp_arr.shape}"
                              + (f"\nhint: {hint}" if hint else ""))
        if not np.allclose(got_arr, exp_arr, rtol=rtol, atol=atol, equal_nan=False):
            message = self._mismatch(what, got, expected, None)
            worst = float(np.max(np.abs(got_arr - exp_arr))) if got_arr.size else math.nan
            message += f"\nlargest absolute difference {worst:.3g} (rtol={rtol:g}, atol={atol:g})"
            for wrong, text in (hints or []):
                wrong_arr = np.asarray(wrong, dtype=float)
                if wrong_arr.shape == got_arr.shape and np.allclose(got_arr, wrong_arr, rtol=rtol, atol=atol):
                    hint = text
                    break
            raise CheckFailed(message + (f"\nhint: {hint}" if hint else ""))

    def true(self, condition: bool, message: str, *, hint: str | None = None) -> None:
        """Fail with ``message`` (and a ``hint:`` line naming the likely mistake) unless ``condition`` holds."""
        if not bool(condition):
            raise CheckFailed(message + (f"\nhint: {hint}" if hint else ""))

    def raises(self, exception, function, *args, match: str | None = None, hint: str | None = None,
               **kwargs) -> None:
        """Fail unless ``function(*args, **kwargs)`` raises ``exception`` (a class or a tuple of them).

        The class must be exactly one of those named, as in the hidden checks (numpy's
        ``AxisError`` is a subclass of ValueError, but it tells the caller nothing). With
        ``match``, the error message must also contain that text; ``hint`` is printed on a
        failure. Messages name large arrays by shape and functions by name, and cut every
        shown value to :data:`SHOWN` characters.
        """
        wanted = exception if isinstance(exception, tuple) else (exception,)
        tail = f"\nhint: {hint}" if hint else ""
        call = ", ".join([_brief(a) for a in args] + [f"{k}={_brief(v)}" for k, v in kwargs.items()])
        call = f"{getattr(function, '__name__', 'the call')}({call})"
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                function(*args, **kwargs)
        except NotImplementedError:
            raise
        except Exception as error:  # noqa: BLE001 - reported to the student
            if type(error) not in wanted:
                raise CheckFailed(f"expected {_names(exception)} for {call}, but it raised "
                                  f"{type(error).__name__}: {_cut(str(error))}{tail}") from None
            if match is not None and match.lower() not in str(error).lower():
                raise CheckFailed(f"raised {type(error).__name__} as expected, but its message "
                                  f"{_cut(str(error))!r} does not mention {match!r}{tail}") from None
            return
        raise CheckFailed(f"expected {_names(exception)} for {call}, but it returned normally{tail}")

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

        Ends the check cell, so nbgrader reads it as the cell's grade (the plain text of the
        cell's last value, ``"2.0"``). Also prints a summary line. The value is a
        :class:`Score`, by which the student's notebook knows not to echo it as ``Out[n]``.
        """
        graded = self.graded_results
        if self.stale:
            earned = 0.0
            summary = f"{self.exercise}: not graded, 0 of {self.points:g} points ({self.stale})"
        else:
            passed = round(sum(r.earned for r in graded), 6)
            earned = self.points * passed / len(graded) if graded else 0.0
            kind = "hidden " if any(r.hidden for r in graded) else ""
            summary = (f"{self.exercise}: {passed:g} of {len(graded)} {kind}checks passed, "
                       f"{earned:g} of {self.points:g} points")
        if self.verbose:
            print(summary)
            for result in graded:   # the property only: inputs and expected values stay hidden
                if result.hidden and not result.passed:
                    print(f"  failed: {result.description}")
            sys.stdout.flush()
        return Score(round(earned, 6), summary)


class Score(float):
    """The points of a check cell: a ``float`` whose ``repr`` is the plain number (``"2.0"``).

    nbgrader grades a cell by the ``text/plain`` form of its last value, so that must stay a
    bare number. In the student's notebook the summary line is already printed above it, and
    :mod:`nnlib.notebook` does not echo a ``Score`` as ``Out[n]`` a second time.
    """

    summary: str

    def __new__(cls, points: float, summary: str = "") -> "Score":
        value = super().__new__(cls, points)
        value.summary = summary
        return value

    def __repr__(self) -> str:
        return float.__repr__(self)

    __str__ = __repr__
