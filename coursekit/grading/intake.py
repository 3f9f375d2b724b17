"""Turn a folder of LMS downloads into nbgrader's ``submitted/<student>/<chapter>/`` folders.

The folder is what an LMS's bulk download gives (Canvas, Moodle, Blackboard, nbgrader's own
exchange, or plain ``<id>.zip`` files, mixed if need be): :mod:`coursekit.grading.lms`
recognises the convention of each entry, takes the student id from it (never the display
name), and picks the newest of a student's attempts (the rule per LMS is in its docstring);
the others are ``superseded``. An entry that fits no convention is rejected with a reason
that names the accepted ones. A submission is a zip, a folder holding the notebook and
``nnlib/`` (Moodle's folders, nbgrader's ``submitted/<student>/<assignment>/``), or the
files of one attempt uploaded one by one (the modules may sit beside the notebook).

A submission that cannot be graded is rejected with a reason and never stops the others: a
file that is not a zip, a zip without the chapter's notebook or its nnlib module, or a
notebook that is not valid JSON. The notebook may carry a browser's or LMS's copy suffix
(``data-splitting (1).ipynb``, ``data-splitting-1.ipynb``) when it is the only notebook;
two candidate notebooks are rejected, naming both. Members with absolute or ``..`` paths and
symbolic links are never extracted.

Side of the wall: grader (no student code runs here). Before any student code runs, every
file is copied into a private staging folder and hashed (:func:`stage`; a folder is packed
into a zip there, notebooks and ``.py`` files only, symbolic links skipped); grading reads
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
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import nbformat

from ..chapters import Chapter
from . import lms

MAX_MEMBER_BYTES = 5 * 1024 * 1024
MAX_MEMBERS = 2000               # entries in one zip
MAX_TOTAL_BYTES = 24 * 1024 * 1024   # what one submission may unpack to (notebook + nnlib)
MAX_NNLIB_FILES = 64


@dataclass
class Submission:
    """One student's file (or folder) and what became of it."""

    student: str
    archive: Path
    status: str = "pending"     # pending -> collected -> graded; or rejected / failed / superseded
    reason: str = ""
    flags: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)
    feedback: Path | None = None
    sha256: str = ""            # of the file as it was staged, before any student code ran
    original: Path | None = None
    convention: str = ""        # the download's convention (lms.CONVENTIONS), "" when not recognised
    origin: str = ""            # where it came from: "Canvas: smithjane_LATE_…zip (LATE)"
    parts: tuple[tuple[str, Path], ...] = ()   # loose files of one attempt, packed together by stage()

    def reject(self, reason: str) -> "Submission":
        self.status, self.reason = "rejected", reason
        return self

    @property
    def reason_and_origin(self) -> str:
        """The reason, followed by where the submission came from (for the CSV)."""
        return " ".join(part for part in (self.reason, self.origin and f"[{self.origin}]") if part)


def student_id(path: Path) -> str | None:
    """The student id a download's entry names, whatever the LMS (None when no convention fits)."""
    entries = lms.recognise(path) if path.is_dir() else lms.from_file_name(path)
    return entries[0].student if entries and entries[0].recognised else None


def find_submissions(folder: Path, assignment: str | None = None) -> list[Submission]:
    """One Submission per attempt found; a student's newest attempt is pending, the others superseded.

    ``assignment`` (the chapter id) picks the assignment in nbgrader's exchange folders.
    """
    if not folder.is_dir():
        raise ValueError(f"submissions folder {folder} does not exist or is not a folder")
    found: dict[str, list[lms.Entry]] = {}
    strays = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.name in ("__MACOSX", "Thumbs.db", "desktop.ini"):
            continue
        for entry in lms.recognise(path, assignment):
            if entry.recognised:
                found.setdefault(entry.student, []).append(entry)
            else:
                label = path.name + "/" if path.is_dir() and not path.is_symlink() else path.stem or path.name
                strays.append(Submission(label, path, convention="", origin=lms.describe(entry, folder))
                              .reject(entry.reason))
    result = strays
    for student, entries in sorted(found.items()):
        ordered, rule = lms.by_attempt(lms.group_loose_files(entries))
        subs = [Submission(student, e.path, convention=e.convention, origin=lms.describe(e, folder), parts=e.parts)
                for e in ordered]
        for older in subs[:-1]:
            older.status = "superseded"
            older.reason = f"a newer attempt of {student}: {subs[-1].archive.name} (newest by {rule})"
        result.extend(subs)
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
        folder = bool(sub.parts) or (sub.archive.is_dir() and not sub.archive.is_symlink())
        target = staging / f"{number:05d}-{sub.student}{'.zip' if folder else sub.archive.suffix[:10]}"
        digest = hashlib.sha256()
        try:
            if folder:
                _pack(sub, sub.parts or _folder_files(sub), target)
            with (target if folder else sub.archive).open("rb") as source, \
                    (open(os.devnull, "wb") if folder else target.open("wb")) as out:
                for chunk in iter(lambda: source.read(1 << 20), b""):
                    digest.update(chunk)
                    out.write(chunk)
        except _TooBig as error:
            sub.reject(str(error))
            continue
        except OSError as error:
            sub.reject(f"cannot read {sub.archive.name}: {error.strerror or error}")
            continue
        os.chmod(target, 0o600)
        sub.original, sub.archive, sub.sha256 = sub.archive, target, digest.hexdigest()
        sub.parts = ()          # packed into the staged zip: only that is read from here on


def _folder_files(sub: Submission):
    """(relative name, path) of a submission folder's files; symbolic links are flagged, never followed.

    Hidden folders such as ``.ipynb_checkpoints`` are not entered.
    """
    for root, dirs, names in os.walk(sub.archive):          # never follows symbolic links
        here = Path(root)
        for name in sorted(dirs):
            if (here / name).is_symlink():
                sub.flags.append(f"skipped symbolic link {(here / name).relative_to(sub.archive).as_posix()!r}")
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__MACOSX" and not (here / d).is_symlink())
        for name in sorted(names):
            yield (here / name).relative_to(sub.archive).as_posix(), here / name


def _pack(sub: Submission, files, target: Path) -> None:
    """Zip a folder's (or loose files') notebooks and ``.py`` files into ``target``, within the caps.

    Symbolic links are skipped and flagged; the zip is the same for the same files, so a
    resumed run recognises a student it already graded.
    """
    count = total = 0
    written = set()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for relative, path in files:
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                sub.flags.append(f"skipped symbolic link {relative!r}")
                continue
            name = PurePosixPath(relative).name
            if (not stat.S_ISREG(info.st_mode) or name.startswith(".") or not name.endswith((".ipynb", ".py"))
                    or relative in written):
                continue
            if info.st_size > MAX_MEMBER_BYTES:
                sub.flags.append(f"skipped {relative!r}: larger than {MAX_MEMBER_BYTES // 2**20} MiB")
                continue
            count, total = count + 1, total + info.st_size
            if count > MAX_MEMBERS or total > MAX_TOTAL_BYTES:
                raise _TooBig(f"more than {MAX_MEMBERS} notebooks and .py files or more than "
                              f"{MAX_TOTAL_BYTES // 2**20} MiB of them")
            descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(descriptor, "rb") as source:
                data = source.read(MAX_MEMBER_BYTES + 1)
            member = zipfile.ZipInfo(relative, _zip_time(info.st_mtime))
            member.compress_type = zipfile.ZIP_DEFLATED
            out.writestr(member, data[:MAX_MEMBER_BYTES])
            written.add(relative)
    os.chmod(target, 0o600)


def _zip_time(seconds: float) -> tuple[int, int, int, int, int, int]:
    moment = time.localtime(max(seconds, 315532800))     # zip time stamps start in 1980
    return moment[:6]


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


def _copy_suffix(notebook: str) -> re.Pattern:
    """``<notebook>`` plus what browsers and LMSs add to a copy: `` (1)``, ``-1``, `` copy``, `` - Copy``."""
    return re.compile(rf"{re.escape(notebook)}(?:\s?\(\d+\)|[-_]\d+| copy(?: \d+)?| - copy(?: \(\d+\))?)?",
                      re.IGNORECASE)


def _notebook(members, notebook: str) -> tuple[PurePosixPath | None, str]:
    """The chapter's notebook in the zip (the shallowest of that name), or None and why not.

    A copy renamed by a browser or an LMS (``data-splitting (1).ipynb``) is accepted when it is
    the only notebook; the notebook next to a renamed copy of itself is ambiguous.
    """
    notebooks = sorted((p for p in members if p.suffix == ".ipynb" and ".ipynb_checkpoints" not in p.parts),
                       key=lambda p: (len(p.parts), str(p)))
    candidates = [p for p in notebooks if _copy_suffix(notebook).fullmatch(p.stem)]
    exact = [p for p in candidates if p.name == f"{notebook}.ipynb"]
    if exact and not any(p.parent == exact[0].parent and p != exact[0] for p in candidates):
        return exact[0], ""
    if len(notebooks) == 1 and candidates:
        return candidates[0], ""
    found = ", ".join(str(p) for p in notebooks) or "none"
    if len(candidates) > 1:
        return None, (f"{len(candidates)} versions of {notebook}.ipynb ({found}): "
                      f"submit only the one to grade, named {notebook}.ipynb")
    return None, f"no {notebook}.ipynb in the submission (notebooks found: {found})"


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
    notebook, why_not = _notebook(members, ch.notebook)
    if notebook is None:
        return submission.reject(why_not)
    base = notebook.parent
    if notebook.name != f"{ch.notebook}.ipynb":
        submission.origin += f"; graded {notebook.name} as {ch.notebook}.ipynb (the only notebook)"
    modules = base / "nnlib"
    if not any(p.parent == modules for p in members) and any(base / f"{m}.py" in members for m in ch.modules):
        modules = base                      # the notebook and its modules uploaded side by side (no nnlib/)
    wanted = {notebook: f"{ch.notebook}.ipynb"}
    wanted.update({p: f"nnlib/{p.name}" for p in members if p.parent == modules and p.suffix == ".py"})
    if len(wanted) - 1 > MAX_NNLIB_FILES:
        return submission.reject(f"nnlib/ holds {len(wanted) - 1} .py files (at most {MAX_NNLIB_FILES} are accepted)")
    total = sum(members[m].file_size for m in wanted)
    if total > MAX_TOTAL_BYTES:
        return submission.reject(f"the notebook and nnlib/*.py unpack to {total / 2**20:.0f} MiB "
                                 f"(at most {MAX_TOTAL_BYTES // 2**20} MiB are accepted)")
    missing = [m for m in ch.modules if modules / f"{m}.py" not in members]
    if missing:
        return submission.reject("missing " + ", ".join(f"nnlib/{m}.py" for m in missing) + " next to the notebook")
    raw = archive.read(members[notebook])
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
