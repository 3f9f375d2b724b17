"""Small helpers shared by the hidden checks of every chapter."""
from __future__ import annotations

import numpy as np

from ..hidden import Partial


def generator(seed: int, stream: int = 0) -> np.random.Generator:
    """A fresh Generator for ``seed``; ``stream`` separates independent uses of one seed."""
    return np.random.default_rng([seed, stream])


def outcomes(calls) -> list[str]:
    """Call each zero-argument function; the name of what it raised, or "returned".

    NotImplementedError propagates, so an unwritten stub fails the check as such.
    """
    result = []
    for call in calls:
        try:
            call()
            result.append("returned")
        except NotImplementedError:
            raise
        except Exception as error:  # noqa: BLE001 - recorded, judged later
            result.append(type(error).__name__)
    return result


class WrongType(str):
    """The label of a bad call whose argument has the wrong TYPE (see :func:`wrong_type`)."""


def wrong_type(label: str) -> WrongType:
    """Mark a bad-call label as an argument of the wrong type: ValueError or TypeError both pass.

    The course's contract (every exercise docstring's Raises section): a wrong VALUE raises
    ValueError; an argument of the wrong TYPE (a string, a bool, None, a list or a float
    where a number, an integer, an array or a Generator is expected) raises ValueError or
    TypeError, and the checks accept either.
    """
    return WrongType(label)


def accepted_errors(label: str) -> tuple[str, ...]:
    """The exception names that pass for the bad call ``label``."""
    return ("ValueError", "TypeError") if isinstance(label, WrongType) else ("ValueError",)


def all_value_errors(got: list[str], labels: list[str]) -> str | None:
    """Judge for ``outcomes``: every bad call must raise ValueError (one outcome per label).

    A label made by :func:`wrong_type` also accepts TypeError. The reason names every bad
    call that did not raise what it should, with what it did instead; each bad call that did
    raise what it should earns its share of the check (a :class:`~coursekit.hidden.Partial`).
    """
    if not isinstance(got, list) or len(got) != len(labels) or not all(isinstance(what, str) for what in got):
        return f"expected one exception name for each of {len(labels)} bad calls, got {got!r:.80}"
    wrong = [f"{label}: {what} (expected {' or '.join(accepted_errors(label))})"
             for label, what in zip(labels, got) if what not in accepted_errors(label)]
    if not wrong:
        return None
    return Partial("bad arguments: " + "; ".join(wrong), 1 - len(wrong) / len(labels))


def partition_problem(parts, n: int) -> str | None:
    """Why ``parts`` are not disjoint int index arrays covering 0..n-1, or None."""
    arrays = [np.asarray(p) for p in parts]
    if any(a.ndim != 1 or (a.size and a.dtype.kind not in "iu") for a in arrays):
        return "every part must be a 1-D array of integer row numbers"
    joined = np.concatenate(arrays) if arrays else np.array([], dtype=int)
    counts = np.bincount(joined[(joined >= 0) & (joined < n)], minlength=n)
    if joined.size and (joined.min() < 0 or joined.max() >= n):
        return f"row numbers outside 0..{n - 1}"
    if np.any(counts > 1):
        return f"{int(np.sum(counts > 1))} rows are in more than one part (the parts overlap)"
    if np.any(counts == 0):
        return f"{int(np.sum(counts == 0))} of {n} rows are in no part"
    return None
