"""The code the probe sandbox gets: the probe halves of the hidden checks, and nothing to leak.

Side of the wall: grader. It writes a minimal ``coursekit`` package into a probe job:
``hidden`` (probe runner), ``chapters``, ``paths`` (a stub: no repository paths),
``graders/common`` and ``graders/<module>`` *stripped* of every judge (functions decorated
with ``@<probe>.judge``) and every mutant (statements calling ``Mutant``, whose text is
solution code), and ``grading/probe_supervisor`` with ``grading/wire``. Comments are dropped (the stripped
modules are re-generated from their syntax tree). The files are owned by the grader's uid
and readable by it only: the supervisor imports them before it forks, and the children that
run student code, under another uid, can neither read them nor find the reference,
the judges or the mutants anywhere in the sandbox.
"""
from __future__ import annotations

import ast
import os
import shutil
from functools import lru_cache
from pathlib import Path

from ..stubs import parse

HERE = Path(__file__).resolve().parent
COURSEKIT = HERE.parent
_COPIED = ("__init__.py", "hidden.py", "chapters.py")
_PATHS_STUB = '"""Inside the probe sandbox: no repository paths."""\nfrom pathlib import Path\n\n' \
              'ROOT = NNLIB = SOLUTIONS = CHAPTERS = BUILD = REFERENCE_BUILD = BOOK_SOURCE = DIST = GRADING = ' \
              'Path("/nonexistent")\n'


def _calls_mutant(node: ast.AST) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            func = sub.func
            if (isinstance(func, ast.Name) and func.id == "Mutant") or \
                    (isinstance(func, ast.Attribute) and func.attr == "Mutant"):
                return True
    return False


def _is_judge(node: ast.AST) -> bool:
    return isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
        isinstance(d, ast.Attribute) and d.attr == "judge" for d in node.decorator_list)


def _imports_variants(node: ast.AST) -> bool:
    if isinstance(node, ast.ImportFrom):
        return (node.module or "").split(".")[-1] == "variants" or any(a.name == "Mutant" for a in node.names)
    if isinstance(node, ast.Import):
        return any(a.name.split(".")[-1] == "variants" for a in node.names)
    return False


def strip_grader(source: str) -> str:
    """A graders module without its judges, its mutants and its comments."""
    tree = parse(source)
    tree.body = [node for node in tree.body
                 if not (_is_judge(node) or _calls_mutant(node) or _imports_variants(node))]
    return ast.unparse(tree) + "\n"


@lru_cache(maxsize=None)
def _stripped(module: str) -> str:
    return strip_grader((COURSEKIT / "graders" / f"{module}.py").read_text(encoding="utf-8"))


def write(dest: Path, module: str) -> Path:
    """``dest/coursekit``: the probe package for one exercise module; owner-only permissions."""
    package = dest / "coursekit"
    (package / "graders").mkdir(parents=True)
    (package / "grading").mkdir()
    for name in _COPIED:
        shutil.copyfile(COURSEKIT / name, package / name)
    (package / "paths.py").write_text(_PATHS_STUB, encoding="utf-8")
    (package / "graders" / "__init__.py").write_text("", encoding="utf-8")
    shutil.copyfile(COURSEKIT / "graders" / "common.py", package / "graders" / "common.py")
    (package / "graders" / f"{module}.py").write_text(_stripped(module), encoding="utf-8")
    (package / "grading" / "__init__.py").write_text("", encoding="utf-8")
    for name in ("probe_supervisor.py", "wire.py"):
        shutil.copyfile(HERE / name, package / "grading" / name)
    for folder, dirs, files in os.walk(dest):
        os.chmod(folder, 0o700)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o600)
    return dest
