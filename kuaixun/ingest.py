"""Ingest: fetched pages in, stored notices out — extract, classify, diff, store, per source.

The seam between crawling and everything after it: the crawl feeds it pages as the crawl
process spools them, a replay feeds it a spool a crash left behind, and tests and benchmarks
feed it pages without crawling. Idempotent: a page already stored unchanged only marks its
notice as seen again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from crawlers.items import NOT_MODIFIED, FetchedPage, RequestFigures, SourceReport
from kuaixun.config import Config, SourceConfig
from kuaixun.extracting import source_hints
from kuaixun.localtime import now_utc
from pipeline.classify import Decision
from pipeline.diff import NEW, REVISED, UNCHANGED, compare
from pipeline.extract import ExtractionError
from pipeline.process import SourceHints, process_page
from pipeline.records import ExtractedNotice
from store import notices
from store.db import Database
from store.models import Notice

log = logging.getLogger("kuaixun.ingest")
INGEST_BATCH = 200
"""Pages stored per transaction when pages come all at once (a replay, tests): the records of a
batch stay in memory until it is stored."""
UNPARSED_FAILS = 2
"""Pages of a source that must all fail extraction for the source to count as broken: one bad page
is that page's problem; every page of several failing is a changed layout."""


@dataclass
class SourceOutcome:
    """What one source gave in one crawl, for the per-source summary line."""

    source: str
    status: str = "ok"
    listing_pages: int = 0
    links: int = 0
    fetched: int = 0
    new: int = 0
    revised: int = 0
    failed: int = 0
    refused: int = 0
    """Links and redirects not followed (outside the source's origins, or not http(s))."""
    errors: list[str] = field(default_factory=list)
    failing_runs: int = 0
    """Runs in a row this source has failed, this one included (from the store)."""
    finished: bool = False
    """The crawl process reported this source done (not cut short by a stop, a deadline, a crash)."""
    requests: RequestFigures = field(default_factory=RequestFigures)
    """What the source cost: requests by kind, 304s, bytes (``crawlers.costs``)."""
    unparsed: int = 0
    """Pages fetched whose extraction failed."""

    def line(self) -> str:
        head = f"{self.source:<14} {self.status:<6} pages {self.listing_pages:>2}  links {self.links:>3}  "
        head += f"fetched {self.fetched:>3}  new {self.new:>3}  "
        head += f"revised {self.revised:>2}  failed {self.failed:>2}"
        if self.refused:
            head += f"  blocked {self.refused}"
        if self.status == "failed" and self.failing_runs > 1:
            head += f"  ({self.failing_runs} runs in a row)"
        return head + (f"  — {self.errors[0]}" if self.errors else "")

    def apply(self, report: SourceReport) -> None:
        """The crawl's figures for this source (the pages that failed to store are already counted)."""
        self.listing_pages, self.links, self.fetched = report.listing_pages, report.links, report.fetched
        self.failed += report.failed
        self.refused = report.refused
        self.errors.extend(report.errors)
        self.finished = report.finished
        self.requests = report.requests
        self.status = "ok" if report.ok and not report.failed else ("partial" if report.ok else "failed")

    def judge_parsing(self) -> None:
        """A source whose fetched pages all failed to parse is failed, with that reason (never ok)."""
        if self.unparsed >= UNPARSED_FAILS and self.unparsed == self.fetched and not self.new:
            self.status = "failed"
            why = f"all {self.unparsed} notice pages fetched failed to parse: the layout may have changed"
            self.errors.insert(0, why)

    def unfinished(self, reason: str) -> None:
        """The crawl ended before this source finished: failed, with why."""
        self.status = "failed"
        self.errors.insert(0, reason)


@dataclass
class IngestResult:
    """Each source's outcome, in the order the sources were given or first met."""

    outcomes: list[SourceOutcome]

    @property
    def new(self) -> int:
        return sum(o.new for o in self.outcomes)

    @property
    def revised(self) -> int:
        return sum(o.revised for o in self.outcomes)


@dataclass(frozen=True)
class Processed:
    """A page extracted and classified, waiting to be stored with the rest of its batch."""

    page: FetchedPage
    record: ExtractedNotice
    decision: Decision


class Ingester:
    """Extracts pages as they come and stores them in batches (``store``), counting each source's
    new, revised and failed: one transaction and one lookup of the stored notices per batch."""

    def __init__(self, config: Config, db: Database, sources: Sequence[str] = ()) -> None:
        self.config, self.db = config, db
        self.outcomes = {name: SourceOutcome(name) for name in sources}
        self.pending: list[Processed | FetchedPage] = []
        """Pages processed (or 304s: seen again) since the last ``store``, in arrival order."""

    def outcome(self, source: str) -> SourceOutcome:
        return self.outcomes.setdefault(source, SourceOutcome(source))

    def page(self, page: FetchedPage) -> None:
        """Extract and classify ``page`` now; it is stored by the next ``store``."""
        if page.status == NOT_MODIFIED:  # 304: as it was at the last run; seen again, nothing to process
            self.pending.append(page)
            return
        outcome = self.outcome(page.source)
        source = self._source(page.source)
        try:
            record, decision = process_page(
                page.body,
                page.final_url,
                page.content_type,
                self.config.classify,
                hints=source_hints(source) if source else SourceHints(),
                identity=page.url,
                listing_title=page.listing_title,
                listing_date=page.listing_date,
            )
        except ExtractionError as exc:
            outcome.failed += 1
            outcome.unparsed += 1
            outcome.errors.append(f"{page.url}: {exc}")
            return
        except Exception as exc:  # a bug on one page must not cost the other pages of the run
            log.exception("processing %s failed", page.url)
            outcome.failed += 1
            outcome.errors.append(
                f"{page.url}: internal error {type(exc).__name__}: {exc} (a bug: report it)"
            )
            return
        self.pending.append(Processed(page, record, decision))

    def store(self) -> None:
        """Store the pages processed since the last call, in one transaction."""
        batch, self.pending = self.pending, []
        if not batch:
            return
        seen_at = now_utc()
        with self.db.session() as session:
            stored = notices.stored_notices(session, [_url(item) for item in batch])
            changed: dict[str, Notice] = {}
            for item in batch:
                notice = stored.get(_url(item))
                if notice is not None:
                    notice.last_seen = seen_at
                if isinstance(item, FetchedPage):
                    continue
                notice = self._version(session, notice, item, seen_at)
                if notice is not None:
                    stored[_url(item)] = changed[_url(item)] = notice
            notices.settle(session, list(changed.values()))

    def _version(
        self, session: Session, notice: Notice | None, item: Processed, seen_at: datetime
    ) -> Notice | None:
        """``item`` as the notice's new version, compared with its newest one; None when unchanged."""
        change = compare(notice.versions[-1].record if notice and notice.versions else None, item.record)
        if notice is not None and change.status == UNCHANGED:
            return None
        notice = notice or notices.new_notice(session, item.record, item.page.source, seen_at)
        notices.add_version(
            notice,
            item.record,
            content_hash=change.content_hash,
            reasons=list(item.decision.reasons),
            diff=change.diff,
            seen_at=seen_at,
            fetched_at=fetch_time(item.page),
        )
        outcome = self.outcome(item.page.source)
        outcome.new += change.status == NEW
        outcome.revised += change.status == REVISED
        return notice

    def result(self) -> IngestResult:
        """Each source's figures, once what is pending is stored."""
        self.store()
        return IngestResult(list(self.outcomes.values()))

    def _source(self, name: str) -> SourceConfig | None:
        """The source's config; None for a page of a source since removed from config.yaml (a replay)."""
        return next((s for s in self.config.sources if s.name == name), None)


def _url(item: Processed | FetchedPage) -> str:
    """The stored notice's URL an item is about."""
    return item.url if isinstance(item, FetchedPage) else item.record.source_url


def ingest(config: Config, db: Database, pages: Iterable[FetchedPage]) -> IngestResult:
    """Extract, classify, diff and store ``pages``; each source's new, revised and failed pages."""
    ingester = Ingester(config, db)
    for n, page in enumerate(pages, start=1):
        ingester.page(page)
        if n % INGEST_BATCH == 0:
            ingester.store()
    return ingester.result()


def fetch_time(page: FetchedPage) -> datetime | None:
    """When the crawl fetched ``page`` (UTC, as the store keeps times); None when it did not say."""
    try:
        stamp = datetime.fromisoformat(page.fetched_at)
    except ValueError:
        return None
    return stamp.astimezone(UTC).replace(tzinfo=None) if stamp.tzinfo else stamp
