"""瑞数 ($_ts) in front of a TRS site: a 412 whose script computes the cookie the retry must carry.

As the reference describes it (gov-sites.md §3.1; NMPA, NHC, customs, provincial portals): the
first GET answers **412** with ``Set-Cookie: <name>S=6…`` and a few KB holding
``<meta id=… content=<seed> r='m'>``, the ``$_ts`` script (``nsd``, ``cd``), a
``<script src="/<rand>/<rand>.<hash>.js" r='m'>`` and, after ``</html>``, ``_$xx();``. The
external script computes the ``<name>T`` cookie and reloads; only a request carrying both the
``S`` and the right ``T`` cookie gets the page. A client that only replays ``Set-Cookie`` (no
JavaScript) is answered 412 again.

The computation here is the simulation's own (SHA-256 of the meta seed and ``nsd``, by
``crypto.subtle``), not the vendor's virtual machine: what matters is that it needs a browser.
"""

from __future__ import annotations

import hashlib

from aiohttp import web

from simulator.failures import Handler, challenge_cookie
from simulator.families.trs import TrsFamily
from simulator.urls import digest, stable_int
from simulator.view import SiteView

STATUS = 412


class RsFamily(TrsFamily):
    """TRS pages (listings, details, files) behind the 瑞数 gate."""

    name = "rs"

    def add_routes(self, app: web.Application, view: SiteView) -> None:
        site = view.site
        s_name, s_value = challenge_cookie(site)
        t_name = s_name[:-1] + "T"
        h = digest(site.name, "rs")
        seed, nsd = digest(h, "seed") * 3, stable_int(h, "nsd", hi=99999)
        script_path = f"/{h[10:22]}/{h[22:32]}.{h[:10]}.js"
        t_value = hashlib.sha256(f"{seed}{nsd}".encode()).hexdigest()
        challenge = view.env.get_template("common/challenge_412.html").render(
            meta_id=h[:10],
            meta_seed=seed,
            nsd=nsd,
            cd=digest(h, "cd") * 8,
            js_dir=h[10:22],
            js_name=h[22:32],
            js_hash=h[:10],
        )
        solver = view.env.get_template("rs/solver.js").render(t_name=t_name)

        @web.middleware
        async def gate(request: web.Request, handler: Handler) -> web.StreamResponse:
            if request.path.startswith("/__sim__/"):
                return await handler(request)
            if request.path == script_path:
                return web.Response(text=solver, content_type="application/javascript")
            if request.cookies.get(s_name) == s_value and request.cookies.get(t_name) == t_value:
                return await handler(request)
            response = web.Response(status=STATUS, text=challenge, content_type="text/html")
            response.set_cookie(s_name, s_value, path="/", httponly=True, max_age=3600)
            response.set_cookie("enable_" + s_name, "true", path="/")
            return response

        app.middlewares.append(gate)
        super().add_routes(app, view)
