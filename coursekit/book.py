"""Build the book: stage the sources with hidden checks removed and the reference nnlib, run jupyter-book.

Staging keeps the secrets out of the HTML by construction (the staged notebooks have no
hidden checks, and solution code lives only in the staged ``nnlib/``, which the book does
not render); a scan of the built HTML proves it.

Staging also prepares each chapter for reading rather than for grading (the notebooks in
``chapters/`` stay as nbgrader and the students need them):

* the cache key (the hash of the reference nnlib) goes into a removed cell, not the visible source;
* the setup cell's input is removed, the ``GRADING`` branches are resolved to what the book
  runs, and the points a check cell returns are not echoed (its PASS/FAIL lines stay);
* figures wider than the content column are resized to it before they are drawn, so they
  are shown at (nearly) their natural size; each figure gets alt text from its title;
* code cells are formatted with ruff to the column's width;
* each chapter page links to the chapter's release zip, built with the book.

This module is also a Sphinx extension (``sphinx.extra_extensions`` in ``_config.yml``) that
removes sphinx-thebe's scripts, which the book does not use and which declare
``THEBE_JS_URL`` twice on every page.
"""
from __future__ import annotations

import ast
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import textwrap
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml

from .chapters import CHAPTER_LIST, chapter
from .grading.nbgrader_run import SINGLE_THREADED_BLAS
from .notebooks import chapter_notebooks, download_name, read, without_hidden_tests
from .paths import BOOK_ASSETS, BOOK_SOURCE, BUILD, NNLIB, ROOT, VENDOR
from .variants import assemble_reference

BOOK_FILES = ("_config.yml", "_toc.yml", "intro.md", "references.bib")
HTML = BUILD / "html"

MATHJAX_VERSION = "3.2.2"
MATHJAX = VENDOR / f"mathjax-{MATHJAX_VERSION}"
# What the pages load: the tex-mml-chtml component, the TeX extensions it autoloads, its
# woff fonts, and what its menu loads on demand (accessibility, speech).
MATHJAX_PARTS = ("tex-mml-chtml.js", "input/tex/extensions", "output/chtml/fonts/woff-v2",
                 "ui", "a11y", "sre", "adaptors")

CODE_LINE_LENGTH = 84
"""Characters per code line: what the content column shows at the book's code font size."""
FIGURE_MAX_PIXELS = 735
"""Widest figure, in pixels, the content column (about 690 px at a desktop width) shows at >= 0.9 of its size."""


# ---------------------------------------------------------------- MathJax, served by the book

def ensure_mathjax() -> Path:
    """MathJax's files in ``_build/vendor/``, unpacked from the npm registry's package once.

    The book serves them itself, so formulas render with no network. Raises RuntimeError,
    saying what to do, when the package cannot be had.
    """
    if (MATHJAX / "tex-mml-chtml.js").is_file():
        return MATHJAX
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(f"the book serves MathJax {MATHJAX_VERSION} itself, taken from the npm package "
                           f"'mathjax@{MATHJAX_VERSION}', but npm is not installed: install Node.js and npm "
                           f"(Debian: apt-get install npm), or unpack that package's es5/ folder into {MATHJAX}")
    with tempfile.TemporaryDirectory() as tmp:
        result = subprocess.run([npm, "pack", f"mathjax@{MATHJAX_VERSION}", "--pack-destination", tmp,
                                 "--silent"], capture_output=True, text=True, cwd=tmp)
        tarballs = list(Path(tmp).glob("mathjax-*.tgz"))
        if result.returncode != 0 or not tarballs:
            raise RuntimeError(f"could not fetch the npm package mathjax@{MATHJAX_VERSION} (npm pack exit "
                               f"{result.returncode}: {result.stderr.strip()[-500:]}); the book needs it to "
                               f"show formulas offline. Retry with a working npm registry, or unpack the "
                               f"package's es5/ folder into {MATHJAX}")
        unpacked = Path(tmp) / "unpacked"
        with tarfile.open(tarballs[0]) as archive:
            archive.extractall(unpacked, filter="data")
        es5 = unpacked / "package" / "es5"
        partial = MATHJAX.with_name(MATHJAX.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        for part in MATHJAX_PARTS:
            source, target = es5 / part, partial / part
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.is_dir():
                shutil.copytree(source, target)
            else:
                shutil.copy2(source, target)
        shutil.copy2(unpacked / "package" / "LICENSE", partial / "LICENSE")
        shutil.rmtree(MATHJAX, ignore_errors=True)
        partial.rename(MATHJAX)
    return MATHJAX


# ---------------------------------------------------------------- configuration

def staged_config(config_text: str) -> str:
    """``_config.yml`` as the build uses it: launch and repository buttons only when a URL is set.

    ``repository.url`` is the one setting: empty, the pages show no launch, repository or
    issue button (they would lead nowhere); set, Binder/Colab launch buttons and the
    repository button point there.
    """
    config = yaml.safe_load(config_text) or {}
    repository = config.setdefault("repository", {})
    url = (repository.get("url") or "").strip()
    html = config.setdefault("html", {})
    if url:
        repository["url"] = url
        html.setdefault("use_repository_button", True)
    else:
        repository["url"] = ""
        config.pop("launch_buttons", None)
        config["launch_buttons"] = {"binderhub_url": "", "colab_url": "", "jupyterhub_url": "",
                                    "thebe": False, "deepnote_url": ""}
        for button in ("use_repository_button", "use_issues_button", "use_edit_page_button"):
            html[button] = False
    return yaml.safe_dump(config, sort_keys=False, allow_unicode=True)


# ---------------------------------------------------------------- notebooks, staged for reading

_MAGIC = re.compile(r"^\s*[%!]")


def _parse(source: str) -> ast.Module | None:
    """The cell's syntax tree, IPython magics blanked out line for line; None if it does not parse."""
    lines = ["pass" if _MAGIC.match(line) else line for line in source.split("\n")]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


def _is_grading_test(node: ast.expr) -> bool | None:
    """True for ``GRADING``, False for ``not GRADING``, None for anything else."""
    if isinstance(node, ast.Name) and node.id == "GRADING":
        return True
    if (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not)
            and isinstance(node.operand, ast.Name) and node.operand.id == "GRADING"):
        return False
    return None


def without_grading_branches(source: str) -> str:
    """The cell as the book runs it (``GRADING`` false): ``a if GRADING else b`` becomes ``b``,
    ``if GRADING: ... else: ...`` its else branch, ``if not GRADING: ...`` its body.

    The result does the same as the source when ``GRADING`` is false; comments and layout
    outside the resolved branches are kept.
    """
    for _ in range(50):                      # one edit at a time, re-parsing after each
        tree = _parse(source)
        if tree is None:
            return source
        edit = _first_grading_edit(source, tree)
        if edit is None:
            return source
        source = edit
    return source


def _first_grading_edit(source: str, tree: ast.Module) -> str | None:
    lines = source.split("\n")
    for node in ast.walk(tree):
        if isinstance(node, ast.IfExp) and _is_grading_test(node.test) is not None:
            kept = node.orelse if _is_grading_test(node.test) else node.body
            text = ast.get_source_segment(source, kept)
            if isinstance(kept, (ast.IfExp, ast.Lambda, ast.NamedExpr)):
                text = f"({text})"
            offsets = _offsets(lines)
            start = offsets[node.lineno - 1] + _byte_to_char(lines[node.lineno - 1], node.col_offset)
            end = offsets[node.end_lineno - 1] + _byte_to_char(lines[node.end_lineno - 1], node.end_col_offset)
            return source[:start] + text + source[end:]
        if isinstance(node, ast.If) and _is_grading_test(node.test) is not None:
            kept = node.orelse if _is_grading_test(node.test) else node.body
            first, last = node.lineno - 1, node.end_lineno
            if not kept:
                replacement = []
            elif len(kept) == 1 and isinstance(kept[0], ast.If) and node.orelse is kept and \
                    lines[kept[0].lineno - 1].lstrip().startswith("elif"):
                return None                  # if GRADING/elif chains: leave them alone
            else:
                body_lines = lines[kept[0].lineno - 1:kept[-1].end_lineno]
                indent = kept[0].col_offset - node.col_offset
                replacement = [line[indent:] if line[:indent].strip() == "" else line for line in body_lines]
            return "\n".join(lines[:first] + replacement + lines[last:])
    return None


def _offsets(lines: list[str]) -> list[int]:
    offsets, total = [], 0
    for line in lines:
        offsets.append(total)
        total += len(line) + 1
    return offsets


def _byte_to_char(line: str, byte_offset: int) -> int:
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore"))


def _is_setup_cell(cell) -> bool:
    return str(cell.metadata.get("nbgrader", {}).get("grade_id", "")).endswith("_setup")


def _is_check_cell(cell) -> bool:
    return bool(cell.metadata.get("nbgrader", {}).get("grade"))


def _add_tag(cell, tag: str) -> None:
    tags = cell.metadata.setdefault("tags", [])
    if tag not in tags:
        tags.append(tag)


def _quiet_last_expression(source: str) -> str:
    """End the cell with ``;`` so IPython does not echo the points the check returns."""
    lines = source.rstrip().split("\n")
    for i in range(len(lines) - 1, -1, -1):
        stripped = lines[i].strip()
        if stripped and not stripped.startswith("#"):
            if not stripped.endswith(";"):
                lines[i] = lines[i].rstrip() + ";"
            break
    return "\n".join(lines)


FIGURE_HOOK = f'''\
# Book build only: a figure wider than the page's content column is resized to it before it
# is drawn, so the page shows it at about its natural size. Its text shrinks less than the
# figure (by the square root of the factor), and a title or axis label wider than its axes
# is wrapped onto two lines, so the text stays legible and does not collide.
import sys as _sys
import re as _re
import matplotlib.backend_bases as _backend_bases
from matplotlib.text import Text as _Text

_print_figure = _backend_bases.FigureCanvasBase.print_figure


def _wrap_to(text_artist, width_px):
    text = text_artist.get_text()
    drawn = text_artist.get_window_extent().width if text else 0
    if drawn <= 1.02 * width_px or len(text) <= 12:
        return
    longest = max(len(line) for line in text.split("\\n"))
    chars = max(12, int(longest * width_px / drawn * 0.95))
    wrapped = []
    for line in text.split("\\n"):
        words = _re.findall(r"\\S*\\$[^$]*\\$\\S*|\\S+", line)   # keep $...$ in one piece
        current = ""
        for word in words:
            if current and len(current) + 1 + len(word) > chars:
                wrapped.append(current)
                current = word
            else:
                current = f"{{current}} {{word}}" if current else word
        wrapped.append(current)
    text_artist.set_text("\\n".join(wrapped))


def _fit_text(fig):
    fig.draw_without_rendering()
    for ax in fig.axes:
        if not ax.get_visible() or not ax.axison and not ax.get_title():
            continue
        width = ax.get_window_extent().width
        for artist in (ax.title, ax._left_title, ax._right_title, ax.xaxis.label):
            _wrap_to(artist, width)
    if fig._suptitle is not None:
        _wrap_to(fig._suptitle, fig.bbox.width)


def _print_for_the_page(self, *args, **kwargs):
    caller = _sys._getframe(1).f_globals.get("__name__", "")
    if caller == "IPython.core.pylabtools":          # the inline display, not savefig
        fig = self.figure
        dpi = kwargs.get("dpi") or fig.dpi
        for _ in range(4):                            # what is drawn: the tight box, +0.1 in a side
            width, height = fig.get_size_inches()
            try:
                fig.draw_without_rendering()
                drawn = fig.get_tightbbox().width + 0.2
            except Exception:                         # no layout to measure: use the figure's size
                drawn = width
            if max(drawn, width) * dpi <= {FIGURE_MAX_PIXELS}:
                break
            scale = {FIGURE_MAX_PIXELS} / (max(drawn, width) * dpi) * 0.99
            fig.set_size_inches(width * scale, height * max(scale, 0.8) ** 0.5)
            for text in fig.findobj(_Text):
                text.set_fontsize(text.get_fontsize() * max(scale, 0.64) ** 0.5)
            try:
                _fit_text(fig)
            except Exception:
                pass
    return _print_figure(self, *args, **kwargs)


_backend_bases.FigureCanvasBase.print_figure = _print_for_the_page
'''

_TITLE = re.compile(r"""(?:suptitle|set_title|title)\s*[=(]\s*(?:rf|fr|f|r)?(["'])(.+?)\1""")


_TEX_WORDS = {r"\lambda": "λ", r"\alpha": "α", r"\beta": "β", r"\eta": "η", r"\sigma": "σ",
              r"\epsilon": "ε", r"\varepsilon": "ε", r"\mu": "μ", r"\theta": "θ", r"\times": "×",
              r"\approx": "≈", r"\le": "≤", r"\ge": "≥", r"\infty": "∞", r"\cdot": "·"}


def plain_text(tex: str) -> str:
    """Text with inline TeX made readable for alt text: Greek letters as letters, no $ or braces."""
    for command, letter in sorted(_TEX_WORDS.items(), key=lambda item: -len(item[0])):
        tex = re.sub(re.escape(command) + r"(?![A-Za-z])", letter, tex)
    tex = re.sub(r"\\(mathrm|mathbf|text|operatorname)\{([^{}]*)\}", r"\2", tex)
    return re.sub(r"\s+", " ", tex.replace("$", "").replace("{", "").replace("}", "")).strip()


def figure_alt_text(source: str) -> str | None:
    """A figure's alt text from the titles its code sets (f-string fields shown as '…')."""
    titles = []
    for match in _TITLE.finditer(source):
        text = re.sub(r"(?<!\\)\{[^{}$]*\}(?![^$]*\$)", "…", match.group(2)).replace("\\\\", "\\")
        text = plain_text(text.replace("\\n", " "))
        if len(re.findall(r"[A-Za-z]{3,}", text)) >= 2 and text not in titles:
            titles.append(text)
    return "; ".join(titles)[:300] if titles else None


def _hidden_code_cell(source: str):
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["tags"] = ["remove-cell"]
    cell.id = _stable_id(source)
    return cell


def _stable_id(text: str) -> str:
    """A cell id from the cell's text: a new random id on every staging would make the staged
    notebook a changed file, and Sphinx would read and write its page again for nothing."""
    return "book-" + hashlib.sha256(text.encode()).hexdigest()[:12]


def _download_cell(zip_path: Path, notebook_dir: Path):
    relative = os.path.relpath(zip_path, notebook_dir).replace(os.sep, "/")
    return nbformat.v4.new_markdown_cell(
        "```{admonition} Run this chapter yourself\n:class: tip\n"
        f"Download {{download}}`the chapter as a zip <{relative}>`: the notebook, the `nnlib/` "
        "library with the exercises to write, and a README saying how to set it up and submit. "
        "Unpack it and open the notebook from that folder, in JupyterLab.\n```", id=_stable_id(relative))


def _stage_notebook(source: Path, target: Path, nnlib_hash: str, download: Path | None = None) -> None:
    """Copy a notebook without hidden checks, prepared for reading (see the module docstring).

    The nnlib hash goes into a removed first code cell: jupyter-cache hashes code, so a
    change in nnlib or solutions re-executes the notebook while an unchanged one is taken
    from the cache, and the reader never sees the stamp.
    """
    notebook = without_hidden_tests(read(source))
    cells, heading = [], ""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            headings = re.findall(r"^#+\s+(.+)$", cell.source, flags=re.M)
            heading = headings[-1].strip() if headings else heading
        if cell.cell_type == "code":
            cell.source = without_grading_branches(cell.source)
            if _is_setup_cell(cell):
                _add_tag(cell, "remove-input")
            if _is_check_cell(cell):
                cell.source = _quiet_last_expression(cell.source)
            alt = (f"Static snapshots of the interactive demo in the section \u201c{plain_text(heading)}\u201d: "
                   "run the notebook to move the sliders"
                   if "interactive_or_static(" in cell.source else None)
            alt = alt or figure_alt_text(cell.source) or (f"Figure made by the code above, in the section "
                                                   f"\u201c{plain_text(heading)}\u201d" if heading else None)
            if alt:
                cell.metadata.setdefault("mystnb", {}).setdefault("image", {})["alt"] = alt
        cells.append(cell)
        if cell.cell_type == "code" and _is_setup_cell(cell):
            cells.append(_hidden_code_cell(FIGURE_HOOK))
    first_code = next((i for i, c in enumerate(cells) if c.cell_type == "code"), 0)
    cells.insert(first_code, _hidden_code_cell(f"# book built against reference nnlib {nnlib_hash}"))
    if download is not None:
        title = next((i for i, c in enumerate(cells) if c.cell_type == "markdown"), 0)
        cells.insert(title + 1, _download_cell(download, target.parent))
    notebook.cells = cells
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(target))


def format_code(folder: Path) -> None:
    """Format the staged notebooks' code with ruff to :data:`CODE_LINE_LENGTH`; wrap long comments."""
    ruff = Path(sys.executable).parent / "ruff"
    ruff = str(ruff) if ruff.exists() else shutil.which("ruff")
    if ruff is None:
        raise RuntimeError("the book formats code cells with ruff, which is not installed: "
                           "run `make setup` (it installs the test extras, ruff among them)")
    notebooks = sorted(folder.rglob("*.ipynb"))
    result = subprocess.run([ruff, "format", "--no-cache", "--line-length", str(CODE_LINE_LENGTH),
                             "--isolated", *map(str, notebooks)], capture_output=True, text=True)
    if result.returncode != 0:
        # A cell ruff cannot parse is left as it is; everything else is still formatted.
        print("ruff format left some cells unformatted:", result.stderr.strip()[-800:], file=sys.stderr)
    for path in notebooks:
        notebook = read(path)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                cell.source = wrap_comments(cell.source)
        nbformat.write(notebook, str(path))


def wrap_comments(source: str, width: int = CODE_LINE_LENGTH) -> str:
    """Rewrap a block of comment lines if one of them is longer than ``width``; move a
    too-long trailing comment onto its own lines above the code."""
    lines, out, i = source.split("\n"), [], 0
    while i < len(lines):
        line = lines[i]
        indent = line[: len(line) - len(line.lstrip())]
        if line.strip().startswith("#") and not line.strip().startswith("#!"):
            block = [line]
            while (i + 1 < len(lines) and lines[i + 1].strip().startswith("#")
                   and lines[i + 1].startswith(indent) and not lines[i + 1][len(indent)].isspace()):
                i += 1
                block.append(lines[i])
            if max(map(len, block)) > width:
                text = " ".join(b.strip().lstrip("#").strip() for b in block)
                out.extend(textwrap.wrap(text, width, initial_indent=indent + "# ",
                                         subsequent_indent=indent + "# ", break_long_words=False))
            else:
                out.extend(block)
        elif len(line) > width and "#" in line:
            code, comment = _split_trailing_comment(line)
            if comment is None:
                out.append(line)
            else:
                out.extend(textwrap.wrap(comment, width, initial_indent=indent + "# ",
                                         subsequent_indent=indent + "# ", break_long_words=False))
                out.append(code.rstrip())
        else:
            out.append(line)
        i += 1
    return "\n".join(out)


def _split_trailing_comment(line: str) -> tuple[str, str | None]:
    """``code``, ``comment text`` for a line ending in a comment outside any string."""
    import tokenize
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(line + "\n").readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return line, None
    for token in tokens:
        if token.type == tokenize.COMMENT:
            col = token.start[1]
            code = line[:col]
            if code.strip() and not code.rstrip().endswith(("(", "[", "{", ",", "\\")):
                return code, token.string.lstrip("#").strip()
            return line, None
    return line, None


# ---------------------------------------------------------------- staging

def _tree_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*.py")):
        digest.update(path.relative_to(folder).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def _partial_toc(chapters) -> str:
    """A table of contents with the intro and only ``chapters`` (for a quick one-chapter build)."""
    entries = "".join(f"      - file: chapters/{c.folder}/{c.notebook}\n" for c in chapters)
    return f"format: jb-book\nroot: intro\nparts:\n  - caption: Chapters\n    chapters:\n{entries}"


NOT_IN_A_RELEASE = {"book.py", "bench.py", "bench_nnlib.py", "cli.py", "__main__.py"}
"""Course tooling a release does not depend on (any other change in coursekit/ makes new releases)."""
RELEASE_CACHE = BUILD / "release-cache"
"""Each chapter's release zip, kept under the hash of everything it is made from."""


def release_key(ch) -> str:
    """A hash of everything the chapter's release is made from: the chapter's folder, nnlib's
    stubs and infrastructure, the course tooling, the bibliography, nbgrader's configuration
    and the pinned package versions. Equal keys give equal releases."""
    from .release import student_requirements
    digest = hashlib.sha256(student_requirements().encode())
    paths = [p for p in ch.path.rglob("*") if p.is_file()
             and not {".ipynb_checkpoints", "__pycache__"} & set(p.parts)]
    paths += [*NNLIB.glob("*.py"), ROOT / "references.bib", ROOT / "nbgrader_config.py"]
    paths += [p for p in (ROOT / "coursekit").rglob("*.py") if p.name not in NOT_IN_A_RELEASE]
    for path in sorted(set(paths)):
        if path.is_file():
            digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _cached_release(ch, key: str) -> Path:
    return RELEASE_CACHE / f"{ch.id}-{key}.zip"


def _sync(new: Path, dest: Path) -> None:
    """Make ``dest`` hold exactly the files of ``new``, leaving files whose bytes did not change
    untouched (their times too), so an unchanged page is not read again by Sphinx."""
    dest.mkdir(parents=True, exist_ok=True)
    wanted = set()
    for path in sorted(new.rglob("*")):
        relative = path.relative_to(new)
        wanted.add(relative)
        target = dest / relative
        if path.is_dir():
            if target.exists() and not target.is_dir():
                target.unlink()
            target.mkdir(exist_ok=True)
        elif not (target.is_file() and target.stat().st_size == path.stat().st_size
                  and target.read_bytes() == path.read_bytes()):
            if target.is_dir():
                shutil.rmtree(target)
            os.replace(path, target)
    for path in sorted(dest.rglob("*"), reverse=True):     # children before their folders
        if path.relative_to(dest) not in wanted:
            shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()


def stage(dest: Path = BOOK_SOURCE, chapters=None) -> Path:
    """Write the book's sources to ``dest``: config, pages, chapters, the reference nnlib,
    the book's assets and MathJax, with each chapter page linking to its download
    (``downloads/<id>-<notebook>.zip``, put there by :func:`build_book`).

    ``chapters`` (default: all) limits the book to those chapters, with a table of contents
    of its own. Files whose content is unchanged keep their times, so Sphinx reads again only
    the pages that changed.
    """
    chapters = CHAPTER_LIST if chapters is None else chapters
    new = dest.with_name(dest.name + ".next")
    if new.exists():
        shutil.rmtree(new)
    new.mkdir(parents=True)
    for name in BOOK_FILES:
        shutil.copy2(ROOT / name, new / name)
    (new / "_config.yml").write_text(staged_config((ROOT / "_config.yml").read_text(encoding="utf-8")),
                                     encoding="utf-8")
    if chapters is not CHAPTER_LIST:
        (new / "_toc.yml").write_text(_partial_toc(chapters), encoding="utf-8")
    shutil.copytree(BOOK_ASSETS, new / "_assets")
    shutil.copytree(ensure_mathjax(), new / "_vendor" / "mathjax")
    reference = assemble_reference(dest.parent / "reference")
    shutil.copytree(reference / "nnlib", new / "nnlib")
    nnlib_hash = _tree_hash(new / "nnlib")
    for ch in chapters:
        target_dir = new / "chapters" / ch.folder
        shutil.copytree(ch.path, target_dir,
                        ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints", "__pycache__"))
        for notebook in chapter_notebooks(ch):
            is_graded = notebook.stem == ch.notebook
            _stage_notebook(notebook, target_dir / notebook.name, nnlib_hash,
                            new / "downloads" / download_name(ch) if is_graded else None)
    format_code(new / "chapters")
    old_downloads = dest / "downloads"
    if old_downloads.is_dir():     # the zips are put in by build_book; keep them until it does
        shutil.copytree(old_downloads, new / "downloads", dirs_exist_ok=True)
    _sync(new, dest)
    shutil.rmtree(new)
    return dest


def _without_download(notebook_path: Path) -> None:
    """Remove the "Run this chapter yourself" cell (the release failed); no code cell changes."""
    notebook = read(notebook_path)
    notebook.cells = [c for c in notebook.cells
                      if not (c.cell_type == "markdown" and "Run this chapter yourself" in c.source)]
    nbformat.write(notebook, str(notebook_path))


# ---------------------------------------------------------------- executing, on every core

NOTEBOOK_SECONDS = "notebook-seconds.json"
"""In the build's ``_build/``: each notebook's last execution time, to start the longest first."""


def book_environment() -> dict[str, str]:
    """The environment the book's kernels run in: static widgets, one BLAS thread each."""
    env = {**os.environ, "NNLIB_STATIC": "1", **SINGLE_THREADED_BLAS}
    # MPLBACKEND=Agg would stop kernels from showing figures; the book runs what readers run.
    for name in ("PYTHONPATH", "MPLBACKEND", "NBGRADER_EXECUTION"):
        env.pop(name, None)
    return env


def _worker_environment(env: dict[str, str]) -> None:
    """A worker's start: the book's environment, and death with the build (a killed build
    leaves no worker behind to take the next notebook)."""
    try:
        import ctypes
        import signal
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)   # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    os.environ.clear()
    os.environ.update(env)


def _cell_seconds(cell) -> float | None:
    from datetime import datetime
    timing = cell.metadata.get("execution", {})
    try:
        start = timing.get("iopub.execute_input") or timing["shell.execute_reply.started"]
        return (datetime.fromisoformat(timing["shell.execute_reply"])
                - datetime.fromisoformat(start)).total_seconds()
    except (KeyError, AttributeError, ValueError):
        return None


def execute_notebook(path: str, timeout: int | None, allow_errors: bool) -> dict:
    """Execute one staged notebook exactly as myst-nb's cache mode does (jupyter-cache's
    ``single_nb_execution``, in the notebook's folder). Runs in a worker process.

    Returns the executed notebook (JSON text), its seconds, the error text (None on success)
    and each code cell's seconds as ``(cell index, seconds, first line)``. The cells' timing
    metadata is recorded for that list only and removed, so the notebook is what a serial
    build would cache.
    """
    from jupyter_cache.executors.utils import single_nb_execution
    notebook = nbformat.read(path, as_version=4)
    result = single_nb_execution(notebook, cwd=str(Path(path).parent), timeout=timeout,
                                 allow_errors=allow_errors, meta_override=True, record_timing=True)
    cells = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            seconds = _cell_seconds(cell)
            if seconds is not None:
                first = next((line for line in cell.source.splitlines() if line.strip()), "")
                cells.append((index, round(seconds, 2), first[:70]))
            cell.metadata.pop("execution", None)
    return {"notebook": nbformat.writes(notebook), "seconds": result.time, "cells": cells,
            "error": (result.exc_string or repr(result.err)) if result.err is not None else None}


def release_chapter(chapter_id: str, work: str) -> str:
    """Release one chapter in its own course folder under ``work`` (a worker process); the zip's path."""
    from .release import release
    return str(release(chapter_id, course_dir=Path(work) / "course", dist=Path(work) / "dist"))


@dataclass
class Executed:
    """One notebook's execution in a build: seconds, None when taken from the cache."""

    path: Path
    seconds: float | None
    cells: list = field(default_factory=list)
    error: str | None = None

    def slowest(self, n: int = 3) -> list:
        return sorted(self.cells, key=lambda c: -c[1])[:n]


@dataclass
class BuildResult:
    returncode: int
    seconds: float = 0.0
    phases: dict = field(default_factory=dict)        # phase -> seconds
    executed: list = field(default_factory=list)      # Executed, in the book's order
    jobs: int = 1
    serial_in_sphinx: list = field(default_factory=list)   # pages Sphinx had to execute itself

    @property
    def execution_sum(self) -> float:
        return sum(e.seconds or 0.0 for e in self.executed)


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _execution_settings(source: Path) -> tuple[int | None, bool]:
    execute = (yaml.safe_load((source / "_config.yml").read_text(encoding="utf-8")) or {}).get("execute", {})
    return execute.get("timeout", 30), bool(execute.get("allow_errors", False))


def run_tasks(tasks: list, jobs: int, env: dict[str, str]) -> dict:
    """Run ``(name, estimate, function, args)`` tasks on ``jobs`` processes, the longest first.

    Returns name -> result, or name -> the exception that task raised (a crashed worker too).
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    results = {}
    if not tasks:
        return results
    ordered = sorted(tasks, key=lambda task: -task[1])
    with ProcessPoolExecutor(max_workers=max(1, min(jobs, len(tasks))),
                             mp_context=multiprocessing.get_context("spawn"),
                             initializer=_worker_environment, initargs=(env,)) as pool:
        futures = {name: pool.submit(function, *args) for name, _, function, args in ordered}
        for name, future in futures.items():
            try:
                results[name] = future.result()
            except Exception as error:  # noqa: BLE001 - reported by the caller as that task's failure
                results[name] = error
    return results


def execute_and_release(notebooks: list[Path], cache_dir: Path, *, releases=(), jobs: int = 1,
                        env: dict[str, str] | None = None, timeout: int | None = 300,
                        allow_errors: bool = False, seconds_file: Path | None = None,
                        work: Path | None = None) -> tuple[list, list[str], dict]:
    """Execute the ``notebooks`` the jupyter cache in ``cache_dir`` does not hold and build the
    ``releases`` (chapters) missing from :data:`RELEASE_CACHE`, all at once on ``jobs``
    processes, the longest first; cache what they made.

    Returns (an :class:`Executed` per notebook, in order; failure messages; chapter id -> the
    cached zip, or the exception its release raised). A notebook that fails is not cached.
    """
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    cache = get_cache(str(cache_dir))
    try:
        estimates = json.loads(seconds_file.read_text(encoding="utf-8")) if seconds_file else {}
    except (OSError, ValueError):
        estimates = {}
    executed, tasks = {}, []
    for path in notebooks:
        try:
            cache.match_cache_notebook(read(path))
            executed[str(path)] = Executed(path, None)
        except KeyError:
            tasks.append((str(path), estimates.get(path.name, 20.0), execute_notebook,
                          (str(path), timeout, allow_errors)))
    keys = {ch.id: release_key(ch) for ch in releases}
    with tempfile.TemporaryDirectory(prefix="book-releases-") as tmp:
        for ch in releases:
            if not _cached_release(ch, keys[ch.id]).is_file():
                tasks.append((f"release {ch.id}", estimates.get("release", 12.0), release_chapter,
                              (ch.id, str(Path(work or tmp) / ch.id))))
        if tasks:
            print(f"executing {sum(not t[0].startswith('release ') for t in tasks)} notebook(s) and building "
                  f"{sum(t[0].startswith('release ') for t in tasks)} release(s) on {jobs} process(es)", flush=True)
        results = run_tasks(tasks, jobs, env or book_environment())
        released = {}
        for ch in releases:
            result = results.get(f"release {ch.id}")
            if isinstance(result, BaseException):
                released[ch.id] = result
                continue
            cached = _cached_release(ch, keys[ch.id])
            if result is not None:
                RELEASE_CACHE.mkdir(parents=True, exist_ok=True)
                for stale in RELEASE_CACHE.glob(f"{ch.id}-*.zip"):
                    stale.unlink()
                shutil.copyfile(result, cached)
            released[ch.id] = cached
    failures = []
    for path in notebooks:
        result = results.get(str(path))
        if result is None:
            continue
        if isinstance(result, BaseException):
            failures.append(f"{path}: the executing process failed: {type(result).__name__}: {result}")
            executed[str(path)] = Executed(path, None, error=str(result))
            continue
        run = Executed(path, result["seconds"], result["cells"], result["error"])
        executed[str(path)] = run
        estimates[path.name] = round(result["seconds"], 1)
        if run.error is not None:
            failures.append(f"{path}: executing the notebook failed:\n{run.error}")
            continue
        cache.cache_notebook_bundle(CacheBundleIn(nbformat.reads(result["notebook"], as_version=4), str(path),
                                                  data={"execution_seconds": result["seconds"]}),
                                    check_validity=False, overwrite=True)
    if seconds_file is not None:
        seconds_file.parent.mkdir(parents=True, exist_ok=True)
        seconds_file.write_text(json.dumps(estimates, indent=1, sort_keys=True), encoding="utf-8")
    return [executed[str(path)] for path in notebooks], failures, released


def _place_downloads(source: Path, chapters, released: dict) -> None:
    """Each chapter's zip into the staged ``downloads/`` (untouched when unchanged); a chapter
    whose release failed loses its download cell, and the book still builds."""
    downloads = source / "downloads"
    downloads.mkdir(exist_ok=True)
    for ch in chapters:
        target, zip_or_error = downloads / download_name(ch), released.get(ch.id)
        if isinstance(zip_or_error, Path):
            if not (target.is_file() and target.read_bytes() == zip_or_error.read_bytes()):
                shutil.copyfile(zip_or_error, target)
            continue
        # (tests/test_browser.py reports the missing link)
        print(f"WARNING: the release of {ch.id} failed, so its page has no download link:\n{zip_or_error}",
              file=sys.stderr, flush=True)
        target.unlink(missing_ok=True)
        _without_download(source / "chapters" / ch.folder / f"{ch.notebook}.ipynb")


# ---------------------------------------------------------------- building

def build(*, fresh: bool = False, chapter_ids=None, jobs: int | None = None) -> BuildResult:
    """Stage, execute the notebooks in parallel, build with warnings as errors, scan the HTML.

    The notebooks the jupyter cache does not hold are executed before Sphinx runs, ``jobs``
    at a time (default: the cores this process may use), each as myst-nb would execute it, and
    their outputs go into the cache, where Sphinx then finds them. A notebook whose execution
    fails fails the build, with its traceback; nothing is cached for it.
    """
    output = BUILD / "partial" / "-".join(chapter_ids) if chapter_ids else ROOT
    with _build_lock(output / "_build"):
        return _build(fresh=fresh, chapter_ids=chapter_ids, jobs=jobs, output=output)


@contextmanager
def _build_lock(build_dir: Path):
    """One build at a time into the same output (a second waits): two would stage, execute and
    write the same files at once."""
    import fcntl
    build_dir.mkdir(parents=True, exist_ok=True)
    with open(build_dir / ".build.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"another book build into {build_dir} is running: waiting for it", flush=True)
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _build(*, fresh: bool, chapter_ids, jobs: int | None, output: Path) -> BuildResult:
    started = time.perf_counter()
    jobs = jobs or available_cores()
    phases = {}
    if chapter_ids:
        chapters = [chapter(c) for c in chapter_ids]
        source = stage(output / "book-src", chapters)
    else:
        chapters, source = CHAPTER_LIST, stage()
    phases["staging"] = time.perf_counter() - started
    build_dir = output / "_build"
    html = build_dir / "html"
    if fresh:
        shutil.rmtree(build_dir / ".jupyter_cache", ignore_errors=True)
    env = book_environment()
    mark = time.perf_counter()
    timeout, allow_errors = _execution_settings(source)
    notebooks = [source / "chapters" / ch.folder / nb.name for ch in chapters for nb in chapter_notebooks(ch)]
    executed, failures, released = execute_and_release(
        notebooks, build_dir / ".jupyter_cache", releases=chapters, jobs=jobs, env=env, timeout=timeout,
        allow_errors=allow_errors, seconds_file=build_dir / NOTEBOOK_SECONDS)
    _place_downloads(source, chapters, released)
    phases["executing"] = time.perf_counter() - mark
    for run in executed:
        if run.seconds is not None:
            slowest = ", ".join(f"cell {i} {s:.1f} s" for i, s, _ in run.slowest())
            print(f"executed {run.path.relative_to(source)} in {run.seconds:.1f} s (slowest: {slowest})", flush=True)
    result = BuildResult(1, phases=phases, executed=executed, jobs=jobs)
    if failures:
        for failure in failures:
            print(f"\nbook build failed: {failure}", file=sys.stderr)
        _forget_build(build_dir)
        result.seconds = time.perf_counter() - started
        return result
    command = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(source),
               "--path-output", str(output), "--warningiserror", "--nitpick", "--keep-going"]
    print("building the book:", " ".join(command[1:]), flush=True)
    mark = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, errors="replace")
    for line in process.stdout:
        sys.stdout.write(line)
        if "Executing notebook" in line:
            result.serial_in_sphinx.append(line.split(":")[0].strip())
    process.wait()
    phases["sphinx"] = time.perf_counter() - mark
    if result.serial_in_sphinx:
        print("note: Sphinx executed these notebooks itself (one at a time), not found in the cache: "
              + ", ".join(result.serial_in_sphinx), file=sys.stderr)
    if process.returncode != 0:
        print(f"book build failed (exit {process.returncode}); see the log above "
              f"and the execution reports in {html / 'reports'}", file=sys.stderr)
        _forget_build(build_dir)
        result.returncode, result.seconds = process.returncode, time.perf_counter() - started
        return result
    mark = time.perf_counter()
    scan_html(html, build_dir / SCANNED)
    phases["secret scan"] = time.perf_counter() - mark
    result.returncode, result.seconds = 0, time.perf_counter() - started
    print(f"book built in {result.seconds:.0f} s (" + ", ".join(f"{k} {v:.1f} s" for k, v in phases.items())
          + f"): {html / 'index.html'}")
    return result


SCANNED = "scanned-clean.json"
"""In the build's ``_build/``: hashes of the HTML files the secret scan found clean, with the
hash of the secrets they were scanned for."""


def scan_html(html: Path, record: Path) -> None:
    """The secret scan of the built HTML (RuntimeError on a leak), skipping files whose exact
    bytes were found clean before against the same secrets and the same scanner: a rebuild
    scans only what changed (the theme's and MathJax's scripts are the bulk, and never change)."""
    from . import secrets
    lines = secrets.secret_lines()
    key = hashlib.sha256("\n".join([*lines, *secrets.MARKERS]).encode()
                         + Path(secrets.__file__).read_bytes()).hexdigest()
    try:
        saved = json.loads(record.read_text(encoding="utf-8"))
        clean = set(saved["clean"]) if saved.get("key") == key else set()
    except (OSError, ValueError, KeyError, TypeError):
        clean = set()
    digests = {path: hashlib.sha256(path.read_bytes()).hexdigest()
               for path in sorted(html.rglob("*")) if path.is_file()}
    clean |= _third_party_digests(html / "_static", digests)
    todo = [path for path, digest in digests.items() if digest not in clean]
    leaks = secrets.scan(todo, lines)
    if leaks:
        listing = "\n".join(f"  {leak}" for leak in leaks[:20])
        raise RuntimeError(f"the book's HTML contains {len(leaks)} secret(s):\n{listing}")
    record.write_text(json.dumps({"key": key, "clean": sorted(set(digests.values()))}), encoding="utf-8")


THEME_PACKAGES = ("sphinx", "pydata_sphinx_theme", "sphinx_book_theme", "sphinx_design", "sphinx_copybutton",
                  "sphinx_togglebutton", "myst_nb", "sphinx_thebe", "sphinxcontrib.bibtex")


def _third_party_digests(static: Path, digests: dict) -> set[str]:
    """Digests of the ``_static`` files that are byte for byte a file of MathJax's npm package or
    of an installed Sphinx theme or extension: they hold no course text, so they need no scan
    (they are the bulk of the scanner's time on a clean build)."""
    import importlib.util
    wanted = {}
    for path, digest in digests.items():
        if static in path.parents:
            wanted.setdefault(path.stat().st_size, set()).add(digest)
    roots = [MATHJAX] + [Path(spec.origin).parent for name in THEME_PACKAGES
                         if (spec := importlib.util.find_spec(name)) is not None and spec.origin]
    found = set()
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file() and path.suffix != ".py" and path.stat().st_size in wanted:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                if digest in wanted[path.stat().st_size]:
                    found.add(digest)
    return found


def _forget_build(build_dir: Path) -> None:
    """After a failed build, drop Sphinx's saved state and the HTML: the next build reads every
    page again, so a warning in a page that did not change is reported again, not forgotten."""
    shutil.rmtree(build_dir / ".doctrees", ignore_errors=True)
    shutil.rmtree(build_dir / "html", ignore_errors=True)


def build_book(*, fresh: bool = False, chapter_ids=None, jobs: int | None = None) -> int:
    """Stage and build with warnings as errors; scan the HTML for secrets. Returns an exit code.

    With ``chapter_ids`` only those chapters are built, into ``_build/partial/<ids>/`` (its own
    staging, cache and HTML), so one chapter can be checked quickly, and several at once.
    ``fresh`` drops the execution cache first, so every notebook is executed again.
    """
    return build(fresh=fresh, chapter_ids=chapter_ids, jobs=jobs).returncode


# ---------------------------------------------------------------- Sphinx extension

def _drop_unused_scripts(app, pagename, templatename, context, doctree) -> None:
    """Remove sphinx-thebe's scripts and stylesheet: the book has no live code, and the
    inline script, added twice, declares ``THEBE_JS_URL`` twice (a JS error on every page)."""
    def is_thebe(asset) -> bool:
        name = str(getattr(asset, "filename", "") or "")
        body = str(getattr(asset, "attributes", {}).get("body", ""))
        return "thebe" in name or "THEBE_JS_URL" in body
    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [asset for asset in context[key] if not is_thebe(asset)]


def _light_mode_by_default(app, config) -> None:
    """pydata-sphinx-theme logs a console error for an empty default mode; say "light"
    (0.15 reads it from ``html_context``)."""
    config.html_context.setdefault("default_mode", "light")


def setup(app):
    app.connect("config-inited", _light_mode_by_default)
    app.connect("html-page-context", _drop_unused_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
