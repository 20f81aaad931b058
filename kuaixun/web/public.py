"""The public pages: the archive of sent issues, search, the Atom feed, the deadline calendar and
the alert emails' unsubscribe page (RFC 8058 one-click too).

Every page is a Jinja2 template with autoescaping on (context.templates): scraped titles and
bodies are text, never markup, and a scraped link is shown only when it is http(s)
(``notify.escape.safe_url``). An archived issue is served as we rendered it, under a
Content-Security-Policy that runs no script and loads nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from kuaixun.alerts import AlertUsageError, _token_subscription, remove_subscription
from kuaixun.delivery import DIGEST, archive_dir, issue_ref
from kuaixun.ingest import now_utc
from kuaixun.localtime import local_date, shown_time
from kuaixun.web.atom import CONTENT_TYPE as ATOM_TYPE
from kuaixun.web.atom import atom_feed
from kuaixun.web.context import WebContext, context_of
from kuaixun.web.ical import CONTENT_TYPE as ICS_TYPE
from kuaixun.web.ical import deadline_calendar
from notify import archive
from notify.escape import safe_url
from pipeline.query import QueryError, compile_query, excerpt, highlight
from store import digests, outbox, search
from store.models import Delivery
from store.search import Scope, SearchHit

PAGE_SIZE = 20
"""Search results per page: a phone screen or two."""
MAX_PAGE = 500
"""Deeper pages are refused: nobody reads result 10,000, and OFFSET costs grow with it."""
FEED_ENTRIES = 100
"""Entries in a feed: readers poll often, so the newest hundred is plenty."""
CALENDAR_NOTICES = 5000
"""Notices with deadlines in one calendar, newest first: a year or two of a busy store."""
ISSUE_REF = re.compile(r"^\d{4}-\d{4}$")
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ONE_CLICK = "List-Unsubscribe=One-Click"
BAD_TOKEN = "退订链接无效或已过期：请使用最近一封提醒邮件中的链接。"
ISSUE_POLICY = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"
"""An archived issue runs nothing and fetches nothing, whatever it might hold."""


@dataclass(frozen=True)
class ShownDelivery:
    """A delivery as the public archive shows it: the recipient masked, the status in Chinese."""

    channel: str
    recipient: str
    status: str
    when: str


STATUS_NAMES = {outbox.SENT: "已送达", outbox.PENDING: "待发送", outbox.FAILED: "发送失败"}


def _render(context: WebContext, template: str, status: int = 200, **values: object) -> HTMLResponse:
    return HTMLResponse(context.templates.get_template(template).render(**values), status_code=status)


def _problem(context: WebContext, message: str, status: int = 400) -> HTMLResponse:
    return _render(context, "public_problem.html", status, message=message)


# --------------------------------------------------------------------------- archive


def issues(request: Request) -> HTMLResponse:
    context = context_of(request)
    zone = context.config.schedule.timezone
    with context.db.session() as session:
        rows = [
            (
                digest.label,
                issue_ref(digest.label),
                local_date(digest.created_at, zone),
                count,
            )
            for digest, count in digests.recent_digests(session)
        ]
    return _render(context, "public_issues.html", issues=rows)


def issue(request: Request) -> HTMLResponse:
    context = context_of(request)
    ref = _issue_ref(request)
    folder = archive_dir(context.config) / ref
    if not archive.exists(folder):
        return _problem(context, f"没有第 {ref} 期的存档。", 404)
    zone = context.config.schedule.timezone
    with context.db.session() as session:
        rows = outbox.of_message(session, DIGEST, [ref])
        shown = [_shown(row, zone) for row in rows]
    pdf = next(iter(sorted(folder.glob("*.pdf"))), None)
    return _render(
        context,
        "public_issue.html",
        ref=ref,
        subject=archive.load(folder).subject,
        pdf=pdf.name if pdf else None,
        deliveries=shown,
    )


def issue_file(request: Request) -> Response:
    """The archived issue's HTML (under ISSUE_POLICY) or its PDF (as a download)."""
    context = context_of(request)
    ref = _issue_ref(request)
    kind = request.path_params["kind"]
    if kind not in ("html", "pdf"):
        raise HTTPException(404)
    folder = archive_dir(context.config) / ref
    found = sorted(folder.glob(f"kuaixun-*.{kind}")) if archive.exists(folder) else []
    if not found:
        raise HTTPException(404)
    if kind == "pdf":
        return FileResponse(found[0], media_type="application/pdf", filename=found[0].name)
    headers = {"Content-Security-Policy": ISSUE_POLICY, "X-Content-Type-Options": "nosniff"}
    return FileResponse(found[0], media_type="text/html; charset=utf-8", headers=headers)


def _issue_ref(request: Request) -> str:
    ref = str(request.path_params["ref"])
    if not ISSUE_REF.match(ref):
        raise HTTPException(404)
    return ref


def _shown(row: Delivery, zone: str) -> ShownDelivery:
    when = row.sent_at if row.status == outbox.SENT else None
    return ShownDelivery(
        channel=row.channel,
        recipient=masked(row.recipient),
        status=STATUS_NAMES.get(row.status, row.status),
        when=shown_time(when, zone) if when else "",
    )


def masked(recipient: str) -> str:
    """A recipient for a public page: an address's mailbox hidden (``z***@example.cn``)."""
    if recipient.startswith("bcc:"):
        return f"{recipient.count(',') + 1} 位订阅者（密送）"
    mailbox, at, domain = recipient.partition("@")
    return f"{mailbox[:1]}***@{domain}" if at else recipient


# --------------------------------------------------------------------------- search


@dataclass(frozen=True)
class ShownHit:
    """One search result for the page: title and excerpt cut into (piece, is_match)."""

    id: int
    title: list[tuple[str, bool]]
    context: list[tuple[str, bool]] | None
    url: str | None
    section: str
    agency: str | None
    date: str | None
    doc_number: str | None
    deadline: str | None


def search_page(request: Request) -> HTMLResponse:
    context = context_of(request)
    params = request.query_params
    q = params.get("q", "").strip()
    since, until = params.get("since", "").strip(), params.get("until", "").strip()
    values: dict[str, object] = {"q": q, "since": since, "until": until}
    bad_day = next((d for d in (since, until) if d and not ISO_DAY.match(d)), None)
    if bad_day:
        return _render(
            context, "public_search.html", 400, error=f"日期应写作 2026-11-02：{bad_day}", **values
        )
    if not q:
        return _render(context, "public_search.html", **values)
    try:
        query = compile_query(q)
    except QueryError as exc:
        return _render(context, "public_search.html", 400, error=str(exc), **values)
    page = _page_number(params.get("page", "1"))
    scope = Scope(since=since or None, until=until or None)
    with context.db.session() as session:
        found = search.search(session, query, scope, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    pages = max(1, -(-found.total // PAGE_SIZE))
    links = {
        n: "/search?" + urlencode({"q": q, "since": since, "until": until, "page": n})
        for n in (page - 1, page + 1)
    }
    return _render(
        context,
        "public_search.html",
        total=found.total,
        hits=[shown_hit(hit) for hit in found.hits],
        page=page,
        pages=pages,
        previous=links[page - 1] if page > 1 else None,
        next=links[page + 1] if page < pages else None,
        **values,
    )


def _page_number(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= MAX_PAGE:
        raise HTTPException(400, f"page: a number from 1 to {MAX_PAGE}")
    return int(value)


def shown_hit(hit: SearchHit) -> ShownHit:
    record = hit.record
    values = [term.value for term in hit.terms if term.highlights]
    around = excerpt(record.body_text, values) if values else None
    return ShownHit(
        id=hit.notice.id,
        title=highlight(record.title, values),
        context=highlight(around, values) if around else None,
        url=safe_url(hit.notice.url),
        section=hit.notice.category,
        agency=record.agency,
        date=record.publish_date,
        doc_number=record.doc_number,
        deadline=record.earliest_deadline,
    )


# --------------------------------------------------------------------------- feeds


def feed(request: Request) -> Response:
    """Atom of the notices (never news), newest first; ``section=`` one section, ``q=`` a query."""
    context = context_of(request)
    section = request.query_params.get("section", "").strip()
    sections = context.config.digest.sections
    if section and section not in sections:
        return Response(
            f"section: one of {', '.join(sections)}\n", 400, media_type="text/plain; charset=utf-8"
        )
    hits = _matching(request, Scope(sections=(section,) if section else tuple(sections)), FEED_ENTRIES)
    if isinstance(hits, Response):
        return hits
    base = _base_url(request)
    title = f"{context.config.digest.publisher} 快讯" + (f" · {section}" if section else "")
    query = request.url.query
    body = atom_feed(
        hits,
        title=title + (f" · {request.query_params['q']}" if request.query_params.get("q") else ""),
        feed_url=f"{base}/feed.atom" + (f"?{query}" if query else ""),
        home_url=f"{base}/issues",
        author=context.config.digest.publisher,
        now=now_utc(),
    )
    return Response(body, media_type=ATOM_TYPE)


def calendar(request: Request) -> Response:
    """Every deadline the notices (never news) state, as an iCalendar; ``q=`` narrows to a query."""
    context = context_of(request)
    scope = Scope(sections=tuple(context.config.digest.sections), with_deadlines=True)
    hits = _matching(request, scope, CALENDAR_NOTICES)
    if isinstance(hits, Response):
        return hits
    q = request.query_params.get("q", "").strip()
    name = "快讯 截止日期" + (f"：{q}" if q else "")
    return Response(deadline_calendar(hits, name=name), media_type=ICS_TYPE)


def _matching(request: Request, scope: Scope, limit: int) -> Sequence[SearchHit] | Response:
    q = request.query_params.get("q", "").strip()
    try:
        query = compile_query(q) if q else None
    except QueryError as exc:
        return Response(f"{exc}\n", 400, media_type="text/plain; charset=utf-8")
    with context_of(request).db.session() as session:
        return search.search_all(session, query, scope, limit)


def _base_url(request: Request) -> str:
    """Links' base: ``web.base_url`` when set (the address readers use), else this request's."""
    configured = context_of(request).config.web.base_url
    return (configured or str(request.base_url)).rstrip("/")


# --------------------------------------------------------------------------- unsubscribe


async def unsubscribe(request: Request) -> HTMLResponse:
    """GET: what would be stopped, and a button; POST (the button, or a mail client's RFC 8058
    one-click with ``List-Unsubscribe=One-Click``): stop it. The signed token is the credential."""
    context = context_of(request)
    token = str(request.path_params["token"])
    secret = context.config.alerts.secret
    if not secret:
        return _problem(context, "退订链接无法核对：本站未配置签名密钥（alerts.secret）。")
    found = _subscription(context, secret, token)
    if found is None:
        return _problem(context, BAD_TOKEN)
    name, active = found
    if request.method == "GET":
        return _render(
            context, "public_unsubscribe.html", name=name, active=active, field=ONE_CLICK.split("=")
        )
    form = await request.form()
    if form.get("List-Unsubscribe") != "One-Click":
        return _problem(context, f"退订请求应带有 {ONE_CLICK}。")
    remove_subscription(context.config, context.db, None, token)
    return _render(context, "public_unsubscribed.html", name=name)


def _subscription(context: WebContext, secret: str, token: str) -> tuple[str, bool] | None:
    """The name of the token's subscription and whether it is still on; None for a bad token."""
    with context.db.session() as session:
        try:
            sub = _token_subscription(session, secret, token)
        except AlertUsageError:
            return None
        return sub.name, sub.active


routes: list[BaseRoute] = [
    Route("/issues", issues),
    Route("/issues/{ref}", issue),
    Route("/issues/{ref}/issue.{kind:str}", issue_file),
    Route("/search", search_page),
    Route("/feed.atom", feed),
    Route("/deadlines.ics", calendar),
    Route("/unsubscribe/{token}", unsubscribe, methods=["GET", "POST"]),
]
