"""One cycle of the job, composed: crawl → extract → classify → diff → store → digest.

This is the only place that wires the packages together (with the CLI and scheduler on top).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from fnmatch import fnmatchcase
from pathlib import Path

from sqlalchemy.orm import Session

from crawlers.items import FetchedPage, SourceReport
from crawlers.job import CrawlJob, JobSource, SourceFetch
from crawlers.settings import fetch_settings
from crawlers.spool import read_spool
from kuaixun.config import Config, ConfigError, SourceConfig
from kuaixun.localtime import local_time
from kuaixun.progress import CrawlProgress, ProgressHook, SpoolFollower
from notify.issue import Issue, IssueItem, build_issue, item_from_record
from notify.mail import email_body, issue_message
from notify.render import render_html, render_markdown, render_pdf, render_text
from pipeline.diff import NEW, REVISED, UNCHANGED, compare
from pipeline.extract import ExtractionError
from pipeline.process import SourceHints, process_page
from pipeline.records import ExtractedNotice
from store import digests, notices, runs
from store.db import Database, open_private_log, private_dir, write_private
from store.digests import ANY_TIME, Period
from store.models import NoticeVersion, RunSource

Echo = Callable[[str], None]
log = logging.getLogger("kuaixun.cycle")
LOG_MAX_BYTES = 10 * 1024 * 1024
PROGRESS_POLL = 0.25
"""Seconds between looks at the spool while the crawl runs: live enough for a person, cheap."""
LOG_KEEP = 3
_PROXY = "Scrapy's HttpProxyMiddleware sends requests through the operator's proxy"
CRAWL_ENVIRONMENT: dict[str, str] = {
    "PATH": "programs the interpreter and its libraries look up",
    "HOME": "user-level defaults Python and Scrapy read",
    "LANG": "the locale: text encoding of the crawl log",
    "LC_*": "the locale's categories",
    "TZ": "log timestamps in the operator's time zone",
    "TMPDIR": "where temporary files go",
    "PYTHONPATH": "imports when run from a checkout without installation",
    "PYTHONUTF8": "the interpreter's text encoding",
    "PYTHONIOENCODING": "the interpreter's text encoding",
    "SSL_CERT_FILE": "the operator's CA certificates, for https sources",
    "SSL_CERT_DIR": "the operator's CA certificates, for https sources",
    "http_proxy": _PROXY,
    "https_proxy": _PROXY,
    "no_proxy": _PROXY,
    "HTTP_PROXY": _PROXY,
    "HTTPS_PROXY": _PROXY,
    "NO_PROXY": _PROXY,
}
"""The only variables the crawl child gets (name or pattern → why): no SMTP password, webhook token or key."""


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

    def line(self) -> str:
        head = f"{self.source:<14} {self.status:<6} pages {self.listing_pages:>2}  links {self.links:>3}  "
        head += f"fetched {self.fetched:>3}  new {self.new:>3}  "
        head += f"revised {self.revised:>2}  failed {self.failed:>2}"
        if self.refused:
            head += f"  blocked {self.refused}"
        if self.status == "failed" and self.failing_runs > 1:
            head += f"  ({self.failing_runs} runs in a row)"
        return head + (f"  — {self.errors[0]}" if self.errors else "")


@dataclass
class CrawlResult:
    outcomes: list[SourceOutcome]

    @property
    def new(self) -> int:
        return sum(o.new for o in self.outcomes)

    @property
    def revised(self) -> int:
        return sum(o.revised for o in self.outcomes)


@dataclass
class DigestFiles:
    """The files of one written issue: every format, and the .eml that carries them to readers."""

    label: str
    count: int
    html: Path
    text: Path
    eml: Path
    markdown: Path
    pdf: Path

    def moved_to(self, folder: Path) -> DigestFiles:
        """The same files, as copied into ``folder``."""
        return replace(
            self,
            html=folder / self.html.name,
            text=folder / self.text.name,
            eml=folder / self.eml.name,
            markdown=folder / self.markdown.name,
            pdf=folder / self.pdf.name,
        )


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def crawl(
    config: Config, db: Database, only: Sequence[str] = (), progress: ProgressHook | None = None
) -> CrawlResult:
    """Crawl the enabled sources (or ``only`` those named), then process and store what was fetched.

    ``progress`` hears of each page and each finished source while the crawl process runs."""
    sources = [s for s in config.sources if s.enabled and (not only or s.name in only)]
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    spool_dir = private_dir(config.data_dir / "spool")
    spool = spool_dir / f"crawl-{stamp}.jsonl"
    with db.session() as session:
        known = notices.known_urls(session)
        revisit = notices.urls_first_seen_since(
            session, now_utc() - timedelta(days=config.crawl.revisit_days)
        )
    job = CrawlJob(
        sources=[_job_source(s, config) for s in sources],
        spool=spool,
        known=known,
        revisit=revisit if config.crawl.revisit_days else set(),
        settings=scrapy_settings(config),
    )
    follower = SpoolFollower(spool, CrawlProgress(tuple(s.name for s in sources)), progress or _silent)
    _run_crawl_process(job, spool_dir / f"crawl-{stamp}.json", config, follower)
    outcomes = _process_spool(config, db, spool, sources)
    spool.unlink(missing_ok=True)
    return CrawlResult(outcomes)


def _job_source(source: SourceConfig, config: Config) -> JobSource:
    fetch = SourceFetch(source.render, source.delay, source.user_agent, source.tls_ciphers, source.proxy)
    pages = source.max_pages or config.crawl.max_pages
    return JobSource(source.name, source.listing_url, source.allowed_hosts, pages, fetch)


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


def crawl_command(job_file: Path) -> list[str]:
    """The crawl child's command line."""
    return [sys.executable, "-m", "crawlers.run", str(job_file)]


def crawl_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The crawl child's environment: only the variables of ``CRAWL_ENVIRONMENT``.

    The child parses pages of sites nobody vouches for; what it does not have, it cannot leak.
    """
    return {
        name: value for name, value in environ.items() if any(fnmatchcase(name, p) for p in CRAWL_ENVIRONMENT)
    }


def _run_crawl_process(job: CrawlJob, job_file: Path, config: Config, follower: SpoolFollower) -> None:
    """Run Scrapy in a child process (Twisted's reactor cannot restart), logging to the data dir;
    while it runs, ``follower`` reads the spool it writes, for progress."""
    job.save(job_file)
    log_path = private_dir(config.data_dir / "logs") / "crawl.log"
    rotate(log_path)
    deadline = time.monotonic() + config.crawl.crawl_timeout
    with open_private_log(log_path) as log:
        with subprocess.Popen(
            crawl_command(job_file),
            stdout=log,
            stderr=subprocess.STDOUT,
            env=crawl_environment(os.environ),
        ) as child:
            while not _ended(child, PROGRESS_POLL):
                follower.poll()
                if time.monotonic() > deadline:
                    child.kill()
                    child.wait()
                    log.write(f"crawl stopped after {config.crawl.crawl_timeout:g} s\n")
        follower.poll()
    job_file.unlink(missing_ok=True)


def _ended(child: subprocess.Popen[bytes], wait: float) -> bool:
    try:
        child.wait(wait)
    except subprocess.TimeoutExpired:
        return False
    return True


def _silent(_progress: CrawlProgress, _report: SourceReport | None) -> None:
    pass


def rotate(path: Path, max_bytes: int = LOG_MAX_BYTES, keep: int = LOG_KEEP) -> None:
    """Keep a log that is appended to for months at a bounded size: crawl.log → crawl.log.1 …"""
    if not path.exists() or path.stat().st_size < max_bytes:
        return
    for n in range(keep - 1, 0, -1):
        older = path.with_name(f"{path.name}.{n}")
        if older.exists():
            older.replace(path.with_name(f"{path.name}.{n + 1}"))
    path.replace(path.with_name(f"{path.name}.1"))


def _process_spool(
    config: Config, db: Database, spool: Path, sources: list[SourceConfig]
) -> list[SourceOutcome]:
    outcomes = {s.name: SourceOutcome(s.name, status="failed") for s in sources}
    reported: set[str] = set()
    for item in read_spool(spool):
        outcome = outcomes[item.source]
        if isinstance(item, SourceReport):
            reported.add(item.source)
            _apply_report(outcome, item)
        else:
            _process_page(config, db, item, outcome)
    for name in outcomes.keys() - reported:
        outcomes[name].errors.insert(
            0, "the crawl process ended before this source finished (see data/logs/crawl.log)"
        )
    _record_run(config, db, list(outcomes.values()))
    return list(outcomes.values())


def _apply_report(outcome: SourceOutcome, report: SourceReport) -> None:
    outcome.listing_pages, outcome.links, outcome.fetched = report.listing_pages, report.links, report.fetched
    outcome.failed += report.failed
    outcome.refused = report.refused
    outcome.errors.extend(report.errors)
    outcome.status = "ok" if report.ok and not report.failed else ("partial" if report.ok else "failed")


def _process_page(config: Config, db: Database, page: FetchedPage, outcome: SourceOutcome) -> None:
    source = config.source(page.source)
    try:
        record, decision = process_page(
            page.body,
            page.final_url,
            page.content_type,
            config.classify,
            hints=source_hints(source),
            identity=page.url,
            listing_title=page.listing_title,
            listing_date=page.listing_date,
        )
    except ExtractionError as exc:
        outcome.failed += 1
        outcome.errors.append(f"{page.url}: {exc}")
        return
    except Exception as exc:  # a bug on one page must not cost the other pages of the run
        log.exception("processing %s failed", page.url)
        outcome.failed += 1
        outcome.errors.append(f"{page.url}: internal error {type(exc).__name__}: {exc} (a bug: report it)")
        return
    seen_at = now_utc()
    with db.session() as session:
        change = compare(notices.latest_record(session, page.url), record)
        if change.status == UNCHANGED:
            notices.touch(session, page.url, seen_at)
            return
        notices.save_version(
            session,
            record,
            source_name=source.name,
            content_hash=change.content_hash,
            reasons=list(decision.reasons),
            diff=change.diff,
            seen_at=seen_at,
        )
    outcome.new += change.status == NEW
    outcome.revised += change.status == REVISED


def source_hints(source: SourceConfig) -> SourceHints:
    return SourceHints(agency=source.agency, region=source.region, column=source.column)


def _record_run(config: Config, db: Database, outcomes: list[SourceOutcome]) -> None:
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
        runs.finish_run(run, now_utc())


def create_issue(
    session: Session, config: Config, today: date, now: datetime, period: Period = ANY_TIME
) -> Issue | None:
    """Number the next issue and fix what it holds, in the caller's transaction; None if nothing waits.

    The caller commits it together with whatever must not exist without it (the outbox rows).
    """
    groups = digests.pending_groups(session, config.digest.sections, period)
    if not groups:
        return None
    digest = digests.create_digest(session, [v for group in groups for v in group], today, now)
    return build_issue(digest.label, config.digest, issue_items(session, groups))


def issue_items(session: Session, groups: list[list[NoticeVersion]]) -> list[tuple[str, IssueItem]]:
    """(section, item) per repost group: the original's record, with every URL of the group."""
    items = []
    for group in groups:
        lead = next((v for v in group if is_original(v.record)), group[0])
        urls = digests.group_urls(session, lead.notice.group_id or lead.notice_id)
        item = item_from_record(
            lead.record,
            source_urls=[lead.notice.url, *(u for u in urls if u != lead.notice.url)],
            revised=digests.was_published_before(session, lead.notice_id, lead.number),
            diff=lead.diff,
        )
        items.append((lead.notice.category, item))
    return items


def is_original(record: ExtractedNotice) -> bool:
    """Published by its own issuer: the source's agency signed it (a repost is signed by another)."""
    agency, issuer = record.agency or "", record.issuer or ""
    return bool(agency and issuer) and (agency in issuer or issuer.split("、")[0] in agency)


def write_issue(config: Config, issue: Issue, now: datetime) -> DigestFiles:
    """The issue in full as .html, .txt, .md and .pdf, and as the .eml readers get (the body
    ``digest.email_body`` asks for, the PDF attached), in the output folder."""
    private_dir(config.out_dir)
    stem = config.out_dir / ("kuaixun-" + issue.label.replace("(", "").replace(") ", "-").replace(" 期", ""))
    html, text, pdf = render_html(issue), render_text(issue), render_pdf(issue)
    paths = {suffix: stem.with_suffix(f".{suffix}") for suffix in ("html", "txt", "md", "pdf", "eml")}
    write_private(paths["html"], html.encode("utf-8"))
    write_private(paths["txt"], text.encode("utf-8"))
    write_private(paths["md"], render_markdown(issue).encode("utf-8"))
    write_private(paths["pdf"], pdf)
    sender = config.channels.email.sender if config.channels.email else "kuaixun@localhost"
    recipients = [s.email for s in config.subscribers if s.digest and s.email] or ["editor@localhost"]
    message = issue_message(
        issue,
        email_body(issue),
        sender=sender,
        to=recipients,
        now=local_time(now, config.schedule.timezone),  # the Date: a reader of the .eml sees
        pdf=pdf,
        pdf_name=paths["pdf"].name,
    )
    write_private(paths["eml"], bytes(message))
    return DigestFiles(
        issue.label,
        issue.count,
        html=paths["html"],
        text=paths["txt"],
        eml=paths["eml"],
        markdown=paths["md"],
        pdf=paths["pdf"],
    )
