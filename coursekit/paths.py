"""Where things live in the repository and in the build and grading folders."""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NNLIB = ROOT / "nnlib"
SOLUTIONS = ROOT / "solutions"
CHAPTERS = ROOT / "chapters"
BUILD = ROOT / "_build"
REFERENCE_BUILD = BUILD / "reference"     # nnlib with the exercise modules taken from solutions/
BOOK_SOURCE = BUILD / "book-src"          # the book as it is built: hidden checks removed
DIST = ROOT / "dist"                      # releases for students
GRADING = ROOT / "_grading"               # nbgrader course folder (git-ignored: student data)
VENDOR = BUILD / "vendor"                 # third-party files the book serves itself (MathJax), fetched once
BOOK_ASSETS = ROOT / "_assets"            # the book's own CSS and favicon
