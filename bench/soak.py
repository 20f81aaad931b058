"""A soak of ``kuaixun schedule``: N scheduled cycles in one process against the simulator.

Why: the scheduler runs for months in one process; its memory must level off after warm-up and
the store must grow with new content only. The simulator holds back ``--publish`` × ``--cycles``
fresh notices (the seed notices again, dated today, each with its own title, 文号 and address on
its original's site). Before each cycle it publishes ``--publish`` of them and revises the one
published the cycle before (inside the crawl's revisit window: it is dated today), then the
scheduler's own crawl job runs (made due at once: the same job store, worker thread and run lock
as on the cron line); every ``--digest-every`` cycles its digest job runs too.

Per cycle: the resident size of this process (``/proc/self/status`` VmRSS; the crawl child is a
separate process, gone after each crawl), the store's size on disk (database and its WAL), the
crawl job's seconds, and the new and revised pages it found. Then a summary: RSS growth from the
end of warm-up to the end (and its least-squares slope), store bytes per new or revised page.
The table is printed as Markdown rows, one per cycle as it ends (redirect it to keep a partial run).
The simulator runs in this process: its access log (one small record per request served) is in
the RSS too; the summary prints how many requests it holds.

Run: ``nice -n 10 .venv/bin/python bench/soak.py --cycles 200 > soak.log``.
"""

from __future__ import annotations

import argparse
import contextlib
import platform
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import yaml
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.schedulers.base import BaseScheduler

from kuaixun.config import read_raw
from kuaixun.demo import demo_config
from kuaixun.scheduler import ConfigWatch, build_scheduler
from simulator.catalog import Page
from simulator.seednotice import SeedNotice
from simulator.seeds import load_seeds
from simulator.server import GovWeb, GovWebThread
from store.db import SQLITE_COMPANIONS, Database

PROJECT = Path(__file__).resolve().parents[1]
NEVER_DUE = "0 0 1 1 *"
"""The cron line of every job: the soak makes its jobs due itself."""
JOB_PATIENCE = 900.0
"""Seconds one job may take before the soak gives up on it."""
FOUND = re.compile(r"found (\d+) new and (\d+) revised")
DOC_NUMBER = re.compile(r"(?P<open>〔|)\d{4}(?P<close>〕|年第)\d+号")
"""The year and number of a 文号: 工信部科〔2019〕188号, 公告2019年第84号."""
TABLE_HEAD = "| cycle | RSS MB | store MB | crawl s | new | revised |\n|---:|---:|---:|---:|---:|---:|"
GROWTH_SHOWN = 8
"""Tables and indexes listed in the growth line: the ones that grew most."""
SOAK_NUMBERS = 9000
"""The fresh notices' 文号 count from here: above every seed's number, so none repeats one."""


def rss_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024  # type: ignore[union-attr]


def store_mb(database: Path) -> float:
    files = [database, *(database.with_name(database.name + s) for s in SQLITE_COMPANIONS)]
    return sum(f.stat().st_size for f in files if f.exists()) / 1024 / 1024


class Jobs:
    """Makes one job due now and waits for it to end, through the running scheduler."""

    def __init__(self, scheduler: BaseScheduler) -> None:
        self.scheduler = scheduler
        self.ended = threading.Event()
        self.errors: list[str] = []
        scheduler.add_listener(self._on_end, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)

    def _on_end(self, event: JobExecutionEvent) -> None:
        if event.exception is not None:
            self.errors.append(f"{event.job_id}: {event.exception!r}")
        self.ended.set()

    def run(self, job_id: str) -> float:
        self.ended.clear()
        start = time.perf_counter()
        self.scheduler.modify_job(job_id, next_run_time=datetime.now(UTC))
        if not self.ended.wait(JOB_PATIENCE):
            raise SystemExit(f"{job_id} did not end within {JOB_PATIENCE:g} s")
        return time.perf_counter() - start


def fresh_notices(seeds: Sequence[SeedNotice], count: int, day: date) -> list[SeedNotice]:
    """``count`` new notices: the seeds again, dated ``day``, each with its own title and 文号.

    A copy keeps its original's 相关链接 (source_url), so the simulator serves it on the same site
    at a new address (the original holds the printed one)."""
    copies = []
    for n in range(1, count + 1):
        seed = seeds[(n - 1) % len(seeds)]
        number = seed.doc_number and DOC_NUMBER.sub(
            rf"\g<open>{day.year}\g<close>{SOAK_NUMBERS + n}号", seed.doc_number
        )
        title = f"{seed.title}（{day.year}年第{n}批）"
        copies.append(replace(seed, title=title, doc_number=number, date=day.isoformat(), deadlines=()))
    return copies


def revise(web: GovWeb, page: Page, cycle: int) -> None:
    """A published notice's body gains a paragraph, as a site's 更正 does."""
    current = web.published_page(page.key) or page
    correction = f"（第{cycle}次更正）本通知有关事项调整，详见附件。"
    web.revise(web.url_of(current), [*current.paragraphs, correction])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cycles", type=int, default=60)
    parser.add_argument("--publish", type=int, default=1, help="fresh notices published before each cycle")
    parser.add_argument("--digest-every", type=int, default=10, help="a digest job every N cycles")
    parser.add_argument(
        "--minutes", type=float, default=None, help="stop after the cycle that ends past this"
    )
    parser.add_argument("--keep", action="store_true", help="keep the store and issues (else removed)")
    args = parser.parse_args()
    budget = time.monotonic() + args.minutes * 60 if args.minutes else None
    print(f"Python {platform.python_version()}, {platform.platform()}, {args.cycles} cycles", flush=True)
    workdir = Path(tempfile.mkdtemp(prefix="kuaixun-soak-"))
    print(
        f"store and issues in {workdir}" + ("" if args.keep else " (removed at the end; --keep keeps them)")
    )
    seeds = load_seeds()
    fresh = fresh_notices(seeds, args.publish * args.cycles, datetime.now(UTC).date())
    with GovWebThread(seeds=[*seeds, *fresh], held_back=len(fresh)) as sim:
        raw = demo_config(read_raw(PROJECT / "config.yaml"), sim.web, workdir)
        raw["schedule"] |= {"crawl": NEVER_DUE, "digest": NEVER_DUE}
        raw["alerts"] = {**raw.get("alerts", {}), "daily": NEVER_DUE, "weekly": NEVER_DUE}
        path = workdir / "config.yaml"
        path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
        heard: list[str] = []
        watch = ConfigWatch(path, heard.append)
        database = Path(watch.current.store.url.removeprefix("sqlite:///"))
        db = Database(watch.current.store.url)
        scheduler = build_scheduler(watch, heard.append, db)
        scheduler.start()
        jobs = Jobs(scheduler)
        rows: list[tuple[int, float, float, float, int, int]] = []
        tables: list[dict[str, int]] = []  # bytes per table and index at the end of warm-up
        released: list[Page] = []
        print(TABLE_HEAD, flush=True)
        try:
            for cycle in range(1, args.cycles + 1):
                if released:
                    revise(sim.web, released[-1], cycle)
                if cycle > 1:
                    released += sim.web.held_back()[: args.publish]
                    sim.web.publish(args.publish)
                before = len(heard)
                seconds = jobs.run("crawl")
                found = [FOUND.search(line) for line in heard[before:]]
                new, revised = next(((int(m[1]), int(m[2])) for m in found if m), (0, 0))
                if cycle % args.digest_every == 0:
                    jobs.run("digest")
                rows.append((cycle, rss_mb(), store_mb(database), seconds, new, revised))
                if cycle == args.digest_every:
                    tables.append(table_bytes(database))
                print("| {} | {:.1f} | {:.2f} | {:.1f} | {} | {} |".format(*rows[-1]), flush=True)
                if budget and time.monotonic() > budget:
                    print(f"stopped after {cycle} cycles: --minutes {args.minutes:g} spent", flush=True)
                    break
        finally:
            scheduler.shutdown(wait=True)
            db.close()
        print(f"simulator access log: {len(sim.web.served())} requests held in this process")
    summarize(rows, jobs.errors, heard, warm_up=args.digest_every)
    if tables:
        print_growth(tables[0], table_bytes(database), cycles=len(rows) - args.digest_every)
    if not args.keep:
        shutil.rmtree(workdir)
    return 1 if jobs.errors else 0


def table_bytes(database: Path) -> dict[str, int]:
    """Bytes of each table and index of the store (SQLite's ``dbstat``), read-only."""
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as connection:
        return dict(connection.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name"))


def print_growth(before: dict[str, int], after: dict[str, int], cycles: int) -> None:
    """Where the store grew after warm-up: the tables and indexes that grew most, KB per cycle."""
    grown = sorted(((after[n] - before.get(n, 0), n) for n in after), reverse=True)
    shown = ", ".join(f"{name} {size / 1024 / cycles:.1f}" for size, name in grown[:GROWTH_SHOWN] if size > 0)
    print(f"store growth after warm-up, KB per cycle: {shown or 'none'}")


def summarize(
    rows: list[tuple[int, float, float, float, int, int]], errors: list[str], heard: list[str], warm_up: int
) -> None:
    """Memory compared from the end of warm-up: the first digest (its PDF render loads the CJK font)."""
    if len(rows) <= warm_up:
        print("too few cycles for a summary")
        return
    warm, last = rows[warm_up - 1], rows[-1]
    later = rows[warm_up:]
    changed = sum(r[4] + r[5] for r in later)
    grown = last[2] - warm[2]
    print(
        f"RSS: {rows[0][1]:.1f} MB after cycle 1, {warm[1]:.1f} MB after warm-up (cycle {warm_up}), "
        f"{last[1]:.1f} MB after cycle {last[0]} (max {max(r[1] for r in later):.1f})"
    )
    slope = statistics.linear_regression([r[0] for r in later], [r[1] for r in later]).slope
    print(f"RSS slope after warm-up: {slope * 100:+.2f} MB per 100 cycles (least squares)")
    print(
        f"crawl seconds after warm-up: median {statistics.median(r[3] for r in later):.1f}, "
        f"max {max(r[3] for r in later):.1f}"
    )
    per_page = f"{grown * 1024 / changed:.1f} KB per new or revised page" if changed else "no page changed"
    print(f"store: {warm[2]:.2f} MB → {last[2]:.2f} MB for {changed} new or revised page(s): {per_page}")
    quiet = [r for r in later if r[4] + r[5] == 0]
    print(f"cycles that found nothing: {len(quiet)}")
    print(f"job errors: {len(errors)}; error lines: {sum(line.startswith('error') for line in heard)}")
    for error in errors:
        print(f"  {error}")


if __name__ == "__main__":
    sys.exit(main())
