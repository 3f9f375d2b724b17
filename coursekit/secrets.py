"""What students must never see, and a scanner that finds it in any artifact.

Secrets are the lines of every solution body and every hidden check (long enough to be
specific and absent from the public files), plus the markers of hidden checks. Artifacts
are scanned as text: notebooks as their cells' sources and outputs, HTML with its tags
removed (syntax highlighting splits code into spans), zips member by member. Each text is
also scanned normalised (invisible characters such as zero-width spaces removed, Unicode
compatibility forms folded) and decoded (runs of base64 or hex), so a secret printed in
disguise is still found. The real guarantee is elsewhere: the sandbox never sees a secret.
"""
from __future__ import annotations

import base64
import binascii
import html
import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

from .chapters import exercise_modules
from .paths import ROOT
from .stubs import find_blocks, solution_path

MARKERS = ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "BEGIN SOLUTION", "END SOLUTION", "coursekit.hidden")
MIN_LENGTH = 20


@dataclass(frozen=True)
class Leak:
    artifact: str
    secret: str

    def __str__(self) -> str:
        return f"{self.artifact}: {self.secret[:80]}"


def _normal(text: str) -> str:
    return " ".join(text.split())


def _solution_lines() -> set[str]:
    lines = set()
    for module in exercise_modules():
        path = solution_path(module)
        text = path.read_text(encoding="utf-8").splitlines()
        for block in find_blocks("\n".join(text), path):
            lines.update(text[block.begin + 1:block.end])
    return lines


def _grader_lines() -> set[str]:
    lines = set()
    for path in (ROOT / "coursekit" / "graders").glob("*.py"):
        lines.update(path.read_text(encoding="utf-8").splitlines())
    return lines


def _public_text() -> str:
    """Everything students legitimately have: nnlib (stubs and infrastructure)."""
    return "\n".join(_normal(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "nnlib").glob("*.py")))


def _chapter_text() -> str:
    """The chapters' notebooks as released (hidden checks removed): public too."""
    from .chapters import CHAPTER_LIST
    from .notebooks import chapter_notebooks, read, without_hidden_tests
    return "\n".join(_normal(cell.source) for chapter in CHAPTER_LIST for path in chapter_notebooks(chapter)
                     for cell in without_hidden_tests(read(path)).cells)


@lru_cache(maxsize=1)
def secret_lines() -> tuple[str, ...]:
    """Normalized solution and hidden-check lines that must not appear in any artifact (read once).

    A hidden-check line that a chapter shows anyway (a demo builds a network the same way) is
    public; a solution line never is.
    """
    public = _public_text()
    shown = public + "\n" + _chapter_text()
    solution = {_normal(line) for line in _solution_lines()}
    checks = {_normal(line) for line in _grader_lines()} - solution
    return tuple(sorted(line for line in solution | checks
                        if len(line) >= MIN_LENGTH and not line.startswith("#")
                        and line not in (public if line in solution else shown)))


class _TextOnly(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)


def html_text(markup: str) -> str:
    parser = _TextOnly()
    parser.feed(markup)
    return html.unescape("".join(parser.parts))


def notebook_text(raw: str) -> str:
    """Sources and text outputs of a notebook's cells; the raw text if it is not JSON."""
    try:
        cells = json.loads(raw)["cells"]
    except (ValueError, KeyError, TypeError):
        return raw
    parts = []
    for cell in cells:
        parts.append("".join(cell.get("source", "")))
        for output in cell.get("outputs", []):
            parts.append("".join(output.get("text", "")))
            parts.extend("".join(v) if isinstance(v, list) else str(v)
                         for k, v in output.get("data", {}).items() if k.startswith("text/"))
    return "\n".join(parts)


def artifact_text(name: str, data: bytes) -> str:
    text = data.decode("utf-8", errors="replace")
    if name.endswith((".html", ".htm")):
        return html_text(text)
    if name.endswith(".ipynb"):
        return notebook_text(text)
    return text


def _texts(path: Path):
    """(name, text) for a file, every file below a folder, or every member of a zip."""
    if path.is_dir():
        for child in sorted(p for p in path.rglob("*") if p.is_file()):
            yield from _texts(child)
    elif path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            for member in archive.namelist():
                if not member.endswith("/"):
                    yield f"{path}!{member}", artifact_text(member, archive.read(member))
    elif path.suffix in {".py", ".ipynb", ".html", ".htm", ".txt", ".md", ".json", ".js", ".csv"}:
        yield str(path), artifact_text(path.name, path.read_bytes())


_BASE64_RUN = re.compile(r"[A-Za-z0-9+/_-]{16,}={0,2}")
_HEX_RUN = re.compile(r"(?:[0-9a-fA-F]{2}){12,}")


def visible(text: str) -> str:
    """``text`` without invisible characters (format characters: zero-width spaces, joiners, BOM, soft hyphens), NFKC."""
    return unicodedata.normalize("NFKC", "".join(c for c in text if unicodedata.category(c) != "Cf"))


def _decoded(text: str) -> list[str]:
    """Texts hidden in ``text`` as base64 (standard or URL-safe, wrapped or not) or hex."""
    out = []
    joined = re.sub(r"\s+", "", text)
    for run in set(_BASE64_RUN.findall(joined)):
        for skip in range(4):
            chunk = run[skip:].rstrip("=")
            chunk = chunk[: len(chunk) - len(chunk) % 4] if len(chunk) % 4 == 1 else chunk
            try:
                data = base64.b64decode(chunk.replace("-", "+").replace("_", "/") + "=" * (-len(chunk) % 4))
            except (binascii.Error, ValueError):
                continue
            out.append(data.decode("utf-8", "ignore"))
    for run in set(_HEX_RUN.findall(joined)):
        out.append(bytes.fromhex(run).decode("utf-8", "ignore"))
    return out


def variants(text: str) -> list[str]:
    """The flattened forms of ``text`` the scanner searches: as is, visible-only, and decoded."""
    shown = visible(text)
    forms = [_normal(text), _normal(shown)]
    forms += [_normal(visible(hidden)) for hidden in _decoded(shown)]
    return forms


def scan(paths, secrets: tuple[str, ...] | None = None) -> list[Leak]:
    """Every secret line or hidden-check marker found in the given files, folders or zips."""
    secrets = secret_lines() if secrets is None else secrets
    leaks = []
    for path in paths:
        for name, text in _texts(Path(path)):
            forms = variants(text)
            leaks.extend(Leak(name, s) for s in (*secrets, *MARKERS) if any(s in form for form in forms))
    return leaks


def assert_no_leaks(paths, what: str) -> None:
    """RuntimeError listing the leaks, if any, in ``what`` (e.g. 'the release of ch01')."""
    leaks = scan(paths)
    if leaks:
        listing = "\n".join(f"  {leak}" for leak in leaks[:20])
        raise RuntimeError(f"{what} contains {len(leaks)} secret(s):\n{listing}")


__all__ = ["Leak", "scan", "assert_no_leaks", "secret_lines", "html_text"]
