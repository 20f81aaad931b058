"""Cheap incremental crawls, the store's side: which known notices a crawl fetches again, the
validators it sends back, and which fresh validators are kept after it.

A no-change run costs one request per listing page, robots.txt, and a 304 per revisit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from crawlers.conditional import FreshValidators
from crawlers.items import LISTING, Validators
from crawlers.job import Revisit
from kuaixun.config import CrawlConfig, SourceConfig
from store import notices, validators


@dataclass(frozen=True)
class CrawlPlan:
    """What a crawl asks for beyond the listings: the revisits, and every validator it may send."""

    revisits: list[Revisit]
    validators: dict[str, Validators]


def plan(
    session: Session, crawl: CrawlConfig, sources: Sequence[SourceConfig], today: date, now: datetime
) -> CrawlPlan:
    """Revisits (never 其他; published within ``revisit_days`` of ``today``, the newest first, at most
    ``revisit_budget``), and the stored validators of them and of each source's listing page."""
    revisits: list[Revisit] = []
    if crawl.revisit_days and crawl.revisit_budget:
        window = timedelta(days=crawl.revisit_days)
        names = [s.name for s in sources]
        found = notices.revisit_candidates(session, today - window, now - window, crawl.revisit_budget, names)
        revisits = [Revisit(n.source_name, n.url, n.title, n.publish_date) for n in found]
    urls = [s.listing_url for s in sources] + [r.url for r in revisits]
    return CrawlPlan(revisits, validators.load(session, urls))


def keep_validators(
    session: Session,
    fresh: Iterable[FreshValidators],
    sources: Sequence[SourceConfig],
    clean: set[str],
    now: datetime,
) -> int:
    """Store the fresh validators that vouch only for what is stored: a notice's once the notice is
    stored; a listing page's only when its source is ``clean`` (everything it led to fetched and
    stored), else a 304 next time would hide the notices that failed. Returns how many."""
    listing_urls = {s.name: s.listing_url for s in sources}
    fresh = list(fresh)
    stored = notices.stored_urls(session, [f.validators.url for f in fresh if f.kind != LISTING])

    def vouched(f: FreshValidators) -> bool:
        if f.kind == LISTING:
            return f.source in clean and f.validators.url == listing_urls.get(f.source)
        return f.validators.url in stored

    kept = [f.validators for f in fresh if vouched(f)]
    validators.save(session, kept, now)
    return len(kept)
