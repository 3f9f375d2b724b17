"""The registry of chapters: nbgrader assignment id, folder, graded notebook and exercise modules."""
from __future__ import annotations

from dataclasses import dataclass

from .paths import CHAPTERS


@dataclass(frozen=True)
class Chapter:
    """One chapter of the book and one nbgrader assignment.

    ``modules`` are the nnlib exercise modules the chapter's students write; each has a
    reference in ``solutions/<module>.py`` and a generated stub in ``nnlib/<module>.py``.
    """

    id: str            # nbgrader assignment id, e.g. "ch01"
    number: int
    folder: str        # folder under chapters/
    notebook: str      # stem of the graded notebook in that folder
    title: str
    modules: tuple[str, ...]

    @property
    def path(self):
        return CHAPTERS / self.folder

    @property
    def notebook_path(self):
        return self.path / f"{self.notebook}.ipynb"


CHAPTER_LIST: tuple[Chapter, ...] = (
    Chapter("ch01", 1, "01-data-splitting", "data-splitting", "Data splitting: train, dev and test",
            ("splitting",)),
    Chapter("ch02", 2, "02-bias-variance", "bias-variance", "Bias and variance", ("diagnose",)),
    Chapter("ch03", 3, "03-regularization", "regularization", "Regularization", ("regularization",)),
    Chapter("ch04", 4, "04-initialization", "initialization", "Initialization", ("initialization",)),
    Chapter("ch05", 5, "05-gradient-checking", "gradient-checking", "Gradient checking", ("gradcheck",)),
    Chapter("ch06", 6, "06-optimizers", "optimizers", "Optimizers", ("optim",)),
)

BY_ID = {chapter.id: chapter for chapter in CHAPTER_LIST}


def chapter(chapter_id: str) -> Chapter:
    """The chapter with that assignment id; ValueError naming the known ids otherwise."""
    try:
        return BY_ID[chapter_id]
    except KeyError:
        raise ValueError(f"unknown chapter {chapter_id!r}; known: {', '.join(BY_ID)}") from None


def chapter_of_module(module: str) -> Chapter:
    """The chapter whose students write ``nnlib/<module>.py``."""
    for candidate in CHAPTER_LIST:
        if module in candidate.modules:
            return candidate
    raise ValueError(f"no chapter has the exercise module {module!r}")


def exercise_modules() -> list[str]:
    """All exercise module names, in chapter order."""
    return [module for candidate in CHAPTER_LIST for module in candidate.modules]
