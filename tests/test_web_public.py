"""The public pages on a store built from the simulated web through the processing path: the
archive, search (checked against ``Query.match`` on every notice), the Atom feed (feedparser),
the deadline calendar (icalendar) and the alert emails' unsubscribe page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import feedparser
import httpx
import icalendar
import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from kuaixun.cli import main
from kuaixun.config import Config, read_raw, validate
from kuaixun.demo import demo_config
from kuaixun.web.app import create_app
from kuaixun.web.ical import event_uid
from pipeline.query import Document, compile_query
from simulator.server import GovWebThread
from simulator.truth import ground_truth
from store import queries, search
from store.db import Database
from store.models import Notice
from tests.conftest import PROJECT, publish_issue
from tests.delivery_support import PASSWORD, SmtpServer, seed_hostile, smtp_server
from tests.stores import store_url
from tests.web_support import store_page, store_web

ENVIRON = {"SMTP_PASSWORD": PASSWORD, "KUAIXUN_SECRET": "alerts-secret"}
BASE = "https://kuaixun.example.com"
QUERIES = (
    "绿色工厂",
    "申报",
    "绿色 OR 节能",
    "(绿色工厂 OR 绿色园区) -公示",
    "title:通知 -title:公示",
    "region:北京",
    "agency:工业和信息化部",
    "section:申报通知 截止",
    "doc:工信厅",
    "-草案",
    '"专精特新 中小企业"',
    "中小企业 OR region:湖南",
)


@dataclass
class Site:
    sim: GovWebThread
    smtp: SmtpServer
    config: Config
    db: Database
    client: TestClient


def site_config(sim: GovWebThread, workdir: Path, smtp: SmtpServer) -> Config:
    raw = demo_config(read_raw(PROJECT / "config.yaml"), sim.web, workdir)
    raw.update(
        store={"url": store_url(workdir, raw["store"]["url"])},
        channels={"email": smtp.channel()},
        subscribers=[{"name": "张三", "email": "zhangsan@example.cn"}],
        alerts={"secret": "${KUAIXUN_SECRET}"},
        web={"base_url": BASE, "public": True},
    )
    return validate(raw, "config.yaml (test)", workdir, ENVIRON)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    workdir = tmp_path_factory.mktemp("public")
    with GovWebThread() as sim, smtp_server(workdir) as smtp:
        config = site_config(sim, workdir, smtp)
        db = Database(config.store.url)
        store_web(config, db, sim.web)
        seed_hostile(db)
        assert publish_issue(config, db) is not None
        with TestClient(create_app(config, db)) as client:
            yield Site(sim, smtp, config, db, client)
        db.close()


def stored(db: Database) -> list[tuple[Notice, Any]]:
    with db.session() as session:
        return [(notice, version.record) for notice, version in queries.latest_versions(session)]


# --------------------------------------------------------------------------- search


@pytest.mark.parametrize("text", QUERIES)
def test_search_finds_exactly_what_the_query_matches(site: Site, text: str) -> None:
    """SQL's answer (FTS5 / pg_trgm, every page) equals Query.match over every stored notice."""
    query = compile_query(text)
    expected = {n.id for n, record in stored(site.db) if query.match(Document.of(record)) is not None}
    found: list[int] = []
    with site.db.session() as session:
        total = search.search(session, query, limit=1).total
        for offset in range(0, total, 7):
            found += [hit.notice.id for hit in search.search(session, query, offset=offset, limit=7).hits]
    assert total == len(expected)
    assert sorted(found) == sorted(expected)  # each once, across pages


def test_search_ranks_title_hits_first(site: Site) -> None:
    with site.db.session() as session:
        hits = search.search(session, compile_query("绿色工厂"), limit=500).hits
    in_title = ["绿色工厂" in hit.record.title for hit in hits]
    assert True in in_title and False in in_title
    assert in_title == sorted(in_title, reverse=True)


def test_search_page_marks_terms_and_escapes_scraped_text(site: Site) -> None:
    page = site.client.get("/search", params={"q": "绿色工厂"})
    assert page.status_code == 200
    assert "<mark>绿色工厂</mark>" in page.text
    assert re.search(r"共 \d+ 条", page.text)
    hostile = site.client.get("/search", params={"q": "补贴"})
    assert hostile.status_code == 200 and "<mark>" in hostile.text
    assert not re.search(r"<(script|img|iframe|svg)\b", hostile.text)
    assert not re.search(r'href="(?!https?://|/)', hostile.text)


def test_search_pages_and_refuses_bad_input(site: Site) -> None:
    first = site.client.get("/search", params={"q": "通知"})
    assert "下一页" in first.text
    second = site.client.get("/search", params={"q": "通知", "page": 2})
    titles = re.findall(r"<li>\s*<div>(.*?)</div>", first.text, re.S)
    assert titles and set(titles).isdisjoint(re.findall(r"<li>\s*<div>(.*?)</div>", second.text, re.S))
    bad = site.client.get("/search", params={"q": "(绿色"})
    assert bad.status_code == 400 and "query: unexpected end of query" in bad.text
    assert site.client.get("/search", params={"q": "a", "since": "2026/1/1"}).status_code == 400
    assert site.client.get("/search", params={"q": "a", "page": "0"}).status_code == 400


def test_search_by_dates(site: Site) -> None:
    with site.db.session() as session:
        scope = search.Scope(since="2019-11-01", until="2019-11-30")
        hits = search.search(session, compile_query("通知"), scope, limit=500).hits
    assert hits and all("2019-11-01" <= (h.record.publish_date or "") <= "2019-11-30" for h in hits)


# --------------------------------------------------------------------------- archive


def test_archive_lists_the_sent_issue_with_its_pdf_and_deliveries(site: Site) -> None:
    listing = site.client.get("/issues")
    [(ref, label)] = re.findall(r'<a href="/issues/(\d{4}-\d{4})">(.*?)</a>', listing.text)
    issue = site.client.get(f"/issues/{ref}")
    assert issue.status_code == 200
    assert "z***@example.cn" in issue.text and "zhangsan@" not in issue.text
    assert "已送达" in issue.text
    html = site.client.get(f"/issues/{ref}/issue.html")
    assert html.status_code == 200 and "sandbox" in html.headers["content-security-policy"]
    assert label.replace("(", "（").split()[0] in html.text or "快" in html.text
    pdf = site.client.get(f"/issues/{ref}/issue.pdf")
    assert pdf.content.startswith(b"%PDF") and "attachment" in pdf.headers["content-disposition"]
    for path in (
        "/issues/2026-99",
        "/issues/..%2Fkuaixun.db",
        f"/issues/{ref}/issue.md",
        "/issues/2000-0101",
    ):
        assert site.client.get(path).status_code == 404, path


# --------------------------------------------------------------------------- Atom


def test_atom_feed_is_valid_and_holds_the_notices(site: Site) -> None:
    response = site.client.get("/feed.atom")
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    sections = site.config.digest.sections
    notices = [n for n, _ in stored(site.db) if n.category in sections]
    assert len(feed.entries) == min(len(notices), 100)
    assert {e.id for e in feed.entries} == {
        e.id for e in feedparser.parse(site.client.get("/feed.atom").content).entries
    }
    assert len({e.id for e in feed.entries}) == len(feed.entries)
    assert all(e.link.startswith(("http://", "https://")) for e in feed.entries if "link" in e)
    assert feed.feed.links[0].href == f"{BASE}/feed.atom"
    for entry in feed.entries:
        assert entry.updated_parsed and entry.title and entry.tags[0].term in sections


def test_atom_feed_by_section_and_query(site: Site) -> None:
    one = feedparser.parse(site.client.get("/feed.atom", params={"section": "申报通知"}).content)
    assert one.entries and {e.tags[0].term for e in one.entries} == {"申报通知"}
    query = feedparser.parse(site.client.get("/feed.atom", params={"q": "绿色工厂"}).content)
    assert query.entries and all("绿色工厂" in e.title + e.content[0].value for e in query.entries)
    hostile = feedparser.parse(site.client.get("/feed.atom", params={"q": "补贴"}).content)
    assert not hostile.bozo and hostile.entries
    assert site.client.get("/feed.atom", params={"section": "其他"}).status_code == 400
    assert site.client.get("/feed.atom", params={"q": "OR"}).status_code == 400


# --------------------------------------------------------------------------- calendar


def calendar_events(site: Site, **params: str) -> dict[str, icalendar.Event]:
    response = site.client.get("/deadlines.ics", params=params)
    assert response.headers["content-type"].startswith("text/calendar")
    parsed = icalendar.Calendar.from_ical(response.content)
    return {str(event["UID"]): event for event in parsed.walk("VEVENT")}


def test_calendar_holds_every_deadline(site: Site) -> None:
    events = calendar_events(site)
    sections = site.config.digest.sections
    expected = {
        event_uid(notice.url, index): deadline.date
        for notice, record in stored(site.db)
        if notice.category in sections
        for index, deadline in enumerate(record.deadlines, 1)
    }
    assert len(expected) >= 5
    assert {uid: event.decoded("DTSTART").isoformat() for uid, event in events.items()} == expected
    for event in events.values():
        assert str(event["SUMMARY"]).startswith("截止：")
        assert event.decoded("DTEND") > event.decoded("DTSTART")
    some = next(iter(events.values()))
    assert str(some["URL"]).startswith("http")
    mine = calendar_events(site, q="绿色")
    assert mine and set(mine) < set(events)


def ics_events(client: TestClient) -> dict[str, icalendar.Event]:
    parsed = icalendar.Calendar.from_ical(client.get("/deadlines.ics").content)
    return {str(event["UID"]): event for event in parsed.walk("VEVENT")}


def test_a_postponed_deadline_updates_the_same_event(tmp_path: Path) -> None:
    with GovWebThread() as sim, smtp_server(tmp_path) as smtp:
        config = site_config(sim, tmp_path, smtp)
        db = Database(config.store.url)
        store_web(config, db, sim.web)
        with TestClient(create_app(config, db)) as client:
            before = ics_events(client)
            uid, event = next((u, e) for u, e in before.items() if u.endswith("-1@kuaixun"))
            url = str(event["URL"])
            site_name = next(e["site"] for e in ground_truth(sim.web) if e["source_url"] == url)
            sim.web.revise(
                url, ["各有关单位：", "因工作需要，申报截止时间延期至2031年3月15日。", "特此通知。"]
            )
            with httpx.Client() as fetch:
                store_page(config, db, fetch, url, site_name)
            after = ics_events(client)
        db.close()
    assert after[uid].decoded("DTSTART").isoformat() == "2031-03-15"
    assert int(after[uid]["SEQUENCE"]) == int(event["SEQUENCE"]) + 1
    assert after[uid].decoded("LAST-MODIFIED") > event.decoded("LAST-MODIFIED")


def test_cli_search(site: Site, tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(
        f"store:\n  url: {site.config.store.url}\ndata_dir: {tmp_path / 'data'}\n", encoding="utf-8"
    )
    runner = CliRunner()
    found = runner.invoke(main, ["--config", str(path), "search", "绿色工厂", "--limit", "5"])
    assert found.exit_code == 0, found.output
    with site.db.session() as session:
        total = search.search(session, compile_query("绿色工厂"), limit=1).total
    assert found.output.splitlines()[-1] == f"{total} notice(s) match (page 1 of {-(-total // 5)})"
    assert found.output.count("【绿色工厂】") >= 5
    bad = runner.invoke(main, ["--config", str(path), "search", "绿色 OR"])
    assert bad.exit_code == 2 and "query: unexpected end of query" in bad.output
