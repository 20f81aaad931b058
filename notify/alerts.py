"""Alert messages: the notices that matched one subscription, rendered for email and chat.

Built from templates (``alert.*.j2``) in the digest's environments, so scraped text is treated
the same way: HTML autoescaped, Markdown escaped, control characters dropped, only http(s)
links. The matched terms are marked — 【绿色工厂】 in text, <mark> in HTML, bold in Markdown.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from jinja2 import Environment, Template
from markupsafe import Markup, escape

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

    def __post_init__(self) -> None:
        # Items key the caches of rendered items, looked up once per match: hash once.
        object.__setattr__(self, "_hash", hash(tuple(getattr(self, f) for f in self.__dataclass_fields__)))

    def __hash__(self) -> int:
        return self._hash  # type: ignore[attr-defined, no-any-return]

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


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Recent(Generic[K, V]):
    """The ``size`` most recently used values, each made once while it is kept: a run's caches
    stay bounded however many matches it makes, and subscribers near in the run share the most."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._kept: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K, make: Callable[..., V], *args: Any) -> V:
        """The value kept for ``key``, else ``make(*args)``, kept."""
        kept = self._kept
        if key in kept:
            kept.move_to_end(key)
            return kept[key]
        value = kept[key] = make(*args)
        if len(kept) > self.size:
            kept.popitem(last=False)
        return value


KEPT_TEXTS = 2_000
"""Versions whose folded title and body are kept (~50 KB each): more than one crawl brings."""
KEPT_ITEMS = 20_000
"""Items kept for the next subscriber who gets the same (version, terms): ~5 KB each, rendered."""


class AlertItems:
    """The items of many alerts from one shared context: each version's texts folded once, and
    each (version, terms) item made once while it is among the KEPT_ITEMS most recent."""

    def __init__(self) -> None:
        self._texts: Recent[int, NoticeTexts] = Recent(KEPT_TEXTS)
        self._items: Recent[tuple[int, tuple[tuple[str, ...], ...]], AlertItem] = Recent(KEPT_ITEMS)

    def item(
        self,
        version_id: int,
        record: ExtractedNotice,
        terms: Sequence[Sequence[str]],
        revised: bool,
        diff: str | None,
    ) -> AlertItem:
        def make() -> AlertItem:
            texts = self._texts.get(version_id, NoticeTexts.of, record)
            return alert_item(record, terms=terms, revised=revised, diff=diff, texts=texts)

        return self._items.get((version_id, tuple(tuple(term) for term in terms)), make)


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
    link: Link | None
    """The item as a chat link (title and URL), where its URL is http(s)."""


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
HOLE = re.compile("\x00([a-z0-9]+)\x00")
"""Where a frame takes a varying part: NUL, which every environment's finalize drops from the
values a template prints, can be nowhere else in a rendered template, so filling replaces only holes."""


def hole(name: str) -> Markup:
    """A hole, as Markup: templates print it unescaped and unfinalized, so it reaches the frame whole."""
    return Markup(f"\x00{name}\x00")


@dataclass(frozen=True)
class Frame:
    """A template rendered once with holes: its literal chunks with the holes' names between,
    and how the template prints a value, to fill the holes with."""

    chunks: tuple[str, ...]
    """Literal text at even positions, hole names at odd ones (``re.split`` with one group)."""
    show: Callable[[Any], str]

    @classmethod
    def of(cls, template: Template, context: Mapping[str, Any]) -> Frame:
        return cls(tuple(HOLE.split(template.render(context))), printer(template))

    def fill(self, parts: Mapping[str, Any]) -> str:
        """The template as rendered with ``parts``. Markup (items, marked parts) goes in as is,
        as the templates print it: both environments' finalize pass Markup through untouched."""
        show = self.show
        return "".join(
            chunk if i % 2 == 0 else part if isinstance(part := parts[chunk], Markup) else show(part)
            for i, chunk in enumerate(self.chunks)
        )


def printer(template: Template) -> Callable[[Any], str]:
    """``{{ value }}`` as ``template`` prints it: through its environment's finalize, and escaped
    where the template autoescapes."""
    env = template.environment
    finalize: Callable[[Any], Any] = env.finalize or str
    if env.autoescape(template.name) if callable(env.autoescape) else env.autoescape:
        return lambda value: str(escape(finalize(value)))
    return lambda value: str(finalize(value))


ITEM_PARTS = ("title", "context", "terms")
"""The subscriber's own parts of an item, rendered apart (alert.marks.*.j2) and filled in."""


class RenderedItems:
    """Items rendered from a shared context, however many messages carry them.

    An item is its notice version's frame (the item template rendered once per version, with
    holes) filled with the subscriber's own parts (marked title and context, terms found). A
    marked text is rendered piece by piece, each piece once (the ``marked`` macros print each
    piece on its own), and the terms found once per list: thousands of subscribers matching one
    notice cost one render. The KEPT_ITEMS most recent items are kept rendered.
    """

    def __init__(self) -> None:
        self._frames: dict[tuple[int, tuple[Any, ...]], Frame] = {}
        self._pieces: Recent[tuple[int, str, bool], str] = Recent(KEPT_ITEMS)
        self._found: Recent[tuple[int, tuple[str, ...]], str] = Recent(KEPT_ITEMS)
        self._forms: Recent[AlertItem, ItemForms] = Recent(KEPT_ITEMS)

    def of(self, item: AlertItem) -> ItemForms:
        return self._forms.get(item, self._forms_of, item)

    def _forms_of(self, item: AlertItem) -> ItemForms:
        html, text, markdown = (Markup(self._render(form, item)) for form in range(len(FORMS)))
        url = safe_url(item.url)
        return ItemForms(html, text, markdown, Link(item.plain_title, url) if url else None)

    def _render(self, form: int, item: AlertItem) -> str:
        # The frame's key: the item's fields but its subscriber's parts (whether it has a context).
        shared = (item.url, item.section, item.agency, item.region, item.date, item.deadline)
        key = (form, (*shared, item.revised, item.change, item.context is not None))
        if key not in self._frames:
            frame_of = replace(item, title=(), context=(("", False),) if item.context else None, terms=())
            template = FORMS[form].environment().get_template(FORMS[form].item)
            self._frames[key] = Frame.of(template, {"item": frame_of, **{p: hole(p) for p in ITEM_PARTS}})
        parts = {"title": self._marked(form, item.title), "terms": self._terms(form, item.terms)}
        if item.context:
            parts["context"] = self._marked(form, item.context)
        return self._frames[key].fill(parts)

    def _marked(self, form: int, pieces: Pieces) -> Markup:
        return Markup(
            "".join(
                self._pieces.get((form, piece, hit), self._macro, form, "marked", ((piece, hit),))
                for piece, hit in pieces
            )
        )

    def _terms(self, form: int, terms: tuple[str, ...]) -> Markup:
        return self._found.get((form, terms), self._macro, form, "found", terms)

    @staticmethod
    def _macro(form: int, name: str, value: Any) -> Markup:
        module = FORMS[form].environment().get_template(FORMS[form].marks).module
        return Markup(getattr(module, name)(value))


@dataclass(frozen=True)
class _UnsubscribeHoles:
    """An Unsubscribe's printed fields as holes (its mailto is computed from the others)."""

    address: Markup
    subject: Markup
    mailto: Markup
    url: Markup | None


@dataclass(frozen=True)
class _ItemHoles:
    """What the subject prints of an item, its title as a hole."""

    plain_title: Markup
    revised: bool


@dataclass(frozen=True)
class _AlertHoles:
    """An Alert's printed fields as holes; its shape (mode, items, revisions, unsubscribe kind) as is."""

    name: Markup
    query: Markup
    mode: str
    items: tuple[_ItemHoles, ...]
    revisions: int
    unsubscribe: _UnsubscribeHoles | None


BY_URL, BY_MAIL = "url", "mail"
MESSAGE_FORMS = (
    (environment, "alert.txt.j2"),
    (environment, "alert.html.j2"),
    (markdown_environment, "alert.md.j2"),
)
SHAPES_KEPT = 4096
"""Message frames kept (one per form, mode, item count, revisions, unsubscribe kind)."""


@lru_cache(maxsize=SHAPES_KEPT)
def _message_frame(form: int, shape: tuple[str, int, int, bool, str | None]) -> Frame:
    """The message template ``MESSAGE_FORMS[form]`` (or the subject, form -1) rendered once for
    every alert of this shape, with holes for the subscriber's fields and each item."""
    mode, count, revisions, first_revised, unsubscribe = shape
    holes = _UnsubscribeHoles(
        hole("address"), hole("mailsubject"), hole("mailto"), hole("url") if unsubscribe == BY_URL else None
    )
    items = tuple(_ItemHoles(hole("title"), first_revised and n == 0) for n in range(count))
    alert = _AlertHoles(hole("name"), hole("query"), mode, items, revisions, holes if unsubscribe else None)
    environment_of, name = MESSAGE_FORMS[form] if form >= 0 else (environment, "alert.subject.j2")
    template = environment_of().get_template(name)
    items_holes = [hole(f"item{n}") for n in range(count)]
    return Frame.of(template, {"alert": alert, "subject": hole("subject"), "items": items_holes})


def render_alert(alert: Alert, rendered: RenderedItems | None = None) -> Outgoing:
    """The message in every form: HTML + text for email, Markdown and summary + links for chat.

    Each form is its template rendered once per shape of alert (_message_frame) and filled with
    this alert's fields and items; ``rendered`` shares the items rendered for other messages.
    """
    forms = [(rendered or RenderedItems()).of(item) for item in alert.items]
    unsubscribe = alert.unsubscribe
    kind = None if unsubscribe is None else BY_URL if unsubscribe.url else BY_MAIL
    first_revised = bool(alert.items) and alert.items[0].revised
    shape = (alert.mode, len(alert.items), alert.revisions, first_revised, kind)
    fields = {"name": alert.name, "query": alert.query}
    if unsubscribe is not None:
        fields |= {
            "address": unsubscribe.address,
            "mailsubject": unsubscribe.subject,
            "mailto": unsubscribe.mailto,
        }
        fields |= {"url": unsubscribe.url} if unsubscribe.url else {}
    title = alert.items[0].plain_title if alert.items else ""
    subject = _filled(-1, shape, {**fields, "title": title}, ()).strip()
    fields["subject"] = subject
    text, html, markdown = (
        _filled(form, shape, fields, [getattr(f, attr) for f in forms])
        for form, attr in enumerate(("text", "html", "markdown"))
    )
    return Outgoing(
        subject=subject,
        text=text,
        html=html,
        markdown=markdown,
        summary=subject,
        links=tuple(form.link for form in forms if form.link),
        headers=unsubscribe_headers(alert.unsubscribe),
    )


def _filled(
    form: int, shape: tuple[str, int, int, bool, str | None], fields: dict[str, str], items: Sequence[Markup]
) -> str:
    return _message_frame(form, shape).fill({**fields, **{f"item{n}": item for n, item in enumerate(items)}})


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
