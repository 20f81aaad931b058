"""The editor's pages (login required): the next issue, its corrections, approval, baseline, a notice's text.

Every correction is a plain HTML form POSTed with the session's CSRF token, then a redirect back
to the notice's place on /next: the page works without JavaScript, on a phone too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from urllib.parse import urlencode

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from kuaixun.approval import ApprovalError, approve
from kuaixun.baseline import baseline, summary
from kuaixun.ingest import now_utc
from kuaixun.localtime import shown_time
from kuaixun.queries import explain_notice
from kuaixun.web.auth import csrf_ok, csrf_token, current_user, refused_csrf
from kuaixun.web.context import WebContext, context_of
from kuaixun.web.nextissue import DeskPage, desk_page, section_order
from notify.render import http_urls
from pipeline.records import ExtractedNotice
from store import editorial
from store.models import EditorialAction, Notice

Handler = Callable[[Request, FormData, str], Awaitable[Response]]
Change = Callable[[WebContext, Session, int, str, FormData], str | None]
"""An edit of one repost group in the caller's transaction: a refusal to show, or None when done."""


def _page(request: Request, template: str, status: int = 200, **values: object) -> Response:
    context = context_of(request)
    page = context.templates.get_template(template).render(
        user=current_user(request), csrf=csrf_token(request), **values
    )
    return Response(page, status_code=status, media_type="text/html")


async def next_issue(request: Request) -> Response:
    context = context_of(request)

    def read() -> DeskPage:
        with context.db.session() as session:
            return desk_page(session, context.config)

    desk = await run_in_threadpool(read)
    return _page(
        request,
        "desk_next.html",
        issues=desk.issues,
        first_issue=desk.first_issue,
        sections=context.config.digest.sections,
        approval=context.config.digest.approval,
        message=request.query_params.get("message"),
    )


async def notice_text(request: Request) -> Response:
    """A stored notice's extracted text, as the digest would print it, and where it came from."""
    context = context_of(request)
    notice_id: int = request.path_params["notice_id"]

    def read() -> tuple[Notice, ExtractedNotice, list[EditorialAction]] | None:
        with context.db.session() as session:
            notice = session.get(Notice, notice_id)
            if notice is None or not notice.versions:
                return None
            return (
                notice,
                notice.versions[-1].record,
                editorial.actions_of(session, notice.group_id or notice.id),
            )

    found = await run_in_threadpool(read)
    if found is None:
        return PlainTextResponse("没有这条通知。", status_code=404)
    notice, record, actions = found
    explanation = await run_in_threadpool(explain_notice, context.db, notice_id)
    zone = context.config.schedule.timezone
    return _page(
        request,
        "desk_notice.html",
        notice=notice,
        record=record,
        explanation=explanation,
        actions=[(shown_time(a.at, zone), a) for a in actions],
        links=http_urls([notice.url]),
        attachments=[(a.name, (http_urls([a.url]) or [None])[0]) for a in record.attachments],
    )


def _action(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """A POST of the desk: CSRF checked, the editor named, then ``handler``."""

    async def endpoint(request: Request) -> Response:
        form = await request.form()
        if not csrf_ok(request, form):
            return refused_csrf()
        editor = current_user(request)
        if editor is None:  # the guard lets no one without a login here; kept for a misconfigured mount
            return PlainTextResponse("请先登录。", status_code=401)
        return await handler(request, form, editor)

    return endpoint


def _group(form: FormData) -> int | None:
    value = form.get("group")
    return int(value) if isinstance(value, str) and value.isdigit() else None


def _back(group_id: int | None = None, message: str | None = None) -> RedirectResponse:
    query = f"?{urlencode({'message': message})}" if message else ""
    anchor = f"#g{group_id}" if group_id is not None else ""
    return RedirectResponse(f"/next{query}{anchor}", status_code=303)


def _edit(change: Change) -> Handler:
    """``change`` in one transaction, then back to the notice's place on /next (a refusal: 400)."""

    async def handler(request: Request, form: FormData, editor: str) -> Response:
        context = context_of(request)
        group_id = _group(form)
        if group_id is None:
            return PlainTextResponse("缺少或无效的通知编号。", status_code=400)

        def run() -> str | None:
            with context.db.session() as session:
                if not editorial.group_exists(session, group_id):
                    return "没有这条通知。"
                return change(context, session, group_id, editor, form)

        refusal = await run_in_threadpool(run)
        if refusal:
            return PlainTextResponse(refusal, status_code=400)
        return _back(group_id)

    return handler


def _move(context: WebContext, session: Session, group_id: int, editor: str, form: FormData) -> str | None:
    section = form.get("section")
    if section not in context.config.digest.sections:
        return "栏目无效。"
    editorial.move(session, group_id, str(section), editor, now_utc())
    return None


def _drop(context: WebContext, session: Session, group_id: int, editor: str, form: FormData) -> str | None:
    editorial.drop(session, group_id, editor, now_utc())
    return None


def _restore(context: WebContext, session: Session, group_id: int, editor: str, form: FormData) -> str | None:
    editorial.restore(session, group_id, editor, now_utc())
    return None


def _shift(step: int, action: str) -> Change:
    def change(
        context: WebContext, session: Session, group_id: int, editor: str, form: FormData
    ) -> str | None:
        order = section_order(session, context.config, group_id)
        if order is None:
            return "这条通知不在待发的一期里。"
        at = order.index(group_id)
        other = at + step
        if 0 <= other < len(order):
            order[at], order[other] = order[other], order[at]
        editorial.reorder(session, order, group_id, action, editor, now_utc())
        return None

    return change


async def _approve(request: Request, form: FormData, editor: str) -> Response:
    context = context_of(request)
    issue = str(form.get("issue", ""))
    expected = form.get("fingerprint")
    lines: list[str] = []
    try:
        result = await run_in_threadpool(
            approve,
            context.config,
            context.db,
            lines.append,
            issue,
            editor,
            expected if isinstance(expected, str) else None,
        )
    except ApprovalError as exc:
        return _page(request, "desk_message.html", status=409, title="未能批准", lines=[str(exc)])
    if not result.approved_now:
        zone = context.config.schedule.timezone
        when = shown_time(result.approved_at, zone)
        lines = [f"{result.ref} 已于 {when} 由 {result.approved_by} 批准，不再重复发送。"]
        return _page(request, "desk_message.html", title="已批准过", lines=lines)
    return _page(request, "desk_message.html", title=f"已批准 {result.ref}", lines=lines)


async def _baseline(request: Request, form: FormData, editor: str) -> Response:
    context = context_of(request)
    before_text = str(form.get("before", "")).strip()
    try:
        before = date.fromisoformat(before_text) if before_text else None
    except ValueError:
        return PlainTextResponse("日期格式应为 YYYY-MM-DD。", status_code=400)
    result = await run_in_threadpool(baseline, context.config, context.db, editor, now_utc(), before)
    return _back(message=summary(result))


routes: list[BaseRoute] = [
    Route("/next", next_issue, methods=["GET"]),
    Route("/notice/{notice_id:int}", notice_text, methods=["GET"]),
    Route("/next/move", _action(_edit(_move)), methods=["POST"]),
    Route("/next/drop", _action(_edit(_drop)), methods=["POST"]),
    Route("/next/restore", _action(_edit(_restore)), methods=["POST"]),
    Route("/next/up", _action(_edit(_shift(-1, editorial.UP))), methods=["POST"]),
    Route("/next/down", _action(_edit(_shift(1, editorial.DOWN))), methods=["POST"]),
    Route("/next/approve", _action(_approve), methods=["POST"]),
    Route("/next/baseline", _action(_baseline), methods=["POST"]),
]
