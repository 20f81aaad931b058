"""The store a test writes to: a SQLite file by default, a real PostgreSQL database when asked.

``KUAIXUN_TEST_POSTGRES`` (a server URL, as ``scripts/postgres.sh start`` prints) runs the suite on
PostgreSQL: every test store is then a fresh database on that server, dropped when the session ends.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

POSTGRES_ENV = "KUAIXUN_TEST_POSTGRES"
_created: list[str] = []


def postgres_server() -> str | None:
    """The test PostgreSQL server's URL, or None to use SQLite."""
    return os.environ.get(POSTGRES_ENV) or None


def store_url(workdir: Path, sqlite_url: str | None = None) -> str:
    """A fresh store for one test: ``sqlite_url`` (default a file under ``workdir``) or a new database."""
    server = postgres_server()
    if server is None:
        return sqlite_url or f"sqlite:///{workdir / 'data' / 'kuaixun.db'}"
    name = f"kx_{uuid.uuid4().hex[:16]}"
    with _admin(server) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    _created.append(name)
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def copy_store(template: str, target: str) -> None:
    """Make the fresh store ``target`` a copy of the store ``template`` (closed, and left unchanged)."""
    source, copy = make_url(template), make_url(target)
    if source.get_backend_name() == "sqlite":
        Path(copy.database).parent.mkdir(parents=True, exist_ok=True)
        original, fresh = sqlite3.connect(source.database), sqlite3.connect(copy.database)
        try:
            original.backup(fresh)
        finally:
            original.close()
            fresh.close()
        return
    server = postgres_server()
    assert server is not None and copy.database in _created, f"{target} is not a store this session made"
    with _admin(server) as connection:
        connection.execute(f'DROP DATABASE "{copy.database}"')
        connection.execute(f'CREATE DATABASE "{copy.database}" TEMPLATE "{source.database}"')


def drop_created() -> None:
    """Drop every database this session created (and nothing else)."""
    server = postgres_server()
    if server is None:
        return
    with _admin(server) as connection:
        while _created:
            connection.execute(f'DROP DATABASE IF EXISTS "{_created.pop()}" WITH (FORCE)')


def _admin(server: str) -> psycopg.Connection:
    url = make_url(server).set(drivername="postgresql")
    return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)
