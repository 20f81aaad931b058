"""Anhui's government site platform: column lists come from the ``/site/label/8888`` endpoint.

The column page asks ``/site/label/8888?labelName=…&isJson=true&isForPage=true&pageSize=N&pageIndex=N``
and gets ``{"data": {"data": [{"title", "link", "createDate"}…], "total": N}}`` (gov-sites.md §2
"Other"; the shape of www.huaibei.gov.cn's label in public code, idx:43644738399 and idx:44092773352).
The article pages themselves stay the site's family's (static pages, here the legacy layout).
"""

from __future__ import annotations

import json

from aiohttp import web

from simulator.view import SiteView

ANHUI_LABEL = "anhui-label"
LABEL_PAGE_SIZE = 15
"""Rows when the call names no ``pageSize`` (the platform's lists show 15-20)."""
MAX_PAGE_SIZE = 100
"""The platform caps a page; asking for more gets this many."""


def add_label_routes(app: web.Application, view: SiteView) -> None:
    """The label endpoint at the site's listing path (``/site/label/8888``)."""

    async def label(request: web.Request) -> web.Response:
        try:
            index = max(1, int(request.query.get("pageIndex") or 1))
            size = min(MAX_PAGE_SIZE, max(1, int(request.query.get("pageSize") or LABEL_PAGE_SIZE)))
        except ValueError:
            return web.json_response({"data": None, "msg": "参数错误"}, status=400)
        if request.query.get("isJson") != "true":
            return web.Response(status=400, text="isJson=true expected")
        pages = view.rows()
        chunk = pages[(index - 1) * size : index * size]
        rows = [{"title": p.title, "link": p.path, "createDate": p.day.isoformat()} for p in chunk]
        body = {"data": {"data": rows, "total": len(pages), "pageIndex": index, "pageSize": size}}
        return web.json_response(body, dumps=lambda o: json.dumps(o, ensure_ascii=False))

    for path in view.site.listing_paths:
        app.router.add_get(path, label)
