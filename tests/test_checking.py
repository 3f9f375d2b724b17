"""The Checker of the notebooks' check cells: messages, hints, scoring, no stderr."""
import warnings

import numpy as np
import pytest

import sys
import textwrap
import types

from IPython.core.formatters import DisplayFormatter

from nnlib import checking
from nnlib.checking import Checker, Score


def test_passing_and_failing_blocks_score_the_fraction(capsys):
    check = Checker("f", points=3)
    with check("passes"):
        check.equal((1, 2), (1, 2))
    with check("fails"):
        check.equal(np.array([1, 2]), np.array([1, 3]), what="sizes")
    with check("raises something else"):
        raise KeyError("k")
    assert check.score() == pytest.approx(1.0)
    out = capsys.readouterr().out
    assert "[PASS] f: passes" in out and "[FAIL] f: fails" in out
    assert "expected sizes array([1, 3])" in out and "KeyError" in out


def test_stub_scores_zero_without_raising(capsys):
    check = Checker("g", points=2)
    with check("calls the stub"):
        raise NotImplementedError("g() is an exercise")
    assert check.score() == 0.0
    assert "not implemented yet" in capsys.readouterr().out


def test_hint_shown_for_known_wrong_answer(capsys):
    check = Checker("h", points=1)
    with check("sizes"):
        check.equal((600, 200, 200), (980, 10, 10), hints={(600, 200, 200): "caps ignored"})
    assert "hint: caps ignored" in capsys.readouterr().out


def test_hidden_checks_alone_decide_the_score_when_present(capsys):
    check = Checker("k", points=4)
    with check("visible fails"):
        check.true(False, "no")
    check.add_hidden("h1", True)
    check.add_hidden("h2", False, "overlap")
    assert check.score() == 2.0
    out = capsys.readouterr().out
    assert "1 of 2 hidden checks" in out and "failed: h2" in out
    assert "overlap" not in out, "a hidden check's details must not reach the student"


def test_close_reports_shape_and_difference():
    check = Checker("c", points=1, verbose=False)
    with check("shape"):
        check.close(np.zeros(3), np.zeros(4))
    with check("values"):
        check.close(np.array([1.0, 2.0]), np.array([1.0, 2.1]), rtol=1e-6)
    assert [r.passed for r in check.results] == [False, False]
    assert "shape (3,)" in check.results[0].message and "largest absolute difference 0.1" in check.results[1].message


def test_raises_requires_the_right_exception_and_message():
    check = Checker("r", points=1, verbose=False)

    def bad(x):
        raise ValueError("n must be positive")
    with check("ok"):
        check.raises(ValueError, bad, 1, match="positive")
    with check("wrong text"):
        check.raises(ValueError, bad, 1, match="integer")
    with check("returned"):
        check.raises(ValueError, lambda x: x, 1)
    assert [r.passed for r in check.results] == [True, False, False]
    assert "returned normally" in check.results[2].message


def test_warnings_inside_a_check_do_not_reach_stderr(capfd):
    check = Checker("w", points=1)
    with check("warns"):
        warnings.warn("careful", UserWarning)
    check.score()
    assert capfd.readouterr().err == ""


def test_points_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        Checker("x", points=0)


def test_numpy_scalars_print_as_plain_numbers(capsys):
    check = Checker("s", points=1)
    with check("sizes"):
        check.equal((np.int64(3), np.float64(2.5)), (3, 2))
    out = capsys.readouterr().out
    assert "(3, 2.5)" in out and "np." not in out


def test_score_is_the_bare_number_nbgrader_reads(capsys):
    """Item 8 of issue 15: nbgrader parses the text/plain of the cell's last value (a bare
    number); the summary is printed, and the student's notebook does not echo the Score."""
    check = Checker("f", points=2)
    with check("passes"):
        pass
    score = check.score()
    assert isinstance(score, float) and type(score) is Score and score == 2.0
    data, _ = DisplayFormatter().format(score)
    assert data == {"text/plain": "2.0"}
    assert "f: 1 of 1 checks passed, 2 of 2 points" in capsys.readouterr().out
    assert score.summary == "f: 1 of 1 checks passed, 2 of 2 points"


@pytest.fixture
def loaded_module(tmp_path, monkeypatch):
    """A module registered as nnlib.<name> whose file sits in nnlib's folder (as a student's does)."""
    folder = tmp_path / "nnlib"
    folder.mkdir()
    path = folder / "exercise_tmp.py"
    path.write_text("def f():\n    return 1\n")
    module = types.ModuleType("nnlib.exercise_tmp")
    module.__file__ = str(path)
    monkeypatch.setitem(sys.modules, "nnlib.exercise_tmp", module)
    monkeypatch.setattr(checking, "_LIBRARY", folder.resolve())
    return path


def test_a_module_that_does_not_compile_is_never_graded(loaded_module, capsys):
    """Item 4: autoreload keeps the previous version of a file that does not compile; the
    check cell says which file and line, and scores 0 until it compiles."""
    assert checking.uncompilable_module() is None
    loaded_module.write_text(textwrap.dedent("""\
        def f():
            return 1

        def g(:
            pass
        """))
    check = Checker("f", points=3)
    with check("would pass against the old version"):
        pass
    score = check.score()
    out = capsys.readouterr().out
    assert score == 0.0
    first, summary = out.splitlines()
    assert "nnlib/exercise_tmp.py line 4 does not compile" in first and first.startswith("[NOT GRADED]")
    assert "[PASS]" not in out and "not graded, 0 of 3 points" in summary
    loaded_module.write_text("def f():\n    return 2\n")
    check = Checker("f", points=3)
    with check("passes"):
        pass
    assert check.score() == 3.0
