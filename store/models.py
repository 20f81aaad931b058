"""The store's tables: notices and their versions, sources and runs, digests and deliveries.

Declared once with SQLAlchemy so the same code runs on SQLite (default) and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Dialect,
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
    version_id: Mapped[int] = mapped_column(ForeignKey("notice_versions.id"))
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
    """pending | sent | failed (gave up: a permanent error, or too many attempts)"""
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


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
