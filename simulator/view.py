"""What a family's request handlers see of their site: published pages, chrome, responses.

The families are pure markup; everything stateful (which pages are published, the visit
counter, how bytes are encoded and labelled) goes through this one object per site.
"""

from __future__ import annotations

import itertools
from typing import Any, Protocol
from urllib.parse import quote

import jinja2
from aiohttp import web

from simulator.catalog import Page, newest_first
from simulator.files import FileBlob
from simulator.render import NAV, footer
from simulator.sites import SiteSpec
from simulator.urls import stable_int


class WebState(Protocol):
    """The part of GovWeb the sites read: what is published right now."""

    def published_pages(self, site: SiteSpec) -> list[Page]: ...

    def published_page(self, key: str) -> Page | None: ...

    def published_file(self, key: str) -> FileBlob | None: ...

    def base_url(self, site_name: str) -> str: ...


class SiteView:
    """One site's window on the simulated web."""

    def __init__(self, site: SiteSpec, state: WebState, env: jinja2.Environment) -> None:
        self.site = site
        self.state = state
        self.env = env
        self.footer = footer(site)
        # Visit counters on real sites start high and move on every hit, so pages never
        # hash the same twice: a trap for naive change detection.
        self._visits = itertools.count(stable_int(site.name, "visits", lo=1_000_000, hi=30_000_000))

    def rows(self) -> list[Page]:
        """Published pages of the site, newest first (the listing order)."""
        return newest_first(self.state.published_pages(self.site))

    def page(self, key: str) -> Page | None:
        page = self.state.published_page(key)
        return page if page is not None and page.site == self.site else None

    def file(self, key: str) -> FileBlob | None:
        return self.state.published_file(key)

    def render(self, template: str, **ctx: Any) -> str:
        return self.env.get_template(template).render(
            site=self.site,
            footer=self.footer,
            nav=NAV,
            visits=next(self._visits),
            base=f"{self.site.family}/base.html",
            listing_href=self.site.listing_path,
            **ctx,
        )

    def html(self, text: str, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
        """HTML in the site's encoding, labelled with the site's (possibly wrong) Content-Type."""
        body = text.encode(self.site.encoding, errors="xmlcharrefreplace")
        return web.Response(
            body=body, status=status, headers={"Content-Type": self.site.content_type, **(headers or {})}
        )

    def not_found(self) -> web.Response:
        return self.html(self.render("common/404.html", title="404"), status=404)

    def file_response(self, blob: FileBlob, *, disposition: bool = False) -> web.Response:
        headers = {"Content-Type": blob.content_type}
        if disposition:
            headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(blob.filename)}"
        return web.Response(body=blob.data, headers=headers)
