"""A soak of ``kuaixun schedule``: N scheduled cycles in one process against the simulator.

Why: the scheduler runs for months in one process; its memory must level off after warm-up and
the store must grow with new content only. Each cycle the simulator publishes notices and revises
one, then the scheduler's own crawl job runs (made due at once: the same job store, worker thread
and run lock as on the cron line); every ``--digest-every`` cycles its digest job runs too.

Per cycle: the resident size of this process (``/proc/self/status`` VmRSS; the crawl child is a
separate process, gone after each crawl), the store's size on disk (database and its WAL), the
crawl job's seconds, and the new and revised pages it found. Then a summary: RSS growth from the
end of warm-up to the end, store bytes per new or revised page.

Run: ``.venv/bin/python bench/soak.py --cycles 60``.
"""

from __future__ import annotations

import argparse
import platform
import re
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import yaml
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.schedulers.base import BaseScheduler

from kuaixun.config import read_raw
from kuaixun.demo import demo_config
from kuaixun.scheduler import ConfigWatch, build_scheduler
from simulator.catalog import PDF_ONLY
from simulator.server import GovWeb, GovWebThread
from store.db import SQLITE_COMPANIONS, Database

PROJECT = Path(__file__).resolve().parents[1]
NEVER_DUE = "0 0 1 1 *"
"""The cron line of every job: the soak makes its jobs due itself."""
JOB_PATIENCE = 900.0
"""Seconds one job may take before the soak gives up on it."""
FOUND = re.compile(r"found (\d+) new and (\d+) revised")


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


def revise_one(web: GovWeb, cycle: int) -> None:
    """A published notice's body gains a paragraph, as a site's 更正 does."""
    pages = [p for p in web.published() if p.is_notice and p.seed is not None and p.kind != PDF_ONLY]
    page = pages[cycle % len(pages)]
    web.revise(web.url_of(page), [*page.paragraphs, f"（第{cycle}次更正）本通知有关事项调整，详见附件。"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cycles", type=int, default=60)
    parser.add_argument("--publish", type=int, default=2, help="notices published before each cycle")
    parser.add_argument("--digest-every", type=int, default=10, help="a digest job every N cycles")
    parser.add_argument(
        "--minutes", type=float, default=None, help="stop after the cycle that ends past this"
    )
    args = parser.parse_args()
    budget = time.monotonic() + args.minutes * 60 if args.minutes else None
    print(f"Python {platform.python_version()}, {platform.platform()}, {args.cycles} cycles", flush=True)
    workdir = Path(tempfile.mkdtemp(prefix="kuaixun-soak-"))
    with GovWebThread() as sim:
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
        print(
            f"{'cycle':>5} {'RSS MB':>7} {'store MB':>8} {'crawl s':>7} {'new':>4} {'revised':>7}", flush=True
        )
        try:
            for cycle in range(1, args.cycles + 1):
                if cycle > 1:
                    sim.web.publish(args.publish)
                    revise_one(sim.web, cycle)
                before = len(heard)
                seconds = jobs.run("crawl")
                found = [FOUND.search(line) for line in heard[before:]]
                new, revised = next(((int(m[1]), int(m[2])) for m in found if m), (0, 0))
                if cycle % args.digest_every == 0:
                    jobs.run("digest")
                rows.append((cycle, rss_mb(), store_mb(database), seconds, new, revised))
                print("{:>5} {:>7.1f} {:>8.2f} {:>7.1f} {:>4} {:>7}".format(*rows[-1]), flush=True)
                if budget and time.monotonic() > budget:
                    print(f"stopped after {cycle} cycles: --minutes {args.minutes:g} spent", flush=True)
                    break
        finally:
            scheduler.shutdown(wait=True)
            db.close()
    summarize(rows, jobs.errors, heard, warm_up=args.digest_every)
    return 1 if jobs.errors else 0


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
