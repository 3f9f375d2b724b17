"""The student's notebook in a real kernel: Run All gets past unwritten exercises (issue 15).

A demo that needs an unwritten exercise says so in one line and Run All goes on; a later
cell that needs what such a demo would have computed says so too; every other error stops
Run All as before, and in the book build (NNLIB_STATIC) or under nbgrader nothing is hidden.
The notebooks run in a real ipykernel through nbclient, which stops at a failed cell exactly
as JupyterLab's Run All does (both follow the kernel's execute_reply status).
"""
import ast
import os
import re
import shutil
from pathlib import Path

import nbclient
import nbformat
import pytest

from coursekit.chapters import CHAPTER_LIST
from coursekit.notebooks import chapter_notebooks
from nnlib import notebook as student

ROOT = Path(__file__).resolve().parents[1]

STUB = '''
def exercise(x):
    """An exercise nobody wrote yet."""
    raise NotImplementedError("exercise() is an exercise of chapter 9 (Testing): write it in nnlib/fake_exercise.py")


def helper(x):
    return 2 * x
'''

SETUP = """\
import sys, pathlib
sys.path.insert(0, str(pathlib.Path.cwd()))
from nnlib.notebook import run_all_past_unwritten_exercises
guarded = run_all_past_unwritten_exercises()
from nnlib.fake_exercise import exercise, helper
from nnlib.checking import Checker
print("guarded", guarded)"""


def run(tmp_path, cells, env=None):
    """Execute ``cells`` after the setup cell; returns the executed cells and the error that stopped it."""
    folder = tmp_path / "release"
    shutil.copytree(ROOT / "nnlib", folder / "nnlib", ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "nnlib" / "fake_exercise.py").write_text(STUB)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in [SETUP, *cells]]
    saved = {k: os.environ.get(k) for k in ("NNLIB_STATIC", "NBGRADER_EXECUTION")}
    os.environ.pop("NNLIB_STATIC", None)
    os.environ.pop("NBGRADER_EXECUTION", None)
    os.environ.update(env or {})
    try:
        client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=60,
                                         resources={"metadata": {"path": str(folder)}})
        try:
            client.execute()
            stopped = None
        except nbclient.exceptions.CellExecutionError as error:
            stopped = error
    finally:
        for key, value in saved.items():
            os.environ.pop(key, None)
            if value is not None:
                os.environ[key] = value
    return nb.cells, stopped


def stdout(cell):
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")


def result(cell):
    found = [o.data for o in cell.outputs if o.output_type == "execute_result"]
    return found[0] if found else None


def test_run_all_goes_past_unwritten_exercises_and_stops_on_real_errors(tmp_path):
    cells, stopped = run(tmp_path, [
        # 1: a demo that fills a dict, then needs the exercise halfway
        "sizes = [1, 2, 3]\nresults = {}\nfor n in sizes:\n    results[n] = exercise(n)\nlate = 1",
        # 2: a later demo that needs what demo 1 would have computed, after starting a figure
        "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nprint('max', max(results.values()))",
        # 3: demo 1's complete statements kept their values; the value of the last line shows
        "print(sizes)\nhelper(21)",
        # 4: a check cell: scores 0, nbgrader reads the number, the student sees the summary
        "check = Checker('exercise', points=2)\nwith check('doubles'):\n"
        "    check.equal(exercise(2), 4)\ncheck.score()",
        # 5: semicolon still hides the value
        "helper(1);",
        # 6: a real error stops Run All, with the cell's own line in its traceback
        "x = 1\ny = x / 0",
        "print('never')",
    ])
    assert "guarded True" in stdout(cells[0])
    first, second, third, checks, quiet, broken, after = cells[1:]
    assert stdout(first).strip() == ("[skipped] this cell needs exercise(), not written yet "
                                     "(nnlib/fake_exercise.py); Run All goes on.")
    assert stdout(second).strip().startswith("[skipped] this cell needs 'results', which an earlier "
                                             "cell computes with exercise()")
    assert not any(o.output_type == "error" for c in (first, second, third, checks, quiet) for o in c.outputs)
    assert not any(o.output_type == "display_data" for o in second.outputs), "no empty figure from a skipped cell"
    assert stdout(third).strip() == "[1, 2, 3]" and result(third) == {"text/plain": "42"}
    assert result(checks) is None, "the points are printed once, not echoed as Out[n]"
    assert "[FAIL] exercise: doubles" in stdout(checks) and "0 of 1 checks passed, 0 of 2 points" in stdout(checks)
    assert result(quiet) is None
    assert stopped is not None and stopped.ename == "ZeroDivisionError"
    traceback = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(next(o for o in broken.outputs if o.output_type == "error").traceback))
    assert "y = x / 0" in traceback
    assert not after.outputs and after.get("execution_count") is None


def test_other_not_implemented_errors_still_fail(tmp_path):
    cells, stopped = run(tmp_path, ["def mine():\n    raise NotImplementedError('my own')\nmine()", "print('never')"])
    assert stopped is not None and stopped.ename == "NotImplementedError" and "my own" in stopped.evalue


def test_a_name_that_was_never_defined_still_fails(tmp_path):
    cells, stopped = run(tmp_path, ["value = exercise(1)", "print(undefined_name)"])
    assert "[skipped]" in stdout(cells[1])
    assert stopped is not None and stopped.ename == "NameError" and "undefined_name" in stopped.evalue


@pytest.mark.parametrize("env", [{"NNLIB_STATIC": "1"}, {"NBGRADER_EXECUTION": "autograde"}])
def test_book_build_and_grading_hide_nothing(tmp_path, env):
    cells, stopped = run(tmp_path, ["check = Checker('exercise', points=2)\ncheck.score()",
                                    "value = exercise(1)", "print('never')"], env=env)
    assert "guarded False" in stdout(cells[0])
    assert result(cells[1]) == {"text/plain": "0.0"}, "nbgrader reads the points here"
    assert stopped is not None and stopped.ename == "NotImplementedError"


def test_the_plan_describes_what_each_statement_binds():
    module = ast.parse("import numpy as np\nrows = []\nfor i in range(3):\n    rows.append(i)\n"
                       "    table[i] = i\ndef f():\n    inner = 1\n")
    plans = [student._statement_plan(s) for s in module.body]
    assert plans[0][2:] == (("np",), (), ())
    assert plans[1][2:] == (("rows",), ("rows",), ())
    assert plans[2][:2] == (3, 5) and plans[2][2:] == (("i",), ("i",), ("rows", "table"))
    assert plans[3][2:] == (("f",), (), ())


@pytest.mark.parametrize("chapter", CHAPTER_LIST, ids=[c.id for c in CHAPTER_LIST])
def test_every_setup_cell_guards_run_all(chapter):
    for path in chapter_notebooks(chapter):
        nb = nbformat.read(path, as_version=4)
        setup = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == f"{chapter.id}_setup")
        assert "run_all_past_unwritten_exercises()" in setup.source, path.name


@pytest.mark.parametrize("chapter", CHAPTER_LIST, ids=[c.id for c in CHAPTER_LIST])
def test_the_notebook_and_the_readme_state_the_hidden_checks_time_budget(chapter):
    """Issue 13: students are told that hidden checks have a time budget, how large, and that a
    slow but correct loop passes; the numbers are the grader's own (coursekit.grading.jail.Limits)."""
    from coursekit.grading.jail import Limits
    from coursekit.release import _readme

    limits = Limits()
    said = [f"{limits.cpu_factor:g} times what", f"never less than {limits.cpu_floor:g} s", "CPU time",
            "slow loop passes", "endless loop runs out of time"]
    for path in chapter_notebooks(chapter):
        nb = nbformat.read(path, as_version=4)
        box = next(c.source for c in nb.cells if c.cell_type == "markdown" and
                   "{admonition} How to work through this notebook" in c.source)
        assert all(" ".join(words.split()) in " ".join(box.split()) for words in said), (path.name, said)
    readme = " ".join(_readme(chapter).split())
    assert all(words in readme for words in said), said
