"""Sources that report their own breakage: a source failing ``admin.after_failures`` runs in a row
is announced once on the admin channel (``admin.to``), and so is its recovery.

Once each, across restarts: the announcement is recorded (``admin_announcements``), its message
archived and its outbox row queued in one transaction, then delivered with the outbox's retries.
The next announcement of a source is always the other kind, so a source failing for a week is
announced once, not at every run.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kuaixun.config import AdminConfig, Config
from kuaixun.delivery import ADMIN, admin_folder, deliver_due
from kuaixun.ingest import now_utc
from kuaixun.localtime import shown_time
from notify import archive
from notify.outgoing import Outgoing
from store import outbox, runs
from store.db import Database
from store.models import AdminAnnouncement, Source

Echo = Callable[[str], None]
FAILING, RECOVERED = "failing", "recovered"
MAX_ERROR_CHARS = 600
"""Of the source's last error in a message: its start says what broke (`kuaixun sources` shows it all)."""


def announce_health(config: Config, db: Database, echo: Echo) -> list[str]:
    """Queue and send an announcement for each source newly broken or newly recovered; their refs."""
    if config.admin is None:
        return []
    with db.session() as session:
        refs = queue_announcements(session, config, config.admin, now_utc())
    for ref in refs:
        echo(f"admin: {ref} announced to {config.admin.to}")
    if refs:
        deliver_due(config, db, echo, kinds=(ADMIN,))
    return refs


def queue_announcements(session: Session, config: Config, admin: AdminConfig, now: datetime) -> list[str]:
    """One announcement per configured source whose state changed since its last one."""
    refs = []
    for source in runs.sources(session):
        if not any(s.name == source.name and s.enabled for s in config.sources):
            continue
        kind = _due(source, _last_kind(session, source.name), admin.after_failures)
        if kind is None:
            continue
        row = AdminAnnouncement(
            source_name=source.name,
            kind=kind,
            failures=source.consecutive_failures,
            error=source.last_error,
            ref="",
            announced_at=now,
        )
        session.add(row)
        session.flush()
        row.ref = f"{kind}-{source.name}-{row.id}"
        archive.save(admin_folder(config, row.ref), message(source, kind, config.schedule.timezone))
        outbox.enqueue(session, ADMIN, row.ref, [target(config, admin)], now)
        refs.append(row.ref)
    return refs


def _due(source: Source, last: str | None, after_failures: int) -> str | None:
    """FAILING once the failures reach the threshold, RECOVERED at the first success after that."""
    if source.consecutive_failures >= after_failures and last != FAILING:
        return FAILING
    if source.consecutive_failures == 0 and last == FAILING:
        return RECOVERED
    return None


def _last_kind(session: Session, source_name: str) -> str | None:
    query = (
        select(AdminAnnouncement.kind)
        .where(AdminAnnouncement.source_name == source_name)
        .order_by(AdminAnnouncement.id.desc())
        .limit(1)
    )
    return session.scalar(query)


def target(config: Config, admin: AdminConfig) -> tuple[str, str]:
    """The outbox (channel, recipient) of the admin channel (config validation made sure it exists)."""
    if admin.is_email:
        return "email", admin.to
    return config.channels.webhooks[admin.to].type, admin.to


def message(source: Source, kind: str, zone: str) -> Outgoing:
    """The announcement: which source, since when, and what broke (the source's last error)."""
    last_ok = shown_time(source.last_ok_at, zone) if source.last_ok_at else "never"
    if kind == FAILING:
        subject = f"kuaixun: source {source.name} has failed {source.consecutive_failures} runs in a row"
        error = (source.last_error or "no error recorded")[:MAX_ERROR_CHARS]
        lines = [
            subject,
            f"{source.agency} {source.listing_url}",
            f"last success: {last_ok}",
            f"last error: {error}",
        ]
        lines.append("It is announced once; its recovery will be too. `kuaixun sources` shows every source.")
    else:
        subject = f"kuaixun: source {source.name} works again"
        lines = [subject, f"{source.agency} {source.listing_url}", f"read successfully at {last_ok}"]
    return Outgoing(subject=subject, text="\n".join(lines))
