"""Benchmark (not a test): the alerts of 10,000 subscriptions for one crawl's new notices, end to end.

    .venv/bin/python bench/match_subscriptions.py [--subscriptions 10000] [--notices 100 1000]
        [--runs 3] [--steps]

For each size, a real SQLite file is built: 10,000 subscriptions whose queries are cut from the
seeds' vocabulary (one in four narrowed to a section or to regions), stored after 200 older
notices, then ``--notices`` new notices made from the seeds' notices (bench/make_store.py's
records: new URL, host, date). The subject is what a crawl runs once it has stored them
(kuaixun.alerts.record_alerts): match every new version, record the matches, render and archive
one message per subscriber and queue it in the outbox, in one transaction — on a fresh copy of
the store each run.

The reference, interleaved with the subject in the same run: the same matches found plainly,
every subscription's Query.match on every new notice with its filters and the repost rule, in
memory, recording nothing. Its matches must be exactly the ones the subject recorded (the index
skips no subscription), and its time is what matching alone costs without the index. Figures
are medians of ``--runs`` runs, wall clock and CPU time of this process (the machine is shared:
CPU time is the steadier figure), and the peak resident memory of each (VmHWM, reset before each).
``--steps`` also prints the subject's CPU and wall per step (the functions in STEPS, timed where
kuaixun.alerts calls them; the few microseconds per call of the timing are included).
"""

from __future__ import annotations

import argparse
import collections
import importlib
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.make_store import notice_row, record_of, version_row
from kuaixun.alerts import compiled, record_alerts
from kuaixun.config import Config, read_raw, validate
from notify.subscriptions import Filters, filters_json
from pipeline.query import Document
from pipeline.records import ExtractedNotice
from simulator.seeds import SECTIONS, load_seeds
from store import subscriptions
from store.db import Database
from store.models import AlertMatch, Delivery, Notice, NoticeVersion, Subscription

PROJECT = Path(__file__).resolve().parents[1]
CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
SHAPES = (
    "{a}",
    "{a} OR {b}",
    "{a} {b}",
    "({a} OR {b}) -{c}",
    "title:{a} {b}",
    '"{a}{b}" OR {c}',
    "{a} OR {b} OR {c} NOT {d}",
)
"""Query shapes, drawn uniformly: single words, AND, OR, NOT, title:, phrases."""
FILTERED_EVERY = 4
"""One subscription in four narrows by section or region, as config.yaml's examples do."""
REGIONS = ("北京", "湖南省", "福建", "云南", "广东", "上海")
TARGETS = {100: 5, 1000: 30}
"""Seconds, end to end, from issue 13's Done-when."""
SEEN_AT = datetime(2026, 11, 29, 8, 0)
OLD_NOTICES = 200
"""Notices stored before the subscriptions: the history no subscription is alerted of."""
STEPS = {
    "matching (QuerySet.match)": ("pipeline.query", "QuerySet", "match"),
    "recording the matches": ("store.subscriptions", None, "record_matches"),
    "loading subscriptions + versions": ("store.subscriptions", None, "by_ids|versions_by_ids"),
    "making the items": ("kuaixun.alerts", None, "_item"),
    "rendering the messages": ("kuaixun.alerts", None, "render_alert"),
    "archiving the messages": ("notify.archive", None, "save"),
    "marking matches carried": ("store.subscriptions", None, "carried"),
    "outbox rows": ("store.outbox", None, "enqueue_many"),
}
"""Steps of record_alerts timed with --steps: (module, class or None, function names)."""


def vocabulary(records: list[ExtractedNotice], rng: random.Random) -> list[str]:
    """Chinese 2–4 character words cut from the titles (often matching) and bodies (less often)."""
    words: set[str] = set()
    for rec in records:
        for text, keep in ((rec.title, 1.0), (rec.body_text, 0.05)):
            for run in CJK_RUN.findall(text):
                for size in (2, 3, 4):
                    words.update(run[i : i + size] for i in range(len(run) - size + 1) if rng.random() < keep)
    return sorted(words)


def subscription_rows(count: int, words: list[str], rng: random.Random) -> list[dict]:
    rows = []
    for n in range(count):
        query = rng.choice(SHAPES).format(**{k: rng.choice(words) for k in "abcd"})
        filters = {}
        if n % FILTERED_EVERY == 0:  # half of them by one section, half by two regions
            filters = (
                filters_json(sections=rng.sample(SECTIONS, 1))
                if n % 8
                else filters_json(regions=rng.sample(REGIONS, 2))
            )
        rows.append(
            {
                "name": f"bench-{n}",
                "query": query,
                "filters": filters,
                "channel": f"reader{n}@example.cn",
                "mode": "instant",
                "origin": "cli",
                "active": True,
                "created_at": SEEN_AT,
                "token": f"{n:032x}",
                "checked_through": 0,
            }
        )
    return rows


def bench_config(workdir: Path) -> Config:
    """config.yaml with the store and archive in ``workdir``; an email relay never contacted."""
    raw = read_raw(PROJECT / "config.yaml")
    raw = {
        **raw,
        "store": {"url": f"sqlite:///{workdir / 'kuaixun.db'}"},
        "data_dir": str(workdir / "data"),
        "out_dir": str(workdir / "out"),
        "channels": {
            "email": {"host": "127.0.0.1", "port": 2525, "security": "none", "sender": "kx@example.cn"}
        },
        "alerts": {"secret": "bench-secret"},
        "subscriptions": [],
    }
    return validate(raw, "config.yaml (bench)", workdir, {})


def build(workdir: Path, subs: list[dict], new: int, seed: int = 13) -> None:
    """The pristine store: history, subscriptions that have seen it, then ``new`` new notices."""
    seeds, rng = load_seeds(), random.Random(seed)
    db = Database(bench_config(workdir).store.url)
    try:
        with db.session() as session:
            rows = [(n, record_of(seeds[n % len(seeds)], n, rng)) for n in range(1, OLD_NOTICES + new + 1)]
            old, fresh = rows[:OLD_NOTICES], rows[OLD_NOTICES:]
            session.execute(insert(Notice), [notice_row(n, r) for n, r in old])
            session.execute(insert(NoticeVersion), [version_row(n, 1, r) for n, r in old])
            through = subscriptions.newest_version_id(session)
            session.execute(insert(Subscription), [{**s, "checked_through": through} for s in subs])
            session.execute(insert(Notice), [notice_row(n, r) for n, r in fresh])
            session.execute(insert(NoticeVersion), [version_row(n, 1, r) for n, r in fresh])
    finally:
        db.close()


@dataclass(frozen=True)
class Outcome:
    wall: float
    cpu: float
    matches: frozenset[tuple[int, int]]
    messages: int
    peak_mb: float
    """Peak resident memory of this process during the run (VmHWM, reset just before it)."""


def reset_peak() -> None:
    """Start VmHWM afresh (Linux: writing 5 to clear_refs resets the peak resident set)."""
    Path("/proc/self/clear_refs").write_text("5")


def peak_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM")) / 1024


class StepClock:
    """CPU and wall per step of STEPS, accumulated wherever the step's functions are called."""

    def __init__(self) -> None:
        self.cpu: collections.Counter[str] = collections.Counter()
        self.wall: collections.Counter[str] = collections.Counter()

    def install(self) -> None:
        for step, (module_name, class_name, names) in STEPS.items():
            module = importlib.import_module(module_name)
            owner = getattr(module, class_name) if class_name else module
            for name in names.split("|"):
                setattr(owner, name, self._timed(step, getattr(owner, name)))

    def _timed(self, step: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            cpu, wall = time.process_time(), time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.cpu[step] += time.process_time() - cpu
                self.wall[step] += time.perf_counter() - wall

        return timed


def subject(pristine: Path, scratch: Path) -> Outcome:
    """record_alerts on a fresh copy of the pristine store; its time, and what it recorded."""
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(pristine, scratch)
    config = bench_config(scratch)
    db = Database(config.store.url)
    try:
        reset_peak()
        wall, cpu = time.perf_counter(), time.process_time()
        record_alerts(config, db, lambda line: None)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        peak = peak_mb()
        with db.session() as session:
            pairs = session.execute(select(AlertMatch.subscription_id, AlertMatch.version_id))
            matches = frozenset((sub_id, version_id) for sub_id, version_id in pairs)
            messages = session.scalar(select(func.count(Delivery.id))) or 0
    finally:
        db.close()
    return Outcome(wall, cpu, matches, messages, peak)


def reference(pristine: Path) -> Outcome:
    """The same matches, plainly: each subscription's query and filters on each new version."""
    db = Database(bench_config(pristine).store.url)
    try:
        with db.session() as session:
            subs = subscriptions.active(session)
            rows = subscriptions.versions_after(session, min(s.checked_through for s in subs))
            alerted = subscriptions.alerted_content(session, {n.group_id or n.id for _, n in rows})
            reset_peak()
            wall, cpu = time.perf_counter(), time.process_time()
            found = set()
            for version, notice in rows:
                doc = Document.of(version.record)
                for sub in subs:
                    content = (sub.id, notice.group_id or notice.id, version.content_hash)
                    if (
                        version.id > sub.checked_through
                        and content not in alerted
                        and compiled(sub.query).match(doc) is not None
                        and Filters.of(sub.filters).admits(doc, notice.source_name)
                    ):
                        alerted.add(content)
                        found.add((sub.id, version.id))
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            peak = peak_mb()
    finally:
        db.close()
    return Outcome(wall, cpu, frozenset(found), 0, peak)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=10_000)
    parser.add_argument("--notices", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--steps", action="store_true", help="also time each step of the subject")
    args = parser.parse_args()
    clock = StepClock()
    if args.steps:
        clock.install()
    rng = random.Random(20261129)
    records = [record_of(seed, n, random.Random(n)) for n, seed in enumerate(load_seeds())]
    subs = subscription_rows(args.subscriptions, vocabulary(records, rng), rng)
    for text in {s["query"] for s in subs}:
        compiled(text)  # the scheduler's process compiles once and keeps them: not part of a run
    print(f"load {os.getloadavg()[0]:.1f} (1 min average) on {os.cpu_count()} cores")
    for new in args.notices:
        with tempfile.TemporaryDirectory(prefix="kx-bench-alerts-") as tmp:
            pristine, scratch = Path(tmp) / "pristine", Path(tmp) / "scratch"
            pristine.mkdir()
            build(pristine, subs, new)
            clock.cpu.clear()
            clock.wall.clear()
            runs = [(subject(pristine, scratch), reference(pristine)) for _ in range(args.runs)]
        found = runs[0][0]
        assert all(s.matches == r.matches == found.matches for s, r in runs), "subject and reference disagree"
        wall, cpu, peak = (
            statistics.median(getattr(s, f) for s, _ in runs) for f in ("wall", "cpu", "peak_mb")
        )
        ref_wall, ref_cpu, ref_peak = (
            statistics.median(getattr(r, f) for _, r in runs) for f in ("wall", "cpu", "peak_mb")
        )
        print(
            f"{len(subs):,} subscriptions × {new:,} new notices: {len(found.matches):,} matches, "
            f"{found.messages:,} messages queued\n"
            f"  record_alerts (match + record + queue): {wall:7.2f} s wall {cpu:7.2f} s CPU"
            f"   peak RSS {peak:,.0f} MB   target < {TARGETS.get(new, float('nan')):.0f} s\n"
            f"  reference (Query.match each, matching only): {ref_wall:7.2f} s wall {ref_cpu:7.2f} s CPU"
            f"   peak RSS {ref_peak:,.0f} MB   → subject/reference CPU {cpu / ref_cpu:.2f}"
        )
        for step in STEPS if args.steps else ():
            print(
                f"    {step:<36} {clock.wall[step] / args.runs:7.2f} s wall"
                f" {clock.cpu[step] / args.runs:7.2f} s CPU (mean of the runs)"
            )
    print(f"load {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
