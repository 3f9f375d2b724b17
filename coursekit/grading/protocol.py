"""The strict reader of the probe sandbox's result channel.

Side of the wall: grader. The channel is the probe supervisor's stdout (see
:mod:`coursekit.grading.probe_supervisor` for why student code cannot reach it). Each line
must be a JSON object ``{"nonce", "index", "result", "violation", "cpu"}`` carrying this run's
nonce, with indices 0, 1, 2, ... in order, one per check, and finally ``{"nonce", "done"}``.
Results are decoded by :mod:`coursekit.grading.wire` (plain data only, never code).

Anything else fails the check concerned and is reported as a violation, which flags the
submission: a missing line, a duplicate, an index out of order, a wrong nonce, a line
that is not JSON or not plain data, a violation the supervisor saw in a child's frames,
output cut short or beyond its cap, or no ``done`` line.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from . import wire
from ..hidden import Raised

_LINE_KEYS = {"nonce", "index", "result", "violation", "cpu"}


@dataclass
class Results:
    """One result per check (a ``Raised`` where the channel failed) and the violations seen."""

    values: list
    violations: list[str] = field(default_factory=list)
    cpu: list = field(default_factory=list)   # CPU seconds of each check, measured by the supervisor (or None)


def read(output: bytes, n_checks: int, nonce: str, *, ended: str = "") -> Results:
    """Parse the channel's bytes; ``ended`` says how the sandbox ended when that matters."""
    values: list = [None] * n_checks
    cpu: list = [None] * n_checks
    seen = [False] * n_checks
    violations: list[str] = []
    expected, done = 0, False
    for number, raw in enumerate(output.split(b"\n")):
        if not raw.strip():
            continue
        try:
            line = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            violations.append(f"line {number + 1} of the result channel is not JSON")
            continue
        if not isinstance(line, dict) or line.get("nonce") != nonce:
            violations.append(f"line {number + 1} of the result channel lacks this run's nonce")
            continue
        if done:
            violations.append("lines after the end of the result channel")
            continue
        if set(line) == {"nonce", "done"} and line["done"] is True:
            done = True
            continue
        index = line.get("index")
        if set(line) != _LINE_KEYS or not isinstance(index, int) or isinstance(index, bool):
            violations.append(f"line {number + 1} of the result channel is malformed")
            continue
        if not 0 <= index < n_checks or seen[index]:
            violations.append(f"a duplicate or unknown result for check {index}")
            if 0 <= index < n_checks:
                values[index] = Raised("Protocol", "more than one result for this check")
            continue
        if index != expected:
            violations.append(f"the result of check {index} came before that of check {expected}")
        seen[index] = True
        expected = index + 1
        used = line["cpu"]
        if isinstance(used, (int, float)) and not isinstance(used, bool) and 0 <= used < 1e6:
            cpu[index] = float(used)
        if line["violation"] is not None:
            violations.append(f"check {index}: {str(line['violation'])[:200]}")
            values[index] = Raised("Protocol", "the probe broke the result protocol")
            continue
        try:
            values[index] = wire.decode(line["result"])
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError) as error:
            violations.append(f"check {index}: a result that is not plain data ({str(error)[:100]})")
            values[index] = Raised("Protocol", "a result that is not plain data")
    missing = [i for i in range(n_checks) if not seen[i]]
    for i in missing:
        values[i] = Raised("Sandbox", f"no result came back{f' ({ended})' if ended else ''}")
    if missing:
        violations.append(f"no result for {len(missing)} check(s){f' ({ended})' if ended else ''}")
    elif not done:
        violations.append("the result channel did not end properly")
    return Results(values, violations, cpu)
