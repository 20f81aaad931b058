"""Small parts of the cycle that must hold for months of unattended running."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from crawlers.items import FetchedPage, SourceReport
from crawlers.job import PARENT_ENV, CrawlJob
from crawlers.spool import SpoolTail, SpoolWriter, being_written, encode, read_spool
from kuaixun.crawl_process import crawl_command, rotate
from tests.conftest import PROJECT


def test_crawl_log_rotates_and_keeps_a_bounded_number(tmp_path: Path) -> None:
    log = tmp_path / "crawl.log"
    for run in range(5):
        log.write_text(f"run {run}\n" + "x" * 100, encoding="utf-8")
        rotate(log, max_bytes=50, keep=3)
    kept = sorted(p.name for p in tmp_path.iterdir())
    assert kept == ["crawl.log.1", "crawl.log.2", "crawl.log.3"]
    assert (tmp_path / "crawl.log.1").read_text(encoding="utf-8").startswith("run 4")
    assert (tmp_path / "crawl.log.3").read_text(encoding="utf-8").startswith("run 2")
    small = tmp_path / "small.log"
    small.write_text("short", encoding="utf-8")
    rotate(small, max_bytes=50, keep=3)
    assert small.exists()


def test_the_spool_tail_reads_whole_lines_only_and_picks_up_where_it_stopped(tmp_path: Path) -> None:
    spool = tmp_path / "crawl-1.jsonl"
    writer = SpoolWriter(spool)
    writer.write(FetchedPage("mee", "http://a/1", "http://a/1", 200, "text/html", b"<p>1</p>"))
    tail = SpoolTail(spool)
    assert [i.url for i in tail.items() if isinstance(i, FetchedPage)] == ["http://a/1"]
    line = encode(FetchedPage("mee", "http://a/2", "http://a/2", 200, None, b"\xe4\xb8\x80"))
    with spool.open("a", encoding="utf-8") as handle:
        handle.write(line[:20])  # the crawl process is half-way through this line
    assert list(tail.items()) == []
    with spool.open("a", encoding="utf-8") as handle:
        handle.write(line[20:])
    writer.write(SourceReport("mee", listing_pages=1, links=2, fetched=2))
    assert [type(i).__name__ for i in tail.items()] == ["FetchedPage", "SourceReport"]
    assert being_written(spool)  # the writer's flock: a replay leaves this spool alone
    writer.close()
    assert not being_written(spool)
    assert [i.body for i in read_spool(spool) if isinstance(i, FetchedPage)] == [b"<p>1</p>", b"\xe4\xb8\x80"]


def test_a_crawl_process_whose_parent_is_gone_does_not_crawl(tmp_path: Path) -> None:
    job = tmp_path / "crawl-1.json"
    CrawlJob(sources=[], spool=tmp_path / "crawl-1.jsonl").save(job)
    environment = {"PATH": os.environ["PATH"], PARENT_ENV: "1"}  # not this child's parent
    child = subprocess.run(
        crawl_command(job), env=environment, capture_output=True, text=True, timeout=120, cwd=PROJECT
    )
    assert child.returncode == 1 and "is gone: not crawling" in child.stderr
    assert not (tmp_path / "crawl-1.jsonl").exists()
