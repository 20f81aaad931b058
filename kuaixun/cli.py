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
    from store.db import Database
    from store.digests import Period

DEFAULT_CONFIG = Path("config.yaml")


class KuaixunGroup(click.Group):
    """Turns a config problem into one clear line and exit code 2, never a traceback; another
    run holding the run lock into the line naming it and exit code 3."""

    def invoke(self, ctx: click.Context) -> object:
        # Here, not at the top: `kuaixun --help` needs none of them (start-up).
        from kuaixun.config import ConfigError
        from kuaixun.crawl_process import EXIT_STOPPED, StopRequested
        from kuaixun.lock import EXIT_LOCKED, RunLockHeld

        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
        except RunLockHeld as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_LOCKED)
        except StopRequested as exc:
            click.echo(f"stopped: {exc}", err=True)
            sys.exit(EXIT_STOPPED)


@click.group(cls=KuaixunGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    default=DEFAULT_CONFIG,
    show_default=True,
    help="The operator's config file (sources, section rules, schedule, digest, channels).",
)
@click.pass_context
def main(ctx: click.Context, config_path: Path) -> None:
    """Kuaixun watches Chinese government websites and publishes the 快讯 digest of new notices.

    \b
    Start here:
      kuaixun demo            the whole job offline, against a simulated government web
      kuaixun run             one real cycle: crawl every source, store, write the digest
      kuaixun schedule        run unattended on the cron lines of config.yaml
    """
    os.umask(0o077)  # the store, archive, logs, spool and issues it writes are the operator's only
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
    """Send an issue's archived files again to one recipient (ISSUE: 2026-1101 or '(2026) 1101 期')."""
    from kuaixun.delivery import DeliveryUsageError, resend

    config = _config(ctx)
    with _database(config) as db:
        try:
            report = resend(config, db, click.echo, issue, to)
        except DeliveryUsageError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
    sys.exit(0 if report.ok else 1)


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
    from kuaixun.service import ExtractError, extract_target

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
    """Each source's health: last run, last success, failures in a row, the last error.

    Exits 1 when a configured source is failing, so a monitoring check can call it.
    """
    config = _config(ctx)
    from kuaixun.health import format_health, source_health

    with _database(config) as db:
        health = source_health(config, db)
    if as_json:
        click.echo(json.dumps([h.to_json() for h in health], ensure_ascii=False, indent=1))
    else:
        click.echo(format_health(health, config.schedule.timezone))
    sys.exit(1 if any(h.failing for h in health) else 0)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535), help="Port.")
@click.pass_context
def web(ctx: click.Context, host: str, port: int) -> None:
    """Serve the editor's desk (next issue, approval) and the public archive, search, feeds and calendar."""
    import uvicorn

    from kuaixun.web.app import create_app

    config = _config(ctx)
    with _database(config) as database:
        click.echo(f"the desk: http://{host}:{port}/")
        uvicorn.run(create_app(config, database), host=host, port=port, log_level="warning")


@main.command()
@click.pass_context
def schedule(ctx: click.Context) -> None:
    """Run unattended: crawl and digest on the cron lines in config.yaml (the container's default).

    Jobs run one at a time, each under the run lock (waiting for another process's run).
    """
    from kuaixun.scheduler import run_schedule

    run_schedule(ctx.obj, click.echo)


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
