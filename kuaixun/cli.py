"""The ``kuaixun`` command: run the job, its parts, the simulator and the demo."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from kuaixun.config import Config
    from kuaixun.delivery import DeliveryReport
    from store.db import Database
    from store.digests import Period

DEFAULT_CONFIG = Path("config.yaml")


class KuaixunGroup(click.Group):
    """Turns a config problem into one clear line and exit code 2, never a traceback; another
    run holding the run lock into the line naming it and exit code 3; the database's own
    failure (locked, disk full, login refused) into one line naming the cause and exit code 4."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            from kuaixun.failures import failure_of  # only once failed: start-up imports none of it

            failure = failure_of(exc)
            if failure is None:
                raise
            click.echo(failure.line, err=True)
            sys.exit(failure.code)


@click.group(cls=KuaixunGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    default=DEFAULT_CONFIG,
    show_default=True,
    help="The operator's config file (sources, section rules, schedule, digest, channels).",
)
@click.option(
    "--log-format",
    type=click.Choice(["plain", "json"]),
    default="plain",
    show_default=True,
    envvar="KUAIXUN_LOG_FORMAT",
    help="Log lines (stderr; all of `schedule`'s lines): plain text or one JSON object per line.",
)
@click.pass_context
def main(ctx: click.Context, config_path: Path, log_format: str) -> None:
    """Kuaixun watches Chinese government websites and publishes the 快讯 digest of new notices.

    \b
    Start here:
      kuaixun demo            the whole job offline, against a simulated government web
      kuaixun run             one real cycle: crawl every source, store, write the digest
      kuaixun schedule        run unattended on the cron lines of config.yaml
    """
    os.umask(0o077)  # the store, archive, logs, spool and issues it writes are the operator's only
    from kuaixun.logs import setup_logging

    setup_logging(log_format)
    ctx.obj = config_path


def _config(ctx: click.Context) -> Config:
    from kuaixun.config import load_config

    return load_config(ctx.obj)


def _extraction_config(ctx: click.Context) -> Config:
    """config.yaml's extraction and section rules, or the defaults where there is no config.yaml."""
    from kuaixun.config import Config, load_extraction_config

    return load_extraction_config(ctx.obj) if ctx.obj.exists() else Config()


@main.command()
@click.pass_context
def run(ctx: click.Context) -> None:
    """One full cycle: crawl all sources, store what is new, then ``digest send``.

    Exits 3 when another run holds the run lock (the line names it: pid, host, since when); 143
    on SIGTERM, after storing what the crawl fetched (the crawl stops within crawl.stop_timeout).
    """
    config = _config(ctx)
    from kuaixun.crawl_process import stop_on_sigterm
    from kuaixun.service import run_cycle

    with stop_on_sigterm():
        status = run_cycle(config, click.echo, live=sys.stderr.isatty())
    sys.exit(status)


@main.command()
@click.option("--source", "only", multiple=True, help="Crawl only this source (repeatable).")
@click.pass_context
def crawl(ctx: click.Context, only: tuple[str, ...]) -> None:
    """Crawl the sources, store new and revised notices, send the instant keyword alerts they match.

    No digest: nothing of an issue is created or delivered (not even a retry; that is
    ``digest send``'s). Prints one line per source, then the total. Exits 1 when a source failed,
    2 on an unknown --source, 3 when another run holds the run lock (the line names it), 143 on
    SIGTERM (the crawl stops within crawl.stop_timeout; what it fetched is stored).
    """
    config = _config(ctx)
    from kuaixun.service import crawl_and_report, source_choice_error

    problem = source_choice_error(config, only)
    if problem:
        raise click.BadParameter(problem, param_hint="--source")
    from kuaixun.crawl_process import stop_on_sigterm

    with stop_on_sigterm():
        status = crawl_and_report(config, click.echo, only, live=sys.stderr.isatty())
    sys.exit(status)


@main.group()
def digest() -> None:
    """The 快讯 issue: preview it, send it (email, webhooks), resend it, list issues and deliveries."""


def period_options(command: Callable[..., None]) -> Callable[..., None]:
    """``--since`` / ``--until``: limit the issue to notices published in that period."""
    day = click.DateTime(formats=["%Y-%m-%d"])
    until = click.option("--until", type=day, help="Only notices published on or before this day.")
    since = click.option("--since", type=day, help="Only notices published on or after this day.")
    return since(until(command))


def _period(since: datetime | None, until: datetime | None) -> Period:
    from store.digests import Period

    return Period(since and f"{since:%Y-%m-%d}", until and f"{until:%Y-%m-%d}")


@digest.command("preview")
@period_options
@click.pass_context
def digest_preview(ctx: click.Context, since: datetime | None, until: datetime | None) -> None:
    """Render the next issue into out_dir; records nothing (no issue number taken, nothing sent)."""
    from kuaixun.delivery import preview_digest

    config = _config(ctx)
    with _database(config) as db:
        preview_digest(config, db, click.echo, period=_period(since, until))


@digest.command("send")
@period_options
@click.pass_context
def digest_send(ctx: click.Context, since: datetime | None, until: datetime | None) -> None:
    """Create the next issue if notices are waiting, archive it, and deliver everything due.

    Deliveries that failed earlier are retried here once their wait is over; each one still
    waiting is listed with its retry time. Exits 1 when a delivery failed or is waiting for a retry,
    3 when another run holds the run lock (the line names it).
    """
    config = _config(ctx)
    from kuaixun.service import digest_and_report

    sys.exit(digest_and_report(config, click.echo, period=_period(since, until)))


@digest.command("resend")
@click.argument("issue")
@click.option("--to", "to", required=True, help="An email address, or the name of a configured webhook.")
@click.pass_context
def digest_resend(ctx: click.Context, issue: str, to: str) -> None:
    """Send an issue's archived files again to one recipient (ISSUE: 2026-1101 or '(2026) 1101 期').

    An UNCONFIRMED delivery of the issue to that recipient is sent again as itself (same
    Message-ID, from the chat part in doubt): use it when the recipient did not get it.
    """
    from kuaixun.delivery import resend

    _deliver_command(ctx, resend, issue, to)


@digest.command("confirm")
@click.argument("issue")
@click.option("--to", "to", required=True, help="The recipient of the UNCONFIRMED delivery (as listed).")
@click.pass_context
def digest_confirm(ctx: click.Context, issue: str, to: str) -> None:
    """Record that an UNCONFIRMED delivery did arrive: marked sent, nothing sent again (a chat
    message's parts after the one in doubt are sent now)."""
    from kuaixun.delivery import confirm

    _deliver_command(ctx, confirm, issue, to)


def _deliver_command(ctx: click.Context, action: Callable[..., DeliveryReport], issue: str, to: str) -> None:
    from kuaixun.delivery import DeliveryUsageError

    config = _config(ctx)
    with _database(config) as db:
        try:
            report = action(config, db, click.echo, issue, to)
        except DeliveryUsageError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
    sys.exit(0 if report.ok else 1)


@digest.command("approve")
@click.argument("issue")
@click.pass_context
def digest_approve(ctx: click.Context, issue: str) -> None:
    """Approve an issue waiting under digest.approval: required, and deliver it (once, however often asked).

    ISSUE: 2026-1101 or '(2026) 1101 期'. The issue goes out as the desk's corrections leave it.
    Exits 1 when there is no such waiting issue or a delivery failed, 3 when another run holds the run lock.
    """
    from kuaixun.approval import ApprovalError, approve
    from kuaixun.service import writing_store

    config = _config(ctx)
    with writing_store(config, "digest approve", click.echo) as db:
        try:
            result = approve(config, db, click.echo, issue, editor=f"cli:{_login_name()}")
        except ApprovalError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
    if not result.approved_now:
        click.echo(f"issue {result.ref} was approved already by {result.approved_by}: nothing sent again")
    sys.exit(0 if result.report is None or result.report.ok else 1)


def _login_name() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@digest.command("list")
@click.option(
    "--limit", type=click.IntRange(min=0), default=20, show_default=True, help="At most N issues (0: all)."
)
@click.pass_context
def digest_list(ctx: click.Context, limit: int) -> None:
    """Issues, newest first: number, date, notices, and the status of each delivery."""
    from kuaixun.delivery import list_digests

    config = _config(ctx)
    with _database(config) as db:
        for line in list_digests(config, db, limit or None):
            click.echo(line)


def _database(config: Config) -> AbstractContextManager[Database]:
    """The store, opened (and migrated) for this command and closed after it."""
    from store.db import Database

    return Database(config.store.url)


@main.command()
@click.argument("target")
@click.option("--url", help="The page's own URL (for a saved file): resolves its links.")
@click.option("--content-type", help="The Content-Type header the page was served with.")
@click.pass_context
def extract(ctx: click.Context, target: str, url: str | None, content_type: str | None) -> None:
    """Extract a notice's fields from a saved page (PATH --url URL) or a URL; print JSON.

    The same code path as the crawl: the section and tags use config.yaml's rules and the
    source whose host matches the URL.
    """
    config = _extraction_config(ctx)
    from kuaixun.extracting import ExtractError, extract_target

    try:
        record = extract_target(config, target, url, content_type)
    except ExtractError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(json.dumps(record, ensure_ascii=False, indent=1))


@main.command()
@click.argument("target")
@click.option("--url", help="The page's own URL (for a saved file): resolves its links and pager.")
@click.pass_context
def listing(ctx: click.Context, target: str, url: str | None) -> None:
    """Read a listing page (PATH --url URL, or a URL to fetch) as the crawl does; print JSON.

    Prints {"reader", "entries": [{"url", "title", "date"}], "next_page"}. Exits 1 when the
    page shows no notice list: a list built by JavaScript from an API (reader "js_built")
    or a page that is not a listing.
    """
    from crawlers.probe import ProbeError, listing_from_file, listing_from_url, listing_json

    try:
        if target.startswith(("http://", "https://")):
            from kuaixun.cycle import scrapy_settings

            config = _extraction_config(ctx)
            result = listing_from_url(target, scrapy_settings(config))
        else:
            result = listing_from_file(Path(target), url or Path(target).resolve().as_uri())
    except ProbeError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(json.dumps(listing_json(result), ensure_ascii=False))
    if not result.entries:
        click.echo(f"error: {result.explain()}", err=True)
        sys.exit(1)


@main.command("import-issue")
@click.argument("path", type=click.Path(path_type=Path))
@click.pass_context
def import_issue_command(ctx: click.Context, path: Path) -> None:
    """Fetch and store every 相关链接 of a past 快讯 (.txt or .md) and record them as carried by
    that issue, so the next issue repeats none. Exits 1 when a link could not be stored."""
    config = _config(ctx)
    from kuaixun.imports import PastIssueError, import_issue
    from kuaixun.service import report_crawl, writing_store

    try:
        with writing_store(config, "import-issue", click.echo) as database:
            report = import_issue(config, database, path)
    except PastIssueError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    if report.fetched.result is not None:
        report_crawl(report.fetched.result, click.echo)
    for url in report.fetched.homeless:
        click.echo(f"not fetched (no enabled source for its host; see kuaixun add-source): {url}")
    for url in report.missing:
        click.echo(f"not stored (see the source's line above): {url}")
    issue = report.issue
    counts = f"{len(report.recorded)} of {len(issue.links)} 相关链接"
    unlinked = f"; {issue.unlinked} item(s) printed without a link" if issue.unlinked else ""
    click.echo(f"{issue.label}: {counts} stored and recorded as published{unlinked}")
    sys.exit(0 if len(report.recorded) == len(issue.links) else 1)


@main.command()
@click.argument("urls", nargs=-1, required=True)
@click.pass_context
def fetch(ctx: click.Context, urls: tuple[str, ...]) -> None:
    """Fetch and store the given notice pages, each under the source of its host. Exits 1 when
    one has no source or could not be stored."""
    config = _config(ctx)
    from kuaixun.imports import fetch_urls
    from kuaixun.service import report_crawl, writing_store

    with writing_store(config, "fetch", click.echo) as database:
        fetched = fetch_urls(config, database, urls)
    if fetched.result is not None:
        report_crawl(fetched.result, click.echo)
    for url in fetched.homeless:
        click.echo(f"not fetched (no enabled source for its host; see kuaixun add-source): {url}")
    failed = fetched.result is None or any(o.status != "ok" for o in fetched.result.outcomes)
    sys.exit(1 if failed or fetched.homeless else 0)


@main.command("add-source")
@click.argument("url")
@click.option("--name", help="The source's name (default: from the host and the column's folder).")
@click.option("--agency", help="发布机关 the notices are filed under (needed with --write).")
@click.option("--region", default="全国", show_default=True, help="地区: the province or city, or 全国.")
@click.option(
    "--file", "saved", type=click.Path(path_type=Path), help="Read this saved page instead of fetching URL."
)
@click.option("--write", is_flag=True, help="Add the entry to the config file (its comments are kept).")
@click.pass_context
def add_source(
    ctx: click.Context,
    url: str,
    name: str | None,
    agency: str | None,
    region: str,
    saved: Path | None,
    write: bool,
) -> None:
    """Read a listing as the crawl would; print its family, entries, next page and config entry.

    Exits 1 when the page shows no notice list, 2 when --write cannot add the entry.
    """
    from crawlers.probe import ProbeError, listing_from_file, listing_from_url
    from kuaixun.addsource import AddSourceError, check_writable, default_name, describe, propose, write_entry
    from kuaixun.config import Config, ConfigError, load_extraction_config

    name = name or default_name(url)
    if write:
        try:
            check_writable(ctx.obj, name, agency)
        except (AddSourceError, ConfigError) as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
    try:
        if saved is not None:
            result = listing_from_file(saved, url)
        else:
            from kuaixun.cycle import scrapy_settings

            config = load_extraction_config(ctx.obj) if ctx.obj.exists() else Config()
            result = listing_from_url(url, scrapy_settings(config))
        entry = propose(result, url, name, agency, region)
    except (ProbeError, AddSourceError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo("\n".join(describe(result, entry)))
    if write:
        try:
            write_entry(ctx.obj, entry)
        except (AddSourceError, ConfigError) as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
        click.echo(f"added source {entry.name!r} to {ctx.obj}")


@main.command()
@click.option("--state", type=click.Path(path_type=Path), help="Write the sites' URLs to this JSON file.")
@click.option(
    "--truth",
    type=click.Path(path_type=Path),
    help="Write the labelled truth of every published page.",
)
def sim(state: Path | None, truth: Path | None) -> None:
    """Serve the simulated government web on loopback until stopped (Ctrl-C)."""
    from simulator.server import serve

    serve(state_file=state, truth_file=truth)


@main.command()
@click.option(
    "--workdir",
    type=click.Path(path_type=Path),
    default=Path("demo"),
    show_default=True,
    help="The demo's own folder (its data/ and out/): new, empty, or made by an earlier demo.",
)
@click.pass_context
def demo(ctx: click.Context, workdir: Path) -> None:
    """The whole job offline: simulator, three crawls (all, nothing new, one published).

    Reads config.yaml, writes only into --workdir: the issues in WORKDIR/out/, the store and its
    config in WORKDIR/data/ (demo.db, demo.yaml), both kept for exploring. The operator's data/
    and out/ are never touched; a non-empty folder the demo did not make is refused (exit 2).
    """
    from kuaixun.demo import DemoRefused, run_demo

    try:
        sys.exit(run_demo(ctx.obj, workdir, click.echo, live=sys.stderr.isatty()))
    except DemoRefused as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def status(ctx: click.Context, as_json: bool) -> None:
    """Each source's health: last run, last success, failures in a row, the last error; then each
    delivery left UNCONFIRMED (sent, no answer: it may have arrived), waiting for a decision.

    With --json: ``{"sources": [...], "unconfirmed": [...]}``, each unconfirmed delivery with the
    two commands that settle it. Exits 1 when a configured source is failing or a delivery is
    unconfirmed, so a monitoring check can call it.
    """
    config = _config(ctx)
    from kuaixun.delivery import unconfirmed_deliveries, unconfirmed_lines
    from kuaixun.health import format_health, source_health

    with _database(config) as db:
        health = source_health(config, db)
        doubtful = unconfirmed_deliveries(config, db)
        lines = unconfirmed_lines(config, db) if doubtful and not as_json else []
    if as_json:
        report = {"sources": [h.to_json() for h in health], "unconfirmed": [d.to_json() for d in doubtful]}
        click.echo(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        click.echo(format_health(health, config.schedule.timezone))
        for line in lines:
            click.echo(line)
    sys.exit(1 if any(h.failing for h in health) or doubtful else 0)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def sources(ctx: click.Context, as_json: bool) -> None:
    """Each source's health and figures: last success, failures in a row, last error, the last run's
    requests, new/revised pages and average seconds over its recent runs. Exits 1 when one is failing."""
    config = _config(ctx)
    from kuaixun.sources import format_sources, source_figures

    with _database(config) as db:
        figures = source_figures(config, db)
    if as_json:
        click.echo(json.dumps([f.to_json() for f in figures], ensure_ascii=False, indent=1))
    else:
        click.echo(format_sources(figures, config.schedule.timezone))
    sys.exit(1 if any(f.health.failing for f in figures) else 0)


@main.command()
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 1000), help="How many runs.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of lines.")
@click.pass_context
def runs(ctx: click.Context, limit: int, as_json: bool) -> None:
    """The recent crawl runs, newest first: status, failed sources, new/revised pages, and the
    requests they cost by kind (listing, detail, revisit, robots, attachment), 304s and bytes."""
    config = _config(ctx)
    from kuaixun.runlog import recent_runs

    with _database(config) as db:
        found = recent_runs(db, limit)
    if as_json:
        click.echo(json.dumps([r.to_json() for r in found], ensure_ascii=False, indent=1))
        return
    for run in found:
        click.echo(run.line(config.schedule.timezone))
    if not found:
        click.echo("no run yet")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535), help="Port.")
@click.pass_context
def web(ctx: click.Context, host: str, port: int) -> None:
    """Serve the editor's desk (next issue, approval) and the public archive, search, feeds and calendar."""
    import uvicorn

    from kuaixun.web.app import create_app

    config = _config(ctx)
    from kuaixun.web.auth import check_web_config

    check_web_config(config)
    with _database(config) as database:
        click.echo(f"the desk: http://{host}:{port}/")
        uvicorn.run(create_app(config, database), host=host, port=port, log_level="warning")


@main.command()
def passwd() -> None:
    """Print the hash of a desk password, for web.accounts[].password_hash in config.yaml."""
    from kuaixun.web.passwords import hash_password

    password = click.prompt("password", hide_input=True, confirmation_prompt=True)
    click.echo(hash_password(password))


@main.command()
@click.option("--crawl-now", is_flag=True, help="Crawl at start, then on the cron lines.")
@click.option(
    "--once", is_flag=True, help="Run the jobs due at start (missed ones, --crawl-now's), then exit."
)
@click.pass_context
def schedule(ctx: click.Context, crawl_now: bool, once: bool) -> None:
    """Run unattended: crawl and digest on the cron lines in config.yaml (the container's default).

    Prints each job's next run time. Jobs run one at a time, each under the run lock (waiting for
    another process's run); they persist in the store, so one missed while stopped runs once at
    start (within schedule.grace). SIGTERM or Ctrl-C: no new job, the running one may finish
    within schedule.stop_timeout, exit 0 (1 if it had to be left, or with --once if a job failed).
    Its lines are log lines on stderr (--log-format).
    """
    import logging

    from kuaixun.logs import log_echo
    from kuaixun.scheduler import run_schedule

    sys.exit(run_schedule(ctx.obj, log_echo(logging.getLogger("kuaixun.schedule")), crawl_now, once))


@main.command()
@click.pass_context
def health(ctx: click.Context) -> None:
    """The container's HEALTHCHECK: exit 0 or 1 with a one-line reason.

    Checks the last crawl is recent, the store can be written, the run lock is not stuck and
    no more than health.max_broken_sources sources are broken.
    """
    config = _config(ctx)
    from kuaixun.health import check_health

    verdict = check_health(config)
    click.echo(verdict.line())
    sys.exit(0 if verdict.ok else 1)


@main.command()
@click.argument("notice_id", metavar="ID", type=int)
@click.pass_context
def explain(ctx: click.Context, notice_id: int) -> None:
    """Why a stored notice is in its section: its newest version's reasons and section scores.

    ID is the number in the first column of ``kuaixun items``.
    """
    config = _config(ctx)
    from kuaixun.queries import explain_notice, format_explanation

    with _database(config) as db:
        explanation = explain_notice(db, notice_id)
    if explanation is None:
        click.echo(f"error: no notice with id {notice_id}", err=True)
        sys.exit(1)
    click.echo(format_explanation(explanation))


def _iso_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """A YYYY-MM-DD option as the ISO date the store compares with (dates are stored as text)."""
    from datetime import date

    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date YYYY-MM-DD") from None


@main.command()
@click.argument("query")
@click.option("--since", metavar="YYYY-MM-DD", callback=_iso_date, help="Dated on or after this day.")
@click.option("--until", metavar="YYYY-MM-DD", callback=_iso_date, help="Dated on or before this day.")
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True, help="Page of results.")
@click.option("--limit", type=click.IntRange(1, 500), default=20, show_default=True, help="Results per page.")
@click.pass_context
def search(
    ctx: click.Context, query: str, since: str | None, until: str | None, page: int, limit: int
) -> None:
    """Search every stored notice with the alert query language (as /search on the desk), best first."""
    from kuaixun.alerts import query_error_lines
    from kuaixun.searching import search_lines
    from pipeline.query import QueryError
    from store.search import Scope

    config = _config(ctx)
    with _database(config) as database:
        try:
            lines = search_lines(database, query, Scope(since=since, until=until), page, limit)
        except QueryError as exc:
            for line in query_error_lines(query, exc):
                click.echo(line, err=True)
            sys.exit(2)
    for line in lines:
        click.echo(line)


@main.command()
@click.option(
    "--before", metavar="YYYY-MM-DD", callback=_iso_date, help="Only notices published before this day."
)
@click.pass_context
def baseline(ctx: click.Context, before: str | None) -> None:
    """Mark every notice no issue carried as already seen: the next issue carries only what comes after.

    For a first run (or a new source) without a flood of old notices. Exits 3 when another run holds the lock.
    """
    from datetime import date

    from kuaixun.baseline import baseline as mark_baseline
    from kuaixun.baseline import summary
    from kuaixun.cycle import now_utc
    from kuaixun.service import writing_store

    config = _config(ctx)
    day = date.fromisoformat(before) if before else None
    with writing_store(config, "baseline", click.echo) as db:
        click.echo(summary(mark_baseline(config, db, f"cli:{_login_name()}", now_utc(), day)))


@main.command()
@click.option("--section", metavar="SECTION", help="Only this section (of classify.sections, or 其他).")
@click.option("--region", help="Only notices of this region (湖南 or 湖南省; 全国 for central bodies).")
@click.option("--agency", help="Only notices whose issuing body contains this (工业和信息化部, 科技).")
@click.option("--since", metavar="YYYY-MM-DD", callback=_iso_date, help="Dated on or after this day.")
@click.option("--until", metavar="YYYY-MM-DD", callback=_iso_date, help="Dated on or before this day.")
@click.option("--query", "words", metavar="WORDS", help="Words all found in the title, 文号, issuer or body.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option(
    "--limit", type=click.IntRange(min=0), default=50, show_default=True, help="At most N (0: all)."
)
@click.pass_context
def items(
    ctx: click.Context,
    section: str | None,
    region: str | None,
    agency: str | None,
    since: str | None,
    until: str | None,
    words: str | None,
    as_json: bool,
    limit: int,
) -> None:
    """List stored notices, newest first: id, date, section, region, agency, title."""
    config = _config(ctx)
    from kuaixun.queries import ItemFilter, find_items, format_items

    _check_sections(config, (section,) if section else ())

    wanted = ItemFilter(
        section=section,
        region=region,
        agency=agency,
        since=since,
        until=until,
        words=tuple((words or "").split()),
        limit=limit or None,
    )
    with _database(config) as db:
        found = find_items(db, wanted)
    if as_json:
        click.echo(json.dumps([item.to_json() for item in found], ensure_ascii=False, indent=1))
    else:
        click.echo(format_items(found))


def _alert_filters(command: Callable[..., None]) -> Callable[..., None]:
    """The filter options shared by ``subscribe add`` and ``subscribe test``."""
    options = [
        click.option(
            "--section",
            "sections",
            multiple=True,
            metavar="SECTION",
            help="Only this section of classify.sections, or 其他 (repeatable).",
        ),
        click.option("--region", "regions", multiple=True, help="Only notices of this region (repeatable)."),
        click.option(
            "--source", "sources", multiple=True, help="Only this source of config.yaml (repeatable)."
        ),
        click.option(
            "--agency", "agencies", multiple=True, help="Only issuing bodies containing this (repeatable)."
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _check_sections(config: Config, sections: Sequence[str]) -> None:
    """Refuse (exit 2) a --section config.yaml does not name: its sections are classify.sections' keys."""
    from pipeline.classify import OTHER

    allowed = (*config.classify.names, OTHER)
    for name in sections:
        if name not in allowed:
            raise click.BadParameter(
                f"{name!r} is not a section; sections are {', '.join(allowed)}", param_hint="--section"
            )


def _checked_query(query: str) -> str:
    """The query if it compiles; else its error with a caret under the position, and exit 2."""
    from kuaixun.alerts import query_error_lines
    from pipeline.query import QueryError, compile_query

    try:
        compile_query(query)
    except QueryError as exc:
        for line in query_error_lines(query, exc):
            click.echo(line, err=True)
        sys.exit(2)
    return query


@main.group()
def subscribe() -> None:
    """Keyword alerts: add, list, remove and try out subscriptions.

    \b
    Query syntax: words and "phrases", AND / OR / NOT (or -word), parentheses,
    fields title: region: agency: doc: section:. NOT binds tightest, then AND,
    then OR: 'a OR b -c' is 'a OR (b AND NOT c)'. E.g.
      kuaixun subscribe test '高新技术企业 region:北京'
      kuaixun subscribe add green '(绿色工厂 OR 绿色园区) -公示' --channel ops@example.cn
    config.yaml's subscriptions are synced into the store first, so list shows them too.
    """


@subscribe.command("add")
@click.argument("name")
@click.argument("query")
@click.option("--channel", required=True, help="An email address, or webhook:NAME of channels.webhooks.")
@click.option(
    "--mode",
    type=click.Choice(["instant", "daily", "weekly"]),
    default="instant",
    show_default=True,
    help="instant: one message per crawl; daily/weekly: a summary on alerts.daily/weekly.",
)
@_alert_filters
@click.pass_context
def subscribe_add(
    ctx: click.Context,
    name: str,
    query: str,
    channel: str,
    mode: str,
    sections: tuple[str, ...],
    regions: tuple[str, ...],
    sources: tuple[str, ...],
    agencies: tuple[str, ...],
) -> None:
    """Subscribe NAME to the notices QUERY matches, from the next crawl on."""
    from kuaixun.alerts import AlertUsageError, add_subscription
    from notify.subscriptions import check_channel, filters_json
    from store.subscriptions import Spec

    config = _config(ctx)
    _check_sections(config, sections)
    try:
        check_channel(channel)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--channel") from None
    filters = filters_json(sections, regions, sources, agencies)
    spec = Spec(name=name, query=_checked_query(query), channel=channel, mode=mode, filters=filters)
    with _database(config) as db:
        try:
            add_subscription(config, db, spec, click.echo)
        except AlertUsageError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)


@subscribe.command("list")
@click.pass_context
def subscribe_list(ctx: click.Context) -> None:
    """Every subscription: name, state, mode, origin (config or cli), channel, query, filters."""
    from kuaixun.alerts import list_subscriptions

    config = _config(ctx)
    with _database(config) as db:
        for line in list_subscriptions(config, db, click.echo):
            click.echo(line)


@subscribe.command("remove")
@click.argument("name", required=False)
@click.option("--token", help="The token of an alert's unsubscribe line (退订), instead of NAME.")
@click.pass_context
def subscribe_remove(ctx: click.Context, name: str | None, token: str | None) -> None:
    """Stop a subscription, by NAME or by the signed token its alerts carry."""
    from kuaixun.alerts import AlertUsageError, remove_subscription

    if (name is None) == (token is None):
        raise click.UsageError("give either NAME or --token TOKEN")
    config = _config(ctx)
    with _database(config) as db:
        try:
            click.echo(remove_subscription(config, db, name, token))
        except AlertUsageError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)


@subscribe.command("test")
@click.argument("query")
@_alert_filters
@click.option(
    "--limit", type=click.IntRange(min=0), default=50, show_default=True, help="Show at most N (0: all)."
)
@click.pass_context
def subscribe_test(
    ctx: click.Context,
    query: str,
    sections: tuple[str, ...],
    regions: tuple[str, ...],
    sources: tuple[str, ...],
    agencies: tuple[str, ...],
    limit: int,
) -> None:
    """List the stored notices QUERY matches, newest first, matched terms in 【】."""
    from kuaixun.alerts import try_query
    from notify.subscriptions import Filters

    config = _config(ctx)
    _check_sections(config, sections)
    filters = Filters(sections, regions, sources, agencies)
    with _database(config) as db:
        for line in try_query(db, _checked_query(query), filters, limit or None):
            click.echo(line)


@main.group("alerts")
def alerts_group() -> None:
    """Keyword alert messages (instant alerts go out after every crawl by themselves)."""


@alerts_group.command("send-summaries")
@click.option(
    "--mode",
    "modes",
    multiple=True,
    type=click.Choice(["daily", "weekly"]),
    help="Only these subscribers (repeatable); default: daily and weekly.",
)
@click.pass_context
def alerts_send_summaries(ctx: click.Context, modes: tuple[str, ...]) -> None:
    """Send daily/weekly subscribers a summary of their matches since the last one.

    Exits 3 when another run holds the run lock (the line names it).
    """
    config = _config(ctx)
    from kuaixun.service import summaries_and_report
    from notify.subscriptions import SUMMARY_MODES

    summaries_and_report(config, click.echo, modes or SUMMARY_MODES)
