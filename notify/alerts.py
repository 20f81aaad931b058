"""Alert messages: the notices that matched one subscription, rendered for email and chat.

Built from templates (``alert.*.j2``) in the digest's environments, so scraped text is treated
the same way: HTML autoescaped, Markdown escaped, control characters dropped, only http(s)
links. The matched terms are marked — 【绿色工厂】 in text, <mark> in HTML, bold in Markdown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from notify.outgoing import Link, Outgoing
from notify.render import changes, environment, markdown_environment, safe_url
from pipeline.query import TEXT, excerpt, highlight
from pipeline.records import ExtractedNotice

Pieces = tuple[tuple[str, bool], ...]
"""Text cut into (piece, is_match), for marking the matched terms."""
CHANGE_WIDTH = 30
"""Characters of a changed line quoted in the one-line 更新 note."""


@dataclass(frozen=True)
class AlertItem:
    """One matching notice version, as an alert lists it."""

    title: Pieces
    url: str
    section: str | None
    agency: str | None
    region: str | None
    date: str | None
    deadline: str | None
    terms: tuple[str, ...]
    """The query terms found, as the subscriber wrote them."""
    context: Pieces | None
    """The body around a matched term the title does not show."""
    revised: bool
    """更新: an earlier version of the notice was stored before."""
    change: str | None
    """One line on what changed, for a revision with a diff."""

    @property
    def plain_title(self) -> str:
        return "".join(piece for piece, _ in self.title)


@dataclass(frozen=True)
class Unsubscribe:
    """How an email recipient stops the alert: a mail to ``address`` with the signed token."""

    address: str
    token: str
    url: str | None = None
    """The desk's unsubscribe page (``web.base_url``), which also takes RFC 8058 one-click POSTs."""

    @property
    def subject(self) -> str:
        return f"unsubscribe {self.token}"

    @property
    def mailto(self) -> str:
        return f"mailto:{self.address}?subject={quote(self.subject)}"


@dataclass(frozen=True)
class Alert:
    """One message to one subscriber: every match of one run (instant) or period (summary)."""

    name: str
    query: str
    mode: str
    """instant | daily | weekly"""
    items: tuple[AlertItem, ...]
    unsubscribe: Unsubscribe | None = None

    @property
    def revisions(self) -> int:
        return sum(item.revised for item in self.items)


def alert_item(
    record: ExtractedNotice, *, terms: Sequence[Sequence[str]], revised: bool, diff: str | None
) -> AlertItem:
    """The item of a stored record; ``terms`` as an AlertMatch keeps them: [field, normal form, written]."""
    shown = [value for field, value, _ in terms if field in (TEXT, "title")]
    in_title = {value for value in shown if any(hit for _, hit in highlight(record.title, [value]))}
    body_terms = [value for value in shown if value not in in_title]
    around = excerpt(record.body_text, body_terms) if body_terms else None
    return AlertItem(
        title=tuple(highlight(record.title, shown)),
        url=record.source_url,
        section=record.category,
        agency=record.agency,
        region=record.region,
        date=record.publish_date,
        deadline=record.earliest_deadline,
        terms=tuple(dict.fromkeys(written for _, _, written in terms)),
        context=tuple(highlight(around, body_terms)) if around else None,
        revised=revised,
        change=change_line(diff) if revised else None,
    )


def change_line(diff: str | None) -> str | None:
    """What a revision changed, in one line: 「旧」→「新」, and how many other lines changed."""
    found = changes(diff, limit=10**6)
    if not found:
        return None
    removed = next((c.text for c in found if c.kind == "removed"), None)
    added = next((c.text for c in found if c.kind == "added"), None)
    if removed and added:
        line = f"「{_cut(removed)}」→「{_cut(added)}」"
    else:
        line = f"删去「{_cut(removed)}」" if removed else f"新增「{_cut(added or '')}」"
    shown = (removed is not None) + (added is not None)
    return line + (f"，另有 {len(found) - shown} 处改动" if len(found) > shown else "")


def _cut(text: str) -> str:
    return text if len(text) <= CHANGE_WIDTH else text[: CHANGE_WIDTH - 1] + "…"


def render_alert(alert: Alert) -> Outgoing:
    """The message in every form: HTML + text for email, Markdown and summary + links for chat."""
    subject = environment().get_template("alert.subject.j2").render(alert=alert).strip()
    return Outgoing(
        subject=subject,
        text=environment().get_template("alert.txt.j2").render(alert=alert, subject=subject),
        html=environment().get_template("alert.html.j2").render(alert=alert, subject=subject),
        markdown=markdown_environment().get_template("alert.md.j2").render(alert=alert),
        summary=subject,
        links=tuple(Link(item.plain_title, url) for item in alert.items if (url := safe_url(item.url))),
        headers=unsubscribe_headers(alert.unsubscribe),
    )


def unsubscribe_headers(unsubscribe: Unsubscribe | None) -> dict[str, str]:
    """List-Unsubscribe (the web page first when there is one, then the mailto) and, with a web
    page, RFC 8058's List-Unsubscribe-Post so that mail clients unsubscribe in one click."""
    if unsubscribe is None:
        return {}
    if unsubscribe.url is None:
        return {"List-Unsubscribe": f"<{unsubscribe.mailto}>"}
    return {
        "List-Unsubscribe": f"<{unsubscribe.url}>, <{unsubscribe.mailto}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
