"""The book as readers get it, checked in a real browser: Debian's chromium, driven by playwright.

The built book (``_build/html``, built once per session unless it is newer than its sources;
``COURSE_BOOK_HTML=<folder>`` tests another build, e.g. a partial one) is served on
127.0.0.1, and every request that would leave 127.0.0.1 is blocked and recorded. Each page
must load with no console error, no outside request and every image; math must be typeset;
internal links must resolve; search must find each chapter; the phone menu must open;
figures must be shown at >= 0.9 of their natural width on a desktop; code must fit the
column; build internals must not show. Screenshots and the load times per page go to
``_build/browser/``.

Playwright never downloads a browser here: it launches the system chromium
(``apt-get install chromium``; ``.ci/run`` installs it when missing).
"""
from __future__ import annotations

import functools
import http.server
import io
import os
import re
import shutil
import threading
import urllib.request
import zipfile
from pathlib import Path

import pytest

from coursekit.chapters import CHAPTER_LIST
from coursekit.paths import BUILD, ROOT

pytestmark = pytest.mark.slow

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extras")

ARTIFACTS = BUILD / "browser"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
CHROMIUM_CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
SOURCES = ("chapters", "_config.yml", "_toc.yml", "intro.md", "references.bib", "_assets",
           "coursekit/book.py", "nnlib", "solutions")
RAW_TEX = re.compile(r"\$\$|\\\(|\\\)|\\\[|\\\]|\\(frac|sqrt|lfloor|rfloor|mathrm|operatorname|lambda|"
                     r"alpha|sigma|sum|partial|hat|left|right|cdot|epsilon|mathbb)\b")
LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))   # 127.0.0.1 directly, never via a proxy
INTERNALS = ("book built against", "GRADING", "NBGRADER", "BEGIN HIDDEN", "coursekit.hidden")


def _chromium() -> str | None:
    override = os.environ.get("COURSE_CHROMIUM")
    if override:
        return override
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium")


def _newest_source() -> float:
    newest = 0.0
    for name in SOURCES:
        path = ROOT / name
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        newest = max([newest, *(p.stat().st_mtime for p in files if "__pycache__" not in p.parts)])
    return newest


@pytest.fixture(scope="session")
def html() -> Path:
    """The built book: the one named by COURSE_BOOK_HTML, or _build/html, rebuilt if stale."""
    if os.environ.get("COURSE_BOOK_HTML"):
        folder = Path(os.environ["COURSE_BOOK_HTML"]).resolve()
        assert (folder / "intro.html").is_file(), f"no built book in {folder}"
        return folder
    from coursekit.book import HTML, build_book
    index = HTML / "intro.html"
    if not index.is_file() or index.stat().st_mtime < _newest_source():
        assert build_book() == 0
    return HTML


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def base_url(html):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(html)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    executable = _chromium()
    if executable is None:
        pytest.skip("no chromium: apt-get install chromium (.ci/run does this in CI)")
    with playwright_api.sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def pages(html) -> list[str]:
    """Every page a reader can reach: the intro, the search page and each chapter."""
    found = ["intro.html", "search.html"]
    for ch in CHAPTER_LIST:
        page = f"chapters/{ch.folder}/{ch.notebook}.html"
        if (html / page).is_file():
            found.append(page)
    assert len(found) > 2, "the build has no chapter page"
    return found


class Visit:
    """One page load with every request recorded and every request outside 127.0.0.1 blocked."""

    def __init__(self, browser, base_url: str, page: str, viewport=DESKTOP):
        self.context = browser.new_context(viewport=viewport)
        self.requests, self.outside, self.failed, self.errors = [], [], [], []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("requestfailed", lambda request: self.failed.append(f"{request.url} ({request.failure})"))
        self.page.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.url} (HTTP {r.status})"))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))
        self.base_url = base_url
        self.page.goto(base_url + page, wait_until="load")
        self.page.wait_for_load_state("networkidle")
        self.page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")

    def _route(self, route):
        url = route.request.url
        if url.startswith(("http://127.0.0.1:", "data:", "blob:", "about:")):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def dom_content_loaded_ms(self) -> float:
        return self.page.evaluate("performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")

    def screenshot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / name), full_page=True)

    def close(self):
        self.context.close()


def _shot_name(page: str, suffix: str) -> str:
    return Path(page).stem + f"-{suffix}.png"


@pytest.fixture(scope="session")
def desktop_visits(browser, base_url, pages):
    """Each page loaded once at desktop width (shared by the checks that only read the page)."""
    visits = {page: Visit(browser, base_url, page) for page in pages}
    yield visits
    for visit in visits.values():
        visit.close()


def test_pages_load_from_the_book_alone(desktop_visits):
    """No console error, no request outside 127.0.0.1, no failed request, every image loaded."""
    report = ["page  DOMContentLoaded_ms  requests  outside_requests"]
    problems = []
    for page, visit in desktop_visits.items():
        visit.screenshot(_shot_name(page, "desktop"))
        report.append(f"{page}  {visit.dom_content_loaded_ms():.0f}  {len(visit.requests)}  {len(visit.outside)}")
        broken = visit.page.evaluate(
            "() => [...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)")
        for kind, items in (("console error", visit.errors), ("request outside 127.0.0.1", visit.outside),
                            ("failed request", visit.failed), ("image not loaded", broken)):
            problems += [f"{page}: {kind}: {item}" for item in items]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "load-times.txt").write_text("\n".join(report) + "\n", encoding="utf-8")
    assert not problems, "\n".join(problems)


def _prose_text(page) -> str:
    """The visible text of the article without code (code may hold TeX in plot labels)."""
    return page.evaluate("""() => {
        const article = document.querySelector('main') || document.body;
        const copy = article.cloneNode(true);
        copy.querySelectorAll('pre, code, .cell_input, script, style, mjx-container, mjx-assistive-mml')
            .forEach(e => e.remove());
        return copy.innerText;
    }""")


def test_math_is_typeset_with_no_raw_tex(desktop_visits):
    for page, visit in desktop_visits.items():
        if page == "search.html":
            continue
        typeset = visit.page.locator("mjx-container").count()
        errors = visit.page.locator("mjx-merror").count()
        has_math = visit.page.locator(".math, span.math, div.math").count()
        if page.startswith("chapters/"):
            assert has_math and typeset >= has_math, f"{page}: {typeset} typeset formulas for {has_math} math elements"
        assert errors == 0, f"{page}: {errors} MathJax errors"
        raw = sorted({m.group(0) for m in RAW_TEX.finditer(_prose_text(visit.page))})
        assert not raw, f"{page}: raw TeX in the visible text: {raw}"
    fonts = [u for v in desktop_visits.values() for u in v.requests if "/mathjax/" in u and u.endswith(".woff")]
    assert fonts, "MathJax's fonts were not loaded from the book"


def test_build_internals_do_not_show(desktop_visits):
    for page, visit in desktop_visits.items():
        text = visit.page.evaluate("() => document.body.innerText")
        shown = [word for word in INTERNALS if word in text]
        assert not shown, f"{page} shows build internals: {shown}"
        bare_scores = visit.page.evaluate(
            r"""() => [...document.querySelectorAll('.cell_output .output.text_plain')]
                   .map(e => e.innerText.trim()).filter(t => /^\d+(\.\d+)?$/.test(t))""")
        assert not bare_scores, f"{page}: bare values echoed after a cell: {bare_scores}"


def test_internal_links_resolve(desktop_visits, base_url):
    checked, missing = {}, []
    for page, visit in desktop_visits.items():
        hrefs = visit.page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.href)")
        for href in hrefs:
            if not href.startswith(base_url):
                continue
            target, _, fragment = href.partition("#")
            if target not in checked:
                try:
                    with LOCAL.open(target, timeout=10) as response:
                        checked[target] = (response.status, response.read())
                except Exception as error:          # noqa: BLE001 - reported below
                    checked[target] = (getattr(error, "code", 0), b"")
            status, body = checked[target]
            if status != 200:
                missing.append(f"{page}: {href} -> {status}")
            elif fragment and target.endswith(".html") and (f'id="{fragment}"'.encode() not in body):
                missing.append(f"{page}: {href} -> no element with id {fragment!r}")
    assert not missing, "\n".join(missing)
    assert not any("genindex" in url for url in checked), "the navigation links an (empty) index page"


def test_each_chapter_page_offers_its_release_zip(desktop_visits, base_url):
    for page, visit in desktop_visits.items():
        if not page.startswith("chapters/"):
            continue
        links = visit.page.evaluate("() => [...document.querySelectorAll('a[href$=\".zip\"]')].map(a => a.href)")
        assert links, f"{page} has no link to the chapter's zip"
        with LOCAL.open(links[0], timeout=30) as response:
            archive = zipfile.ZipFile(io.BytesIO(response.read()))
        names = archive.namelist()
        assert any(n.endswith(".ipynb") for n in names), names
        assert any("/nnlib/__init__.py" in n for n in names), names
        assert any(n.endswith("README.txt") for n in names), names
        # Launch buttons only when repository.url is set (it is empty in _config.yml).
        launch = visit.page.evaluate(
            "() => [...document.querySelectorAll('a[href]')].map(a => a.href)"
            ".filter(h => /mybinder|colab\\.research|binder\\/v2/.test(h))")
        assert not launch, f"{page}: launch buttons while repository.url is unset: {launch}"


def test_figures_are_shown_near_their_natural_size(desktop_visits, browser, base_url, pages):
    """>= 0.9 of the natural width on a desktop; on a phone, still >= 0.8 (the output scrolls)."""
    small = []
    script = """() => [...document.querySelectorAll('.cell_output img')].map(i =>
        [i.getAttribute('alt') || '', i.naturalWidth, i.getBoundingClientRect().width])"""
    for page, visit in desktop_visits.items():
        for alt, natural, shown in visit.page.evaluate(script):
            if shown < 0.9 * natural:
                small.append(f"desktop {page}: {alt[:50]!r} shown {shown:.0f} of {natural} px")
            if not alt or alt.startswith("_images/") or re.fullmatch(r"[0-9a-f]{64}\.png", Path(alt).name):
                small.append(f"{page}: a figure without a description (alt {alt!r})")
    for page in pages:
        if not page.startswith("chapters/"):
            continue
        visit = Visit(browser, base_url, page, viewport=PHONE)
        try:
            visit.screenshot(_shot_name(page, "phone"))
            for alt, natural, shown in visit.page.evaluate(script):
                if shown < 0.8 * min(natural, 1.65 * PHONE["width"]):
                    small.append(f"phone {page}: {alt[:50]!r} shown {shown:.0f} of {natural} px")
        finally:
            visit.close()
    assert not small, "\n".join(small)


def test_code_fits_the_column(desktop_visits):
    for page, visit in desktop_visits.items():
        wide = visit.page.evaluate("""() => [...document.querySelectorAll('.cell_input pre, .cell_output pre')]
            .filter(p => p.scrollWidth > p.clientWidth + 1).map(p => p.innerText.split('\\n')[0])""")
        assert not wide, f"{page}: {len(wide)} code blocks scroll sideways, e.g. {wide[:3]}"
    # The print (and PDF) view wraps code instead of cutting it off at the page edge.
    visit = next(v for p, v in desktop_visits.items() if p.startswith("chapters/"))
    visit.page.emulate_media(media="print")
    try:
        styles = visit.page.evaluate("""() => [...document.querySelectorAll('.cell_input pre')]
            .map(p => getComputedStyle(p).whiteSpace)""")
        assert styles and all(style == "pre-wrap" for style in styles), set(styles)
    finally:
        visit.page.emulate_media(media="screen")


def test_search_finds_a_term_from_each_chapter(browser, base_url, html):
    terms = {"ch01": "stratified", "ch02": "variance", "ch03": "dropout", "ch04": "initialization",
             "ch05": "gradient", "ch06": "momentum"}
    for ch in CHAPTER_LIST:
        if not (html / "chapters" / ch.folder / f"{ch.notebook}.html").is_file():
            continue
        visit = Visit(browser, base_url, f"search.html?q={terms.get(ch.id, ch.title.split()[0])}")
        try:
            visit.page.wait_for_selector("#search-results li", timeout=20_000)
            results = visit.page.evaluate(
                "() => [...document.querySelectorAll('#search-results li')]"
                ".map(li => [li.querySelector('a').href, li.innerText])")
            hits = [text for href, text in results if f"/{ch.folder}/" in href]
            assert hits, f"search for {terms.get(ch.id)!r} does not find chapter {ch.id}: {results[:5]}"
            assert not visit.errors and not visit.outside
        finally:
            visit.close()


ON_SCREEN = """() => [...document.querySelectorAll('%s')].filter(a => {
    const r = a.getBoundingClientRect(); return r.width > 0 && r.right > 0 && r.left < innerWidth; }).length"""


def _links_shown_after_click(visit, button, links, chapter_page, shot):
    """Click the visible ``button`` on ``visit``; how many ``links`` are then on screen."""
    toggle = visit.page.locator(f"{button}:visible").first
    assert toggle.count(), f"no visible {button} on a phone"
    toggle.click()
    visit.page.wait_for_timeout(500)
    shown = visit.page.evaluate(ON_SCREEN % links)
    visit.screenshot(_shot_name(chapter_page, shot))
    return shown


def test_menus_open_on_a_phone_and_collapse_on_a_desktop(browser, base_url, pages):
    chapter_page = next(p for p in pages if p.startswith("chapters/"))
    phone = Visit(browser, base_url, chapter_page, viewport=PHONE)
    try:
        menu = _links_shown_after_click(phone, "button.primary-toggle", ".bd-sidebar-primary a.reference",
                                        chapter_page, "phone-menu")
        assert menu >= 2, "the chapter menu does not open on a 390 px phone"
        phone.page.keyboard.press("Escape")
        phone.page.wait_for_timeout(300)
        contents = _links_shown_after_click(phone, "button.secondary-toggle", ".bd-sidebar-secondary a",
                                            chapter_page, "phone-contents")
        assert contents >= 2, "the page-contents button does not open on a 390 px phone"
        assert not phone.errors, phone.errors
    finally:
        phone.close()
    desktop = Visit(browser, base_url, chapter_page)
    try:
        sidebar = desktop.page.locator(".bd-sidebar-primary")
        before = sidebar.bounding_box()
        assert before and before["width"] > 100, "no primary sidebar on a desktop"
        desktop.page.locator("button.primary-toggle:visible").first.click()
        desktop.page.wait_for_timeout(600)
        after = sidebar.bounding_box()
        assert after is None or after["width"] < 10 or after["x"] + after["width"] <= 0, \
            f"the ☰ button does not collapse the sidebar on a desktop ({before} -> {after})"
    finally:
        desktop.close()
