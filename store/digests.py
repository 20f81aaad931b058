"""Digest issues: which notice versions go into the next 快讯, and its fixed number."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.models import Digest, DigestItem, Notice, NoticeVersion


def pending_versions(session: Session, sections: Sequence[str]) -> list[NoticeVersion]:
    """Newest versions of notices in ``sections`` that no issue has carried yet, oldest first."""
    newest = select(func.max(NoticeVersion.id)).group_by(NoticeVersion.notice_id).scalar_subquery()
    published = select(DigestItem.version_id)
    query = (
        select(NoticeVersion)
        .join(Notice)
        .where(
            NoticeVersion.id.in_(newest), NoticeVersion.id.not_in(published), Notice.category.in_(sections)
        )
        .order_by(Notice.publish_date, NoticeVersion.id)
    )
    return list(session.scalars(query))


def create_digest(session: Session, versions: Sequence[NoticeVersion], today: date, now: datetime) -> Digest:
    """A new issue numbered after the month's previous ones, holding ``versions`` in order."""
    seq = session.scalar(
        select(func.coalesce(func.max(Digest.seq), 0)).where(
            Digest.year == today.year, Digest.month == today.month
        )
    )
    digest = Digest(year=today.year, month=today.month, seq=seq + 1, created_at=now)
    digest.items = [DigestItem(version=v, position=i) for i, v in enumerate(versions)]
    session.add(digest)
    session.flush()
    return digest


def was_published_before(session: Session, notice_id: int, before_version: int) -> bool:
    """Whether an earlier version of the notice was in an issue (so this one is an 更新)."""
    query = (
        select(DigestItem.id)
        .join(NoticeVersion, DigestItem.version_id == NoticeVersion.id)
        .where(NoticeVersion.notice_id == notice_id, NoticeVersion.number < before_version)
    )
    return session.scalar(query.limit(1)) is not None
