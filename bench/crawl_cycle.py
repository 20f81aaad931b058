"""Crawl throughput: the full ``kuaixun crawl`` pipeline beside raw Scrapy on the same URLs.

Why: the crawl is worth its cost only if storing what it fetches does not slow it much below
what Scrapy alone fetches. Each size of the simulated web (``GovWeb(scale=N)``: N notices more,
made from the seeds) is crawled by two subjects, interleaved and repeated, medians reported:

* raw — a Scrapy spider in a subprocess of its own with the product's fetch settings (16
  requests at once, ``crawl.concurrent_per_source`` per host:port slot, no delay, no robots.txt,
  ``CONCURRENT_ITEMS`` 8, the asyncio reactor), fetching exactly the requests the pipeline's
  first crawl made (GETs from the simulator's access log), discarding the bodies;
* pipeline — ``kuaixun crawl`` (a process, with its own crawl child) on a fresh SQLite store,
  every source read to its last listing page, until every notice is stored.

Each size is crawled at each latency of ``--latencies`` (``GovWeb(latency=…)``: every answer
waits, no CPU). At 0 ms on loopback raw Scrapy is CPU-bound, and with the simulator it fills both
cores: the ratio there compares CPU costs. Real sites answer far slower than loopback, so the
crawl waits on the network; the ratio at ``REALISTIC_LATENCY_MS`` says whether the pipeline keeps
up with such a crawl. Rows are labelled with their latency.

Figures: requests per second (wall, process start to exit), CPU ms per request of each process —
the pipeline's crawl child and its parent (extract, classify, diff, store) apart — and the peak
RSS of each. The simulator serves from a process of its own: its CPU is in no figure. CPU:
``wait4`` gives each subject's total exactly; the crawl child's share is its ``/proc`` counters
sampled every ``SAMPLE_SECONDS`` until it exits (at most one sample late). Peak RSS: ``VmHWM``
of each process from ``/proc``, never ``RUSAGE_CHILDREN`` (a forked child inherits its
parent's peak there). Last, a second crawl of the last store: the requests a crawl with
nothing new makes.

Run: ``.venv/bin/python bench/crawl_cycle.py [--sizes 0,1800,9600] [--reps 3,3,2] [--latencies 0,300]``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
SAMPLE_SECONDS = 0.02
"""How often the running processes' /proc counters are read (a 10 ms clock tick is the unit)."""
RUN_TIMEOUT = 1800.0
"""Seconds any one crawl may take before the bench gives up on it."""
MAX_PAGES = 100
"""Listing pages read per source: every page of the largest web's longest column (~80)."""
REALISTIC_LATENCY_MS = 300
"""An assumed answer time of a government site (the brief's "hundreds of ms"; the reference,
../shared/reference/gov-sites.md, reports timeouts and throttling but no measured latency)."""


@dataclass(frozen=True)
class Usage:
    """One process's CPU seconds (user + system) and peak resident size."""

    cpu: float
    peak_mb: float


@dataclass(frozen=True)
class Run:
    """One crawl by one subject."""

    subject: str
    seconds: float
    requests: int
    main: Usage
    """The subject's own process (raw: Scrapy; pipeline: ``kuaixun crawl`` without its child)."""
    child: Usage | None = None
    """The pipeline's crawl child."""
    stored: int = 0

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


@dataclass
class Watch:
    """The latest /proc counters of a process and of its children, until they exit."""

    pid: int
    hwm_kb: dict[int, int] = field(default_factory=dict)
    ticks: dict[int, int] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)

    def sample(self) -> None:
        for pid in (self.pid, *_children(self.pid)):
            status, stat = _read(f"/proc/{pid}/status"), _read(f"/proc/{pid}/stat")
            if not status or not stat:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    self.hwm_kb[pid] = max(self.hwm_kb.get(pid, 0), int(line.split()[1]))
            fields = stat.rsplit(")", 1)[1].split()
            self.ticks[pid] = int(fields[11]) + int(fields[12])  # utime + stime (stat fields 14, 15)
            # Read each time: a child just forked shows its parent's command line until it execs.
            self.names[pid] = _read(f"/proc/{pid}/cmdline").replace("\0", " ") or self.names.get(pid, "")

    def child(self, marker: str) -> int | None:
        return next((pid for pid, name in self.names.items() if pid != self.pid and marker in name), None)


def _read(path: str) -> str:
    try:
        return Path(path).read_text(errors="replace")
    except OSError:
        return ""


def _children(pid: int) -> list[int]:
    """The children of every thread of ``pid`` (a child belongs to the thread that started it)."""
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:  # it has exited
        return []
    return [int(child) for task in tasks for child in _read(f"{task}/children").split()]


def measured(command: list[str], env: dict[str, str] | None = None) -> tuple[float, Usage, Watch]:
    """Run ``command``; its wall seconds, its total CPU (children included) and peak RSS, its watch."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=subprocess.DEVNULL)
    watch = Watch(process.pid)
    done = threading.Event()

    def sampling() -> None:
        while not done.is_set():
            watch.sample()
            time.sleep(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sampling, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{command[:4]} exited {process.returncode}")
    total = usage.ru_utime + usage.ru_stime
    return seconds, Usage(total, watch.hwm_kb.get(process.pid, 0) / 1024), watch


def tick_seconds(ticks: int) -> float:
    return ticks / os.sysconf("SC_CLK_TCK")


# -- the simulator, in a process of its own --------------------------------------------------


def serve(connection: Connection, scale: int, latency_ms: float = 0.0) -> None:
    """The scaled simulator until told to stop; ``served`` answers the GETs received since the last ask."""
    from simulator.server import GovWebThread

    with GovWebThread(scale=scale, latency=latency_ms / 1000) as sim:
        connection.send({site.name: sim.web.listing_url(site.name) for site in sim.web.sites})
        seen = 0
        while connection.recv() == "served":
            served = sim.web.served()
            connection.send([(r.site, r.method, sim.web.base_url(r.site) + r.path_qs) for r in served[seen:]])
            seen = len(served)


@dataclass(frozen=True)
class ServedWeb:
    """The served simulator's addresses, as ``demo_config`` reads them."""

    listings: dict[str, str]

    def simulated_url(self, real_url: str) -> str | None:
        from urllib.parse import urlsplit

        from simulator.sites import SITES

        parts = urlsplit(real_url)
        site = next((s for s in SITES if (parts.hostname or "") in s.hosts), None)
        if site is None:
            return None
        base = self.listings[site.name].removesuffix(site.listing_path)
        return base + (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def write_config(web: ServedWeb, workdir: Path) -> Path:
    """The demo's config (every source on the simulator, no politeness), every listing page read."""
    import yaml

    from kuaixun.config import read_raw
    from kuaixun.demo import demo_config

    raw = demo_config(read_raw(PROJECT / "config.yaml"), web, workdir)  # type: ignore[arg-type]
    raw["crawl"] |= {"max_pages": MAX_PAGES, "crawl_timeout": RUN_TIMEOUT}
    raw["sources"] = [source | {"max_pages": MAX_PAGES} for source in raw["sources"]]
    path = workdir / "bench.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# -- the two subjects --------------------------------------------------------------------------


def pipeline(config: Path, store: Path) -> Run:
    command = [str(Path(sys.executable).with_name("kuaixun")), "--config", str(config), "crawl"]
    seconds, total, watch = measured(command)
    child = watch.child("crawlers.run")
    child_cpu = tick_seconds(watch.ticks.get(child, 0)) if child else 0.0
    child_usage = Usage(child_cpu, watch.hwm_kb.get(child, 0) / 1024 if child else 0.0)
    with sqlite3.connect(store) as db:
        stored = db.execute("SELECT count(*) FROM notices").fetchone()[0]
    main = Usage(total.cpu - child_cpu, total.peak_mb)
    return Run("pipeline", seconds, 0, main, child_usage, stored)


def raw(urls: Path, concurrent_per_source: int) -> Run:
    command = [sys.executable, str(Path(__file__)), "--raw-spider", str(urls), str(concurrent_per_source)]
    seconds, usage, _ = measured(command, env={**os.environ, "PYTHONPATH": str(PROJECT)})
    return Run("raw", seconds, len(json.loads(urls.read_text())), usage)


def raw_spider(urls_file: Path, concurrent_per_source: int) -> None:
    """The reference: Scrapy alone fetching the URLs (run in its own process by ``raw``)."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    from crawlers.politeness import slot_key

    urls = json.loads(urls_file.read_text())

    class Raw(scrapy.Spider):  # type: ignore[misc]
        name = "raw"

        async def start(self):  # type: ignore[no-untyped-def]
            for url in urls:
                # Each logged request once: a redirect's target is in the log by itself.
                meta = {"download_slot": slot_key(url), "dont_redirect": True, "handle_httpstatus_all": True}
                yield scrapy.Request(url, meta=meta, dont_filter=True)

        def parse(self, response: scrapy.http.Response) -> None:
            return None  # bodies discarded

    settings = {
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrent_per_source,
        "CONCURRENT_ITEMS": 8,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "ROBOTSTXT_OBEY": False,
        "RETRY_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "HTTPERROR_ALLOW_ALL": True,
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
    }
    process = CrawlerProcess(settings)
    process.crawl(Raw)
    process.start()


# -- one size of the web -----------------------------------------------------------------------


@dataclass
class SizeFigures:
    scale: int
    latency_ms: float
    raw: list[Run]
    pipeline: list[Run]
    second_requests: int = 0
    second_new: int = 0
    non_get: int = 0


def bench_size(scale: int, reps: int, latency_ms: float) -> SizeFigures:
    here, there = multiprocessing.get_context("fork").Pipe()
    server = multiprocessing.get_context("fork").Process(
        target=serve, args=(there, scale, latency_ms), daemon=True
    )
    server.start()
    web = ServedWeb(here.recv())
    figures = SizeFigures(scale, latency_ms, [], [])
    label = f"scale {scale} latency {latency_ms:g} ms"
    from kuaixun.config import read_raw

    per_source = int(read_raw(PROJECT / "config.yaml")["crawl"]["concurrent_per_source"])
    with tempfile.TemporaryDirectory(prefix="crawl-bench-") as tmp:
        urls = Path(tmp) / "urls.json"
        store = Path()
        for rep in range(reps):
            workdir = Path(tmp) / f"pipeline-{rep}"
            workdir.mkdir()
            config, store = write_config(web, workdir), workdir / "data" / "demo.db"
            here.send("served")
            here.recv()  # whatever came before this run
            run = pipeline(config, store)
            here.send("served")
            served = here.recv()
            gets = [url for _, method, url in served if method == "GET"]
            figures.non_get = len(served) - len(gets)
            figures.pipeline.append(
                Run(run.subject, run.seconds, len(served), run.main, run.child, run.stored)
            )
            if rep == 0:
                urls.write_text(json.dumps(gets))
            figures.raw.append(raw(urls, per_source))
            here.send("served")
            here.recv()
            print(f"  {label} rep {rep + 1}: {_line(figures.raw[-1])} | {_line(figures.pipeline[-1])}")
            for run in (figures.raw[-1], figures.pipeline[-1]):  # every figure of the run, as it ends
                tags = {"scale": scale, "latency_ms": latency_ms, "rep": rep + 1}
                print(f"  {json.dumps(tags | asdict(run))}", flush=True)
        second = pipeline(config, store)
        here.send("served")
        figures.second_requests = len(here.recv())
        figures.second_new = second.stored - figures.pipeline[-1].stored
        print(f"  {label} second crawl: {figures.second_requests} requests, {figures.second_new} new")
    here.send("stop")
    server.join()
    return figures


def _line(run: Run) -> str:
    return f"{run.subject} {run.requests} req {run.seconds:.1f} s {run.rate:.1f} req/s"


def report(all_figures: list[SizeFigures]) -> None:
    print(
        "\n| pages (requests) | latency | raw Scrapy req/s | pipeline req/s | ratio | CPU ms/req raw "
        "| CPU ms/req crawl child / processing | peak RSS MB raw / crawl child / parent | runs |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for f in all_figures:
        requests = statistics.median(r.requests for r in f.pipeline)
        raw_rate = statistics.median(r.rate for r in f.raw)
        pipe_rate = statistics.median(r.rate for r in f.pipeline)
        ratios = [p.rate / r.rate for p, r in zip(f.pipeline, f.raw, strict=True)]

        def ms(runs: list[Run], usage: str) -> float:
            return statistics.median(1000 * getattr(r, usage).cpu / r.requests for r in runs)

        child_ms = statistics.median(1000 * (r.child.cpu if r.child else 0) / r.requests for r in f.pipeline)
        peaks = (
            max(r.main.peak_mb for r in f.raw),
            max(r.child.peak_mb if r.child else 0 for r in f.pipeline),
            max(r.main.peak_mb for r in f.pipeline),
        )
        print(
            f"| {requests:,.0f} (scale {f.scale}) | {_latency(f.latency_ms)} "
            f"| {raw_rate:.1f} | {pipe_rate:.1f} "
            f"| {pipe_rate / raw_rate:.2f} (per run {', '.join(f'{x:.2f}' for x in ratios)}) "
            f"| {ms(f.raw, 'main'):.2f} | {child_ms:.2f} / {ms(f.pipeline, 'main'):.2f} "
            f"| {peaks[0]:.0f} / {peaks[1]:.0f} / {peaks[2]:.0f} | {len(f.pipeline)} |"
        )
    for f in all_figures:
        print(
            f"scale {f.scale}, {_latency(f.latency_ms)}: stored {f.pipeline[-1].stored} notices; "
            "a second crawl with nothing new: "
            f"{f.second_requests} requests, {f.second_new} new; non-GET (raw skips them): {f.non_get}"
        )


def _latency(ms: float) -> str:
    if not ms:
        return "0 ms (loopback: CPU-bound)"
    return f"{ms:g} ms" + (" (assumed realistic)" if ms == REALISTIC_LATENCY_MS else "")


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--raw-spider":
        raw_spider(Path(sys.argv[2]), int(sys.argv[3]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="0,1800,9600", help="simulator scales (notices added)")
    parser.add_argument("--reps", default="3,3,2", help="repetitions per size")
    parser.add_argument(
        "--latencies",
        default=f"0,{REALISTIC_LATENCY_MS}",
        help="ms every simulator answer waits, each size at each",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    reps = [int(r) for r in args.reps.split(",")]
    latencies = [float(ms) for ms in args.latencies.split(",")]
    print(f"Python {platform.python_version()}, {platform.platform()}, {os.cpu_count()} CPUs")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    figures = []
    for scale, rep in zip(sizes, reps, strict=True):
        for latency_ms in latencies:
            figures.append(bench_size(scale, rep, latency_ms))
    report(figures)
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
