"""Build what students receive for a chapter: the notebook as nbgrader releases it, and nnlib with stubs.

``_grading/source/<ch>/`` is assembled from ``chapters/`` and ``nnlib/`` (which holds only
stubs and infrastructure), nbgrader's generate_assignment turns it into
``_grading/release/<ch>/`` (hidden checks removed, check cells locked and checksummed, and
the gradebook told which cells are graded), and the result is copied to ``dist/<ch>/`` and
zipped. Every artifact is scanned for solution code and hidden checks before it is kept.
"""
from __future__ import annotations

import re
import shutil
import zipfile
from importlib import metadata
from pathlib import Path

import nbformat

from .chapters import Chapter, chapter, exercise_modules
from .grading.nbgrader_run import checked
from .notebooks import chapter_notebooks
from .paths import DIST, GRADING, NNLIB, ROOT
from .secrets import assert_no_leaks

STUDENT_PACKAGES = ("numpy", "matplotlib", "ipywidgets", "tqdm", "threadpoolctl", "scikit-learn",
                    "ipykernel", "jupyterlab")
"""Distributions a student needs to run a chapter, pinned in ``requirements.txt`` to the versions
installed where the course is built and tested (nbgrader stays out: its menus are for instructors)."""

STUDENT_README = """\
{title}
{underline}

What is here
  {notebooks}   the chapter: read it, run it, do the exercises
  nnlib/                 the course library; you write the functions in {modules}
  requirements.txt       the Python packages the notebook needs (Python 3.11 or newer)

Set up (once, in this folder: about two minutes and 600 MB)
  python -m venv .venv && .venv/bin/pip install -r requirements.txt
  (On Windows: python -m venv .venv && .venv\\Scripts\\pip install -r requirements.txt)

Open the chapter
  .venv/bin/jupyter lab {first_notebook}
  (On Windows: .venv\\Scripts\\jupyter lab {first_notebook})

How to work
  1. Run the notebook from the top (Run > Run All Cells is fine: a demo that needs an
     exercise you have not written yet says so in one line and the rest still runs).
  2. Each exercise names a function in {modules} that raises NotImplementedError.
     Write it there, then run the exercise's check cell: it says PASS or FAIL for
     each check, with what was expected, and ends with your points.
     (The notebook reloads nnlib by itself; no kernel restart is needed.)
  3. Hidden checks with random inputs decide the grade; the visible ones show the kind
     of thing they test. Each hidden check has a time budget of CPU time: 50 times what
     the reference solution needs for it on the grading machine, and never less than 3 s
     (3 to 7 s for this course's checks). A correct but slow loop passes, even on a busy
     machine; only an endless loop runs out of time, and the feedback then says so.

How to submit
  Zip the notebook and nnlib/ (leave .venv/ out: it is large and not yours to grade),
  for example: zip -r ../{chapter_id}-submission.zip {first_notebook} nnlib
  and upload the zip. Do not rename the notebook or nnlib/{first_module}.py.
"""


# -- MyST for plain JupyterLab -------------------------------------------------------------
# The book's MyST (admonitions, {cite} roles, {bibliography}) shows raw in plain JupyterLab, and
# jupyterlab-myst renders no BibTeX citations (executablebooks/jupyterlab-myst#127). The release
# rewrites those constructs as CommonMark: titled block quotes, "(Author, year)" and a written list.

_ADMONITION = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<kind>admonition|note|tip|hint|important|warning|caution|"
                         r"attention|danger|error|seealso)\}[ \t]*(?P<title>[^\n]*)\n(?P<options>(?:[ \t]*:[\w-]+:[^\n]*\n)*)"
                         r"(?P<body>.*?)^(?P=fence)[ \t]*$", re.M | re.S)
_CITE = re.compile(r"\{cite(?::(?P<style>[pt]))?\}`(?P<keys>[^`]+)`")
_BIBLIOGRAPHY = re.compile(r"^(?P<fence>`{3,}|:{3,})\{bibliography\}[^\n]*\n(?P<options>(?:[ \t]*:[\w-]+:[^\n]*\n)*)"
                           r"(?P=fence)[ \t]*$", re.M)


_ACCENTS = {"'": "\u0301", '"': "\u0308", "`": "\u0300", "^": "\u0302", "~": "\u0303", "c": "\u0327"}


def _plain_tex(value: str) -> str:
    """A BibTeX field as plain text: accents (\\'e, \\"u) as letters, braces and "--" resolved."""
    import unicodedata

    value = re.sub(r"\{?\\(['\"`^~]|c )\{?(\w)\}?\}?",
                   lambda m: unicodedata.normalize("NFC", m.group(2) + _ACCENTS[m.group(1).strip()]), value)
    return " ".join(value.replace("{", "").replace("}", "").replace("--", "\u2013").split())


def read_bibtex(text: str) -> dict[str, dict[str, str]]:
    """Entries of a BibTeX file: key -> fields (lower-case names, braces removed)."""
    entries, i = {}, 0
    while (at := text.find("@", i)) >= 0:
        head = re.match(r"@(\w+)\s*\{\s*([^,\s]+)\s*,", text[at:])
        if not head:
            i = at + 1
            continue
        fields, j = {"type": head.group(1).lower()}, at + head.end()
        while True:
            field = re.compile(r"\s*(\w[\w-]*)\s*=\s*").match(text, j)
            if not field:
                break
            j = field.end()
            if text[j] == "{":
                depth, k = 0, j
                while True:
                    depth += {"{": 1, "}": -1}.get(text[k], 0)
                    k += 1
                    if depth == 0:
                        break
                value = text[j + 1:k - 1]
            elif text[j] == '"':
                k = text.index('"', j + 1) + 1
                value = text[j + 1:k - 1]
            else:
                k = re.compile(r"[^,}\s]*").match(text, j).end()
                value = text[j:k]
            fields[field.group(1).lower()] = _plain_tex(value)
            j = re.compile(r"\s*,?").match(text, k).end()
        entries[head.group(2)] = fields
        i = j
    return entries


def _surnames(entry: dict[str, str]) -> list[str]:
    people = entry.get("author") or entry.get("editor") or entry.get("organization") or "Anonymous"
    names = []
    for person in people.split(" and "):
        person = person.strip()
        names.append(person.split(",")[0].strip() if "," in person else person.split()[-1] if " " in person else person)
    return names


def _who(entry: dict[str, str]) -> str:
    names = _surnames(entry)
    if entry.get("author") is None and entry.get("editor") is None and entry.get("organization"):
        return entry["organization"]
    if len(names) == 1:
        return names[0]
    return f"{names[0]} and {names[1]}" if len(names) == 2 else f"{names[0]} et al."


def _entry_for(key: str, bib: dict[str, dict[str, str]]) -> dict[str, str] | None:
    return bib.get(key) or bib.get(re.sub(r"^ch\d\d-", "", key))


def _reference(entry: dict[str, str]) -> str:
    """One entry of a written reference list (CommonMark)."""
    people = entry.get("author") or entry.get("editor") or entry.get("organization") or ""
    persons = [p.strip() for p in people.split(" and ") if p.strip()]
    who = ", ".join(persons[:-1]) + (" and " if len(persons) > 1 else "") + persons[-1] if persons else ""
    parts = [f"{who} ({entry.get('year', 'n.d.')}).", f"{entry.get('title', '')}."]
    venue = entry.get("journal") or entry.get("booktitle") or entry.get("publisher") or entry.get("howpublished")
    if venue:
        detail = venue + (f", {entry['volume']}" if entry.get("volume") else "") + \
            (f"({entry['number']})" if entry.get("number") else "") + (f", {entry['pages']}" if entry.get("pages") else "")
        parts.append(f"*{detail}*.")
    link = entry.get("url") or (f"https://doi.org/{entry['doi']}" if entry.get("doi") else "")
    if link:
        parts.append(f"<{link}>")
    return " ".join(parts)


def plain_markdown(source: str, bib: dict[str, dict[str, str]], cited: list[str]) -> str:
    """One markdown cell with its MyST admonitions, citations and bibliography in CommonMark.

    ``cited`` collects the keys cited so far in the notebook (in order); a ``{bibliography}``
    block becomes the list of those entries.
    """
    def admonition(match: re.Match) -> str:
        kind, title = match["kind"], match["title"].strip()
        title = title if kind == "admonition" else (kind.capitalize() + (f": {title}" if title else ""))
        body = match["body"].rstrip("\n").split("\n")
        return "\n".join([f"> **{title}**" if title else ">", ">"] + [f"> {line}" if line.strip() else ">" for line in body])

    def cite(match: re.Match) -> str:
        keys = [k.strip() for k in match["keys"].split(",") if k.strip()]
        found = []
        for key in keys:
            entry = _entry_for(key, bib)
            if entry is None:
                raise ValueError(f"{{cite}} names {key!r}, which references.bib does not define")
            if key not in cited:
                cited.append(key)
            found.append(entry)
        if match["style"] == "t":
            return "; ".join(f"{_who(e)} ({e.get('year', 'n.d.')})" for e in found)
        return "(" + "; ".join(f"{_who(e)}, {e.get('year', 'n.d.')}" for e in found) + ")"

    def bibliography(_match: re.Match) -> str:
        entries = sorted({id(e): e for e in (_entry_for(k, bib) for k in cited)}.values(),
                         key=lambda e: (_surnames(e)[0].lower(), e.get("year", "")))
        return "\n".join(f"- {_reference(e)}" for e in entries)

    source = _ADMONITION.sub(admonition, source)
    source = _CITE.sub(cite, source)
    return _BIBLIOGRAPHY.sub(bibliography, source)


def plain_notebook(path: Path, bib_path: Path = ROOT / "references.bib") -> None:
    """Rewrite the markdown cells of the notebook at ``path`` (in place) for plain JupyterLab."""
    bib = read_bibtex(bib_path.read_text(encoding="utf-8"))
    nb = nbformat.read(path, as_version=4)
    cited: list[str] = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = plain_markdown(cell.source, bib, cited)
    nbformat.write(nb, path)


def _library_files(ch: Chapter) -> list[Path]:
    """nnlib's infrastructure plus this chapter's exercise stubs (other chapters' stay out)."""
    others = {f"{m}.py" for m in exercise_modules()} - {f"{m}.py" for m in ch.modules}
    return [p for p in sorted(NNLIB.glob("*.py")) if p.name not in others]


def assemble_source(ch: Chapter, course_dir: Path) -> Path:
    """Write nbgrader's ``source/<ch>/``: notebooks (with hidden-check lines) and nnlib."""
    source = course_dir / "source" / ch.id
    if source.exists():
        shutil.rmtree(source)
    (source / "nnlib").mkdir(parents=True)
    for notebook in chapter_notebooks(ch):
        shutil.copy2(notebook, source / notebook.name)
        plain_notebook(source / notebook.name)
    for path in _library_files(ch):
        shutil.copy2(path, source / "nnlib" / path.name)
    return source


def _readme(ch: Chapter) -> str:
    modules = ", ".join(f"nnlib/{m}.py" for m in ch.modules)
    title = f"Chapter {ch.number}: {ch.title}"
    names = [p.name for p in chapter_notebooks(ch)]
    return STUDENT_README.format(title=title, underline="=" * len(title), notebooks=", ".join(names),
                                 modules=modules, first_module=ch.modules[0], first_notebook=names[0], chapter_id=ch.id)


def student_requirements() -> str:
    """``requirements.txt`` for a release: :data:`STUDENT_PACKAGES` pinned to the installed versions."""
    lines = ["# The packages this chapter's notebook needs, at the versions the course is tested with.",
             "# python -m venv .venv && .venv/bin/pip install -r requirements.txt"]
    for name in STUDENT_PACKAGES:
        try:
            lines.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            raise RuntimeError(f"{name} is not installed here, so its tested version is unknown; "
                               "install the course's environment (pip install -e .) first") from None
    return "\n".join(lines) + "\n"


def _zip(folder: Path, archive: Path) -> Path:
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            out.write(path, Path(folder.name) / path.relative_to(folder))
    return archive


def release(chapter_id: str, *, course_dir: Path = GRADING, dist: Path = DIST) -> Path:
    """Release one chapter into ``dist/<id>/`` and ``dist/<id>.zip``; returns the zip's path.

    ``course_dir`` is the nbgrader course folder; its gradebook learns the chapter's graded cells.
    """
    ch = chapter(chapter_id)
    assemble_source(ch, course_dir)
    checked("generate_assignment", ch.id, "--force", course_dir=course_dir)
    released = course_dir / "release" / ch.id
    assert_no_leaks([released], f"nbgrader's release of {ch.id}")
    target = dist / ch.id
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(released, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (target / "README.txt").write_text(_readme(ch), encoding="utf-8")
    (target / "requirements.txt").write_text(student_requirements(), encoding="utf-8")
    archive = _zip(target, dist / f"{ch.id}.zip")
    assert_no_leaks([target, archive], f"the release of {ch.id}")
    return archive
