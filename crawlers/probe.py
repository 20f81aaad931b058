"""One listing page read (``kuaixun listing``) or one page fetched (``kuaixun extract URL``)
outside a crawl, through the crawl's own code.

A saved file is wrapped in the same Scrapy response class the crawl gets, so it is decoded
the same way; a URL is fetched by Scrapy with the crawl's settings and middlewares (user
agent, robots.txt, cookie-challenge retry, contradicted charsets). Either way the page is
then read by ``read_listing``, as ``NoticeSpider.parse_listing`` reads it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import HtmlResponse, Request, Response
from scrapy.settings import Settings
from twisted.python.failure import Failure

from crawlers import settings as default_settings
from crawlers.items import FetchedPage
from crawlers.job import CrawlJob, JobSource
from crawlers.listings import Listing, read_listing
from crawlers.urls import Refusal
from pipeline.dates import parse_date

PROBE_SOURCE = "listing"
"""The one source of a probe: the listing URL given, whose origin bounds every request."""


class ProbeError(Exception):
    """A listing page that could not be read or fetched, with the reason."""


def listing_from_file(path: Path, url: str) -> Listing:
    """Read a saved listing page as if it had been fetched from ``url`` (no network)."""
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise ProbeError(f"{path}: cannot read: {exc.strerror}") from None
    return read_response(HtmlResponse(url=url, body=body))


def listing_from_url(url: str, settings: dict[str, Any]) -> Listing:
    """Fetch a listing page with the crawl's Scrapy settings and read it (a jpaas shell's list
    is fetched too, as the crawl does)."""
    listings: list[Listing] = []
    _run(_OnePage, url, settings, listings)
    return listings[0]


def page_from_url(url: str, settings: dict[str, Any]) -> FetchedPage:
    """Fetch one page as the crawl fetches a notice: its settings and middlewares, the origin
    guard on every redirect, robots.txt, retries, cookie challenges."""
    pages: list[FetchedPage] = []
    _run(_OneNotice, url, settings, pages)
    return pages[0]


def _run(spider: type[_OnePage], url: str, settings: dict[str, Any], found: list[Any]) -> None:
    """One probe crawl of ``url`` (once per process: Twisted's reactor does not restart); what it
    read lands in ``found``, a failure is a ProbeError with the reason."""
    errors: list[str] = []
    scrapy_settings = Settings()
    scrapy_settings.setmodule(default_settings, priority="project")
    # The page is read here, not spooled: no item pipeline; failures reported in one line by the errback.
    scrapy_settings.setdict({**settings, "ITEM_PIPELINES": {}, "LOG_LEVEL": "CRITICAL"}, priority="cmdline")
    # The command's one line says what failed: Scrapy's log (at CRITICAL) replaces the command's
    # handlers while it runs, so none of it reaches the operator's terminal.
    root = logging.getLogger()
    handlers, root.handlers = root.handlers, []
    process = CrawlerProcess(scrapy_settings)
    process.crawl(spider, url=url, found=found, errors=errors)
    try:
        process.start()
    finally:
        root.handlers = handlers
    if errors:
        raise ProbeError(f"{url}: {errors[0]}")
    if not found:
        raise ProbeError(f"{url}: not fetched (robots.txt or a filter refused it)")


def listing_json(listing: Listing) -> dict[str, Any]:
    """The printed form: reader, entries (dates as ``YYYY-MM-DD`` when readable), next page URL."""
    return {
        "reader": listing.reader,
        "entries": [
            {"url": e.url, "title": e.title, "date": parse_date(e.date_text) or e.date_text}
            for e in listing.entries
        ],
        "next_page": listing.next_page.url if listing.next_page else None,
    }


def read_response(response: Response, reader: str | None = None) -> Listing:
    """The first page of a listing, read as the spider reads a listing response."""
    return read_listing(response.url, response.text, 1, reader)  # type: ignore[attr-defined]


class _OnePage(scrapy.Spider):
    """Fetches one listing page (and a shell's list); like the crawl, it never leaves the page's origin."""

    name = "listing-probe"

    def __init__(self, url: str, found: list[Any], errors: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.url, self.found, self.errors = url, found, errors
        self.job = CrawlJob(sources=[JobSource(PROBE_SOURCE, url)], spool=Path(os.devnull))

    def refuse(self, _source_name: str | None, refusal: Refusal) -> None:
        """What the origin guard refused, as the probe's error."""
        self.errors.append(str(refusal))

    async def start(self) -> AsyncIterator[Request]:
        yield self._request(self.url, None)

    def _request(self, url: str, reader: str | None) -> Request:
        return Request(
            url,
            meta={"reader": reader, "source": PROBE_SOURCE},
            headers={"Referer": self.url},
            callback=self.read,
            errback=self.fail,
            dont_filter=True,
        )

    def read(self, response: Response) -> Iterator[Request]:
        if not hasattr(response, "text"):
            self.errors.append("not a web page")
            return
        listing = read_response(response, response.meta["reader"])
        if listing.is_shell and listing.next_page is not None:
            yield self._request(listing.next_page.url, listing.next_page.reader)
        else:
            self.found.append(listing)

    def fail(self, failure: Failure) -> None:
        from crawlers.spiders.notices import describe

        self.errors.append(describe(failure))


class _OneNotice(_OnePage):
    """Fetches one notice page, kept whole for extraction (``kuaixun extract URL``)."""

    name = "notice-probe"

    def read(self, response: Response) -> Iterator[Request]:
        content_type = response.headers.get("Content-Type")
        self.found.append(
            FetchedPage(
                source=PROBE_SOURCE,
                url=self.url,
                final_url=response.url,
                status=response.status,
                content_type=content_type.decode("latin-1") if content_type else None,
                body=response.body,
            )
        )
        yield from ()
