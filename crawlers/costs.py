"""What a crawl costs the sites: requests by kind, 304s and bytes, per source, in Scrapy's stats.

Every request that reaches the network is counted once, retries included, under
``kuaixun/source/<name>/requests/<kind>`` (``…/not_modified``, ``…/bytes``, ``…/first``,
``…/last``), and under ``kuaixun/requests/<kind>`` for the whole crawl. A robots.txt request
belongs to no source: it is counted for the first source whose origin it serves.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Protocol, cast
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector

from crawlers.items import ATTACHMENT, DETAIL, KINDS, NOT_MODIFIED, ROBOTS, RequestFigures
from crawlers.urls import origin_of
from pipeline.lexicon import FILE_EXTENSIONS

if TYPE_CHECKING:
    from crawlers.job import CrawlJob

STAT = "kuaixun"


def request_kind(url: str) -> str:
    """The kind of a notice request: a document file is an attachment, anything else a detail page."""
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    return ATTACHMENT if "." in name and name.rsplit(".", 1)[1].lower() in FILE_EXTENSIONS else DETAIL


def figures(stats: StatsCollector, source: str) -> RequestFigures:
    """One source's figures as counted so far."""
    prefix = f"{STAT}/source/{source}"
    first, last = stats.get_value(f"{prefix}/first"), stats.get_value(f"{prefix}/last")
    return RequestFigures(
        **{kind: stats.get_value(f"{prefix}/requests/{kind}", 0) for kind in KINDS},
        not_modified=stats.get_value(f"{prefix}/not_modified", 0),
        bytes=stats.get_value(f"{prefix}/bytes", 0),
        seconds=round(last - first, 3) if first is not None and last is not None else 0.0,
    )


class JobSpider(Protocol):
    job: CrawlJob


class RequestCountingMiddleware:
    """Counts each request as the network sees it (placed after retries, next to Scrapy's own
    DownloaderStats), by the ``kind`` the spider gave it."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        assert crawler.stats is not None
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RequestCountingMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        source = self._source(request)
        kind = request.meta.get("kind") or ROBOTS
        self.stats.inc_value(f"{STAT}/requests/{kind}")
        if source is not None:
            self.stats.inc_value(f"{STAT}/source/{source}/requests/{kind}")
            self.stats.min_value(f"{STAT}/source/{source}/first", time.monotonic())

    def process_response(self, request: Request, response: Response) -> Response:
        source = self._source(request)
        self.stats.inc_value(f"{STAT}/bytes", len(response.body))
        if response.status == NOT_MODIFIED:
            self.stats.inc_value(f"{STAT}/not_modified")
        if source is not None:
            self._answered(source)
            self.stats.inc_value(f"{STAT}/source/{source}/bytes", len(response.body))
            if response.status == NOT_MODIFIED:
                self.stats.inc_value(f"{STAT}/source/{source}/not_modified")
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        source = self._source(request)
        if source is not None:
            self._answered(source)

    def _answered(self, source: str) -> None:
        self.stats.max_value(f"{STAT}/source/{source}/last", time.monotonic())

    def _source(self, request: Request) -> str | None:
        """The request's source; for robots.txt, the first source on its origin."""
        source = request.meta.get("source")
        if source is not None:
            return str(source)
        origin = origin_of(request.url)
        job = cast(JobSpider, self.crawler.spider).job
        return next((s.name for s in job.sources if origin in s.origins), None)
