"""A chapter notebook opened without nnlib/ beside it (Colab, Binder, a downloaded .ipynb) (issue 14, item 7).

Its setup cell looks for nnlib/ beside the notebook (or up to two folders above); without it, it
fetches the chapter's release zip from the book (``html.baseurl`` in _config.yml) and unpacks
nnlib/ there, or says in one sentence, with no traceback, why it cannot. The code is written once,
in ``coursekit.notebooks.SETUP_PREAMBLE``, and every chapter's setup cell starts with it.

It never fetches during the course's own build, tests or grading: they always have nnlib/ beside
the notebook (so the fetch is never reached: tested on a real release folder with a URL set), and
under nbgrader (NBGRADER_EXECUTION) or in the book build (NNLIB_STATIC) a missing nnlib/ is an
error, never a download.

The end-to-end tests run the real setup cell of a built release in a real kernel, against a
loopback HTTP server laid out like the built book.
"""
import http.server
import inspect
import shutil
import socket
import threading
import zipfile
from pathlib import Path

import nbclient
import nbformat
import pytest

from coursekit import book
from coursekit.chapters import CHAPTER_LIST, chapter
from coursekit.notebooks import (SETUP_PREAMBLE, book_url, chapter_notebooks, chapter_zip_url, download_name,
                                 read, setup_cell, setup_preamble, with_setup_preamble)


# ---------------------------------------------------------------- fast: one text, in every notebook


@pytest.mark.parametrize("ch", CHAPTER_LIST, ids=[c.id for c in CHAPTER_LIST])
def test_every_setup_cell_starts_with_the_one_preamble(ch):
    expected = setup_preamble(ch)
    for path in chapter_notebooks(ch):
        source = setup_cell(read(path)).source
        assert source.startswith(expected), (
            f"{path.name}: the setup cell's first lines differ from coursekit.notebooks.SETUP_PREAMBLE "
            f"(for the book URL {book_url()!r}); run `.venv/bin/python -m coursekit.notebooks`")
        assert source.count("find_or_fetch_nnlib(") == 2 and "urlopen" not in source[len(expected):]


def test_the_preamble_is_replaced_whole_and_only_it():
    ch = chapter("ch01")
    old = "%load_ext autoreload\nimport os\n_root = 1\nsys.path.insert(0, str(_root))\nimport numpy as np\nX = 1"
    new = with_setup_preamble(old, setup_preamble(ch, "https://example.org/book"))
    assert new.endswith("\nimport numpy as np\nX = 1") and "_root" not in new
    assert with_setup_preamble(new, setup_preamble(ch, "https://example.org/book")) == new     # idempotent
    with pytest.raises(ValueError, match="sys.path.insert"):
        with_setup_preamble("import numpy as np", setup_preamble(ch, ""))
    with pytest.raises(ValueError, match="quotes"):
        setup_preamble(ch, 'https://example.org/"; import os; "')


def test_the_zip_url_is_where_the_built_book_serves_the_download(tmp_path):
    """The book stages each chapter's zip as downloads/<name> and links it from the chapter page with
    {download}; Sphinx copies such a file to _downloads/<md5 of its path in the sources>/<name>. The
    URL in the notebook must be exactly that, or the fetch finds nothing."""
    import posixpath
    import re

    from sphinx.util import DownloadFiles

    for ch in CHAPTER_LIST:
        cell = book._download_cell(tmp_path / "downloads" / download_name(ch), tmp_path / "chapters" / ch.folder)
        link = re.search(r"\{download\}`[^<`]*<([^>]+)>`", cell.source).group(1)
        in_sources = posixpath.normpath(posixpath.join("chapters", ch.folder, link))
        assert in_sources == f"downloads/{download_name(ch)}"
        served = DownloadFiles().add_file(f"chapters/{ch.folder}/{ch.notebook}", in_sources)
        assert chapter_zip_url(ch, "https://example.org/book/") == f"https://example.org/book/_downloads/{served}"
        assert chapter_zip_url(ch, "") == ""


def test_the_course_build_and_grading_refuse_to_fetch():
    """The refusal the preamble makes is keyed on variables the book build and the grader set."""
    assert '"NBGRADER_EXECUTION" in os.environ or "NNLIB_STATIC" in os.environ' in SETUP_PREAMBLE
    assert book.book_environment().get("NNLIB_STATIC") == "1", "the book's kernels must run with NNLIB_STATIC"
    from coursekit.grading import kernel_driver
    assert '"NBGRADER_EXECUTION": "autograde"' in inspect.getsource(kernel_driver)


# ---------------------------------------------------------------- end to end: a real release, a real kernel


class _Book(http.server.SimpleHTTPRequestHandler):
    requests: list = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        type(self).requests.append(self.path)
        super().do_GET()


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """ch01 as students get it, and a folder laid out like the built book that serves its zip."""
    from coursekit.release import release

    root = tmp_path_factory.mktemp("colab")
    ch = chapter("ch01")
    archive = release(ch.id, course_dir=root / "grading", dist=root / "dist")
    site = root / "site"
    target = site / chapter_zip_url(ch, "http://x").removeprefix("http://x/")
    target.parent.mkdir(parents=True)
    shutil.copy2(archive, target)
    (site / "not-a-zip.html").write_text("<html>a page, not a zip</html>")
    with zipfile.ZipFile(site / "no-nnlib.zip", "w") as other:
        other.writestr("ch01/README.txt", "a zip without nnlib/")
    return ch, root / "dist" / ch.id, site


@pytest.fixture
def book_server(released):
    _, _, site = released
    _Book.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             lambda *a, **k: _Book(*a, directory=str(site), **k))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _closed_port_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def _run_setup(released, folder: Path, base_url: str, monkeypatch, env=None, zip_url=None):
    """Run the released notebook's setup cell (its CHAPTER_ZIP pointed at ``base_url``) in ``folder``."""
    ch, release_folder, _ = released
    source = setup_cell(read(next(release_folder.glob("*.ipynb")))).source
    assert source.startswith(setup_preamble(ch)), "the released setup cell is not the one preamble"
    source = with_setup_preamble(source, setup_preamble(ch, base_url))
    if zip_url is not None:
        source = source.replace(f'CHAPTER_ZIP = "{chapter_zip_url(ch, base_url)}"', f'CHAPTER_ZIP = "{zip_url}"')
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source),
                nbformat.v4.new_code_cell("import nnlib, nnlib.splitting\nprint('imported', nnlib.__file__)")]
    for name in ("NNLIB_STATIC", "NBGRADER_EXECUTION", "PYTHONPATH"):
        monkeypatch.delenv(name, raising=False)
    for name, value in (env or {}).items():
        monkeypatch.setenv(name, value)
    folder.mkdir(parents=True, exist_ok=True)
    client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=120, allow_errors=True,
                                     resources={"metadata": {"path": str(folder)}})
    client.execute()
    setup, after = nb.cells
    errors = [o for o in setup.outputs if o.output_type == "error"]
    stdout = "".join(o.get("text", "") for o in setup.outputs if o.output_type == "stream")
    imported = "".join(o.get("text", "") for o in after.outputs if o.output_type == "stream")
    return errors, stdout, imported


def _one_sentence(errors):
    assert len(errors) == 1 and errors[0].ename == "NnlibMissing", errors
    shown = errors[0].traceback
    assert len(shown) == 1 and "\n" not in shown[0] and "Traceback" not in shown[0], shown   # no traceback
    assert shown[0].startswith("nnlib/ is not beside this notebook") and shown[0].endswith(".")
    return shown[0]


@pytest.mark.slow
def test_opened_alone_it_fetches_nnlib_from_the_book_and_goes_on(released, book_server, tmp_path, monkeypatch):
    folder = tmp_path / "colab-content"
    errors, stdout, imported = _run_setup(released, folder, book_server, monkeypatch)
    assert not errors, errors
    assert len(_Book.requests) == 1 and _Book.requests[0].endswith(download_name(released[0]))
    assert (folder / "nnlib" / "__init__.py").is_file() and (folder / "nnlib" / "splitting.py").is_file()
    assert sorted(p.name for p in folder.iterdir()) == ["nnlib"]      # nothing else unpacked or left over
    assert "unpacked it from" in stdout and f"imported {folder / 'nnlib' / '__init__.py'}" in imported
    # Run again: nnlib/ is there now, nothing is fetched.
    errors, stdout, _ = _run_setup(released, folder, book_server, monkeypatch)
    assert not errors and len(_Book.requests) == 1 and "unpacked" not in stdout


@pytest.mark.slow
def test_with_the_server_down_it_says_so_in_one_sentence(released, tmp_path, monkeypatch):
    url = _closed_port_url()
    errors, _, _ = _run_setup(released, tmp_path / "alone", url, monkeypatch)
    sentence = _one_sentence(errors)
    assert f"fetching it from {url}/_downloads/" in sentence and "download the chapter's zip" in sentence
    assert list((tmp_path / "alone").iterdir()) == []          # nothing unpacked, nothing left over


@pytest.mark.slow
def test_with_no_book_url_or_a_page_instead_of_a_zip_it_says_so(released, book_server, tmp_path, monkeypatch):
    errors, _, _ = _run_setup(released, tmp_path / "no-url", "", monkeypatch)
    assert "no book URL is set" in _one_sentence(errors)
    errors, _, _ = _run_setup(released, tmp_path / "page", book_server, monkeypatch,
                              zip_url=f"{book_server}/not-a-zip.html")
    assert "fetching it from" in _one_sentence(errors) and list((tmp_path / "page").iterdir()) == []
    errors, _, _ = _run_setup(released, tmp_path / "other-zip", book_server, monkeypatch,
                              zip_url=f"{book_server}/no-nnlib.zip")
    assert "(no nnlib/ in it)" in _one_sentence(errors) and list((tmp_path / "other-zip").iterdir()) == []


@pytest.mark.slow
@pytest.mark.parametrize("where", ["release folder", "grading", "book build"])
def test_the_course_itself_never_fetches(released, book_server, tmp_path, monkeypatch, where):
    """In a release (as built, graded and tested) nnlib/ is beside the notebook: nothing is fetched,
    even with a book URL set; under nbgrader or in the book build a missing nnlib/ is an error."""
    if where == "release folder":
        errors, stdout, imported = _run_setup(released, released[1], book_server, monkeypatch)
        assert not errors and "unpacked" not in stdout and f"{released[1] / 'nnlib'}" in imported
    else:
        env = {"NBGRADER_EXECUTION": "autograde"} if where == "grading" else {"NNLIB_STATIC": "1"}
        errors, _, _ = _run_setup(released, tmp_path / "alone", book_server, monkeypatch, env=env)
        assert "never fetch" in _one_sentence(errors)
    assert _Book.requests == []
