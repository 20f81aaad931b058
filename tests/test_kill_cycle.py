"""kill -9 of a real ``kuaixun run`` at a step of its cycle, then a rerun: every notice stored once,
every reader mailed once, no spool left.

The steps are reached by real triggers, never by a hook in the product:
- mid-ingest: the test holds the SQLite store's write lock, so nothing the run ingests can commit,
  and kills it once the crawl has spooled a page: the run, which follows its spool while the crawl
  runs (at most ``INGEST_SLICE`` apart), is then taking that page or waiting on the lock to store
  it — it gives up only after SQLite's 10 s busy wait, so the kill always comes first (watching for
  the spool open in ``/proc`` raced: the batched ingest reads a slice, closes the spool, then stores);
- between render and send: the SMTP server's port takes the connection and never greets, so the
  run is killed with its issue rendered and recorded and no message sent.
Mid-crawl is ``test_crawl_recovery``'s, during SMTP DATA ``test_exactly_once``'s.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import select

from kuaixun.config import Config, load_config, read_raw
from kuaixun.demo import demo_config
from simulator.server import GovWebThread
from store.db import Database
from store.models import Delivery, Digest
from tests.conftest import PROJECT
from tests.delivery_support import PASSWORD, Received, smtp_server
from tests.test_cli import Blackhole, write_config
from tests.test_crawl_recovery import alive, crawl_processes, site_urls, spool_files, stored
from tests.test_exactly_once import READERS
from tests.test_lock import PATIENCE, SMALL_SOURCE, kuaixun, wait_until

ENVIRON = {**os.environ, "SMTP_PASSWORD": PASSWORD}


def cycle_config(sim: GovWebThread, workdir: Path, channel: dict[str, object]) -> Path:
    """config.yaml: one small simulated source, an SQLite store in ``workdir``, every reader by email."""
    raw = demo_config(read_raw(PROJECT / "config.yaml"), sim.web, workdir)
    raw["sources"] = [s for s in raw["sources"] if s["name"] == SMALL_SOURCE]
    raw["channels"] = {"email": channel}
    raw["subscribers"] = READERS
    return write_config(workdir, raw)


def start_run(config_path: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        kuaixun(config_path, "run"), env=ENVIRON, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def kill_9(run: subprocess.Popen[str], workdir: Path) -> None:
    """SIGKILL to the run, once it is still running; then its crawl process dies with it."""
    assert run.poll() is None, f"the run ended before the test could kill it:\n{run.communicate()[0]}"
    os.kill(run.pid, signal.SIGKILL)
    run.wait(PATIENCE)
    wait_until(lambda: not any(alive(pid) for pid in crawl_processes(workdir)), "the crawl process to die")


def rerun(config_path: Path) -> str:
    done = subprocess.run(
        kuaixun(config_path, "run"), env=ENVIRON, capture_output=True, text=True, timeout=PATIENCE
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def spooled_pages(config: Config) -> int:
    folder = config.data_dir / "spool"
    return sum(p.read_bytes().count(b'"kind": "page"') for p in folder.glob("*.jsonl"))


@contextmanager
def write_locked(database: Path) -> Iterator[None]:
    """The store's write lock, held by this test's own connection (readers still read)."""
    connection = sqlite3.connect(database, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        yield
        connection.execute("ROLLBACK")
    finally:
        connection.close()


def issues_and_deliveries(config: Config) -> tuple[list[str], list[tuple[str, str]]]:
    with Database(config.store.url) as db, db.session() as session:
        labels = [d.label for d in session.scalars(select(Digest))]
        rows = session.scalars(select(Delivery).order_by(Delivery.id))
        return labels, [(d.recipient, d.status) for d in rows]


def mailed(received: list[Received]) -> list[str]:
    return sorted(address for message in received for address in message.rcpt_tos)


def test_kill_9_mid_ingest_then_a_rerun_stores_every_notice_once_and_mails_every_reader_once(
    sim: GovWebThread, tmp_path: Path
) -> None:
    with smtp_server(tmp_path) as server:
        config_path = cycle_config(sim, tmp_path, server.channel())
        config = load_config(config_path, environ=ENVIRON)
        Database(config.store.url).close()  # migrated before the lock: the run only reads until it ingests
        database = Path(config.store.url.removeprefix("sqlite:///"))
        with write_locked(database):
            run = start_run(config_path)
            try:
                wait_until(lambda: spooled_pages(config) > 0 or run.poll() is not None, "a page spooled")
                kill_9(run, tmp_path)
            finally:
                if run.poll() is None:
                    run.kill()
        assert stored(config) == ({}, 0)  # killed mid-ingest: nothing of it stored, no run recorded
        assert spooled_pages(config) > 0
        output = rerun(config_path)
        versions, runs = stored(config)
        labels, deliveries = issues_and_deliveries(config)
        received = mailed(server.received)
    assert "lock taken over" in output, output
    assert set(versions) == site_urls(sim, SMALL_SOURCE) and set(versions.values()) == {1}
    assert runs == 1
    assert spool_files(config) == []
    assert len(labels) == 1 and {status for _, status in deliveries} == {"sent"}
    assert received == sorted(r["email"] for r in READERS)


def test_kill_9_between_render_and_send_then_a_rerun_mails_the_same_issue_to_every_reader_once(
    sim: GovWebThread, tmp_path: Path
) -> None:
    silent = Blackhole()  # the mail server's port: it takes the connection and never says 220
    with smtp_server(tmp_path) as server:
        config_path = cycle_config(sim, tmp_path, server.channel() | {"port": silent.port})
        config = load_config(config_path, environ=ENVIRON)
        run = start_run(config_path)
        try:
            wait_until(lambda: silent.held or run.poll() is not None, "the run to connect to the mail server")
            kill_9(run, tmp_path)
        finally:
            if run.poll() is None:
                run.kill()
            silent.release()
        [label], before = issues_and_deliveries(config)
        assert {status for _, status in before} <= {"pending", "sending"}  # recorded, none handed over
        assert list(config.out_dir.glob("**/*.pdf"))  # rendered: the issue's files are written
        versions_before, _ = stored(config)

        config_path = cycle_config(sim, tmp_path, server.channel())  # the mail server answers again
        output = rerun(config_path)
        versions, runs = stored(config)
        labels, deliveries = issues_and_deliveries(config)
        received = mailed(server.received)
    assert "no digest: no notice is waiting" in output, output
    assert versions == versions_before and set(versions.values()) == {1}
    assert set(versions) == site_urls(sim, SMALL_SOURCE) and runs == 2
    assert spool_files(config) == []
    assert labels == [label] and {status for _, status in deliveries} == {"sent"}
    assert received == sorted(r["email"] for r in READERS)
