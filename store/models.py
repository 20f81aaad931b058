"""The store's tables: notices and their versions, sources and runs, digests and deliveries.

Declared once with SQLAlchemy so the same code runs on SQLite (default) and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from pipeline.records import ExtractedNotice


class Base(DeclarativeBase):
    pass


class NoticeRecord(TypeDecorator[ExtractedNotice]):
    """A JSON column holding an :class:`ExtractedNotice`: the record crosses the store boundary
    typed both ways (``to_json`` on write, ``from_json`` on read, so rows of older schemas load)."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: ExtractedNotice | None, dialect: Dialect) -> dict[str, Any] | None:
        return None if value is None else value.to_json()

    def process_result_value(self, value: Any, dialect: Dialect) -> ExtractedNotice | None:
        return None if value is None else ExtractedNotice.from_json(value)


class Source(Base):
    """A watched site column and its health over time."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    agency: Mapped[str] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(64))
    listing_url: Mapped[str] = mapped_column(Text)
    last_run_at: Mapped[datetime | None]
    last_ok_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)


class Notice(Base):
    """One notice, however many times it is seen; identity is its normalized URL.

    Reposts (another site publishing the same 文号, or the same title and date) share the
    ``group_id`` of the first one seen, so a digest lists them once with every link.
    """

    __tablename__ = "notices"
    __table_args__ = (
        # `items --section`: a section's notices already in publish-date order, read until a page is full.
        Index("ix_notices_category_publish_date", "category", "publish_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    group_id: Mapped[int | None] = mapped_column(Integer, index=True)
    source_name: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(Text)
    doc_number: Mapped[str | None] = mapped_column(String(200), index=True)
    publish_date: Mapped[str | None] = mapped_column(String(10), index=True)
    category: Mapped[str] = mapped_column(String(16), index=True)
    region: Mapped[str | None] = mapped_column(String(64))
    agency: Mapped[str | None] = mapped_column(String(200))
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    versions: Mapped[list[NoticeVersion]] = relationship(
        back_populates="notice", order_by="NoticeVersion.number", cascade="all, delete-orphan"
    )


class NoticeVersion(Base):
    """The full extracted record of a notice as it stood at one time."""

    __tablename__ = "notice_versions"
    __table_args__ = (UniqueConstraint("notice_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), index=True)
    number: Mapped[int]
    fetched_at: Mapped[datetime]
    content_hash: Mapped[str] = mapped_column(String(64))
    record: Mapped[ExtractedNotice] = mapped_column(NoticeRecord)
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    """Why it was put in its section: the classification's reasons."""
    diff: Mapped[str | None] = mapped_column(Text)
    notice: Mapped[Notice] = relationship(back_populates="versions")


class Run(Base):
    """One crawl cycle."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="running")
    """running, ok, partial (a source failed), failed (the crawl process failed), interrupted (stopped)."""
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    """Why a failed or interrupted run did not complete."""
    sources: Mapped[list[RunSource]] = relationship(cascade="all, delete-orphan")


class RunSource(Base):
    """What one run saw of one source."""

    __tablename__ = "run_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), index=True)
    source_name: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    listing_pages: Mapped[int] = mapped_column(default=0)
    links: Mapped[int] = mapped_column(default=0)
    fetched: Mapped[int] = mapped_column(default=0)
    new: Mapped[int] = mapped_column(default=0)
    revised: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)


class Digest(Base):
    """One 快讯 issue: its number is fixed once created, with the notice versions it holds."""

    __tablename__ = "digests"
    __table_args__ = (UniqueConstraint("year", "month", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    month: Mapped[int]
    seq: Mapped[int]
    created_at: Mapped[datetime]
    items: Mapped[list[DigestItem]] = relationship(
        order_by="DigestItem.position", cascade="all, delete-orphan"
    )

    @property
    def label(self) -> str:
        """The issue number as printed: ``(2019) 1102 期``."""
        return f"({self.year}) {self.month:02d}{self.seq:02d} 期"


class DigestItem(Base):
    __tablename__ = "digest_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest_id: Mapped[int] = mapped_column(ForeignKey("digests.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("notice_versions.id"), index=True)
    """Indexed: the digest's selection asks of each waiting version whether an issue carried it."""
    position: Mapped[int]
    version: Mapped[NoticeVersion] = relationship()


class Delivery(Base):
    """Outbox row: one message (a digest issue, an alert) to one recipient over one channel.

    Recorded before the send and marked after it, so a crash, an SMTP outage or a webhook
    error leaves a row to retry, and a row marked sent is never sent again. ``ref`` names
    the message within its ``kind`` (an issue ``2026-1101``, an alert key); the rendered
    message itself is kept on disk (``notify.archive``).
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("kind", "ref", "channel", "recipient"),
        Index("ix_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    """digest | alert"""
    ref: Mapped[str] = mapped_column(String(200), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    """The channel's registry name: email, wecom, dingtalk, feishu, slack, webhook."""
    recipient: Mapped[str] = mapped_column(Text)
    """An email address (``bcc:a,b`` for one message to many), or the webhook's name."""
    status: Mapped[str] = mapped_column(String(16), default="pending")
    """pending | sending (an attempt under way) | sent | unconfirmed (handed over, no answer: the
    operator decides) | failed (gave up: a permanent error, or too many attempts)"""
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    attempt_started_at: Mapped[datetime | None]
    """When the current (or last) attempt began: recorded before anything is sent."""
    parts_sent: Mapped[int] = mapped_column(default=0, server_default="0")
    """Parts the recipient confirmed (a chat message split in parts resumes after them)."""
    handed_over_at: Mapped[datetime | None]
    """When the next part was handed over (DATA's final dot, a webhook request) with no answer yet."""


class Subscription(Base):
    """A keyword alert: a query over new notices, where the matches go, and how often."""

    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    query: Mapped[str] = mapped_column(Text)
    filters: Mapped[dict] = mapped_column(JSON, default=dict)
    """sections / regions / sources / agencies, only those given (notify.subscriptions.Filters)."""
    channel: Mapped[str] = mapped_column(Text)
    """An email address, or ``webhook:NAME``."""
    mode: Mapped[str] = mapped_column(String(8))
    """instant | daily | weekly"""
    origin: Mapped[str] = mapped_column(String(8))
    """config (synced from config.yaml by name) | cli (``kuaixun subscribe add``)"""
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    token: Mapped[str] = mapped_column(String(32))
    """Random secret inside the signed unsubscribe token: a re-created subscription gets a new one,
    so an old token cannot remove it."""
    unsubscribed_at: Mapped[datetime | None]
    """Set by ``subscribe remove``: a config subscription stays off even though config.yaml lists it."""
    checked_through: Mapped[int] = mapped_column(default=0)
    """The newest notice version id already matched: only later versions are new to it."""


class AlertMatch(Base):
    """A notice version that matched a subscription, recorded before any message carries it.

    The unique pair is what makes each (subscription, version) alert at most once.
    """

    __tablename__ = "alert_matches"
    __table_args__ = (UniqueConstraint("subscription_id", "version_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("notice_versions.id"))
    terms: Mapped[list] = mapped_column(JSON, default=list)
    """The query terms found, ``[field, normal form, as written]``, for highlighting."""
    matched_at: Mapped[datetime]
    message: Mapped[str | None] = mapped_column(String(200), index=True)
    """The outbox ref of the message that carries it; None while it waits for a summary."""
    subscription: Mapped[Subscription] = relationship()
    version: Mapped[NoticeVersion] = relationship()


class EditorialAction(Base):
    """One correction the editor made on the desk: who, when, what (the log; never rewritten)."""

    __tablename__ = "editorial_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(Integer, index=True)
    """The repost group the action is about (``Notice.group_id``: the first notice of the group)."""
    action: Mapped[str] = mapped_column(String(16))
    """move | drop | restore | up | down"""
    section: Mapped[str | None] = mapped_column(String(16))
    """The section a ``move`` put it in."""
    editor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]


class EditorialDecision(Base):
    """Where the editor's actions leave a repost group: its section, dropped or not, its place."""

    __tablename__ = "editorial_decisions"

    group_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    section: Mapped[str | None] = mapped_column(String(16))
    """The editor's section; None: the classifier's stands."""
    dropped: Mapped[bool] = mapped_column(default=False)
    """Left out of every issue (kept in the store) until restored."""
    position: Mapped[int | None]
    """Its place in its section, once the editor reordered it (None: after those, in arrival order)."""
    editor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]


class IssueApproval(Base):
    """An issue made under ``digest.approval: required``: it waits until the editor approves it.

    The approval is one conditional update (waiting → approved), so two clicks, two tabs or the
    desk and the command line at once approve, and enqueue, once.
    """

    __tablename__ = "issue_approvals"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(32), unique=True)
    """The issue as the outbox and archive name it: ``2026-1101``."""
    status: Mapped[str] = mapped_column(String(16))
    """waiting | approved"""
    created_at: Mapped[datetime]
    approved_by: Mapped[str | None] = mapped_column(String(64))
    approved_at: Mapped[datetime | None]


class BaselineMark(Base):
    """A notice version ``kuaixun baseline`` marked as already seen: no issue will carry it."""

    __tablename__ = "baseline_marks"

    version_id: Mapped[int] = mapped_column(ForeignKey("notice_versions.id"), primary_key=True)
    marked_at: Mapped[datetime]
    marked_by: Mapped[str] = mapped_column(String(64))


class PageValidator(Base):
    """What a server said identifies its copy of a listing page or a notice (``ETag``,
    ``Last-Modified``): the next crawl sends them back and a 304 costs nothing (crawlers.conditional)."""

    __tablename__ = "page_validators"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    etag: Mapped[str | None] = mapped_column(String(200))
    last_modified: Mapped[str | None] = mapped_column(String(200))
    stored_at: Mapped[datetime]


class RunCost(Base):
    """What one run's requests to one source cost: requests by kind, 304s, bytes, seconds."""

    __tablename__ = "run_costs"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), index=True)
    source_name: Mapped[str] = mapped_column(String(64), index=True)
    listing: Mapped[int] = mapped_column(default=0)
    detail: Mapped[int] = mapped_column(default=0)
    revisit: Mapped[int] = mapped_column(default=0)
    robots: Mapped[int] = mapped_column(default=0)
    attachment: Mapped[int] = mapped_column(default=0)
    not_modified: Mapped[int] = mapped_column(default=0)
    bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)


class AdminAnnouncement(Base):
    """A source's breakage (``failing``) or its recovery (``recovered``) announced on the admin
    channel: each is announced once, the next of a source always the other kind."""

    __tablename__ = "admin_announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_name: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    failures: Mapped[int] = mapped_column(default=0)
    """Runs in a row the source had failed when announced."""
    error: Mapped[str | None] = mapped_column(Text)
    ref: Mapped[str] = mapped_column(String(200))
    """The outbox ref of the message that carries it."""
    announced_at: Mapped[datetime]


SCHEDULER_TABLE = "apscheduler_jobs"
"""The table of ``kuaixun schedule``'s jobs in the store (APScheduler's SQLAlchemy job store creates and
owns it); the migrations leave it alone."""


class NoticeSearch(Base):
    """A notice's newest version in the normal form queries compare (``pipeline.query.normalize``).

    Kept by ``store.search`` as notices are stored; the full-text index over it is the database's
    own (SQLite FTS5 trigram, PostgreSQL pg_trgm), created by ``store.search.ensure_index``.
    """

    __tablename__ = "notice_search"

    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    agencies: Mapped[str] = mapped_column(Text)
    doc: Mapped[str] = mapped_column(Text)
    regions: Mapped[str] = mapped_column(Text)
    """Every region, each between newlines (``\\n北京\\n全国\\n``), so one is found whole."""
    deadlines: Mapped[str] = mapped_column(Text, default="")
    """The 截止日期 the notice states (ISO, space-separated): empty when it states none."""
    text: Mapped[str] = mapped_column(Text)
    """Title and body, joined by a newline (as ``Document.text``); last, so that reading the short
    columns never walks the long one's overflow pages (SQLite)."""


class Reminder(Base):
    """A deadline reminder sent (queued) to one subscription: once per notice, deadline and lead time."""

    __tablename__ = "reminders"
    __table_args__ = (UniqueConstraint("subscription_id", "notice_id", "deadline", "days"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id"), index=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"))
    deadline: Mapped[str] = mapped_column(String(10))
    """The 截止日期 reminded of, ISO."""
    days: Mapped[int]
    """The ``alerts.remind_days`` entry it answers."""
    message: Mapped[str] = mapped_column(String(200))
    """The outbox ref of the message that carries it."""
    queued_at: Mapped[datetime]


class NoticeRegion(Base):
    """One region of a notice's newest version in the query's normal form (湖南, 全国), kept with
    ``notice_search`` by ``store.search``: ``items --region`` finds a region's notices by index
    instead of reading every notice's tags."""

    __tablename__ = "notice_regions"

    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), primary_key=True)
    region: Mapped[str] = mapped_column(Text, primary_key=True, index=True)
