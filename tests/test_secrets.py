"""The secret scanner finds solution lines and hidden-check markers wherever they hide."""
import json
import zipfile

from coursekit import secrets


def a_solution_line():
    lines = secrets.secret_lines()
    assert len(lines) > 50
    return next(line for line in lines if line.startswith("members = rng.permutation("))


def test_nnlib_and_chapter_sources_hold_no_solution_line():
    assert secrets.scan(["nnlib"]) == []


def test_finds_a_solution_line_split_by_syntax_highlighting(tmp_path):
    line = a_solution_line()
    words = line.split(" ")
    markup = "<pre>" + " ".join(f'<span class="n">{w.replace("<", "&lt;")}</span>' for w in words) + "</pre>"
    (tmp_path / "page.html").write_text(f"<html><body>{markup}</body></html>")
    assert [leak.secret for leak in secrets.scan([tmp_path])] == [line]


def test_finds_secrets_in_notebooks_and_zips(tmp_path):
    notebook = {"cells": [{"cell_type": "code", "source": ["### BEGIN HIDDEN TESTS\n", "x\n"], "outputs": []}]}
    (tmp_path / "nb.ipynb").write_text(json.dumps(notebook))
    with zipfile.ZipFile(tmp_path / "r.zip", "w") as archive:
        archive.writestr("ch/nnlib/m.py", "def f():\n    " + a_solution_line() + "\n")
    found = {(leak.artifact.replace(str(tmp_path), ""), leak.secret) for leak in secrets.scan([tmp_path])}
    assert ("/nb.ipynb", "BEGIN HIDDEN TESTS") in found
    assert ("/r.zip!ch/nnlib/m.py", a_solution_line()) in found


def test_clean_files_pass(tmp_path):
    (tmp_path / "ok.py").write_text("import numpy as np\nx = np.arange(10)\n")
    assert secrets.scan([tmp_path]) == []
