"""The book builds with warnings as errors, executes its notebooks, and shows no secret."""
import pytest

from coursekit import secrets
from coursekit.book import HTML, build_book
from coursekit.chapters import CHAPTER_LIST

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built():
    assert build_book() == 0
    return HTML


def test_every_chapter_page_is_built_with_figures(built):
    for chapter in CHAPTER_LIST:
        page = built / "chapters" / chapter.folder / f"{chapter.notebook}.html"
        markup = page.read_text()
        assert markup.count('<img alt="_images/') + markup.count('src="../../_images/') >= 3, page
        assert "Traceback" not in secrets.html_text(markup)


def test_widgets_render_as_static_figures_not_dead_widgets(built):
    """NNLIB_STATIC makes interactive_or_static draw a figure; a live widget would leave a view."""
    for chapter in CHAPTER_LIST:
        markup = (built / "chapters" / chapter.folder / f"{chapter.notebook}.html").read_text()
        assert "interactive_or_static" in markup
        assert "widget-view+json" not in markup


def test_html_has_no_solution_and_no_hidden_check(built):
    assert secrets.scan([built]) == []


def test_reference_passes_every_visible_check(built):
    """Invariant 3: the book runs each check cell against the reference; every check must pass."""
    from coursekit.grading.grade import exercises
    for chapter in CHAPTER_LIST:
        text = secrets.html_text((built / "chapters" / chapter.folder / f"{chapter.notebook}.html").read_text())
        n = len(exercises(chapter))
        assert "[FAIL]" not in text, chapter.id
        assert text.count("[PASS]") >= 3 * n and text.count("checks passed") == n, chapter.id
