"""Notices from outside a crawl: ``kuaixun fetch URL…`` and ``kuaixun import-issue FILE``.

Both fetch given notice pages through the crawl itself (a crawl child whose sources are given
their URLs instead of their listings) and store them through the same processing path.
``import-issue`` reads a past 快讯 (the .txt and .md layouts of ``../shared/seeds/``), fetches every
相关链接 and records the issue with the stored versions it carried, under its own number: the
next issue then repeats none of them, and a notice revised later comes back as an 更新.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from crawlers.urls import Origin, configured_origins, normalize_url, origin_of
from kuaixun.config import Config, SourceConfig
from kuaixun.cycle import CrawlResult, crawl_sources
from simulator.seeds import SeedParseError, parse_seed_file
from store import pastissues
from store.db import Database

HTTP_PORT, HTTPS_PORT = 80, 443


class PastIssueError(Exception):
    """A past issue that cannot be read, phrased for the operator."""


@dataclass(frozen=True)
class PastIssue:
    """What a past 快讯 carried: its number and the 相关链接 of its items, in order."""

    year: int
    month: int
    seq: int
    links: tuple[str, ...]
    unlinked: int
    """Items printed without a 相关链接."""

    @property
    def label(self) -> str:
        return f"({self.year}) {self.month:02d}{self.seq:02d} 期"


@dataclass
class Fetched:
    """What fetching given URLs did: the crawl's outcomes, where each URL went, what had no source."""

    result: CrawlResult | None
    placed: dict[str, str] = field(default_factory=dict)
    """Each URL given → the URL fetched (an http link of an https source is upgraded)."""
    homeless: list[str] = field(default_factory=list)
    """URLs whose host no enabled source covers: not fetched."""


def read_past_issue(path: Path) -> PastIssue:
    """The number and links of a past issue file (``(2019) 1102 期`` on its front page)."""
    try:
        items = parse_seed_file(path)
    except (SeedParseError, OSError, UnicodeDecodeError) as exc:
        raise PastIssueError(f"{path}: not a 快讯 issue this program can read: {exc}") from None
    if not items:
        raise PastIssueError(f"{path}: no items found")
    year, number = items[0].issue.split("-")
    links = tuple(dict.fromkeys(normalize_url(i.source_url) for i in items if i.source_url))
    return PastIssue(
        int(year), int(number[:2]), int(number[2:]), links, sum(1 for i in items if not i.source_url)
    )


def place(url: str, sources: Sequence[SourceConfig]) -> tuple[SourceConfig, str] | None:
    """The enabled source whose origins hold ``url``, and the URL to fetch: an old ``http://`` link
    of a source now served over https is fetched over https (the sites redirect there anyway)."""
    origin = origin_of(url)
    if origin is None:
        return None
    old_http = (origin.scheme, origin.port) == ("http", HTTP_PORT)
    secure = Origin("https", origin.host, HTTPS_PORT) if old_http else None
    for source in sources:
        origins = configured_origins(source.listing_url, source.allowed_hosts)
        if origin in origins:
            return source, url
        if secure in origins:
            return source, urlunsplit(urlsplit(url)._replace(scheme="https"))
    return None


def fetch_urls(config: Config, db: Database, urls: Sequence[str]) -> Fetched:
    """Fetch and store the notice pages ``urls`` through the crawl, each under the source of its host."""
    enabled = [s for s in config.sources if s.enabled]
    fetched = Fetched(result=None)
    by_source: dict[str, list[str]] = {}
    for url in dict.fromkeys(normalize_url(u) for u in urls):
        spot = place(url, enabled)
        if spot is None:
            fetched.homeless.append(url)
            continue
        source, target = spot
        fetched.placed[url] = target
        by_source.setdefault(source.name, []).append(target)
    if by_source:
        chosen = [s for s in enabled if s.name in by_source]
        fetched.result = crawl_sources(config, db, chosen, urls=by_source)
    return fetched


@dataclass(frozen=True)
class ImportReport:
    issue: PastIssue
    fetched: Fetched
    recorded: tuple[str, ...]
    """URLs stored and recorded as carried by the issue."""
    missing: tuple[str, ...]
    """URLs fetched under a source but not stored (gone, not a notice page): not recorded."""


def import_issue(config: Config, db: Database, path: Path) -> ImportReport:
    """Fetch a past issue's links, store them, and record the issue with the versions it carried."""
    issue = read_past_issue(path)
    fetched = fetch_urls(config, db, issue.links)
    targets = [fetched.placed[u] for u in issue.links if u in fetched.placed]
    with db.session() as session:
        recorded = pastissues.record_issue(
            session, issue.year, issue.month, issue.seq, targets, datetime.now(UTC).replace(tzinfo=None)
        )
    missing = tuple(u for u in targets if u not in recorded)
    return ImportReport(issue, fetched, tuple(recorded), missing)
