"""Turn a folder of LMS downloads into nbgrader's ``submitted/<student>/<chapter>/`` folders.

Every file in the folder is one student's submission, named ``<student id>.zip`` or
``<student id>_<anything>.zip`` (the form LMS bulk downloads use). A submission that cannot
be graded is rejected with a reason and never stops the others: a file that is not a zip,
a zip without the chapter's notebook or its nnlib module, or a notebook that is not valid
JSON. Members with absolute or ``..`` paths and symbolic links are never extracted.

Side of the wall: grader (no student code runs here). Before any student code runs, every
file is copied into a private staging folder and hashed (:func:`stage`); grading reads
only the staged copy, and the hash goes into the CSV. Unpacking is bounded: a zip with
more than ``MAX_MEMBERS`` members, or whose extracted files would exceed
``MAX_TOTAL_BYTES`` (or ``MAX_MEMBER_BYTES`` for one file, or ``MAX_NNLIB_FILES`` modules)
is rejected with that reason, and only the notebook and ``nnlib/*.py`` are extracted.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import nbformat

from ..chapters import Chapter

STUDENT_ID = re.compile(r"^(?P<student>[A-Za-z0-9][A-Za-z0-9.\-]*?)(?:_[^/]*)?$")
MAX_MEMBER_BYTES = 5 * 1024 * 1024
MAX_MEMBERS = 2000               # entries in one zip
MAX_TOTAL_BYTES = 24 * 1024 * 1024   # what one submission may unpack to (notebook + nnlib)
MAX_NNLIB_FILES = 64


@dataclass
class Submission:
    """One student's file and what became of it."""

    student: str
    archive: Path
    status: str = "pending"     # pending -> collected -> graded; or rejected / failed / superseded
    reason: str = ""
    flags: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)
    feedback: Path | None = None
    sha256: str = ""            # of the file as it was staged, before any student code ran
    original: Path | None = None

    def reject(self, reason: str) -> "Submission":
        self.status, self.reason = "rejected", reason
        return self


def student_id(path: Path) -> str | None:
    match = STUDENT_ID.match(path.stem)
    return match.group("student") if match else None


def find_submissions(folder: Path) -> list[Submission]:
    """One Submission per file; the newest of a student's files wins, the others are superseded."""
    if not folder.is_dir():
        raise ValueError(f"submissions folder {folder} does not exist or is not a folder")
    found: dict[str, list[Submission]] = {}
    strays = []
    for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
        student = student_id(path)
        if student is None:
            strays.append(Submission(path.stem or path.name, path).reject(
                "cannot tell the student id from the file name (expected <id>_....zip)"))
        else:
            found.setdefault(student, []).append(Submission(student, path))
    result = strays
    for student, files in sorted(found.items()):
        files.sort(key=lambda s: (s.archive.stat().st_mtime, s.archive.name))
        for older in files[:-1]:
            older.status, older.reason = "superseded", f"a newer file from {student}: {files[-1].archive.name}"
        result.extend(files)
    return result


def stage(submissions: list[Submission], staging: Path) -> None:
    """Copy every pending file into ``staging`` (private to the grader) and hash it.

    From here on, grading reads only the staged copies: nothing done later, by anyone,
    to the submissions folder changes what is graded.
    """
    staging.mkdir(parents=True, exist_ok=True)
    staging.chmod(0o700)
    for number, sub in enumerate(submissions):
        if sub.status != "pending":
            continue
        target = staging / f"{number:05d}-{sub.student}{sub.archive.suffix[:10]}"
        digest = hashlib.sha256()
        try:
            with sub.archive.open("rb") as source, target.open("wb") as out:
                for chunk in iter(lambda: source.read(1 << 20), b""):
                    digest.update(chunk)
                    out.write(chunk)
        except OSError as error:
            sub.reject(f"cannot read {sub.archive.name}: {error.strerror or error}")
            continue
        os.chmod(target, 0o600)
        sub.original, sub.archive, sub.sha256 = sub.archive, target, digest.hexdigest()


def _safe_members(archive: zipfile.ZipFile, submission: Submission) -> dict[PurePosixPath, zipfile.ZipInfo]:
    """Members that are plain files at safe relative paths; the rest are flagged and skipped."""
    members = {}
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise _TooBig(f"the zip has {len(infos)} members (at most {MAX_MEMBERS} are accepted)")
    for info in infos:
        name = info.filename.replace("\\", "/")
        path = PurePosixPath(name)
        if info.is_dir() or path.parts[:1] == ("__MACOSX",) or path.name.startswith("._"):
            continue
        if path.is_absolute() or ".." in path.parts:
            submission.flags.append(f"skipped unsafe path {name!r}")
        elif stat.S_ISLNK(info.external_attr >> 16):
            submission.flags.append(f"skipped symbolic link {name!r}")
        elif info.file_size > MAX_MEMBER_BYTES:
            submission.flags.append(f"skipped {name!r}: larger than {MAX_MEMBER_BYTES // 2**20} MiB")
        else:
            members[path] = info
    return members


class _TooBig(ValueError):
    """A zip over the unpacking caps (the message is the reason)."""


def _notebook_base(members, notebook: str) -> PurePosixPath | None:
    """Folder of the shallowest ``<notebook>.ipynb`` in the zip."""
    candidates = sorted((p for p in members if p.name == f"{notebook}.ipynb"), key=lambda p: len(p.parts))
    return candidates[0].parent if candidates else None


def unpack(submission: Submission, ch: Chapter, submitted_root: Path) -> Submission:
    """Validate the zip and copy the notebook and nnlib/*.py to ``submitted/<student>/<ch>/``."""
    if submission.status != "pending":
        return submission
    if not zipfile.is_zipfile(submission.archive):
        return submission.reject(f"{submission.archive.name} is not a zip archive")
    try:
        with zipfile.ZipFile(submission.archive) as archive:
            return _unpack_members(archive, submission, ch, submitted_root)
    except _TooBig as error:
        return submission.reject(str(error))
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, EOFError) as error:   # RuntimeError: encrypted
        return submission.reject(f"cannot read the zip: {type(error).__name__}: {error}"[:300])


def _unpack_members(archive, submission, ch, submitted_root) -> Submission:
    members = _safe_members(archive, submission)
    base = _notebook_base(members, ch.notebook)
    if base is None:
        found = sorted(p.name for p in members if p.suffix == ".ipynb")
        return submission.reject(f"no {ch.notebook}.ipynb in the zip (notebooks found: {', '.join(found) or 'none'})")
    wanted = {base / f"{ch.notebook}.ipynb": f"{ch.notebook}.ipynb"}
    wanted.update({p: f"nnlib/{p.name}" for p in members
                   if p.parent == base / "nnlib" and p.suffix == ".py"})
    if len(wanted) - 1 > MAX_NNLIB_FILES:
        return submission.reject(f"nnlib/ holds {len(wanted) - 1} .py files (at most {MAX_NNLIB_FILES} are accepted)")
    total = sum(members[m].file_size for m in wanted)
    if total > MAX_TOTAL_BYTES:
        return submission.reject(f"the notebook and nnlib/*.py unpack to {total / 2**20:.0f} MiB "
                                 f"(at most {MAX_TOTAL_BYTES // 2**20} MiB are accepted)")
    missing = [m for m in ch.modules if base / "nnlib" / f"{m}.py" not in members]
    if missing:
        return submission.reject("missing " + ", ".join(f"nnlib/{m}.py" for m in missing) + " next to the notebook")
    raw = archive.read(members[base / f"{ch.notebook}.ipynb"])
    try:
        nbformat.reads(raw.decode("utf-8"), as_version=4)
    except Exception as error:  # noqa: BLE001 - any parse failure is the student's file
        return submission.reject(f"{ch.notebook}.ipynb is not a valid notebook: {str(error).splitlines()[0][:200]}")
    target = submitted_root / submission.student / ch.id
    if target.exists():
        shutil.rmtree(target)
    (target / "nnlib").mkdir(parents=True)
    written = 0
    for member, relative in wanted.items():
        data = archive.read(members[member])   # zipfile stops at the declared size and checks the CRC
        written += len(data)
        if written > MAX_TOTAL_BYTES:
            shutil.rmtree(target)
            return submission.reject(f"the zip unpacks to more than {MAX_TOTAL_BYTES // 2**20} MiB")
        (target / relative).write_bytes(data)
    submission.status = "collected"
    return submission
