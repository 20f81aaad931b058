"""The notice spider: every configured source's listing, then the notices not seen before."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import scrapy
from scrapy.http import FormRequest, Request, Response
from scrapy.statscollectors import StatsCollector
from twisted.python.failure import Failure

from crawlers import stats
from crawlers.conditional import FreshValidators, not_modified, validators_of
from crawlers.costs import request_kind
from crawlers.items import LISTING, REVISIT, FetchedPage, SourceReport
from crawlers.job import CrawlJob, JobSource
from crawlers.listings import Entry, Listing, PageRequest, read_listing
from crawlers.middlewares import Refused
from crawlers.urls import Refusal, origin_allowed, origin_of

REFUSED_STAT = "kuaixun/refused"
"""Scrapy stats keys: ``kuaixun/refused``, ``…/reason/<reason>``; per source ``crawlers.stats``."""


class NoticeSpider(scrapy.Spider):
    """Reads listings page by page and fetches new notice pages (one download slot per host:
    ``crawlers.politeness``).

    Incremental: a listing page with no unseen link ends that source's pagination, so a
    routine run costs one listing request per source, plus the recent notices it revisits.
    """

    name = "notices"

    def __init__(self, job: CrawlJob, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.job = job
        self._queued: set[str] = set()
        self._open = {s.name: 0 for s in job.sources}
        """Requests of each source not yet answered: at 0 the source is finished."""

    async def start(self) -> AsyncIterator[Request]:
        # Counted before any is sent: a source must not look finished while its revisits wait here.
        for source in self.job.sources:
            self._open[source.name] += len(source.urls) or 1  # its given pages, else its listing
        for revisit in self.job.revisit:
            self._open[revisit.source] += 1
        self._queued.update(r.url for r in self.job.revisit)
        for source in self.job.sources:
            if source.urls:  # given notice pages: fetched whether known or not, no listing read
                for url in source.urls:
                    yield self._notice_request(source, Entry(url, ""), request_kind(url))
                continue
            yield self._listing_request(source, PageRequest(source.listing_url, reader=source.family), page=1)
        for revisit in self.job.revisit:
            entry = Entry(revisit.url, revisit.title, revisit.date)
            yield self._notice_request(self.job.source(revisit.source), entry, REVISIT)

    def _answered(self, source: str, followed: int = 0) -> Iterator[SourceReport]:
        """One request of ``source`` answered (it queued ``followed`` more): its report once it is done."""
        self._open[source] += followed - 1
        if self._open[source] == 0:
            yield stats.report(self._stats, source)

    @property
    def _stats(self) -> StatsCollector:
        """Per-source counts live in the crawl's stats (``crawlers.stats``)."""
        assert self.crawler.stats is not None
        return self.crawler.stats

    def _listing_request(self, source: JobSource, page_request: PageRequest, page: int) -> Request:
        meta = {
            "source": source.name,
            "page": page,
            "reader": page_request.reader,
            "kind": LISTING,
        }
        headers = {"Referer": source.listing_url}
        if page_request.method == "POST":
            return FormRequest(
                page_request.url,
                formdata=page_request.form or {},
                meta=meta,
                headers=headers,
                callback=self.parse_listing,
                errback=self.on_listing_error,
                dont_filter=True,
            )
        return Request(
            page_request.url,
            meta=meta,
            headers=headers,
            callback=self.parse_listing,
            errback=self.on_listing_error,
            dont_filter=True,
        )

    def parse_listing(self, response: Response) -> Iterator[Request | SourceReport | FreshValidators]:
        if not_modified(response):  # as it was at the last run: nothing new on it or after it
            stats.count(self._stats, response.meta["source"], "listing_pages")
            stats.count(self._stats, response.meta["source"], "unchanged_listings")
            yield from self._answered(response.meta["source"])
            return
        followed = list(self._follow_listing(response))
        yield from (item for item in followed if isinstance(item, FreshValidators))
        requests = [item for item in followed if isinstance(item, Request)]
        yield from requests
        yield from self._answered(response.meta["source"], len(requests))

    def _follow_listing(self, response: Response) -> Iterator[Request | FreshValidators]:
        source = self.job.source(response.meta["source"])
        page = response.meta["page"]
        if not hasattr(response, "text"):
            stats.note_error(self._stats, source.name, f"listing {response.url} is not a web page")
            return
        listing = read_listing(response.url, response.text, page, response.meta["reader"])
        if not listing.is_shell:
            stats.count(self._stats, source.name, "listing_pages")
        entries = [e for e in listing.entries if self._allowed(source, e.url)]
        stats.count(self._stats, source.name, "links", len(entries))
        fresh = [e for e in entries if e.url not in self._queued and e.url not in self.job.known]
        if listing.unread or (not entries and page == 1 and not listing.is_shell):
            problem = f"no notice links found on {response.url}: {no_entries_reason(listing)}"
            stats.note_error(self._stats, source.name, problem)
        elif not listing.is_shell and (validators := validators_of(response)) is not None:
            yield validators  # a shell is the same every time: its 304 would hide a changed list
        for entry in fresh:
            self._queued.add(entry.url)
            yield self._notice_request(source, entry, request_kind(entry.url))
        shell_only = listing.is_shell
        next_page, wanted = listing.next_page, shell_only or (fresh and page < source.max_pages)
        if next_page is not None and wanted and self._allowed(source, next_page.url):
            yield self._listing_request(source, next_page, page if shell_only else page + 1)

    def _notice_request(self, source: JobSource, entry: Entry, kind: str) -> Request:
        meta = {"source": source.name, "entry": entry, "kind": kind}
        return Request(
            entry.url,
            meta=meta,
            headers={"Referer": source.listing_url},
            callback=self.parse_notice,
            errback=self.on_notice_error,
        )

    def parse_notice(self, response: Response) -> Iterator[FetchedPage | SourceReport | FreshValidators]:
        yield self._page(response)
        validators = validators_of(response)
        if validators is not None:
            yield validators
        yield from self._answered(response.meta["source"])

    def _page(self, response: Response) -> FetchedPage:
        entry: Entry = response.meta["entry"]
        stats.count(self._stats, response.meta["source"], "fetched")  # a 304 too: the page was checked
        content_type = response.headers.get("Content-Type")
        return FetchedPage(
            source=response.meta["source"],
            url=entry.url,
            final_url=response.url,
            status=response.status,
            content_type=content_type.decode("latin-1") if content_type else None,
            body=response.body,
            listing_title=entry.title,
            listing_date=entry.date_text,
            fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )

    def on_listing_error(self, failure: Failure) -> Iterator[SourceReport]:
        request = failure.request  # type: ignore[attr-defined]
        redirects = request.meta.get("redirect_urls")
        if failure.check(Refused) and redirects:  # the listing itself moved (sipo.gov.cn → cnipa.gov.cn)
            error = f"listing {redirects[0]} redirects to another host: {moved(request.url)}"
        else:
            error = f"listing {request.url}: {describe(failure)}"
        stats.note_error(self._stats, request.meta["source"], error)
        yield from self._answered(request.meta["source"])

    def on_notice_error(self, failure: Failure) -> Iterator[SourceReport]:
        request = failure.request  # type: ignore[attr-defined]
        if failure.check(Refused):  # counted as refused where it was refused, not a failure of the site
            yield from self._answered(request.meta["source"])
            return
        stats.count(self._stats, request.meta["source"], "failed")
        stats.note_error(self._stats, request.meta["source"], f"notice {request.url}: {describe(failure)}")
        yield from self._answered(request.meta["source"])

    def _allowed(self, source: JobSource, url: str) -> bool:
        """Whether a link of this source's listing may be followed; a refusal is counted."""
        refusal = origin_allowed(url, source.origins)
        if refusal is not None:
            self.refuse(source.name, refusal)
        return refusal is None

    def refuse(self, source_name: str | None, refusal: Refusal) -> None:
        """Count a link or request refused by ``origin_allowed`` (stats, the source's report, the log)."""
        self._stats.inc_value(REFUSED_STAT)
        self._stats.inc_value(f"{REFUSED_STAT}/reason/{refusal.reason}")
        if source_name is not None:
            stats.count(self._stats, source_name, "refused")
        self.logger.warning("%s: %s", source_name or "robots.txt", refusal)


def describe(failure: Failure) -> str:
    """One line for the operator: an HTTP status, a refusal, or the network error's own words."""
    if failure.check(Refused):
        return str(failure.value)
    response = getattr(failure.value, "response", None)
    if response is not None:
        return f"HTTP {response.status}"
    return f"{failure.type.__name__}: {failure.getErrorMessage()}".strip()


def no_entries_reason(listing: Listing) -> str:
    """Why page 1 of a listing gave nothing to follow: built by script, links all elsewhere, or unknown."""
    if listing.reader == "js_built":
        return listing.explain()
    hosts = sorted({origin.host for e in listing.entries if (origin := origin_of(e.url)) is not None})
    if listing.entries:
        return (
            f"all {len(listing.entries)} links lead outside the source's origins "
            f"(to {', '.join(hosts[:3]) or 'no web address'}): the site may have moved"
        )
    return "the page layout may have changed"


def moved(url: str) -> str:
    """What to do about a listing that now redirects to ``url``, outside the source's origins."""
    where = origin_of(url) or url[:200]
    return f"{where} (the site may have moved: update listing_url, or add the host to allowed_hosts)"
