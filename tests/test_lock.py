"""One run at a time: the run lock between processes, migrations between threads, scheduler jobs."""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_SUBMITTED, JobEvent
from click.testing import CliRunner
from sqlalchemy import text

from kuaixun.cli import main
from kuaixun.config import load_config, read_raw
from kuaixun.delivery import waiting_notices
from kuaixun.demo import demo_config
from kuaixun.lock import EXIT_LOCKED, Holder, lock_path
from kuaixun.scheduler import ConfigWatch, build_scheduler
from simulator.server import GovWebThread
from store.db import Database, alembic_config
from tests.conftest import PROJECT
from tests.stores import store_url
from tests.test_cli import Blackhole, write_config

SMALL_SOURCE = "gxt-ln"
"""A simulated site with one notice: its crawl and issue are quick."""
PATIENCE = 120.0
"""Seconds a wait for a process or a thread gives up after: only a hung test ever reaches it."""
THREADS = 8
NEVER_DUE = ("0 0 1 1 *", "0 0 2 1 *", "0 0 3 1 *", "0 0 4 1 *")
"""Cron lines that do not fire while a test runs: the test makes the jobs it wants due."""


class Hole(Blackhole):
    """The progress test's hanging port, whose release also refuses later connections."""

    def release(self) -> None:
        self.server.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread: the port stops listening
        super().release()


def hanging_config(sim: GovWebThread, workdir: Path, hole: Blackhole) -> Path:
    """config.yaml with one simulated source and one that hangs in ``hole`` until it is released."""
    raw = demo_config(read_raw(PROJECT / "config.yaml"), sim.web, workdir)
    hanging = {"name": "hangs", "agency": "某局", "listing_url": f"http://127.0.0.1:{hole.port}/list.html"}
    raw["sources"] = [*(s for s in raw["sources"] if s["name"] == SMALL_SOURCE), hanging]
    raw["crawl"] |= {"timeout": 600, "retries": 0, "crawl_timeout": 300}
    raw["store"] = {"url": store_url(workdir, raw["store"]["url"])}
    crawl, digest, daily, weekly = NEVER_DUE
    raw["schedule"] |= {"crawl": crawl, "digest": digest}
    raw["alerts"] = {**raw.get("alerts", {}), "daily": daily, "weekly": weekly}
    return write_config(workdir, raw)


def kuaixun(config: Path, *args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("kuaixun")), "--config", str(config), *args]


def wait_until(condition: Callable[[], Any], what: str) -> None:
    """Until ``condition`` holds (a file written, a connection made): a synchronisation, not a delay."""
    deadline = time.monotonic() + PATIENCE
    while not condition():
        assert time.monotonic() < deadline, f"still waiting for {what}"
        time.sleep(0.05)


def recorded_holder(data_dir: Path) -> Holder | None:
    path = lock_path(data_dir)
    return Holder.from_text(path.read_text(encoding="utf-8")) if path.exists() else None


def lock_is_free(data_dir: Path) -> bool:
    """Whether the run lock can be taken now (it is let go at once)."""
    with lock_path(data_dir).open("rb") as file:
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
    return True


def test_a_second_crawl_exits_3_naming_the_holder_and_a_dead_holder_is_taken_over(
    sim: GovWebThread, tmp_path: Path
) -> None:
    hole = Hole()
    config = hanging_config(sim, tmp_path, hole)
    data = tmp_path / "data"
    first = subprocess.Popen(
        kuaixun(config, "crawl"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        wait_until(lambda: (h := recorded_holder(data)) and h.pid == first.pid, "the first crawl's lock")
        wait_until(lambda: hole.held or first.poll() is not None, "the first crawl to hang")
        assert first.poll() is None, "the first crawl ended before the test could overlap it"
        holder = recorded_holder(data)
        assert holder is not None and holder.command == "crawl"
        assert '"since": "' in lock_path(data).read_text() and "+08:00" in lock_path(data).read_text()

        second = subprocess.run(kuaixun(config, "crawl"), capture_output=True, text=True, timeout=PATIENCE)
        assert second.returncode == EXIT_LOCKED, second.stdout + second.stderr
        assert f"pid {first.pid}" in second.stderr and holder.describe("Asia/Shanghai") in second.stderr
        assert "+0800" in second.stderr  # since when, in schedule.timezone
        assert second.stdout == ""  # nothing crawled, nothing stored
        assert recorded_holder(data) == holder  # the refused run left the record alone

        read_only = CliRunner().invoke(main, ["--config", str(config), "items"])  # in this process
        assert read_only.exit_code == 0, read_only.output  # reading never waits for the lock

        os.kill(first.pid, signal.SIGKILL)  # the holder only (its crawl process dies with it)
        first.wait(PATIENCE)
        assert lock_is_free(data)  # the kernel freed it with the holder
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(first.pid, signal.SIGKILL)
        first.wait(PATIENCE)
        hole.release()
    assert recorded_holder(data) == holder  # a killed holder cannot empty its record

    third = subprocess.run(kuaixun(config, "crawl"), capture_output=True, text=True, timeout=PATIENCE)
    assert third.returncode == 1, third.stdout + third.stderr  # the released hole is a failed source
    gone = f"the run lock's previous holder is gone: {holder.describe('Asia/Shanghai')}; lock taken over"
    assert gone in third.stdout.splitlines(), third.stdout
    stored = load_config(config, environ={})  # stored as fetched (by the killed run, or replayed by this one)
    db = Database(stored.store.url)
    assert waiting_notices(stored, db) == 1, third.stdout
    db.close()
    assert lock_path(data).read_text() == ""  # released in order: the next run reports no one gone


def test_threads_opening_a_fresh_store_at_once_all_succeed(tmp_path: Path) -> None:
    url = store_url(tmp_path)
    start = threading.Barrier(THREADS, timeout=PATIENCE)
    failures: list[str] = []

    def open_store() -> None:
        start.wait()
        try:
            Database(url).close()
        except Exception:  # any failure of any thread is the finding, with where it was raised
            failures.append(traceback.format_exc())

    threads = [threading.Thread(target=open_store) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(PATIENCE)
    assert failures == []
    db = Database(url)
    with db.session() as session:
        versions = session.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    db.close()
    assert versions == [ScriptDirectory.from_config(alembic_config()).get_current_head()]


def test_scheduler_jobs_due_together_run_one_after_the_other(sim: GovWebThread, tmp_path: Path) -> None:
    """The crawl hangs while the digest falls due: the digest waits, then issues what the crawl found."""
    hole = Hole()
    path = hanging_config(sim, tmp_path, hole)
    heard: list[str] = []
    watch = ConfigWatch(path, heard.append)
    db = Database(watch.current.store.url)  # as run_schedule does: opened and migrated before any job
    scheduler = build_scheduler(watch, heard.append, db)
    now = datetime.now(scheduler.timezone)
    scheduler.modify_job("crawl", next_run_time=now - timedelta(seconds=2))
    scheduler.modify_job("digest", next_run_time=now - timedelta(seconds=1))  # due at the same wake-up
    digest_submitted, both_done = threading.Event(), threading.Event()
    finished: list[str] = []

    def on_event(event: JobEvent) -> None:
        if event.code == EVENT_JOB_SUBMITTED and event.job_id == "digest":
            digest_submitted.set()
        elif event.code in (EVENT_JOB_EXECUTED, EVENT_JOB_ERROR):
            finished.append(event.job_id)
            if len(finished) == 2:
                both_done.set()

    scheduler.add_listener(on_event, EVENT_JOB_SUBMITTED | EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    running = threading.Thread(target=scheduler.start, daemon=True)
    running.start()
    try:
        assert digest_submitted.wait(PATIENCE)
        wait_until(lambda: hole.held, "the crawl to hang")  # the digest is due while the crawl runs
        hole.release()
        assert both_done.wait(PATIENCE), heard
    finally:
        scheduler.shutdown(wait=True)
        running.join(PATIENCE)
        db.close()
    assert finished == ["crawl", "digest"]
    crawl_ended = heard.index("sources that failed: hangs")
    issued = next(i for i, line in enumerate(heard) if line.startswith("digest ("))
    assert crawl_ended < issued, heard
    assert not any(line.startswith("no digest") for line in heard), heard  # it saw the crawl's notice
    assert not any(line.startswith("error") for line in heard), heard
