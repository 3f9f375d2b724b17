"""Inside the kernel sandbox, as ``coursekit.hidden``: the isolated verdicts for the notebook's checker.

Side of the wall: inside (copied into the job's ``shim/coursekit/hidden.py``). The hidden
checks were already run by the grader, apart from this kernel, in the probe sandbox; the
grade comes from them. The notebook's one hidden-test line, ``run(check)``, adds their
verdicts (which property passed, nothing else: no inputs, no expected values, no
reference) from ``isolated.json`` beside this file, so the check cell shows the same
score as the gradebook. Anything student code does here can only raise the notebook's own
score, and a notebook score above the isolated one is flagged and its feedback withheld.
"""
import json
import os


def _verdicts():
    try:
        with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "isolated.json"), encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def run(checker):
    """Add the grader's hidden-check verdicts for ``checker.exercise`` to the checker."""
    verdicts = _verdicts().get(checker.exercise)
    if verdicts is None:
        print("(the hidden checks are run by the grader, apart from this notebook)")
        return
    print("(hidden checks: run by the grader in a separate sandbox; they decide the score)")
    notes = []
    for verdict in verdicts:
        description, passed = verdict[0], verdict[1]
        note = str(verdict[2] if len(verdict) > 2 else "") or ""
        share = verdict[3] if len(verdict) > 3 else passed
        checker.add_hidden(str(description), bool(passed), note, credit=float(share))
        if note and note not in notes:
            notes.append(note)
    for note in notes:   # the grader's own words: a time budget ran out, or the module does not import
        print(f"  grader: {note}")
