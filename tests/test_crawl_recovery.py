"""Nothing lost, nothing twice, stopped in time: the ingest seam, spool replay, kill -9, SIGTERM,
a crashed crawl process. Real crawls of the simulator, real processes, a real SQLite file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from crawlers.items import FetchedPage
from crawlers.spool import SpoolWriter
from kuaixun import crawl_process
from kuaixun.config import Config, load_config, read_raw
from kuaixun.crawl_process import EXIT_STOPPED
from kuaixun.cycle import crawl
from kuaixun.demo import demo_config
from kuaixun.ingest import ingest
from simulator.server import GovWebThread
from simulator.truth import ground_truth
from store.db import Database
from store.models import Notice, NoticeVersion, Run
from tests.conftest import PROJECT, sim_config
from tests.stores import store_url
from tests.test_cli import write_config
from tests.test_lock import PATIENCE, Hole, kuaixun, lock_is_free, recorded_holder, wait_until

SITE = "mee"
"""A simulated site with a handful of notices and news pages."""
STOP_TIMEOUT = 2.0
"""crawl.stop_timeout in the SIGTERM test: the hanging source's download is cut off after this."""
STOP_MARGIN = 45.0
"""Seconds beyond the stop timeout a stopped crawl may take to store its pages and exit (a loaded
machine's start-up and writes); far below the hanging download's 600 s and the crawl's 300 s."""


def fetched_pages(sim: GovWebThread, site: str = SITE) -> list[FetchedPage]:
    """Every published page of ``site``, fetched over HTTP as the crawl would hand it on."""
    pages = []
    with httpx.Client() as client:
        for page in (p for p in sim.web.published() if p.site.name == site):
            url = sim.web.url_of(page)
            response = client.get(url)
            content_type = response.headers.get("content-type")
            pages.append(FetchedPage(site, url, url, response.status_code, content_type, response.content))
    return pages


def stored(config: Config) -> tuple[dict[str, int], int]:
    """Versions stored per notice URL, and the number of runs recorded."""
    db = Database(config.store.url)
    try:
        with db.session() as session:
            rows = session.execute(
                select(Notice.url, func.count(NoticeVersion.id)).join(NoticeVersion).group_by(Notice.url)
            )
            versions = {url: count for url, count in rows}
            runs = session.scalar(select(func.count(Run.id))) or 0
    finally:
        db.close()
    return versions, runs


def last_run(config: Config) -> Run:
    db = Database(config.store.url)
    try:
        with db.session() as session:
            run = session.scalars(select(Run).order_by(Run.id.desc()).limit(1)).one()
            session.expunge(run)
            return run
    finally:
        db.close()


def site_urls(sim: GovWebThread, site: str = SITE) -> set[str]:
    return {t["source_url"] for t in ground_truth(sim.web) if t["site"] == site}


def spool_files(config: Config) -> list[str]:
    folder = config.data_dir / "spool"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_ingest_stores_pages_without_crawling_and_again_changes_nothing(
    sim: GovWebThread, tmp_path: Path
) -> None:
    config = sim_config(sim, tmp_path)
    pages = fetched_pages(sim)
    db = Database(config.store.url)
    try:
        first = ingest(config, db, pages)
        again = ingest(config, db, pages)
    finally:
        db.close()
    (outcome,) = first.outcomes
    assert outcome.source == SITE and outcome.new == len(pages) > 2 and outcome.failed == 0
    assert (again.new, again.revised) == (0, 0)
    versions, runs = stored(config)
    assert set(versions) == site_urls(sim) and set(versions.values()) == {1}
    assert runs == 0  # ingest stores notices; only a crawl records a run


def test_a_version_is_dated_when_its_page_was_fetched(sim: GovWebThread, tmp_path: Path) -> None:
    """The crawl's fetch time, not the time the page was stored (a replay stores it later)."""
    config = sim_config(sim, tmp_path)
    page = replace(fetched_pages(sim)[0], fetched_at="2026-11-02T09:30:00+08:00")
    db = Database(config.store.url)
    try:
        ingest(config, db, [page])
        with db.session() as session:
            fetched = session.scalars(select(NoticeVersion.fetched_at)).all()
    finally:
        db.close()
    assert fetched == [datetime(2026, 11, 2, 1, 30)]  # UTC, as the store keeps times


def test_a_spool_left_by_a_crash_is_stored_once_by_the_next_crawl_and_removed(
    sim: GovWebThread, tmp_path: Path
) -> None:
    config = sim_config(sim, tmp_path)
    pages = fetched_pages(sim)
    spool_dir = config.data_dir / "spool"
    spool_dir.mkdir(parents=True)
    writer = SpoolWriter(spool_dir / "crawl-20261101-093000-000000.jsonl")  # written, never processed
    for page in pages:
        writer.write(page)
    writer.close()
    (spool_dir / "crawl-20261101-093000-000000.json").write_text("{}", encoding="utf-8")  # its job file

    db = Database(config.store.url)
    try:
        result = crawl(config, db, (SITE,))
    finally:
        db.close()

    assert result.replayed is not None and result.replayed.new == len(pages)
    (outcome,) = result.outcomes
    assert outcome.status == "ok" and outcome.new == 0  # the crawl found them stored: not fetched again
    versions, _ = stored(config)
    assert set(versions) == site_urls(sim) and set(versions.values()) == {1}
    assert spool_files(config) == []


def hanging_site_config(sim: GovWebThread, workdir: Path, hole: Hole) -> Path:
    """config.yaml with ``SITE`` and a source that hangs in ``hole``: the crawl stays mid-way."""
    raw = demo_config(read_raw(PROJECT / "config.yaml"), sim.web, workdir)
    hanging = {"name": "hangs", "agency": "某局", "listing_url": f"http://127.0.0.1:{hole.port}/list.html"}
    raw["sources"] = [*(s for s in raw["sources"] if s["name"] == SITE), hanging]
    raw["crawl"] |= {"timeout": 600, "retries": 0, "crawl_timeout": 300, "stop_timeout": STOP_TIMEOUT}
    raw["store"] = {"url": store_url(workdir, raw["store"]["url"])}
    return write_config(workdir, raw)


def crawl_processes(workdir: Path) -> list[int]:
    """The pids of the crawl processes running a job of ``workdir``."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"crawlers.run" in command and any(str(workdir).encode() in part for part in command):
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status").read_text()
    return "State:\tZ" not in status  # a zombie has ended; only its parent's wait is missing


def start_hanging_crawl(sim: GovWebThread, tmp_path: Path, hole: Hole) -> tuple[subprocess.Popen[str], int]:
    """``kuaixun crawl`` in a process, waited on until SITE is done and the other source hangs."""
    config = hanging_site_config(sim, tmp_path, hole)
    parent = subprocess.Popen(
        kuaixun(config, "crawl"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    data = tmp_path / "data"
    wait_until(lambda: (h := recorded_holder(data)) and h.pid == parent.pid, "the crawl's lock")
    wait_until(lambda: crawl_processes(tmp_path) or parent.poll() is not None, "the crawl process")
    wait_until(lambda: hole.held or parent.poll() is not None, "the hanging source")
    spool = data / "spool"
    wait_until(
        lambda: any(b'"kind": "report"' in p.read_bytes() for p in spool.glob("*.jsonl")), "SITE's report"
    )
    assert parent.poll() is None, "the crawl ended before the test could stop it"
    (child,) = crawl_processes(tmp_path)
    return parent, child


def test_kill_9_of_the_crawl_mid_crawl_then_a_rerun_stores_every_notice_once(
    sim: GovWebThread, tmp_path: Path
) -> None:
    hole = Hole()
    parent, child = start_hanging_crawl(sim, tmp_path, hole)
    try:
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(PATIENCE)
        wait_until(lambda: not alive(child), "the crawl process to die with its parent")
    finally:
        hole.release()
    config_path = tmp_path / "config.yaml"
    rerun = subprocess.run(kuaixun(config_path, "crawl"), capture_output=True, text=True, timeout=PATIENCE)
    assert "lock taken over" in rerun.stdout, rerun.stdout + rerun.stderr
    config = load_config(config_path, environ={})
    versions, _ = stored(config)
    assert set(versions) == site_urls(sim) and set(versions.values()) == {1}
    assert spool_files(config) == []


def test_sigterm_mid_crawl_stops_in_bound_stores_what_was_fetched_and_releases_the_lock(
    sim: GovWebThread, tmp_path: Path
) -> None:
    hole = Hole()
    parent, child = start_hanging_crawl(sim, tmp_path, hole)
    try:
        parent.send_signal(signal.SIGTERM)
        out, err = parent.communicate(timeout=STOP_TIMEOUT + STOP_MARGIN)  # the bound: else it raises
    finally:
        if parent.poll() is None:
            os.killpg(parent.pid, signal.SIGKILL)
        hole.release()
    assert parent.returncode == EXIT_STOPPED, out + err
    assert not alive(child)
    assert "stopped: crawl stopped on request (SIGTERM)" in err
    data = tmp_path / "data"
    assert lock_is_free(data) and (data / "run.lock").read_text() == ""
    config = load_config(tmp_path / "config.yaml", environ={})
    versions, runs = stored(config)
    assert set(versions) == site_urls(sim) and runs == 1  # SITE had finished: all of it is stored
    run = last_run(config)
    assert (run.status, run.reason) == ("interrupted", "stopped on request (SIGTERM)")
    assert spool_files(config) == []


CRASHING_CHILD = """
import json, os, signal, sys
from pathlib import Path
from crawlers.spool import SpoolWriter
from crawlers.items import FetchedPage
job = json.loads(Path(sys.argv[1]).read_text())
page = json.loads(Path(sys.argv[2]).read_text())
writer = SpoolWriter(Path(job["spool"]))
writer.write(FetchedPage(**page, body=Path(sys.argv[3]).read_bytes()))
os.kill(os.getpid(), signal.SIGKILL)
"""
"""A crawl process that spools one page, then dies mid-crawl."""


def test_a_crawl_process_that_dies_fails_its_sources_and_the_run_with_the_reason(
    sim: GovWebThread, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = sim_config(sim, tmp_path)
    page = fetched_pages(sim)[0]
    (tmp_path / "page.json").write_text(
        f'{{"source": "{SITE}", "url": "{page.url}", "final_url": "{page.url}", "status": 200, '
        f'"content_type": "{page.content_type}"}}',
        encoding="utf-8",
    )
    (tmp_path / "body").write_bytes(page.body)
    fake = [sys.executable, "-c", CRASHING_CHILD]
    monkeypatch.setattr(
        crawl_process,
        "crawl_command",
        lambda job: [*fake, str(job), str(tmp_path / "page.json"), str(tmp_path / "body")],
    )
    db = Database(config.store.url)
    try:
        result = crawl(config, db, (SITE, "miit"))
    finally:
        db.close()
    assert result.problem == "process was killed by SIGKILL"
    assert [o.status for o in result.outcomes] == ["failed", "failed"]
    why = "the crawl process was killed by SIGKILL before this source finished (see data/logs/crawl.log)"
    assert all(o.errors[0] == why for o in result.outcomes)
    assert {o.source: o.new for o in result.outcomes} == {SITE: 1, "miit": 0}  # what it spooled is stored
    run = last_run(config)
    assert (run.status, run.reason) == ("failed", "process was killed by SIGKILL")
    versions, _ = stored(config)
    assert list(versions) == [page.url] and spool_files(config) == []
