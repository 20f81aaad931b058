"""A first crawl of the whole simulator, timed: one run, one JSON line (for interleaved before/after runs).

Why: the cycle stores pages while the crawl process still fetches (``kuaixun.cycle``); this times
``crawl`` end to end (crawl process start to the run recorded) on a fresh store, so that two
trees can be compared run by run: ``PYTHONPATH=TREE .venv/bin/python bench/ingest_overlap.py``,
alternating the trees, and the medians compared. CPU seconds: this process (simulator, ingest,
store) and the crawl process.
"""

from __future__ import annotations

import json
import resource
import tempfile
import time
from pathlib import Path

import kuaixun
from kuaixun.config import read_raw, validate
from kuaixun.cycle import crawl
from kuaixun.demo import demo_config
from simulator.server import GovWebThread
from store.db import Database

TREE = Path(kuaixun.__file__).resolve().parents[1]


def main() -> None:
    with tempfile.TemporaryDirectory() as workdir, GovWebThread() as sim:
        raw = demo_config(read_raw(TREE / "config.yaml"), sim.web, Path(workdir))
        config = validate(raw, "bench", Path(workdir))
        db = Database(config.store.url)
        start = time.perf_counter()
        result = crawl(config, db)
        seconds = time.perf_counter() - start
        db.close()
    fetched = sum(o.fetched for o in result.outcomes)
    figures = {"tree": str(TREE), "seconds": round(seconds, 2), "fetched": fetched, "new": result.new}
    for name, who in (("cpu_parent", resource.RUSAGE_SELF), ("cpu_child", resource.RUSAGE_CHILDREN)):
        usage = resource.getrusage(who)
        figures[name] = round(usage.ru_utime + usage.ru_stime, 2)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
