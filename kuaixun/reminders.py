"""Deadline reminders: ``alerts.remind_days`` (e.g. [7, 1]) days before the 截止日期 of a notice a
subscription matched, the subscription gets one message listing every such deadline.

Once per (subscription, notice, deadline, lead time), across restarts: the ``reminders`` rows,
the archived message and its outbox row are committed together (as alerts are), then the outbox
delivers it. A reminder is due from its day until the deadline, so a day without a crawl only
delays it; a lead time that had already begun when the notice was matched is skipped (the alert
itself came within it), and several lead times due at once make one reminder. The deadline read
is the notice's newest version's, so a 延期 is reminded of at its new date.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kuaixun.alerts import unsubscribe_of
from kuaixun.config import Config
from kuaixun.delivery import ALERT, alert_folder, deliver_due
from kuaixun.ingest import now_utc
from kuaixun.localtime import local_date
from notify import archive
from notify.alerts import Alert, AlertItem, alert_item, render_alert
from notify.channels.targets import Problem
from store import outbox
from store.db import Database
from store.models import AlertMatch, NoticeVersion, Reminder, Subscription

Echo = Callable[[str], None]
Clock = Callable[[], datetime]
REMINDER = "reminder"
"""The alert mode of a reminder message (its subject reads 截止提醒)."""


@dataclass(frozen=True)
class DueReminder:
    """One deadline of one matched notice to remind one subscription of, for its due lead times."""

    subscription: Subscription
    notice_id: int
    deadline: str
    days: tuple[int, ...]
    item: AlertItem


@contextmanager
def reminding(config: Config, db: Database, echo: Echo) -> Iterator[None]:
    """Around a crawl (outside ``alerting``): the reminders due are sent once its alerts are."""
    yield
    send_reminders(config, db, echo)


def send_reminders(config: Config, db: Database, echo: Echo, clock: Clock = now_utc) -> int:
    """Queue one reminder per subscription with deadlines due, then deliver; how many were queued."""
    if not config.alerts.remind_days:
        return 0
    now = clock()
    today = local_date(now, config.schedule.timezone)
    refs = []
    with db.session() as session:
        by_subscription: dict[int, list[DueReminder]] = {}
        for due in due_reminders(session, config.alerts.remind_days, today, config.schedule.timezone):
            by_subscription.setdefault(due.subscription.id, []).append(due)
        for reminders in by_subscription.values():
            ref = _queue(config, session, reminders, now, echo)
            if ref:
                refs.append(ref)
    if refs:
        echo(f"reminders: {len(refs)} message(s) queued")
        deliver_due(config, db, echo, clock, kinds=(ALERT,))
    return len(refs)


def due_reminders(session: Session, remind_days: Sequence[int], today: date, zone: str) -> list[DueReminder]:
    """Every deadline, of every notice an active subscription matched, with a lead time due today."""
    first = (
        select(AlertMatch.subscription_id, NoticeVersion.notice_id, func.min(AlertMatch.matched_at))
        .join(NoticeVersion, NoticeVersion.id == AlertMatch.version_id)
        .join(Subscription, Subscription.id == AlertMatch.subscription_id)
        .where(Subscription.active.is_(True))
        .group_by(AlertMatch.subscription_id, NoticeVersion.notice_id)
    )
    matched = session.execute(first).all()
    if not matched:
        return []
    sent = {(r.subscription_id, r.notice_id, r.deadline, r.days) for r in session.scalars(select(Reminder))}
    newest = _newest_versions(session, {notice_id for _, notice_id, _ in matched})
    terms = _terms(session)
    due = []
    for sub_id, notice_id, matched_at in matched:
        version = newest[notice_id]
        matched_on = local_date(matched_at, zone)
        for deadline in dict.fromkeys(d.date for d in version.record.deadlines if d.date):
            days = tuple(
                n
                for n in remind_days
                if _is_due(deadline, n, today, matched_on) and (sub_id, notice_id, deadline, n) not in sent
            )
            if days:
                item = alert_item(version.record, terms=terms[sub_id, notice_id], revised=False, diff=None)
                sub = session.get_one(Subscription, sub_id)
                due.append(DueReminder(sub, notice_id, deadline, days, replace(item, deadline=deadline)))
    return due


def _is_due(deadline: str, days: int, today: date, matched_on: date) -> bool:
    """From ``days`` before the deadline until the day before it, if matched by that day."""
    end = date.fromisoformat(deadline)
    start = end - timedelta(days=days)
    return start <= today < end and matched_on <= start


def _newest_versions(session: Session, notice_ids: set[int]) -> dict[int, NoticeVersion]:
    newest = select(func.max(NoticeVersion.id)).where(NoticeVersion.notice_id.in_(notice_ids))
    query = select(NoticeVersion).where(NoticeVersion.id.in_(newest.group_by(NoticeVersion.notice_id)))
    return {version.notice_id: version for version in session.scalars(query)}


def _terms(session: Session) -> dict[tuple[int, int], list[list[str]]]:
    """The terms each (subscription, notice) matched with, for marking them in the reminder."""
    query = select(AlertMatch.subscription_id, NoticeVersion.notice_id, AlertMatch.terms).join(
        NoticeVersion, NoticeVersion.id == AlertMatch.version_id
    )
    return {(sub, notice): list(terms or []) for sub, notice, terms in session.execute(query)}


def _queue(
    config: Config, session: Session, reminders: Sequence[DueReminder], now: datetime, echo: Echo
) -> str | None:
    """Record the reminders, archive their message and queue it; None (nothing recorded) when the
    subscription's channel cannot be reached now, so they stay due."""
    sub = reminders[0].subscription
    target = config.resolver().resolve(sub.channel, alert=True)
    if isinstance(target, Problem):
        echo(f"reminders: {sub.name}: {target}; {len(reminders)} reminder(s) wait")
        return None
    rows = [
        Reminder(
            subscription_id=sub.id,
            notice_id=r.notice_id,
            deadline=r.deadline,
            days=n,
            message="",
            queued_at=now,
        )
        for r in reminders
        for n in r.days
    ]
    session.add_all(rows)
    session.flush()
    ref = f"remind-sub{sub.id}-r{rows[0].id}"
    for row in rows:
        row.message = ref
    items = tuple(r.item for r in sorted(reminders, key=lambda r: r.deadline))
    alert = Alert(
        name=sub.name, query=sub.query, mode=REMINDER, items=items, unsubscribe=unsubscribe_of(config, sub)
    )
    archive.save(alert_folder(config, ref), render_alert(alert))
    outbox.enqueue(session, ALERT, ref, [(target.channel, target.recipient)], now)
    return ref
