"""Versions of an exercise module: reference, stub and mutants, as source text and as modules.

Exercise modules depend only on nnlib's infrastructure, so every version can be loaded
side by side in one process under its own name, and the reference nnlib can be
assembled as a folder for the book and the grader without committing a second copy.
"""
from __future__ import annotations

import shutil
import sys
import types
from dataclasses import dataclass
from pathlib import Path

from .chapters import exercise_modules
from .paths import NNLIB, REFERENCE_BUILD, ROOT
from .stubs import PARSE_LOCK, make_reference, solution_path, stub_path


@dataclass(frozen=True)
class Mutant:
    """A plausible wrong implementation: the reference with one text replacement.

    ``old`` must occur exactly once in the solution file (markers included). ``misconception``
    is for the instructor; ``student`` is what a student whose answer behaves like this one
    reads ("Your `fn` behaves like an answer that <student>."), and ``section`` the MyST label
    of the place in the chapter's notebook that teaches it (see ``coursekit.grading.diagnosis``).
    """

    exercise: str
    name: str
    misconception: str
    old: str
    new: str
    student: str = ""
    section: str = ""

    def apply(self, solution_text: str) -> str:
        count = solution_text.count(self.old)
        if count != 1:
            raise ValueError(f"mutant {self.name!r}: the text to replace occurs {count} times "
                             f"in the solution (must be exactly once): {self.old!r}")
        return solution_text.replace(self.old, self.new)


def solution_text(module: str) -> str:
    return solution_path(module).read_text(encoding="utf-8")


def reference_source(module: str) -> str:
    return make_reference(solution_text(module), solution_path(module))


def stub_source(module: str) -> str:
    return stub_path(module).read_text(encoding="utf-8")


def mutant_source(module: str, mutant: Mutant) -> str:
    return make_reference(mutant.apply(solution_text(module)), f"{solution_path(module)} ({mutant.name})")


def load_module(source: str, name: str) -> types.ModuleType:
    """Execute ``source`` as a fresh module called ``name`` (registered in sys.modules).

    Its ``nnlib`` imports resolve to an nnlib already importable (a notebook's own copy), else
    to the repository's, wherever the grader was started from.
    """
    if str(ROOT) not in sys.path:
        sys.path.append(str(ROOT))
    module = types.ModuleType(name)
    module.__file__ = f"<{name}>"
    sys.modules[name] = module
    with PARSE_LOCK:
        code = compile(source, module.__file__, "exec")
    exec(code, module.__dict__)  # noqa: S102 - our own files
    return module


def reference_module(module: str) -> types.ModuleType:
    return load_module(reference_source(module), f"_reference_{module}")


def assemble_reference(dest: Path = REFERENCE_BUILD) -> Path:
    """Write ``dest/nnlib``: nnlib/ with each exercise module replaced by its reference.

    Returns ``dest``; put it first on ``sys.path`` to import the reference nnlib.
    """
    package = dest / "nnlib"
    if package.exists():
        shutil.rmtree(package)
    shutil.copytree(NNLIB, package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for module in exercise_modules():
        (package / f"{module}.py").write_text(reference_source(module), encoding="utf-8")
    return dest
