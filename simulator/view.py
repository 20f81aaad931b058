"""What a family's request handlers see of their site: published pages, chrome, responses.

The families are pure markup; everything stateful (which pages are published, the visit
counter, how bytes are encoded and labelled) goes through this one object per site.
"""

from __future__ import annotations

import hashlib
import itertools
import time
from email.utils import formatdate
from typing import Any, Protocol
from urllib.parse import quote

import jinja2
from aiohttp import web

from simulator.catalog import Page, newest_first
from simulator.files import FileBlob
from simulator.render import NAV, footer
from simulator.sites import SiteSpec
from simulator.urls import stable_int

VISITS_MARK = "\x00visits\x00"
"""Stands for the visit counter while a page is hashed."""


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
        self._etag: str | None = None
        """The ETag of the page just rendered, for ``html`` (called right after it, with no await between)."""
        self._written: dict[str, float] = {}
        """When each version of a page was first served: its Last-Modified, as a file's mtime would be."""

    def rows(self) -> list[Page]:
        """Published pages of the site, newest first (the listing order)."""
        return newest_first(self.state.published_pages(self.site))

    def page(self, key: str) -> Page | None:
        page = self.state.published_page(key)
        return page if page is not None and page.site == self.site else None

    def file(self, key: str) -> FileBlob | None:
        return self.state.published_file(key)

    def render(self, template: str, **ctx: Any) -> str:
        """The page; its ETag is the hash of the page without its visit counter, as a static
        file's is: real counters are fetched by a script, not written into the file."""
        text = self.env.get_template(template).render(
            site=self.site,
            footer=self.footer,
            nav=NAV,
            visits=VISITS_MARK,
            base=f"{self.site.family}/base.html",
            listing_href=self.site.listing_path,
            **ctx,
        )
        self._etag = hashlib.sha256(text.encode()).hexdigest()[:16]
        return text.replace(VISITS_MARK, str(next(self._visits)))

    def html(self, text: str, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
        """HTML in the site's encoding, labelled with the site's (possibly wrong) Content-Type."""
        body = text.encode(self.site.encoding, errors="xmlcharrefreplace")
        etag, self._etag = self._etag, None
        validators = self.validators(etag) if etag and status == 200 else {}
        return web.Response(
            body=body,
            status=status,
            headers={"Content-Type": self.site.content_type, **validators, **(headers or {})},
        )

    def validators(self, etag: str) -> dict[str, str]:
        """``ETag`` and ``Last-Modified`` of a version of a page, as nginx sends them for a static file."""
        written = self._written.setdefault(etag, time.time())
        return {"ETag": f'"{etag}"', "Last-Modified": formatdate(written, usegmt=True)}

    def not_found(self) -> web.Response:
        return self.html(self.render("common/404.html", title="404"), status=404)

    def file_response(self, blob: FileBlob, *, disposition: bool = False) -> web.Response:
        headers = {
            "Content-Type": blob.content_type,
            **self.validators(hashlib.sha256(blob.data).hexdigest()[:16]),
        }
        if disposition:
            headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(blob.filename)}"
        return web.Response(body=blob.data, headers=headers)
