"""Browser fetch: a source's pages through headless Chromium (scrapy-playwright, Debian's chromium).

A source is fetched in the browser when its config says ``render: browser`` (lists written by
JavaScript, sites always behind a script challenge), or from the moment one of its requests met
a JavaScript challenge the HTTP client could not pass, when ``crawl.browser: fallback``. Only
those requests go to Playwright (``meta["playwright"]``); every other one stays on Scrapy's
HTTP client. Each source has a browser context of its own (its cookies, user agent, proxy).

What the browser may fetch is what the crawler may: every request the page makes (the page
itself, a reload, a redirect, an XHR, an image, a script) passes ``crawls.urls.origin_allowed``
against the source's origins, and is aborted otherwise, so a page cannot make the browser reach
another site or a private address. The guard is installed before the page is opened; a page
whose guard is missing is not used.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import unquote, urlsplit

from playwright.async_api import Page, Route
from playwright.async_api import Request as PageRequest
from playwright.async_api import Response as PageResponse
from playwright.async_api import TimeoutError as PlaywrightTimeoutError
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler
from scrapy_playwright.page import PageMethod

from crawlers.job import BROWSER, CrawlJob, JobSource
from crawlers.middlewares import FALLBACK_META, GuardedSpider, Refused
from crawlers.politeness import with_host_ciphers
from crawlers.urls import Origin, Refusal, origin_allowed
from pipeline.lexicon import CHALLENGE_STATUSES

UNNEEDED_RESOURCES = frozenset({"image", "stylesheet", "font", "media"})
"""What the browser does not load: the text and its links need the page's scripts, not its looks
(and the site is spared the requests)."""
SETTLE_ROUNDS = 20
"""Looks at a page whose script is still passing a challenge: 加速乐 reloads twice, 瑞数 once."""
SETTLE_PAUSE_MS = 250
"""Between two looks: a challenge script computes a hash or two, then reloads."""
QUIET_TIMEOUT_MS = 10_000
"""How long to wait for a page's network to go quiet; a page that polls forever is taken as it is."""


class BrowserDownloadHandler(ScrapyPlaywrightDownloadHandler):
    """scrapy-playwright's handler (Chromium for ``meta["playwright"]``, Scrapy's HTTP/1.1 client for
    every other request), with the sources' per-host TLS ciphers on the HTTP side."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        with_host_ciphers(self, crawler.settings)


@dataclass
class Document:
    """The last page the browser's main frame loaded (after a challenge's reloads)."""

    status: int
    url: str


@dataclass
class PageGuard:
    """One browser fetch's guard: aborts requests outside the source's origins, and follows the
    main frame's documents, so that the response carries the status of the page finally shown."""

    origins: frozenset[Origin]
    refuse: Callable[[Refusal], None]
    installed: bool = False
    document: Document | None = None
    stopped: Refusal | None = None
    """Why the page itself (a redirect, a script's navigation) was not loaded, if it was stopped."""

    async def install(self, page: Page, _request: Request) -> None:
        """scrapy-playwright's page init callback: runs before the page is opened."""
        self.document, self.stopped = None, None
        main = page.main_frame

        async def on_response(response: PageResponse) -> None:
            if response.request.is_navigation_request() and response.frame == main:
                self.document = Document(response.status, response.url)

        # Routes registered last are asked first: this one sees every request before
        # scrapy-playwright's own, and hands on (fallback) only those it allows.
        await page.route("**/*", self._route)
        page.on("response", on_response)
        self.installed = True

    async def _route(self, route: Route, request: PageRequest) -> None:
        refusal = origin_allowed(request.url, self.origins)
        if refusal is None and request.resource_type in UNNEEDED_RESOURCES:
            await route.abort("blockedbyclient")
            return
        if refusal is None:
            await route.fallback()
            return
        if request.is_navigation_request() and request.frame.parent_frame is None:
            self.stopped = refusal
        self.refuse(refusal)
        await route.abort("blockedbyclient")  # not "aborted": scrapy-playwright would await a download

    async def settle(self, page: Page) -> None:
        """Wait until the page is quiet and no longer a challenge (its script reloaded it)."""
        for _ in range(SETTLE_ROUNDS):
            with suppress(PlaywrightTimeoutError):
                await page.wait_for_load_state("networkidle", timeout=QUIET_TIMEOUT_MS)
            if self.document is None or self.document.status not in CHALLENGE_STATUSES:
                return
            await page.wait_for_timeout(SETTLE_PAUSE_MS)


class BrowserMiddleware:
    """Sends the requests of browser-rendered sources to Chromium, and checks what comes back.

    On the way out (after the origin guard and politeness): ``render: browser`` sources, and
    sources switched to the browser after a challenge, get the Playwright meta, their own
    context and a PageGuard. On the way back (before the challenge middleware): a response
    whose guard was never installed is dropped; a final URL outside the source's origins is
    refused; the status becomes that of the page the browser ended on.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.user_agent = crawler.settings.get("USER_AGENT")
        self.switched: set[str] = set()
        """Sources sent to the browser after a challenge: their next requests go there directly."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BrowserMiddleware:
        return cls(crawler)

    @property
    def spider(self) -> GuardedSpider:
        return cast(GuardedSpider, self.crawler.spider)

    def process_request(self, request: Request) -> None:
        name = request.meta.get("source")
        if name is None or request.meta.get("playwright"):
            return
        if request.meta.get(FALLBACK_META):
            self.switched.add(name)
        source = cast(CrawlJob, self.spider.job).source(name)
        if source.fetch.render == BROWSER or name in self.switched:
            self._to_browser(request, source)

    def _to_browser(self, request: Request, source: JobSource) -> None:
        guard = PageGuard(source.origins, lambda refusal: self.spider.refuse(source.name, refusal))
        request.meta.update(
            playwright=True,
            playwright_context=f"source:{source.name}",
            playwright_context_kwargs=context_options(source, self.user_agent),
            playwright_page_init_callback=guard.install,
            playwright_page_methods=[PageMethod(guard.settle)],
            page_guard=guard,
            dont_merge_cookies=True,  # the browser keeps the source's cookies in its context
        )

    def process_response(self, request: Request, response: Response) -> Response:
        guard: PageGuard | None = request.meta.get("page_guard")
        if guard is None or "playwright" not in response.flags:
            return response
        if not guard.installed:
            raise IgnoreRequest(f"the browser's origin guard could not be installed: {request.url} not used")
        refusal = origin_allowed(response.url, guard.origins)
        if refusal is not None:
            self.spider.refuse(request.meta["source"], refusal)
            raise Refused(refusal)
        if guard.document is not None and guard.document.status != response.status:
            return response.replace(status=guard.document.status)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        """A page the guard stopped (its navigation left the source's origins) is a refusal, not an error."""
        guard: PageGuard | None = request.meta.get("page_guard")
        if guard is not None and guard.stopped is not None:
            raise Refused(guard.stopped)


def context_options(source: JobSource, user_agent: str | None) -> dict[str, Any]:
    """The source's browser context: its user agent and proxy (credentials apart, as Playwright wants)."""
    options: dict[str, Any] = {"user_agent": source.fetch.user_agent or user_agent}
    if source.fetch.proxy:
        options["proxy"] = playwright_proxy(source.fetch.proxy)
    return options


def playwright_proxy(url: str) -> dict[str, str]:
    """``http://user:password@host:port`` as Playwright's proxy option."""
    parts = urlsplit(url)
    proxy = {"server": f"{parts.scheme}://{parts.hostname}:{parts.port}"}
    if parts.username:
        proxy["username"] = unquote(parts.username)
        proxy["password"] = unquote(parts.password or "")
    return proxy
