"""Old table-layout sites (pre-集约化 provincial and city bureaus).

GB2312/GBK bytes, no guideline metas, ``<table>`` lists with ``[2019-09-10]`` dates, pages
via ``?page=N``, and the clutter the reference warns about: ``javascript:void(0)`` rows,
``#`` anchors and links to other hosts. The Content-Type header is the site's own and may
contradict the ``<meta>`` (see ``SiteSpec.content_type``).
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from simulator.body import body_blocks
from simulator.catalog import Page
from simulator.families.anhui import ANHUI_LABEL, add_label_routes
from simulator.families.base import Family, Row, serve_listing_paths
from simulator.news import EXTERNAL_LINKS, VOID_TITLES
from simulator.view import SiteView


@dataclass(frozen=True)
class LegacyStyle:
    date_fmt: str = "[%Y-%m-%d]"
    external: int = 0
    """Index of the EXTERNAL_LINKS row mixed into the first page."""
    cut: int = 28


STYLES: dict[str, LegacyStyle] = {
    "jxj-huabei": LegacyStyle(date_fmt="(%Y-%m-%d)", external=2),
    "kjt-shanxi": LegacyStyle(date_fmt="%Y.%m.%d", external=1),
    "gxt-yn": LegacyStyle(date_fmt="%Y-%m-%d"),
    "jjxxw-cq": LegacyStyle(external=2),
}

VOID = "javascript:void(0)"


def style_of(site_name: str) -> LegacyStyle:
    return STYLES.get(site_name, LegacyStyle())


class LegacyFamily(Family):
    name = "legacy"

    def add_routes(self, app: web.Application, view: SiteView) -> None:
        style = style_of(view.site.name)

        async def listing(request: web.Request) -> web.Response:
            try:
                page_no = int(request.query.get("page", "1"))
            except ValueError:
                page_no = 1
            return self._listing(view, style, page_no)

        if view.site.listing_api == ANHUI_LABEL:
            add_label_routes(app, view)
            return
        for listing_path in view.site.listing_paths:
            directory = listing_path.rsplit("/", 1)[0] + "/"
            for path in {*serve_listing_paths(listing_path), directory + "index.htm"}:
                app.router.add_get(path, listing)

    def _listing(self, view: SiteView, style: LegacyStyle, page_no: int) -> web.Response:
        site = view.site
        pages = view.rows()
        size = site.rows_per_page
        count = max(1, -(-len(pages) // size))
        if not 1 <= page_no <= count:
            return view.not_found()
        chunk = pages[(page_no - 1) * size : page_no * size]
        rows = [Row(href=p.path, title=p.title, date=p.day.strftime(style.date_fmt)) for p in chunk]
        if page_no == 1:
            for i, shape in zip((2, 6), VOID_TITLES, strict=True):
                if len(rows) > i:
                    rows.insert(i, Row(href=VOID, title=shape.format(agency=site.agency), date=rows[i].date))
            if len(rows) > 4:
                title, url = EXTERNAL_LINKS[style.external]
                rows.insert(4, Row(href=url, title=title, date=rows[4].date))
        html = view.render(
            "legacy/listing.html",
            style=style,
            rows=rows,
            page_no=page_no,
            page_count=count,
            total=len(pages),
            title=site.column,
        )
        return view.html(html)

    def detail(self, view: SiteView, page: Page) -> web.Response:
        html = view.render(
            "legacy/detail.html",
            page=page,
            blocks=body_blocks(page),
            links=[a.path for a in page.attachments],
            title=page.title,
        )
        return view.html(html)
