"""Guangdong's 政府信息公开 platform (gkmlpt): a 公开目录 table (索引号, 发布机构, 成文日期, 名称,
文号) above ``div.article-content``, attachments in their own block under the body, and the
directory as a table of 名称 / 文号 / 发布日期 at ``/gkmlpt/index``.
"""

from __future__ import annotations

from aiohttp import web

from simulator.body import body_blocks
from simulator.catalog import Page
from simulator.families.base import Family, Row, site_listing_paths
from simulator.view import SiteView


def _index_no(view: SiteView, page: Page) -> str:
    """索引号 as gkmlpt prints it: the agency's credit code, the year and a serial."""
    return f"11{view.site.site_id_code}MB2C/{page.day.year}-{page.serial % 100000:05d}"


class GkmlptFamily(Family):
    name = "gkmlpt"

    def add_routes(self, app: web.Application, view: SiteView) -> None:
        async def listing(_: web.Request) -> web.Response:
            rows = [
                Row(
                    href=p.path,
                    title=p.title,
                    date=p.day.isoformat(),
                    index_no=(p.seed.doc_number or "") if p.seed else "",
                )
                for p in view.rows()
            ]
            return view.html(view.render("gkmlpt/listing.html", rows=rows, title=view.site.column))

        for path in site_listing_paths(view.site):
            app.router.add_get(path, listing)

    def detail(self, view: SiteView, page: Page) -> web.Response:
        seed = page.seed
        html = view.render(
            "gkmlpt/detail.html",
            page=page,
            blocks=body_blocks(page),
            files=[(a.path, a.filename) for a in page.attachments if a.path],
            index_no=_index_no(view, page),
            written=seed.date if seed and seed.date else page.day.isoformat(),
            doc_number=(seed.doc_number or "") if seed else "",
            title=page.title,
        )
        return view.html(html)
