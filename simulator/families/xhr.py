"""A listing built by JavaScript: the column page is an empty shell whose script fetches the
entries from a JSON endpoint (XHR) and writes the list into the page.

Modelled on chinatax's 法规库 (gov-sites.md §1A, §2 "Other"): a layui shell carrying a
``channelId`` that POSTs ``{codeId, channelId, page, size}`` to ``getFileListByCodeId`` and reads
``results.data.results[]``. The HTML holds no entry at all: only a client that runs the script
sees the notices. Detail pages are TRS pages.
"""

from __future__ import annotations

import json

from aiohttp import web

from simulator.families.base import serve_listing_paths
from simulator.families.trs import TrsFamily
from simulator.urls import digest
from simulator.view import SiteView

API = "/getFileListByCodeId"


def _json(data: object, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))


class XhrFamily(TrsFamily):
    name = "xhr"

    def add_routes(self, app: web.Application, view: SiteView) -> None:
        channel = digest(view.site.name, "channelId")

        async def shell(_: web.Request) -> web.Response:
            size, column = view.site.rows_per_page, view.site.column
            html = view.render("xhr/listing.html", api=API, channel=channel, size=size, title=column)
            return view.html(html)

        async def entries(request: web.Request) -> web.Response:
            try:
                query = json.loads(await request.text())
                page, size = max(1, int(query["page"])), max(1, int(query["size"]))
            except (ValueError, TypeError, KeyError):
                return _json({"code": 400, "msg": "参数错误", "results": None}, status=400)
            if query.get("channelId") != channel:
                return _json({"code": 404, "msg": "栏目不存在", "results": None}, status=404)
            rows = view.rows()
            chunk = rows[(page - 1) * size : page * size]
            results = [
                {"title": p.title, "url": p.path, "publishedTimeStr": p.day.isoformat()} for p in chunk
            ]
            data = {"total": len(rows), "results": results}
            return _json({"code": 200, "msg": "成功", "results": {"data": data}})

        for path in serve_listing_paths(view.site.listing_path):
            app.router.add_get(path, shell)
        app.router.add_post(API, entries)
