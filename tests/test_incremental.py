"""Cheap incremental crawls against the simulator: conditional GET, revisits by publication date
within a budget, and the run report's requests by kind."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import yaml
from click.testing import CliRunner, Result
from sqlalchemy import select

from kuaixun import incremental
from kuaixun.cli import main
from kuaixun.config import Config, load_config, read_raw
from kuaixun.cycle import crawl
from kuaixun.demo import demo_config
from pipeline.classify import OTHER
from simulator.server import GovWebThread
from store.db import Database
from store.models import Notice
from tests.conftest import PROJECT, SIM_TODAY
from tests.stores import store_url

SOURCES = ("ndrc", "cnipa", "jxj-beijing")
"""One site of each listing family that pages in HTML (TRS, Hanweb, legacy table): four notices,
forty-odd news items."""
BUDGET = 3


def incremental_config(sim: GovWebThread, workdir: Path, **crawl: object) -> Config:
    """The shipped config pointed at the simulator, robots.txt honoured, written to ``workdir`` too."""
    raw = demo_config(read_raw(PROJECT / "config.yaml"), sim.web, workdir)
    raw["store"] = {"url": store_url(workdir, raw["store"]["url"])}
    raw["crawl"] = {
        **raw["crawl"],
        "obey_robots": True,
        "revisit_days": 366,
        "revisit_budget": BUDGET,
        **crawl,
    }
    path = workdir / "config.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return load_config(path)


def kuaixun(workdir: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--config", str(workdir / "config.yaml"), *args])


def test_a_second_crawl_with_nothing_new_costs_listings_robots_and_304s(
    sim: GovWebThread, tmp_path: Path
) -> None:
    config = incremental_config(sim, tmp_path)
    db = Database(config.store.url)
    first = crawl(config, db, only=SOURCES, today=SIM_TODAY)
    assert first.new > 0 and first.requests.detail + first.requests.attachment == first.new
    assert first.requests.robots == len(SOURCES) and first.requests.revisit == 0

    served_before = len(sim.web.served())
    again = crawl(config, db, only=SOURCES, today=SIM_TODAY)
    cost = again.requests
    assert again.new == 0 and again.revised == 0
    assert all(o.status == "ok" for o in again.outcomes), [o.line() for o in again.outcomes]
    assert (cost.listing, cost.robots, cost.detail, cost.attachment) == (len(SOURCES), len(SOURCES), 0, 0)
    assert cost.revisit == BUDGET and cost.not_modified == cost.listing + cost.revisit
    assert len(sim.web.served()) - served_before == cost.requests  # the sites' own access logs agree
    db.close()

    listed = kuaixun(tmp_path, "runs", "--json")
    assert listed.exit_code == 0, listed.output
    latest, earliest = json.loads(listed.output)
    assert latest["requests"] | {"seconds": 0} == cost.to_json() | {"seconds": 0}
    assert earliest["new"] == first.new and earliest["requests"]["detail"] == first.requests.detail
    table = kuaixun(tmp_path, "sources")
    assert table.exit_code == 0, table.output
    ndrc = next(line for line in table.output.splitlines() if line.startswith("ndrc "))
    assert " ok " in ndrc and "(2 304)" in ndrc, table.output  # its listing page and its one notice


def test_revisits_are_recent_notices_never_news_newest_first_within_the_budget(
    sim: GovWebThread, tmp_path: Path
) -> None:
    config = incremental_config(sim, tmp_path, revisit_budget=100)
    db = Database(config.store.url)
    crawl(config, db, only=SOURCES, today=SIM_TODAY)
    sources = [config.source(name) for name in SOURCES]
    now = datetime(2026, 11, 29)  # long after the notices were published: first-seen dates must not count
    with db.session() as session:
        stored = list(session.scalars(select(Notice)))
        notices = sorted(
            (n for n in stored if n.category != OTHER),
            key=lambda n: (n.publish_date or "", n.id),
            reverse=True,
        )
        every = incremental.plan(session, config.crawl, sources, SIM_TODAY, now).revisits
        budget = config.crawl.model_copy(update={"revisit_budget": 2})
        newest = incremental.plan(session, budget, sources, SIM_TODAY, now).revisits
        month = config.crawl.model_copy(update={"revisit_days": 30})
        recent = incremental.plan(session, month, sources, date(2019, 11, 30), now).revisits
    assert len(stored) > 2 * len(notices) > 0  # news pads the listings, and was stored as 其他
    assert [r.url for r in every] == [n.url for n in notices]
    assert [r.url for r in newest] == [n.url for n in notices[:2]]
    assert [r.url for r in recent] == [n.url for n in notices if (n.publish_date or "") >= "2019-10-31"]
    assert 0 < len(recent) < len(notices)
    db.close()
