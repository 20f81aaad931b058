"""A city bureau whose 工作动态 column mixes its notices with its news: meetings, training
courses and 举办 reports whose titles carry the same green words as its notices. Both kinds
share one URL pattern, one breadcrumb and one page template (发布时间, 来源, 责任编辑).
"""

from __future__ import annotations

from aiohttp import web

from simulator.body import body_blocks
from simulator.catalog import Page
from simulator.families.base import Family, add_plain_listing
from simulator.urls import stable_int
from simulator.view import SiteView

_EDITORS = ("沈晓燕", "王建平", "李慧", "周敏")


class NewsroomFamily(Family):
    name = "newsroom"

    def add_routes(self, app: web.Application, view: SiteView) -> None:
        add_plain_listing(app, view, "newsroom/listing.html")

    def detail(self, view: SiteView, page: Page) -> web.Response:
        html = view.render(
            "newsroom/detail.html",
            page=page,
            blocks=body_blocks(page),
            links=[a.path for a in page.attachments],
            editor=_EDITORS[stable_int(page.path, hi=len(_EDITORS))],
            title=page.title,
        )
        return view.html(html)
