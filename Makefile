# The two commands of the README are `make book` and `make test`; the rest are instructor steps.
VENV   ?= .venv
PYTHON ?= python3
PY      = $(VENV)/bin/python
STAMP   = $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: setup book book-fresh serve test test-fast stubs check-stubs reference release grade report bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	@rm -f $(VENV)/.installed-* && touch $@

book: setup            ## set up (first time) and build the book into _build/html
	$(PY) -m coursekit book

book-fresh: setup      ## rebuild the book, executing every notebook again
	$(PY) -m coursekit book --fresh

PORT ?= 8000
serve:                 ## serve the built book at http://127.0.0.1:$(PORT)/ (search needs a server, not file://)
	@test -f _build/html/intro.html || { echo "no built book in _build/html: run make book first"; exit 2; }
	@echo "serving the book at http://127.0.0.1:$(PORT)/intro.html (Ctrl-C stops)"
	$(PY) -m http.server $(PORT) --bind 127.0.0.1 --directory _build/html

test: setup            ## every test, the slow end-to-end ones included
	$(PY) -m pytest

test-fast: setup       ## the unit tests only
	$(PY) -m pytest -m "not slow"

stubs: setup           ## regenerate nnlib's exercise stubs from solutions/
	$(PY) -m coursekit stubs

check-stubs: setup
	$(PY) -m coursekit stubs --check

release: setup         ## dist/<chapter>/ and dist/<chapter>.zip for students (CHAPTERS="ch01 ..." to choose)
	$(PY) -m coursekit release $(CHAPTERS)

grade: setup           ## make grade CHAPTER=ch01 SUBMISSIONS=path/to/zips
	@test -n "$(CHAPTER)" -a -n "$(SUBMISSIONS)" || { echo "usage: make grade CHAPTER=ch01 SUBMISSIONS=folder"; exit 2; }
	$(PY) -m coursekit grade $(CHAPTER) $(SUBMISSIONS)

report: setup          ## make report CHAPTER=ch03: the class report (HTML + CSV) in _grading/reports/ch03/
	@test -n "$(CHAPTER)" || { echo "usage: make report CHAPTER=ch03"; exit 2; }
	$(PY) -m coursekit report $(CHAPTER)

clean:                 ## remove build output (keeps _grading/, which holds student work)
	rm -rf _build dist

bench: setup           ## grading throughput vs plain nbgrader, and nnlib's training step vs the NumPy floor, as ratios
	$(PY) -m coursekit bench $(if $(CHAPTER),--chapter $(CHAPTER))
	$(PY) -m coursekit bench-nnlib
