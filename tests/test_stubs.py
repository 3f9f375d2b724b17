"""Invariant 1: one source per exercise. Stubs are generated from solutions/ and kept in sync."""
import ast

import pytest

from coursekit import stubs
from coursekit.chapters import exercise_modules

SOLUTION = '''"""Doc."""
import numpy as np

### BEGIN SOLUTION
def _helper(x):
    return x + 1
### END SOLUTION


def exercise(x, *, rng=None):
    """Contract."""
    ### BEGIN SOLUTION
    y = _helper(x)
    return y * 2
    ### END SOLUTION
'''


def test_stub_replaces_body_and_drops_module_level_helper():
    stub = stubs.make_stub(SOLUTION, "splitting")
    assert "_helper" not in stub and "y * 2" not in stub
    assert 'raise NotImplementedError("exercise() is an exercise of chapter 1' in stub
    assert '"""Contract."""' in stub and "def exercise(x, *, rng=None):" in stub
    ast.parse(stub)


def test_reference_only_drops_marker_lines():
    reference = stubs.make_reference(SOLUTION)
    assert "### BEGIN" not in reference and "### END" not in reference
    assert "return y * 2" in reference and "def _helper" in reference


@pytest.mark.parametrize("text, line, words", [
    ("def f():\n    ### BEGIN SOLUTION\n    return 1\n", 2, "never closed"),
    ("def f():\n    return 1\n    ### END SOLUTION\n", 3, "without a matching"),
    ("def f():\n    ### BEGIN SOLUTION\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n", 3, "inside the block"),
    ("def f():\n    x = 1  ### BEGIN SOLUTION\n", 2, "stand alone"),
    ("def f():\n    ### BEGIN SOLUTION\n    x = 1\n    ### END SOLUTION\n    ### BEGIN SOLUTION\n"
     "    return x\n    ### END SOLUTION\n", 5, "one per function"),
])
def test_bad_markers_name_file_and_line(text, line, words):
    with pytest.raises(stubs.MarkerError, match=rf"solutions/bad\.py:{line}: .*{words}"):
        stubs.make_stub(text, "splitting", "solutions/bad.py")


def test_committed_stubs_match_their_solutions():
    drifted = stubs.drifted_stubs()
    assert not drifted, f"nnlib stubs out of date for {drifted}: run `make stubs`"


@pytest.mark.parametrize("module", exercise_modules())
def test_stub_signatures_and_docstrings_equal_the_solution(module):
    def functions(text):
        return {n.name: n for n in ast.walk(ast.parse(text)) if isinstance(n, ast.FunctionDef)}
    solution = functions(stubs.solution_path(module).read_text())
    stub = functions(stubs.stub_path(module).read_text())
    public = [name for name in solution if not name.startswith("_")]
    assert public, "no exercise functions found"
    for name in public:
        assert ast.dump(stub[name].args) == ast.dump(solution[name].args), name
        assert ast.get_docstring(stub[name]) == ast.get_docstring(solution[name]), name
        assert "NotImplementedError" in ast.unparse(stub[name].body[-1]), name


def test_drift_is_detected(tmp_path, monkeypatch):
    """A hand edit of a stub is reported as drift."""
    fake_nnlib = tmp_path / "nnlib"
    fake_nnlib.mkdir()
    for module in exercise_modules():
        (fake_nnlib / f"{module}.py").write_text(stubs.expected_stub(module) + "# edited\n")
    monkeypatch.setattr(stubs, "NNLIB", fake_nnlib)
    assert stubs.drifted_stubs() == exercise_modules()
