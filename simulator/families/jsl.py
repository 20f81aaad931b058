"""加速乐 (Jiasule) in front of a TRS site: two 521 script rounds before any page is served.

As the reference describes it (gov-sites.md §3.2; MIIT 2021-22, Hefei):

1. no clearance → **521**, ``Set-Cookie: __jsluid_h`` (``_s`` over https) and a bare script
   whose obfuscated ``document.cookie=…`` sets a first ``__jsl_clearance`` (``<unix.ms>|0|<b64>``)
   and reloads with ``location.href=location.pathname+location.search``;
2. that first clearance → **521** with ``go({"bts":[a,b],"chars":…,"ct":…,"ha":…,"tn":…})``: the
   client finds the two chars c1, c2 with ``ha(a+c1+c2+b) == ct``, sets ``tn=a+c1+c2+b``, reloads;
3. the solved clearance (with the same ``__jsluid``) → the page.

Only a client that runs the scripts passes; a retry carrying the cookies gets step 1 or 2 again.
The puzzle is written here for the simulation (no vendor code): the hash is SHA-1 or SHA-256,
which a browser computes with ``crypto.subtle``.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from base64 import b64encode

from aiohttp import web

from simulator.failures import Handler
from simulator.families.trs import TrsFamily
from simulator.urls import digest, stable_int
from simulator.view import SiteView

STATUS = 521
PUZZLE_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
HASHES = ("sha1", "sha256")
CLEARANCE_AGE = 3600
FIRST_CLEARANCE = re.compile(r"^\d{10}\.\d{3}\|0\|[A-Za-z0-9+/=%]+$")
"""The shape of the step-1 clearance (``<unix.ms>|0|<b64>``)."""


def cookie_names(secure: bool) -> tuple[str, str]:
    """(session, clearance) cookie names: ``_s`` over https, ``_h``/bare over http."""
    return ("__jsluid_s", "__jsl_clearance_s") if secure else ("__jsluid_h", "__jsl_clearance")


def puzzle(site_name: str, session: str) -> dict[str, object]:
    """The step-2 ``go({...})`` parameters of one session, and (under ``answer``) its solution."""
    h = digest(site_name, session, "jsl")
    a, b = h[:22], h[22:]
    c1 = PUZZLE_CHARS[stable_int(h, "c1", hi=len(PUZZLE_CHARS))]
    c2 = PUZZLE_CHARS[stable_int(h, "c2", hi=len(PUZZLE_CHARS))]
    ha = HASHES[stable_int(site_name, "ha", hi=len(HASHES))]
    answer = a + c1 + c2 + b
    return {
        "bts": [a, b],
        "chars": PUZZLE_CHARS,
        "ct": hashlib.new(ha, answer.encode()).hexdigest(),
        "ha": ha,
        "vt": str(CLEARANCE_AGE),
        "answer": answer,
    }


def obfuscated(text: str, seed: str) -> str:
    """A JavaScript expression evaluating to ``text``: literal pieces and ``String.fromCharCode`` runs."""
    parts, i = [], 0
    while i < len(text):
        n = 2 + stable_int(seed, i, hi=4)
        piece = text[i : i + n]
        if stable_int(seed, "kind", i, hi=2):
            parts.append("String.fromCharCode(" + ",".join(str(ord(c)) for c in piece) + ")")
        else:
            parts.append("(" + json.dumps(piece) + ")")
        i += n
    return "+".join(parts)


class JslFamily(TrsFamily):
    """TRS pages (listings, details, files) behind the 加速乐 gate."""

    name = "jsl"

    def add_routes(self, app: web.Application, view: SiteView) -> None:
        app.middlewares.append(self._gate(view))
        super().add_routes(app, view)

    def _gate(self, view: SiteView):
        site = view.site

        @web.middleware
        async def gate(request: web.Request, handler: Handler) -> web.StreamResponse:
            if request.path.startswith("/__sim__/"):
                return await handler(request)
            session_name, clearance_name = cookie_names(request.secure)
            session = request.cookies.get(session_name)
            clearance = request.cookies.get(clearance_name, "")
            if session and clearance == puzzle(site.name, session)["answer"]:
                return await handler(request)
            if session and FIRST_CLEARANCE.match(clearance):
                return self._puzzle(view, site.name, session, clearance_name)
            response = self._first(view, clearance_name)
            if not session:
                session = digest(site.name, "jsluid", request.remote, time.time())
                response.set_cookie(session_name, session, max_age=CLEARANCE_AGE, path="/", httponly=True)
            return response

        return gate

    def _first(self, view: SiteView, clearance_name: str) -> web.Response:
        stamp = f"{time.time():.3f}"
        token = b64encode(digest(stamp, "jsl-first").encode()).decode()
        cookie = f"{clearance_name}={stamp}|0|{token};max-age={CLEARANCE_AGE};path=/"
        script = view.env.get_template("jsl/first.html").render(expression=obfuscated(cookie, stamp))
        return web.Response(status=STATUS, text=script, content_type="text/html")

    def _puzzle(self, view: SiteView, site_name: str, session: str, clearance_name: str) -> web.Response:
        params = {k: v for k, v in puzzle(site_name, session).items() if k != "answer"}
        params["tn"] = clearance_name
        text = view.env.get_template("jsl/puzzle.html").render(params=json.dumps(params))
        return web.Response(status=STATUS, text=text, content_type="text/html")
