"""A first crawl of the whole simulator, timed: one run, one JSON line (for interleaved before/after runs).

Why: the cycle stores pages while the crawl process still fetches (``kuaixun.cycle``); this times
``crawl`` end to end (crawl process start to the run recorded) on a fresh store, so that two
trees can be compared run by run: ``PYTHONPATH=TREE .venv/bin/python bench/ingest_overlap.py``,
alternating the trees, and the medians compared. ``after_crawl_process``: the seconds spent
after the crawl process ended (storing what it fetched; before the overlap, all of it). CPU
seconds: this process (simulator, ingest, store) and the crawl process.
"""

from __future__ import annotations

import json
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import kuaixun
from kuaixun import cycle
from kuaixun.config import read_raw, validate
from kuaixun.demo import demo_config
from simulator.server import GovWebThread
from store.db import Database

TREE = Path(kuaixun.__file__).resolve().parents[1]
RUNNER = "run_crawl_process" if hasattr(cycle, "run_crawl_process") else "_run_crawl_process"
"""The function that runs the crawl process (named so before the cycle was split)."""


def timing_the_crawl_process(spans: list[float]) -> None:
    """Note the seconds the crawl process ran (with what the parent did meanwhile)."""
    runner = getattr(cycle, RUNNER)

    def timed(*args: Any) -> Any:
        start = time.perf_counter()
        try:
            return runner(*args)
        finally:
            spans.append(time.perf_counter() - start)

    setattr(cycle, RUNNER, timed)


def main() -> None:
    with tempfile.TemporaryDirectory() as workdir, GovWebThread() as sim:
        raw = demo_config(read_raw(TREE / "config.yaml"), sim.web, Path(workdir))
        config = validate(raw, "bench", Path(workdir))
        db = Database(config.store.url)
        spans: list[float] = []
        timing_the_crawl_process(spans)
        start = time.perf_counter()
        result = cycle.crawl(config, db)
        seconds = time.perf_counter() - start
        db.close()
    fetched = sum(o.fetched for o in result.outcomes)
    figures = {"tree": str(TREE), "seconds": round(seconds, 2), "fetched": fetched, "new": result.new}
    figures["after_crawl_process"] = round(seconds - spans[0], 2)
    for name, who in (("cpu_parent", resource.RUSAGE_SELF), ("cpu_child", resource.RUSAGE_CHILDREN)):
        usage = resource.getrusage(who)
        figures[name] = round(usage.ru_utime + usage.ru_stime, 2)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
