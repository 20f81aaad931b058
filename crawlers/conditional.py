"""Conditional GET: a page fetched before is asked for again only if it changed (RFC 9110 §13).

The store keeps what each server said identifies its copy of a listing page or a notice
(``ETag``, ``Last-Modified``); the crawl sends them back as ``If-None-Match`` /
``If-Modified-Since``, and a ``304 Not Modified`` answer carries no body and costs no processing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, cast

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawlers.items import NOT_MODIFIED, Validators

if TYPE_CHECKING:
    from crawlers.job import CrawlJob

MAX_VALIDATOR = 200
"""Characters kept of an ETag or a date: real ones are under 60; a longer one is not sent back."""


@dataclass(frozen=True)
class FreshValidators:
    """A page's validators from a full answer in this crawl, handed downstream: stored only once
    what the page vouches for is stored (its notice; for a listing, every notice it led to)."""

    source: str
    kind: str
    """The request's kind (``crawlers.costs.KINDS``)."""
    validators: Validators

    @classmethod
    def of(cls, source: str, kind: str, validators: Validators | dict[str, str | None]) -> FreshValidators:
        """As read back from the spool, where ``validators`` is a dict."""
        typed = validators if isinstance(validators, Validators) else Validators(**validators)
        return cls(source, kind, typed)


class ValidatedSpider(Protocol):
    job: CrawlJob


def validators_of(response: Response) -> FreshValidators | None:
    """The validators of a full (200) answer, under the URL the spider asked for (before redirects)."""
    if response.status != 200:
        return None
    etag, modified = (_header(response, name) for name in ("ETag", "Last-Modified"))
    if etag is None and modified is None:
        return None
    asked = response.meta.get("redirect_urls", [response.url])[0]
    return FreshValidators(response.meta["source"], response.meta["kind"], Validators(asked, etag, modified))


def not_modified(response: Response) -> bool:
    return response.status == NOT_MODIFIED


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    if not value:
        return None
    text = value.decode("latin-1").strip()
    return text if text.isprintable() and len(text) <= MAX_VALIDATOR else None


class ConditionalGetMiddleware:
    """Adds the stored validators to a GET of a page fetched before, and lets its 304 through
    to the spider (which treats the page as unchanged)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalGetMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if request.method != "GET" or request.meta.get("conditional"):
            return
        job = cast(ValidatedSpider, self.crawler.spider).job
        stored = job.validators.get(request.url)
        if stored is None:
            return
        for name, value in stored.headers().items():
            request.headers[name] = value
        request.meta["conditional"] = True
        handled = request.meta.get("handle_httpstatus_list", [])
        request.meta["handle_httpstatus_list"] = [*handled, NOT_MODIFIED]
