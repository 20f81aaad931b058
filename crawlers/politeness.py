"""Politeness and reach per host: one download slot per host, and each source's delay, user
agent, TLS ciphers and proxy.

Two sources on one host share one slot, so they share its delay and concurrency: the site sees
one crawler, not one per column. Scrapy's own slot key is the bare host name; ours keeps the
port (``host:port``), so that sites on one address and different ports stay apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from scrapy import Request
from scrapy.core.downloader.contextfactory import _get_creator_context
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings
from twisted.web.iweb import IPolicyForHTTPS
from zope.interface import implementer

from crawlers.job import CrawlJob, JobSource
from crawlers.urls import origin_of

TLS_CIPHERS_SETTING = "KUAIXUN_TLS_CIPHERS"
"""host → OpenSSL cipher string, for the hosts whose sources set ``tls_ciphers``."""


def slot_key(url: str) -> str:
    """The download slot of a URL: its host and port (``www.miit.gov.cn:443``)."""
    origin = origin_of(url)
    return f"{origin.host.lower()}:{origin.port}" if origin else url


def host_slots(sources: Sequence[JobSource]) -> dict[str, dict[str, float]]:
    """``DOWNLOAD_SLOTS`` for the hosts whose sources set a delay: the largest of them (the politest)."""
    delays: dict[str, float] = {}
    for source in sources:
        if source.fetch.delay is not None:
            key = slot_key(source.listing_url)
            delays[key] = max(delays.get(key, 0.0), source.fetch.delay)
    return {key: {"delay": delay} for key, delay in delays.items()}


def host_ciphers(sources: Sequence[JobSource]) -> dict[str, str]:
    """host → cipher string; ValueError when two sources on one host ask for different ones."""
    chosen: dict[str, tuple[str, str]] = {}
    for source in sources:
        ciphers = source.fetch.tls_ciphers
        origin = origin_of(source.listing_url)
        if ciphers is None or origin is None:
            continue
        earlier = chosen.setdefault(origin.host.lower(), (source.name, ciphers))
        if earlier[1] != ciphers:
            raise ValueError(
                f"sources {earlier[0]!r} and {source.name!r} are on one host ({origin.host}) "
                "but set different tls_ciphers"
            )
    return {host: ciphers for host, (_, ciphers) in chosen.items()}


class PolitenessMiddleware:
    """Puts each request in its host's slot and applies its source's user agent and proxy.

    It runs before Scrapy's UserAgentMiddleware (which only fills a missing User-Agent) and
    HttpProxyMiddleware (which turns ``meta["proxy"]`` credentials into a Proxy-Authorization
    header and keeps them out of the URL it logs).
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.fixed_delay = set(crawler.settings.getdict("DOWNLOAD_SLOTS"))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PolitenessMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        slot = slot_key(request.url)
        request.meta["download_slot"] = slot
        if slot in self.fixed_delay:  # a configured delay is a floor AutoThrottle must not lower
            request.meta["autothrottle_dont_adjust_delay"] = True
        name = request.meta.get("source")
        if name is None:
            return
        fetch = cast(CrawlJob, self.crawler.spider.job).source(name).fetch  # type: ignore[union-attr]
        if fetch.user_agent:
            request.headers["User-Agent"] = fetch.user_agent
        if fetch.proxy and "proxy" not in request.meta:
            request.meta["proxy"] = fetch.proxy


@implementer(IPolicyForHTTPS)
class HostCiphers:
    """Scrapy's TLS policy, with the cipher string (and so the security level) set per host.

    Scrapy's ``DOWNLOADER_CLIENT_TLS_CIPHERS`` is one string for every host, and it is expanded
    into cipher names, which drops an ``@SECLEVEL=1``; here the string goes to OpenSSL as
    written, on the context of each connection to the host.
    """

    def __init__(self, policy: IPolicyForHTTPS, ciphers: dict[str, str]) -> None:
        self.policy = policy
        self.ciphers = ciphers

    def creatorForNetloc(self, hostname: bytes, port: int) -> Any:
        creator = self.policy.creatorForNetloc(hostname, port)
        ciphers = self.ciphers.get(hostname.decode("ascii").lower())
        if ciphers is not None:
            # Each creator has a context of its own: setting it touches no other host.
            _get_creator_context(creator).set_cipher_list(ciphers.encode("ascii"))
        return creator


def with_host_ciphers(handler: HTTP11DownloadHandler, settings: BaseSettings) -> None:
    """Give an HTTP/1.1 download handler (or a subclass) the per-host cipher policy."""
    ciphers = settings.getdict(TLS_CIPHERS_SETTING)
    if ciphers:
        handler._contextFactory = HostCiphers(handler._contextFactory, ciphers)


class HostTlsDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler with the sources' per-host TLS ciphers."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        with_host_ciphers(self, crawler.settings)
