"""Hanweb 大汉 jcms: column pages whose list is a CDATA ``<datastore>`` inside
``<script type="text/xml">``, more records via ``/module/web/jpage/dataproxy.jsp``, detail
pages with a 公开目录 ``table.xxgk_table`` and ``downfile.jsp`` attachments.

CNIPA's data proxy pages on; Shandong's answers an empty datastore (the reference: only
page 0 is reachable there), so its column page embeds the whole first group of 45.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from aiohttp import web

from simulator.body import body_blocks
from simulator.catalog import Page
from simulator.families.base import Family, site_listing_paths
from simulator.view import SiteView

DATAPROXY_PATHS = ("/module/web/jpage/dataproxy.jsp", "/module/jpage/dataproxy.jsp")
GROUP = 45
"""Records per data-proxy call (3 pages of 15), as on the real jcms."""


@dataclass(frozen=True)
class HanwebStyle:
    column_id: str
    unit_id: str
    web_id: str
    embed: int
    """Records embedded in the column page."""
    proxy_works: bool
    record: str
    """plain: ``<li><a/><span>date</span></li>``; shandong: ``li div.text h3 a`` + ``div.bottom span``."""
    dept: str = "办公室"


STYLES: dict[str, HanwebStyle] = {
    "sipo": HanwebStyle(
        column_id="74", unit_id="669", web_id="1", embed=15, proxy_works=True, record="plain"
    ),
    "gxt-shandong": HanwebStyle(
        column_id="15201",
        unit_id="56291",
        web_id="17",
        embed=GROUP,
        proxy_works=False,
        record="shandong",
        dept="产业政策处",
    ),
}


def style_of(site_name: str) -> HanwebStyle:
    return STYLES.get(site_name) or HanwebStyle("1", "1", "1", 15, True, "plain")


def _index_no(site_id_code: str, page: Page) -> str:
    """索引号 in the 公开目录 shape ``000014349/2019-00037``."""
    digits = "".join(filter(str.isdigit, site_id_code))
    return f"{digits:0>9}/{page.day.year}-{page.serial % 100000:05d}"


class HanwebFamily(Family):
    name = "hanweb"

    def add_routes(self, app: web.Application, view: SiteView) -> None:
        style = style_of(view.site.name)

        async def column(_: web.Request) -> web.Response:
            return self._column(view, style)

        async def proxy(request: web.Request) -> web.Response:
            return await self._dataproxy(view, style, request)

        for path in site_listing_paths(view.site):
            app.router.add_get(path, column)
        for path in DATAPROXY_PATHS:
            app.router.add_route("POST", path, proxy)
            app.router.add_get(path, proxy)

    def _records(self, view: SiteView, style: HanwebStyle, pages: list[Page]) -> list[str]:
        template = view.env.get_template("hanweb/record.html")
        return [template.render(p=p, style=style).strip() for p in pages]

    def _column(self, view: SiteView, style: HanwebStyle) -> web.Response:
        pages = view.rows()
        nextgroup = (
            f"/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid={style.web_id}&path=/"
            f"&columnid={style.column_id}&unitid={style.unit_id}"
            f"&webname={quote(view.site.site_name)}&permissiontype=0"
        )
        html = view.render(
            "hanweb/column.html",
            style=style,
            records=self._records(view, style, pages[: style.embed]),
            total=len(pages),
            per_page=view.site.rows_per_page,
            nextgroup=nextgroup,
            declaration=False,
            title=view.site.column,
        )
        return view.html(html)

    async def _dataproxy(self, view: SiteView, style: HanwebStyle, request: web.Request) -> web.Response:
        q = request.query
        form = await request.post() if request.method == "POST" else {}
        try:
            start = max(1, int(q.get("startrecord", "1")))
            end = int(q.get("endrecord", str(start + GROUP - 1)))
        except ValueError:
            return web.Response(status=400, text="bad request")
        column = form.get("columnid") or q.get("columnid") or style.column_id
        pages = view.rows() if style.proxy_works and column == style.column_id else []
        xml = view.env.get_template("hanweb/datastore.xml").render(
            records=self._records(view, style, pages[start - 1 : end]),
            total=len(pages),
            nextgroup="",
            declaration=True,
        )
        return web.Response(text=xml, content_type="text/xml", charset="utf-8")

    def detail(self, view: SiteView, page: Page) -> web.Response:
        style = style_of(view.site.name)
        links = [a.path for a in page.attachments]
        seed = page.seed
        html = view.render(
            "hanweb/detail.html",
            style=style,
            page=page,
            blocks=body_blocks(page),
            links=links,
            issuer="、".join(seed.signers) if seed and seed.signers else view.site.agency,
            written=seed.date if seed and seed.date else str(page.day),
            index_no=_index_no(view.site.site_id_code, page),
            title=page.title,
        )
        return view.html(html)
