"""Read-only queries behind ``kuaixun explain`` and ``kuaixun items``: notices with their newest version.

Only what SQL does well and portably (SQLite and PostgreSQL) is done here: the section, the date
range and the order, and prefilters for what the caller (kuaixun.queries) matches exactly on the
decoded record: words and agencies by LIKE on the record's JSON text, a region by the notice's
normalised regions in ``notice_regions``. Each prefilter keeps every notice the exact match keeps
(tests/test_store_scale.py holds them to it), so that the caller decodes only likely rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import ColumnElement, Row, Select, Text, cast, func, or_, select
from sqlalchemy.orm import Session, aliased

from store import search
from store.models import Notice, NoticeVersion

STREAM_ROWS = 50
"""Rows fetched (and decoded) at a time: a default page of ``items`` is one fetch; memory stays flat."""
PROBE_WINDOW = 1000
"""Newest notices tested one by one for a Chinese word before the index lists every match: a
word in one notice in twenty fills a page of 50 from them, and a rarer one has few matches for
the index to list (the list of a common word costs more than all the probes)."""


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
    words: Sequence[str] = (),
    region: str | None = None,
    agency: str | None = None,
) -> Iterator[tuple[Notice, NoticeVersion]]:
    """Notices (newest publish date first) with their newest version, optionally narrowed; streamed.

    ``since``/``until`` are ISO dates, both inclusive, compared with the notice's 成文日期; a notice
    without a date is left out when either is given, since it cannot be placed in the range.
    ``words`` keeps the notices whose columns or stored record (its JSON text) hold each word
    case-insensitively, by LIKE: a superset of the caller's exact match, so that it decodes only
    likely rows (a word LIKE could miss is left to the caller alone: see ``_likeable``); a word of
    Chinese characters is tested on the search rows instead: first on the newest ``PROBE_WINDOW``
    notices one by one (``search.row_holds_word``), then, past them, through the index's list of
    every match (``search.holds_word``), which costs as many matches as it finds. ``agency``
    is prefiltered by LIKE like a word (the record holds the notice's agencies), never through the
    index: a ministry signs most notices, and the index's list of them all costs more (2 s CPU at
    100,000) than reading rows until a page is full. ``region`` (湖南, as
    ``pipeline.tags.normalize_region`` leaves it) keeps the notices whose primary region is it or
    whose region tags hold it, again a superset: the caller's exact test decides.
    Rows come in pages of ``STREAM_ROWS``: a caller that stops early reads no further.
    """
    version = newest_version(session)
    listed: list[ColumnElement[bool]] = []  # of the notice row alone
    if section:
        listed.append(Notice.category == section)
    if since:
        listed.append(Notice.publish_date >= since)
    if until:
        listed.append(Notice.publish_date <= until)
    if region:  # the notice's region is its newest record's, so the record's regions hold it too
        listed.append(search.has_region(region))
    newest_first = (Notice.publish_date.desc().nulls_last(), Notice.id.desc())
    query = select(Notice, version).join(version, version.notice_id == Notice.id)
    query = query.where(*newest_only(session, version), *listed)
    indexed = [word for word in words if search.indexed_word(word)]
    for word in filter(_likeable, [*(w for w in words if w not in indexed), *filter(None, [agency])]):
        pattern = f"%{_escape_like(word)}%"
        query = query.where(
            or_(
                Notice.title.ilike(pattern, escape="\\"),
                Notice.doc_number.ilike(pattern, escape="\\"),
                cast(version.record, Text).ilike(pattern, escape="\\"),
            )
        )
    query = query.order_by(*newest_first)
    if not indexed:
        yield from _streamed(session, query)
        return
    # The window: the newest notices the row's own filters keep (their versions are not needed)
    window = session.scalars(
        select(Notice.id).where(*listed).order_by(*newest_first).limit(PROBE_WINDOW)
    ).all()
    probed = query.where(Notice.id.in_(window), *(search.row_holds_word(session, word) for word in indexed))
    shown: set[int] = set()
    for row in _streamed(session, probed):
        shown.add(row[0].id)
        yield row
    if len(window) == PROBE_WINDOW:  # matches beyond the window: listed by the index
        rest = query.where(*(search.holds_word(session, word) for word in indexed))
        for row in _streamed(session, rest):
            if row[0].id not in shown:
                yield row


def _streamed(
    session: Session, query: Select[tuple[Notice, NoticeVersion]]
) -> Iterator[Row[tuple[Notice, NoticeVersion]]]:
    """The rows of ``query`` in pages of ``STREAM_ROWS``."""
    result = session.execute(query.execution_options(yield_per=STREAM_ROWS))
    try:
        yield from result
    finally:
        result.close()


def newest_version(session: Session) -> type[NoticeVersion]:
    """The version to join to ``Notice`` for its newest one only (with ``newest_only``): on
    PostgreSQL a LATERAL subquery (one index probe per notice: its planner misjudges the
    correlated form below and joins every version before sorting), elsewhere the table itself."""
    if session.get_bind().dialect.name != "postgresql":
        return NoticeVersion
    newest = (
        select(NoticeVersion)
        .where(NoticeVersion.notice_id == Notice.id)
        .order_by(NoticeVersion.id.desc())
        .limit(1)
        .lateral("newest_version")
    )
    return aliased(NoticeVersion, newest)


def newest_only(session: Session, version: type[NoticeVersion]) -> list[ColumnElement[bool]]:
    """The conditions that leave ``version`` (from ``newest_version``) the notice's newest: none for
    the LATERAL; on SQLite a correlated max, one index probe per notice, never an IN list of them all."""
    if version is not NoticeVersion:
        return []
    newest = (
        select(func.max(NoticeVersion.id))
        .where(NoticeVersion.notice_id == Notice.id)
        .correlate(Notice)
        .scalar_subquery()
    )
    return [NoticeVersion.id == newest]


def _likeable(word: str) -> bool:
    """Whether LIKE finds ``word`` wherever a casefolded match would: no character JSON escapes,
    no letter beyond ASCII whose case SQLite's lower() would not fold (Chinese has no case)."""
    return not any(c in '"\\' or ord(c) < 0x20 or (ord(c) > 0x7F and c.lower() != c.upper()) for c in word)


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
