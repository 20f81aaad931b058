"""The aiohttp application of one simulated site: family routes, pages, files, 404s, control."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Protocol

from aiohttp import web

from simulator.catalog import PDF_ONLY
from simulator.failures import failure_middleware
from simulator.families import Family
from simulator.urls import route_key
from simulator.view import SiteView

#: Download endpoints answer with Content-Disposition, as real downfile.jsp/download.jsp do.
_DOWNLOADERS = ("downfile.jsp", "download.jsp")


class Control(Protocol):
    """The simulator operations another process may drive over HTTP."""

    def publish(self, n: int = 1) -> list[dict[str, Any]]: ...

    def state(self) -> dict[str, Any]: ...


def _json(data: object) -> web.Response:
    return web.json_response(data, dumps=lambda o: json.dumps(o, ensure_ascii=False, indent=1))


def build_app(
    view: SiteView, family: Family, control: Control, mode: Callable[[], str | None]
) -> web.Application:
    site = view.site
    app = web.Application(middlewares=[failure_middleware(site, mode, view.env)])

    async def publish(request: web.Request) -> web.Response:
        try:
            n = int(request.query.get("n", "1"))
        except ValueError:
            return web.Response(status=400, text="n must be an integer")
        return _json(control.publish(n))

    async def state(_: web.Request) -> web.Response:
        return _json(control.state())

    async def resource(request: web.Request) -> web.StreamResponse:
        for old, new in site.redirects:
            if request.path == old:
                raise web.HTTPMovedPermanently(new)
        if request.path == "/" or request.path in ("/index.html", "/index.htm", "/index.shtml"):
            return family.home(view)
        key = route_key(request.path, list(request.query.items()))
        # Static servers ignore a query string on a page path; files need theirs (downfile.jsp?…).
        page = view.page(key) or view.page(request.path)
        if page is not None and page.kind != PDF_ONLY:
            return family.detail(view, page)
        blob = view.file(key)
        if blob is not None:
            return view.file_response(blob, disposition=request.path.endswith(_DOWNLOADERS))
        return view.not_found()

    app.router.add_post("/__sim__/publish", publish)
    app.router.add_get("/__sim__/state", state)
    family.add_routes(app, view)
    app.router.add_get("/{tail:.*}", resource)
    return app
