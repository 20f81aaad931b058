"""Health for the operator: which sources work (``kuaixun status``), and whether the unattended
job as a whole is well (``kuaixun health``, the container's HEALTHCHECK)."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from kuaixun.config import Config
from kuaixun.cron import crontab_trigger
from kuaixun.localtime import shown_time
from kuaixun.lock import Holder, lock_path
from store import runs
from store.db import Database, create_store_engine
from store.models import Run, Source


@dataclass(frozen=True)
class SourceHealth:
    name: str
    agency: str
    last_run: datetime | None
    last_ok: datetime | None
    failures_in_a_row: int
    last_error: str | None

    @property
    def failing(self) -> bool:
        return self.failures_in_a_row > 0

    @property
    def state(self) -> str:
        if self.last_run is None:
            return "never run"
        return f"FAILING ({self.failures_in_a_row} run(s))" if self.failing else "ok"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("last_run", "last_ok"):
            data[key] = data[key].isoformat(timespec="seconds") + "Z" if data[key] else None
        return data | {"state": self.state}


def source_health(config: Config, db: Database) -> list[SourceHealth]:
    """One entry per configured source, in config order, from the runs the store recorded."""
    with db.session() as session:
        known = {s.name: s for s in runs.sources(session)}
    return [_health(source.name, source.agency, known.get(source.name)) for source in config.sources]


def _health(name: str, agency: str, row: Source | None) -> SourceHealth:
    if row is None:
        return SourceHealth(name, agency, None, None, 0, None)
    error = (row.last_error or "").split("\n")[0] or None
    return SourceHealth(name, agency, row.last_run_at, row.last_ok_at, row.consecutive_failures, error)


def format_health(health: list[SourceHealth], zone: str) -> str:
    """A table for the terminal (times in ``zone``); the failing sources with their last error below it."""
    lines = [f"{'source':<14} {'state':<20} {'last run':<22} {'last ok':<22}"]
    for h in health:
        last_run, last_ok = shown_time(h.last_run, zone), shown_time(h.last_ok, zone)
        lines.append(f"{h.name:<14} {h.state:<20} {last_run:<22} {last_ok:<22}")
    failing = [h for h in health if h.failing]
    if failing:
        lines.append("")
        lines += [f"{h.name}: {h.last_error}" for h in failing]
    return "\n".join(lines)


CRAWL_LATE = timedelta(hours=1)
"""How late a due crawl may be recorded beyond ``crawl.crawl_timeout``: it may wait for another run's lock."""
STORE_WAIT = 10
"""Seconds the write check waits for another writer's lock, as the store's own busy timeout does."""
MIN_FREE_BYTES = 100 * 1024 * 1024
"""Free space the store's disk needs: a crawl's spool and an issue's PDF take tens of megabytes."""


@dataclass(frozen=True)
class Verdict:
    """``kuaixun health``'s answer: healthy or not, and why, in one line."""

    ok: bool
    reason: str

    def line(self) -> str:
        return f"{'ok' if self.ok else 'unhealthy'}: {self.reason}"


def check_health(
    config: Config, now: datetime | None = None, min_free: int = MIN_FREE_BYTES, store_wait: int = STORE_WAIT
) -> Verdict:
    """The first problem found (store, disk, lock, last crawl, broken sources), or ok with a summary.

    Reads the store without migrating it (a health check must not race the scheduler's start)."""
    now = now or datetime.now(UTC).replace(tzinfo=None)
    problem = _missing_store(config) or _low_disk(config, min_free) or _stuck_lock(config, now)
    if problem:
        return Verdict(False, problem)
    engine = create_store_engine(config.store.url)
    try:
        last_crawl = _last_crawl(engine)
        checks: list[Callable[[], str | None]] = [
            lambda: _unwritable(engine, store_wait),
            lambda: _stale_crawl(config, last_crawl, now),
            lambda: _broken_sources(config, engine),
        ]
        problem = next((p for p in (check() for check in checks) if p), None)
    except SQLAlchemyError as exc:
        problem = f"the store cannot be read: {_first_line(exc)}"
    finally:
        engine.dispose()
    if problem:
        return Verdict(False, problem)
    return Verdict(True, f"last crawl {shown_time(last_crawl, config.schedule.timezone)}, store writable")


def _first_line(exc: BaseException) -> str:
    return str(getattr(exc, "orig", None) or exc).split("\n")[0]


def _sqlite_path(config: Config) -> Path | None:
    url = make_url(config.store.url)
    return Path(url.database) if url.get_backend_name() == "sqlite" and url.database else None


def _missing_store(config: Config) -> str | None:
    """A SQLite store not there yet (never created, or a wrong path): not created by a health check."""
    path = _sqlite_path(config)
    if path is not None and not path.exists():
        return f"no store at {path} (kuaixun schedule creates it at start)"
    return None


def _low_disk(config: Config, min_free: int) -> str | None:
    """The data folder's disk, then the SQLite file's, each measured where it is (or will be)."""
    for path in filter(None, (config.data_dir, _sqlite_path(config))):
        existing = next((p for p in (path, *path.parents) if p.exists()), None)
        if existing is None:
            continue
        free = shutil.disk_usage(existing).free
        if free < min_free:
            mb = 1024 * 1024
            return f"the disk of {path} has {free // mb} MB free (less than {min_free // mb} MB)"
    return None


def _stuck_lock(config: Config, now: datetime) -> str | None:
    """A live run holding the run lock longer than ``health.max_lock_age`` (a dead one's record is no
    problem: the next run takes the lock over)."""
    path = lock_path(config.data_dir)
    holder = Holder.from_text(path.read_text("utf-8", "replace")) if path.exists() else None
    limit = timedelta(seconds=config.health.max_lock_age)
    if holder is None or now - holder.since <= limit or not _alive(holder):
        return None
    who, held = holder.describe(config.schedule.timezone), _duration(now - holder.since)
    return f"the run lock is held for {held} by {who} (health.max_lock_age {_duration(limit)})"


def _alive(holder: Holder) -> bool:
    """Whether the holder still runs; one on another host is taken to (it cannot be asked)."""
    if holder.host != socket.gethostname():
        return True
    try:
        os.kill(holder.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # a process of another user: it exists
    return True


WAIT_STATEMENTS = {
    "sqlite": "PRAGMA busy_timeout = {ms}",
    "postgresql": "SET LOCAL lock_timeout = {ms}",
}
"""How each backend is told to wait ``ms`` for a lock, then fail (PostgreSQL would wait for ever)."""


def _unwritable(engine: Engine, wait: int) -> str | None:
    """A real write, rolled back: the store takes writes (not read-only, not locked for long)."""
    try:
        with engine.connect() as connection, connection.begin() as transaction:
            connection.execute(text(WAIT_STATEMENTS[engine.dialect.name].format(ms=wait * 1000)))
            connection.execute(text("UPDATE alembic_version SET version_num = version_num"))
            transaction.rollback()
    except SQLAlchemyError as exc:
        return f"the store cannot be written: {_first_line(exc)}"
    return None


def _last_crawl(engine: Engine) -> datetime | None:
    with engine.connect() as connection:
        return connection.scalar(select(func.max(Run.started_at)))


def _stale_crawl(config: Config, last: datetime | None, now: datetime) -> str | None:
    """No crawl recorded, or none since one was due: by ``health.max_crawl_age`` if set, else by the
    crawl's cron line (the fire after the last crawl, plus the time a crawl may take)."""
    zone = config.schedule.timezone
    if last is None:
        return "no crawl recorded yet (kuaixun schedule --crawl-now crawls at start)"
    if config.health.max_crawl_age is not None:
        limit = timedelta(seconds=config.health.max_crawl_age)
        if now - last <= limit:
            return None
        age = f"{_duration(now - last)} ago (health.max_crawl_age {_duration(limit)})"
        return f"last crawl {shown_time(last, zone)}, {age}"
    trigger = crontab_trigger(config.schedule.crawl, timezone=zone)
    due = trigger.get_next_fire_time(None, last.replace(tzinfo=UTC) + timedelta(seconds=1))
    if due is None:
        return None
    due_utc = due.astimezone(UTC).replace(tzinfo=None)
    if now > due_utc + timedelta(seconds=config.crawl.crawl_timeout) + CRAWL_LATE:
        return f"last crawl {shown_time(last, zone)}; the crawl due {shown_time(due_utc, zone)} has not run"
    return None


def _broken_sources(config: Config, engine: Engine) -> str | None:
    enabled = [s.name for s in config.sources if s.enabled]
    with engine.connect() as connection:
        failures = {
            name: count
            for name, count in connection.execute(select(Source.name, Source.consecutive_failures))
        }
    broken = [name for name in enabled if (failures.get(name) or 0) >= config.health.broken_after]
    if len(broken) <= config.health.max_broken_sources:
        return None
    return (
        f"{len(broken)} sources failed {config.health.broken_after}+ runs in a row: {', '.join(broken)} "
        f"(health.max_broken_sources {config.health.max_broken_sources})"
    )


def _duration(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"
