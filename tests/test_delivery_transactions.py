"""``digest send`` keeps its write transaction short, and a database failure is one line.

Real parts: a SQLite file written through the product's own paths from a second connection, and
the ``kuaixun`` command on a store file that is not a database.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kuaixun import delivery
from kuaixun.cli import main
from kuaixun.config import load_config
from kuaixun.delivery import send_digest, waiting_notices
from kuaixun.store_errors import EXIT_STORE
from store.db import Database
from tests.delivery_support import make_config, seed


def test_a_crawl_can_store_pages_while_digest_send_renders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the issue renders (a big PDF takes tens of seconds), another connection stores a
    notice as a crawl does. With the render inside the write transaction that write waits out
    SQLite's busy timeout and fails with ``database is locked``; outside, it goes through at once."""
    config = make_config(tmp_path)
    db = Database(config.store.url)
    seed(db, 3)
    crawler = Database(config.store.url)  # its own connections, as the crawl process has
    render = delivery.write_issue
    stored_meanwhile: list[int] = []

    def render_while_a_crawl_writes(*args: Any, **kwargs: Any) -> Any:
        seed(crawler, 1, start=100)
        stored_meanwhile.append(waiting_notices(config, crawler))
        return render(*args, **kwargs)

    monkeypatch.setattr(delivery, "write_issue", render_while_a_crawl_writes)
    report = send_digest(config, db, lambda _line: None)
    after = waiting_notices(config, db)
    crawler.close()
    db.close()
    assert stored_meanwhile == [4]  # the three being rendered, and the one just stored
    assert report.issue is not None and report.issue.count == 3  # the issue holds what was rendered
    assert after == 1  # the notice stored during the render waits for the next issue


def test_a_store_that_is_not_a_database_is_one_line_and_exit_4(tmp_path: Path) -> None:
    store = tmp_path / "data" / "kuaixun.db"
    store.parent.mkdir()
    store.write_bytes(b"this is not a SQLite file\n" * 200)
    config = tmp_path / "config.yaml"
    config.write_text("store: {url: 'sqlite:///data/kuaixun.db'}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(config), "digest", "list"])
    assert result.exit_code == EXIT_STORE, result.output
    assert result.output == "error: the store: file is not a database\n"


def test_a_store_locked_by_another_writer_is_one_line_naming_the_cause(tmp_path: Path) -> None:
    """Another connection holds the write lock past SQLite's 10 s wait: ``digest send`` stops with
    one line and exit 4, not a traceback."""
    config_path = tmp_path / "config.yaml"
    config_path.write_text(
        "store: {url: 'sqlite:///data/kuaixun.db'}\nclassify: {sections: {政策文件: {}, 绿色制造: {}, 申报通知: {}}}\n",
        encoding="utf-8",
    )
    config = load_config(config_path, environ={})
    db = Database(config.store.url)
    seed(db, 1)
    db.close()
    holder = sqlite3.connect(tmp_path / "data" / "kuaixun.db")
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = CliRunner().invoke(main, ["--config", str(config_path), "digest", "send"])
    finally:
        holder.rollback()
        holder.close()
    assert result.exit_code == EXIT_STORE, result.output
    assert result.output.endswith(
        "error: the store: database is locked; another process kept the store busy longer than the 10 s SQLite waits\n"
    )
    assert "Traceback" not in result.output
