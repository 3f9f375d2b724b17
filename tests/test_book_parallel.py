"""The book's notebooks are executed concurrently before Sphinx reads them, with the same
guarantees as a serial build: a failing demo fails the build and is not cached, the outputs
are those of a serial run, and an unchanged rebuild neither re-executes nor re-scans."""
import os
import time
from pathlib import Path

import nbformat
import pytest
from jupyter_cache import get_cache

from coursekit import book


def _stamp(seconds: float) -> tuple[float, float]:
    started = time.time()
    time.sleep(seconds)
    return started, time.time()


def _meet(folder: str, me: str, other: str, patience: float) -> bool:
    """Say "I have started", then wait for the other task to say so: True if it did in time."""
    (Path(folder) / me).touch()
    deadline = time.time() + patience
    while time.time() < deadline:
        if (Path(folder) / other).exists():
            return True
        time.sleep(0.05)
    return False


def test_tasks_run_at_the_same_time_on_two_processes(tmp_path):
    # Each task waits for the other to start: on one process the first would wait in vain.
    tasks = [("a", 1.0, _meet, (str(tmp_path), "a", "b", 60.0)), ("b", 1.0, _meet, (str(tmp_path), "b", "a", 60.0))]
    assert book.run_tasks(tasks, 2, dict(os.environ)) == {"a": True, "b": True}


def test_tasks_run_one_after_the_other_on_one_process():
    results = book.run_tasks([("a", 1.0, _stamp, (0.5,)), ("b", 1.0, _stamp, (0.5,))], 1, dict(os.environ))
    (a_start, a_end), (b_start, b_end) = results["a"], results["b"]
    assert a_end <= b_start or b_end <= a_start, results


def test_the_longest_task_starts_first():
    results = book.run_tasks([("short", 1.0, _stamp, (0.2,)), ("long", 9.0, _stamp, (0.2,))], 1, dict(os.environ))
    assert results["long"][0] < results["short"][0]


def test_a_task_that_raises_is_reported_not_fatal():
    results = book.run_tasks([("bad", 1.0, int, ("not a number",)), ("good", 1.0, int, ("7",))], 2,
                             dict(os.environ))
    assert isinstance(results["bad"], ValueError) and results["good"] == 7


def _notebook(path, *sources):
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(path))
    return path


@pytest.fixture
def notebooks(tmp_path):
    good = _notebook(tmp_path / "a" / "good.ipynb", "import numpy as np\nx = np.arange(5) ** 2", "print(x.sum())",
                     "from pathlib import Path\nprint(Path.cwd().name)")
    other = _notebook(tmp_path / "b" / "other.ipynb", "print('other'); 6 * 7")
    bad = _notebook(tmp_path / "c" / "bad.ipynb", "print('before')", "raise ValueError('the demo broke')",
                    "print('never')")
    return good, other, bad


def _outputs(cache_dir, path):
    _, merged = get_cache(str(cache_dir)).merge_match_into_notebook(nbformat.read(str(path), as_version=4))
    return [(cell.outputs, cell.execution_count, dict(cell.metadata)) for cell in merged.cells]


@pytest.mark.slow      # starts kernels: about half a minute
def test_a_failing_notebook_fails_and_is_not_cached(tmp_path, notebooks):
    good, other, bad = notebooks
    executed, failures, _ = book.execute_and_release([good, bad, other], tmp_path / "cache", jobs=2, timeout=60)
    assert len(failures) == 1 and str(bad) in failures[0] and "the demo broke" in failures[0], failures
    assert [e.error is None for e in executed] == [True, False, True]
    cache = get_cache(str(tmp_path / "cache"))
    cache.match_cache_notebook(nbformat.read(str(good), as_version=4))     # what myst-nb looks up
    with pytest.raises(KeyError):
        cache.match_cache_notebook(nbformat.read(str(bad), as_version=4))


@pytest.mark.slow
def test_parallel_outputs_equal_a_serial_run_and_are_found_again(tmp_path, notebooks):
    good, other, _ = notebooks
    parallel, failures, _ = book.execute_and_release([good, other], tmp_path / "parallel", jobs=2, timeout=60)
    _, failures_serial, _ = book.execute_and_release([good, other], tmp_path / "serial", jobs=1, timeout=60)
    assert failures == failures_serial == []
    for path in (good, other):
        assert _outputs(tmp_path / "parallel", path) == _outputs(tmp_path / "serial", path)
    assert _outputs(tmp_path / "parallel", good)[1][0][0]["text"] == "30\n"
    assert _outputs(tmp_path / "parallel", good)[2][0][0]["text"] == "a\n"       # run in the notebook's folder
    assert all("execution" not in meta for _, _, meta in _outputs(tmp_path / "parallel", good))
    assert all(e.seconds is not None and e.cells for e in parallel)
    again, _, _ = book.execute_and_release([good, other], tmp_path / "parallel", jobs=2, timeout=60)
    assert [e.seconds for e in again] == [None, None]                            # from the cache: not run


def test_sync_leaves_unchanged_files_untouched(tmp_path):
    new, dest = tmp_path / "new", tmp_path / "dest"
    for folder in (new, dest):
        (folder / "sub").mkdir(parents=True)
        (folder / "same.txt").write_text("same")
    (new / "sub" / "changed.txt").write_text("new text")
    (dest / "sub" / "changed.txt").write_text("old text")
    (dest / "gone.txt").write_text("remove me")
    os.utime(dest / "same.txt", (1_000_000, 1_000_000))
    book._sync(new, dest)
    assert (dest / "same.txt").stat().st_mtime == 1_000_000
    assert (dest / "sub" / "changed.txt").read_text() == "new text"
    assert not (dest / "gone.txt").exists()


def test_html_scan_skips_known_clean_files_but_not_a_changed_one(tmp_path, monkeypatch):
    from coursekit import secrets
    html, record = tmp_path / "html", tmp_path / "scanned.json"
    html.mkdir()
    (html / "page.html").write_text("<p>a clean page</p>")
    scanned = []
    real_scan = secrets.scan
    monkeypatch.setattr(secrets, "scan", lambda paths, lines=None: scanned.extend(paths) or real_scan(paths, lines))
    book.scan_html(html, record)
    book.scan_html(html, record)
    assert scanned == [html / "page.html"]                 # the second build scanned nothing
    (html / "page.html").write_text("<p>### BEGIN HIDDEN TESTS</p>")
    with pytest.raises(RuntimeError, match="secret"):
        book.scan_html(html, record)
