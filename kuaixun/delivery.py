"""Delivery composed: an issue is rendered and archived, recorded with its outbox rows in one short
transaction, then sent outside any transaction.

Exactly once rests on four rules. The issue is planned (numbered, filled) in a transaction that
is rolled back, rendered into its archive folder with no transaction open (the PDF takes tens of
seconds: a crawl meanwhile must not find the store locked), then its number, items and outbox
rows are committed together; a crash before that commit leaves only files that the next run
overwrites under the same number. Every send reads the archived files, never the store, so a
retry or a resend carries what was first sent. Each attempt is recorded as it goes (the outbox's
``sending``, hand-over and parts), so a delivery whose answer was lost is never sent again
blindly: it is retried where the receiver drops duplicates and otherwise left ``unconfirmed``
for the operator (``digest resend`` / ``digest confirm``). And each row is marked sent in its own
commit right after its send. One process delivers at a time (a lock file in ``data_dir``).
"""

from __future__ import annotations

import email.utils
import fcntl
import re
import shlex
import shutil
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from kuaixun.config import Config
from kuaixun.editorial import arrange
from kuaixun.localtime import local_date, now_utc, shown_time
from kuaixun.redact import config_secrets, redact
from notify import archive
from notify.channels import Channel, idempotent, open_channel
from notify.channels.targets import EMAIL, Problem, Target
from notify.issue import REVIEW_MARK, Issue, IssueItem
from notify.outgoing import DeliveryError, FileAttachment, Link, Outgoing
from store import digests, editorial, outbox
from store.db import Database
from store.digests import ANY_TIME, Period
from store.models import Delivery, Digest, DigestItem, NoticeVersion

if TYPE_CHECKING:  # rendering loads only when an issue is written: `digest list` and `status` list rows
    from notify.formats import DigestFiles

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
    unconfirmed: int = 0
    """Deliveries handed over whose answer never came, waiting for the operator's decision."""
    issue: DigestFiles | None = None
    """The issue this run created, with its files in ``out_dir`` (None if no notice was waiting)."""

    @property
    def ok(self) -> bool:
        return not (self.retrying or self.failed or self.waiting or self.unconfirmed)

    def count(self, delivery: Delivery) -> None:
        if delivery.status == outbox.SENT:
            self.sent += 1
        elif delivery.status == outbox.FAILED:
            self.failed += 1
        elif delivery.status == outbox.UNCONFIRMED:
            self.unconfirmed += 1
        else:
            self.retrying += 1


def create_issue(
    session: Session,
    config: Config,
    today: date,
    now: datetime,
    period: Period = ANY_TIME,
    limit: int | None = None,
) -> Issue | None:
    """``kuaixun.cycle.create_issue``, imported when an issue is made: the read-only commands that
    list deliveries start without the crawl's stack."""
    from kuaixun.cycle import create_issue as create

    return create(session, config, today, now, period, limit)


def write_issue(config: Config, issue: Issue, now: datetime) -> DigestFiles:
    """``kuaixun.cycle.write_issue``, imported when an issue is written (see ``create_issue``)."""
    from kuaixun.cycle import write_issue as write

    return write(config, issue, now)


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
            if approval_required(config):
                echo(waiting_line(files.label))
        report = _deliver(config, db, echo, clock)
    report.issue = files
    return report


PREVIEW_LIMIT = 100
"""Waiting notice versions a preview renders at most: an issue rarely holds more, and a store that
never issued one (100,000 waiting) would take hours to render whole."""
COUNTED_LIMIT = 1000
"""Waiting versions a preview counts at most (beyond, it says "more than"): the editor needs the
order of magnitude, and an exact count reads every waiting notice (~1 s at 100,000)."""
SEND_CARRIES = "digest send carries them all (kuaixun baseline marks old ones as seen)"


def preview_digest(
    config: Config, db: Database, echo: Echo, today: date | None = None, period: Period = ANY_TIME
) -> DigestFiles | None:
    """Render the next issue into ``out_dir`` without recording it: no number taken, nothing queued."""
    now = now_utc()
    with db.session() as session:
        waiting = digests.pending_count(session, config.digest.sections, period, COUNTED_LIMIT)
        issue = create_issue(session, config, today or _today(config, now), now, period, PREVIEW_LIMIT)
        session.rollback()
    if issue is None:
        echo("nothing to preview: no notice is waiting for an issue")
        return None
    issue = replace(issue, for_editor=True)  # the 待核 marks: in the preview files, never in a sent issue

    files = write_issue(_files_config(config, config.out_dir), issue, now)
    echo(f"preview of {files.label}: {files.count} notice(s) → {files.html} (not recorded, not sent)")
    if waiting > PREVIEW_LIMIT:
        of = f"more than {COUNTED_LIMIT}" if waiting > COUNTED_LIMIT else str(waiting)
        echo(f"only the first {PREVIEW_LIMIT} of {of} waiting notice versions are previewed: " + SEND_CARRIES)
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
    """How many notices the next issue would hold (a repost counted once, as the issue lists it;
    the editor's drops left out)."""
    with db.session() as session:
        groups = digests.pending_groups(session, config.digest.sections, records=False)
        return len(arrange(groups, editorial.decisions(session), config.digest.sections).placed)


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
    """Send an archived issue again to one address or webhook name.

    A delivery of that issue to ``to`` left unconfirmed is sent again as itself (the same
    Message-ID or key, from the part in doubt): the operator has decided it did not arrive.
    Otherwise the resend is recorded as a delivery of its own.
    """
    kind, ref = _message(issue)
    if kind == DIGEST and not archive.exists(archive_dir(config) / ref):
        raise DeliveryUsageError(f"issue {ref} has no archive in {archive_dir(config)}")
    target = _target(config, to)
    now = now_utc()
    with _delivery_lock(config):
        with db.session() as session:
            doubtful = _unconfirmed_row(session, kind, ref, target)
            if doubtful is not None:
                outbox.retry_unconfirmed(doubtful, now)
                echo(f"sending the unconfirmed delivery of {ref} to {to} again, as the same message")
                ids = [doubtful.id]
            elif kind == DIGEST:
                resend_ref = outbox.resend_ref(session, DIGEST, ref)
                rows = outbox.enqueue(session, DIGEST, resend_ref, [(target.channel, target.recipient)], now)
                ids = [row.id for row in rows]
            else:
                raise DeliveryUsageError(f"no delivery of alert {ref} to {to} is unconfirmed")
        return _deliver(config, db, echo, now_utc, only=ids)


def confirm(config: Config, db: Database, echo: Echo, issue: str, to: str) -> DeliveryReport:
    """The operator checked that the unconfirmed delivery of ``issue`` to ``to`` arrived: recorded
    as sent (for a chat message in parts, the parts after the one in doubt are sent now)."""
    kind, ref = _message(issue)
    target = _target(config, to)
    with _delivery_lock(config):
        with db.session() as session:
            doubtful = _unconfirmed_row(session, kind, ref, target)
            if doubtful is None:
                raise DeliveryUsageError(f"no delivery of {ref} to {to} is unconfirmed")
            outbox.confirm(doubtful, now_utc())
            ids = [doubtful.id]
        return _deliver(config, db, echo, now_utc, only=ids)


def _message(label: str) -> tuple[str, str]:
    """(kind, ref) of an issue number (``2026-1101``, ``(2026) 1101 期``) or ``alert:REF`` as listed."""
    alert = label.strip().removeprefix(ALERT + ":")
    return (ALERT, alert) if alert != label.strip() else (DIGEST, issue_ref(label))


def _unconfirmed_row(session: Session, kind: str, ref: str, target: Target) -> Delivery | None:
    """The unconfirmed delivery of message ``ref`` (or of one of its resends) to ``target``, if any."""
    rows = outbox.of_message(session, kind, [ref])
    doubtful = [
        r for r in rows if r.status == outbox.UNCONFIRMED and Target(r.channel, r.recipient) == target
    ]
    return doubtful[0] if doubtful else None


def list_digests(config: Config, db: Database, limit: int | None = None) -> list[str]:
    """Lines for ``digest list``: each issue, then each of its deliveries with its status."""
    with db.session() as session:
        issues = digests.recent_digests(session, limit)
        rows = outbox.of_message(session, DIGEST, [issue_ref(d.label) for d, _ in issues])
        waiting = {approval.ref for approval in editorial.waiting(session)}
    by_ref: dict[str, list[Delivery]] = {}
    for row in rows:
        by_ref.setdefault(row.ref.partition("#")[0], []).append(row)
    lines = []
    secrets = config_secrets(config)
    for digest, count in issues:
        ref = issue_ref(digest.label)
        zone = config.schedule.timezone
        held = "  waiting for approval" if ref in waiting else ""
        lines.append(
            f"{digest.label}  {local_date(digest.created_at, zone):%Y-%m-%d}  {count} notice(s){held}"
        )
        lines.extend(f"    {_row_line(row, zone, secrets)}" for row in by_ref.get(ref, []))
    return lines or ["no issue yet"]


def unconfirmed_lines(config: Config, db: Database) -> list[str]:
    """For ``status``: each delivery waiting for the operator's decision (none waiting: no line)."""
    with db.session() as session:
        rows = outbox.unconfirmed(session)
    if not rows:
        return []
    secrets, zone = config_secrets(config), config.schedule.timezone
    head = f"{len(rows)} delivery(ies) UNCONFIRMED: handed over, no answer came, so they may have arrived"
    return [head, *(f"  {_row_line(row, zone, secrets)}" for row in rows)]


@dataclass(frozen=True)
class Unconfirmed:
    """A delivery handed over with no answer (it may have arrived), for ``status --json``."""

    kind: str
    ref: str
    channel: str
    recipient: str
    attempts: int
    handed_over_at: datetime | None
    error: str
    """The last error, secrets masked."""
    confirm: str
    """The command that records it as arrived."""
    resend: str
    """The command that sends it again."""

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        stamp = self.handed_over_at
        return data | {"handed_over_at": stamp.isoformat(timespec="seconds") + "Z" if stamp else None}


def unconfirmed_deliveries(config: Config, db: Database) -> list[Unconfirmed]:
    """Each delivery waiting for the operator's decision, oldest first."""
    with db.session() as session:
        rows = outbox.unconfirmed(session)
    secrets = config_secrets(config)
    return [
        Unconfirmed(
            row.kind,
            row.ref,
            row.channel,
            row.recipient,
            row.attempts,
            row.handed_over_at,
            redact(row.last_error or "", secrets),
            *_decisions(row),
        )
        for row in rows
    ]


def digest_message(config: Config, issue: Issue, files: DigestFiles) -> Outgoing:
    """The issue for every channel (the whole issue's text for chats, the email body
    ``digest.email_body`` asks for, the Markdown and the PDF from its rendered files): what the
    archive keeps."""
    from notify.mail import email_body, issue_subject
    from notify.render import http_urls

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
    """(channel, recipient) for each digest subscriber; with ``digest_bcc`` one email for all.

    config.yaml was checked when loaded: every subscriber's channel resolves."""
    resolver = config.resolver()
    subscribers = [s for s in config.subscribers if s.digest]
    emails = [s.email for s in subscribers if s.email]
    bcc = config.channels.email is not None and config.channels.email.digest_bcc
    targets = resolver.emails(emails, bcc=bcc)
    for subscriber in subscribers:
        targets += [t for name in subscriber.webhooks if isinstance(t := resolver.resolve(name), Target)]
    return list(dict.fromkeys((t.channel, t.recipient) for t in targets))


def load_digest(config: Config, ref: str) -> Outgoing:
    """An issue's message from its archive (``ref`` may be a resend's, ``2026-1101#resend-1``)."""
    return _archived(archive_dir(config) / ref.partition("#")[0])


def _archived(folder: Path) -> Outgoing:
    """A message from its archive folder; a missing one is a permanent failure of its delivery."""
    try:
        return archive.load(folder)
    except FileNotFoundError:
        raise DeliveryError(f"the archive {folder} is missing", retryable=False) from None


def alert_folder(config: Config, ref: str) -> Path:
    """Where kuaixun.alerts archives the alert message ``ref`` before queueing it."""
    return archive_dir(config) / "alerts" / ref


def load_alert(config: Config, ref: str) -> Outgoing:
    """A keyword alert's message from its archive, as kuaixun.alerts rendered it."""
    return _archived(alert_folder(config, ref))


def admin_folder(config: Config, ref: str) -> Path:
    """Where kuaixun.admin archives an announcement to the admin before queueing it."""
    return archive_dir(config) / "admin" / ref


def load_admin(config: Config, ref: str) -> Outgoing:
    """An announcement to the admin (a source broken or recovered) from its archive."""
    return _archived(admin_folder(config, ref))


LOADERS: dict[str, Loader] = {DIGEST: load_digest, ALERT: load_alert, ADMIN: load_admin}
"""How each kind of outbox row finds its message."""


@dataclass(frozen=True)
class _Plan:
    """The next issue as planned in a transaction that was rolled back: what to render and record."""

    issue: Issue
    version_ids: tuple[int, ...]
    """The notice versions it holds, in order: the ones the short transaction records."""


def _create_and_archive(
    config: Config, db: Database, today: date, now: datetime, period: Period
) -> DigestFiles | None:
    """Plan, render with no transaction open, then record the issue and its outbox rows in one
    short transaction. The run lock keeps other writers of issues out, so the plan still holds;
    if it does not, nothing is recorded and the operator hears why."""
    plan = _plan(db, config, today, now, period)
    if plan is None:
        return None
    ref = issue_ref(plan.issue.label)
    folder = archive_dir(config) / ref
    shutil.rmtree(folder, ignore_errors=True)  # left by a run that died before committing this number
    files = archive_issue(config, plan.issue, folder, now)
    with db.session() as session:
        _record(session, plan, today, now)
        if approval_required(config):
            editorial.hold(session, ref, now)  # kuaixun.approval enqueues it once approved
        else:
            outbox.enqueue(session, DIGEST, ref, digest_targets(config), now)
    copy_files(folder, config.out_dir)
    return files.moved_to(config.out_dir)


def approval_required(config: Config) -> bool:
    return config.digest.approval == "required"


def waiting_line(label: str) -> str:
    """What ``digest send`` says of an issue made under ``digest.approval: required``."""
    return (
        f"{label} waits for the editor's approval (digest.approval: required): nothing is sent "
        f"until `kuaixun digest approve {issue_ref(label)}` or Approve on the desk's /next"
    )


def archive_issue(config: Config, issue: Issue, folder: Path, now: datetime) -> DigestFiles:
    """The issue's files and its message (what every delivery sends) written into ``folder``."""

    files = write_issue(_files_config(config, folder), issue, now)
    archive.save(folder, digest_message(config, issue, files))
    return files


def _plan(db: Database, config: Config, today: date, now: datetime, period: Period) -> _Plan | None:
    """The issue ``create_issue`` would make now, and its versions; nothing is kept."""
    with db.session() as session:
        issue = create_issue(session, config, today, now, period)
        planned = session.scalars(select(Digest).order_by(Digest.id.desc()).limit(1)).first()
        version_ids = tuple(item.version_id for item in planned.items) if issue and planned else ()
        session.rollback()
    return _Plan(issue, version_ids) if issue is not None else None


def _record(session: Session, plan: _Plan, today: date, now: datetime) -> None:
    """The planned issue under its planned number, holding exactly the versions rendered."""
    versions = [session.get_one(NoticeVersion, id_) for id_ in plan.version_ids]
    taken = session.scalar(select(DigestItem.id).where(DigestItem.version_id.in_(plan.version_ids)).limit(1))
    digest = digests.create_digest(session, versions, today, now)
    if digest.label != plan.issue.label or taken is not None:
        raise DeliveryUsageError(
            f"the store changed while {plan.issue.label} was rendered (another issue was recorded): "
            "nothing recorded, run digest send again"
        )


def _files_config(config: Config, folder: Path) -> Config:
    """The config write_issue gets: ``folder`` as its output, and the subscribers it can put in To:."""
    with_email = tuple(s for s in config.subscribers if s.email)
    return config.model_copy(update={"out_dir": folder, "subscribers": with_email})


def copy_files(folder: Path, out_dir: Path) -> None:
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
        outbox.recover(session, now, idempotent)  # attempts of a run that died: under our lock, none is live
    with db.session() as session:
        rows = [row for row in outbox.due(session, now, only) if kinds is None or row.kind in kinds]
        pending = [] if only is not None else outbox.due(session, datetime.max)
        doubtful = [] if only is not None else outbox.unconfirmed(session, kinds)
    waiting = [row for row in pending if row.next_attempt_at > now and (kinds is None or row.kind in kinds)]
    report = DeliveryReport()
    channels = _Channels(config)
    secrets = config_secrets(config)
    zone = config.schedule.timezone
    for row in rows:
        done = _deliver_one(config, db, row, channels, loaders, clock, secrets)
        report.count(done)
        echo(_row_line(done, zone, secrets))
    for row in [*waiting, *doubtful]:
        echo(_row_line(row, zone, secrets))
    report.waiting = len(waiting)
    report.unconfirmed += len(doubtful)
    if rows or waiting or doubtful:
        echo(_summary_line(report))
    return report


def _summary_line(report: DeliveryReport) -> str:
    line = f"deliveries: {report.sent} sent, {report.retrying} to retry, {report.failed} failed"
    if report.waiting:
        line += f", {report.waiting} waiting for their retry time"
    if report.unconfirmed:
        line += f", {report.unconfirmed} unconfirmed (may have arrived: resend or confirm each)"
    return line


def _deliver_one(
    config: Config,
    db: Database,
    row: Delivery,
    channels: _Channels,
    loaders: Mapping[str, Loader],
    clock: Clock,
    secrets: Collection[str],
) -> Delivery:
    """Send one row, recording the attempt before it and each step as it happens, and commit its
    mark at once: a later crash cannot make it go out twice.

    A send left in doubt (handed over, no answer) is retried only where the channel is
    idempotent; otherwise it is ``unconfirmed``. The error is stored redacted: services echo the
    robot's URL, whose token is its credential.
    """
    try:
        if row.kind not in loaders:
            raise DeliveryError(f"no message loader for kind {row.kind!r}", retryable=False)
        message = loaders[row.kind](config, row.ref)
        channel = channels.get(Target(row.channel, row.recipient))
        with db.session() as session:
            outbox.start(session, row.id, clock())
        channel.send(row.recipient, message, delivery_key(row), _RecordedAttempt(db, row, clock))
    except DeliveryError as exc:
        error = redact(str(exc), secrets)
        with db.session() as session:
            if exc.in_doubt and not idempotent(row.channel):
                return outbox.mark_unconfirmed(session, row.id, error)
            return outbox.mark_failed(session, row.id, error, clock(), retryable=exc.retryable)
    with db.session() as session:
        return outbox.mark_sent(session, row.id, clock())


class _RecordedAttempt:
    """The outbox's side of one attempt (``notify.channels.base.Attempt``): each step its own commit."""

    def __init__(self, db: Database, row: Delivery, clock: Clock) -> None:
        self.db, self.row_id, self.clock = db, row.id, clock
        self.parts_sent = row.parts_sent

    def handing_over(self, part: int) -> None:
        with self.db.session() as session:
            outbox.handing_over(session, self.row_id, self.clock())

    def delivered(self, part: int) -> None:
        with self.db.session() as session:
            outbox.part_delivered(session, self.row_id, part)


def delivery_key(row: Delivery) -> str:
    """The same for every attempt of one delivery, different for a resend."""
    return f"{row.kind}/{row.ref}/{row.channel}/{row.recipient}"


class _Channels:
    """The run's channels, opened once so that each one's rate limiter sees all its sends."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.resolver = config.resolver()
        self.open: dict[Target, Channel] = {}

    def get(self, target: Target) -> Channel:
        key = Target(EMAIL, "") if target.channel == EMAIL else target
        if key not in self.open:
            self.open[key] = self._open(target)
        return self.open[key]

    def _open(self, target: Target) -> Channel:
        settings = self.resolver.settings(target)
        if isinstance(settings, Problem):
            raise DeliveryError(str(settings), retryable=False)
        key = "channels.email" if target.channel == EMAIL else f"channels.webhooks.{target.recipient}"
        self.config.require_secrets(key)  # secrets are needed from here on only
        return open_channel(target.channel, settings)


def _target(config: Config, to: str) -> Target:
    """A resend's target: an email address, or the name of a configured webhook."""
    target = config.resolver().resolve(to)
    if isinstance(target, Problem):
        raise DeliveryUsageError(str(target))
    return target


def _row_line(row: Delivery, zone: str, secrets: Collection[str]) -> str:
    """One delivery for the operator, times in ``zone``; its error redacted again (rows stored
    before redaction)."""
    head = f"{row.channel:<8} {_short(row.recipient):<30} {row.ref:<20}"
    error = redact(row.last_error or "", secrets)
    if row.status == outbox.SENT:
        return f"{head} sent {shown_time(row.sent_at, zone)}"
    if row.status == outbox.FAILED:
        return f"{head} FAILED after {row.attempts} attempt(s): {error}"
    if row.status == outbox.SENDING and row.attempt_started_at:
        return f"{head} sending since {shown_time(row.attempt_started_at, zone)}"
    if row.status == outbox.UNCONFIRMED:
        return f"{head} UNCONFIRMED (attempt {row.attempts}): {error}; {_decide(row)}"
    if row.attempts:
        when = shown_time(row.next_attempt_at, zone)
        return f"{head} retry at {when} (attempt {row.attempts}): {error}"
    return f"{head} pending"


def _decide(row: Delivery) -> str:
    confirm, resend = _decisions(row)
    return f"if it arrived: {confirm}; if not: {resend}"


def _decisions(row: Delivery) -> tuple[str, str]:
    """The two commands that settle an unconfirmed row (an issue's, or an alert's by its ref):
    confirm it arrived, or send it again."""
    to = shlex.quote(row.recipient)
    issue = row.ref.partition("#")[0] if row.kind == DIGEST else f"{ALERT}:{row.ref}"
    return f"kuaixun digest confirm {issue} --to {to}", f"kuaixun digest resend {issue} --to {to}"


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
