"""Extraction speed and body accuracy: ``pipeline.extract.extract_page`` next to trafilatura.

Why: the extractor is hand-built for 公文 pages; this shows what that buys over a general-purpose
main-text extractor, and what it costs per page. Both tools get the same bytes and Content-Type:

* the simulator corpus: every published page of the simulated government web, fetched over HTTP
  (HTML and PDF; trafilatura reads no PDF, so timings are over HTML pages only);
* the layout corpus: every seed notice in every layout of ``tests/layouts`` (unseen markup).

Timing: ``--repeat`` passes over the whole corpus on one pinned core, each page's median kept; the
table gives the median and the 95th percentile over pages. Body accuracy: the share of notice pages whose
body (附件 list lines removed, as the tests score it) has similarity ≥ 0.95 with the true 正文.
trafilatura also returns title, 文号, 主送 and 落款 lines around the 正文, which that score counts
against it, so a second column gives recall: the share of pages whose output contains ≥ 95% of
the true 正文 (whatever else it holds).

Run: ``make bench`` or ``.venv/bin/python bench/extract_speed.py [--repeat N]``.
"""

from __future__ import annotations

import argparse
import difflib
import gc
import logging
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import trafilatura  # noqa: E402

from pipeline.extract import ExtractionError, extract_page, is_pdf  # noqa: E402
from simulator.seeds import load_seeds  # noqa: E402
from simulator.server import GovWebThread  # noqa: E402
from simulator.truth import ground_truth  # noqa: E402
from tests.layouts import cases  # noqa: E402
from tests.layouts.scoring import BODY_SIMILARITY, body_proper, compact, similarity  # noqa: E402


@dataclass
class Sample:
    """One page as a crawler gets it, with the true 正文 when it is a notice."""

    corpus: str
    body: bytes
    url: str
    content_type: str | None
    truth_body: str | None
    attachment_names: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    """One tool on one page: median seconds and the body text it produced (None: nothing)."""

    seconds: float
    text: str | None


def simulator_samples() -> list[Sample]:
    """Every published page of the simulated web, fetched over HTTP."""
    out = []
    with GovWebThread(held_back=0) as thread, httpx.Client(timeout=30) as client:
        for record in ground_truth(thread.web):
            response = client.get(record["source_url"])
            notice = record["kind"] != "news"
            out.append(
                Sample(
                    "simulator",
                    response.content,
                    record["source_url"],
                    response.headers.get("content-type"),
                    record["body_text"] if notice else None,
                    [a["name"] for a in record["attachments"]],
                )
            )
    return out


def layout_samples() -> list[Sample]:
    """Every seed in every unseen layout; all are notices."""
    return [
        Sample(
            "layouts",
            case.page.body,
            case.page.url,
            case.page.content_type,
            case.expected.body,
            [name for name, _ in case.expected.attachments],
        )
        for case in cases(load_seeds())
    ]


def ours(sample: Sample) -> str | None:
    try:
        return extract_page(sample.body, sample.url, sample.content_type).body_text
    except ExtractionError:
        return None


def theirs(sample: Sample) -> str | None:
    return trafilatura.extract(sample.body, url=sample.url, output_format="txt", include_tables=True)


def measure(tool: Callable[[Sample], str | None], samples: list[Sample], passes: int) -> list[Outcome]:
    """Per page, the median wall time over ``passes`` passes through the whole corpus.

    Passes, not back-to-back repeats of one page: trafilatura memoises line processing
    (``functools.lru_cache``), and repeating a page at once would time its cache, not its work.
    A crawl sees each page once; the site chrome repeating from page to page is fair game.
    The collector is paused around each call, as its pauses belong to no page.
    """
    times: list[list[float]] = [[] for _ in samples]
    texts: list[str | None] = [None] * len(samples)
    for _ in range(passes):
        for i, sample in enumerate(samples):
            gc.disable()
            start = time.perf_counter()
            texts[i] = tool(sample)
            times[i].append(time.perf_counter() - start)
            gc.enable()
    return [Outcome(statistics.median(t), text) for t, text in zip(times, texts, strict=True)]


def recall(text: str, truth: str) -> float:
    """Share of the true text found, in order, in the output (extra text costs nothing)."""
    a, b = compact(text), compact(truth)
    if not b:
        return 1.0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(b)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def pin_one_core() -> str:
    """Run on a single CPU so that timings do not depend on the scheduler's spreading."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity)"
    core = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    return f"pinned to core {core}"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine_info(pinning: str) -> list[str]:
    return [
        f"Python {platform.python_version()} ({platform.python_implementation()}), {platform.platform()}",
        f"CPU {cpu_model()}, {os.cpu_count()} logical cores, {pinning}",
        ", ".join(f"{name} {version(name)}" for name in ("lxml", "trafilatura", "pdfminer.six")),
    ]


@dataclass
class Row:
    """Figures of one tool on one corpus."""

    tool: str
    corpus: str
    timed: list[float]
    exact: int
    recalled: int
    notices: int


def score(tool: str, corpus: str, pairs: list[tuple[Sample, Outcome]]) -> Row:
    """Timings over HTML pages, body accuracy over notice pages (PDFs included)."""
    timed = [o.seconds for s, o in pairs if not is_pdf(s.body)]
    exact = recalled = notices = 0
    for sample, outcome in pairs:
        if sample.truth_body is None:
            continue
        notices += 1
        text = body_proper(outcome.text or "", sample.attachment_names)
        exact += similarity(text, sample.truth_body) >= BODY_SIMILARITY
        recalled += recall(text, sample.truth_body) >= BODY_SIMILARITY
    return Row(tool, corpus, timed, exact, recalled, notices)


def table(rows: list[Row]) -> Iterator[str]:
    yield (
        f"{'tool':12s} {'corpus':10s} {'pages':>6s} {'median ms':>10s} {'p95 ms':>8s}"
        f"   {'body ≥0.95':>16s}   {'recall ≥0.95':>16s}"
    )
    for row in rows:
        share = f"{row.exact}/{row.notices} {100 * row.exact / row.notices:5.1f}%"
        kept = f"{row.recalled}/{row.notices} {100 * row.recalled / row.notices:5.1f}%"
        yield (
            f"{row.tool:12s} {row.corpus:10s} {len(row.timed):6d} {1000 * statistics.median(row.timed):10.2f}"
            f" {1000 * p95(row.timed):8.2f}   {share:>16s}   {kept:>16s}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="passes over the corpus (median per page)")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # trafilatura logs every page it finds too short
    pinning = pin_one_core()
    print("\n".join(machine_info(pinning)))
    samples = simulator_samples() + layout_samples()
    pdfs = sum(is_pdf(s.body) for s in samples)
    print(f"pages: {len(samples)} ({pdfs} PDF: scored for body accuracy, left out of timings)")
    print(f"{args.repeat} passes over the corpus per tool, median per page kept\n")
    for tool in (ours, theirs):
        tool(samples[0])  # warm-up: imports, lazy tables
    rows = []
    for name, tool in (("kuaixun", ours), ("trafilatura", theirs)):
        results = list(zip(samples, measure(tool, samples, args.repeat), strict=True))
        for corpus in ("simulator", "layouts"):
            rows.append(score(name, corpus, [(s, o) for s, o in results if s.corpus == corpus]))
        rows.append(score(name, "all", results))
    print("\n".join(table(rows)))


if __name__ == "__main__":
    main()
