"""The ``kuaixun`` command: run the job, its parts, the simulator and the demo."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from kuaixun.config import Config, ConfigError, load_config

DEFAULT_CONFIG = Path("config.yaml")


class KuaixunGroup(click.Group):
    """Turns a config problem into one clear line and exit code 2, never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)


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
    ctx.obj = config_path


def _config(ctx: click.Context) -> Config:
    return load_config(ctx.obj)


@main.command()
@click.pass_context
def run(ctx: click.Context) -> None:
    """One full cycle: crawl all sources, store what is new, write the next digest."""
    config = _config(ctx)
    from kuaixun.service import run_cycle

    sys.exit(run_cycle(config, click.echo))


@main.command()
@click.option("--source", "only", multiple=True, help="Crawl only this source (repeatable).")
@click.pass_context
def crawl(ctx: click.Context, only: tuple[str, ...]) -> None:
    """Crawl the sources and store new and revised notices (no digest)."""
    config = _config(ctx)
    from kuaixun.service import crawl_and_report

    sys.exit(crawl_and_report(config, click.echo, only))


@main.command()
@click.pass_context
def digest(ctx: click.Context) -> None:
    """Write the next 快讯 issue from stored notices that no issue has carried yet."""
    config = _config(ctx)
    from kuaixun.service import digest_and_report

    digest_and_report(config, click.echo)


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
    config = _config(ctx) if ctx.obj.exists() else Config()
    from kuaixun.service import ExtractError, extract_target

    try:
        record = extract_target(config, target, url, content_type)
    except ExtractError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(json.dumps(record, ensure_ascii=False, indent=1))


@main.command()
@click.option("--state", type=click.Path(path_type=Path), help="Write the sites' URLs to this JSON file.")
def sim(state: Path | None) -> None:
    """Serve the simulated government web on loopback until stopped (Ctrl-C)."""
    from simulator.server import serve

    serve(state_file=state)


@main.command()
@click.option(
    "--workdir",
    type=click.Path(path_type=Path),
    default=Path("."),
    show_default=True,
    help="Where data/ and out/ go.",
)
@click.pass_context
def demo(ctx: click.Context, workdir: Path) -> None:
    """The whole job offline: simulator, three crawls (all, nothing new, one published), digests in out/."""
    from kuaixun.demo import run_demo

    sys.exit(run_demo(ctx.obj, workdir, click.echo))


@main.command()
@click.pass_context
def schedule(ctx: click.Context) -> None:
    """Run unattended: crawl and digest on the cron lines in config.yaml (the container's default)."""
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
    from store.db import Database

    db = Database(config.store.url)
    try:
        explanation = explain_notice(db, notice_id)
    finally:
        db.close()
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
@click.option(
    "--section", type=click.Choice(["政策文件", "绿色制造", "申报通知", "其他"]), help="Only this section."
)
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
    from store.db import Database

    wanted = ItemFilter(
        section=section,
        region=region,
        agency=agency,
        since=since,
        until=until,
        words=tuple((words or "").split()),
        limit=limit or None,
    )
    db = Database(config.store.url)
    try:
        found = find_items(db, wanted)
    finally:
        db.close()
    if as_json:
        click.echo(json.dumps([item.to_json() for item in found], ensure_ascii=False, indent=1))
    else:
        click.echo(format_items(found))
