"""Single source for exercises: solutions/<module>.py -> nnlib/<module>.py (stub) and the reference.

A solution file marks each exercise body with lines ``### BEGIN SOLUTION`` and
``### END SOLUTION``. The stub replaces a marked block inside a function by one
``raise NotImplementedError(...)`` that points to the chapter; a marked block at module
level (a private helper) is dropped. The reference keeps everything but the marker lines.
"""
from __future__ import annotations

import ast
import threading
from dataclasses import dataclass
from pathlib import Path

from .chapters import chapter_of_module, exercise_modules
from .paths import NNLIB, SOLUTIONS

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"


class MarkerError(ValueError):
    """A solution file whose markers are unbalanced, nested or misplaced."""


@dataclass(frozen=True)
class Block:
    """Lines ``begin`` .. ``end`` (0-based, both marker lines included) of a solution file."""

    begin: int
    end: int
    indent: str
    function: str | None   # enclosing function, None at module level


def _marker(line: str) -> str | None:
    stripped = line.strip()
    if stripped in (BEGIN, END):
        return stripped
    if BEGIN in line or END in line:
        return "malformed"
    return None


def find_blocks(text: str, path: Path | str) -> list[Block]:
    """The marked blocks of a solution file, checked for balance and placement.

    Raises
    ------
    MarkerError
        Naming ``path:line`` for a BEGIN without END, an END without BEGIN, nested
        markers, a marker sharing its line with code, or two blocks in one function.
    """
    lines = text.splitlines()
    functions = _function_spans(text, path)
    blocks, open_at = [], None
    for index, line in enumerate(lines):
        kind = _marker(line)
        where = f"{path}:{index + 1}"
        if kind == "malformed":
            raise MarkerError(f"{where}: a solution marker must stand alone on its line: {line.strip()!r}")
        if kind == BEGIN:
            if open_at is not None:
                raise MarkerError(f"{where}: {BEGIN} inside the block opened at line {open_at + 1}")
            open_at = index
        elif kind == END:
            if open_at is None:
                raise MarkerError(f"{where}: {END} without a matching {BEGIN}")
            indent = lines[open_at][: len(lines[open_at]) - len(lines[open_at].lstrip())]
            blocks.append(Block(open_at, index, indent, _enclosing(functions, open_at + 1)))
            open_at = None
    if open_at is not None:
        raise MarkerError(f"{path}:{open_at + 1}: {BEGIN} is never closed by {END}")
    _one_block_per_function(blocks, path)
    return blocks


# CPython 3.11 can fail with "SystemError: AST constructor recursion depth mismatch" when
# threads parse or compile at the same time (the grader's worker threads do): one at a time.
PARSE_LOCK = threading.RLock()


def parse(text: str, filename: str = "<unknown>") -> ast.Module:
    """``ast.parse`` under PARSE_LOCK."""
    with PARSE_LOCK:
        return ast.parse(text, filename=filename)


def _function_spans(text: str, path) -> list[tuple[str, int, int]]:
    try:
        tree = parse(text, filename=str(path))
    except SyntaxError as error:
        raise MarkerError(f"{path}:{error.lineno}: not valid Python: {error.msg}") from None
    return [(node.name, node.lineno, node.end_lineno) for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]


def _enclosing(functions, lineno: int) -> str | None:
    """Innermost function whose span contains 1-based ``lineno``."""
    inside = [(start, name) for name, start, end in functions if start <= lineno <= end]
    return max(inside)[1] if inside else None


def _one_block_per_function(blocks: list[Block], path) -> None:
    seen: dict[str, Block] = {}
    for block in blocks:
        if block.function is None:
            continue
        if block.function in seen:
            raise MarkerError(f"{path}:{block.begin + 1}: {block.function}() already has a solution "
                              f"block at line {seen[block.function].begin + 1}; use one per function")
        seen[block.function] = block


def _stub_line(block: Block, module: str) -> str:
    chapter = chapter_of_module(module)
    return (f'{block.indent}raise NotImplementedError("{block.function}() is an exercise of chapter '
            f'{chapter.number} ({chapter.title}): write it in nnlib/{module}.py")')


def make_stub(text: str, module: str, path: Path | str = "<solution>") -> str:
    """The student's version of a solution file: every solution body replaced by a raise."""
    lines = text.splitlines()
    out, cursor = [], 0
    for block in find_blocks(text, path):
        out.extend(lines[cursor:block.begin])
        if block.function is not None:
            out.append(_stub_line(block, module))
        cursor = block.end + 1
    out.extend(lines[cursor:])
    return "\n".join(out) + "\n"


def make_reference(text: str, path: Path | str = "<solution>") -> str:
    """The reference implementation: the solution file without its marker lines."""
    marker_lines = {i for b in find_blocks(text, path) for i in (b.begin, b.end)}
    kept = [line for i, line in enumerate(text.splitlines()) if i not in marker_lines]
    return "\n".join(kept) + "\n"


def solution_path(module: str) -> Path:
    return SOLUTIONS / f"{module}.py"


def stub_path(module: str) -> Path:
    return NNLIB / f"{module}.py"


def expected_stub(module: str) -> str:
    path = solution_path(module)
    if not path.is_file():
        raise FileNotFoundError(f"nnlib/{module}.py is generated from {path.relative_to(path.parents[1])}, "
                                "which does not exist (is the chapter registered before its solution was written?)")
    return make_stub(path.read_text(encoding="utf-8"), module, path.relative_to(path.parents[1]))


def write_stubs() -> list[Path]:
    """Regenerate every nnlib exercise module from its solution; returns the files rewritten."""
    changed = []
    for module in exercise_modules():
        target, text = stub_path(module), expected_stub(module)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            changed.append(target)
    return changed


def drifted_stubs() -> list[str]:
    """Exercise modules whose committed stub differs from what the solution generates."""
    return [module for module in exercise_modules()
            if not stub_path(module).exists()
            or stub_path(module).read_text(encoding="utf-8") != expected_stub(module)]
