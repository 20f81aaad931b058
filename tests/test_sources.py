"""config.yaml's sources: every government host of the seeds and of issue 11 covered, each
source's listing served by the simulator at its real path, and ``kuaixun add-source``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import yaml
from scrapy.http import HtmlResponse

from crawlers.listings import read_listing
from kuaixun.addsource import AddSourceError, SourceEntry, insert_source
from kuaixun.config import load_extraction_config, read_raw
from simulator.seeds import default_seeds_dir, load_seeds
from simulator.server import GovWebThread
from simulator.truth import ground_truth

PROJECT = Path(__file__).resolve().parents[1]
CONFIG = PROJECT / "config.yaml"
KUAIXUN = Path(sys.executable).parent / "kuaixun"
ISSUE_HOSTS = (
    "www.chinatorch.gov.cn",
    "gxt.shaanxi.gov.cn",
    "kjt.yn.gov.cn",
    "zgcgw.beijing.gov.cn",
    "kw.beijing.gov.cn",
    "jcs.mee.gov.cn",
    "gi.mnr.gov.cn",
    "www.yy.gov.cn",
    "gxt.yn.gov.cn",
    "jxj.huaibei.gov.cn",
    "www.cnipa.gov.cn",
)
"""The government hosts issue 11 names as missing or misconfigured."""


def _covered_hosts(enabled: bool) -> set[str]:
    hosts: set[str] = set()
    for source in read_raw(CONFIG)["sources"]:
        if source.get("enabled", True) == enabled:
            hosts.add(urlsplit(source["listing_url"]).hostname or "")
            hosts.update(source.get("allowed_hosts", ()))
    return hosts


def _commented(host: str) -> bool:
    """A comment line of config.yaml names the host (the reason it has no enabled source)."""
    return any(
        line.lstrip().startswith("#") and host in line for line in CONFIG.read_text("utf-8").splitlines()
    )


@pytest.mark.skipif(not default_seeds_dir().is_dir(), reason="seed issues absent (../shared not mounted)")
def test_every_government_host_of_the_seeds_and_the_issue_has_a_source_or_a_reason() -> None:
    seed_hosts = {urlsplit(n.source_url).hostname for n in load_seeds() if n.source_url}
    hosts = {h for h in seed_hosts if h and h.endswith(".gov.cn")} | set(ISSUE_HOSTS)
    enabled = _covered_hosts(enabled=True)
    without = sorted(h for h in hosts if h not in enabled)
    assert all(_commented(h) for h in without), [h for h in without if not _commented(h)]
    # Only the two hosts without a known column are off, each with its reason.
    assert without == ["jcs.mee.gov.cn", "www.yy.gov.cn"]
    assert _covered_hosts(enabled=False) >= set(without)


def test_every_source_on_a_simulated_host_is_served_at_its_real_path_and_read_by_its_family() -> None:
    """The demo points each source at its host's simulated site, same path: each must list notices."""
    config = load_extraction_config(CONFIG)
    with GovWebThread(held_back=0) as sim, httpx.Client(timeout=30) as client:
        notices = {r["source_url"] for r in ground_truth(sim.web)}
        checked = 0
        for source in config.sources:
            url = sim.web.simulated_url(source.listing_url)
            if url is None or not source.enabled:
                continue
            response = client.get(url)
            assert response.status_code == 200, (source.name, url)
            # Decoded as the crawl decodes it: the page's own <meta> charset over a header that lies.
            listing = read_listing(url, HtmlResponse(url=url, body=response.content).text, 1, source.family)
            if listing.is_shell and listing.next_page is not None:
                reply = client.get(listing.next_page.url, headers={"Referer": url})
                listing = read_listing(listing.next_page.url, reply.text, 1, listing.next_page.reader)
            assert {e.url for e in listing.entries} & notices, (source.name, listing.reader)
            checked += 1
        assert checked >= len({s.host for s in sim.web.sites})


def _kuaixun(*args: str, cwd: Path = PROJECT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(KUAIXUN), *args], capture_output=True, text=True, cwd=cwd, timeout=300, check=False
    )


HEAD = """# An operator's config: these comments must survive add-source --write.
data_dir: data   # the store
sources:
  # 国家发展改革委
  - {name: ndrc, agency: 国家发展改革委, region: 全国, listing_url: "https://www.ndrc.gov.cn/xxgk/zcfb/tz/"}
  # trailing comment of the block

# Who gets the issue
subscribers: []
"""


def test_add_source_reads_a_simulated_listing_and_writes_its_entry_keeping_comments(tmp_path: Path) -> None:
    config_file = tmp_path / "config.yaml"
    config_file.write_text(HEAD, encoding="utf-8")
    with GovWebThread() as sim:
        url = sim.web.listing_url("sipo")  # a Hanweb jcms column
        done = _kuaixun(
            "--config",
            str(config_file),
            "add-source",
            url,
            "--name",
            "cnipa-gztz",
            "--agency",
            "国家知识产权局",
            "--write",
        )
        assert done.returncode == 0, done.stderr
        lines = done.stdout.splitlines()
        assert lines[0] == "family: hanweb"
        titles = {r["title"] for r in ground_truth(sim.web) if r["site"] == "sipo"}
        assert any(t in done.stdout for t in titles)
        assert any(line.startswith("next page: ") and "dataproxy.jsp" in line for line in lines)
        snippet = f'  - {{name: "cnipa-gztz", agency: "国家知识产权局", region: "全国", family: "hanweb", listing_url: "{url}"}}'
        assert snippet in lines
        # jpaas: the shell's list is read through its API, as the crawl reads it.
        jpaas = _kuaixun("--config", str(config_file), "add-source", sim.web.listing_url("miit"))
        assert jpaas.returncode == 0 and jpaas.stdout.startswith("family: jpaas\n"), jpaas.stderr

    text = config_file.read_text(encoding="utf-8")
    assert text.startswith(HEAD.split("  # trailing")[0])  # everything before the entry, comments included
    assert "  # trailing comment of the block\n" in text and "# Who gets the issue\nsubscribers: []\n" in text
    written = yaml.safe_load(text)
    assert [s["name"] for s in written["sources"]] == ["ndrc", "cnipa-gztz"]
    assert written["sources"][1] == {
        "name": "cnipa-gztz",
        "agency": "国家知识产权局",
        "region": "全国",
        "family": "hanweb",
        "listing_url": url,
    }
    before = config_file.read_bytes()
    again = _kuaixun(
        "--config", str(config_file), "add-source", url, "--name", "cnipa-gztz", "--agency", "x", "--write"
    )
    assert again.returncode == 2
    assert "a source named 'cnipa-gztz' exists already" in again.stderr
    assert config_file.read_bytes() == before


def test_add_source_on_a_saved_page_and_on_a_page_with_no_list(tmp_path: Path) -> None:
    pages = PROJECT / "tests" / "listing_pages"
    saved = _kuaixun(
        "add-source", "http://gxt.example.gov.cn/xxgk/tzgg/", "--file", str(pages / "ul_spans.html")
    )
    assert saved.returncode == 0, saved.stderr
    assert saved.stdout.startswith("family: trs\nentries: 6\n")
    assert '- {name: "gxt-example-tzgg", agency: "", region: "全国", family: "trs", ' in saved.stdout
    assert "next page: http://gxt.example.gov.cn/xxgk/tzgg/index_1.html" in saved.stdout
    empty = _kuaixun("add-source", "http://jxj.example.gov.cn/list/", "--file", str(pages / "js_built.html"))
    assert empty.returncode == 1
    assert "built in the browser by JavaScript" in empty.stderr and empty.stdout == ""


@pytest.mark.parametrize(
    ("text", "expected_names"),
    [
        (
            "sources:\n    - name: a\n      agency: 甲\n      listing_url: https://a.gov.cn/\n# end\n",
            ["a", "new"],
        ),
        ("data_dir: data\nsources:\nout_dir: out\n", ["new"]),
        ("data_dir: data  # no sources yet", ["new"]),
    ],
)
def test_insert_source_keeps_the_text_and_adds_one_item(text: str, expected_names: list[str]) -> None:
    entry = SourceEntry("new", "某局", "全国", "trs", "https://b.gov.cn/tzgg/")
    updated = insert_source(text, entry)
    added = [entry.yaml().strip()] + ([] if "sources:" in text else ["sources:"])
    assert [line for line in updated.splitlines() if line.strip() not in added] == text.splitlines()
    assert [s["name"] for s in yaml.safe_load(updated)["sources"]] == expected_names


def test_insert_source_refuses_an_inline_list() -> None:
    with pytest.raises(AddSourceError, match="inline"):
        insert_source("sources: []\n", SourceEntry("new", "某局", "全国", None, "https://b.gov.cn/"))
