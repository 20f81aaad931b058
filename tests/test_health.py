"""``kuaixun health``, the container's HEALTHCHECK: each reason it gives, on a real store."""

from __future__ import annotations

import fcntl
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from kuaixun.config import Config, validate
from kuaixun.health import check_health
from kuaixun.lock import Holder, lock_path
from store import runs
from store.db import Database
from store.models import RunSource
from tests.stores import postgres_server, store_url

NOW = datetime(2026, 11, 29, 4, 11)
"""Naive UTC, as the store keeps times: 12:11 in Shanghai."""
SOURCES = ("a", "b", "c")


def health_config(tmp_path: Path, **health: object) -> Config:
    raw = {
        "store": {"url": store_url(tmp_path)},
        "schedule": {"timezone": "Asia/Shanghai", "crawl": "0 * * * *"},
        "crawl": {"crawl_timeout": 600},
        "health": {"max_broken_sources": 1, "broken_after": 2, **health},
        "sources": [
            {"name": n, "agency": "某局", "listing_url": f"https://{n}.gov.cn/list/"} for n in SOURCES
        ],
    }
    return validate(raw, "config.yaml (test)", tmp_path)


def record_crawl(config: Config, at: datetime, failing: tuple[str, ...] = ()) -> None:
    """A crawl run as the cycle records it: each source ok or failed."""
    db = Database(config.store.url)
    with db.session() as session:
        run = runs.start_run(session, at)
        for name in SOURCES:
            status = "failed" if name in failing else "ok"
            figures = RunSource(source_name=name, status=status, error="HTTP 503" if failing else None)
            runs.record_source(session, run, figures, agency="某局", region="", listing_url="", now=at)
        runs.finish_run(run, at)
    db.close()


def test_healthy_after_a_crawl_then_stale_once_a_due_crawl_is_late(tmp_path: Path) -> None:
    config = health_config(tmp_path)
    record_crawl(config, datetime(2026, 11, 29, 2, 5))  # 10:05 in Shanghai; hourly: next due 11:00
    # 11:00 + crawl_timeout (10 min) + an hour for a lock wait: late from 12:10 on
    ok = check_health(config, now=datetime(2026, 11, 29, 4, 9))
    assert ok.ok and ok.line() == "ok: last crawl 2026-11-29 10:05 +0800, store writable"
    late = check_health(config, now=NOW)
    assert not late.ok
    assert late.line() == (
        "unhealthy: last crawl 2026-11-29 10:05 +0800; the crawl due 2026-11-29 11:00 +0800 has not run"
    )


def test_max_crawl_age_overrides_the_cron_line(tmp_path: Path) -> None:
    config = health_config(tmp_path, max_crawl_age=1800)
    record_crawl(config, NOW - timedelta(minutes=31))
    verdict = check_health(config, now=NOW)
    assert not verdict.ok
    assert verdict.reason == "last crawl 2026-11-29 11:40 +0800, 31 min ago (health.max_crawl_age 30 min)"
    assert check_health(config, now=NOW - timedelta(minutes=2)).ok


def test_no_crawl_recorded_yet(tmp_path: Path) -> None:
    config = health_config(tmp_path)
    Database(config.store.url).close()
    verdict = check_health(config, now=NOW)
    assert verdict.line() == "unhealthy: no crawl recorded yet (kuaixun schedule --crawl-now crawls at start)"


@pytest.mark.skipif(postgres_server() is not None, reason="a SQLite store's file")
def test_a_missing_store_is_named_and_not_created(tmp_path: Path) -> None:
    config = health_config(tmp_path)
    verdict = check_health(config, now=NOW)
    path = tmp_path / "data" / "kuaixun.db"
    assert verdict.line() == f"unhealthy: no store at {path} (kuaixun schedule creates it at start)"
    assert not path.exists()


@contextmanager
def writer_holding_the_store(url: str) -> Iterator[None]:
    """Another connection in the middle of a write that does not end."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(text("BEGIN IMMEDIATE"))
        else:
            connection.execute(text("BEGIN"))
            connection.execute(text("LOCK TABLE alembic_version IN ACCESS EXCLUSIVE MODE"))
        try:
            yield
        finally:
            connection.execute(text("ROLLBACK"))
    engine.dispose()


def test_a_store_that_cannot_be_written(tmp_path: Path) -> None:
    config = health_config(tmp_path)
    record_crawl(config, NOW - timedelta(minutes=5))
    with writer_holding_the_store(config.store.url):
        verdict = check_health(config, now=NOW, store_wait=1)
    assert not verdict.ok
    assert verdict.reason.startswith("the store cannot be written: "), verdict.reason
    assert "lock" in verdict.reason  # SQLite: database is locked; PostgreSQL: lock timeout
    assert "\n" not in verdict.reason
    assert check_health(config, now=NOW).ok  # the write was rolled back: nothing changed


def hold_run_lock(config: Config, holder: Holder) -> int:
    """The run lock taken (flock) and naming ``holder``, as kuaixun.lock writes it; the descriptor."""
    path = lock_path(config.data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.pwrite(fd, holder.to_text(config.schedule.timezone).encode(), 0)
    return fd


def test_a_run_lock_held_too_long_by_a_live_run(tmp_path: Path) -> None:
    config = health_config(tmp_path, max_lock_age=3600)
    record_crawl(config, NOW - timedelta(minutes=5))
    since = NOW - timedelta(hours=2, minutes=30)
    live = Holder(os.getpid(), socket.gethostname(), "schedule: crawl", since)
    fd = hold_run_lock(config, live)
    try:
        verdict = check_health(config, now=NOW)
        assert not verdict.ok
        assert verdict.reason == (
            f"the run lock is held for 2 h 30 min by pid {os.getpid()} on {socket.gethostname()} "
            "(schedule: crawl) since 2026-11-29 09:41 +0800 (health.max_lock_age 1 h 00 min)"
        )
        assert check_health(config, now=since + timedelta(minutes=59)).ok  # held, but not for long
    finally:
        os.close(fd)


def test_a_dead_holders_record_is_not_a_stuck_lock(tmp_path: Path) -> None:
    config = health_config(tmp_path, max_lock_age=3600)
    record_crawl(config, NOW - timedelta(minutes=5))
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead = Holder(int(ended.stdout), socket.gethostname(), "crawl", NOW - timedelta(hours=5))
    os.close(hold_run_lock(config, dead))  # killed: the kernel freed the lock, the record stays
    assert check_health(config, now=NOW).ok


def test_more_broken_sources_than_allowed(tmp_path: Path) -> None:
    config = health_config(tmp_path)  # broken after 2 failed runs in a row; 1 tolerated
    record_crawl(config, NOW - timedelta(minutes=20), failing=("a", "b"))
    assert check_health(config, now=NOW).ok  # one failed run each: not broken yet
    record_crawl(config, NOW - timedelta(minutes=10), failing=("a", "b"))
    verdict = check_health(config, now=NOW)
    assert verdict.line() == (
        "unhealthy: 2 sources failed 2+ runs in a row: a, b (health.max_broken_sources 1)"
    )
    record_crawl(config, NOW - timedelta(minutes=5), failing=("a",))
    assert check_health(config, now=NOW).ok  # b is back: one broken source is tolerated


def test_a_disk_without_room(tmp_path: Path) -> None:
    config = health_config(tmp_path)
    record_crawl(config, NOW - timedelta(minutes=5))
    verdict = check_health(config, now=NOW, min_free=2**62)  # more than any disk has
    assert not verdict.ok and verdict.reason.startswith(f"the disk of {config.data_dir} has ")


def test_the_command_exits_1_with_its_reason(tmp_path: Path) -> None:
    from tests.test_cli import kuaixun, write_config

    raw = {"store": {"url": store_url(tmp_path)}, "data_dir": str(tmp_path / "data")}
    Database(raw["store"]["url"]).close()
    result = kuaixun(write_config(tmp_path, raw), "health")
    assert result.exit_code == 1
    assert (
        result.output == "unhealthy: no crawl recorded yet (kuaixun schedule --crawl-now crawls at start)\n"
    )
