"""The outbox: every delivery is recorded before it is sent and marked right after.

A failed send is tried again later, waiting twice as long each time (1 min, 2, 4 … capped),
until it goes through or the attempts run out; a permanent error gives up at once. A row
marked ``sent`` is never due again, which is what makes a delivery happen once.

Each attempt is recorded as it goes, each step in its own commit: ``sending`` with its start
time before anything is sent, then ``handed_over_at`` just before a part goes out irrevocably,
then ``parts_sent`` once the recipient confirms it. So a run that died mid-attempt leaves a row
that says whether the part can have arrived (``recover``), and a delivery whose answer never
came is ``unconfirmed`` (where a retry could make a visible duplicate) until the operator decides:
send it again (``retry_unconfirmed``) or record that it arrived (``confirm``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import datetime, timedelta

from sqlalchemy import func, insert, or_, select
from sqlalchemy.orm import Session

from kuaixun.redact import redact
from store.models import Delivery

PENDING, SENDING, SENT, UNCONFIRMED, FAILED = "pending", "sending", "sent", "unconfirmed", "failed"
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=6)
MAX_ATTEMPTS = 8
"""With the waits above, about eight hours of trying before giving up."""


def enqueue(
    session: Session, kind: str, ref: str, targets: Iterable[tuple[str, str]], now: datetime
) -> list[Delivery]:
    """Record a pending row per (channel, recipient) not yet recorded for this message.

    Idempotent: enqueueing the same message again adds nothing, so a re-run never doubles
    a delivery. Returns the rows it added.
    """
    query = select(Delivery.channel, Delivery.recipient).where(Delivery.kind == kind, Delivery.ref == ref)
    known = {(channel, recipient) for channel, recipient in session.execute(query)}
    added = [
        Delivery(
            kind=kind,
            ref=ref,
            channel=channel,
            recipient=recipient,
            status=PENDING,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        for channel, recipient in dict.fromkeys(targets)
        if (channel, recipient) not in known
    ]
    session.add_all(added)
    session.flush()
    return added


def enqueue_many(
    session: Session, kind: str, messages: Mapping[str, Iterable[tuple[str, str]]], now: datetime
) -> int:
    """``enqueue`` for many messages (ref → targets) at once: one SELECT per batch of refs for the
    rows already recorded, one bulk INSERT for the rest. Returns how many rows it added."""
    refs = list(messages)
    known: set[tuple[str, str, str]] = set()
    for start in range(0, len(refs), REF_BATCH):
        query = select(Delivery.ref, Delivery.channel, Delivery.recipient).where(
            Delivery.kind == kind, Delivery.ref.in_(refs[start : start + REF_BATCH])
        )
        known.update((ref, channel, recipient) for ref, channel, recipient in session.execute(query))
    rows = [
        {
            "kind": kind,
            "ref": ref,
            "channel": channel,
            "recipient": recipient,
            "status": PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for ref, targets in messages.items()
        for channel, recipient in dict.fromkeys(targets)
        if (ref, channel, recipient) not in known
    ]
    if rows:
        session.execute(insert(Delivery.__table__), rows)  # the table: a plain executemany
    return len(rows)


REF_BATCH = 500
"""Refs per ``IN (…)`` list: well under every backend's limit on bound parameters."""


def due(session: Session, now: datetime, ids: Collection[int] | None = None) -> list[Delivery]:
    """Pending rows whose time has come, oldest first (only ``ids`` when given)."""
    query = select(Delivery).where(Delivery.status == PENDING, Delivery.next_attempt_at <= now)
    if ids is not None:
        query = query.where(Delivery.id.in_(ids))
    return list(session.scalars(query.order_by(Delivery.id)))


def start(session: Session, delivery_id: int, now: datetime) -> Delivery:
    """An attempt begins: recorded (and committed by the caller) before anything is sent."""
    delivery = session.get_one(Delivery, delivery_id)
    delivery.status, delivery.attempt_started_at, delivery.handed_over_at = SENDING, now, None
    return delivery


def handing_over(session: Session, delivery_id: int, now: datetime) -> None:
    """The next part is about to go out irrevocably; from here a lost answer leaves it in doubt."""
    session.get_one(Delivery, delivery_id).handed_over_at = now


def part_delivered(session: Session, delivery_id: int, part: int) -> None:
    delivery = session.get_one(Delivery, delivery_id)
    delivery.parts_sent, delivery.handed_over_at = part, None


def mark_sent(session: Session, delivery_id: int, now: datetime) -> Delivery:
    delivery = session.get_one(Delivery, delivery_id)
    delivery.status, delivery.sent_at, delivery.last_error = SENT, now, None
    delivery.attempts += 1
    delivery.handed_over_at = None
    return delivery


def mark_unconfirmed(session: Session, delivery_id: int, error: str) -> Delivery:
    """Handed over, and no answer came: it may have arrived. Not retried: the operator decides."""
    delivery = session.get_one(Delivery, delivery_id)
    delivery.status = UNCONFIRMED
    delivery.attempts += 1
    delivery.last_error = redact(error)
    return delivery


def recover(session: Session, now: datetime, idempotent: Callable[[str], bool]) -> list[Delivery]:
    """Rows a run left ``sending`` when it died (the caller holds the delivery lock, so no attempt is
    under way): before the hand-over they are due again at once; after it, retried when the
    channel is ``idempotent`` (the receiver drops the repeated key), else ``unconfirmed``."""
    rows = list(session.scalars(select(Delivery).where(Delivery.status == SENDING)))
    for row in rows:
        row.attempts += 1
        if row.handed_over_at is None:
            row.status, row.next_attempt_at = PENDING, now
            row.last_error = "the previous attempt stopped before the message went out; sent again"
        elif idempotent(row.channel):
            row.status, row.next_attempt_at, row.handed_over_at = PENDING, now, None
            row.last_error = "the previous attempt stopped after the request went out; sent again, same key"
        else:
            row.status = UNCONFIRMED
            row.last_error = (
                "the previous attempt stopped after the message was handed over, before the server "
                "confirmed it: it may have been delivered"
            )
    return rows


def retry_unconfirmed(delivery: Delivery, now: datetime) -> None:
    """The operator's decision: send the part in doubt again (with the same key)."""
    delivery.status, delivery.next_attempt_at, delivery.handed_over_at = PENDING, now, None


def confirm(delivery: Delivery, now: datetime) -> None:
    """The operator's decision: the part in doubt arrived. Any later part is due now."""
    delivery.parts_sent += 1
    delivery.status, delivery.next_attempt_at, delivery.handed_over_at = PENDING, now, None


def unconfirmed(session: Session, kinds: Collection[str] | None = None) -> list[Delivery]:
    """Rows waiting for the operator's decision, oldest first (of ``kinds``; None: all)."""
    query = select(Delivery).where(Delivery.status == UNCONFIRMED)
    if kinds is not None:
        query = query.where(Delivery.kind.in_(kinds))
    return list(session.scalars(query.order_by(Delivery.id)))


def mark_failed(
    session: Session,
    delivery_id: int,
    error: str,
    now: datetime,
    *,
    retryable: bool,
    max_attempts: int = MAX_ATTEMPTS,
) -> Delivery:
    """Count the attempt; retry after the backoff, or give up (``failed``) when it cannot help.

    ``error`` is stored with the credentials of any URL in it masked (the caller, which knows
    the config, masks its literal secrets as well).
    """
    delivery = session.get_one(Delivery, delivery_id)
    delivery.attempts += 1
    delivery.last_error = redact(error)
    delivery.status, delivery.handed_over_at = PENDING, None
    if retryable and delivery.attempts < max_attempts:
        delivery.next_attempt_at = now + backoff(delivery.attempts)
    else:
        delivery.status = FAILED
    return delivery


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: 1 min × 2^(attempts − 1), at most 6 h."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_WAIT)


def of_message(session: Session, kind: str, refs: Collection[str]) -> list[Delivery]:
    """The rows of these messages, and of their resends (``ref#…``), in the order recorded."""
    if not refs:
        return []
    same = [Delivery.ref == ref for ref in refs]
    again = [Delivery.ref.startswith(f"{ref}#", autoescape=True) for ref in refs]
    query = select(Delivery).where(Delivery.kind == kind, or_(*same, *again)).order_by(Delivery.id)
    return list(session.scalars(query))


def resend_ref(session: Session, kind: str, ref: str) -> str:
    """A fresh ref for sending ``ref`` again as a delivery of its own: ``2026-1101#resend-2``."""
    count = session.scalar(
        select(func.count()).where(
            Delivery.kind == kind, Delivery.ref.startswith(f"{ref}#resend-", autoescape=True)
        )
    )
    return f"{ref}#resend-{(count or 0) + 1}"
