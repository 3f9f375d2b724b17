"""Atomic writes for everything the grader leaves behind (reports, CSV, logs, journal).

Side of the wall: grader. A file is written beside its target and renamed over it, so a
reader (or a grader killed mid-write) sees the old file or the new one, never half of
one. Whatever sits at the target's path (a folder, a link) is replaced, never followed.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from .text import clean


def write_text(path: Path, text: str) -> Path:
    """Write ``text`` (sanitised to valid UTF-8) to ``path`` atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(clean(text))
            out.flush()
            os.fsync(out.fileno())
        if path.is_symlink() or path.is_file():
            pass   # os.replace swaps a file or a link itself, never what a link points to
        elif path.is_dir():
            shutil.rmtree(path)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def insert_at_top(path: Path, block: str) -> None:
    """Put the HTML ``block`` right after the page's ``<body>`` tag (or first), rewriting ``path`` atomically."""
    page = Path(path).read_text(encoding="utf-8", errors="replace")
    body = re.search(r"<body[^>]*>", page)
    write_text(path, page[:body.end()] + block + page[body.end():] if body else block + page)
