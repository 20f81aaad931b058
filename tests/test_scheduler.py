"""``kuaixun schedule``: jobs on config.yaml's cron lines; a broken edit keeps the last good config."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.triggers.interval import IntervalTrigger
from click.testing import CliRunner
from sqlalchemy import text

from kuaixun.cli import main
from kuaixun.config import read_raw
from kuaixun.demo import demo_config
from kuaixun.scheduler import ConfigWatch, build_scheduler
from simulator.server import GovWebThread
from store.db import Database
from tests.conftest import PROJECT
from tests.stores import store_url
from tests.test_cli import write_config
from tests.test_lock import (
    NEVER_DUE,
    PATIENCE,
    SMALL_SOURCE,
    Hole,
    hanging_config,
    kuaixun,
    lock_is_free,
    recorded_holder,
    wait_until,
)

CYCLES = 5

CONFIG = """
schedule: {timezone: Asia/Shanghai, crawl: "15 8-20/2 * * *", digest: "30 9 1,11,21 * *"}
alerts: {daily: "0 17 * * *", weekly: "0 17 * * 5"}
sources:
  - {name: ndrc, agency: 国家发展改革委, listing_url: "https://www.ndrc.gov.cn/xxgk/zcfb/tz/"}
"""


def test_jobs_follow_the_cron_lines(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    scheduler = build_scheduler(ConfigWatch(path, print), print, Database(store_url(tmp_path)))
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"crawl", "digest", "summaries-daily", "summaries-weekly"}
    shanghai = ZoneInfo("Asia/Shanghai")
    after = datetime(2026, 11, 21, 10, 20, tzinfo=shanghai)  # a Saturday
    fire = {name: job.trigger.get_next_fire_time(None, after) for name, job in jobs.items()}
    assert fire["crawl"] == datetime(2026, 11, 21, 12, 15, tzinfo=shanghai)
    assert fire["digest"] == datetime(2026, 12, 1, 9, 30, tzinfo=shanghai)
    assert fire["summaries-daily"] == datetime(2026, 11, 21, 17, 0, tzinfo=shanghai)
    assert fire["summaries-weekly"] == datetime(2026, 11, 27, 17, 0, tzinfo=shanghai)
    assert all(job.max_instances == 1 and job.coalesce for job in jobs.values())


def test_a_broken_edit_keeps_the_last_good_config(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    said: list[str] = []
    watch = ConfigWatch(path, said.append)
    path.write_text(CONFIG.replace("https://www.ndrc.gov.cn/xxgk/zcfb/tz/", "ndrc"), encoding="utf-8")
    config = watch.refresh()
    assert config.sources[0].listing_url == "https://www.ndrc.gov.cn/xxgk/zcfb/tz/"
    assert said == ["error: config.yaml: sources[0].listing_url: not a URL (keeping the last good config)"]
    path.write_text(CONFIG.replace("15 8-20/2", "45 8-20/2"), encoding="utf-8")
    assert watch.refresh().schedule.crawl == "45 8-20/2 * * *"


def test_crontab_weekdays_count_from_sunday() -> None:
    from kuaixun.cron import crontab_weekdays

    assert crontab_weekdays("5") == "fri"
    assert crontab_weekdays("0") == crontab_weekdays("7") == "sun"
    assert crontab_weekdays("1-5") == "mon-fri"
    assert crontab_weekdays("0-2") == "sun,mon-tue"
    assert crontab_weekdays("5-7") == "fri-sun"
    assert crontab_weekdays("*/2") == "*/2"
    assert crontab_weekdays("mon,3") == "mon,wed"


def small_config(sim: GovWebThread, workdir: Path, **schedule: object) -> Path:
    """config.yaml with the one small simulated source; no job due on its cron lines while a test runs."""
    raw = demo_config(read_raw(PROJECT / "config.yaml"), sim.web, workdir)
    raw["sources"] = [s for s in raw["sources"] if s["name"] == SMALL_SOURCE]
    raw["store"] = {"url": store_url(workdir, raw["store"]["url"])}
    crawl, digest, daily, weekly = NEVER_DUE
    raw["schedule"] |= {"crawl": crawl, "digest": digest, **schedule}
    raw["alerts"] = {**raw.get("alerts", {}), "daily": daily, "weekly": weekly}
    return write_config(workdir, raw)


def test_a_one_second_schedule_runs_cycle_after_cycle_without_a_job_error(
    sim: GovWebThread, tmp_path: Path
) -> None:
    """Crawl and digest every second in one process (a fast stand-in for a 1-minute cron line)."""
    watch = ConfigWatch(small_config(sim, tmp_path), print)
    heard: list[str] = []
    db = Database(watch.current.store.url)
    scheduler = build_scheduler(watch, heard.append, db)
    for job_id in ("crawl", "digest"):
        scheduler.modify_job(job_id, trigger=IntervalTrigger(seconds=1), next_run_time=datetime.now(UTC))
    ended: list[JobExecutionEvent] = []
    enough = threading.Event()

    def on_end(event: JobExecutionEvent) -> None:
        ended.append(event)
        if sum(e.job_id == "crawl" for e in ended) >= CYCLES:
            enough.set()

    scheduler.add_listener(on_end, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    scheduler.start()
    deadline = time.monotonic() + 10 * PATIENCE
    try:
        published = 0
        while not enough.wait(0.2):
            if len(ended) > published:  # something new for the next cycle to find
                sim.web.publish()
                published = len(ended)
            assert time.monotonic() < deadline, heard
    finally:
        scheduler.shutdown(wait=True)
        db.close()
    assert [e.exception for e in ended if e.code == EVENT_JOB_ERROR] == []
    assert not any(line.startswith("error") for line in heard), heard
    assert sum(line.startswith("digest ") for line in heard) >= 1, heard  # an issue came out of it
    with Database(watch.current.store.url).session() as session:
        urls = session.execute(text("SELECT url FROM notices")).scalars().all()
    assert len(urls) == len(set(urls)) > 1  # each notice stored once


def schedule_process(config: Path, *args: str) -> subprocess.Popen[str]:
    """``kuaixun schedule`` in its own process group (its crawl child too), log lines to a pipe."""
    return subprocess.Popen(
        kuaixun(config, "schedule", *args), stderr=subprocess.PIPE, text=True, start_new_session=True
    )


def run_once(config: Path, *args: str) -> list[str]:
    """``kuaixun schedule --once`` in this process (its crawl child is a process of its own)."""
    done = CliRunner().invoke(main, ["--config", str(config), "schedule", "--once", *args])
    assert done.exit_code == 0, done.output
    return [line.split(": ", 1)[1] for line in done.stderr.splitlines()]  # the message of each log line


def test_a_digest_due_while_stopped_runs_once_at_the_next_start(sim: GovWebThread, tmp_path: Path) -> None:
    path = small_config(sim, tmp_path)  # schedule.grace: 6 h by default
    first = run_once(path, "--crawl-now")
    assert "next crawl: " in "\n".join(first) and "1 notice(s) wait for the next issue" in first, first
    # Stopped: the digest falls due 2 h ago, the daily summaries 7 h ago (beyond the grace).
    watch = ConfigWatch(path, print)
    db = Database(watch.current.store.url)
    stopped = build_scheduler(watch, print, db)
    stopped.start(paused=True)
    now = datetime.now(UTC)
    stopped.modify_job("digest", next_run_time=now - timedelta(hours=2))
    stopped.modify_job("summaries-daily", next_run_time=now - timedelta(hours=7))
    stopped.shutdown()
    db.close()

    restarted = run_once(path)
    assert any(line.startswith("next digest: ") and line.endswith("(due now)") for line in restarted), (
        restarted
    )
    assert sum(line.startswith("digest ") for line in restarted) == 1, restarted  # the issue, once
    skipped = [line for line in restarted if line.startswith("summaries-daily: the run due ")]
    assert len(skipped) == 1 and skipped[0].endswith("was missed by more than schedule.grace: skipped")
    assert not any("gxt-ln" in line for line in restarted), restarted  # the crawl was not due

    again = run_once(path)
    assert "nothing is due" in again and not any(line.startswith("digest ") for line in again), again


def test_sigterm_while_idle_stops_at_once_with_the_lock_free(sim: GovWebThread, tmp_path: Path) -> None:
    path = small_config(sim, tmp_path)
    process = schedule_process(path)
    assert process.stderr is not None
    lines = [process.stderr.readline() for _ in range(5)]  # the schedule and the four next run times
    assert "SIGTERM or Ctrl-C to stop" in lines[0] and "next crawl: " in lines[1], lines
    process.send_signal(signal.SIGTERM)
    rest = process.stderr.read()
    assert process.wait(PATIENCE) == 0, rest
    assert "SIGTERM: stopping, no new job\n" in rest and rest.endswith("stopped\n"), rest
    assert lock_is_free(tmp_path / "data")


def hanging_schedule(sim: GovWebThread, tmp_path: Path, hole: Hole, stop_timeout: float) -> Path:
    raw = read_raw(hanging_config(sim, tmp_path, hole))
    raw["schedule"]["stop_timeout"] = stop_timeout
    return write_config(tmp_path, raw)


def test_sigterm_mid_crawl_lets_the_crawl_finish_then_exits_0(sim: GovWebThread, tmp_path: Path) -> None:
    hole = Hole()
    process = schedule_process(hanging_schedule(sim, tmp_path, hole, PATIENCE), "--crawl-now")
    try:
        wait_until(lambda: hole.held, "the crawl to hang")
        process.send_signal(signal.SIGTERM)
        assert process.stderr is not None
        while "SIGTERM: stopping" not in (line := process.stderr.readline()):
            assert line, "the process ended without a line about the signal"
        assert "letting crawl finish (up to 120 s)" in line
        hole.release()  # the crawl can end now
        rest = process.stderr.read()
        assert process.wait(PATIENCE) == 0, rest
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    assert "sources that failed: hangs" in rest and rest.endswith("stopped\n"), rest
    assert lock_is_free(tmp_path / "data") and recorded_holder(tmp_path / "data") is None  # released in order


def test_sigterm_with_a_crawl_outlasting_stop_timeout_exits_1_within_it(
    sim: GovWebThread, tmp_path: Path
) -> None:
    hole = Hole()
    stop_timeout = 2.0
    process = schedule_process(hanging_schedule(sim, tmp_path, hole, stop_timeout), "--crawl-now")
    try:
        wait_until(lambda: hole.held, "the crawl to hang")
        signalled = time.monotonic()
        process.send_signal(signal.SIGTERM)
        assert process.stderr is not None
        rest = process.stderr.read()
        assert process.wait(PATIENCE) == 1, rest
        took = time.monotonic() - signalled
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # the crawl child, left hanging
        hole.release()
    assert stop_timeout <= took < stop_timeout + PATIENCE / 4, took
    assert "error: crawl still runs after schedule.stop_timeout (2 s): exiting without it" in rest, rest
    assert lock_is_free(tmp_path / "data")  # the kernel freed it with the process
