"""The simulated government web: one aiohttp app per site, each on its own loopback port.

``GovWeb`` is the asyncio object; ``GovWebThread`` runs it in a daemon thread for tests
and synchronous callers; ``serve()`` is the CLI that runs it until interrupted.

Held-back notices model "new" publications: the last ``held_back`` notices in seed order are
neither listed nor served until ``publish()`` releases them, one at a time, in seed order.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Middleware

from simulator.app import build_app
from simulator.catalog import PDF_ONLY, Catalog, Page, build_catalog, newest_first
from simulator.failures import Handler, normalise
from simulator.families import FAMILIES
from simulator.files import FileBlob
from simulator.render import make_env
from simulator.scale import scaled_seeds
from simulator.seednotice import SeedNotice
from simulator.sites import SITES, SiteSpec, real_listing_url
from simulator.truth import truth_entry, write_truth
from simulator.urls import route_key
from simulator.view import SiteView


@dataclass(frozen=True)
class ServedRequest:
    """One request a site received, as its access log would show it."""

    site: str
    method: str
    path_qs: str


def _default_seeds() -> list[SeedNotice]:
    from simulator.seeds import load_seeds

    return load_seeds()


class GovWeb:
    """All simulated sites, their content and what is published right now."""

    def __init__(
        self,
        seeds: Iterable[SeedNotice] | None = None,
        held_back: int = 1,
        failures: Mapping[str, str] | None = None,
        *,
        host: str = "127.0.0.1",
        ports: Mapping[str, int] | None = None,
        sites: Sequence[SiteSpec] = SITES,
        catalog: Catalog | None = None,
        scale: int = 0,
        latency: float = 0.0,
    ) -> None:
        """``catalog`` replaces the one built from the seeds (a site family with content of its own);
        ``scale`` adds that many notices generated from the seeds (``simulator.scale``); ``latency``
        delays every answer by that many seconds (a distant server: waiting, no CPU)."""
        if latency < 0:
            raise ValueError(f"latency must be 0 or more, not {latency}")
        self.latency = latency
        self.sites = tuple(sites)
        self.seeds = list(_default_seeds() if seeds is None and catalog is None else seeds or ())
        if scale:
            self.seeds = scaled_seeds(self.seeds, scale)
        self.catalog = catalog or build_catalog(self.seeds, self.sites)
        self.host = host
        self._ports = dict(ports or {})
        self._pages = self.catalog.by_key()
        notices = sorted((p for p in self.catalog.pages if p.is_notice), key=lambda p: p.seq)
        self._held: list[Page] = notices[len(notices) - held_back :] if held_back > 0 else []
        held_keys = {p.key for p in self._held}
        self._published = {k for k in self._pages if k not in held_keys}
        self._rows: dict[str, list[Page]] = {}
        """Each site's published pages, newest first, until the next publish or revision: a
        listing request reads it without scanning the catalog (thousands of pages at scale)."""
        self._failures: dict[str, str | None] = {}
        for name, mode in (failures or {}).items():
            self.set_failure(name, mode)
        self._lock = threading.Lock()
        self._runners: dict[str, web.AppRunner] = {}
        self._bases: dict[str, str] = {}
        self._served: list[ServedRequest] = []

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Bind every site on its own port (0 = any free one) and start serving."""
        env = make_env()
        for site in self.sites:
            view = SiteView(site, self, env)
            app = build_app(view, FAMILIES[site.family], self, lambda name=site.name: self.failure(name))
            app.middlewares.insert(0, self._access_log(site.name))
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            await web.TCPSite(runner, self.host, self._ports.get(site.name, 0)).start()
            port = runner.addresses[0][1]
            self._runners[site.name] = runner
            self._bases[site.name] = f"http://{self.host}:{port}"

    def _access_log(self, site_name: str) -> Middleware:
        """aiohttp middleware recording every request the site receives, before anything answers it."""

        @web.middleware
        async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
            with self._lock:
                self._served.append(ServedRequest(site_name, request.method, request.path_qs))
            if self.latency:
                await asyncio.sleep(self.latency)
            return await handler(request)

        return middleware

    def served(self, site_name: str | None = None) -> list[ServedRequest]:
        """Every request received so far (by one site, or by all), in arrival order."""
        with self._lock:
            return [r for r in self._served if site_name is None or r.site == site_name]

    async def stop(self) -> None:
        for runner in self._runners.values():
            await runner.cleanup()
        self._runners.clear()

    # -- addresses -------------------------------------------------------------------------

    def site(self, site_name: str) -> SiteSpec:
        """One of this web's sites by name (KeyError names an unknown one)."""
        for site in self.sites:
            if site.name == site_name:
                return site
        raise KeyError(f"no simulated site named {site_name!r}")

    def base_url(self, site_name: str) -> str:
        try:
            return self._bases[site_name]
        except KeyError:
            self.site(site_name)  # raises for unknown names
            raise RuntimeError("GovWeb is not started") from None

    def listing_url(self, site_name: str) -> str:
        return self.base_url(site_name) + self.site(site_name).listing_path

    def simulated_url(self, real_url: str) -> str | None:
        """``real_url`` on the simulated site of its host (the seeds' or today's), or None."""
        parts = urlsplit(real_url)
        site = next((s for s in self.sites if (parts.hostname or "") in s.hosts), None)
        if site is None:
            return None
        return self.base_url(site.name) + (parts.path or "/") + (f"?{parts.query}" if parts.query else "")

    def url_of(self, page: Page) -> str:
        return self.base_url(page.site.name) + page.path

    # -- what is published (read by the sites) ---------------------------------------------

    def published(self) -> list[Page]:
        """Published pages, site by site (table order), newest first within a site."""
        with self._lock:
            pages = [p for p in self.catalog.pages if p.key in self._published]
        order = {s.name: i for i, s in enumerate(self.sites)}
        by_site: dict[str, list[Page]] = {}
        for p in pages:
            by_site.setdefault(p.site.name, []).append(p)
        return [p for name in sorted(by_site, key=order.__getitem__) for p in newest_first(by_site[name])]

    def published_pages(self, site: SiteSpec) -> list[Page]:
        """The site's published pages, newest first."""
        with self._lock:
            if not self._rows:
                by_site: dict[str, list[Page]] = {s.name: [] for s in self.sites}
                for page in self.catalog.pages:
                    if page.key in self._published:
                        by_site.setdefault(page.site.name, []).append(page)
                self._rows = {name: newest_first(pages) for name, pages in by_site.items()}
            return [p for p in self._rows.get(site.name, ()) if p.site == site]

    def published_page(self, key: str) -> Page | None:
        with self._lock:
            return self._pages.get(key) if key in self._published else None

    def published_file(self, key: str) -> FileBlob | None:
        owner = self.catalog.file_owner.get(key)
        with self._lock:
            if owner is None or owner.key not in self._published:
                return None
        return self.catalog.files.get(key)

    def held_back(self) -> list[Page]:
        with self._lock:
            return list(self._held)

    # -- control ---------------------------------------------------------------------------

    def publish(self, n: int = 1) -> list[dict[str, Any]]:
        """Release the next ``n`` held-back notices (seed order); returns their truth records."""
        with self._lock:
            released, self._held = self._held[:n], self._held[n:]
            self._published.update(p.key for p in released)
            self._rows.clear()
        return [truth_entry(self, p) for p in released]

    def revise(self, url: str, paragraphs: Sequence[str]) -> dict[str, Any]:
        """Replace a published notice's body, as a site does for a 更正 or 延期; returns its new truth."""
        key = route_key(urlsplit(url).path + (f"?{urlsplit(url).query}" if urlsplit(url).query else ""))
        with self._lock:
            page = self._pages.get(key) if key in self._published else None
            if page is None or page.seed is None:
                raise KeyError(f"no published notice at {url}")
            if page.kind == PDF_ONLY:
                raise ValueError(f"{url} is a PDF-only notice: its file is not re-rendered")
            revised = replace(page, seed=replace(page.seed, paragraphs=tuple(paragraphs)))
            self._pages[key] = revised
            self.catalog.pages[self.catalog.pages.index(page)] = revised
            self._rows.clear()
        return truth_entry(self, revised)

    def set_failure(self, site_name: str, mode: str | None) -> None:
        """Switch a site's failure mode (``status=500``, ``412``) on, or off with None."""
        self.site(site_name)
        self._failures[site_name] = normalise(mode)

    def failure(self, site_name: str) -> str | None:
        return self._failures.get(site_name)

    def state(self) -> dict[str, Any]:
        """Addresses and publication state, as served on ``GET /__sim__/state``."""
        published = self.published()
        return {
            "sites": {
                s.name: {
                    "base_url": self._bases.get(s.name),
                    "listing_url": self.listing_url(s.name) if s.name in self._bases else None,
                    "host": s.host,
                    "family": s.family,
                    "real_listing_url": real_listing_url(s),
                    "failure": self._failures.get(s.name),
                    "published": sum(1 for p in published if p.site == s),
                }
                for s in self.sites
            },
            "published": len(published),
            "held_back": [{"site": p.site.name, "title": p.title, "path": p.path} for p in self.held_back()],
        }


class GovWebThread:
    """Runs a GovWeb on its own event loop in a daemon thread (context manager)."""

    def __init__(self, **kwargs: Any) -> None:
        self.web = GovWeb(**kwargs)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> GovWebThread:
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(target=loop.run_forever, name="govweb", daemon=True)
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.web.start(), loop).result(timeout=60)
        return self

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        asyncio.run_coroutine_threadsafe(self.web.stop(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
        self._loop = self._thread = None

    def __enter__(self) -> GovWebThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _state_file_payload(govweb: GovWeb) -> dict[str, Any]:
    return {
        "sites": {
            s.name: {
                "base_url": govweb.base_url(s.name),
                "listing_url": govweb.listing_url(s.name),
                "host": s.host,
            }
            for s in govweb.sites
        }
    }


def serve(
    host: str = "127.0.0.1",
    state_file: Path | None = None,
    ports: dict | None = None,
    truth_file: Path | None = None,
    scale: int = 0,
    latency: float = 0.0,
) -> None:
    """Run the simulated web until interrupted, printing one line per site.

    ``state_file`` gets the sites' addresses, ``truth_file`` the labelled truth of every page
    published at start-up (``simulator.truth``); ``scale`` adds generated notices (``simulator.scale``);
    ``latency`` delays every answer (seconds).
    """

    async def main() -> None:
        govweb = GovWeb(host=host, ports=ports, scale=scale, latency=latency)
        await govweb.start()
        counts: dict[str, int] = {}
        for p in govweb.published():
            if p.is_notice:
                counts[p.site.name] = counts.get(p.site.name, 0) + 1
        for s in govweb.sites:
            url = govweb.listing_url(s.name)
            print(f"{s.name:<14}{s.family.upper():<8}{url:<64}{counts.get(s.name, 0)} notices")
        held = govweb.held_back()
        print(f"{len(held)} notice(s) held back; POST /__sim__/publish on any site to release the next one")
        if state_file is not None:
            Path(state_file).write_text(
                json.dumps(_state_file_payload(govweb), ensure_ascii=False, indent=1), encoding="utf-8"
            )
        if truth_file is not None:
            write_truth(govweb, truth_file)
        try:
            await asyncio.Event().wait()
        finally:
            await govweb.stop()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
