"""``kuaixun extract``: a saved page or a live URL in, the notice's JSON out; a bad file, one line.

Runs the real command (``kuaixun.cli.main`` through click's CliRunner, with the shipped
config.yaml) on pages served by the simulated government web: a GBK legacy page saved to a file
(no Content-Type to lean on), a TRS page saved to a file, and a URL fetched live. The JSON is
checked against the simulator's ground truth (``simulator.truth``) and the site's own agency and
region (``simulator.sites``), never against the extractor.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result

from kuaixun.cli import main
from simulator.catalog import Page
from simulator.server import GovWebThread
from simulator.truth import ground_truth

CONFIG = Path(__file__).resolve().parents[1] / "config.yaml"
ENV = {"SMTP_PASSWORD": "not-used-by-extract"}
"""config.yaml references ${SMTP_PASSWORD}; loading it needs the variable set."""
SPEC_KEYS = (
    "title", "doc_number", "publish_date", "issuer", "addressee", "body_text", "body_html",
    "attachments", "deadlines", "category", "region", "agency", "source_url",
)  # fmt: skip
PAGES = {"legacy-gbk": ("jxj-beijing", "两化融合"), "trs": ("gxt-hunan", "绿色设计产品标准")}
"""name → (simulated site, words of the seed title): a GBK legacy page and a TRS page, both with
a 文号 or 附件, a deadline and a signature, so every key has a value to check."""


class Sim:
    """The running simulator, its ground truth by URL, and the chosen pages."""

    def __init__(self, thread: GovWebThread) -> None:
        self.web = thread.web
        self.truth = {record["source_url"]: record for record in ground_truth(self.web)}
        self.pages: dict[str, Page] = {
            name: next(p for p in self.web.published() if p.site.name == site and words in p.title)
            for name, (site, words) in PAGES.items()
        }

    def url(self, name: str) -> str:
        return self.web.url_of(self.pages[name])


@pytest.fixture(scope="module")
def sim() -> Iterator[Sim]:
    with GovWebThread(held_back=0) as thread:
        yield Sim(thread)


def run(*args: str) -> Result:
    """``kuaixun --config config.yaml ARGS``, stdout and stderr kept apart."""
    return CliRunner().invoke(main, ["--config", str(CONFIG), *args], env=ENV)


def _similarity(a: str, b: str) -> float:
    a, b = re.sub(r"\s+", "", a), re.sub(r"\s+", "", b)
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def assert_record(record: dict[str, Any], sim: Sim, name: str) -> None:
    """Every key of the spec present, and each equal to the truth of that page."""
    page, url = sim.pages[name], sim.url(name)
    truth = sim.truth[url]
    assert set(SPEC_KEYS) <= set(record), set(SPEC_KEYS) - set(record)
    for key in ("title", "doc_number", "publish_date", "issuer", "addressee", "category", "source_url"):
        assert record[key] == truth[key], (key, record[key], truth[key])
    assert _similarity(record["body_text"], truth["body_text"]) >= 0.95
    assert record["body_html"].startswith("<p>") and "<script" not in record["body_html"]
    assert record["attachments"] == truth["attachments"]
    assert all(set(item) == {"name", "url"} for item in record["attachments"])
    assert [d["date"] for d in record["deadlines"]] == truth["deadlines"]
    assert all(set(item) == {"date", "text"} and item["text"] for item in record["deadlines"])
    assert (record["region"], record["agency"]) == (page.site.region, page.site.agency)


@pytest.mark.parametrize("name", list(PAGES))
def test_extract_saved_page(sim: Sim, tmp_path: Path, name: str) -> None:
    url = sim.url(name)
    saved = tmp_path / "page.html"
    saved.write_bytes(httpx.get(url, timeout=30).content)
    result = run("extract", str(saved), "--url", url)
    assert result.exit_code == 0, result.stderr
    assert_record(json.loads(result.stdout), sim, name)


def test_saved_legacy_page_is_gbk(sim: Sim) -> None:
    """The legacy page really is GBK bytes (else the test above proves less than it says)."""
    body = httpx.get(sim.url("legacy-gbk"), timeout=30).content
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")


def test_extract_live_url(sim: Sim) -> None:
    """Fetched by Scrapy as the crawl fetches (in a process of its own: Twisted's reactor runs once)."""
    result = subprocess.run(
        [str(Path(sys.executable).parent / "kuaixun"), "--config", str(CONFIG), "extract", sim.url("trs")],
        capture_output=True,
        text=True,
        env={**os.environ, **ENV},
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert_record(json.loads(result.stdout), sim, "trs")


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"PK\x03\x04" + bytes(200),
        b"<html><head><title>404 Not Found</title></head><body>nginx</body></html>",
    ],
    ids=["empty", "zip", "error-page"],
)
def test_extract_bad_file_fails_in_one_line(tmp_path: Path, content: bytes) -> None:
    bad = tmp_path / "bad.html"
    bad.write_bytes(content)
    result = run("extract", str(bad), "--url", "http://gxt.example.gov.cn/a/t20191115_1.html")
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
