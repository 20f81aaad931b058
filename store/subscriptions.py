"""Keyword alert subscriptions and their matches: the config sync, the CLI's changes, the watermark.

Each subscription remembers the newest notice version it has been matched against
(``checked_through``), so a run matches only what is new to it, and a subscription added
today is not alerted of the store's history. A match row is written before any message
carries it; ``message`` then names the outbox ref of the message that does.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from store.models import AlertMatch, Notice, NoticeVersion, Subscription

CONFIG, CLI = "config", "cli"
M = TypeVar("M", Subscription, NoticeVersion)


class SubscriptionError(Exception):
    """A change the store refuses, phrased for the user."""


@dataclass(frozen=True)
class Spec:
    """What defines a subscription, wherever it comes from."""

    name: str
    query: str
    channel: str
    mode: str = "instant"
    filters: dict[str, Any] = field(default_factory=dict)


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    clashes: list[str] = field(default_factory=list)
    """config.yaml names already taken by a command-line subscription (left as they are)."""


def newest_version_id(session: Session) -> int:
    return session.scalar(select(func.coalesce(func.max(NoticeVersion.id), 0))) or 0


def by_name(session: Session, name: str) -> Subscription | None:
    return session.scalar(select(Subscription).where(Subscription.name == name))


def listing(session: Session) -> list[Subscription]:
    """Every subscription, active ones first, by name."""
    return list(session.scalars(select(Subscription).order_by(Subscription.active.desc(), Subscription.name)))


def active(session: Session) -> list[Subscription]:
    return list(session.scalars(select(Subscription).where(Subscription.active.is_(True))))


@dataclass(frozen=True)
class Watching:
    """What matching needs of an active subscription (a row, without the ORM)."""

    id: int
    query: str
    filters: dict[str, Any]
    checked_through: int


def watching(session: Session) -> list[Watching]:
    """Every active subscription, as matching needs it: plain rows, 10,000 of them load at once."""
    columns = (Subscription.id, Subscription.query, Subscription.filters, Subscription.checked_through)
    return [Watching(*row) for row in session.execute(select(*columns).where(Subscription.active.is_(True)))]


def add(session: Session, spec: Spec, origin: str, now: datetime) -> Subscription:
    """A new active subscription; an inactive one of the same name is taken over and started afresh."""
    row = by_name(session, spec.name)
    if row is not None and row.active:
        raise SubscriptionError(f"a subscription named {spec.name!r} exists already ({row.origin})")
    if row is None:
        row = Subscription(name=spec.name, created_at=now)
        session.add(row)
    _apply(row, spec)
    row.origin, row.created_at = origin, now
    _restart(session, row)
    session.flush()
    return row


def sync_config(session: Session, specs: Sequence[Spec], now: datetime) -> SyncReport:
    """Make the config subscriptions in the store those of config.yaml, by name.

    New names are added, changed ones updated, and names gone from config.yaml deactivated.
    One a recipient unsubscribed from stays off until its channel changes.
    """
    report = SyncReport()
    wanted = {spec.name: spec for spec in specs}
    rows = {row.name: row for row in session.scalars(select(Subscription))}
    for spec in specs:
        row = rows.get(spec.name)
        if row is None:
            add(session, spec, CONFIG, now)
            report.added.append(spec.name)
        elif row.origin != CONFIG:
            if row.active:
                report.clashes.append(spec.name)
            else:
                add(session, spec, CONFIG, now)
                report.added.append(spec.name)
        elif _update(session, row, spec):
            report.updated.append(spec.name)
    for row in rows.values():
        if row.origin == CONFIG and row.active and row.name not in wanted:
            row.active = False
            report.deactivated.append(row.name)
    session.flush()
    return report


def _update(session: Session, row: Subscription, spec: Spec) -> bool:
    before = (row.query, row.filters, row.channel, row.mode, row.active)
    if spec.channel != row.channel:
        row.unsubscribed_at = None  # a new recipient has not unsubscribed
    _apply(row, spec)
    if not row.active and row.unsubscribed_at is None:
        _restart(session, row)
    return before != (row.query, row.filters, row.channel, row.mode, row.active)


def _apply(row: Subscription, spec: Spec) -> None:
    row.query, row.filters, row.channel, row.mode = spec.query, dict(spec.filters), spec.channel, spec.mode


def _restart(session: Session, row: Subscription) -> None:
    """Active from now on: a new token, and only notices stored from now on are new to it."""
    row.active, row.unsubscribed_at = True, None
    row.token = secrets.token_hex(16)
    row.checked_through = newest_version_id(session)


def unsubscribe(row: Subscription, now: datetime) -> None:
    row.active, row.unsubscribed_at = False, now


def versions_after(session: Session, version_id: int) -> list[tuple[NoticeVersion, Notice]]:
    """Notice versions stored after ``version_id``, oldest first, with their notices."""
    query = select(NoticeVersion, Notice).join(Notice).where(NoticeVersion.id > version_id)
    return [(version, notice) for version, notice in session.execute(query.order_by(NoticeVersion.id))]


def alerted_content(session: Session, group_ids: Iterable[int]) -> set[tuple[int, int, str]]:
    """(subscription, repost group, content hash) already alerted, for the given groups.

    A repost of a notice a subscriber has heard of carries the same content: no second alert.
    """
    query = (
        select(AlertMatch.subscription_id, Notice.group_id, NoticeVersion.content_hash)
        .join(NoticeVersion, AlertMatch.version_id == NoticeVersion.id)
        .join(Notice, NoticeVersion.notice_id == Notice.id)
        .where(Notice.group_id.in_(set(group_ids)))
    )
    return {(sub, group, digest) for sub, group, digest in session.execute(query)}


def checked(session: Session, through: int) -> None:
    """Every active subscription has now been matched against the versions up to ``through``."""
    session.execute(
        update(Subscription)
        .where(Subscription.active.is_(True), Subscription.checked_through < through)
        .values(checked_through=through)
    )


@dataclass(frozen=True)
class NewMatch:
    """A match found by a run, before it is recorded."""

    subscription_id: int
    version_id: int
    terms: list[list[str]]
    """``AlertMatch.terms``: [field, normal form, as written] per term found."""


@dataclass(frozen=True)
class WaitingMatch:
    """A recorded match no message carries yet (an ``alert_matches`` row, without the ORM)."""

    id: int
    subscription_id: int
    version_id: int
    terms: list[list[str]]


def record_matches(session: Session, matches: Sequence[NewMatch], now: datetime) -> None:
    """The matches as ``alert_matches`` rows: one bulk INSERT (executemany), however many."""
    if matches:
        session.execute(
            insert(AlertMatch.__table__),  # the table, not the ORM class: a plain executemany
            [
                {
                    "subscription_id": m.subscription_id,
                    "version_id": m.version_id,
                    "terms": m.terms,
                    "matched_at": now,
                }
                for m in matches
            ],
        )


def waiting(session: Session, modes: Iterable[str], batch: int) -> Iterator[dict[int, list[WaitingMatch]]]:
    """Matches of active subscriptions in ``modes`` no message carries yet, oldest first, for
    ``batch`` subscriptions at a time (by id): only one batch of matches is ever in memory."""
    waits = (
        AlertMatch.message.is_(None),
        Subscription.active.is_(True),
        Subscription.mode.in_(list(modes)),
    )
    subscribers = list(
        session.scalars(select(AlertMatch.subscription_id).join(Subscription).where(*waits).distinct())
    )
    subscribers.sort()
    columns = (AlertMatch.id, AlertMatch.subscription_id, AlertMatch.version_id, AlertMatch.terms)
    for start in range(0, len(subscribers), batch):
        ids = subscribers[start : start + batch]
        query = (
            select(*columns)
            .join(Subscription)
            .where(*waits, AlertMatch.subscription_id.in_(ids))
            .order_by(AlertMatch.subscription_id, AlertMatch.version_id)
        )
        found: dict[int, list[WaitingMatch]] = {}
        for row in session.execute(query):
            found.setdefault(row.subscription_id, []).append(WaitingMatch(*row))
        yield found


def by_ids(session: Session, ids: Iterable[int]) -> dict[int, Subscription]:
    return _by_id(session, Subscription, ids)


def versions_by_ids(session: Session, ids: Iterable[int]) -> dict[int, NoticeVersion]:
    """Notice versions by id, each loaded (and its record decoded) once."""
    return _by_id(session, NoticeVersion, ids)


@dataclass(frozen=True)
class Carried:
    """A message queued for a subscriber: it carries the subscriber's waiting matches up to ``through``."""

    subscription_id: int
    ref: str
    through: int
    """The newest version among the matches it carries."""


def carried(session: Session, messages: Sequence[Carried]) -> None:
    """Mark the matches each message carries: one executemany UPDATE, a row per message.

    Within the transaction that read them, a subscriber's waiting matches are exactly those not
    yet carried up to its newest one: a match recorded meanwhile is of a newer version (each
    run matches only versions past every subscription's watermark).
    """
    if messages:
        table = AlertMatch.__table__
        statement = (
            update(table)
            .where(
                table.c.subscription_id == bindparam("sub_id"),
                table.c.message.is_(None),
                table.c.version_id <= bindparam("through"),
            )
            .values(message=bindparam("ref"))
        )
        rows = [{"sub_id": m.subscription_id, "ref": m.ref, "through": m.through} for m in messages]
        session.execute(statement, rows)


IN_BATCH = 500
"""Ids per ``IN (…)`` list: well under every backend's limit on bound parameters."""


def _by_id(session: Session, model: type[M], ids: Iterable[int]) -> dict[int, M]:
    wanted = sorted(set(ids))
    found: dict[int, M] = {}
    for start in range(0, len(wanted), IN_BATCH):
        batch = wanted[start : start + IN_BATCH]
        found.update((row.id, row) for row in session.scalars(select(model).where(model.id.in_(batch))))
    return found
