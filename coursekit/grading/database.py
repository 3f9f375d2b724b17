"""Where the gradebook lives: SQLite in the course folder (default) or a database server.

Side of the wall: grader. One setting chooses the gradebook for every ``coursekit`` command
(release, grade, regrade, CSV, feedback, report) and for nbgrader itself (``nbgrader_config.py``
reads it too, so ``nbgrader formgrader`` and ``nbgrader export`` see the same grades): the
environment variable ``COURSEKIT_DB_URL``, or the command line's ``--db-url``, which sets it.
Without it the gradebook is ``<course folder>/gradebook.db``, with a busy timeout so parallel
graders can share SQLite.

A server URL is any SQLAlchemy URL nbgrader accepts; for PostgreSQL the driver is psycopg 3
(``pip install -e ".[postgres]"``), and a bare ``postgresql://`` is read as
``postgresql+psycopg://`` (SQLAlchemy's default PostgreSQL driver is psycopg2, which the course
does not install). The URL may hold a password: it stays in this process's environment (and
nbgrader's, which must connect), never on a command line and never in a sandbox, whose
environment is built from nothing (:func:`coursekit.grading.jail.scrubbed_env`).
"""
from __future__ import annotations

import os
import re
from pathlib import Path

ENV = "COURSEKIT_DB_URL"
SERVER_SCHEMES = ("postgresql",)


class DatabaseSettingError(ValueError):
    """The gradebook setting cannot be used: one line says why and what to do."""


def configured() -> str | None:
    """The server URL from ``COURSEKIT_DB_URL`` (normalised), or None for the course folder's SQLite."""
    value = os.environ.get(ENV, "").strip()
    return normalise(value) if value else None


def normalise(url: str) -> str:
    """``url`` with the course's PostgreSQL driver spelt out; ValueError for what nbgrader cannot use."""
    scheme = url.split("://", 1)[0] if "://" in url else ""
    dialect = scheme.split("+", 1)[0]
    if dialect == "sqlite":
        return url
    if dialect not in SERVER_SCHEMES:
        raise DatabaseSettingError(f"{ENV} must be a sqlite:/// or postgresql:// URL, got {redacted(url)!r}")
    if scheme == "postgresql":
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith("postgresql+psycopg://"):
        try:
            import psycopg  # noqa: F401
        except ImportError as missing:
            raise DatabaseSettingError('the PostgreSQL gradebook needs its driver: pip install -e ".[postgres]"') \
                from missing
    return url


def url(course_dir: Path) -> str:
    """The gradebook's SQLAlchemy URL for the course folder ``course_dir``."""
    return configured() or f"sqlite:///{Path(course_dir).resolve() / 'gradebook.db'}?timeout=120"


def is_server() -> bool:
    return configured() is not None


def redacted(value: str) -> str:
    """``value`` with any password in a URL replaced by ``***`` (for messages and logs)."""
    return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", value)


def describe(course_dir: Path) -> str:
    """One line for the console: where grades are written."""
    return f"gradebook: {redacted(url(course_dir))}"


def apply(cli_value: str | None) -> str | None:
    """The command line's ``--db-url`` (when given) becomes the setting for this process and every
    process it starts; then the setting is checked. Returns a one-line error, or None when usable."""
    if cli_value:
        os.environ[ENV] = cli_value
    try:
        configured()
    except DatabaseSettingError as error:
        return str(error)
    return None
