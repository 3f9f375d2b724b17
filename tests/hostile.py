"""A corpus of hostile and broken chapter-1 submissions, each with its expected grade and reason.

Every case starts from the released folder and the reference or the stub implementation,
then breaks one thing. ``total`` is the expected score out of 15; ``words`` must appear in
the CSV's reason or flags (or, for details only instructors see, in the instructor report).
"""
from __future__ import annotations

import json
import os
import shutil
import stat
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from coursekit import variants
from coursekit.synthetic import inject, write_zip

MODULE = "splitting"
NOTEBOOK = "data-splitting.ipynb"


def reference() -> str:
    return variants.reference_source(MODULE)


def stub() -> str:
    return variants.stub_source(MODULE)


def append(source: str, code: str) -> str:
    """``source`` with module-level ``code`` at its end (after, and so replacing, its functions)."""
    return source + "\n" + code.strip() + "\n"


def prepend(source: str, code: str) -> str:
    """``source`` with module-level ``code`` after its imports."""
    anchor = source.index("import numpy as np\n") + len("import numpy as np\n")
    return source[:anchor] + code.strip() + "\n" + source[anchor:]


@dataclass
class Case:
    name: str
    build: Callable[[Path], None]     # edits the student's folder (the release copy) in place
    status: str                       # graded / rejected
    total: float = 0.0
    words: tuple[str, ...] = ()       # in the CSV reason or flags
    report_words: tuple[str, ...] = ()  # in the instructor report
    tampered: bool = False
    zip_extra: Callable[[zipfile.ZipFile], None] | None = None
    older_stub: bool = False          # also send an older zip with the stub


def module(source_fn: Callable[[], str]):
    def build(folder: Path) -> None:
        (folder / "nnlib" / f"{MODULE}.py").write_text(source_fn())
    return build


def edit_notebook(edit: Callable[[dict], None], source_fn: Callable[[], str]):
    def build(folder: Path) -> None:
        module(source_fn)(folder)
        path = folder / NOTEBOOK
        notebook = json.loads(path.read_text())
        edit(notebook)
        path.write_text(json.dumps(notebook))
    return build


def _graded_cells(notebook):
    return [c for c in notebook["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade")]


def _edit_checks(notebook):
    for cell in _graded_cells(notebook):
        cell["source"] = "float(3)"
        cell["metadata"]["nbgrader"]["points"] = 100


def _delete_checks(notebook):
    notebook["cells"] = [c for c in notebook["cells"] if c not in _graded_cells(notebook)]


def _skip_checks(notebook):
    for cell in _graded_cells(notebook):
        cell["metadata"].setdefault("tags", []).append("skip-execution")


def _remove(name: str):
    def build(folder: Path) -> None:
        module(reference)(folder)
        target = folder / name
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    return build


def _rename_notebook(folder: Path) -> None:
    module(reference)(folder)
    (folder / NOTEBOOK).rename(folder / "my-work.ipynb")


def _corrupt(folder: Path) -> None:
    module(reference)(folder)
    (folder / NOTEBOOK).write_text('{"cells": [{"cell_type": "code", "source": ')


def _tamper_checker(folder: Path) -> None:
    module(stub)(folder)
    path = folder / "nnlib" / "checking.py"
    path.write_text(path.read_text().replace("earned = self.points * passed / len(graded) if graded else 0.0",
                                             "earned = self.points"))


def _zip_slip(archive: zipfile.ZipFile) -> None:
    archive.writestr("../../outside.py", "print('escaped')\n")


def _zip_symlink(archive: zipfile.ZipFile) -> None:
    info = zipfile.ZipInfo("ch01/nnlib/extra.py")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    archive.writestr(info, "/etc/passwd")


ENDLESS = "while True:\n    pass"
SWALLOW = "import time\nwhile True:\n    try:\n        time.sleep(0.05)\n    except BaseException:\n        pass"
FORK = "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass"
JUDGE_PATCH = "import coursekit.hidden as _h\n_h.judge = lambda check, got, reference: None"
TRANSFORMER = ("from IPython import get_ipython\n_ip = get_ipython()\nif _ip is not None:\n"
               "    _ip.input_transformers_post.append(lambda lines: [l.replace('check.score()', "
               "'float(check.points)') for l in lines])")
READ_REFERENCE = ("try:\n    from coursekit.paths import ROOT as _ROOT\n"
                  "    _text = open(_ROOT / 'solutions' / 'splitting.py').read()\n"
                  "    print(_text)\n    exec(_text)\nexcept Exception:\n    pass")

CASES = [
    Case("reference", module(reference), "graded", 15),
    Case("endless", module(lambda: inject(reference(), "kfold_indices", ENDLESS)), "graded", 12,
         report_words=("did not finish",)),
    Case("swallower", module(lambda: inject(reference(), "kfold_indices", SWALLOW)), "graded", 12,
         words=("notebook could not be run",), report_words=("did not finish",)),
    Case("membomb", module(lambda: inject(reference(), "apply_standardizer", "_hog = bytearray(64 * 2**30)")),
         "graded", 13, report_words=("MemoryError",)),
    Case("forkbomb", module(lambda: inject(reference(), "fit_standardizer", FORK)), "graded", 13),
    Case("osexit", module(lambda: inject(reference(), "recommended_split", "import os\nos._exit(3)")),
         "graded", 13, words=("notebook could not be run",), report_words=("exit code 3",)),
    Case("segfault", module(lambda: inject(reference(), "stratified_split", "import ctypes\nctypes.string_at(0)")),
         "graded", 12, words=("notebook could not be run",), report_words=("segmentation fault",)),
    Case("chatty", module(lambda: inject(reference(), "split_indices", "print('x' * 200_000)")), "graded", 15),
    Case("warner", module(lambda: inject(reference(), "fit_standardizer",
                                         "import sys, warnings\nwarnings.warn('careful')\nsys.stderr.write('note\\n')")),
         "graded", 15),
    Case("importloop", module(lambda: prepend(reference(), ENDLESS)), "graded", 0,
         report_words=("importing nnlib/splitting.py did not finish",)),
    Case("syntax", module(lambda: reference().replace("def kfold_indices(n, k, *, rng):", "def kfold_indices(n, k, *, rng)")),
         "graded", 0, report_words=("SyntaxError",)),
    Case("nonotebook", _remove(NOTEBOOK), "rejected", words=("no data-splitting.ipynb",)),
    Case("renamed", _rename_notebook, "rejected", words=("my-work.ipynb",)),
    Case("nomodule", _remove(f"nnlib/{MODULE}.py"), "rejected", words=("missing nnlib/splitting.py",)),
    Case("corrupt", _corrupt, "rejected", words=("not a valid notebook",)),
    Case("editedcells", edit_notebook(_edit_checks, stub), "graded", 0),
    # nbgrader's add_missing_cells cannot restore a cell whose previous grade cell is gone too
    Case("deletedcells", edit_notebook(_delete_checks, reference), "graded", 15,
         words=("notebook could not be run", "check cells were deleted")),
    Case("skiptag", edit_notebook(_skip_checks, stub), "graded", 0),
    Case("judgepatch", module(lambda: prepend(stub(), JUDGE_PATCH)), "graded", 0,
         words=("possibly tampered",), tampered=True),
    Case("transformer", module(lambda: prepend(stub(), TRANSFORMER)), "graded", 0,
         words=("possibly tampered",), tampered=True),
    Case("displayhook", module(lambda: stub().replace("    raise NotImplementedError(",
                                                      "    __import__('sys').displayhook(2.0)\n    raise NotImplementedError(")),
         "graded", 0, words=("possibly tampered",), tampered=True),
    Case("readsref", module(lambda: append(stub(), READ_REFERENCE)), "graded", 0,
         words=("possibly tampered", "feedback withheld"), tampered=True),
    Case("zipslip", module(reference), "graded", 15, words=("unsafe path",), zip_extra=_zip_slip),
    Case("symlink", module(reference), "graded", 15, words=("symbolic link",), zip_extra=_zip_symlink),
    Case("latecomer", module(reference), "graded", 15, older_stub=True),
    Case("infra", _tamper_checker, "graded", 0),
]


def build_class(release: Path, work: Path, inbox: Path) -> None:
    """One zip per case in ``inbox`` (and an older stub zip for the latecomer)."""
    inbox.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        folder = work / case.name
        shutil.copytree(release, folder)
        if case.older_stub:
            module(stub)(folder)
            older = write_zip(folder, inbox / f"{case.name}_1_old.zip", "ch01")
            past = time.time() - 3600
            os.utime(older, (past, past))
        case.build(folder)
        write_zip(folder, inbox / f"{case.name}_2.zip", "ch01", case.zip_extra)
    (inbox / "notzip_3.zip").write_bytes(b"%PDF-1.7 definitely not a zip")
