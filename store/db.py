"""Opening the store: engine, schema migration to the newest revision, sessions."""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import IO, TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from store import search

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

MIGRATIONS = Path(__file__).with_name("migrations")
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
"""Modes of what the store keeps on disk: notices, issues, logs and errors are the operator's only."""
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")
_MIGRATING = threading.Lock()
"""Alembic's ``context`` and ``op`` are process-wide proxies: two threads migrating at once break them."""


def private_dir(path: Path) -> Path:
    """``path`` as a folder, creating it and any missing parent 0700 (an existing folder keeps its mode)."""
    for folder in [*reversed(path.parents), path]:
        if not folder.exists():
            folder.mkdir(mode=PRIVATE_DIR, exist_ok=True)
            os.chmod(folder, PRIVATE_DIR)  # mkdir's mode is cut by the umask, never widened
    return path


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` as a 0600 file, whatever the umask, in a 0700 folder if it creates one."""
    private_dir(path.parent)
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE), "wb") as file:
        file.write(data)
    os.chmod(path, PRIVATE_FILE)  # a file that existed keeps its old mode through os.open


def open_private_log(path: Path) -> IO[str]:
    """``path`` opened for appending text, created 0600 (logs carry the sources' error messages)."""
    private_dir(path.parent)
    handle = os.fdopen(
        os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE), "a", encoding="utf-8"
    )
    os.chmod(path, PRIVATE_FILE)
    return handle


def _private_sqlite_file(path: Path) -> None:
    """The database file 0600 before SQLite opens it: its -wal and -shm files take the same mode."""
    private_dir(path.parent)
    path.touch(mode=PRIVATE_FILE, exist_ok=True)
    for file in (path, *(path.with_name(path.name + suffix) for suffix in SQLITE_COMPANIONS)):
        if file.exists():
            os.chmod(file, PRIVATE_FILE)


def alembic_config() -> AlembicConfig:
    from alembic.config import Config as AlembicConfig  # only when migrating: start-up of read-only commands

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def create_store_engine(url: str) -> Engine:
    """An engine for ``url``; a SQLite file gets its private folder and mode, WAL and foreign keys."""
    if url.startswith("sqlite:///") and ":memory:" not in url:
        _private_sqlite_file(Path(url.removeprefix("sqlite:///")))
    # Chinese stays readable in JSON columns (and searchable with LIKE).
    engine = create_engine(
        url, json_serializer=partial(json.dumps, ensure_ascii=False), connect_args=_connect_args(url)
    )
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _connect_args(url: str) -> dict[str, str]:
    """PostgreSQL without JIT: the store's queries read a page of rows, but their cost is estimated
    for every notice, far above the JIT threshold: compiling took 0.5–1 s, running the query 2 ms."""
    return {"options": "-c jit=off"} if url.startswith("postgresql") else {}


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (creates it on a new database); one thread at a time.

    A store already at the newest revision is left as it is without loading Alembic (a third of
    the start-up of a read-only command).
    """
    head = head_revision()
    if head is not None and _stored_revision(engine) == head:
        return
    from alembic import command

    config = alembic_config()
    with _MIGRATING, engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def head_revision() -> str | None:
    """The newest migration's revision id, read from the scripts (the one no other revises)."""
    revisions, revised = set(), set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        source = script.read_text(encoding="utf-8")
        revisions.update(re.findall(r'^revision\b[^=]*= "([^"]+)"', source, re.MULTILINE))
        revised.update(re.findall(r'^down_revision\b[^=]*= "([^"]+)"', source, re.MULTILINE))
    heads = revisions - revised
    return heads.pop() if len(heads) == 1 else None


def _stored_revision(engine: Engine) -> str | None:
    """The revision the store is at; None for a new store (or one Alembic has not stamped)."""
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except DBAPIError:  # no such table: a new store
        return None
    return rows[0][0] if len(rows) == 1 else None


class Database:
    """A migrated database and its session factory."""

    def __init__(self, url: str) -> None:
        self.engine = create_store_engine(url)
        migrate(self.engine)
        with _MIGRATING:
            search.ensure_index(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on error."""
        with self._sessions.begin() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
