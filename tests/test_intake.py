"""Zip intake: every bad submission gets a reason; unsafe members are never extracted."""
import json
import os
import time
import zipfile

import pytest

from coursekit.chapters import chapter
from coursekit.grading.intake import find_submissions, student_id, unpack

CH = chapter("ch01")
NOTEBOOK = json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def make_zip(path, members, symlinks=()):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        for name, target in symlinks:
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o120777 << 16)
            archive.writestr(info, target)
    return path


def good_members(prefix=""):
    return {f"{prefix}{CH.notebook}.ipynb": NOTEBOOK,
            **{f"{prefix}nnlib/{m}.py": "x = 1\n" for m in CH.modules},
            f"{prefix}nnlib/checking.py": "y = 2\n"}


def intake(tmp_path, name, **kwargs):
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    make_zip(folder / name, **kwargs)
    [submission] = find_submissions(folder)
    return unpack(submission, CH, tmp_path / "submitted")


@pytest.mark.parametrize("name, expected", [("alice.zip", "alice"), ("bob_123_456_ch01.zip", "123"),
                                            ("c.d-e_x.zip", "c.d-e"), ("_nobody.zip", None)])
def test_student_id_from_file_name(tmp_path, name, expected):
    assert student_id(tmp_path / name) == expected


@pytest.mark.parametrize("prefix", ["", "ch01/", "deep/er/"])
def test_good_zip_is_collected_wherever_the_folder_sits(tmp_path, prefix):
    submission = intake(tmp_path, "ann_1.zip", members=good_members(prefix))
    assert submission.status == "collected", submission.reason
    target = tmp_path / "submitted" / "ann" / "ch01"
    assert (target / f"{CH.notebook}.ipynb").read_text() == NOTEBOOK
    assert (target / "nnlib" / "checking.py").read_text() == "y = 2\n"


def test_not_a_zip(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "carl.zip").write_text("this is a PDF, honest")
    [submission] = find_submissions(tmp_path / "in")
    assert unpack(submission, CH, tmp_path / "s").status == "rejected"
    assert "not a zip" in submission.reason


def test_missing_notebook_names_what_was_found(tmp_path):
    members = good_members()
    members["renamed.ipynb"] = members.pop(f"{CH.notebook}.ipynb")
    submission = intake(tmp_path, "dan.zip", members=members)
    assert submission.status == "rejected" and "renamed.ipynb" in submission.reason


def test_missing_module(tmp_path):
    members = {k: v for k, v in good_members().items() if not k.endswith(f"{CH.modules[0]}.py")}
    submission = intake(tmp_path, "erin.zip", members=members)
    assert submission.status == "rejected" and f"nnlib/{CH.modules[0]}.py" in submission.reason


def test_corrupt_notebook_json(tmp_path):
    members = good_members()
    members[f"{CH.notebook}.ipynb"] = '{"cells": [ oops'
    submission = intake(tmp_path, "fay.zip", members=members)
    assert submission.status == "rejected" and "not a valid notebook" in submission.reason


def test_unsafe_paths_and_symlinks_are_skipped_and_flagged(tmp_path):
    members = {**good_members(), "../../escape.py": "boom", "/abs.py": "boom"}
    submission = intake(tmp_path, "gus.zip", members=members, symlinks=[("nnlib/link.py", "/etc/passwd")])
    assert submission.status == "collected"
    assert not (tmp_path / "escape.py").exists() and not (tmp_path / "submitted" / "gus" / "ch01" / "nnlib" / "link.py").exists()
    flags = " ".join(submission.flags)
    assert "../../escape.py" in flags and "/abs.py" in flags and "symbolic link" in flags


def test_newest_file_of_a_student_wins(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    old = make_zip(folder / "hal_1.zip", good_members())
    make_zip(folder / "hal_2.zip", good_members())
    past = time.time() - 3600
    os.utime(old, (past, past))
    subs = {s.archive.name: s for s in find_submissions(folder)}
    assert subs["hal_1.zip"].status == "superseded" and "hal_2.zip" in subs["hal_1.zip"].reason
    assert subs["hal_2.zip"].status == "pending"


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        find_submissions(tmp_path / "nope")
