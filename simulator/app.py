"""The aiohttp application of one simulated site: family routes, pages, files, 404s, control."""

from __future__ import annotations

import json
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

from aiohttp import web

from simulator.catalog import PDF_ONLY
from simulator.failures import Handler, failure_middleware
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


@web.middleware
async def conditional_get(request: web.Request, handler: Handler) -> web.StreamResponse:
    """304 Not Modified for a GET whose validators match the page's, as nginx answers for a static
    file: ``If-None-Match`` first, ``If-Modified-Since`` only without it (RFC 9110 §13.2.2)."""
    response = await handler(request)
    etag, modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
    if request.method != "GET" or response.status != 200 or etag is None:
        return response
    asked = request.headers.get("If-None-Match")
    if asked is not None:
        unchanged = asked.strip() == "*" or etag in (tag.strip() for tag in asked.split(","))
    else:
        unchanged = _not_after(modified, request.headers.get("If-Modified-Since"))
    if not unchanged:
        return response
    return web.Response(
        status=304, headers={"ETag": etag, **({"Last-Modified": modified} if modified else {})}
    )


def _not_after(modified: str | None, since: str | None) -> bool:
    if not modified or not since:
        return False
    try:
        return parsedate_to_datetime(modified) <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False  # an unreadable date: send the page


def build_app(
    view: SiteView, family: Family, control: Control, mode: Callable[[], str | None]
) -> web.Application:
    site = view.site
    app = web.Application(middlewares=[conditional_get, failure_middleware(site, mode, view.env)])

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
