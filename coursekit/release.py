"""Build what students receive for a chapter: the notebook as nbgrader releases it, and nnlib with stubs.

``_grading/source/<ch>/`` is assembled from ``chapters/`` and ``nnlib/`` (which holds only
stubs and infrastructure), nbgrader's generate_assignment turns it into
``_grading/release/<ch>/`` (hidden checks removed, check cells locked and checksummed, and
the gradebook told which cells are graded), and the result is copied to ``dist/<ch>/`` and
zipped. Every artifact is scanned for solution code and hidden checks before it is kept.
"""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from .chapters import Chapter, chapter, exercise_modules
from .nbgrader_run import checked
from .notebooks import chapter_notebooks
from .paths import DIST, GRADING, NNLIB
from .secrets import assert_no_leaks

STUDENT_README = """\
{title}
{underline}

What is here
  {notebooks}   the chapter: read it, run it, do the exercises
  nnlib/                 the course library; you write the functions in {modules}

How to work
  1. Open the notebook in JupyterLab (or Jupyter Notebook) and run it from the top.
  2. Each exercise names a function in {modules} that raises NotImplementedError.
     Write it there, then run the exercise's check cell: it says PASS or FAIL for
     each check, with what was expected, and ends with your points.
     (The notebook reloads nnlib by itself; no kernel restart is needed.)
  3. Hidden checks with random inputs decide the grade; the visible ones show the kind
     of thing they test.

How to submit
  Zip this whole folder (the notebook and nnlib/) and upload the zip.
  Do not rename the notebook or nnlib/{first_module}.py.
"""


def _library_files(ch: Chapter) -> list[Path]:
    """nnlib's infrastructure plus this chapter's exercise stubs (other chapters' stay out)."""
    others = {f"{m}.py" for m in exercise_modules()} - {f"{m}.py" for m in ch.modules}
    return [p for p in sorted(NNLIB.glob("*.py")) if p.name not in others]


def assemble_source(ch: Chapter, course_dir: Path) -> Path:
    """Write nbgrader's ``source/<ch>/``: notebooks (with hidden-check lines) and nnlib."""
    source = course_dir / "source" / ch.id
    if source.exists():
        shutil.rmtree(source)
    (source / "nnlib").mkdir(parents=True)
    for notebook in chapter_notebooks(ch):
        shutil.copy2(notebook, source / notebook.name)
    for path in _library_files(ch):
        shutil.copy2(path, source / "nnlib" / path.name)
    return source


def _readme(ch: Chapter) -> str:
    modules = ", ".join(f"nnlib/{m}.py" for m in ch.modules)
    title = f"Chapter {ch.number}: {ch.title}"
    notebooks = ", ".join(p.name for p in chapter_notebooks(ch))
    return STUDENT_README.format(title=title, underline="=" * len(title), notebooks=notebooks,
                                 modules=modules, first_module=ch.modules[0])


def _zip(folder: Path, archive: Path) -> Path:
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            out.write(path, Path(folder.name) / path.relative_to(folder))
    return archive


def release(chapter_id: str, *, course_dir: Path = GRADING, dist: Path = DIST) -> Path:
    """Release one chapter into ``dist/<id>/`` and ``dist/<id>.zip``; returns the zip's path.

    ``course_dir`` is the nbgrader course folder; its gradebook learns the chapter's graded cells.
    """
    ch = chapter(chapter_id)
    assemble_source(ch, course_dir)
    checked("generate_assignment", ch.id, "--force", course_dir=course_dir)
    released = course_dir / "release" / ch.id
    assert_no_leaks([released], f"nbgrader's release of {ch.id}")
    target = dist / ch.id
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(released, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (target / "README.txt").write_text(_readme(ch), encoding="utf-8")
    archive = _zip(target, dist / f"{ch.id}.zip")
    assert_no_leaks([target, archive], f"the release of {ch.id}")
    return archive
