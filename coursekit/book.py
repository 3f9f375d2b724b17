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
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import textwrap
import time
from pathlib import Path

import nbformat
import yaml

from .chapters import CHAPTER_LIST, chapter
from .grading.nbgrader_run import SINGLE_THREADED_BLAS
from .notebooks import chapter_notebooks, read, without_hidden_tests
from .paths import BOOK_ASSETS, BOOK_SOURCE, BUILD, ROOT, VENDOR
from .secrets import assert_no_leaks
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
    return cell


def _download_cell(zip_path: Path, notebook_dir: Path):
    relative = os.path.relpath(zip_path, notebook_dir).replace(os.sep, "/")
    return nbformat.v4.new_markdown_cell(
        "```{admonition} Run this chapter yourself\n:class: tip\n"
        f"Download {{download}}`the chapter as a zip <{relative}>`: the notebook, the `nnlib/` "
        "library with the exercises to write, and a README saying how to set it up and submit. "
        "Unpack it and open the notebook from that folder, in JupyterLab.\n```")


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


# ---------------------------------------------------------------- staging and building

def _tree_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*.py")):
        digest.update(path.relative_to(folder).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def _partial_toc(chapters) -> str:
    """A table of contents with the intro and only ``chapters`` (for a quick one-chapter build)."""
    entries = "".join(f"      - file: chapters/{c.folder}/{c.notebook}\n" for c in chapters)
    return f"format: jb-book\nroot: intro\nparts:\n  - caption: Chapters\n    chapters:\n{entries}"


def chapter_downloads(chapters, dest: Path) -> dict[str, Path]:
    """Each chapter's release zip (what a student receives) in ``dest``, built by coursekit.release."""
    from .release import release      # nbgrader; imported here so the Sphinx extension stays light
    course_dir = dest.parent / (dest.name + "-course")
    zips = {}
    for ch in chapters:
        try:
            archive = release(ch.id, course_dir=course_dir, dist=dest / "dist")
        except RuntimeError as error:
            # The book still builds; that chapter's page goes without its download link
            # (tests/test_browser.py reports the missing link).
            print(f"WARNING: the release of {ch.id} failed, so its page has no download link:\n{error}",
                  file=sys.stderr, flush=True)
            continue
        target = dest / f"{ch.id}-{ch.notebook}.zip"
        shutil.copy2(archive, target)
        zips[ch.id] = target
    shutil.rmtree(dest / "dist", ignore_errors=True)
    return zips


def stage(dest: Path = BOOK_SOURCE, chapters=None) -> Path:
    """Write the book's sources to ``dest``: config, pages, chapters, the reference nnlib,
    the book's assets, MathJax, and each chapter's download.

    ``chapters`` (default: all) limits the book to those chapters, with a table of contents
    of its own.
    """
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for name in BOOK_FILES:
        shutil.copy2(ROOT / name, dest / name)
    (dest / "_config.yml").write_text(staged_config((ROOT / "_config.yml").read_text(encoding="utf-8")),
                                      encoding="utf-8")
    if chapters is not None:
        (dest / "_toc.yml").write_text(_partial_toc(chapters), encoding="utf-8")
    shutil.copytree(BOOK_ASSETS, dest / "_assets")
    shutil.copytree(ensure_mathjax(), dest / "_vendor" / "mathjax")
    reference = assemble_reference(dest.parent / "reference")
    shutil.copytree(reference / "nnlib", dest / "nnlib")
    nnlib_hash = _tree_hash(dest / "nnlib")
    chapters = CHAPTER_LIST if chapters is None else chapters
    downloads = chapter_downloads(chapters, dest / "downloads")
    for ch in chapters:
        target_dir = dest / "chapters" / ch.folder
        shutil.copytree(ch.path, target_dir,
                        ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints", "__pycache__"))
        for notebook in chapter_notebooks(ch):
            is_graded = notebook.stem == ch.notebook
            _stage_notebook(notebook, target_dir / notebook.name, nnlib_hash,
                            downloads.get(ch.id) if is_graded else None)
    format_code(dest / "chapters")
    return dest


def build_book(*, fresh: bool = False, chapter_ids=None) -> int:
    """Stage and build with warnings as errors; scan the HTML for secrets. Returns an exit code.

    With ``chapter_ids`` only those chapters are built, into ``_build/partial/<ids>/`` (its own
    staging, cache and HTML), so one chapter can be checked quickly, and several at once.
    """
    started = time.perf_counter()
    if chapter_ids:
        chapters = [chapter(c) for c in chapter_ids]
        output = BUILD / "partial" / "-".join(chapter_ids)
        source = stage(output / "book-src", chapters)
    else:
        output, source = ROOT, stage()
    html = output / "_build" / "html"
    if fresh:
        shutil.rmtree(output / "_build" / ".jupyter_cache", ignore_errors=True)
    shutil.rmtree(html, ignore_errors=True)
    env = {**os.environ, "NNLIB_STATIC": "1", **SINGLE_THREADED_BLAS}
    # MPLBACKEND=Agg would stop kernels from showing figures; the book runs what readers run.
    for name in ("PYTHONPATH", "MPLBACKEND", "NBGRADER_EXECUTION"):
        env.pop(name, None)
    command = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(source),
               "--path-output", str(output), "--warningiserror", "--nitpick", "--keep-going"]
    print("building the book:", " ".join(command[1:]), flush=True)
    result = subprocess.run(command, cwd=ROOT, env=env)
    if result.returncode != 0:
        print(f"book build failed (exit {result.returncode}); see the log above "
              f"and the execution reports in {html / 'reports'}", file=sys.stderr)
        return result.returncode
    assert_no_leaks([html], "the book's HTML")
    print(f"book built in {time.perf_counter() - started:.0f} s: {html / 'index.html'}")
    return 0


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
