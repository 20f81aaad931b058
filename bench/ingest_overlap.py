"""A first crawl of the whole simulator, timed: one run, one JSON line (for interleaved before/after runs).

Why: the cycle stores pages while the crawl process still fetches (``kuaixun.cycle``); this times
``crawl`` end to end (crawl process start to the run recorded) on a fresh store, so that two
trees can be compared run by run: ``PYTHONPATH=TREE .venv/bin/python bench/ingest_overlap.py``,
alternating the trees, and the medians compared; an argument sets ``crawl.download_delay``
(0 by default, as in the demo; config.yaml's politeness is 2 s per source).
``after_crawl_process``: the seconds spent after the crawl process ended (storing what it
fetched; before the overlap, all of it). CPU seconds: this process (ingest, store) and its children (the
crawl process, and the simulator, which serves from a process of its own).
"""

from __future__ import annotations

import json
import multiprocessing
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import kuaixun
from kuaixun import cycle
from kuaixun.config import read_raw, validate
from kuaixun.demo import demo_config
from simulator.server import GovWebThread
from simulator.sites import SITES, SiteSpec
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


def serve(connection: Connection) -> None:
    """The simulator in a process of its own (a web server is not in the pipeline's process, and
    would take the interpreter's lock from it), until the bench says it is done."""
    with GovWebThread() as sim:
        connection.send({site.name: sim.web.listing_url(site.name) for site in sim.web.sites})
        connection.recv()


@dataclass(frozen=True)
class ServedWeb:
    """The served simulator's addresses, as ``demo_config`` reads them."""

    sites: tuple[SiteSpec, ...]
    listings: dict[str, str]

    def listing_url(self, name: str) -> str:
        return self.listings[name]


def main() -> None:
    delay = float(sys.argv[1]) if len(sys.argv) > 1 else 0.0
    here, there = multiprocessing.get_context("fork").Pipe()
    server = multiprocessing.get_context("fork").Process(target=serve, args=(there,), daemon=True)
    server.start()
    web = ServedWeb(SITES, here.recv())
    with tempfile.TemporaryDirectory() as workdir:
        raw = demo_config(read_raw(TREE / "config.yaml"), web, Path(workdir))  # type: ignore[arg-type]
        raw["crawl"]["download_delay"] = delay
        config = validate(raw, "bench", Path(workdir))
        db = Database(config.store.url)
        spans: list[float] = []
        timing_the_crawl_process(spans)
        start = time.perf_counter()
        result = cycle.crawl(config, db)
        seconds = time.perf_counter() - start
        db.close()
    here.send("done")
    server.join()
    fetched = sum(o.fetched for o in result.outcomes)
    figures: dict[str, object] = {"tree": str(TREE), "delay": delay, "seconds": round(seconds, 2)}
    figures |= {"fetched": fetched, "new": result.new}
    figures["after_crawl_process"] = round(seconds - spans[0], 2)
    for name, who in (("cpu_parent", resource.RUSAGE_SELF), ("cpu_children", resource.RUSAGE_CHILDREN)):
        usage = resource.getrusage(who)
        figures[name] = round(usage.ru_utime + usage.ru_stime, 2)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
