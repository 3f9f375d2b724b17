"""Build the book: stage the sources with hidden checks removed and the reference nnlib, run jupyter-book.

Staging keeps the secrets out of the HTML by construction (the staged notebooks have no
hidden checks, and solution code lives only in the staged ``nnlib/``, which the book does
not render); a scan of the built HTML proves it.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

from .chapters import CHAPTER_LIST, chapter
from .nbgrader_run import SINGLE_THREADED_BLAS
from .notebooks import chapter_notebooks, read, without_hidden_tests
from .paths import BOOK_SOURCE, BUILD, ROOT
from .secrets import assert_no_leaks
from .variants import assemble_reference

BOOK_FILES = ("_config.yml", "_toc.yml", "intro.md", "references.bib")
HTML = BUILD / "html"


def _tree_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*.py")):
        digest.update(path.relative_to(folder).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def _stage_notebook(source: Path, target: Path, nnlib_hash: str) -> None:
    """Copy a notebook without hidden checks; stamp the setup cell with the nnlib hash.

    The stamp is part of the code that jupyter-cache hashes, so a change in nnlib or
    solutions re-executes the notebook while an unchanged one is taken from the cache.
    """
    notebook = without_hidden_tests(read(source))
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.source = f"# (book built against reference nnlib {nnlib_hash})\n" + cell.source
            break
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(target))


def _partial_toc(chapters) -> str:
    """A table of contents with the intro and only ``chapters`` (for a quick one-chapter build)."""
    entries = "".join(f"      - file: chapters/{c.folder}/{c.notebook}\n" for c in chapters)
    return f"format: jb-book\nroot: intro\nparts:\n  - caption: Chapters\n    chapters:\n{entries}"


def stage(dest: Path = BOOK_SOURCE, chapters=None) -> Path:
    """Write the book's sources to ``dest``: config, pages, chapters and the reference nnlib.

    ``chapters`` (default: all) limits the book to those chapters, with a table of contents
    of its own.
    """
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for name in BOOK_FILES:
        shutil.copy2(ROOT / name, dest / name)
    if chapters is not None:
        (dest / "_toc.yml").write_text(_partial_toc(chapters), encoding="utf-8")
    reference = assemble_reference(dest.parent / "reference")
    shutil.copytree(reference / "nnlib", dest / "nnlib")
    nnlib_hash = _tree_hash(dest / "nnlib")
    for chapter in CHAPTER_LIST if chapters is None else chapters:
        target_dir = dest / "chapters" / chapter.folder
        shutil.copytree(chapter.path, target_dir,
                        ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints", "__pycache__"))
        for notebook in chapter_notebooks(chapter):
            _stage_notebook(notebook, target_dir / notebook.name, nnlib_hash)
    return dest


def build_book(*, fresh: bool = False, chapter_ids=None) -> int:
    """Stage and build with warnings as errors; scan the HTML for secrets. Returns an exit code.

    With ``chapter_ids`` only those chapters are built, into ``_build/partial/<ids>/`` (its own
    staging, cache and HTML), so one chapter can be checked quickly, and several at once.
    """
    started = time.perf_counter()
    if chapter_ids:
        chapters = [chapter(c) for c in chapter_ids]
        output = BUILD / "partial" / "-".join(chapter_ids)
        source = stage(output / "book-src", chapters)
    else:
        output, source = ROOT, stage()
    html = output / "_build" / "html"
    if fresh:
        shutil.rmtree(output / "_build" / ".jupyter_cache", ignore_errors=True)
    shutil.rmtree(html, ignore_errors=True)
    env = {**os.environ, "NNLIB_STATIC": "1", **SINGLE_THREADED_BLAS}
    for name in ("PYTHONPATH", "MPLBACKEND"):   # MPLBACKEND=Agg would stop kernels from showing figures
        env.pop(name, None)
    command = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(source),
               "--path-output", str(output), "--warningiserror", "--nitpick", "--keep-going"]
    print("building the book:", " ".join(command[1:]), flush=True)
    result = subprocess.run(command, cwd=ROOT, env=env)
    if result.returncode != 0:
        print(f"book build failed (exit {result.returncode}); see the log above "
              f"and the execution reports in {html / 'reports'}", file=sys.stderr)
        return result.returncode
    assert_no_leaks([html], "the book's HTML")
    print(f"book built in {time.perf_counter() - started:.0f} s: {html / 'index.html'}")
    return 0
