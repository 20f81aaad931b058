"""TRS WCM (拓尔思): static ``index.html``/``index_1.html`` lists with ``createPageHTML``,
t-date detail pages with the guideline metas and ``./P0….pdf`` attachments beside them.

Per-site markup variants follow the selectors the reference reports for each ministry.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from simulator.catalog import Page
from simulator.families.base import Family, Row, article_context, serve_listing_paths
from simulator.news import EXTERNAL_LINKS
from simulator.urls import page_dir, relative_href
from simulator.view import SiteView


@dataclass(frozen=True)
class TrsStyle:
    index_ext: str = "html"
    list_class: str = "list"
    row: str = "a-span"
    """a-span: ``li > a + span``; span-a: ``li > span.date + a``; a>span: span inside a; table."""
    date_class: str = ""
    date_fmt: str = "%Y-%m-%d"
    body: str = "trs_editor"
    """trs_editor: ``div.article_con > div.TRS_Editor``; zoom: ``#Zoom`` + ContentStart/End metas;
    fontzoom: ``#fontzoom`` (chinatax); tys-main: ``div.tys-main`` (Hunan)."""
    cut: int = 30
    title_docno: bool = False
    """NDRC appends ``(文号)`` to the visible title and the ArticleTitle meta."""
    external: int | None = None
    """Index of an EXTERNAL_LINKS row mixed into the first page."""
    stub_after_last: bool = False
    """The page after the last answers 200 with a ~350 B empty shell (stale TRS index_N files),
    so a crawler must stop on an empty page, not only on a 404."""


STYLES: dict[str, TrsStyle] = {
    "ndrc": TrsStyle(list_class="u-list", date_fmt="%Y/%m/%d", title_docno=True),
    "mee": TrsStyle(index_ext="shtml", row="span-a", date_class="date", stub_after_last=True),
    "most": TrsStyle(
        list_class="info_list2", date_class="date", body="zoom", external=1, stub_after_last=True
    ),
    "chinatax": TrsStyle(list_class="list whlist", body="fontzoom", external=0),
    "gxt-hunan": TrsStyle(row="table", body="tys-main"),
    "gxt-ln": TrsStyle(index_ext="shtml", date_class="date"),
    "kxjs-tj": TrsStyle(list_class="news_list news_list2", row="a>span", date_class="time", body="zoom"),
    "stic-sz": TrsStyle(list_class="list-main", date_class="date"),
    "gxt-fujian": TrsStyle(index_ext="htm", date_class="date"),
}


def style_of(site_name: str) -> TrsStyle:
    return STYLES.get(site_name, TrsStyle())


class TrsFamily(Family):
    name = "trs"

    def add_routes(self, app: web.Application, view: SiteView) -> None:
        style = style_of(view.site.name)
        for listing_path in view.site.listing_paths:
            self._add_column(app, view, style, listing_path)

    def _add_column(self, app: web.Application, view: SiteView, style: TrsStyle, listing_path: str) -> None:
        """One column's ``index.html``, ``index_1.html`` …: its rows link relative to its own folder."""
        directory = listing_path.rsplit("/", 1)[0] + "/"

        async def first(_: web.Request) -> web.Response:
            return self._listing(view, style, 0, directory)

        async def nth(request: web.Request) -> web.Response:
            return self._listing(view, style, int(request.match_info["n"]), directory)

        for path in {*serve_listing_paths(listing_path), f"{directory}index.{style.index_ext}"}:
            app.router.add_get(path, first)
        app.router.add_get(directory + r"index_{n:\d+}." + style.index_ext, nth)

    def _listing(self, view: SiteView, style: TrsStyle, page_no: int, directory: str) -> web.Response:
        site = view.site
        pages = view.rows()
        size = site.rows_per_page
        count = max(1, -(-len(pages) // size))
        if page_no == count and style.stub_after_last:
            return view.html(view.env.get_template("trs/stub.html").render(site=site, style=style))
        if page_no >= count:
            return view.not_found()
        chunk = pages[page_no * size : (page_no + 1) * size]
        rows = [
            Row(
                href=relative_href(directory, p.path),
                title=p.title,
                date=p.day.strftime(style.date_fmt),
                index_no=f"{site.site_id_code[-6:]}/{p.day.year}-{p.serial % 100000:05d}",
            )
            for p in chunk
        ]
        if page_no == 0 and style.external is not None and len(rows) > 3:
            title, url = EXTERNAL_LINKS[style.external]
            rows.insert(3, Row(href=url, title=title, date=rows[3].date))
        html = view.render(
            "trs/listing.html", style=style, rows=rows, page_no=page_no, page_count=count, title=site.column
        )
        return view.html(html)

    def detail(self, view: SiteView, page: Page) -> web.Response:
        style = style_of(view.site.name)
        ctx = article_context(view, page)
        doc_number = page.seed.doc_number if page.seed else None
        shown = f"{page.title}({doc_number})" if style.title_docno and doc_number else page.title
        here = page_dir(page.path)
        files = [(relative_href(here, a.path), a.filename) for a in page.attachments if a.path]
        html = view.render(
            "trs/detail.html",
            style=style,
            shown_title=shown,
            files=files,
            title=shown,
            catalog_id=str(1000 + page.serial % 9000),
            **ctx,
        )
        return view.html(html)
