"""Reading and transforming the course notebooks."""
from __future__ import annotations

from pathlib import Path

import nbformat
from nbgrader.preprocessors import ClearHiddenTests

from .chapters import Chapter


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)


def without_hidden_tests(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy with every ``### BEGIN/END HIDDEN TESTS`` block removed (nbgrader's own rule)."""
    stripped, _ = ClearHiddenTests().preprocess(nbformat.from_dict(notebook), {})
    return stripped


def chapter_notebooks(chapter: Chapter) -> list[Path]:
    """The chapter's notebooks (top level of its folder, as nbgrader sees them)."""
    return sorted(chapter.path.glob("*.ipynb"))
