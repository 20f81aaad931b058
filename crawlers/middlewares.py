"""Downloader middlewares: where requests may go, anti-bot challenges, contradicted charsets."""

from __future__ import annotations

import re
from typing import Protocol, cast
from urllib.parse import urljoin

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, resolve_encoding

from crawlers.job import CrawlJob
from crawlers.urls import Refusal, origin_allowed
from pipeline.lexicon import CHALLENGE_MARKERS, CHALLENGE_STATUSES

CHALLENGE_MARKS = re.compile(
    b"|".join([*(re.escape(m.encode()) for m in CHALLENGE_MARKERS), rb"document\.cookie\s*="])
)
"""The lexicon's challenge marks, and a script setting a cookie (only looked for in a small body)."""
SMALL_BODY = 4096
"""A challenge shell is a few KB at most; a real page that sets a cookie in a script is larger."""

CHALLENGE_VENDORS: tuple[tuple[str, int | None, tuple[str, ...]], ...] = (
    ("加速乐", 521, ("__jsl_clearance", "__jsluid")),
    ("瑞数", 412, ("$_ts", "_$xx()")),
    ("C3VK", None, ("C3VK=",)),
    ("阿里云 WAF", None, ("acw_sc__v2",)),
)
"""(name, the status it answers with, its script marks): how a challenge is named to the operator
(gov-sites.md §3). Every mark of the lexicon's CHALLENGE_MARKERS belongs to one of them."""
UNNAMED_CHALLENGE = "a script that sets a cookie"

BROWSER_OFF = "off"
BROWSER_FALLBACK = "fallback"
BROWSER_MODE = "KUAIXUN_BROWSER"
"""``crawl.browser``: off, or fallback (to the browser after a challenge the HTTP client did not pass)."""
FALLBACK_META = "browser_fallback"
"""Set on the retry of a challenged request: from then on its source goes through the browser."""


def challenge_name(response: Response) -> str:
    """Who set the challenge: 加速乐 (521, ``__jsl_clearance``), 瑞数 (412, ``$_ts``), C3VK …"""
    head = response.body[:SMALL_BODY]
    cookies = b" ".join(response.headers.getlist("Set-Cookie"))
    for name, status, marks in CHALLENGE_VENDORS:
        if response.status == status or any(m.encode() in head or m.encode() in cookies for m in marks):
            return name
    return UNNAMED_CHALLENGE


def is_challenge(response: Response) -> bool:
    """瑞数 412, 加速乐 521, C3VK shells: a status or a small body that only sets a cookie."""
    if response.status in {412, 521}:
        return True
    small = len(response.body) < SMALL_BODY
    return (response.status in CHALLENGE_STATUSES or small) and bool(
        CHALLENGE_MARKS.search(response.body[:SMALL_BODY])
    )


class ChallengeRetryMiddleware:
    """Retry a challenged request once, carrying the cookies the challenge set.

    Challenges that only check that the cookie comes back pass. For those that need the page's
    JavaScript run, the request goes to the browser when ``crawl.browser: fallback`` (and its
    source with it, ``crawlers.browser``); otherwise, or if the browser did not pass either, the
    request fails with a message that names the challenge: ``blocked: challenge (加速乐)``.
    """

    def __init__(self, browser_mode: str = BROWSER_OFF) -> None:
        self.browser_mode = browser_mode

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ChallengeRetryMiddleware:
        return cls(crawler.settings.get(BROWSER_MODE, BROWSER_OFF))

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if not is_challenge(response):
            return response
        browser = bool(request.meta.get("playwright"))
        if not request.meta.get("challenge_retried") and not browser:
            retry = request.replace(dont_filter=True)
            retry.meta["challenge_retried"] = True
            return retry
        if not browser and self.browser_mode == BROWSER_FALLBACK and request.meta.get("source"):
            retry = request.replace(dont_filter=True)
            retry.meta[FALLBACK_META] = True
            return retry
        where = " in the browser either" if browser else ""
        raise IgnoreRequest(
            f"blocked: challenge ({challenge_name(response)}) not passed{where} "
            f"at {request.url} (HTTP {response.status})"
        )


class ContradictedCharsetMiddleware:
    """Trust the page over a Content-Type charset that cannot decode it.

    Some sites send ``charset=utf-8`` for GBK pages; Scrapy would believe the header and
    garble every title. When the header's charset fails on the body and the page declares
    another, the header is rewritten to the page's own declaration.
    """

    def process_response(self, request: Request, response: Response) -> Response:
        header = response.headers.get("Content-Type", b"").decode("latin-1")
        declared_by_header = http_content_type_encoding(header)
        if not declared_by_header or not header.lower().startswith("text/html"):
            return response
        try:
            response.body.decode(resolve_encoding(declared_by_header) or declared_by_header)
        except (UnicodeDecodeError, LookupError):
            declared_by_page = html_body_declared_encoding(response.body)
            if declared_by_page:
                fixed = f"text/html; charset={declared_by_page}"
                headers = {**response.headers.to_unicode_dict(), "Content-Type": fixed}
                return response.replace(headers=headers, encoding=declared_by_page)
        return response


class GuardedSpider(Protocol):
    """What the guard needs of the spider: the job's origins, and where to count a refusal."""

    job: CrawlJob

    def refuse(self, source_name: str | None, refusal: Refusal) -> None: ...


class Refused(IgnoreRequest):
    """A request ``origin_allowed`` refused (already counted by the spider)."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(str(refusal))
        self.refusal = refusal


class OriginGuardMiddleware:
    """Nothing is fetched outside the origins of the request's source (``crawlers.urls.origin_allowed``).

    It runs first (before robots.txt and offsite), so a refused URL costs no request at all,
    not even for its robots.txt. A redirect's new request comes back through
    ``process_request``; a redirect Scrapy leaves unfollowed (a ``file:`` Location) is
    refused in ``process_response``. A request of no source (robots.txt) may go to any
    source's origins.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OriginGuardMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        self._check(request, request.url)

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get("Location")
        if 300 <= response.status < 400 and location:
            self._check(request, urljoin(request.url, location.decode("latin-1")))
        return response

    def _check(self, request: Request, url: str) -> None:
        spider = cast(GuardedSpider, self.crawler.spider)
        source = request.meta.get("source")
        refusal = origin_allowed(url, spider.job.origins(source))
        if refusal is not None:
            spider.refuse(source, refusal)
            raise Refused(refusal)
