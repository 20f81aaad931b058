"""The outbox: every delivery is recorded before it is sent and marked right after.

A failed send is tried again later, waiting twice as long each time (1 min, 2, 4 … capped),
until it goes through or the attempts run out; a permanent error gives up at once. A row
marked ``sent`` is never due again, which is what makes a delivery happen once.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from kuaixun.redact import redact
from store.models import Delivery

PENDING, SENT, FAILED = "pending", "sent", "failed"
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


def due(session: Session, now: datetime, ids: Collection[int] | None = None) -> list[Delivery]:
    """Pending rows whose time has come, oldest first (only ``ids`` when given)."""
    query = select(Delivery).where(Delivery.status == PENDING, Delivery.next_attempt_at <= now)
    if ids is not None:
        query = query.where(Delivery.id.in_(ids))
    return list(session.scalars(query.order_by(Delivery.id)))


def mark_sent(session: Session, delivery_id: int, now: datetime) -> Delivery:
    delivery = session.get_one(Delivery, delivery_id)
    delivery.status, delivery.sent_at, delivery.last_error = SENT, now, None
    delivery.attempts += 1
    return delivery


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
