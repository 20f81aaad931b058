"""Cheap incremental crawls against the simulator: conditional GET, revisits by publication date
within a budget, and the run report's requests by kind."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from kuaixun.config import Config
from kuaixun.cycle import crawl
from simulator.server import GovWebThread
from store.db import Database
from store.models import Notice
from tests.conftest import sim_config

SOURCES = ("ndrc", "sipo", "gxt-yn")
"""One site of each listing family that pages in HTML: TRS, Hanweb, legacy table."""
SIM_TODAY = date(2019, 12, 31)
"""A day just after the simulator's newest notice (its web is the seeds' 2019)."""


def incremental_config(sim: GovWebThread, workdir: Path, **crawl: object) -> Config:
    config = sim_config(sim, workdir)
    settings = {"obey_robots": True, "revisit_days": 366, "revisit_budget": 4, **crawl}
    return config.model_copy(update={"crawl": config.crawl.model_copy(update=settings)})


def test_a_second_crawl_with_nothing_new_costs_listings_robots_and_304s(
    sim: GovWebThread, tmp_path: Path
) -> None:
    config = incremental_config(sim, tmp_path)
    db = Database(config.store.url)
    first = crawl(config, db, only=SOURCES, today=SIM_TODAY)
    assert first.new > 0 and first.requests.detail + first.requests.attachment == first.new
    assert first.requests.robots == len(SOURCES)

    served_before = len(sim.web.served())
    again = crawl(config, db, only=SOURCES, today=SIM_TODAY)
    cost = again.requests
    assert again.new == 0 and again.revised == 0
    assert all(o.status == "ok" for o in again.outcomes), [o.line() for o in again.outcomes]
    assert (cost.listing, cost.robots, cost.detail, cost.attachment) == (len(SOURCES), len(SOURCES), 0, 0)
    assert cost.revisit == 4 and cost.not_modified == cost.listing + cost.revisit
    assert len(sim.web.served()) - served_before == cost.requests  # the sites' own access logs agree
    db.close()
