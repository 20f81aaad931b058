"""Optional failure modes, switchable per site for tests (all off by default).

* ``status=500``: every request answers an nginx 500 page.
* ``412``: a 瑞数 ($_ts) style challenge. The first request gets 412, a ``…S`` cookie and
  the challenge body; a retry carrying that cookie is served normally. (The real one also
  wants a JS-computed ``…T`` cookie; the simulation accepts the retry with the ``S`` one.)

The ``/__sim__/`` control endpoints are never affected.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import jinja2
from aiohttp import web

from simulator.sites import SiteSpec
from simulator.urls import digest, stable_int

SERVER_ERROR = "status=500"
CHALLENGE = "412"
_ALIASES = {
    "500": SERVER_ERROR,
    "status=500": SERVER_ERROR,
    "412": CHALLENGE,
    "status=412": CHALLENGE,
    "ruishu": CHALLENGE,
    "瑞数": CHALLENGE,
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def normalise(mode: str | None) -> str | None:
    """Canonical mode name; None (or empty) means no failure."""
    if not mode:
        return None
    try:
        return _ALIASES[mode.strip().lower()]
    except KeyError:
        raise ValueError(f"unknown failure mode {mode!r}; use one of {sorted(_ALIASES)}") from None


def challenge_cookie(site: SiteSpec) -> tuple[str, str]:
    """(name, value) of the site's 瑞数 cookie: ~12 random-looking chars ending in S, value 60…"""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    h = digest(site.name, "ts-cookie")
    name = "".join(alphabet[int(h[i : i + 2], 16) % len(alphabet)] for i in range(0, 24, 2)) + "S"
    return name, "60" + digest(site.name, "ts-value")


def failure_middleware(site: SiteSpec, mode: Callable[[], str | None], env: jinja2.Environment):
    """aiohttp middleware applying the site's current failure mode."""
    cookie_name, cookie_value = challenge_cookie(site)

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        current = mode()
        if current is None or request.path.startswith("/__sim__/"):
            return await handler(request)
        if current == SERVER_ERROR:
            return web.Response(
                status=500, text=env.get_template("common/500.html").render(), content_type="text/html"
            )
        if request.cookies.get(cookie_name) == cookie_value:
            return await handler(request)
        h = digest(site.name, request.path)
        body = env.get_template("common/challenge_412.html").render(
            meta_id=h[:10],
            meta_seed=h * 3,
            nsd=stable_int(h, hi=99999),
            cd=digest(h, "cd") * 8,
            js_dir=h[10:22],
            js_name=h[22:34],
            js_hash=h[:10],
        )
        resp = web.Response(status=412, text=body, content_type="text/html")
        resp.set_cookie(cookie_name, cookie_value, path="/", httponly=True, max_age=3600)
        resp.set_cookie("enable_" + cookie_name, "true", path="/")
        return resp

    return middleware
