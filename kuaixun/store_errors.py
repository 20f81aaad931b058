"""The database's own failures (locked, disk full, refused login) as one line for the operator."""

from __future__ import annotations

import sqlite3

from kuaixun.redact import redact

EXIT_STORE = 4
"""A command stopped by the store: apart from 1 (a source or delivery failed), 2 (config), 3 (run lock)."""

HINTS = (
    ("database is locked", "another process kept the store busy longer than the 10 s SQLite waits"),
    ("disk is full", "free space where the store lives (data_dir)"),
    ("no space left", "free space where the store lives (data_dir)"),
    ("password authentication failed", "check the user and password of store.url"),
    ("connection refused", "is the database server running, at the host and port of store.url?"),
    ("unable to open database file", "check store.url and that its folder exists and can be written"),
    ("readonly database", "the store's file or folder is read-only"),
)
"""Words of a driver's message → what the operator can do about it."""


def store_problem(error: BaseException) -> str | None:
    """``the store: <cause>; <what to do>`` when ``error`` is the database driver's, else None."""
    from sqlalchemy.exc import DBAPIError

    cause = error.orig if isinstance(error, DBAPIError) else error
    if not isinstance(cause, _driver_errors()):
        return None
    text = " ".join(str(cause).split()) or type(cause).__name__
    hints = [hint for words, hint in HINTS if words in text.lower()]
    return redact("; ".join([f"the store: {text}", *hints[:1]]))


def _driver_errors() -> tuple[type[BaseException], ...]:
    """The error classes of the drivers the store runs on (psycopg only when installed)."""
    try:
        import psycopg
    except ImportError:
        return (sqlite3.Error,)
    return (sqlite3.Error, psycopg.Error)
