"""Instructor tooling for the course: stubs, reference nnlib, book, release and grading.

Never shipped to students. Its command line is ``python -m coursekit`` (see ``cli.py``),
wrapped by the Makefile.
"""
