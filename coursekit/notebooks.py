"""Reading and transforming the course notebooks."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import nbformat
import yaml
from nbgrader.preprocessors import ClearHiddenTests

from .chapters import Chapter
from .paths import ROOT

CONFIG = ROOT / "_config.yml"


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)


def without_hidden_tests(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy with every ``### BEGIN/END HIDDEN TESTS`` block removed (nbgrader's own rule)."""
    stripped, _ = ClearHiddenTests().preprocess(nbformat.from_dict(notebook), {})
    return stripped


def chapter_notebooks(chapter: Chapter) -> list[Path]:
    """The chapter's notebooks (top level of its folder, as nbgrader sees them)."""
    return sorted(chapter.path.glob("*.ipynb"))


# -- The setup cell's first lines: find nnlib/, or fetch it where the notebook was opened alone -----
# A chapter notebook needs nnlib/ beside it (or up to two folders above). Opened alone (a Colab or
# Binder launch, a downloaded .ipynb), it fetches the chapter's release zip from the book, if the
# book's URL is configured (``html.baseurl`` in _config.yml), and unpacks nnlib/ beside itself.
# Written once here; every chapter's setup cell starts with exactly this text, for its chapter
# (tests/test_colab_setup.py; ``python -m coursekit.notebooks`` rewrites the cells).
# The course's own build and grading always have nnlib/ beside the notebook, so they never reach
# the fetch; under nbgrader (NBGRADER_EXECUTION) and in the book build (NNLIB_STATIC) it is refused
# outright, so a misplaced notebook there fails loudly instead of fetching.

SETUP_PREAMBLE = '''\
%load_ext autoreload
%autoreload 2
import os, sys, pathlib
CHAPTER_ZIP = "{zip_url}"   # the chapter's zip in the book (from _config.yml's html.baseurl)

class NnlibMissing(Exception):
    def _render_traceback_(self): return [str(self)]   # Jupyter shows the sentence, no traceback

def find_or_fetch_nnlib(url):
    """The folder holding nnlib/ (here or up to two above); else unpack it here from the chapter's zip."""
    import io, tempfile, urllib.request, zipfile
    here = pathlib.Path.cwd()
    found = [p for p in (here, *here.parents[:2]) if (p / "nnlib" / "__init__.py").is_file()]
    if found:
        return found[0]
    then = "download the chapter's zip from its page in the book, unpack it and open the notebook from there"
    if not url or "NBGRADER_EXECUTION" in os.environ or "NNLIB_STATIC" in os.environ:
        why = "grading and the book build never fetch it" if url else "no book URL is set to fetch it from"
        raise NnlibMissing(f"nnlib/ is not beside this notebook and {{why}}: {{then}}.")
    try:
        with urllib.request.urlopen(url, timeout=30) as reply:
            archive = zipfile.ZipFile(io.BytesIO(reply.read()))
        with tempfile.TemporaryDirectory(dir=here) as unpacked:   # the zip holds <chapter>/nnlib/...
            archive.extractall(unpacked, [m for m in archive.namelist() if m.split("/")[1:2] == ["nnlib"]])
            next(pathlib.Path(unpacked).glob("*/nnlib")).rename(here / "nnlib")
    except (OSError, zipfile.BadZipFile, StopIteration) as error:
        raise NnlibMissing(f"nnlib/ is not beside this notebook and fetching it from {{url}} failed "
                           f"({{str(error) or 'no nnlib/ in it'}}): {{then}}.") from None
    print(f"nnlib/ was not beside this notebook: unpacked it from {{url}} into {{here}}.")
    return here

sys.path.insert(0, str(find_or_fetch_nnlib(CHAPTER_ZIP)))
'''

_PREAMBLE_END = re.compile(r"^sys\.path\.insert\(0, str\([^\n]*\)\)\n", re.M)


def book_url(config_path: Path = CONFIG) -> str:
    """The book's public URL (``html.baseurl`` in _config.yml), without a trailing slash; "" if unset."""
    config = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    return str((config.get("html") or {}).get("baseurl") or "").strip().rstrip("/")


def download_name(chapter: Chapter) -> str:
    """The file name of the chapter's zip in the book (as ``coursekit.book.chapter_downloads`` names it)."""
    return f"{chapter.id}-{chapter.notebook}.zip"


def chapter_zip_url(chapter: Chapter, base_url: str) -> str:
    """Where the built book serves the chapter's zip: Sphinx puts a ``{download}`` file at
    ``_downloads/<md5 of its path in the sources>/<name>``; the book stages it as ``downloads/<name>``."""
    if not base_url:
        return ""
    name = download_name(chapter)
    digest = hashlib.md5(f"downloads/{name}".encode()).hexdigest()
    return f"{base_url.rstrip('/')}/_downloads/{digest}/{name}"


def setup_preamble(chapter: Chapter, base_url: str | None = None) -> str:
    """The first lines of the chapter's setup cell (through the line that puts nnlib/ on the path)."""
    url = chapter_zip_url(chapter, book_url() if base_url is None else base_url)
    if '"' in url or "\\" in url or "{" in url:
        raise ValueError(f"the book URL must not contain quotes, backslashes or braces: {url!r}")
    return SETUP_PREAMBLE.format(zip_url=url)


def setup_cell(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook's setup cell (nbgrader grade_id ``chNN_setup``)."""
    for cell in notebook.cells:
        if str(cell.metadata.get("nbgrader", {}).get("grade_id", "")).endswith("_setup"):
            return cell
    raise ValueError("the notebook has no setup cell (grade_id ending in _setup)")


def with_setup_preamble(source: str, preamble: str) -> str:
    """A setup cell's source whose lines through ``sys.path.insert(0, ...)`` are replaced by ``preamble``."""
    end = _PREAMBLE_END.search(source + "\n")
    if end is None:
        raise ValueError("the setup cell has no line sys.path.insert(0, str(...)) ending its preamble")
    return preamble + (source + "\n")[end.end():].rstrip("\n")


def sync_setup_cells(chapters=None, base_url: str | None = None) -> list[Path]:
    """Rewrite the preamble of every chapter notebook's setup cell; returns the notebooks changed."""
    from .chapters import CHAPTER_LIST

    changed = []
    for ch in CHAPTER_LIST if chapters is None else chapters:
        for path in chapter_notebooks(ch):
            notebook = read(path)
            cell = setup_cell(notebook)
            updated = with_setup_preamble(cell.source, setup_preamble(ch, base_url))
            if updated != cell.source:
                cell.source = updated
                nbformat.write(notebook, str(path))
                changed.append(path)
    return changed


if __name__ == "__main__":
    for changed_path in sync_setup_cells():
        print(f"rewrote the setup cell of {changed_path}")
