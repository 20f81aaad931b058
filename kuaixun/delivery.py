"""Delivery composed: an issue is created, archived and queued in one transaction, then sent.

Exactly once rests on three rules. The issue's number, its archived files and its outbox
rows are committed together (a crash before the commit leaves nothing but files that the
next run overwrites under the same number). Every send reads the archived files, never
the store, so a retry or a resend carries what was first sent. And each row is marked
sent in its own commit right after its send, so a later run never sends it again.
One process delivers at a time (a lock file in ``data_dir``).
"""

from __future__ import annotations

import email.utils
import fcntl
import re
import shutil
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote

from kuaixun.config import Config
from kuaixun.cycle import DigestFiles, create_issue, now_utc, write_issue
from kuaixun.localtime import local_date, shown_time
from kuaixun.redact import config_secrets, redact
from notify import archive
from notify.channels import Channel, open_channel
from notify.channels.email import bcc_recipient
from notify.issue import REVIEW_MARK, Issue, IssueItem
from notify.mail import email_body, issue_subject
from notify.outgoing import DeliveryError, FileAttachment, Link, Outgoing
from notify.render import http_urls
from store import digests, outbox
from store.db import Database
from store.digests import ANY_TIME, Period
from store.models import Delivery

Echo = Callable[[str], None]
Clock = Callable[[], datetime]
"""The time now, naive UTC: ``now_utc`` in the product, a fixed or stepped clock in tests."""
Loader = Callable[[Config, str], Outgoing]
DIGEST = "digest"
ALERT = "alert"
ADMIN = "admin"
ISSUE_REF = re.compile(r"^\D*(\d{4})\D+(\d{4})\D*$")


class DeliveryUsageError(Exception):
    """A resend that cannot be done as asked (unknown issue, unknown address), phrased for the operator."""


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    waiting: int = 0
    """Deliveries not tried in this run: an earlier attempt failed and their retry time is later."""
    issue: DigestFiles | None = None
    """The issue this run created, with its files in ``out_dir`` (None if no notice was waiting)."""

    @property
    def ok(self) -> bool:
        return not (self.retrying or self.failed or self.waiting)

    def count(self, delivery: Delivery) -> None:
        if delivery.status == outbox.SENT:
            self.sent += 1
        elif delivery.status == outbox.FAILED:
            self.failed += 1
        else:
            self.retrying += 1


def archive_dir(config: Config) -> Path:
    return config.data_dir / "archive"


def issue_ref(label: str) -> str:
    """``(2026) 1101 期`` or ``2026-1101`` (or ``kuaixun-2026-1101``) as the outbox and archive name it."""
    match = ISSUE_REF.match(label.strip())
    if not match:
        raise DeliveryUsageError(f"{label!r} is not an issue number like 2026-1101 or '(2026) 1101 期'")
    return f"{match[1]}-{match[2]}"


def send_digest(
    config: Config,
    db: Database,
    echo: Echo,
    today: date | None = None,
    clock: Clock = now_utc,
    period: Period = ANY_TIME,
) -> DeliveryReport:
    """Create the next issue if notices (of ``period``) are waiting, archive and queue it, then
    deliver all that is due."""
    now = clock()
    with _delivery_lock(config):
        files = _create_and_archive(config, db, today or _today(config, now), now, period)
        if files is None:
            echo("no digest: no notice is waiting for an issue")
        else:
            echo(f"digest {files.label}: {files.count} notice(s) → {files.html}")
        report = _deliver(config, db, echo, clock)
    report.issue = files
    return report


def preview_digest(
    config: Config, db: Database, echo: Echo, today: date | None = None, period: Period = ANY_TIME
) -> DigestFiles | None:
    """Render the next issue into ``out_dir`` without recording it: no number taken, nothing queued."""
    now = now_utc()
    with db.session() as session:
        issue = create_issue(session, config, today or _today(config, now), now, period)
        session.rollback()
    if issue is None:
        echo("nothing to preview: no notice is waiting for an issue")
        return None
    issue = replace(issue, for_editor=True)  # the 待核 marks: in the preview files, never in a sent issue
    files = write_issue(_files_config(config, config.out_dir), issue, now)
    echo(f"preview of {files.label}: {files.count} notice(s) → {files.html} (not recorded, not sent)")
    echo("目录")
    for line in contents_lines(issue):
        echo(f"  {line}")
    flagged = sum(bool(issue.review_mark(item)) for section in issue.sections for item in section.items)
    if flagged:
        echo(
            f"{REVIEW_MARK} {flagged} notice(s) placed in their section on little evidence: check them "
            "(kuaixun explain ID says why; classify.overrides moves one)"
        )
    return files


def waiting_notices(config: Config, db: Database) -> int:
    """How many notices the next issue would hold (a repost counted once, as the issue lists it)."""
    with db.session() as session:
        return len(digests.pending_groups(session, config.digest.sections))


def deliver_due(
    config: Config,
    db: Database,
    echo: Echo,
    clock: Clock = now_utc,
    kinds: Collection[str] | None = None,
) -> DeliveryReport:
    """Send every due outbox row (of ``kinds``; None: all) through its channel, one line each
    (retries of earlier failures too)."""
    with _delivery_lock(config):
        return _deliver(config, db, echo, clock, kinds=kinds)


def resend(config: Config, db: Database, echo: Echo, issue: str, to: str) -> DeliveryReport:
    """Send an archived issue again to one address or webhook name, recorded as a delivery of its own."""
    ref = issue_ref(issue)
    if not archive.exists(archive_dir(config) / ref):
        raise DeliveryUsageError(f"issue {ref} has no archive in {archive_dir(config)}")
    target = _target(config, to)
    now = now_utc()
    with _delivery_lock(config):
        with db.session() as session:
            rows = outbox.enqueue(session, DIGEST, outbox.resend_ref(session, DIGEST, ref), [target], now)
        return _deliver(config, db, echo, now_utc, only=[row.id for row in rows])


def list_digests(config: Config, db: Database, limit: int | None = None) -> list[str]:
    """Lines for ``digest list``: each issue, then each of its deliveries with its status."""
    with db.session() as session:
        issues = digests.recent_digests(session, limit)
        rows = outbox.of_message(session, DIGEST, [issue_ref(d.label) for d, _ in issues])
    by_ref: dict[str, list[Delivery]] = {}
    for row in rows:
        by_ref.setdefault(row.ref.partition("#")[0], []).append(row)
    lines = []
    secrets = config_secrets(config)
    for digest, count in issues:
        ref = issue_ref(digest.label)
        zone = config.schedule.timezone
        lines.append(f"{digest.label}  {local_date(digest.created_at, zone):%Y-%m-%d}  {count} notice(s)")
        lines.extend(f"    {_row_line(row, zone, secrets)}" for row in by_ref.get(ref, []))
    return lines or ["no issue yet"]


def digest_message(config: Config, issue: Issue, files: DigestFiles) -> Outgoing:
    """The issue for every channel (the whole issue's text for chats, the email body
    ``digest.email_body`` asks for, the Markdown and the PDF from its rendered files): what the
    archive keeps."""
    subject = issue_subject(issue)
    body = email_body(issue)
    return Outgoing(
        subject=subject,
        text=files.text.read_text(encoding="utf-8"),
        html=body.html,
        email_text=body.text,
        markdown=files.markdown.read_text(encoding="utf-8"),
        summary=_summary(subject, issue),
        links=tuple(  # each notice's first http(s) 相关链接: the only links chat messages may carry
            Link(item.title, url)
            for s in issue.sections
            for item in s.items
            for url in http_urls(item.source_urls)[:1]
        ),
        attachments=(FileAttachment(files.pdf.name, "application/pdf", files.pdf.read_bytes()),),
        headers=_list_headers(config),
    )


def digest_targets(config: Config) -> list[tuple[str, str]]:
    """(channel, recipient) for each digest subscriber; with ``digest_bcc`` one email for all."""
    subscribers = [s for s in config.subscribers if s.digest]
    emails = [s.email for s in subscribers if s.email]
    settings = config.channels.email
    targets: list[tuple[str, str]] = []
    if emails and settings:
        targets += (
            [("email", bcc_recipient(emails))] if settings.digest_bcc else [("email", e) for e in emails]
        )
    for subscriber in subscribers:
        targets += [(config.channels.webhooks[name].type, name) for name in subscriber.webhooks]
    return list(dict.fromkeys(targets))


def load_digest(config: Config, ref: str) -> Outgoing:
    """An issue's message from its archive (``ref`` may be a resend's, ``2026-1101#resend-1``)."""
    folder = archive_dir(config) / ref.partition("#")[0]
    try:
        return archive.load(folder)
    except FileNotFoundError:
        raise DeliveryError(f"the archive {folder} is missing", retryable=False) from None


def alert_folder(config: Config, ref: str) -> Path:
    """Where kuaixun.alerts archives the alert message ``ref`` before queueing it."""
    return archive_dir(config) / "alerts" / ref


def load_alert(config: Config, ref: str) -> Outgoing:
    """A keyword alert's message from its archive, as kuaixun.alerts rendered it."""
    try:
        return archive.load(alert_folder(config, ref))
    except FileNotFoundError:
        raise DeliveryError(f"the archive {alert_folder(config, ref)} is missing", retryable=False) from None


def admin_folder(config: Config, ref: str) -> Path:
    """Where kuaixun.admin archives an announcement to the admin before queueing it."""
    return archive_dir(config) / "admin" / ref


def load_admin(config: Config, ref: str) -> Outgoing:
    """An announcement to the admin (a source broken or recovered) from its archive."""
    try:
        return archive.load(admin_folder(config, ref))
    except FileNotFoundError:
        raise DeliveryError(f"the archive {admin_folder(config, ref)} is missing", retryable=False) from None


LOADERS: dict[str, Loader] = {DIGEST: load_digest, ALERT: load_alert, ADMIN: load_admin}
"""How each kind of outbox row finds its message."""


def _create_and_archive(
    config: Config, db: Database, today: date, now: datetime, period: Period
) -> DigestFiles | None:
    with db.session() as session:
        issue = create_issue(session, config, today, now, period)
        if issue is None:
            return None
        ref = issue_ref(issue.label)
        folder = archive_dir(config) / ref
        shutil.rmtree(folder, ignore_errors=True)  # left by a run that died before committing this number
        files = write_issue(_files_config(config, folder), issue, now)
        archive.save(folder, digest_message(config, issue, files))
        outbox.enqueue(session, DIGEST, ref, digest_targets(config), now)
    _copy_files(folder, config.out_dir)
    return files.moved_to(config.out_dir)


def _files_config(config: Config, folder: Path) -> Config:
    """The config write_issue gets: ``folder`` as its output, and the subscribers it can put in To:."""
    with_email = tuple(s for s in config.subscribers if s.email)
    return config.model_copy(update={"out_dir": folder, "subscribers": with_email})


def _copy_files(folder: Path, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for path in folder.iterdir():
        if path.name != archive.MANIFEST:
            shutil.copy2(path, out_dir / path.name)


def _deliver(
    config: Config,
    db: Database,
    echo: Echo,
    clock: Clock,
    only: Collection[int] | None = None,
    kinds: Collection[str] | None = None,
    loaders: Mapping[str, Loader] = LOADERS,
) -> DeliveryReport:
    """Send the due rows, one line each; then a line for each row of ``kinds`` still waiting for its
    retry time (not for a resend, which asks about ``only`` its rows): such a row is not ok yet."""
    now = clock()
    with db.session() as session:
        rows = [row for row in outbox.due(session, now, only) if kinds is None or row.kind in kinds]
        pending = [] if only is not None else outbox.due(session, datetime.max)
    waiting = [row for row in pending if row.next_attempt_at > now and (kinds is None or row.kind in kinds)]
    report = DeliveryReport()
    channels = _Channels(config)
    secrets = config_secrets(config)
    for row in rows:
        done = _deliver_one(config, db, row, channels, loaders, clock, secrets)
        report.count(done)
        echo(_row_line(done, config.schedule.timezone, secrets))
    for row in waiting:
        echo(_row_line(row, config.schedule.timezone, secrets))
    report.waiting = len(waiting)
    if rows or waiting:
        line = f"deliveries: {report.sent} sent, {report.retrying} to retry, {report.failed} failed"
        echo(line + (f", {report.waiting} waiting for their retry time" if waiting else ""))
    return report


def _deliver_one(
    config: Config,
    db: Database,
    row: Delivery,
    channels: _Channels,
    loaders: Mapping[str, Loader],
    clock: Clock,
    secrets: Collection[str],
) -> Delivery:
    """Send one row and commit its mark at once: a later crash cannot make it go out twice.

    The error is stored redacted: services echo the robot's URL, whose token is its credential.
    """
    try:
        if row.kind not in loaders:
            raise DeliveryError(f"no message loader for kind {row.kind!r}", retryable=False)
        message = loaders[row.kind](config, row.ref)
        channels.get(row.channel, row.recipient).send(row.recipient, message, delivery_key(row))
    except DeliveryError as exc:
        with db.session() as session:
            error = redact(str(exc), secrets)
            return outbox.mark_failed(session, row.id, error, clock(), retryable=exc.retryable)
    with db.session() as session:
        return outbox.mark_sent(session, row.id, clock())


def delivery_key(row: Delivery) -> str:
    """The same for every attempt of one delivery, different for a resend."""
    return f"{row.kind}/{row.ref}/{row.channel}/{row.recipient}"


class _Channels:
    """The run's channels, opened once so that each one's rate limiter sees all its sends."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.open: dict[tuple[str, str], Channel] = {}

    def get(self, name: str, recipient: str) -> Channel:
        key = (name, "" if name == "email" else recipient)
        if key not in self.open:
            self.open[key] = self._open(name, recipient)
        return self.open[key]

    def _open(self, name: str, recipient: str) -> Channel:
        channels = self.config.channels
        if name == "email":
            if channels.email is None:
                raise DeliveryError("channels.email is not configured any more", retryable=False)
            self.config.require_secrets("channels.email")  # secrets are needed from here on only
            return open_channel(name, channels.email)
        hook = channels.webhooks.get(recipient)
        if hook is None or hook.type != name:
            raise DeliveryError(
                f"channels.webhooks has no {name} webhook {recipient!r} any more", retryable=False
            )
        self.config.require_secrets(f"channels.webhooks.{recipient}")
        return open_channel(name, hook)


def _target(config: Config, to: str) -> tuple[str, str]:
    """A resend's (channel, recipient): an email address, or the name of a configured webhook."""
    hook = config.channels.webhooks.get(to)
    if hook:
        return hook.type, to
    if "@" not in to:
        known = ", ".join(config.channels.webhooks) or "none"
        raise DeliveryUsageError(f"{to!r} is neither an email address nor a webhook name (webhooks: {known})")
    if config.channels.email is None:
        raise DeliveryUsageError("channels.email is not configured: cannot send to an address")
    return "email", to


def _row_line(row: Delivery, zone: str, secrets: Collection[str]) -> str:
    """One delivery for the operator, times in ``zone``; its error redacted again (rows stored
    before redaction)."""
    head = f"{row.channel:<8} {_short(row.recipient):<30} {row.ref:<20}"
    error = redact(row.last_error or "", secrets)
    if row.status == outbox.SENT:
        return f"{head} sent {shown_time(row.sent_at, zone)}"
    if row.status == outbox.FAILED:
        return f"{head} FAILED after {row.attempts} attempt(s): {error}"
    if row.attempts:
        when = shown_time(row.next_attempt_at, zone)
        return f"{head} retry at {when} (attempt {row.attempts}): {error}"
    return f"{head} pending"


def _today(config: Config, now: datetime) -> date:
    """The issue's day: the calendar of ``schedule.timezone``, not of the machine."""
    return local_date(now, config.schedule.timezone)


def _short(recipient: str) -> str:
    if recipient.startswith("bcc:"):
        return f"bcc: {recipient.count(',') + 1} address(es)"
    return recipient


def contents_lines(issue: Issue) -> list[str]:
    """The issue's 目录: each section, then its titles numbered, a revision marked （更新）, and in
    the editor's preview a low-confidence section marked 「待核」 with its margin."""
    lines = []
    for section in issue.sections:
        lines.append(f"[{section.name}]")
        for n, item in enumerate(section.items, 1):
            lines.append(f"{n}. {item.title}{'（更新）' if item.revised else ''}{_review(issue, item)}")
    return lines


def _review(issue: Issue, item: IssueItem) -> str:
    mark = issue.review_mark(item)
    return f"{mark}(margin {item.margin:g})" if mark and item.margin is not None else mark


def _summary(subject: str, issue: Issue) -> str:
    return "\n".join([subject, f"本期 {issue.count} 条：", *contents_lines(issue)])


def _list_headers(config: Config) -> dict[str, str]:
    settings = config.channels.email
    if settings is None:
        return {}
    if settings.list_unsubscribe:
        return {"List-Unsubscribe": settings.list_unsubscribe}
    address = email.utils.parseaddr(settings.sender)[1]
    return {"List-Unsubscribe": f"<mailto:{address}?subject={quote('退订')}>"}


@contextmanager
def _delivery_lock(config: Config) -> Iterator[None]:
    """One delivering process at a time; the lock dies with its process, so a killed run frees it."""
    config.data_dir.mkdir(parents=True, exist_ok=True)
    with (config.data_dir / "delivery.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
