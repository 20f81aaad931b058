"""A crawl cycle against the simulator: time and memory, next to plain fetching of the same pages.

Why: the cycle runs Scrapy in a child process, then extracts, classifies, diffs and stores every
page; this shows what that costs over the bare network work, and that an incremental run (nothing
new) stays cheap. Three rows, one run each on a fresh store:

* reference — one httpx client fetching every listing and notice page one after the other
  (the least any crawler must do);
* first crawl — ``kuaixun.cycle.crawl`` over every simulated source, all pages new;
* second crawl — the same at once: listings plus the recent notices it revisits, nothing new.

Memory: the peak resident size of the crawl's child process (Scrapy) and of this process
(pipeline and store), from ``getrusage``.

Run: ``.venv/bin/python bench/crawl_cycle.py``.
"""

from __future__ import annotations

import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

import httpx

from kuaixun.config import Config, read_raw, validate
from kuaixun.cycle import crawl
from kuaixun.demo import demo_config
from simulator.server import GovWebThread
from simulator.truth import ground_truth
from store.db import Database

PROJECT = Path(__file__).resolve().parents[1]


def reference(urls: list[str]) -> float:
    start = time.perf_counter()
    with httpx.Client(timeout=30, follow_redirects=True) as client:
        for url in urls:
            client.get(url, headers={"Referer": url})
    return time.perf_counter() - start


def timed_crawl(config: Config, db: Database) -> tuple[float, int, int]:
    """Seconds, requests for pages (listing pages and notices), new notices."""
    start = time.perf_counter()
    result = crawl(config, db)
    seconds = time.perf_counter() - start
    return seconds, sum(o.listing_pages + o.fetched for o in result.outcomes), result.new


def peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def main() -> int:
    print(f"Python {platform.python_version()}, {platform.platform()}")
    with tempfile.TemporaryDirectory() as workdir, GovWebThread() as sim:
        config = validate(
            demo_config(read_raw(PROJECT / "config.yaml"), sim.web, Path(workdir)), "bench", Path(workdir)
        )
        pages = [t["source_url"] for t in ground_truth(sim.web)]
        listings = [s.listing_url for s in config.sources]
        ref = reference(listings + pages)
        db = Database(config.store.url)
        first = timed_crawl(config, db)
        second = timed_crawl(config, db)
        db.close()
    print(f"{len(config.sources)} sources, {len(pages)} published pages\n")
    print(f"{'run':<16}{'seconds':>9}{'pages':>15}{'new':>6}")
    print(f"{'reference':<16}{ref:>9.2f}{len(listings) + len(pages):>15}{'-':>6}")
    for name, (seconds, fetched, new) in (("first crawl", first), ("second crawl", second)):
        print(f"{name:<16}{seconds:>9.2f}{fetched:>15}{new:>6}")
    print(
        f"\npeak RSS: crawl process {peak_mb(resource.RUSAGE_CHILDREN):.0f} MB, "
        f"this process (pipeline + store) {peak_mb(resource.RUSAGE_SELF):.0f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
