"""Keyword alerts composed: subscriptions synced, new notice versions matched, messages queued and sent.

Around each crawl, ``alerting`` (service.crawl_and_report) syncs config.yaml's subscriptions
into the store before it, then matches every notice version stored since each subscription
last looked and gives each instant subscriber one message listing all of that run's matches. Daily
and weekly subscribers' matches wait for ``send_summaries`` (the scheduler's jobs, or
``kuaixun alerts send-summaries``).

Exactly once, across crashes: the matches (unique per subscription and version), the
advanced watermark and the outbox rows are committed in one transaction, and the message is
archived before that commit, so the outbox (kuaixun.delivery) retries it with backoff and
never sends it twice. A crash before the commit leaves nothing recorded: the next run
matches the same versions again and writes the same message under the same ref.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime
from email.utils import parseaddr
from functools import lru_cache

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session

from kuaixun.config import Config
from kuaixun.delivery import ALERT, alert_folder, deliver_due
from kuaixun.ingest import now_utc
from notify import archive
from notify.alerts import (
    Alert,
    AlertItem,
    AlertItems,
    RenderedItems,
    Unsubscribe,
    alert_item,
    render_alert,
)
from notify.channels.targets import Problem, webhook_name
from notify.subscriptions import SUMMARY_MODES, Filters
from notify.width import display_width
from pipeline.query import Document, Query, QueryError, QuerySet, Term, compile_query
from store import outbox, search, subscriptions
from store.db import Database
from store.models import NoticeVersion, Subscription
from store.subscriptions import CLI, CONFIG, Carried, NewMatch, Spec, SubscriptionError

Echo = Callable[[str], None]
TOKEN_SALT = "kuaixun.unsubscribe"


class AlertUsageError(Exception):
    """A subscribe command that cannot be done as asked, phrased for the operator."""


compiled: Callable[[str], Query] = lru_cache(maxsize=100_000)(compile_query)
"""Queries compiled once per process: the scheduler matches the same ones run after run."""


# --------------------------------------------------------------------------- runs


@contextmanager
def alerting(config: Config, db: Database, echo: Echo) -> Iterator[None]:
    """Around a crawl: config.yaml's subscriptions synced before it, so that one added today is
    alerted of this crawl's notices; after it, the new versions matched and the alerts sent."""
    with db.session() as session:
        sync_config(config, session, echo, now_utc())
    yield
    _alert_synced(config, db, echo)


def _alert_synced(config: Config, db: Database, echo: Echo) -> None:
    if record_alerts(config, db, echo):
        deliver_due(config, db, echo, kinds=(ALERT,))


def record_alerts(config: Config, db: Database, echo: Echo) -> list[str]:
    """The new versions matched, the matches recorded and the instant messages archived and
    queued, in one transaction; the refs of the messages queued."""
    now = now_utc()
    with db.session() as session:
        matched = match_new_versions(session, now)
        refs = queue_messages(config, session, ("instant",), echo, now)
    if matched:
        echo(f"alerts: {matched} match(es), {len(refs)} instant message(s) queued")
    return refs


def send_summaries(config: Config, db: Database, echo: Echo, modes: Sequence[str] = SUMMARY_MODES) -> int:
    """The daily or weekly summaries: every match waiting since the last one, one message each."""
    now = now_utc()
    with db.session() as session:
        sync_config(config, session, echo, now)
        refs = queue_messages(config, session, modes, echo, now)
    echo(f"summaries ({', '.join(modes)}): {len(refs)} message(s) queued")
    if refs:
        deliver_due(config, db, echo, kinds=(ALERT,))
    return len(refs)


def sync_config(config: Config, session: Session, echo: Echo, now: datetime) -> None:
    """config.yaml's subscriptions into the store (added, updated, deactivated by name)."""
    specs = [
        Spec(name=s.name, query=s.query, channel=s.channel, mode=s.mode, filters=s.filters())
        for s in config.subscriptions
    ]
    report = subscriptions.sync_config(session, specs, now)
    changes = [
        (report.added, "added"),
        (report.updated, "updated"),
        (report.deactivated, "deactivated (gone from config.yaml)"),
    ]
    for names, what in changes:
        if names:
            echo(f"subscriptions {what}: {', '.join(names)}")
    for name in report.clashes:
        echo(f"subscription {name!r} of config.yaml is skipped: a command-line subscription has that name")


MATCHES_AT_ONCE = 20_000
"""Matches held before they are recorded (one bulk insert each time): 1,000 new notices for
10,000 subscriptions make ~700,000, which held at once took ~1 GB."""


def match_new_versions(session: Session, now: datetime) -> int:
    """Record a match for each active subscription and each matching version new to it.

    Reposts (same group, same content) alert once. Every new version is prepared once and
    only the queries holding a term it contains are evaluated (QuerySet); the matches go in
    by bulk inserts of MATCHES_AT_ONCE, and the watermark then moves past the newest version,
    so nothing is matched twice.
    """
    subs = {s.id: s for s in subscriptions.watching(session)}
    if not subs:
        return 0
    rows = subscriptions.versions_after(session, min(s.checked_through for s in subs.values()))
    if not rows:
        return 0
    index = QuerySet({s.id: compiled(s.query) for s in subs.values()})
    filters = {s.id: Filters.of(s.filters) for s in subs.values()}
    checked_through = {s.id: s.checked_through for s in subs.values()}
    alerted = subscriptions.alerted_content(session, {n.group_id or n.id for _, n in rows})
    found: list[NewMatch] = []
    recorded = 0
    for version, notice in rows:
        doc = Document.of(version.record)
        for sub_id, terms in index.match(doc).items():
            new = version.id > checked_through[sub_id]
            content = (sub_id, notice.group_id or notice.id, version.content_hash)
            if new and content not in alerted and filters[sub_id].admits(doc, notice.source_name):
                alerted.add(content)  # a repost in the same crawl alerts no more than its original
                found.append(NewMatch(sub_id, version.id, _stored(terms)))
        if len(found) >= MATCHES_AT_ONCE:
            recorded += len(found)
            subscriptions.record_matches(session, found, now)
            found = []
    subscriptions.record_matches(session, found, now)
    subscriptions.checked(session, rows[-1][0].id)
    return recorded + len(found)


SUBSCRIBERS_AT_ONCE = 500
"""Subscribers whose waiting matches are loaded, rendered and queued together: memory follows
the batch, not the run (a weekly summary can hold hundreds of matches per subscriber)."""


def queue_messages(
    config: Config, session: Session, modes: Iterable[str], echo: Echo, now: datetime
) -> list[str]:
    """One archived message and outbox row per subscriber with waiting matches; their refs.

    Subscribers are taken SUBSCRIBERS_AT_ONCE at a time; each version is loaded once for the
    run and each item made once while it is recent (AlertItems, RenderedItems); the matches
    are marked carried and the outbox rows added in bulk per batch. A subscriber whose channel
    cannot be reached now (webhook gone from config.yaml, no SMTP relay, no secret to sign the
    unsubscribe link) keeps its matches for a later run.
    """
    items, rendered = AlertItems(), RenderedItems()
    resolver = config.resolver()
    versions: dict[int, NoticeVersion] = {}  # the versions waiting: a run's new ones, or a period's
    refs: list[str] = []
    for waiting in subscriptions.waiting(session, modes, SUBSCRIBERS_AT_ONCE):
        subs = subscriptions.by_ids(session, waiting)
        wanted = {m.version_id for ms in waiting.values() for m in ms}
        versions.update(subscriptions.versions_by_ids(session, wanted - versions.keys()))
        carried: list[Carried] = []
        queued: dict[str, list[tuple[str, str]]] = {}
        for sub_id, matches in waiting.items():
            sub = subs[sub_id]
            target = resolver.resolve(sub.channel, alert=True)
            if isinstance(target, Problem):
                echo(f"alerts: {sub.name}: {target}; {len(matches)} match(es) wait")
                continue
            ref = f"sub{sub.id}-v{matches[-1].version_id}"
            alert_items = tuple(_item(items, versions[m.version_id], m.terms) for m in matches)
            archive.save(alert_folder(config, ref), render_alert(_alert(config, sub, alert_items), rendered))
            carried.append(Carried(sub_id, ref, matches[-1].version_id))
            queued[ref] = [(target.channel, target.recipient)]
        subscriptions.carried(session, carried)
        outbox.enqueue_many(session, ALERT, queued, now)
        refs.extend(queued)
    return refs


def _alert(config: Config, sub: Subscription, items: tuple[AlertItem, ...]) -> Alert:
    return Alert(
        name=sub.name, query=sub.query, mode=sub.mode, items=items, unsubscribe=unsubscribe_of(config, sub)
    )


def unsubscribe_of(config: Config, sub: Subscription) -> Unsubscribe | None:
    """How an email subscriber stops: the mailto, and the desk's page when ``web.base_url`` is set."""
    if webhook_name(sub.channel) is not None or not config.channels.email or not config.alerts.secret:
        return None
    address = _address(config.channels.email.sender)
    token = unsubscribe_token(config.alerts.secret, sub)
    base = config.web.base_url
    return Unsubscribe(address, token, f"{base.rstrip('/')}/unsubscribe/{token}" if base else None)


@lru_cache(maxsize=4)
def _address(sender: str) -> str:
    """The sender's bare address, parsed once per run's thousands of messages, not once each."""
    return parseaddr(sender)[1]


def _stored(terms: Iterable[Term]) -> list[list[str]]:
    """The terms as AlertMatch.terms keeps them: [field, normal form, as written]."""
    return [[t.field, t.value, t.text] for t in terms]


def _item(items: AlertItems, version: NoticeVersion, terms: Sequence[Sequence[str]]) -> AlertItem:
    return items.item(version.id, version.record, terms, revised=version.number > 1, diff=version.diff)


# --------------------------------------------------------------------------- unsubscribe tokens


def unsubscribe_token(secret: str, sub: Subscription) -> str:
    """Signed (id, the subscription's own random token): forged or stale tokens are refused."""
    return _signer(secret).dumps([sub.id, sub.token])


@lru_cache(maxsize=4)
def _signer(secret: str) -> URLSafeSerializer:
    """One serializer per secret: its keys are derived once, not once per message signed."""
    return URLSafeSerializer(secret, salt=TOKEN_SALT)


def _token_subscription(session: Session, secret: str, token: str) -> Subscription:
    try:
        sub_id, nonce = _signer(secret).loads(token)
    except (BadSignature, ValueError, TypeError):
        raise AlertUsageError("not a valid unsubscribe token") from None
    sub = session.get(Subscription, sub_id)
    if sub is None or not hmac.compare_digest(str(nonce), sub.token):
        raise AlertUsageError("this token is of a subscription that no longer exists")
    return sub


# --------------------------------------------------------------------------- the subscribe commands


def query_error_lines(query: str, error: QueryError) -> list[str]:
    """The error, the query, and a caret under the position (wide characters count two columns)."""
    caret = " " * display_width(query[: error.position - 1]) + "^"
    return [f"error: {error}", f"  {query}", f"  {caret}"]


def add_subscription(config: Config, db: Database, spec: Spec, echo: Echo) -> None:
    """``subscribe add``: a command-line subscription, alerted of notices stored from now on."""
    target = config.resolver().resolve(spec.channel, alert=True)
    if isinstance(target, Problem):
        raise AlertUsageError(str(target))
    now = now_utc()
    with db.session() as session:
        sync_config(config, session, echo, now)
        try:
            subscriptions.add(session, spec, CLI, now)
        except SubscriptionError as exc:
            raise AlertUsageError(str(exc)) from None
    echo(f"subscribed {spec.name!r}: {spec.query} → {spec.channel} ({spec.mode})")


def list_subscriptions(config: Config, db: Database, echo: Echo) -> list[str]:
    """``subscribe list``: one line per subscription, after syncing config.yaml's."""
    with db.session() as session:
        sync_config(config, session, echo, now_utc())
        rows = subscriptions.listing(session)
        return [_line(row) for row in rows] or ["no subscriptions"]


def _line(sub: Subscription) -> str:
    state = "active" if sub.active else ("unsubscribed" if sub.unsubscribed_at else "inactive")
    filters = Filters.of(sub.filters).describe()
    return f"{sub.name:<20} {state:<12} {sub.mode:<7} {sub.origin:<6} {sub.channel}  {sub.query}" + (
        f"  [{filters}]" if filters else ""
    )


def remove_subscription(config: Config, db: Database, name: str | None, token: str | None) -> str:
    """``subscribe remove NAME`` or ``--token TOKEN`` (from an alert's unsubscribe line)."""
    with db.session() as session:
        if token is not None:
            if not config.alerts.secret:
                raise AlertUsageError(f"cannot check the token: {config.missing('alerts.secret')}")
            sub = _token_subscription(session, config.alerts.secret, token)
        else:
            found = subscriptions.by_name(session, name or "")
            if found is None:
                raise AlertUsageError(f"no subscription named {name!r}")
            sub = found
        if not sub.active:
            return f"{sub.name!r} was already off"
        subscriptions.unsubscribe(sub, now_utc())
        if sub.origin == CONFIG:
            return (
                f"unsubscribed {sub.name!r}; it stays off though config.yaml lists it (remove it there too)"
            )
        return f"unsubscribed {sub.name!r}"


def try_query(db: Database, query: str, filters: Filters, limit: int | None) -> list[str]:
    """``subscribe test``: stored notices the query matches, newest first, matched terms in 【】."""
    compiled_query = compile_query(query)
    lines: list[str] = []
    with db.session() as session:  # counted by the search index: only the notices shown are decoded
        found = search.newest_matches(session, compiled_query, search.Narrowing(**asdict(filters)), limit)
    for hit in found.hits:
        if filters.admits(Document.of(hit.record), hit.notice.source_name):
            item = alert_item(hit.record, terms=_stored(hit.terms), revised=False, diff=None)
            lines.extend(_try_lines(hit.notice.id, item))
    count = found.total
    shown = f" (the first {limit} shown)" if limit is not None and count > limit else ""
    return [*lines, f"{count} stored notice(s) match{shown}"]


def _try_lines(notice_id: int, item: AlertItem) -> list[str]:
    head = f"#{notice_id:<5} {item.date or '-':<10} {item.section or '-'}  {_marked(item.title)}"
    return [head, f"       {_marked(item.context)}"] if item.context else [head]


def _marked(pieces: Iterable[tuple[str, bool]]) -> str:
    return "".join(f"【{piece}】" if hit else piece for piece, hit in pieces)
