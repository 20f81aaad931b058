"""Reading and writing notices and their versions."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from pipeline.classify import OTHER
from pipeline.records import ExtractedNotice
from pipeline.reposts import RepostKey, repost_key
from store import search
from store.models import Notice, NoticeVersion

URL_BATCH = 500
"""URLs per ``IN (…)`` query: well under SQLite's and PostgreSQL's bound-parameter limits."""


def known_urls(session: Session) -> set[str]:
    """Every notice URL in the store: the crawl does not fetch these again."""
    return set(session.scalars(select(Notice.url)))


def revisit_candidates(
    session: Session, published_since: date, seen_since: datetime, limit: int, sources: Collection[str]
) -> list[Notice]:
    """Notices of ``sources`` worth fetching again for a revision, newest first, at most ``limit``:
    never news (其他); published on or after ``published_since``, or, with no publication date,
    first seen on or after ``seen_since``."""
    recent = or_(
        Notice.publish_date >= published_since.isoformat(),
        and_(Notice.publish_date.is_(None), Notice.first_seen >= seen_since),
    )
    query = (
        select(Notice)
        .where(Notice.category != OTHER, Notice.source_name.in_(sources), recent)
        .order_by(Notice.publish_date.desc().nulls_last(), Notice.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def stored_urls(session: Session, urls: Collection[str]) -> set[str]:
    """Those of ``urls`` that are stored notices."""
    wanted = sorted(set(urls))
    found: set[str] = set()
    for start in range(0, len(wanted), URL_BATCH):
        found |= set(
            session.scalars(select(Notice.url).where(Notice.url.in_(wanted[start : start + URL_BATCH])))
        )
    return found


def latest_record(session: Session, url: str) -> ExtractedNotice | None:
    """The newest stored record of the notice at ``url``, or None if it was never seen."""
    notice = session.scalar(select(Notice).where(Notice.url == url))
    return notice.versions[-1].record if notice and notice.versions else None


def stored_notices(session: Session, urls: Collection[str]) -> dict[str, Notice]:
    """The stored notices at ``urls`` with their versions, by URL: one query per ``URL_BATCH``
    URLs, for the pages of a batch to be compared and stored without a query each."""
    wanted = sorted(set(urls))
    found: dict[str, Notice] = {}
    for start in range(0, len(wanted), URL_BATCH):
        query = (
            select(Notice)
            .where(Notice.url.in_(wanted[start : start + URL_BATCH]))
            .options(selectinload(Notice.versions))
        )
        found |= {notice.url: notice for notice in session.scalars(query)}
    return found


def save_version(
    session: Session,
    record: ExtractedNotice,
    *,
    source_name: str,
    content_hash: str,
    reasons: list[str],
    diff: str | None,
    seen_at: datetime,
    fetched_at: datetime | None = None,
) -> NoticeVersion:
    """Store a new version of the notice at ``record.source_url``, creating the notice if new;
    the version is dated when its page was fetched (``fetched_at``, else ``seen_at``)."""
    notice = session.scalar(select(Notice).where(Notice.url == record.source_url))
    return add_version(
        session,
        notice or new_notice(session, record, source_name, seen_at),
        record,
        content_hash=content_hash,
        reasons=reasons,
        diff=diff,
        seen_at=seen_at,
        fetched_at=fetched_at,
    )


def new_notice(session: Session, record: ExtractedNotice, source_name: str, seen_at: datetime) -> Notice:
    """A notice for ``record``, first seen now, in the group of an earlier repost of it if any."""
    notice = Notice(url=record.source_url, source_name=source_name, first_seen=seen_at, last_seen=seen_at)
    notice.group_id = _repost_group(session, repost_key(record))
    session.add(notice)
    return notice


def add_version(
    session: Session,
    notice: Notice,
    record: ExtractedNotice,
    *,
    content_hash: str,
    reasons: list[str],
    diff: str | None,
    seen_at: datetime,
    fetched_at: datetime | None = None,
) -> NoticeVersion:
    """``record`` as the newest version of ``notice`` (new, or stored with its versions loaded)."""
    fresh = notice.id is None  # not flushed yet: made by ``new_notice`` in this session
    notice.title, notice.doc_number = record.title, record.doc_number
    notice.publish_date, notice.category = record.publish_date, record.category
    notice.region, notice.agency = record.region, record.agency
    notice.last_seen = seen_at
    version = NoticeVersion(
        number=len(notice.versions) + 1,
        fetched_at=fetched_at or seen_at,
        content_hash=content_hash,
        record=record,
        reasons=reasons,
        diff=diff,
    )
    notice.versions.append(version)
    session.flush()
    if notice.group_id is None:
        notice.group_id = notice.id
    if fresh:  # a notice just made has no search row yet: nothing to look up and merge
        session.add(search.search_row(notice.id, record))
    else:
        search.index_notice(session, notice.id, record)
    return version


def _repost_group(session: Session, key: RepostKey) -> int | None:
    """The group of the earliest stored notice with the same repost key (``pipeline.reposts``)."""
    if key.empty:
        return None
    same: list[Any] = []
    if key.doc_number:
        same.append(Notice.doc_number == key.doc_number)
    if key.publish_date:
        same.append(and_(Notice.title == key.title, Notice.publish_date == key.publish_date))
    return session.scalar(select(Notice.group_id).where(or_(*same)).order_by(Notice.id).limit(1))


def touch(session: Session, url: str, seen_at: datetime) -> None:
    """Note that an unchanged notice was seen again."""
    notice = session.scalar(select(Notice).where(Notice.url == url))
    if notice is not None:
        notice.last_seen = seen_at
