"""Digest issues: which notice versions go into the next 快讯, and its fixed number."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, contains_eager, defer

from store import queries
from store.models import BaselineMark, Digest, DigestItem, Notice, NoticeVersion
from store.search import batches


@dataclass(frozen=True)
class Period:
    """The publish dates (ISO, inclusive) an issue is limited to; None leaves that end open."""

    since: str | None = None
    until: str | None = None


ANY_TIME = Period()
GROUPS_PER_QUERY = 500
"""Repost groups per IN list: well under every database's limit on bound parameters."""


def pending_versions(
    session: Session,
    sections: Sequence[str],
    period: Period = ANY_TIME,
    limit: int | None = None,
    *,
    records: bool = True,
) -> list[NoticeVersion]:
    """Newest versions of notices in ``sections`` and ``period`` no issue has carried (nor a
    ``kuaixun baseline`` marked as seen), oldest first; the first ``limit`` of them (None: all).
    ``records=False`` leaves each version's record unloaded (counting needs none: every record of a
    large crawl in memory at once was the crawl's memory growth, issue 13)."""
    query, version = _pending(session, sections, period)
    query = query.order_by(Notice.publish_date, version.id).limit(limit)
    query = query.options(contains_eager(version.notice))
    if not records:
        query = query.options(defer(version.record))
    return list(session.scalars(query))


def pending_count(
    session: Session, sections: Sequence[str], period: Period = ANY_TIME, bound: int | None = None
) -> int:
    """How many versions ``pending_versions`` would give, counted by the database; at most
    ``bound`` + 1 of them when a bound is given (each costs an index probe or three: a store that
    never issued one has every notice waiting)."""
    query, _ = _pending(session, sections, period)
    counted = query.limit(None if bound is None else bound + 1).subquery()
    return session.scalar(select(func.count()).select_from(counted)) or 0


def _pending(
    session: Session, sections: Sequence[str], period: Period
) -> tuple[Select[tuple[NoticeVersion]], type[NoticeVersion]]:
    # The newest version by one index probe per notice (store.queries), whether an issue or a
    # baseline has it by another: never IN lists of every version, whatever the store's size.
    version = queries.newest_version(session)
    published = select(DigestItem.id).where(DigestItem.version_id == version.id)
    baselined = select(BaselineMark.version_id).where(BaselineMark.version_id == version.id)
    query = (
        select(version)
        .select_from(Notice)
        .join(version, version.notice_id == Notice.id)
        .where(
            *queries.newest_only(session, version),
            ~published.exists(),
            ~baselined.exists(),
            Notice.category.in_(sections),
        )
    )
    if period.since:
        query = query.where(Notice.publish_date >= period.since)
    if period.until:
        query = query.where(Notice.publish_date <= period.until)
    return query, version


def pending_groups(
    session: Session,
    sections: Sequence[str],
    period: Period = ANY_TIME,
    limit: int | None = None,
    *,
    records: bool = True,
) -> list[list[NoticeVersion]]:
    """Pending versions (the first ``limit`` of them, None: all) gathered by repost group, in
    first-pending order.

    A repost whose content an earlier issue already carried (same group, same content
    hash) is dropped: the reader has seen that notice.
    """
    pending = pending_versions(session, sections, period, limit, records=records)
    published = _published_hashes(session, {v.notice.group_id or v.notice_id for v in pending})
    groups: dict[int, list[NoticeVersion]] = {}
    for version in pending:
        group = version.notice.group_id or version.notice_id
        if (group, version.content_hash) not in published:
            groups.setdefault(group, []).append(version)
    return list(groups.values())


def _published_hashes(session: Session, groups: Collection[int]) -> set[tuple[int, str]]:
    """(group, content hash) of every version of ``groups`` an issue carried or a baseline marked
    as seen: only the pending groups', never every issued notice's (most of a store's, in time)."""
    seen = select(DigestItem.version_id).union(select(BaselineMark.version_id)).subquery()
    query = (
        select(Notice.group_id, NoticeVersion.content_hash)
        .join(NoticeVersion, NoticeVersion.notice_id == Notice.id)
        .join(seen, seen.c.version_id == NoticeVersion.id)
    )
    return {
        (group, digest)
        for batch in batches(sorted(groups), GROUPS_PER_QUERY)
        for group, digest in session.execute(query.where(Notice.group_id.in_(batch)))
    }


def group_urls(session: Session, group_id: int) -> list[str]:
    """Every URL the notice was published at: the original first, then its reposts."""
    return list(session.scalars(select(Notice.url).where(Notice.group_id == group_id).order_by(Notice.id)))


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


def recent_digests(session: Session, limit: int | None = None) -> list[tuple[Digest, int]]:
    """Issues, newest first, each with the number of notices it lists (a repost group is one)."""
    group = func.coalesce(Notice.group_id, Notice.id)
    query = (
        select(Digest, func.count(func.distinct(group)))
        .outerjoin(DigestItem, DigestItem.digest_id == Digest.id)
        .outerjoin(NoticeVersion, NoticeVersion.id == DigestItem.version_id)
        .outerjoin(Notice, Notice.id == NoticeVersion.notice_id)
        .group_by(Digest.id)
        .order_by(Digest.year.desc(), Digest.month.desc(), Digest.seq.desc())
        .limit(limit)
    )
    return [(digest, count) for digest, count in session.execute(query)]
