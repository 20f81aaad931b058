"""Sources that report their own breakage: a listing moved to another host is a failure with its
reason, and a source broken three runs in a row is announced to the admin once, its recovery once."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from crawlers.items import FetchedPage, SourceReport
from kuaixun.config import Config, ConfigError, read_raw, validate
from kuaixun.demo import demo_config
from kuaixun.ingest import Ingester
from kuaixun.service import crawl_and_report
from kuaixun.sources import format_sources, source_figures
from simulator.server import GovWebThread
from store.db import Database
from tests.conftest import PROJECT
from tests.delivery_support import Receiver, free_port, receiver
from tests.stores import store_url

HOOK_SECRET = "admin-hook-secret"


@contextmanager
def serve(app: web.Application) -> Iterator[str]:
    """``app`` on its own loopback origin, in a thread; yields its base URL."""
    runner, port = web.AppRunner(app), free_port()
    loop = asyncio.new_event_loop()
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.run_until_complete(runner.cleanup())
        loop.close()


def moved_site(target: str) -> web.Application:
    """Every page answers 301 to ``target`` (on another origin), as sipo.gov.cn does for cnipa.gov.cn."""

    async def moved(_: web.Request) -> web.Response:
        raise web.HTTPMovedPermanently(target)

    app = web.Application()
    app.router.add_get("/{tail:.*}", moved)
    return app


def rehosted_listing(elsewhere: str) -> web.Application:
    """A listing page whose every notice link now points at ``elsewhere`` (the site moved its articles),
    with a pager that still offers page 2."""
    rows = "".join(
        f'<li><a href="{elsewhere}/art/2019/11/{n}/art_74_{n}.html">关于开展2019年第{n}批专利导航项目申报工作的通知</a>'
        f"<span>2019-11-0{n}</span></li>"
        for n in range(1, 8)
    )
    page = (
        '<html><head><meta charset="utf-8"><title>通知公告</title></head><body>'
        f'<div class="list"><ul>{rows}</ul></div><div class="page"><a href="index_1.html">下一页</a></div>'
        "</body></html>"
    )

    async def listing(_: web.Request) -> web.Response:
        return web.Response(text=page, content_type="text/html")

    app = web.Application()
    app.router.add_get("/{tail:.*}", listing)
    return app


def health_config(sim: GovWebThread, workdir: Path, hooks: Receiver | None = None, **extra: Any) -> Config:
    raw = demo_config(read_raw(PROJECT / "config.yaml"), sim.web, workdir)
    raw["store"] = {"url": store_url(workdir, raw["store"]["url"])}
    raw["crawl"] = {**raw["crawl"], "retries": 0}
    if hooks is not None:
        raw["channels"] = {
            "webhooks": {"ops": {"type": "webhook", "url": hooks.url("hook"), "secret": HOOK_SECRET}}
        }
        raw["admin"] = {"to": "ops"}
    return validate({**raw, **extra}, "config.yaml (test)", workdir)


def crawl_the_old_host(sim: GovWebThread, tmp_path: Path, old_site: web.Application) -> str:
    """The patent office's source pointed at ``old_site`` (its listing sniffed, as the old host's
    page is not the family's) and crawled alone: its per-source line; the crawl exits 1."""
    with serve(old_site) as old_host:
        config = health_config(sim, tmp_path)
        moved = config.source("cnipa").model_copy(
            update={"listing_url": f"{old_host}/col/col74/index.html", "family": None}
        )
        config = config.model_copy(update={"sources": (moved,)})
        lines: list[str] = []
        db = Database(config.store.url)
        assert crawl_and_report(config, lines.append, db=db) == 1
        db.close()
    [line] = [line for line in lines if line.startswith("cnipa")]
    return line


def test_a_listing_redirected_to_another_host_fails_with_that_reason(
    sim: GovWebThread, tmp_path: Path
) -> None:
    line = crawl_the_old_host(sim, tmp_path, moved_site(sim.web.listing_url("sipo")))
    assert " failed " in line and "redirect" in line and sim.web.base_url("sipo").split("//")[1] in line, line


def test_a_listing_whose_links_all_lead_elsewhere_fails_with_that_reason(
    sim: GovWebThread, tmp_path: Path
) -> None:
    line = crawl_the_old_host(sim, tmp_path, rehosted_listing("https://www.cnipa.gov.cn"))
    assert " failed " in line and "all 7 links lead outside" in line and "www.cnipa.gov.cn" in line, line


def test_a_source_broken_three_runs_in_a_row_is_announced_once_and_its_recovery_once(
    sim: GovWebThread, tmp_path: Path
) -> None:
    with receiver({"hook": HOOK_SECRET}) as hooks:
        config = health_config(sim, tmp_path, hooks)

        def run() -> list[str]:
            lines: list[str] = []
            db = Database(config.store.url)  # a new one each run: as after a restart
            try:
                crawl_and_report(config, lines.append, only=("cnipa",), db=db)
            finally:
                db.close()
            return lines

        sim.web.set_failure("sipo", "500")
        for _ in range(2):
            lines = run()
            assert any("cnipa" in line and " failed " in line for line in lines), "\n".join(lines)
        assert not hooks.hits["hook"]
        third = run()
        assert any(line.startswith("admin: failing-cnipa") for line in third), third
        run()  # still broken: not announced again
        db = Database(config.store.url)
        table = format_sources(source_figures(config, db), config.schedule.timezone).splitlines()
        db.close()
        sipo = next(line for line in table if line.startswith("cnipa "))
        assert "FAILING (4 run(s))" in sipo and sipo.split()[-3:] == ["1", "0/0", sipo.split()[-1]], table
        assert any(line.startswith("cnipa: listing ") and "HTTP 500" in line for line in table), table
        sim.web.set_failure("sipo", None)
        assert any(line.startswith("admin: recovered-cnipa") for line in run())
        run()
        failing, recovered = hooks.accepted("hook")
    assert len(hooks.hits["hook"]) == 2
    assert failing.body["subject"] == "kuaixun: source cnipa has failed 3 runs in a row"
    assert "HTTP 500" in failing.body["text"] and config.source("cnipa").listing_url in failing.body["text"]
    assert recovered.body["subject"] == "kuaixun: source cnipa works again"


@pytest.mark.parametrize(
    ("admin", "error"),
    [
        ({"to": "ops@example.cn"}, "config.yaml: admin.to: channels.email is not configured to send it"),
        (
            {"to": "ops"},
            "config.yaml: admin.to: neither an email address nor a webhook name (webhooks: none)",
        ),
        (
            {"to": "a@b.cn", "after_failures": 0},
            "config.yaml: admin.after_failures: must be at least 1, not 0",
        ),
        ({"to": "a@b.cn", "after_failures": 101}, "config.yaml: admin.after_failures: must be at most 100"),
    ],
)
def test_an_admin_channel_config_yaml_cannot_send_to_is_refused_naming_the_key(
    tmp_path: Path, admin: dict[str, Any], error: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        validate({"admin": admin}, "config.yaml", tmp_path)
    assert str(refused.value).startswith(error)


def test_a_source_whose_notice_pages_all_fail_to_parse_is_failed_with_that_reason(tmp_path: Path) -> None:
    """The site moved to a script-built front end: every page it serves is a shell, none parses."""
    config = validate(
        {
            "store": {"url": store_url(tmp_path)},
            "data_dir": str(tmp_path / "data"),
            "sources": [
                {"name": "mee", "agency": "生态环境部", "listing_url": "https://www.mee.gov.cn/zcwj/bwj/"}
            ],
        },
        "config.yaml (test)",
        tmp_path,
    )
    shell = b'<html><body><div id="app"></div><script src="/static/app.js"></script></body></html>'
    urls = [f"https://www.mee.gov.cn/xxgk2018/xxgk/xxgk06/201911/t2019110{n}_1.html" for n in range(1, 4)]
    db = Database(config.store.url)
    try:
        ingester = Ingester(config, db, ["mee"])
        for url in urls:
            ingester.page(FetchedPage("mee", url, url, 200, "text/html; charset=utf-8", shell))
        [outcome] = ingester.result().outcomes
        outcome.apply(SourceReport("mee", listing_pages=1, links=len(urls), fetched=len(urls)))
        outcome.judge_parsing()
    finally:
        db.close()
    assert outcome.status == "failed"
    assert outcome.errors[0] == "all 3 notice pages fetched failed to parse: the layout may have changed"
