"""The notice spider: every configured source's listing, then the notices not seen before."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import scrapy
from scrapy.http import FormRequest, Request, Response
from twisted.python.failure import Failure

from crawlers.items import FetchedPage, SourceReport
from crawlers.job import CrawlJob, JobSource
from crawlers.listings import Entry, PageRequest, read_listing
from crawlers.middlewares import Refused
from crawlers.urls import Refusal, origin_allowed

REFUSED_STAT = "kuaixun/refused"
"""Scrapy stats keys: ``kuaixun/refused``, ``…/reason/<reason>``, ``…/source/<source>``."""


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
        self.reports = {s.name: SourceReport(s.name) for s in job.sources}
        self.reported: set[str] = set()
        """Sources whose report was yielded as they finished; the pipeline writes the rest at the end."""
        self._queued: set[str] = set()
        self._open = dict.fromkeys(self.reports, 0)
        """Requests of each source not yet answered: at 0 the source is finished."""

    async def start(self) -> AsyncIterator[Request]:
        for source in self.job.sources:
            self._open[source.name] += 1
            yield self._listing_request(source, PageRequest(source.listing_url), page=1)

    def _answered(self, source: str, followed: int = 0) -> Iterator[SourceReport]:
        """One request of ``source`` answered (it queued ``followed`` more): its report once it is done."""
        self._open[source] += followed - 1
        if self._open[source] == 0:
            self.reported.add(source)
            yield self.reports[source]

    def _listing_request(self, source: JobSource, page_request: PageRequest, page: int) -> Request:
        meta = {
            "source": source.name,
            "page": page,
            "reader": page_request.reader,
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

    def parse_listing(self, response: Response) -> Iterator[Request | SourceReport]:
        followed = list(self._follow_listing(response))
        yield from followed
        yield from self._answered(response.meta["source"], len(followed))

    def _follow_listing(self, response: Response) -> Iterator[Request]:
        source = self.job.source(response.meta["source"])
        report = self.reports[source.name]
        page = response.meta["page"]
        if not hasattr(response, "text"):
            report.errors.append(f"listing {response.url} is not a web page")
            return
        listing = read_listing(response.url, response.text, page, response.meta["reader"])
        if listing.reader != "jpaas" or listing.entries:
            report.listing_pages += 1
        entries = [e for e in listing.entries if self._allowed(source, e.url)]
        report.links += len(entries)
        unqueued = [e for e in entries if e.url not in self._queued]
        fresh = [e for e in unqueued if e.url not in self.job.known]
        if listing.reader == "none" or (not entries and listing.next_page is None and page == 1):
            why = listing.explain() if listing.reader == "js_built" else "the page layout may have changed"
            report.errors.append(f"no notice links found on {response.url}: {why}")
        for entry in unqueued:
            if entry.url in self.job.known and entry.url not in self.job.revisit:
                continue
            self._queued.add(entry.url)
            yield self._notice_request(source, entry)
        shell_only = listing.is_shell
        next_page, wanted = listing.next_page, shell_only or (fresh and page < source.max_pages)
        if next_page is not None and wanted and self._allowed(source, next_page.url):
            yield self._listing_request(source, next_page, page if shell_only else page + 1)

    def _notice_request(self, source: JobSource, entry: Entry) -> Request:
        meta = {"source": source.name, "entry": entry}
        return Request(
            entry.url,
            meta=meta,
            headers={"Referer": source.listing_url},
            callback=self.parse_notice,
            errback=self.on_notice_error,
        )

    def parse_notice(self, response: Response) -> Iterator[FetchedPage | SourceReport]:
        yield self._page(response)
        yield from self._answered(response.meta["source"])

    def _page(self, response: Response) -> FetchedPage:
        entry: Entry = response.meta["entry"]
        report = self.reports[response.meta["source"]]
        report.fetched += 1
        content_type = response.headers.get("Content-Type")
        return FetchedPage(
            source=report.source,
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
        self.reports[request.meta["source"]].errors.append(f"listing {request.url}: {describe(failure)}")
        yield from self._answered(request.meta["source"])

    def on_notice_error(self, failure: Failure) -> Iterator[SourceReport]:
        request = failure.request  # type: ignore[attr-defined]
        if failure.check(Refused):  # counted as refused where it was refused, not a failure of the site
            yield from self._answered(request.meta["source"])
            return
        report = self.reports[request.meta["source"]]
        report.failed += 1
        report.errors.append(f"notice {request.url}: {describe(failure)}")
        yield from self._answered(request.meta["source"])

    def _allowed(self, source: JobSource, url: str) -> bool:
        """Whether a link of this source's listing may be followed; a refusal is counted."""
        refusal = origin_allowed(url, source.origins)
        if refusal is not None:
            self.refuse(source.name, refusal)
        return refusal is None

    def refuse(self, source_name: str | None, refusal: Refusal) -> None:
        """Count a link or request refused by ``origin_allowed`` (stats, the source's report, the log)."""
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value(REFUSED_STAT)
        stats.inc_value(f"{REFUSED_STAT}/reason/{refusal.reason}")
        if source_name is not None:
            stats.inc_value(f"{REFUSED_STAT}/source/{source_name}")
            self.reports[source_name].refused += 1
        self.logger.warning("%s: %s", source_name or "robots.txt", refusal)


def describe(failure: Failure) -> str:
    """One line for the operator: an HTTP status, a refusal, or the network error's own words."""
    if failure.check(Refused):
        return str(failure.value)
    response = getattr(failure.value, "response", None)
    if response is not None:
        return f"HTTP {response.status}"
    return f"{failure.type.__name__}: {failure.getErrorMessage()}".strip()
