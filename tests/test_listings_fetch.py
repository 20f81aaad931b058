"""``kuaixun listing URL``: the page fetched by Scrapy with the crawl's settings, over real HTTP.

Runs the installed command in a child process (Scrapy's reactor runs once per process) against
the simulated government web, and compares what it prints with the simulator's own truth.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from simulator.server import GovWebThread
from simulator.truth import ground_truth

KUAIXUN = Path(sys.executable).parent / "kuaixun"
PROJECT = Path(__file__).resolve().parents[1]


def _listing(url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(KUAIXUN), "listing", url], capture_output=True, text=True, cwd=PROJECT, timeout=300, check=False
    )


def test_listing_url_reads_utf8_gbk_and_jpaas_sites_as_the_crawl_does(sim: GovWebThread) -> None:
    titles = {record["source_url"]: record["title"] for record in ground_truth(sim.web)}
    # A TRS site in UTF-8, a legacy table site served as GBK, a jpaas shell whose list is an API reply.
    for site in ("ndrc", "gyxxh-tj", "miit"):
        result = _listing(sim.web.listing_url(site))
        assert result.returncode == 0, result.stderr
        printed = json.loads(result.stdout)
        own = [e for e in printed["entries"] if e["url"] in titles]
        assert own, printed
        assert [e["title"] for e in own] == [titles[e["url"]] for e in own]
        assert all(e["date"] and len(e["date"]) == 10 for e in own)


def test_listing_url_that_fails_says_why_in_one_line(sim: GovWebThread) -> None:
    result = _listing(sim.web.base_url("ndrc") + "/no/such/column/")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"error: {sim.web.base_url('ndrc')}/no/such/column/: HTTP 404"
    ]
