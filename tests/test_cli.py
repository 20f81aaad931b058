"""What the commands print and how they exit, as an operator meets them."""

from __future__ import annotations

import contextlib
import email
import io
import json
import re
import socket
import struct
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner, Result

from crawlers.items import SourceReport
from kuaixun.cli import main
from kuaixun.config import read_raw, validate
from kuaixun.cycle import crawl
from kuaixun.delivery import list_digests, send_digest
from kuaixun.demo import demo_config
from kuaixun.health import SourceHealth, format_health
from kuaixun.progress import CLEAR_LINE, CrawlProgress, live_line
from pipeline.query import Document, compile_query
from pipeline.records import ExtractedNotice
from simulator.server import GovWebThread
from simulator.truth import ground_truth
from store.db import Database
from tests.conftest import PROJECT
from tests.delivery_support import make_config, seed, smtp_server


def write_config(folder: Path, raw: dict[str, Any]) -> Path:
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def kuaixun(config: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--config", str(config), *args])


def test_crawl_of_an_unknown_or_disabled_source_is_an_error_naming_the_enabled_ones(
    sim: GovWebThread, tmp_path: Path
) -> None:
    raw = demo_config(read_raw(PROJECT / "config.yaml"), sim.web, tmp_path)
    raw["sources"] = raw["sources"][:3]
    raw["sources"][2]["enabled"] = False
    names = [s["name"] for s in raw["sources"]]
    config = write_config(tmp_path, raw)

    unknown = kuaixun(config, "crawl", "--source", "nosuch")
    disabled = kuaixun(config, "crawl", "--source", names[0], "--source", names[2])
    known = kuaixun(config, "crawl", "--source", names[1])

    assert unknown.exit_code == 2 and "nothing new" not in unknown.output
    assert "no source named 'nosuch'" in unknown.output
    assert f"the enabled sources are: {names[0]}, {names[1]}" in unknown.output
    assert disabled.exit_code == 2 and f"source '{names[2]}' is disabled" in disabled.output
    assert known.exit_code == 0, known.output
    assert any(line.startswith(f"{names[1]} ") for line in known.output.splitlines()), known.output
    assert "found " in known.output


def example_queries() -> list[str]:
    """The alert queries `subscribe --help` and config.yaml's comments offer as examples."""
    shown = CliRunner().invoke(main, ["subscribe", "--help"]).output
    config = (PROJECT / "config.yaml").read_text(encoding="utf-8")
    in_help = re.findall(r"subscribe (?:test|add \S+) '([^']+)'", shown)
    return in_help + re.findall(r'query: "([^"]+)"', config)


def test_the_query_examples_exclude_what_they_seem_to_exclude() -> None:
    examples = [q for q in example_queries() if "-公示" in q]
    assert len(examples) == 2  # one in the help, one in config.yaml
    for query in examples:
        compiled = compile_query(query)
        for title in ("关于2020年度绿色工厂名单的公示", "关于2020年度绿色园区名单的公示"):
            assert compiled.match(Document.of(ExtractedNotice(source_url="", title=title))) is None, (
                query,
                title,
            )
        assert (
            compiled.match(Document.of(ExtractedNotice(source_url="", title="关于组织申报绿色园区的通知")))
            is not None
        ), query


def test_an_issue_has_one_count_in_every_command_a_repost_counted_once(
    sim: GovWebThread, tmp_path: Path
) -> None:
    raw = demo_config(read_raw(PROJECT / "config.yaml"), sim.web, tmp_path)
    raw["sources"] = [
        s for s in raw["sources"] if s["name"] in ("miit", "gxt-hunan")
    ]  # the repost's two sites
    config = write_config(tmp_path, raw)
    [repost] = [t for t in ground_truth(sim.web) if t["kind"] == "repost"]

    crawled = kuaixun(config, "crawl")
    stored = json.loads(kuaixun(config, "items", "--json", "--limit", "0").output)
    preview = kuaixun(config, "digest", "preview")
    sent = kuaixun(config, "digest", "send")
    listed = kuaixun(config, "digest", "list")

    assert crawled.exit_code == preview.exit_code == sent.exit_code == listed.exit_code == 0
    found = re.search(
        r"found (\d+) new and 0 revised page\(s\)\n(\d+) notice\(s\) wait for the next issue", crawled.output
    )
    assert found, crawled.output
    pages, notices = int(found[1]), int(found[2])
    assert pages == len(stored)
    sendable = [i for i in stored if i["section"] != "其他"]
    assert [i["title"] for i in sendable].count(repost["title"]) == 2  # stored once per site
    assert notices == len(sendable) - 1  # ... and one notice in the issue
    assert f": {notices} notice(s) →" in preview.output and f": {notices} notice(s) →" in sent.output
    assert re.search(rf"期  \d{{4}}-\d\d-\d\d  {notices} notice\(s\)", listed.output), listed.output

    contents = preview.output.split("目录\n", 1)[1].splitlines()
    titles = [line.split(". ", 1)[1] for line in contents if re.match(r"\s+\d+\. ", line)]
    assert len(titles) == notices and titles.count(repost["title"]) == 1
    assert {line.strip() for line in contents if line.strip().startswith("[")} <= {
        "[政策文件]",
        "[绿色制造]",
        "[申报通知]",
    }


def test_times_are_shown_in_the_configured_zone(tmp_path: Path) -> None:
    evening_utc = datetime(2026, 11, 30, 20, 0)  # already 1 December, 04:00, in Asia/Shanghai
    with smtp_server(tmp_path) as server:
        config = make_config(
            tmp_path, email_channel=server.channel(), subscribers=[{"name": "编辑部", "email": "e@x.cn"}]
        )
        assert config.schedule.timezone == "Asia/Shanghai"
        db = Database(config.store.url)
        seed(db, 1)
        lines: list[str] = []
        report = send_digest(config, db, lines.append, clock=lambda: evening_utc)
        listed = list_digests(config, db)
        db.close()
    assert report.issue is not None and report.issue.label == "(2026) 1201 期"  # numbered by Beijing's day
    eml = email.message_from_bytes(report.issue.eml.read_bytes())
    assert eml["Date"].endswith(" 04:00:00 +0800") and "1 Dec 2026" in eml["Date"]
    assert any(line.endswith("sent 2026-12-01 04:00 +0800") for line in lines), lines
    assert listed[0] == "(2026) 1201 期  2026-12-01  1 notice(s)"
    assert listed[1].endswith("sent 2026-12-01 04:00 +0800")
    health = SourceHealth("miit", "工业和信息化部", evening_utc, evening_utc, 0, None)
    assert "2026-12-01 04:00 +0800" in format_health([health], config.schedule.timezone)


class Blackhole:
    """A listening port that never answers: a source on it hangs until ``release`` resets it."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.held: list[socket.socket] = []
        threading.Thread(target=self._hold, daemon=True).start()

    def _hold(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                self.held.append(self.server.accept()[0])

    def release(self) -> None:
        for connection in [*self.held, self.server]:
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # reset
            connection.close()


def test_crawl_progress_is_heard_while_the_crawl_process_runs(sim: GovWebThread, tmp_path: Path) -> None:
    hole = Blackhole()
    raw = demo_config(read_raw(PROJECT / "config.yaml"), sim.web, tmp_path)
    hanging = {"name": "hangs", "agency": "某局", "listing_url": f"http://127.0.0.1:{hole.port}/list.html"}
    two_sites = [s for s in raw["sources"] if s["name"] in ("ndrc", "miit")]  # not two columns of one site
    raw["sources"] = [*two_sites, hanging]
    # The hanging source ends only when released (or the crawl is stopped after 120 s).
    raw["crawl"] |= {"timeout": 600, "retries": 0, "crawl_timeout": 120}
    config = validate(raw, "config.yaml (test)", tmp_path)
    heard: list[tuple[int, int]] = []

    def progress(state: CrawlProgress, report: SourceReport | None) -> None:
        heard.append((sum(state.fetched.values()), len(state.finished)))
        if report is not None and len(state.finished) == 2:  # the crawl still waits on the hanging source
            hole.release()

    db = Database(config.store.url)
    result = crawl(config, db, progress=progress)
    db.close()
    assert heard[0] == (1, 0)  # a page, heard before any source finished
    assert [finished for _, finished in heard].index(2) < len(heard) - 1  # more came after the release
    assert heard[-1][1] == 3
    outcome = {o.source: o for o in result.outcomes}["hangs"]
    assert outcome.status == "failed" and "ended before this source finished" not in " ".join(outcome.errors)


def test_in_a_terminal_the_live_line_is_redrawn_and_finished_sources_stay() -> None:
    terminal, kept = io.StringIO(), []
    hook = live_line(kept.append, terminal)
    progress = CrawlProgress(("miit", "ndrc"))
    progress.fetched["miit"] = 3
    hook(progress, None)
    progress.finished.append(SourceReport("miit", listing_pages=1, links=3, fetched=3))
    hook(progress, progress.finished[-1])
    progress.finished.append(SourceReport("ndrc", errors=["listing: HTTP 500"]))
    hook(progress, progress.finished[-1])
    assert terminal.getvalue().split(CLEAR_LINE) == [
        "",
        "crawling: 0/2 sources done, 3 page(s) fetched — miit 3, ndrc 0",
        "crawling: 1/2 sources done, 3 page(s) fetched — ndrc 0",
        "",
    ]
    assert kept == [
        "  [1/2] miit           fetched listing pages 1, links 3, pages 3",
        "  [2/2] ndrc           FAILED  listing pages 0, links 0, pages 0 — listing: HTTP 500",
    ]
