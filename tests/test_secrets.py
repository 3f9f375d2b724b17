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


def test_finds_a_solution_line_hidden_by_zero_width_characters(tmp_path):
    line = a_solution_line()
    disguised = "\u200b".join(line[:10]) + line[10:].replace(" ", " \u2060")
    (tmp_path / "out.txt").write_text(f"look: {disguised}\n", encoding="utf-8")
    assert [leak.secret for leak in secrets.scan([tmp_path])] == [line]


def test_finds_a_solution_line_in_base64_and_hex(tmp_path):
    import base64
    line = a_solution_line()
    wrapped = base64.encodebytes(f"def f():\n    {line}\n".encode()).decode()   # wrapped at 76 columns
    (tmp_path / "b64.txt").write_text(f"blob {wrapped} end", encoding="utf-8")
    (tmp_path / "url.txt").write_text(base64.urlsafe_b64encode(line.encode()).decode(), encoding="utf-8")
    (tmp_path / "hex.txt").write_text(line.encode().hex(), encoding="utf-8")
    found = {(leak.artifact.rsplit("/", 1)[-1], leak.secret) for leak in secrets.scan([tmp_path])}
    assert found == {("b64.txt", line), ("url.txt", line), ("hex.txt", line)}
