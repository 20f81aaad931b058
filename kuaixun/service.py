"""The commands' work: cycles with a per-source report, for the CLI, the scheduler and the demo."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date

from kuaixun.admin import announce_health
from kuaixun.alerts import alerting, send_summaries
from kuaixun.config import Config
from kuaixun.cycle import CrawlResult, crawl
from kuaixun.delivery import deliver_due, send_digest, waiting_notices
from kuaixun.lock import run_lock
from kuaixun.progress import crawl_progress
from kuaixun.reminders import reminding, send_reminders
from store.db import Database
from store.digests import ANY_TIME, Period

Echo = Callable[[str], None]
EXIT_OK, EXIT_SOURCE_FAILED, EXIT_DELIVERY_FAILED = 0, 1, 1


@contextmanager
def open_store(config: Config) -> Iterator[Database]:
    """The store opened (and migrated) for this command, closed after it."""
    database = Database(config.store.url)
    try:
        yield database
    finally:
        database.close()


@contextmanager
def writing_store(config: Config, command: str, echo: Echo, db: Database | None = None) -> Iterator[Database]:
    """The store for a run that writes it: the caller's (who then holds the run lock), or one
    opened for ``command`` under the run lock (RunLockHeld when another run holds it)."""
    if db is not None:
        yield db
        return
    with run_lock(config.data_dir, command, config.schedule.timezone, echo), open_store(config) as database:
        yield database


def crawl_and_report(
    config: Config,
    echo: Echo,
    only: Sequence[str] = (),
    db: Database | None = None,
    live: bool = False,
    today: date | None = None,
) -> int:
    """Crawl, print one line per source, a total and the requests it cost, then alert subscribers
    and announce sources broken or recovered to the admin; exit 1 if a source failed.

    While the crawl runs, a line as each source finishes and, ``live`` (a terminal), a live line.
    ``today`` dates the revisit window (default: today in ``schedule.timezone``)."""
    with (
        writing_store(config, "crawl", echo, db) as database,
        reminding(config, database, echo),
        alerting(config, database, echo),
    ):
        with crawl_progress(echo, live) as progress:
            result = crawl(config, database, only, progress, today)
        report_crawl(result, echo)
        if result.new or result.revised:
            echo(f"{waiting_notices(config, database)} notice(s) wait for the next issue")
        echo(result.requests.line())  # the run report: what the crawl cost the sites
        announce_health(config, database, echo)
    return EXIT_OK if all(o.status != "failed" for o in result.outcomes) else EXIT_SOURCE_FAILED


def source_choice_error(config: Config, names: Sequence[str]) -> str | None:
    """Why ``crawl --source`` cannot crawl ``names`` (unknown or disabled ones), or None if it can."""
    enabled = [s.name for s in config.sources if s.enabled]
    disabled = [n for n in names if n in {s.name for s in config.sources} and n not in enabled]
    unknown = [n for n in names if n not in enabled and n not in disabled]
    problems = [f"no source named {n!r}" for n in unknown]
    problems += [f"source {n!r} is disabled (enabled: false)" for n in disabled]
    if not problems:
        return None
    return f"{'; '.join(problems)}; the enabled sources are: {', '.join(enabled) or 'none'}"


def report_crawl(result: CrawlResult, echo: Echo) -> None:
    if result.replayed:
        stored = f"{result.replayed.new} new and {result.replayed.revised} revised"
        echo(f"stored the pages an interrupted crawl had left: {stored}")
    for outcome in result.outcomes:
        echo(outcome.line())
    failed = [o.source for o in result.outcomes if o.status == "failed"]
    if result.new or result.revised:
        # pages: each site's copy counts, news included; an issue counts notices
        echo(f"found {result.new} new and {result.revised} revised page(s)")
    elif failed and len(failed) == len(result.outcomes):
        echo("no source could be read: nothing was checked")
    else:
        echo("nothing new since the last run")
    if failed:
        echo(f"sources that failed: {', '.join(failed)}")


def digest_and_report(
    config: Config, echo: Echo, db: Database | None = None, period: Period = ANY_TIME
) -> int:
    """``digest send``: the next issue created, archived and queued, then everything due delivered.

    Exit status 1 when a delivery failed or waits for a retry (the line of each says why).
    """
    with writing_store(config, "digest send", echo, db) as database:
        report = send_digest(config, database, echo, period=period)
    return EXIT_OK if report.ok else EXIT_DELIVERY_FAILED


def retry_and_report(config: Config, echo: Echo, db: Database | None = None) -> int:
    """Deliver whatever is due in the outbox (retries after an outage); exit 1 if any still fails."""
    with writing_store(config, "digest retry", echo, db) as database:
        report = deliver_due(config, database, echo)
    return EXIT_OK if report.ok else EXIT_DELIVERY_FAILED


def summaries_and_report(
    config: Config, echo: Echo, modes: Sequence[str], db: Database | None = None
) -> None:
    """The daily or weekly alert summaries, queued and delivered."""
    with writing_store(config, "alerts send-summaries", echo, db) as database:
        send_summaries(config, database, echo, modes)
        send_reminders(config, database, echo)


def run_cycle(config: Config, echo: Echo, live: bool = False) -> int:
    """Crawl then ``digest send``, on one store, under one hold of the run lock."""
    with writing_store(config, "run", echo) as db:
        status = crawl_and_report(config, echo, db=db, live=live)
        return max(status, digest_and_report(config, echo, db=db))
