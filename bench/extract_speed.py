"""Extraction speed and body accuracy: ``pipeline.extract.extract_page`` next to trafilatura.

Why: the extractor is hand-built for 公文 pages; this shows what that buys over a general-purpose
main-text extractor, and what it costs per page. Both tools get the same bytes and Content-Type:

* the simulator corpus: every published page of the simulated government web, fetched over HTTP
  (HTML and PDF; trafilatura reads no PDF, so timings are over HTML pages only);
* the layout corpus: every seed notice in every layout of ``tests/layouts``;
* the real corpus: the 25 pages real government sites served (``../shared/real-pages/details``,
  hand-labelled, written by nobody on this project; whole pages and content fragments).

Which pages the extractor was tuned on: the simulator's and the layouts are this project's own
pages, and the extractor was built and tested on them; the real pages are a development set too
(issue 9's floors, ``tests/test_real_pages.py``): they were looked at while tuning, so none of the
three is held out. trafilatura was tuned on none of them.

Timing: ``--repeat`` passes over the whole corpus on one pinned core; within a pass both tools run
on each page back to back (interleaved, the order alternating from pass to pass), so a change in the
machine's load falls on both; each page's median is kept. The table gives the median and the 95th
percentile over pages, and the speed ratio is the median over pages of trafilatura's time / ours on
the same page. Body accuracy, simulator and layouts: the share of notice pages whose body (附件 list
lines removed, as the tests score it) has similarity ≥ 0.95 with the true 正文 ("exact"), and the
share whose output contains ≥ 95% of it, whatever else it holds ("contained": trafilatura also
returns title, 文号, 主送 and 落款 lines around the 正文). Real pages: "exact" is the scorer's body
check (``../shared/tools/score_real.py``: starts with the true first 30 characters, ends with the
last 30, length within 10%), "contained" that both bounds are in the output in order.

Run: ``make bench`` or ``.venv/bin/python bench/extract_speed.py [--repeat N]``.
"""

from __future__ import annotations

import argparse
import difflib
import gc
import importlib.util
import json
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
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"
REAL_DETAILS = SHARED / "real-pages" / "details"
SCORER = SHARED / "tools" / "score_real.py"
PLACEHOLDER_URL = "http://example.gov.cn/x.html"
"""The URL the scorer passes for real pages whose URL was not recorded."""

import httpx  # noqa: E402
import trafilatura  # noqa: E402

from pipeline.extract import ExtractionError, extract_page, is_pdf  # noqa: E402
from simulator.seeds import load_seeds  # noqa: E402
from simulator.server import GovWebThread  # noqa: E402
from simulator.truth import ground_truth  # noqa: E402
from tests.layouts import cases  # noqa: E402
from tests.layouts.scoring import BODY_SIMILARITY, body_proper, compact, similarity  # noqa: E402


@dataclass(frozen=True)
class BodyBounds:
    """A real page's labelled body: its first and last 30 characters and its length, whitespace-free."""

    first: str
    last: str
    length: int


@dataclass
class Sample:
    """One page as a crawler gets it, with the true 正文 when it is a notice (or its bounds: real pages)."""

    corpus: str
    body: bytes
    url: str
    content_type: str | None
    truth_body: str | None
    attachment_names: list[str] = field(default_factory=list)
    bounds: BodyBounds | None = None


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


def real_samples(scorer: ModuleType) -> list[Sample]:
    """The real pages, each with its labelled body bounds where the truth gives them."""
    truths = json.loads((REAL_DETAILS / "truth.json").read_text(encoding="utf-8"))
    out = []
    for truth in truths:
        bounds = None
        if truth.get("body_first") and truth.get("body_len"):
            first, last = scorer.squash(truth["body_first"]), scorer.squash(truth["body_last"])
            bounds = BodyBounds(first, last, truth["body_len"])
        body = (REAL_DETAILS / f"{truth['id']}.html").read_bytes()
        out.append(Sample("real", body, truth["source_url"] or PLACEHOLDER_URL, None, None, bounds=bounds))
    return out


def load_scorer() -> ModuleType | None:
    """``../shared/tools/score_real.py``, the scorer the project is judged by; None without ../shared."""
    if not SCORER.is_file() or not (REAL_DETAILS / "truth.json").is_file():
        return None
    spec = importlib.util.spec_from_file_location("score_real", SCORER)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def ours(sample: Sample) -> str | None:
    try:
        return extract_page(sample.body, sample.url, sample.content_type).body_text
    except ExtractionError:
        return None


def theirs(sample: Sample) -> str | None:
    return trafilatura.extract(sample.body, url=sample.url, output_format="txt", include_tables=True)


Tool = tuple[str, Callable[[Sample], str | None]]


def measure(tools: list[Tool], samples: list[Sample], passes: int) -> dict[str, list[Outcome]]:
    """Per tool and page, the median wall time over ``passes`` passes through the whole corpus.

    Interleaved: in each pass every tool runs on a page before the next page, the tools' order
    alternating from pass to pass, so that the machine's load at any moment falls on both.
    Passes, not back-to-back repeats of one page: trafilatura memoises line processing
    (``functools.lru_cache``), and repeating a page at once would time its cache, not its work.
    A crawl sees each page once; the site chrome repeating from page to page is fair game.
    The collector is paused around each call, as its pauses belong to no page.
    """
    times = {name: [[] for _ in samples] for name, _ in tools}
    texts: dict[str, list[str | None]] = {name: [None] * len(samples) for name, _ in tools}
    for n in range(passes):
        order = tools if n % 2 == 0 else tools[::-1]
        for i, sample in enumerate(samples):
            for name, tool in order:
                gc.disable()
                start = time.perf_counter()
                texts[name][i] = tool(sample)
                times[name][i].append(time.perf_counter() - start)
                gc.enable()
    return {
        name: [Outcome(statistics.median(t), text) for t, text in zip(times[name], texts[name], strict=True)]
        for name, _ in tools
    }


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
    contained: int
    scored: int


def body_verdict(sample: Sample, text: str | None, scorer: ModuleType | None) -> tuple[bool, bool] | None:
    """(exact, contained) for a page whose body is labelled; None for one that is not."""
    if sample.truth_body is not None:
        body = body_proper(text or "", sample.attachment_names)
        return (
            similarity(body, sample.truth_body) >= BODY_SIMILARITY,
            recall(body, sample.truth_body) >= BODY_SIMILARITY,
        )
    if sample.bounds is not None and scorer is not None:
        got, bounds = scorer.squash(text), sample.bounds
        exact = (
            got.startswith(bounds.first)
            and got.endswith(bounds.last)
            and abs(len(got) - bounds.length) <= 0.1 * bounds.length
        )
        start = got.find(bounds.first)
        return exact, start >= 0 and got.find(bounds.last, start) >= 0
    return None


def score(tool: str, corpus: str, pairs: list[tuple[Sample, Outcome]], scorer: ModuleType | None) -> Row:
    """Timings over HTML pages, body accuracy over pages whose body is labelled (PDFs included)."""
    timed = [o.seconds for s, o in pairs if not is_pdf(s.body)]
    verdicts = [v for s, o in pairs if (v := body_verdict(s, o.text, scorer)) is not None]
    return Row(tool, corpus, timed, sum(e for e, _ in verdicts), sum(c for _, c in verdicts), len(verdicts))


def speed_ratio(samples: list[Sample], results: dict[str, list[Outcome]]) -> float:
    """Median over HTML pages of trafilatura's time / ours on the same page."""
    pairs = zip(samples, results["kuaixun"], results["trafilatura"], strict=True)
    return statistics.median(t.seconds / k.seconds for s, k, t in pairs if not is_pdf(s.body))


def table(rows: list[Row], ratios: dict[str, float]) -> Iterator[str]:
    yield (
        f"{'tool':12s} {'corpus':10s} {'pages':>6s} {'median ms':>10s} {'p95 ms':>8s}"
        f"   {'body exact':>16s}   {'body contained':>16s}   {'trafilatura/ours':>16s}"
    )
    for row in rows:
        share = f"{row.exact}/{row.scored} {100 * row.exact / max(row.scored, 1):5.1f}%"
        kept = f"{row.contained}/{row.scored} {100 * row.contained / max(row.scored, 1):5.1f}%"
        ratio = f"{ratios[row.corpus]:.2f}x" if row.tool == "trafilatura" else ""
        yield (
            f"{row.tool:12s} {row.corpus:10s} {len(row.timed):6d} {1000 * statistics.median(row.timed):10.2f}"
            f" {1000 * p95(row.timed):8.2f}   {share:>16s}   {kept:>16s}   {ratio:>16s}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="passes over the corpus (median per page)")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # trafilatura logs every page it finds too short
    pinning = pin_one_core()
    print("\n".join(machine_info(pinning)))
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    scorer = load_scorer()
    samples = simulator_samples() + layout_samples() + (real_samples(scorer) if scorer else [])
    if scorer is None:
        print(f"real pages left out: {REAL_DETAILS} or {SCORER} is absent (../shared)")
    pdfs = sum(is_pdf(s.body) for s in samples)
    print(f"pages: {len(samples)} ({pdfs} PDF: scored for body accuracy, left out of timings)")
    print(f"{args.repeat} passes over the corpus, both tools interleaved per page, median per page kept\n")
    tools: list[Tool] = [("kuaixun", ours), ("trafilatura", theirs)]
    for _, tool in tools:
        tool(samples[0])  # warm-up: imports, lazy tables
    results = measure(tools, samples, args.repeat)
    corpora = [c for c in ("simulator", "layouts", "real") if any(s.corpus == c for s in samples)]
    ratios, rows = {}, []
    for corpus in [*corpora, "all"]:
        chosen = [i for i, s in enumerate(samples) if corpus in ("all", s.corpus)]
        subset = [samples[i] for i in chosen]
        picked = {name: [outcomes[i] for i in chosen] for name, outcomes in results.items()}
        ratios[corpus] = speed_ratio(subset, picked)
        for name, _ in tools:
            rows.append(score(name, corpus, list(zip(subset, picked[name], strict=True)), scorer))
    print("\n".join(table(rows, ratios)))


if __name__ == "__main__":
    main()
