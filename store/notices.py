"""Reading and writing notices and their versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from pipeline.records import ExtractedNotice
from store import search
from store.models import Notice, NoticeVersion


def known_urls(session: Session) -> set[str]:
    """Every notice URL in the store: the crawl does not fetch these again."""
    return set(session.scalars(select(Notice.url)))


def urls_first_seen_since(session: Session, since: datetime) -> set[str]:
    """Notices first seen after ``since``: recent enough to be fetched again for revisions."""
    return set(session.scalars(select(Notice.url).where(Notice.first_seen >= since)))


def latest_record(session: Session, url: str) -> ExtractedNotice | None:
    """The newest stored record of the notice at ``url``, or None if it was never seen."""
    notice = session.scalar(select(Notice).where(Notice.url == url))
    return notice.versions[-1].record if notice and notice.versions else None


def save_version(
    session: Session,
    record: ExtractedNotice,
    *,
    source_name: str,
    content_hash: str,
    reasons: list[str],
    diff: str | None,
    seen_at: datetime,
) -> NoticeVersion:
    """Store a new version of the notice at ``record.source_url``, creating the notice if new."""
    notice = session.scalar(select(Notice).where(Notice.url == record.source_url))
    if notice is None:
        notice = Notice(url=record.source_url, source_name=source_name, first_seen=seen_at, last_seen=seen_at)
        notice.group_id = _repost_group(session, record)
        session.add(notice)
    notice.title, notice.doc_number = record.title, record.doc_number
    notice.publish_date, notice.category = record.publish_date, record.category
    notice.region, notice.agency = record.region, record.agency
    notice.last_seen = seen_at
    version = NoticeVersion(
        number=len(notice.versions) + 1,
        fetched_at=seen_at,
        content_hash=content_hash,
        record=record,
        reasons=reasons,
        diff=diff,
    )
    notice.versions.append(version)
    session.flush()
    if notice.group_id is None:
        notice.group_id = notice.id
    search.index_notice(session, notice.id, record)
    return version


def _repost_group(session: Session, record: ExtractedNotice) -> int | None:
    """The group of an earlier notice this one reposts: same 文号, or same title and date."""
    same: list[Any] = []
    if record.doc_number:
        same.append(Notice.doc_number == record.doc_number)
    if record.publish_date:
        same.append(and_(Notice.title == record.title, Notice.publish_date == record.publish_date))
    if not same:
        return None
    return session.scalar(select(Notice.group_id).where(or_(*same)).order_by(Notice.id).limit(1))


def touch(session: Session, url: str, seen_at: datetime) -> None:
    """Note that an unchanged notice was seen again."""
    notice = session.scalar(select(Notice).where(Notice.url == url))
    if notice is not None:
        notice.last_seen = seen_at
