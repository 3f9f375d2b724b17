"""Invariant 4: a chapter's exercises and checks use only that chapter's functions and nnlib's infrastructure.

So a wrong answer in one chapter can never cost points in another.
"""
import ast

import pytest

from coursekit import hidden, variants
from coursekit.chapters import CHAPTER_LIST, exercise_modules
from coursekit.paths import ROOT
from coursekit.stubs import solution_path

MODULES = exercise_modules()


def imported_modules(path):
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("module", MODULES)
def test_solution_and_checks_import_no_other_exercise_module(module):
    others = {f"nnlib.{m}" for m in MODULES if m != module} | {f"solutions.{m}" for m in MODULES}
    for path in (solution_path(module), ROOT / "coursekit" / "graders" / f"{module}.py"):
        assert not imported_modules(path) & others, f"{path.name} reaches another chapter's exercises"


@pytest.mark.parametrize("module", MODULES)
def test_checks_pass_when_other_chapters_are_unwritten(module):
    """The reference of this chapter passes with every other exercise module replaced by its stub."""
    import sys
    saved = {m: sys.modules.get(f"nnlib.{m}") for m in MODULES}
    try:
        for other in MODULES:
            if other != module:
                sys.modules[f"nnlib.{other}"] = variants.load_module(variants.stub_source(other), f"nnlib.{other}")
        reference = variants.reference_module(module)
        failures = [c.description for c, r in hidden.run_suite(reference, reference, hidden.suite(module).checks) if r]
    finally:
        for name, value in saved.items():
            if value is None:
                sys.modules.pop(f"nnlib.{name}", None)
            else:
                sys.modules[f"nnlib.{name}"] = value
    assert failures == []


def test_each_chapter_notebook_imports_only_its_own_exercises():
    from coursekit.notebooks import read
    for chapter in CHAPTER_LIST:
        others = [m for m in MODULES if m not in chapter.modules]
        source = "\n".join(c.source for c in read(chapter.notebook_path).cells if c.cell_type == "code")
        assert not [m for m in others if f"nnlib.{m}" in source or f"nnlib import {m}" in source], chapter.id
