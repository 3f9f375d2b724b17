"""Synthetic submissions built from the release: for the benchmark and the tests."""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path


def inject(source: str, function: str, code: str) -> str:
    """``source`` with ``code`` run first in ``function``'s body (after its docstring)."""
    head = source.index(f"def {function}(")
    body = source.index('"""', source.index('"""', head) + 3) + 3
    lines = "".join(f"\n    {line}" for line in code.strip().splitlines())
    return source[:body] + lines + source[body:]


def write_zip(folder: Path, archive: Path, top: str, extra=None) -> Path:
    """Zip ``folder`` under the name ``top/`` (as a student zips the chapter folder)."""
    with zipfile.ZipFile(archive, "w") as out:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            out.write(path, Path(top) / path.relative_to(folder))
        if extra:
            extra(out)
    return archive


def submission(release: Path, work: Path, archive: Path, modules: dict[str, str]) -> Path:
    """A zip of the released chapter folder with ``nnlib/<module>.py`` replaced by the given sources."""
    folder = work / archive.stem
    shutil.copytree(release, folder)
    for module, source in modules.items():
        (folder / "nnlib" / f"{module}.py").write_text(source, encoding="utf-8")
    return write_zip(folder, archive, release.name)
