"""Browser fetch: a source's pages through headless Chromium (scrapy-playwright, Debian's chromium).

A source is fetched in the browser when its config says ``render: browser`` (lists written by
JavaScript, sites always behind a script challenge), or from the moment one of its requests met
a JavaScript challenge the HTTP client could not pass, when ``crawl.browser: fallback``. Only
those requests go to Playwright (``meta["playwright"]``); every other one stays on Scrapy's
HTTP client. Each source has a browser context of its own (its cookies, user agent, proxy).

What the browser may fetch is what the crawler may: every request the page makes (the page
itself, a reload, a redirect, an XHR, an image, a script) passes ``crawlers.urls.origin_allowed``
against the source's origins, and is aborted otherwise, so a page cannot make the browser reach
another site or a private address. The guard is installed before the page is opened; a page
whose guard is missing is not used.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import unquote, urljoin, urlsplit

from playwright.async_api import Error as PlaywrightError
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

BLOCKED = "blockedbyclient"
"""How a request is stopped ("aborted" would make scrapy-playwright wait for a download)."""
MAX_REDIRECTS = 10
"""Redirect hops followed from one request: more is a loop."""
UNNEEDED_RESOURCES = frozenset({"image", "stylesheet", "font", "media"})
"""What the browser does not load: the text and its links need the page's scripts, not its looks
(and the site is spared the requests)."""
SETTLE_ROUNDS = 20
"""Looks at a page whose script is still passing a challenge: 加速乐 reloads twice, 瑞数 once."""
SETTLE_PAUSE_MS = 250
"""Between two looks: a challenge script computes a hash or two, then reloads; a list script
writes its entries from an XHR answer."""
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
    pending: Request | None = None
    """The Scrapy request, until its navigation is made (its method and body are applied to it)."""
    document: Document | None = None
    stopped: Refusal | None = None
    """Why the page itself (a script's navigation elsewhere) was not loaded, if it was stopped."""
    redirect: str | None = None
    """Where the page redirected to: Scrapy asks for it as a request of its own."""

    async def install(self, page: Page, request: Request) -> None:
        """scrapy-playwright's page init callback: runs before the page is opened."""
        self.document, self.stopped, self.redirect = None, None, None
        self.pending = request
        main = page.main_frame

        async def on_response(response: PageResponse) -> None:
            if response.request.is_navigation_request() and response.frame == main:
                self.document = Document(response.status, response.url)

        # Routes registered last are asked first: this one sees every request before
        # scrapy-playwright's own, and answers it itself.
        await page.route("**/*", self._route)
        page.on("response", on_response)
        self.installed = True

    async def _route(self, route: Route, request: PageRequest) -> None:
        """Judge every request and fetch the allowed ones here, redirects unfollowed: Chromium
        would follow a redirect without asking the route again. The page's own redirect goes
        back to Scrapy (``BrowserMiddleware.process_exception``) as a new request; another
        request's redirect is followed here, each hop judged."""
        main_navigation = request.is_navigation_request() and request.frame.parent_frame is None
        url, overrides = request.url, self._overrides(request)
        for _ in range(MAX_REDIRECTS + 1):
            refusal = origin_allowed(url, self.origins)
            if refusal is not None:
                self.stopped = refusal if main_navigation else self.stopped
                self.refuse(refusal)
                await route.abort(
                    "blockedbyclient"
                )  # not "aborted": scrapy-playwright would await a download
                return
            if request.resource_type in UNNEEDED_RESOURCES:
                await route.abort(BLOCKED)
                return
            try:
                response = await route.fetch(url=url, max_redirects=0, **overrides)
            except PlaywrightError:  # refused, reset, timed out: the page sees a network error
                await route.abort("failed")
                return
            location = response.headers.get("location") if 300 <= response.status < 400 else None
            if location is None:
                await route.fulfill(response=response)
                return
            url, overrides = urljoin(url, location), {"method": "GET"}
        await route.abort("failed")  # a redirect loop

    def _overrides(self, request: PageRequest) -> dict[str, Any]:
        """The Scrapy request's method and body, for the page's first navigation (a POST listing)."""
        pending = self.pending
        if pending is None or not request.is_navigation_request() or pending.method == "GET":
            return {}
        if request.url.rstrip("/") != pending.url.rstrip("/"):
            return {}
        self.pending = None
        headers = {**request.headers, "content-type": pending.headers.get("Content-Type", b"").decode()}
        return {"method": pending.method, "post_data": pending.body, "headers": headers}

    async def settle(self, page: Page) -> None:
        """Wait until the page is no longer a challenge (its script reloaded it) and has stopped
        changing (a list written from an XHR answer): quiet network, then the same size twice."""
        size = None
        for _ in range(SETTLE_ROUNDS):
            with suppress(PlaywrightTimeoutError):
                await page.wait_for_load_state("networkidle", timeout=QUIET_TIMEOUT_MS)
            if self.document is None or self.document.status not in CHALLENGE_STATUSES:
                try:
                    now = await page.evaluate("document.documentElement.outerHTML.length")
                except PlaywrightError:  # navigating: look again
                    now = None
                if now is not None and now == size:
                    return
                size = now
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

    def process_exception(self, request: Request, exception: Exception) -> Request | None:
        """A page that redirected is asked for again at its new address, through the origin guard
        like any request; a page the guard stopped is a refusal, not an error."""
        guard: PageGuard | None = request.meta.get("page_guard")
        if guard is None or isinstance(exception, Refused):
            return None
        if guard.stopped is not None:
            raise Refused(guard.stopped)
        if guard.redirect is None:
            return None
        hops = request.meta.get("browser_redirects", 0) + 1
        if hops > MAX_REDIRECTS:
            raise IgnoreRequest(f"more than {MAX_REDIRECTS} redirects from {request.url}")
        moved = request.replace(url=guard.redirect, method="GET", body=b"", dont_filter=True)
        moved.meta["browser_redirects"] = hops
        guard.redirect = None
        return moved


def context_options(source: JobSource, user_agent: str | None) -> dict[str, Any]:
    """The source's browser context: its user agent and proxy (credentials apart, as Playwright wants)."""
    options: dict[str, Any] = {
        "user_agent": source.fetch.user_agent or user_agent,
        # As Scrapy's HTTP client (which does not verify certificates): government sites serve
        # expired and misnamed ones; what may be fetched is decided by the origin check.
        "ignore_https_errors": True,
    }
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
