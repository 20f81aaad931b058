"""Alert messages: the notices that matched one subscription, rendered for email and chat.

Built from templates (``alert.*.j2``) in the digest's environments, so scraped text is treated
the same way: HTML autoescaped, Markdown escaped, control characters dropped, only http(s)
links. The matched terms are marked — 【绿色工厂】 in text, <mark> in HTML, bold in Markdown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote

from jinja2 import Environment
from markupsafe import Markup

from notify.outgoing import Link, Outgoing
from notify.render import changes, environment, markdown_environment, safe_url
from pipeline.query import TEXT, Folded, excerpt, highlight
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


@dataclass(frozen=True)
class NoticeTexts:
    """A record's title and body folded once (pipeline.query.Folded), to be marked for any terms."""

    title: Folded
    body: Folded

    @classmethod
    def of(cls, record: ExtractedNotice) -> NoticeTexts:
        return cls(Folded.of(record.title), Folded.of(record.body_text))


def alert_item(
    record: ExtractedNotice,
    *,
    terms: Sequence[Sequence[str]],
    revised: bool,
    diff: str | None,
    texts: NoticeTexts | None = None,
) -> AlertItem:
    """The item of a stored record; ``terms`` as an AlertMatch keeps them: [field, normal form, written].

    ``texts``, the record's NoticeTexts, spares folding the title and body again for each subscriber.
    """
    texts = texts or NoticeTexts.of(record)
    shown = [value for field, value, _ in terms if field in (TEXT, "title")]
    in_title = {value for value in shown if texts.title.spans([value])}
    body_terms = [value for value in shown if value not in in_title]
    around = excerpt(texts.body, body_terms) if body_terms else None
    return AlertItem(
        title=tuple(highlight(texts.title, shown)),
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


class AlertItems:
    """The items of many alerts from one shared context: each version's texts folded once, and
    each (version, terms) item made once, however many subscribers it is sent to."""

    def __init__(self) -> None:
        self._texts: dict[int, NoticeTexts] = {}
        self._items: dict[tuple[int, tuple[tuple[str, ...], ...]], AlertItem] = {}

    def item(
        self,
        version_id: int,
        record: ExtractedNotice,
        terms: Sequence[Sequence[str]],
        revised: bool,
        diff: str | None,
    ) -> AlertItem:
        key = (version_id, tuple(tuple(term) for term in terms))
        if key not in self._items:
            if version_id not in self._texts:
                self._texts[version_id] = NoticeTexts.of(record)
            texts = self._texts[version_id]
            self._items[key] = alert_item(record, terms=terms, revised=revised, diff=diff, texts=texts)
        return self._items[key]


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


@dataclass(frozen=True)
class ItemForms:
    """One item rendered in each form a message has; Markup, so the message templates take it as is."""

    html: Markup
    text: Markup
    markdown: Markup


@dataclass(frozen=True)
class Form:
    """One form of an alert item: its template, and the macros marking the subscriber's parts."""

    environment: Callable[[], Environment]
    item: str
    marks: str


FORMS = (
    Form(environment, "alert.item.html.j2", "alert.marks.html.j2"),
    Form(environment, "alert.item.txt.j2", "alert.marks.txt.j2"),
    Form(markdown_environment, "alert.item.md.j2", "alert.marks.md.j2"),
)
HOLES = {part: Markup(f"\x00{part}\x00") for part in ("title", "context", "terms")}
"""Where a frame takes the subscriber's parts: NUL, which clean() drops from every value a
template prints, can be nowhere else in a rendered item, so filling the holes replaces only them."""


class RenderedItems:
    """Items rendered from a shared context, however many messages carry them.

    An item is its notice version's frame (the item template rendered once per version, with
    holes) filled with the subscriber's own parts (marked title and context, terms found), each
    of those rendered once too: thousands of subscribers matching one notice cost one render.
    """

    def __init__(self) -> None:
        self._frames: dict[tuple[Form, AlertItem], str] = {}
        self._parts: dict[tuple[Form, str, Any], str] = {}

    def of(self, item: AlertItem) -> ItemForms:
        # Not kept: filling a frame costs three replacements, keeping every item would cost memory.
        return ItemForms(*(Markup(self._render(form, item)) for form in FORMS))

    def _render(self, form: Form, item: AlertItem) -> str:
        # The frame's key: the item without its subscriber's parts (a context stays non-empty).
        frame_of = replace(item, title=(), context=(("", False),) if item.context else None, terms=())
        if (form, frame_of) not in self._frames:
            template = form.environment().get_template(form.item)
            self._frames[form, frame_of] = template.render(item=frame_of, **HOLES)
        filled = self._frames[form, frame_of].replace(HOLES["title"], self._part(form, "marked", item.title))
        if item.context:
            filled = filled.replace(HOLES["context"], self._part(form, "marked", item.context))
        return filled.replace(HOLES["terms"], self._part(form, "found", item.terms))

    def _part(self, form: Form, macro: str, value: Any) -> str:
        if (form, macro, value) not in self._parts:
            module = form.environment().get_template(form.marks).module
            self._parts[form, macro, value] = str(getattr(module, macro)(value))
        return self._parts[form, macro, value]


def render_alert(alert: Alert, rendered: RenderedItems | None = None) -> Outgoing:
    """The message in every form: HTML + text for email, Markdown and summary + links for chat.

    ``rendered`` shares the items rendered for other messages of the same run.
    """
    forms = [(rendered or RenderedItems()).of(item) for item in alert.items]
    subject = environment().get_template("alert.subject.j2").render(alert=alert).strip()
    page = {"alert": alert, "subject": subject}
    return Outgoing(
        subject=subject,
        text=environment().get_template("alert.txt.j2").render(page, items=[f.text for f in forms]),
        html=environment().get_template("alert.html.j2").render(page, items=[f.html for f in forms]),
        markdown=markdown_environment()
        .get_template("alert.md.j2")
        .render(alert=alert, items=[f.markdown for f in forms]),
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
