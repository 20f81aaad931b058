"""Read-only queries behind ``kuaixun explain`` and ``kuaixun items``: notices with their newest version.

Only what SQL does well and portably (SQLite and PostgreSQL) is done here: the section, the date
range and the order. Tags live in the version's ``record`` JSON, so matching them is left to the
caller (kuaixun.queries), which sees the decoded record.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.models import Notice, NoticeVersion


def notice_with_latest(session: Session, notice_id: int) -> tuple[Notice, NoticeVersion | None] | None:
    """The notice with id ``notice_id`` and its newest version (None if it has none), or None."""
    notice = session.get(Notice, notice_id)
    if notice is None:
        return None
    latest = session.scalar(
        select(NoticeVersion)
        .where(NoticeVersion.notice_id == notice_id)
        .order_by(NoticeVersion.number.desc())
        .limit(1)
    )
    return notice, latest


def latest_versions(
    session: Session,
    *,
    section: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> list[tuple[Notice, NoticeVersion]]:
    """Notices (newest publish date first) with their newest version, optionally narrowed.

    ``since``/``until`` are ISO dates, both inclusive, compared with the notice's 成文日期; a notice
    without a date is left out when either is given, since it cannot be placed in the range.
    """
    newest = select(func.max(NoticeVersion.id)).group_by(NoticeVersion.notice_id).scalar_subquery()
    query = select(Notice, NoticeVersion).join(NoticeVersion).where(NoticeVersion.id.in_(newest))
    if section:
        query = query.where(Notice.category == section)
    if since:
        query = query.where(Notice.publish_date >= since)
    if until:
        query = query.where(Notice.publish_date <= until)
    query = query.order_by(Notice.publish_date.desc().nulls_last(), Notice.id.desc())
    return [(notice, version) for notice, version in session.execute(query)]
