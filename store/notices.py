"""Reading and writing notices and their versions."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from pipeline.classify import OTHER
from pipeline.records import ExtractedNotice
from pipeline.reposts import repost_key
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
    notice = notice or new_notice(session, record, source_name, seen_at)
    version = add_version(
        notice,
        record,
        content_hash=content_hash,
        reasons=reasons,
        diff=diff,
        seen_at=seen_at,
        fetched_at=fetched_at,
    )
    settle(session, [notice])
    return version


def new_notice(session: Session, record: ExtractedNotice, source_name: str, seen_at: datetime) -> Notice:
    """A notice for ``record``, first seen now; its versions come from ``add_version``, its repost
    group and search row from ``settle``."""
    notice = Notice(url=record.source_url, source_name=source_name, first_seen=seen_at, last_seen=seen_at)
    session.add(notice)
    return notice


def add_version(
    notice: Notice,
    record: ExtractedNotice,
    *,
    content_hash: str,
    reasons: list[str],
    diff: str | None,
    seen_at: datetime,
    fetched_at: datetime | None = None,
) -> NoticeVersion:
    """``record`` as the newest version of ``notice`` (new, or stored with its versions loaded);
    written by the next flush, with ``settle``."""
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
    return version


def settle(session: Session, changed: Sequence[Notice]) -> None:
    """Write the ``changed`` notices (new ones and new versions: one INSERT per table for them
    all), put each new notice in its repost group, and index each newest version for search."""
    fresh = {id(n) for n in changed if n.id is None}  # not written yet: made by ``new_notice``
    session.flush()
    ordered = sorted(changed, key=lambda n: n.id)
    _group(session, [n for n in ordered if id(n) in fresh])
    search.index_new_notices(session, [(n.id, n.versions[-1].record) for n in ordered if id(n) in fresh])
    for notice in ordered:
        if id(notice) not in fresh:
            search.index_notice(session, notice.id, notice.versions[-1].record)


def _group(session: Session, fresh: Sequence[Notice]) -> None:
    """Each new notice (in id order) joins the group of the earliest notice before it with the same
    repost key (``pipeline.reposts``), else starts its own: one query for them all."""
    keys = {n.id: repost_key(n.versions[-1].record) for n in fresh}
    doc_numbers = sorted({k.doc_number for k in keys.values() if k.doc_number})
    titles = sorted({k.title for k in keys.values() if k.publish_date})
    earlier: list[Notice] = []
    for names, column in ((doc_numbers, Notice.doc_number), (titles, Notice.title)):
        for start in range(0, len(names), URL_BATCH):
            query = select(Notice).where(column.in_(names[start : start + URL_BATCH]))
            earlier.extend(session.scalars(query))
    first: dict[tuple[str | None, ...], Notice] = {}
    """Each repost key's earliest notice."""
    for candidate in sorted(earlier, key=lambda n: n.id):
        for shared in _shared(candidate.doc_number, candidate.title, candidate.publish_date):
            first.setdefault(shared, candidate)
    for notice in fresh:
        key = keys[notice.id]
        same = (first.get(s) for s in _shared(key.doc_number, key.title, key.publish_date))
        before = [c for c in same if c is not None and c.id < notice.id]
        notice.group_id = min(before, key=lambda n: n.id).group_id if before else notice.id


def _shared(doc_number: str | None, title: str, publish_date: str | None) -> list[tuple[str | None, ...]]:
    """What a notice shares with its reposts: its 文号, or its title with its date."""
    return [("doc", doc_number)] * bool(doc_number) + [("dated", title, publish_date)] * bool(publish_date)


def touch(session: Session, url: str, seen_at: datetime) -> None:
    """Note that an unchanged notice was seen again."""
    notice = session.scalar(select(Notice).where(Notice.url == url))
    if notice is not None:
        notice.last_seen = seen_at
