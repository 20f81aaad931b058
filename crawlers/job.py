"""A crawl job: what the crawl process is told to do, passed as a JSON file."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from crawlers.items import Validators
from crawlers.urls import Origin, configured_origins

PARENT_ENV = "KUAIXUN_PARENT_PID"
"""The crawl process's environment names its parent: if that one is already gone, it does not crawl."""
STOP_TIMEOUT_SETTING = "KUAIXUN_STOP_TIMEOUT"
"""Seconds the crawl process has to close after its ``CLOSESPIDER_TIMEOUT`` before its alarm ends it."""

HTTP = "http"
BROWSER = "browser"
"""How a source's pages are fetched (``SourceFetch.render``): Scrapy's HTTP client, or headless Chromium."""


@dataclass(frozen=True)
class SourceFetch:
    """How one source is fetched: renderer, politeness and reach (None: the crawl-wide default)."""

    render: str = HTTP
    delay: float | None = None
    """Seconds between requests to the source's host (shared by every source on that host)."""
    user_agent: str | None = None
    tls_ciphers: str | None = None
    """OpenSSL cipher string for the source's host, e.g. ``DEFAULT:@SECLEVEL=1``."""
    proxy: str | None = None
    """``http://user:password@host:port`` the source's requests go through."""


def _fetch(data: dict[str, Any]) -> SourceFetch:
    return SourceFetch(**data)


@dataclass(frozen=True)
class JobSource:
    name: str
    listing_url: str
    allowed_hosts: tuple[str, ...] = ()
    max_pages: int = 3
    family: str | None = None
    """The listing's CMS family (``crawlers.listings.FAMILIES``); None: sniffed."""
    urls: tuple[str, ...] = ()
    """Notice pages to fetch instead of reading the listing (``kuaixun fetch``, ``import-issue``)."""
    fetch: SourceFetch = SourceFetch()

    @cached_property
    def origins(self) -> frozenset[Origin]:
        """Where this source's listings, notices and redirects may be fetched from."""
        return configured_origins(self.listing_url, self.allowed_hosts)


@dataclass(frozen=True)
class Revisit:
    """A stored notice fetched again for a revision, with the listing's word on it as first stored."""

    source: str
    url: str
    title: str
    date: str | None = None


@dataclass
class CrawlJob:
    """Sources to visit, what is known, where to spool, Scrapy settings.

    ``known`` URLs are not fetched again from a listing; ``revisit`` lists the recent notices
    fetched again to catch revisions such as 延期 or a new attachment. ``validators`` (by URL)
    make those requests, and listing pages seen before, conditional.
    """

    sources: list[JobSource]
    spool: Path
    known: set[str] = field(default_factory=set)
    revisit: list[Revisit] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    validators: dict[str, Validators] = field(default_factory=dict)

    def source(self, name: str) -> JobSource:
        return next(s for s in self.sources if s.name == name)

    def origins(self, source_name: str | None) -> frozenset[Origin]:
        """A source's origins; every source's for a request of no source (robots.txt)."""
        if source_name is not None:
            return self.source(source_name).origins
        return frozenset().union(*(s.origins for s in self.sources))

    def save(self, path: Path) -> None:
        data = {
            "sources": [asdict(s) for s in self.sources],
            "spool": str(self.spool),
            "known": sorted(self.known),
            "revisit": [asdict(r) for r in self.revisit],
            "settings": self.settings,
            "validators": [asdict(v) for v in self.validators.values()],
        }
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> CrawlJob:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            sources=[
                JobSource(
                    **{
                        **s,
                        "allowed_hosts": tuple(s["allowed_hosts"]),
                        "urls": tuple(s.get("urls", ())),
                        "fetch": _fetch(s["fetch"]),
                    }
                )
                for s in data["sources"]
            ],
            spool=Path(data["spool"]),
            known=set(data["known"]),
            revisit=[Revisit(**r) for r in data.get("revisit", [])],
            settings=data["settings"],
            validators={v["url"]: Validators(**v) for v in data.get("validators", [])},
        )
