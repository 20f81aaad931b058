"""Browser fetch: the 加速乐, 瑞数 and XHR-list sites crawled through headless Chromium.

Real HTTP on loopback (simulator.challenged), the real crawl child process, Debian's chromium
driven by scrapy-playwright, a real SQLite file. Without the browser the challenges are reported
by name; with it every notice is stored, and the browser keeps to the source's origins.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from kuaixun.config import Config, ConfigError, read_raw, validate
from kuaixun.cycle import CrawlResult, crawl
from kuaixun.demo import demo_config
from simulator.challenged import CHALLENGED_SITES, challenged_seeds
from simulator.families.hostile import HOSTILE, METADATA, OTHER_PORT, REFUSALS, hostile_web
from simulator.families.xhr import API
from simulator.server import GovWebThread
from simulator.truth import ground_truth
from store.db import Database
from store.models import Notice
from tests.conftest import PROJECT, sim_config

pytestmark = pytest.mark.skipif(not Path("/usr/bin/chromium").is_file(), reason="needs Debian's chromium")

JSL, RS, XHR = (site.name for site in CHALLENGED_SITES)


@pytest.fixture(scope="module")
def challenged() -> Iterator[GovWebThread]:
    with GovWebThread(seeds=challenged_seeds(), sites=CHALLENGED_SITES, held_back=0) as sim:
        yield sim


def challenged_config(sim: GovWebThread, workdir: Path, browser: str, **render: str) -> Config:
    """config.yaml's sources of the three hosts, pointed at the challenged sites."""
    raw = demo_config(read_raw(PROJECT / "config.yaml"), sim.web, workdir)
    raw["crawl"] = {**raw["crawl"], "browser": browser}
    own = [s for s in raw["sources"] if s["name"] in (JSL, RS, XHR)]  # each host's main column
    # The gated sites serve TRS pages, whatever family the real host uses: their listings are sniffed.
    raw["sources"] = [
        {**{k: v for k, v in s.items() if k != "family"}, "render": render.get(s["name"], "http")}
        for s in own
    ]
    return validate(raw, "config.yaml (challenged)", workdir)


def stored_urls(config: Config) -> set[str]:
    db = Database(config.store.url)
    with db.session() as session:
        urls = {n.url for n in session.scalars(select(Notice))}
    db.close()
    return urls


def outcomes(result: CrawlResult) -> dict[str, Any]:
    return {o.source: o for o in result.outcomes}


def test_without_the_browser_each_challenge_is_reported_by_name(
    challenged: GovWebThread, tmp_path: Path
) -> None:
    config = challenged_config(challenged, tmp_path, "off")
    result = outcomes(crawl(config, Database(config.store.url)))
    assert set(result) == {JSL, RS, XHR}
    assert all(o.status == "failed" for o in result.values()), [o.line() for o in result.values()]
    assert "blocked: challenge (加速乐)" in result[JSL].errors[0]
    assert "blocked: challenge (瑞数)" in result[RS].errors[0]
    assert "built in the browser by JavaScript" in result[XHR].errors[0]
    assert stored_urls(config) == set()


def test_through_the_browser_every_notice_is_stored(challenged: GovWebThread, tmp_path: Path) -> None:
    """加速乐 and 瑞数 by the fall-back after their challenge; the XHR list by ``render: browser``."""
    config = challenged_config(challenged, tmp_path, "fallback", **{XHR: "browser"})
    before = {site.name: len(challenged.web.served(site.name)) for site in CHALLENGED_SITES}
    result = outcomes(crawl(config, Database(config.store.url)))
    assert all(o.status == "ok" for o in result.values()), [o.line() for o in result.values()]
    truth = {t["source_url"] for t in ground_truth(challenged.web)}
    assert stored_urls(config) == truth
    assert sum(o.new for o in result.values()) == len(truth) > 0
    # The pages' scripts ran: the 瑞数 script was loaded, the list's entries asked of its API.
    served = {name: challenged.web.served(name)[count:] for name, count in before.items()}
    assert any(r.path_qs.endswith(".js") for r in served[RS])
    assert [r.method for r in served[XHR] if r.path_qs == API] == ["POST"]


def test_a_missing_chromium_is_a_config_error_naming_the_key(
    challenged: GovWebThread, tmp_path: Path
) -> None:
    raw = demo_config(read_raw(PROJECT / "config.yaml"), challenged.web, tmp_path)
    raw["crawl"] = {**raw["crawl"], "browser": "fallback", "chromium": str(tmp_path / "no-chromium")}
    config = validate(raw, "config.yaml", tmp_path)
    with pytest.raises(ConfigError, match=r"config\.yaml: crawl\.chromium: .*no-chromium not found"):
        crawl(config, Database(config.store.url))


def test_the_browser_fetches_nothing_outside_the_source_origins(tmp_path: Path) -> None:
    """The hostile site through the browser: its pages' images, styles and links to the machine's
    other services and the metadata stand-in are never requested; only its own notices are stored."""
    with GovWebThread(**hostile_web()) as sim:
        source = {
            "name": HOSTILE,
            "agency": "示范省工业和信息化厅",
            "listing_url": sim.web.listing_url(HOSTILE),
            "render": "browser",
        }
        config = sim_config(sim, tmp_path, [source])
        result = crawl(config, Database(config.store.url), (HOSTILE,))
        truth = {t["source_url"] for t in ground_truth(sim.web)}
        assert sim.web.served(OTHER_PORT) == []
        assert sim.web.served(METADATA) == []
    (outcome,) = result.outcomes
    assert outcome.status == "ok", outcome.line()
    assert stored_urls(config) == truth
    assert outcome.refused > REFUSALS  # every hostile link and redirect, and the pages' own resources
