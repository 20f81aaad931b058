"""jpaas 集约化 (MIIT, Zhejiang): the column page is a shell; its list comes from the
``/api-gateway/jpaas-publish-server/front/page/build/unit`` JSON API, which wants a Referer.

The shell's ``<script parseType=… querydata="{'webId':…}">`` carries the API parameters in
single quotes, as the real one does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

from aiohttp import web

from simulator.catalog import Page
from simulator.families.base import Family, article_context, site_listing_paths
from simulator.urls import digest
from simulator.view import SiteView

UNIT_API = "/api-gateway/jpaas-publish-server/front/page/build/unit"
PARSE_TYPES = ("bulidstatic", "buildstatic")


@dataclass(frozen=True)
class JpaasStyle:
    tag_id: str
    parse_type: str
    web_id: str
    page_id: str
    tpl_set_id: str


def style_of(site_name: str) -> JpaasStyle:
    tag, parse = {"jxj-ningbo": ("信息列表", "buildstatic")}.get(site_name, ("当前栏目_list", "bulidstatic"))
    return JpaasStyle(
        tag_id=tag,
        parse_type=parse,
        web_id=digest(site_name, "webId"),
        page_id=digest(site_name, "pageId"),
        tpl_set_id=digest(site_name, "tplSetId"),
    )


def _error(status: int, message: str) -> web.Response:
    body = {"success": False, "code": str(status), "message": message, "data": None}
    return web.json_response(body, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))


class JpaasFamily(Family):
    name = "jpaas"

    def add_routes(self, app: web.Application, view: SiteView) -> None:
        style = style_of(view.site.name)

        async def shell(_: web.Request) -> web.Response:
            return view.html(
                view.render("jpaas/shell.html", style=style, api=UNIT_API, title=view.site.column)
            )

        async def unit(request: web.Request) -> web.Response:
            return self._unit(view, style, request)

        for path in site_listing_paths(view.site):
            app.router.add_get(path, shell)
        app.router.add_get(UNIT_API, unit)

    def _unit(self, view: SiteView, style: JpaasStyle, request: web.Request) -> web.Response:
        if not request.headers.get("Referer"):
            return _error(403, "非法请求")
        q = request.query
        expected = {"webId": style.web_id, "pageId": style.page_id, "tagId": style.tag_id}
        if q.get("parseType") not in PARSE_TYPES or any(q.get(k) != v for k, v in expected.items()):
            return _error(500, "参数错误")
        try:
            params = json.loads(q.get("paramJson") or "{}")
            page_no = max(1, int(params.get("pageNo", 1)))
            size = max(1, int(params.get("pageSize", view.site.rows_per_page)))
        except (ValueError, TypeError, AttributeError):
            return _error(500, "paramJson格式错误")
        pages = view.rows()
        chunk = pages[(page_no - 1) * size : page_no * size]
        html = view.env.get_template("jpaas/unit_list.html").render(
            rows=chunk, count=len(pages), page_no=page_no, size=size
        )
        body = {"success": True, "code": "200", "message": "操作成功", "data": {"html": html.strip()}}
        return web.json_response(body, dumps=lambda o: json.dumps(o, ensure_ascii=False))

    def detail(self, view: SiteView, page: Page) -> web.Response:
        ctx = article_context(view, page)
        # MIIT's metas give the publish time to the second and the edit time a day earlier:
        # neither matches the visible 发布时间 exactly.
        ctx["pubdate"] = f"{ctx['pubdate']}:{page.serial % 60:02d}"
        links = [a.path for a in page.attachments]
        html = view.render(
            "jpaas/detail.html",
            links=links,
            maketime=f"{page.day - timedelta(days=1)} 17:{page.serial % 60:02d}:00",
            title=page.title,
            **ctx,
        )
        return view.html(html)
