"""Which LMS a bulk download came from, whose submission each entry is, and which attempt counts.

Side of the wall: grader. Only names, folder listings, zip directories and ``timestamp.txt``
are read here; no student code runs and nothing is extracted (``intake`` does that).

Every entry at the top of the submissions folder is matched against these conventions, in
this order; the first that fits decides the student id (always the LMS's id, never the
display name, which is kept only for the instructor's report):

``blackboard``
    ``<assignment>_<username>_attempt_<YYYY-MM-DD-HH-MM-SS>.zip``, one file per attempt (the
    ``….txt`` receipts are skipped). Id: the username.
``moodle``
    a folder ``<Full Name>_<id>_assignsubmission_file_/`` per student holding the zip (or the
    notebook and ``nnlib/`` directly); without folders, files
    ``<Full Name>_<id>_assignsubmission_file_<file>``. Online-text and comment entries are
    skipped. Id: the participant id.
``canvas``
    ``<name>_<userid>_<submissionid>_<file>``, with ``LATE`` after the name for late work
    (``smithjane_LATE_48213_…``). Id: the user id.
``nbgrader``
    ``nbgrader collect``'s ``submitted/`` folder: ``<student>/<assignment>/`` with
    ``timestamp.txt``; or the exchange's inbound ``<student>+<assignment>+<timestamp>[+…]``
    folders. Id: the student folder's name.
``plain``
    ``<id>.zip`` or ``<id>_<anything>.zip``. Id: the part before the first ``_``.

Files uploaded one by one rather than zipped (Canvas, Moodle without folders, Blackboard:
``smithjane_48213_1923384_data-splitting.ipynb`` beside ``…_splitting.py``) are put together,
one submission per attempt, under the student's own file names (the modules may sit beside
the notebook instead of in ``nnlib/``). Anything else is rejected with a reason that lists
these conventions.

Several attempts of one student (the same id, whatever the convention) -- the newest wins,
the others are reported as superseded with the rule that decided:

- **Blackboard and nbgrader**: the attempt's time stamp (in the file name for Blackboard, in
  ``timestamp.txt`` or the inbound folder's name for nbgrader), when every attempt of the
  student has one;
- **Canvas and Moodle** put only a student's latest attempt in the download, so several files
  of one student are files of that one attempt; **plain** names carry no order. For these
  (and when time-stamped and unstamped attempts mix) the newest time stamp among the zip's
  own members (for a folder or loose files: the newest notebook or ``.py`` file) decides;
- ties fall back to the file's modification time, then to the name.
"""
from __future__ import annotations

import os
import re
import stat
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@\-]{0,63}")
STAMP = re.compile(r"(\d{4})-(\d{2})-(\d{2})[ T_-](\d{2})[:-](\d{2})[:-](\d{2})(?:\.(\d{1,6}))?")

BLACKBOARD = re.compile(r"^(?P<assignment>.+?)_(?P<id>[^_]+)_attempt_"
                        r"(?P<stamp>\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2})(?P<rest>(?:_.*|\.[^_]*)?)$")
MOODLE = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assignsubmission_(?P<plugin>[a-z]+)_(?P<file>.*)$")
CANVAS = re.compile(r"^(?P<name>[A-Za-z0-9\-]+)_(?:(?P<late>LATE)_)?(?P<id>\d+)_(?P<submission>\d+)_(?P<file>.+)$")
PLAIN = re.compile(r"^(?P<id>[A-Za-z0-9][A-Za-z0-9.\-]*?)(?:_.*)?$")

CONVENTIONS = {     # short forms, for rejection reasons (the module docstring has the details)
    "canvas": "Canvas <name>_[LATE_]<userid>_<submissionid>_<file>",
    "moodle": "Moodle <Full Name>_<id>_assignsubmission_file_/",
    "blackboard": "Blackboard <assignment>_<username>_attempt_<date>.zip",
    "nbgrader": "nbgrader <student>/<assignment>/timestamp.txt",
    "plain": "plain <id>.zip",
}
LABELS = {"canvas": "Canvas", "moodle": "Moodle", "blackboard": "Blackboard", "nbgrader": "nbgrader exchange",
          "plain": "plain <id>.zip"}
ACCEPTED = "accepted: " + ", ".join(CONVENTIONS.values())


@dataclass(frozen=True)
class Entry:
    """One submission found in a download: a zip file or a folder of files, and whose it is."""

    path: Path
    convention: str = ""            # a key of CONVENTIONS; "" when not recognised
    student: str = ""
    name: str = ""                  # the display name the LMS wrote, for the report only
    late: bool = False
    stamp: datetime | None = None   # the attempt's time from the name or timestamp.txt
    reason: str = ""                # why it was not recognised
    file: str = ""                  # the student's own file name inside the LMS's name
    parts: tuple[tuple[str, Path], ...] = ()   # loose files of one attempt: (their own name, path)

    @property
    def recognised(self) -> bool:
        return bool(self.convention)


def parse_stamp(text: str) -> datetime | None:
    match = STAMP.search(text)
    if not match:
        return None
    year, month, day, hour, minute, second, fraction = match.groups()
    try:
        return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second),
                        int((fraction or "0").ljust(6, "0")))
    except ValueError:
        return None


def _unrecognised(path: Path, why: str) -> Entry:
    return Entry(path, reason=f"{why}; {ACCEPTED}")


def _with_id(path: Path, convention: str, student: str, **details) -> Entry:
    if not ID.fullmatch(student):
        return _unrecognised(path, f"{LABELS[convention]} name, but {student!r} is not a usable student id")
    return Entry(path, convention, student, **details)


def recognise(path: Path, assignment: str | None = None) -> list[Entry]:
    """The submissions one top-level entry of a download holds (none for receipts and the like)."""
    if path.is_symlink():
        return [_unrecognised(path, "a symbolic link is never followed")]
    if path.is_dir():
        return _folder(path, assignment)
    if not path.is_file():
        return []
    return from_file_name(path)


def from_file_name(path: Path) -> list[Entry]:
    """What a file's name says (the file need not exist)."""
    name = path.name
    match = BLACKBOARD.match(name)
    if match:
        if match["rest"].lower() == ".txt":
            return []                           # Blackboard's receipt of the attempt
        return [_with_id(path, "blackboard", match["id"], stamp=parse_stamp(match["stamp"]),
                         file=match["rest"][1:] if match["rest"].startswith("_") else "")]
    match = MOODLE.match(name)
    if match:
        if match["plugin"] != "file":
            return []                           # online text, comments: not a file submission
        return [_with_id(path, "moodle", match["id"], name=match["name"], file=match["file"])]
    match = CANVAS.match(name)
    if match:
        return [_with_id(path, "canvas", match["id"], name=match["name"], late=bool(match["late"]),
                         file=match["file"])]
    match = PLAIN.match(path.stem)
    if match:
        return [_with_id(path, "plain", match["id"])]
    return [_unrecognised(path, f"cannot tell the student id from the name {name!r}")]


def _folder(path: Path, assignment: str | None) -> list[Entry]:
    match = MOODLE.match(path.name)
    if match and not match["file"]:
        if match["plugin"] != "file":
            return []
        return _moodle_folder(path, match["id"], match["name"])
    if "+" in path.name:
        return _nbgrader_inbound(path, assignment)
    return _nbgrader_collected(path, assignment)


def _moodle_folder(path: Path, student: str, name: str) -> list[Entry]:
    """The zips in a student's Moodle folder, one entry each; without a zip, the folder itself."""
    zips = sorted(p for p in path.iterdir() if p.suffix.lower() == ".zip" and p.is_file() and not p.is_symlink())
    return [_with_id(p, "moodle", student, name=name) for p in zips or [path]]


def _nbgrader_inbound(path: Path, assignment: str | None) -> list[Entry]:
    parts = path.name.rsplit("+", 3) if path.name.count("+") >= 3 else path.name.rsplit("+", 2)
    student, their_assignment, stamp = parts[0], parts[1], parse_stamp(parts[2])
    if stamp is None:
        return [_unrecognised(path, f"folder {path.name!r} looks like nbgrader's exchange but has no time stamp")]
    if assignment is not None and their_assignment != assignment:
        return []                               # another assignment's submission in the same exchange
    return [_with_id(path, "nbgrader", student, stamp=_timestamp_txt(path) or stamp)]


def _nbgrader_collected(path: Path, assignment: str | None) -> list[Entry]:
    """``submitted/<student>/``: the assignment folder nbgrader collect wrote, with its timestamp.txt.

    A folder named after the assignment counts without ``timestamp.txt`` (then no time stamp).
    """
    stamped = sorted(p for p in path.iterdir() if p.is_dir() and not p.is_symlink()
                     and ((p / "timestamp.txt").is_file() or p.name == assignment))
    chosen = [p for p in stamped if p.name == assignment] if assignment is not None else stamped
    if len(chosen) == 1:
        return [_with_id(chosen[0], "nbgrader", path.name, stamp=_timestamp_txt(chosen[0]))]
    if len(stamped) > 1 and assignment is None:
        return [_unrecognised(path, f"nbgrader folder with several assignments ({', '.join(p.name for p in stamped)})")]
    if stamped:
        return [_unrecognised(path, f"nbgrader folder without the assignment {assignment!r} "
                                    f"(it holds {', '.join(p.name for p in stamped)})")]
    return [_unrecognised(path, f"cannot tell the student from the folder name {path.name!r}")]


def _timestamp_txt(folder: Path) -> datetime | None:
    try:
        with (folder / "timestamp.txt").open("rb") as stamp:
            return parse_stamp(stamp.read(200).decode("utf-8", "replace"))
    except OSError:
        return None


def group_loose_files(entries: list[Entry]) -> list[Entry]:
    """The notebooks and ``.py`` files uploaded one by one (not zipped) in one attempt, as one entry.

    Canvas, Moodle (without folders) and Blackboard name each uploaded file of an attempt
    separately; they are put together under the student's own file names.
    """
    groups: dict[tuple, list[Entry]] = {}
    kept = []
    for entry in entries:
        if entry.file.endswith((".ipynb", ".py")) and not entry.path.is_dir():
            groups.setdefault((entry.student, entry.convention, entry.stamp), []).append(entry)
        else:
            kept.append(entry)
    for members in groups.values():
        members.sort(key=lambda e: (not e.file.endswith(".ipynb"), e.file))
        first = members[0]
        kept.append(Entry(first.path, first.convention, first.student, first.name, any(e.late for e in members),
                          first.stamp, parts=tuple((e.file, e.path) for e in members)))
    return kept


def content_time(path: Path | Entry, max_members: int = 2000) -> datetime:
    """The newest time stamp inside a zip (of its members) or a folder (of its .ipynb and .py files)."""
    newest = datetime.min
    if isinstance(path, Entry):
        if not path.parts:
            return content_time(path.path, max_members)
        return max(datetime.fromtimestamp(_mtime(p)) for _, p in path.parts)
    try:
        if path.is_dir():
            for root, _, names in os.walk(path):
                for name in names:
                    if name.endswith((".ipynb", ".py")):
                        info = os.lstat(os.path.join(root, name))
                        if stat.S_ISREG(info.st_mode):
                            newest = max(newest, datetime.fromtimestamp(info.st_mtime))
            return newest
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if len(infos) > max_members:
                return newest
            for info in infos:
                try:
                    newest = max(newest, datetime(*info.date_time))
                except ValueError:
                    continue
    except (OSError, zipfile.BadZipFile, RuntimeError, ValueError, EOFError, OverflowError):
        pass
    return newest


def _mtime(path: Path) -> float:
    try:
        return path.lstat().st_mtime
    except OSError:
        return 0.0


def by_attempt(entries: list[Entry]) -> tuple[list[Entry], str]:
    """One student's entries, oldest first, and the rule that ordered them (see the module docstring)."""
    if len(entries) < 2:
        return list(entries), ""
    if all(e.stamp is not None for e in entries):
        stamped = {e.convention for e in entries}
        where = "timestamp.txt" if stamped == {"nbgrader"} else "the attempt time stamp in the name"
        return sorted(entries, key=lambda e: (e.stamp, content_time(e), _mtime(e.path), e.path.name)), where
    return (sorted(entries, key=lambda e: (content_time(e), _mtime(e.path), e.path.name)),
            "the newest time stamp inside each zip, then the file's modification time")


def describe(entry: Entry, root: Path) -> str:
    """Where a submission came from, in a few words: ``Canvas: smithjane_LATE_…zip (LATE)``."""
    try:
        where = entry.path.relative_to(root).as_posix()
    except ValueError:
        where = entry.path.name
    if entry.path.is_dir():
        where += "/"
    if len(entry.parts) > 1:
        where += f" and {len(entry.parts) - 1} more file{'s' if len(entry.parts) > 2 else ''} of that attempt"
    details = [text for text in (entry.name and f"name {entry.name}", entry.late and "LATE",
                                 entry.stamp and f"submitted {entry.stamp:%Y-%m-%d %H:%M:%S}") if text]
    return f"{LABELS.get(entry.convention, 'unrecognised')}: {where}" + (f" ({', '.join(details)})" if details else "")
