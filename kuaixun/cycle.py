"""One cycle of the job, composed: crawl → ingest → record the run; then the issue and its files.

This is the only place that wires the packages together (with the CLI and scheduler on top):
the crawl process (``kuaixun.crawl_process``) spools pages, ``kuaixun.ingest`` stores them as
they arrive, a spool a crash left behind is replayed first, and the issue is written in every
format of ``notify.formats``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from crawlers.conditional import FreshValidators
from crawlers.items import FetchedPage, RequestFigures, SourceReport
from crawlers.job import STOP_TIMEOUT_SETTING, CrawlJob, JobSource, SourceFetch
from crawlers.settings import fetch_settings
from crawlers.spool import JOB_GLOB, SpoolItem, SpoolTail, being_written, leftovers
from kuaixun import incremental
from kuaixun.config import Config, ConfigError, SourceConfig
from kuaixun.crawl_process import ChildExit, StopRequested, run_crawl_process, stop_requested
from kuaixun.editorial import Placed, arrange
from kuaixun.ingest import Ingester, IngestResult, SourceOutcome, ingest, now_utc
from kuaixun.localtime import local_date, local_time
from kuaixun.progress import CrawlProgress, ProgressHook, follow, silent
from notify.formats import DigestFiles, Edition, write_formats
from notify.issue import Issue, IssueItem, build_issue, item_from_record
from pipeline.reposts import leading
from store import digests, editorial, notices, runs
from store.db import Database, private_dir, write_private
from store.digests import ANY_TIME, Period
from store.models import RunSource

__all__ = ["DigestFiles", "now_utc"]  # for the modules that take them from the cycle
INGEST_SLICE = 1.0
"""Seconds of storing pages between two looks at the crawl process: a stop or a deadline is
heard within about that, and a page waits in the spool no longer than the crawl lasts."""
COMPLETED = ChildExit()
"""A crawl process that finished its job."""
UNFINISHED = "the crawl process ended before this source finished (see data/logs/crawl.log)"


@dataclass
class CrawlResult:
    outcomes: list[SourceOutcome]
    replayed: IngestResult | None = None
    """What a spool left by an interrupted crawl gave when it was replayed first."""
    problem: str | None = None
    """Why the crawl process did not complete (it crashed, was killed, ran out of time)."""

    @property
    def new(self) -> int:
        return sum(o.new for o in self.outcomes) + (self.replayed.new if self.replayed else 0)

    @property
    def revised(self) -> int:
        return sum(o.revised for o in self.outcomes) + (self.replayed.revised if self.replayed else 0)

    @property
    def requests(self) -> RequestFigures:
        """The whole run's requests (seconds: the slowest source's)."""
        return RequestFigures.total(o.requests for o in self.outcomes)


def crawl(
    config: Config,
    db: Database,
    only: Sequence[str] = (),
    progress: ProgressHook | None = None,
    today: date | None = None,
) -> CrawlResult:
    """Crawl the enabled sources (or ``only`` those named), storing what is fetched as it comes.

    A spool left by an interrupted crawl is stored first. ``progress`` hears of each page and
    each finished source while the crawl process runs. Raises ``StopRequested`` after storing
    what was fetched and recording the run as interrupted when a stop was requested. ``today``
    (default: the day in ``schedule.timezone``) dates the revisit window.
    """
    sources = [s for s in config.sources if s.enabled and (not only or s.name in only)]
    return crawl_sources(config, db, sources, progress, today=today)


def crawl_sources(
    config: Config,
    db: Database,
    sources: Sequence[SourceConfig],
    progress: ProgressHook | None = None,
    urls: Mapping[str, Sequence[str]] | None = None,
    today: date | None = None,
) -> CrawlResult:
    """Crawl ``sources`` and store what was fetched; a source given ``urls`` (by name) fetches
    those notice pages instead of reading its listing (``kuaixun fetch``, ``import-issue``)."""
    sources = list(sources)
    spool_dir = private_dir(config.data_dir / "spool")
    replayed = replay_leftovers(config, db, spool_dir)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    spool = spool_dir / f"crawl-{stamp}.jsonl"
    ingester = Ingester(config, db, [s.name for s in sources])
    show = follow(CrawlProgress(tuple(s.name for s in sources)), progress or silent)
    fresh: list[FreshValidators] = []

    def take(item: SpoolItem) -> None:
        show(item)
        if isinstance(item, SourceReport):
            ingester.outcome(item.source).apply(item)
        elif isinstance(item, FreshValidators):
            fresh.append(item)
        else:
            ingester.page(item)

    tail = SpoolTail(spool)
    job = _job(config, db, sources, spool, today, urls)

    def slice_of_pages() -> bool:
        busy = _drain(tail, take, INGEST_SLICE)
        ingester.store()  # one transaction per slice: a page waits in memory at most that long
        return busy

    ended = run_crawl_process(job, spool.with_suffix(".json"), config, slice_of_pages)
    while slice_of_pages():  # what the crawl process left: still slice by slice, never all in memory
        pass
    outcomes = ingester.result().outcomes
    _finish(outcomes, ended)
    for outcome in outcomes:
        outcome.judge_parsing()
    clean = {o.source for o in outcomes if o.status == "ok" and not o.failed}
    with db.session() as session:
        incremental.keep_validators(session, fresh, sources, clean, now_utc())
    record_run(config, db, outcomes, ended)
    spool.unlink(missing_ok=True)  # only now: every page of it is stored
    if ended.stopped or stop_requested():
        raise StopRequested(f"crawl {ended.problem or 'stopped on request'}: what was fetched is stored")
    return CrawlResult(outcomes, replayed, ended.problem)


def _job(
    config: Config,
    db: Database,
    sources: list[SourceConfig],
    spool: Path,
    today: date | None,
    urls: Mapping[str, Sequence[str]] | None = None,
) -> CrawlJob:
    now = now_utc()
    with db.session() as session:
        known = notices.known_urls(session)
        day = today or local_date(now, config.schedule.timezone)
        plan = incremental.plan(session, config.crawl, sources, day, now)
    return CrawlJob(
        sources=[_job_source(s, config, (urls or {}).get(s.name, ())) for s in sources],
        spool=spool,
        known=known,
        revisit=plan.revisits,
        validators=plan.validators,
        settings=scrapy_settings(config) | _own_deadline(config),
    )


def _own_deadline(config: Config) -> dict[str, float]:
    """The crawl process's own deadline: a backstop past the parent's (``crawl_timeout``, then
    ``stop_timeout`` to close), for a parent that can no longer stop it."""
    limits = config.crawl
    return {
        "CLOSESPIDER_TIMEOUT": limits.crawl_timeout + limits.stop_timeout,
        STOP_TIMEOUT_SETTING: limits.stop_timeout,
    }


def _job_source(source: SourceConfig, config: Config, urls: Sequence[str] = ()) -> JobSource:
    fetch = SourceFetch(source.render, source.delay, source.user_agent, source.tls_ciphers, source.proxy)
    return JobSource(
        source.name,
        source.listing_url,
        source.allowed_hosts,
        source.max_pages or config.crawl.max_pages,
        family=source.family,
        urls=tuple(urls),
        fetch=fetch,
    )


def scrapy_settings(config: Config) -> dict[str, object]:
    """The Scrapy settings config.yaml's `crawl` section sets (the crawl child and `kuaixun listing URL`)."""
    crawl_config = config.crawl
    return {
        "USER_AGENT": crawl_config.user_agent,
        "DOWNLOAD_DELAY": crawl_config.download_delay,
        "AUTOTHROTTLE_START_DELAY": max(crawl_config.download_delay, 0.1),
        "AUTOTHROTTLE_ENABLED": crawl_config.download_delay > 0,
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawl_config.concurrent_per_source,
        "DOWNLOAD_TIMEOUT": crawl_config.timeout,
        "RETRY_TIMES": crawl_config.retries,
        "ROBOTSTXT_OBEY": crawl_config.obey_robots,
        **_fetch_settings(config),
    }


def _drain(tail: SpoolTail, take: Callable[[SpoolItem], None], budget: float | None = None) -> bool:
    """Take what the spool holds since the last look, for at most ``budget`` seconds (None: all);
    True when the budget ran out first (more may be waiting)."""
    until = None if budget is None else time.monotonic() + budget
    for item in tail.items():
        take(item)
        if until is not None and time.monotonic() > until:
            return True
    return False


def _fetch_settings(config: Config) -> dict[str, object]:
    """Per-host slots and ciphers, the browser (``crawlers.settings.fetch_settings``); a ConfigError
    naming the key when they cannot be met (no Chromium)."""
    sources = [_job_source(s, config) for s in config.sources if s.enabled]
    try:
        crawl_config = config.crawl
        return fetch_settings(
            sources, crawl_config.browser, crawl_config.chromium, crawl_config.concurrent_per_source
        )
    except ValueError as exc:
        raise ConfigError(f"{config._label}: {exc}") from None


def _finish(outcomes: list[SourceOutcome], ended: ChildExit) -> None:
    """Each source the crawl process did not finish is failed, with why."""
    why = f"the crawl {ended.problem} before this source finished (see data/logs/crawl.log)"
    for outcome in outcomes:
        if not outcome.finished:
            outcome.unfinished(why if ended.problem else UNFINISHED)


def replay_leftovers(config: Config, db: Database, spool_dir: Path) -> IngestResult | None:
    """Store the pages of the spools earlier crawls left behind (a crash, kill -9), then remove
    them and their job files; a spool a running crawl process still writes is left alone."""
    spools = [s for s in leftovers(spool_dir) if not being_written(s)]
    pages = (item for s in spools for item in SpoolTail(s).items() if isinstance(item, FetchedPage))
    result = ingest(config, db, pages) if spools else None
    for spool in spools:
        spool.unlink()
    busy = {s.with_suffix(".json") for s in leftovers(spool_dir)}
    for job_file in leftovers(spool_dir, JOB_GLOB):
        if job_file not in busy:
            job_file.unlink()
    return result


def record_run(
    config: Config, db: Database, outcomes: list[SourceOutcome], ended: ChildExit = COMPLETED
) -> None:
    """The run in the store: each source's figures and health, and how the crawl process ``ended``."""
    now = now_utc()
    with db.session() as session:
        run = runs.start_run(session, now)
        for o in outcomes:
            source = config.source(o.source)
            figures = RunSource(
                source_name=o.source,
                status=o.status,
                listing_pages=o.listing_pages,
                links=o.links,
                fetched=o.fetched,
                new=o.new,
                revised=o.revised,
                failed=o.failed,
                error="\n".join(o.errors) or None,
            )
            health = runs.record_source(
                session,
                run,
                figures,
                agency=source.agency,
                region=source.region,
                listing_url=source.listing_url,
                now=now,
            )
            o.failing_runs = health.consecutive_failures
            runs.record_cost(session, run, o.source, o.requests)
        runs.finish_run(run, now_utc(), ended.problem, interrupted=ended.stopped)


def create_issue(
    session: Session,
    config: Config,
    today: date,
    now: datetime,
    period: Period = ANY_TIME,
    limit: int | None = None,
) -> Issue | None:
    """Number the next issue and fix what it holds, in the caller's transaction; None if nothing waits.

    The caller commits it together with whatever must not exist without it (the outbox rows).
    ``limit`` keeps the first so many waiting versions (a preview's bound); None: every one.
    """
    groups = digests.pending_groups(session, config.digest.sections, period, limit)
    arrangement = arrange(groups, editorial.decisions(session), config.digest.sections)
    if not arrangement.placed:
        return None
    digest = digests.create_digest(session, arrangement.versions(), today, now)
    return build_issue(digest.label, config.digest, issue_items(session, arrangement.placed))


def issue_items(session: Session, placed: Sequence[Placed]) -> list[tuple[str, IssueItem]]:
    """(section, item) per repost group, in the section the editor (else the classifier) gave it:
    the original's record, with every URL of the group."""
    items = []
    for entry in placed:
        group = entry.versions
        lead = leading(group, lambda version: version.record)
        urls = digests.group_urls(session, lead.notice.group_id or lead.notice_id)
        item = item_from_record(
            lead.record,
            source_urls=[lead.notice.url, *(u for u in urls if u != lead.notice.url)],
            revised=digests.was_published_before(session, lead.notice_id, lead.number),
            diff=lead.diff,
        )
        items.append((entry.section, item))
    return items


def write_issue(config: Config, issue: Issue, now: datetime) -> DigestFiles:
    """The issue in every format of ``notify.formats`` (the .eml with the body ``digest.email_body``
    asks for and the PDF attached), in the output folder."""
    private_dir(config.out_dir)
    stem = config.out_dir / ("kuaixun-" + issue.label.replace("(", "").replace(") ", "-").replace(" 期", ""))
    sender = config.channels.email.sender if config.channels.email else "kuaixun@localhost"
    recipients = [s.email for s in config.subscribers if s.digest and s.email] or ["editor@localhost"]
    zoned = local_time(now, config.schedule.timezone)  # the Date: a reader of the .eml sees
    return write_formats(Edition(issue, stem, sender, recipients, zoned), write_private)
