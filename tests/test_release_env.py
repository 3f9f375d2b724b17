"""A release sets up with one command in a fresh environment and its notebook runs there (issue 15).

Builds a chapter's release, creates a virtual environment from its ``requirements.txt``
alone, exactly as the release README says (``python -m venv .venv && .venv/bin/pip install
-r requirements.txt``; pip reaches PyPI and reuses its cache), then runs the notebook the way
JupyterLab's Run All does, in that environment's own kernel:

- with every exercise unwritten: every check cell runs and scores 0, demos that need an
  exercise say so in one line, and nothing else fails;
- with the reference in place: every check cell earns its points and nothing is skipped;
- in JupyterLab itself, in headless Chromium: Run All reaches the last check cell (screenshots).

Every chapter runs, in one environment (one venv, installed once), both ways. The notebooks
run side by side, one per core (each kernel uses one BLAS thread), the long reference runs first.
Chapters 2-6 add about 150 CPU seconds to ch01 alone (measured: their releases 35 s, stub runs
36 s, reference runs 79 s), about 1.5 minutes of wall time on an idle 2-core machine; the pip
install (40 s from a warm cache) is paid once. ``STUDENT_ENV_CHAPTERS=ch01`` (or a comma-separated
list) runs fewer for a quick local check. Install time, size, timings (wall and the kernel's CPU)
and screenshots go to ``_build/student-env/``.
"""
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from coursekit import variants
from coursekit.chapters import CHAPTER_LIST, chapter as get_chapter
from coursekit.notebooks import chapter_notebooks
from coursekit.release import STUDENT_PACKAGES, plain_markdown, read_bibtex, release, student_requirements

ROOT = Path(__file__).resolve().parents[1]
RUNNER = Path(__file__).with_name("student_run.py")
REPORT = ROOT / "_build" / "student-env" / "report.json"
_chosen = os.environ.get("STUDENT_ENV_CHAPTERS", "all")
CHAPTERS = [c.id for c in CHAPTER_LIST] if _chosen == "all" else [c.strip() for c in _chosen.split(",") if c.strip()]


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def _update_report(**entries):
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    report = json.loads(REPORT.read_text()) if REPORT.exists() else {}
    report.update(entries)
    REPORT.write_text(json.dumps(report, indent=1))


@pytest.fixture(scope="module")
def releases(tmp_path_factory):
    """The chosen chapters' releases, and one fresh environment made from a release's requirements.txt."""
    root = tmp_path_factory.mktemp("student")
    for ch in CHAPTERS:
        release(ch, course_dir=root / "grading", dist=root / "dist")
    first = root / "dist" / CHAPTERS[0]
    readme = (first / "README.txt").read_text()
    setup = "python -m venv .venv && .venv/bin/pip install -r requirements.txt"
    assert setup in readme and ".venv/bin/jupyter lab " in readme
    notebook_text = next(first.glob("*.ipynb")).read_text()
    assert "{cite}" not in notebook_text and "{bibliography}" not in notebook_text and ":class:" not in notebook_text
    requirements = (first / "requirements.txt").read_text()
    assert "nbgrader" not in requirements.lower()
    pinned = {line.split("==")[0] for line in requirements.splitlines() if "==" in line}
    assert pinned == set(STUDENT_PACKAGES)

    # The README's command, run in the release folder ("python" is the interpreter running the tests).
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "NNLIB_STATIC",
                                                             "NBGRADER_EXECUTION", "PIP_REQUIRE_VIRTUALENV")}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "venv", ".venv"], cwd=first, env=env, check=True)
    pip = subprocess.run([".venv/bin/pip", "install", "--disable-pip-version-check", "-q", "-r", "requirements.txt"],
                         cwd=first, env=env, capture_output=True, text=True, timeout=900)
    assert pip.returncode == 0, pip.stdout[-3000:] + pip.stderr[-3000:]
    seconds = time.perf_counter() - start
    venv = first / ".venv"
    assert (venv / "bin" / "jupyter-lab").exists(), "JupyterLab must come from requirements.txt"
    nbgrader = subprocess.run([str(venv / "bin" / "python"), "-c", "import nbgrader"], capture_output=True)
    assert nbgrader.returncode != 0, "nbgrader (instructor tools) must not be in the student's environment"
    _update_report(install_seconds=round(seconds, 1), venv_megabytes=round(_size(venv) / 2**20),
                   requirements=requirements.splitlines())
    print(f"\nfresh environment: pip install took {seconds:.0f} s, .venv is {_size(venv) / 2**20:.0f} MiB")
    return root / "dist", venv / "bin" / "python", env


def _run_all(python: Path, folder: Path, env) -> dict:
    notebook = next(folder.glob("*.ipynb"))
    out = folder / "run-report.json"
    done = subprocess.run([str(python), str(RUNNER), str(notebook), str(out)], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(out.read_text())


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


@pytest.fixture(scope="module")
def runs(releases, tmp_path_factory):
    """Run All of every chosen chapter, with the stubs and with the reference, one notebook per core.

    (chapter, "stubs" | "reference") -> the run's report, or the AssertionError that stopped it.
    """
    dist, python, env = releases
    folders = {}
    for chapter_id in CHAPTERS:
        folders[chapter_id, "stubs"] = dist / chapter_id
        folder = tmp_path_factory.mktemp("reference") / chapter_id
        shutil.copytree(dist / chapter_id, folder, ignore=shutil.ignore_patterns(".venv"))
        for module in get_chapter(chapter_id).modules:
            (folder / "nnlib" / f"{module}.py").write_text(variants.reference_source(module), encoding="utf-8")
        folders[chapter_id, "reference"] = folder

    def run(key):
        try:
            return _run_all(python, folders[key], env)
        except AssertionError as error:
            return error

    order = sorted(folders, key=lambda key: key[1] != "reference")     # the long reference runs first
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, min(_cores(), 4))) as pool:
        reports = dict(zip(order, pool.map(run, order)))
    _update_report(run_all_seconds={"chapters": CHAPTERS, "workers": max(1, min(_cores(), 4)),
                                    "wall": round(time.perf_counter() - start, 1)})
    return reports


def _report(runs, chapter_id, kind) -> dict:
    report = runs[chapter_id, kind]
    if isinstance(report, AssertionError):
        raise report
    return report


@pytest.mark.slow
@pytest.mark.parametrize("chapter_id", CHAPTERS)
def test_run_all_with_every_exercise_unwritten(runs, chapter_id):
    report = _report(runs, chapter_id, "stubs")
    assert report["stopped"] is None, report["stopped"]
    graded = [c for c in report["cells"] if c["graded"]]
    assert graded, "the release has check cells"
    for cell in graded:
        assert cell["points"] == [0.0] and cell["results"] == [], cell   # printed once, no Out[n] echo
        assert not cell["stderr"], cell
    failed = [c for c in report["cells"] if c["errors"]]
    assert not failed, failed
    skipped = [c["skipped"][0] for c in report["cells"] if c["skipped"]]
    assert all(len(line.splitlines()) == 1 for line in skipped)
    _update_report(**{f"{chapter_id}_stubs": {"seconds": round(report["seconds"], 1),
                                               "kernel_cpu_seconds": report.get("kernel_cpu_seconds"),
                                               "phases": report.get("phases"),
                                               "check_cells": len(graded),
                                               "demo_cells_skipped": len(skipped)}})


@pytest.mark.slow
@pytest.mark.parametrize("chapter_id", CHAPTERS)
def test_run_all_with_the_reference(runs, chapter_id):
    report = _report(runs, chapter_id, "reference")
    assert report["stopped"] is None, report["stopped"]
    graded = [c for c in report["cells"] if c["graded"]]
    assert graded, "the release has check cells"
    for cell in graded:
        assert cell["points"] == [float(cell["max_points"])] and cell["results"] == [], cell
    assert not [c for c in report["cells"] if c["errors"] or c["skipped"]]
    _update_report(**{f"{chapter_id}_reference": {"seconds": round(report["seconds"], 1),
                                                   "kernel_cpu_seconds": report.get("kernel_cpu_seconds"),
                                                   "phases": report.get("phases")}})


# ---------------------------------------------------------------- fast: what the release writes


def test_requirements_pin_the_tested_versions_and_leave_nbgrader_out():
    from importlib import metadata

    lines = [l for l in student_requirements().splitlines() if l and not l.startswith("#")]
    assert lines == [f"{name}=={metadata.version(name)}" for name in STUDENT_PACKAGES]
    assert {"numpy", "matplotlib", "ipywidgets", "tqdm", "threadpoolctl", "scikit-learn",
            "jupyterlab"} <= set(STUDENT_PACKAGES) and "nbgrader" not in STUDENT_PACKAGES


BIB = read_bibtex(r"""
@article{smith2020,
  author = {Smith, Ann and Jones, Bob and M{\"u}ller, Carl},
  title = {A {Title}},
  journal = {J. Tests}, volume = {3}, number = {2}, pages = {1--9},
  year = {2020}
}
@misc{doe2019,
  author = {Doe, Jane},
  title = {Notes},
  howpublished = {Course notes},
  url = {https://example.org/notes},
  year = 2019
}
""")


def test_myst_becomes_plain_markdown_for_jupyterlab():
    """Item 2: admonitions as titled block quotes, citations as (Author, year), a written list."""
    cited = []
    text = plain_markdown("Intro {cite}`ch09-smith2020` and {cite:t}`doe2019`.\n\n"
                          "```{admonition} The convention\n:class: tip\nUse $x^2$.\n\nTwice.\n```\n\n"
                          "```{note}\nShort.\n```", BIB, cited)
    assert "Intro (Smith et al., 2020) and Doe (2019)." in text
    assert "> **The convention**\n>\n> Use $x^2$.\n>\n> Twice." in text and ":class:" not in text
    assert "> **Note**\n>\n> Short." in text
    refs = plain_markdown("## References\n\n```{bibliography}\n:filter: docname in docnames\n"
                          ":keyprefix: ch09-\n```", BIB, cited)
    assert refs == ("## References\n\n- Doe, Jane (2019). Notes. *Course notes*. <https://example.org/notes>\n"
                    "- Smith, Ann, Jones, Bob and Müller, Carl (2020). A Title. *J. Tests, 3(2), 1–9*.")
    with pytest.raises(ValueError, match="nobody2000"):
        plain_markdown("{cite}`nobody2000`", BIB, [])


@pytest.mark.parametrize("chapter", CHAPTER_LIST, ids=[c.id for c in CHAPTER_LIST])
def test_no_myst_left_in_a_chapter_for_students(chapter):
    import re

    import nbformat

    bib = read_bibtex((ROOT / "references.bib").read_text(encoding="utf-8"))
    for path in chapter_notebooks(chapter):
        cited = []
        nb = nbformat.read(path, as_version=4)
        text = "\n".join(plain_markdown(c.source, bib, cited) for c in nb.cells if c.cell_type == "markdown")
        assert not re.search(r"\{[a-z:]+\}`|^(```|:::)\{|^:class:", text, re.M), path.name
        assert cited and "## References" in text


@pytest.mark.slow
@pytest.mark.skipif(not (shutil.which("chromium") or shutil.which("chromium-browser")), reason="needs Chromium")
def test_run_all_in_jupyterlab_in_a_real_browser(releases, tmp_path):
    """JupyterLab from the fresh environment, in headless Chromium: the page renders the
    rewritten MyST, and Run All (the real command) reaches the last check cell with no error."""
    dist, python, env = releases
    chapter_id = CHAPTERS[0]
    folder = tmp_path / chapter_id
    shutil.copytree(dist / chapter_id, folder, ignore=shutil.ignore_patterns(".venv", "__pycache__", "run-report.json"))
    notebook = next(folder.glob("*.ipynb")).name
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([str(python), str(RUNNER.with_name("browser_run_all.py")), str(python.parent / "jupyter-lab"),
                           str(folder), notebook, str(REPORT.parent / f"{chapter_id}-stubs")],
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    state = json.loads(done.stdout.strip().splitlines()[-1])
    _update_report(**{f"{chapter_id}_browser": state})
    assert state["ran"] == state["code_cells"] > 0 and state["errors"] == 0, state
    assert state["checks_ran"] == state["check_cells"] > 0, state
    assert "checks passed, 0 of" in state["last_check_output"], state
    references = state["references"]       # the written reference list, as the student sees it
    assert references and references["rendered"] and references["items"] > 0, state
    assert "{bibliography}" not in references["text"] and ":filter:" not in references["text"], state
    assert all(Path(shot).is_file() for shot in state["screenshots"]), state
