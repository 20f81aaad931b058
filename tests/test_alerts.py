"""Keyword alerts end to end: the simulator on loopback, a real SQLite file, a loopback SMTP server
and webhook receiver. Expected matches are computed from the simulator's ground truth text.
"""

from __future__ import annotations

import html
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lxml.html
import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import func, select

from kuaixun.alerts import alerting, send_summaries
from kuaixun.cli import main
from kuaixun.config import Config, ConfigError, read_raw, validate
from kuaixun.demo import demo_config
from kuaixun.service import crawl_and_report
from notify.alerts import Alert, AlertItem, Unsubscribe, render_alert
from pipeline.query import Document, compile_query
from pipeline.records import ExtractedNotice
from simulator.server import GovWebThread
from simulator.truth import ground_truth
from store.db import Database
from store.models import AlertMatch, Delivery, Notice
from tests.browser import chromium
from tests.conftest import PROJECT, SIM_TODAY
from tests.delivery_support import (
    PASSWORD,
    Hit,
    Received,
    Receiver,
    SmtpServer,
    make_config,
    receiver,
    seed,
    smtp_server,
)
from tests.stores import copy_store, store_url

GREEN = "绿色工厂 OR 绿色园区"
HOOK_SECRET = "hook-secret"
ENVIRON = {"SMTP_PASSWORD": PASSWORD, "KUAIXUN_SECRET": "alerts-secret"}


@dataclass
class Rig:
    sim: GovWebThread
    smtp: SmtpServer
    hooks: Receiver
    raw: dict[str, Any]
    config: Config
    lines: list[str]

    def crawl(self) -> None:
        db = Database(self.config.store.url)  # a new Database each time: as after a restart
        try:
            assert crawl_and_report(self.config, self.lines.append, db=db, today=SIM_TODAY) == 0, self.lines
        finally:
            db.close()

    def mail_to(self, address: str) -> list[Received]:
        return [r for r in self.smtp.received if r.rcpt_tos == [address]]

    def cli(self, workdir: Path) -> Any:
        """``kuaixun --config PATH …`` on a config.yaml holding this rig's config."""
        path = workdir / "config.yaml"
        path.write_text(yaml.safe_dump(self.raw, allow_unicode=True), encoding="utf-8")
        runner = CliRunner(env=ENVIRON)
        return lambda *args: runner.invoke(main, ["--config", str(path), *args])


def channels(smtp: SmtpServer, hooks: Receiver) -> dict[str, Any]:
    return {
        "email": smtp.channel(),
        "webhooks": {"ops": {"type": "webhook", "url": hooks.url("hook"), "secret": HOOK_SECRET}},
    }


def sim_raw(sim: GovWebThread, workdir: Path, smtp: SmtpServer, hooks: Receiver) -> dict[str, Any]:
    raw = demo_config(read_raw(PROJECT / "config.yaml"), sim.web, workdir)
    raw["crawl"] = {**raw["crawl"], "revisit_days": 366}  # the simulator's 2019, seen from SIM_TODAY
    return {**raw, "channels": channels(smtp, hooks), "alerts": {"secret": "${KUAIXUN_SECRET}"}}


SUBSCRIPTIONS = [
    {"name": "green", "query": GREEN, "channel": "green@example.cn"},
    {"name": "green-final", "query": f"({GREEN}) -公示", "channel": "final@example.cn"},
    {"name": "green-south", "query": GREEN, "regions": ["湖南省", "福建"], "channel": "south@example.cn"},
    {"name": "yunnan", "query": "云南 AND 申报", "channel": "webhook:ops"},
]


@dataclass
class FirstCrawl:
    """The rig's first crawl, made once per module: its store (copy it, never write it) and what it sent."""

    store_url: str
    mails: list[Received]
    hook_hits: dict[str, list[Hit]]


def rig_raw(sim: GovWebThread, workdir: Path, smtp: SmtpServer, hooks: Receiver) -> dict[str, Any]:
    raw = {**sim_raw(sim, workdir, smtp, hooks), "subscriptions": SUBSCRIPTIONS}
    return raw | {"store": {"url": store_url(workdir, raw["store"]["url"])}}


@pytest.fixture(scope="module")
def first_crawl(sim_ports: dict[str, int], tmp_path_factory: pytest.TempPathFactory) -> FirstCrawl:
    """Every rig test begins with the same crawl of the same web (``sim_ports``: the same URLs)."""
    workdir = tmp_path_factory.mktemp("alerts")
    with (
        GovWebThread(ports=sim_ports) as sim,
        smtp_server(workdir) as smtp,
        receiver({"hook": HOOK_SECRET}) as hooks,
    ):
        raw = rig_raw(sim, workdir, smtp, hooks)
        Rig(sim, smtp, hooks, raw, validate(raw, "config.yaml (test)", workdir, ENVIRON), []).crawl()
    return FirstCrawl(raw["store"]["url"], list(smtp.received), {k: list(v) for k, v in hooks.hits.items()})


@pytest.fixture
def rig(sim: GovWebThread, first_crawl: FirstCrawl, tmp_path: Path) -> Iterator[Rig]:
    """The rig just after its first crawl: the store copied, its servers holding what that crawl sent."""
    with smtp_server(tmp_path) as smtp, receiver({"hook": HOOK_SECRET}) as hooks:
        smtp.received.extend(first_crawl.mails)
        for path, hits in first_crawl.hook_hits.items():
            hooks.hits[path].extend(hits)
        raw = rig_raw(sim, tmp_path, smtp, hooks)
        copy_store(first_crawl.store_url, raw["store"]["url"])
        yield Rig(sim, smtp, hooks, raw, validate(raw, "config.yaml (test)", tmp_path, ENVIRON), [])


def text_matches(query: str, truth: list[dict[str, Any]]) -> set[str]:
    """URLs of the published pages whose true title and body the query matches."""
    compiled = compile_query(query)
    return {
        t["source_url"]
        for t in truth
        if compiled.match(Document.of(ExtractedNotice.from_json(t))) is not None
    }


def alerted_urls(received: Received) -> set[str]:
    text = received.message.get_body(("plain",)).get_content()
    return {line.strip() for line in text.splitlines() if line.startswith("   http")}


def stored_regions(config: Config) -> dict[str, set[str]]:
    db = Database(config.store.url)
    with db.session() as session:
        found = {n.url: {n.region, *n.versions[-1].record.regions} for n in session.scalars(select(Notice))}
    db.close()
    return found


def test_each_subscriber_gets_exactly_its_matches_once(rig: Rig) -> None:
    truth = ground_truth(rig.sim.web)
    green = text_matches(GREEN, truth)
    assert len(green) >= 4  # the seeds' green notices, across several provinces

    [message] = rig.mail_to("green@example.cn")
    assert alerted_urls(message) == green
    text = message.message.get_body(("plain",)).get_content()
    assert "【绿色工厂】" in text or "【绿色园区】" in text
    assert message.message["Subject"].startswith(f"【快讯提醒】green：{len(green)} 条通知")
    assert message.message["List-Unsubscribe"].startswith(
        "<mailto:kuaixun@chinamomentum.com?subject=unsubscribe%20"
    )
    html = message.message.get_body(("html",)).get_content()
    assert "<mark" in html and "退订" in html
    hrefs = [a.get("href") for a in lxml.html.fromstring(html).iter("a")]
    assert {href: hrefs.count(href) for href in hrefs if href.startswith("http")} == dict.fromkeys(
        green, 2
    )  # each notice's title is its link, and its URL line too

    # The NOT clause drops the 公示, which the plain query does alert.
    final = text_matches(f"({GREEN}) -公示", truth)
    assert final < green
    assert alerted_urls(rig.mail_to("final@example.cn")[0]) == final

    # The region filter keeps Hunan and Fujian (湖南省 is 湖南), by the stored regions.
    regions = stored_regions(rig.config)
    south = {url for url in green if regions[url] & {"湖南", "福建"}}
    assert south and south < green
    assert alerted_urls(rig.mail_to("south@example.cn")[0]) == south

    # Nothing in Yunnan calls for applications yet: no webhook message.
    assert text_matches("云南 AND 申报", truth) == set()
    assert not rig.hooks.hits["hook"]

    # The held-back notice (Yunnan's 工业转型升级重点项目) appears: one alert, on the webhook.
    [published] = rig.sim.web.publish(1)
    rig.crawl()
    [hit] = rig.hooks.accepted("hook")
    assert hit.body["links"] == [{"title": published["title"], "url": published["source_url"]}]
    assert "**云南**" in hit.body["markdown"] and "**申报**" in hit.body["markdown"]
    assert len(rig.smtp.received) == 3  # the green subscribers heard nothing new

    # A restart (a new Database on the same file) and another crawl: nothing is sent again.
    rig.crawl()
    assert len(rig.smtp.received) == 3 and len(rig.hooks.hits["hook"]) == 1


def test_a_revision_alerts_again_marked_updated(rig: Rig) -> None:
    alerted = alerted_urls(rig.mail_to("green@example.cn")[0])
    pages = [t for t in ground_truth(rig.sim.web) if t["source_url"] in alerted and t["kind"] == "notice"]
    truth = min(pages, key=lambda t: t["title"])  # an HTML page (a PDF-only notice is not revised)
    url = truth["source_url"]
    extension = "申报截止时间延长至2020年12月31日。"
    rig.sim.web.revise(url, [*truth["body_text"].split("\n"), extension])
    rig.crawl()  # the crawl revisits the recent notice and finds the revision
    rig.crawl()  # again, after a restart: no resend
    first, again = rig.mail_to("green@example.cn")
    assert alerted_urls(again) == {url}
    assert again.message["Subject"].endswith("（更新）")
    text = again.message.get_body(("plain",)).get_content()
    assert "（更新）" in text and f"更新：新增「{extension}」" in text
    assert first.message["Message-ID"] != again.message["Message-ID"]


def test_unsubscribe_token_from_the_alert_stops_it(rig: Rig, tmp_path: Path) -> None:
    header = rig.mail_to("green@example.cn")[0].message["List-Unsubscribe"]
    token = header.split("unsubscribe%20", 1)[1].rstrip(">")
    kx = rig.cli(tmp_path)

    forged = kx("subscribe", "remove", "--token", token[:-2] + "xx")
    assert forged.exit_code == 1 and "not a valid unsubscribe token" in forged.output
    done = kx("subscribe", "remove", "--token", token)
    assert done.exit_code == 0, done.output
    assert "unsubscribed 'green'" in done.output and "stays off" in done.output
    listed = kx("subscribe", "list").output.splitlines()
    assert next(line for line in listed if line.startswith("green ")).split()[1] == "unsubscribed"
    rig.sim.web.publish(1)
    rig.crawl()  # config.yaml still lists it: the sync keeps it off
    assert len(rig.mail_to("green@example.cn")) == 1


def test_summaries_collect_matches_until_sent(tmp_path: Path) -> None:
    with smtp_server(tmp_path) as smtp:
        raw_channels = {"email": smtp.channel()}
        subscription = {
            "name": "weekly",
            "query": "制造业 数字化",
            "channel": "w@example.cn",
            "mode": "weekly",
        }
        config = validate(
            {
                "store": {"url": store_url(tmp_path, "sqlite:///data/kuaixun.db")},
                "channels": raw_channels,
                "alerts": {"secret": "s"},
                "subscriptions": [subscription],
            },
            "config.yaml (test)",
            tmp_path,
            ENVIRON,
        )
        db = Database(config.store.url)
        lines: list[str] = []
        with alerting(config, db, lines.append):  # the subscription starts: the store is empty
            seed(db, 2)
        with alerting(config, db, lines.append):
            seed(db, 1, start=2)
        assert smtp.received == []  # not instant
        assert send_summaries(config, db, lines.append, ("daily",)) == 0
        assert send_summaries(config, db, lines.append, ("weekly",)) == 1
        assert send_summaries(config, db, lines.append) == 0
        with db.session() as session:
            assert session.scalar(select(func.count()).select_from(AlertMatch)) == 3
            assert session.scalar(select(func.count()).select_from(Delivery)) == 1
        db.close()
    [message] = smtp.received
    assert message.message["Subject"] == "【快讯每周汇总】weekly：3 条通知"
    assert message.message.get_body(("plain",)).get_content().count("【制造业数字化】") == 3


def test_cli_subscribe_add_test_list_remove(rig: Rig, tmp_path: Path) -> None:
    kx = rig.cli(tmp_path)
    tested = kx("subscribe", "test", GREEN)
    assert tested.exit_code == 0, tested.output
    assert "【绿色工厂】" in tested.output
    count = len(text_matches(GREEN, ground_truth(rig.sim.web)))
    assert tested.output.strip().endswith(f"{count} stored notice(s) match")
    narrowed = kx("subscribe", "test", GREEN, "--region", "湖南")
    assert "1 stored notice(s) match" in narrowed.output

    bad = kx("subscribe", "test", "绿色工厂 OR (绿色园区))")
    assert bad.exit_code == 2
    assert bad.output.splitlines() == [
        "error: query: unexpected ')' at position 15",
        "  绿色工厂 OR (绿色园区))",
        "  " + " " * 22 + "^",  # 8 + 5 + 8 + 1 columns: Chinese characters are two wide
    ]

    added = kx("subscribe", "add", "mine", GREEN, "--channel", "me@example.cn", "--section", "绿色制造")
    assert added.exit_code == 0, added.output
    assert kx("subscribe", "add", "mine", "x", "--channel", "me@example.cn").exit_code == 1
    unknown = kx("subscribe", "add", "hook", "x", "--channel", "webhook:nope")
    assert "unknown webhook 'nope'" in unknown.output
    listed = kx("subscribe", "list").output
    assert "mine" in listed and "cli" in listed and "section 绿色制造" in listed

    rig.crawl()  # nothing new since it was added: a new subscription is not told the history
    assert rig.mail_to("me@example.cn") == []
    removed = kx("subscribe", "remove", "mine")
    assert removed.output.strip() == "unsubscribed 'mine'"


@pytest.mark.parametrize(
    ("subscription", "message"),
    [
        (
            {"query": "绿色工厂 OR (绿色园区))"},
            "config.yaml (test): subscriptions[0].query: query: unexpected ')' at position 15",
        ),
        ({"channel": "webhook:nope"}, "config.yaml (test): subscriptions[0].channel: unknown webhook 'nope'"),
        ({"channel": "not an address"}, "subscriptions[0].channel: 'not an address' is neither an email"),
        ({"sections": ["新闻"]}, "subscriptions[0].sections: unknown section '新闻'"),
        ({"mode": "hourly"}, "subscriptions[0].mode: Input should be 'instant', 'daily' or 'weekly'"),
    ],
)
def test_bad_subscriptions_are_named_in_config(tmp_path: Path, subscription: dict, message: str) -> None:
    entry = {"name": "x", "query": "绿色", "channel": "a@example.cn", **subscription}
    raw = {"channels": {"email": {"host": "h", "sender": "s@x.cn"}}, "alerts": {"secret": "s"}}
    with pytest.raises(ConfigError) as error:
        validate({**raw, "subscriptions": [entry]}, "config.yaml (test)", tmp_path, {})
    assert message in str(error.value)


def test_email_subscriptions_need_the_secret(tmp_path: Path) -> None:
    assert make_config(tmp_path, email_channel={"host": "h", "sender": "s@x.cn"}).alerts.secret is None
    entry = {"name": "x", "query": "绿色", "channel": "a@example.cn"}
    raw = {"channels": {"email": {"host": "h", "sender": "s@x.cn"}}, "subscriptions": [entry]}
    with pytest.raises(ConfigError, match=r"subscriptions\[0\].channel: email alerts need alerts.secret"):
        validate(raw, "config.yaml (test)", tmp_path, {})


def test_a_repost_alerts_once(sim: GovWebThread, tmp_path: Path) -> None:
    query = "制造业产品和服务质量"
    truth = ground_truth(sim.web)
    expected = text_matches(query, truth)
    assert len(expected) == 2  # the ministry's notice and the province's repost of it
    sites = tuple(sorted({t["site"] for t in truth if t["source_url"] in expected}))  # miit, gxt-hunan
    with smtp_server(tmp_path) as smtp, receiver({"hook": HOOK_SECRET}) as hooks:
        subscription = {"name": "quality", "query": query, "channel": "quality@example.cn"}
        raw = {**sim_raw(sim, tmp_path, smtp, hooks), "subscriptions": [subscription]}
        config = validate(raw, "config.yaml (test)", tmp_path, ENVIRON)
        db = Database(config.store.url)
        lines: list[str] = []
        assert crawl_and_report(config, lines.append, sites, db=db) == 0, lines  # the two sites' sources
        db.close()
        mails = [r for r in smtp.received if r.rcpt_tos == ["quality@example.cn"]]
    assert len(mails) == 1
    urls = alerted_urls(mails[0])
    assert len(urls) == 1 and urls < expected


PHONE_WIDTH = 420
"""A phone's screen in CSS px: an alert must not be wider."""
TOKEN = "WzEyLCIwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZiJd.rphXeuCnuxypti7nwkEGzRRAoVE"
"""An unsubscribe token's shape (signed JSON, URL-safe base64): one long word, no hyphen to break at."""


def phone_alert() -> Alert:
    url = "https://gxt.hunan.gov.cn/gxt/xxgk_71033/tzgg/202003/t20200301_11823456789012345.html"
    item = AlertItem(
        title=(("湖南省工业和信息化厅关于组织推荐2020年度", False), ("绿色工厂", True), ("的通知", False)),
        url=url,
        section="绿色制造",
        agency="湖南省工业和信息化厅",
        region="湖南",
        date="2020-03-01",
        deadline="2020-04-15",
        terms=("绿色工厂",),
        context=None,
        revised=False,
        change=None,
    )
    return Alert(
        "green-south", "绿色工厂 region:湖南", "instant", (item,), Unsubscribe("kx@example.cn", TOKEN)
    )


def test_the_html_alert_links_the_notice_from_its_title_and_its_url_line() -> None:
    alert = phone_alert()
    page = lxml.html.fromstring(render_alert(alert).html)
    [url] = {item.url for item in alert.items}
    title_link = next(a for a in page.iter("a") if "绿色工厂" in a.text_content())
    url_line = next(a for a in page.iter("a") if a.text_content() == url)
    assert title_link.get("href") == url_line.get("href") == url


def scroll_width(page_html: str, width: int, tmp_path: Path) -> int:
    """The document's scroll width when shown ``width`` px wide in headless Chromium.

    Headless Chromium's window is at least 500 px wide, so the page is shown in an iframe of
    ``width`` px (srcdoc: same origin, so the parent can measure it); --dump-dom prints the title
    the parent's onload script writes the measure into.
    """
    inner = page_html.replace("<script", "<!--script")  # the alert has none; nothing of it may run
    frame = html.escape(inner, quote=True)
    probe = tmp_path / "probe.html"
    probe.write_text(
        f'<!DOCTYPE html><html><head><title>-</title></head><body style="margin:0">'
        f'<iframe id="f" style="width:{width}px;height:3000px;border:0" srcdoc="{frame}"></iframe>'
        "<script>onload = () => { document.title = 'scroll:' + "
        "document.getElementById('f').contentDocument.documentElement.scrollWidth; };</script>"
        "</body></html>",
        encoding="utf-8",
    )
    dom = subprocess.run(
        chromium(
            tmp_path / "profile",
            "--window-size=1000,3000",
            "--dump-dom",
            probe.as_uri(),
        ),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    title = lxml.html.fromstring(dom).findtext(".//title") or ""
    assert title.startswith("scroll:"), dom[:500]
    return int(title.removeprefix("scroll:"))


@pytest.mark.skipif(
    shutil.which("chromium") is None, reason="chromium not installed (scripts/system-deps.sh)"
)
def test_the_html_alert_fits_a_phone_screen(tmp_path: Path) -> None:
    assert scroll_width(render_alert(phone_alert()).html, PHONE_WIDTH, tmp_path) <= PHONE_WIDTH
