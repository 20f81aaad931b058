"""Benchmark (not a test): rendering an issue of 10 / 100 / 500 notices in each of its formats.

    .venv/bin/python bench/render_digest.py [--sizes 10 100 500] [--runs 3] [--weasyprint]

The issues are made from the seeds' notices (each under its own URL, in the seeds' sections,
one in ten revised with a diff), with config.yaml's digest layout, and rendered by the
renderers ``digest send`` uses (notify.formats.FORMATS: html, text, md, pdf, eml). The formats
run in turn, as in an issue, once per run; sizes and runs interleave, and each figure is a
median (wall clock and CPU time of this process: the PDF's work is all in this process).
The HTML is the reference each format is set beside (``× html``): its cost is template work
only, so the ratio shows what layout (the PDF) and packaging (the eml) add. With
``--weasyprint``, each run also renders the PDF with ``digest.pdf_engine: weasyprint`` (row
``pdf-wp``), the engine the PDF had before ReportLab, on the same issue in the same run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kuaixun.config import read_raw
from notify.formats import FORMATS, Edition
from notify.issue import DigestLayout, Issue, build_issue, item_from_record
from notify.render import render_pdf
from pipeline.records import ExtractedNotice
from simulator.seeds import load_seeds

PROJECT = Path(__file__).resolve().parents[1]
REVISED_EVERY = 10
"""One notice in ten is an 更新 with its diff, as a weekly issue often has one."""
WEASYPRINT = "pdf-wp"
"""The row of the PDF rendered by WeasyPrint (``--weasyprint``)."""
DIFF = "--- a\n+++ b\n@@ -1 +1 @@\n-申报截止日期为2024年3月1日。\n+申报截止日期延至2024年3月15日。\n"


def issue_of(size: int, layout: DigestLayout) -> Issue:
    seeds = load_seeds()
    pairs = []
    for n in range(size):
        seed = seeds[n % len(seeds)]
        record = ExtractedNotice(
            source_url=f"http://www.miit.gov.cn/bench/art_{n}.html",
            title=seed.title,
            doc_number=seed.doc_number,
            addressee=seed.addressee,
            body_text="\n".join(seed.paragraphs),
            publish_date="2026-11-20",
            issuer="、".join(seed.signers) or None,
            agencies=tuple(seed.signers),
            category=seed.section,
        )
        revised = n % REVISED_EVERY == REVISED_EVERY - 1
        item = item_from_record(record, revised=revised, diff=DIFF if revised else None)
        pairs.append((seed.section or layout.sections[0], item))
    return build_issue("(2026) 1101 期", layout, pairs)


def render_all(issue: Issue, weasyprint: bool) -> dict[str, tuple[float, float, int]]:
    """Each format in turn, as write_formats does (then WeasyPrint's PDF when asked):
    (wall s, CPU s, bytes) per format."""
    edition = Edition(
        issue, Path("kuaixun-2026-1101"), "kx@example.cn", ["r@example.cn"], datetime(2026, 11, 29)
    )
    renderers = {name: fmt.render for name, fmt in FORMATS.items()}
    if weasyprint:
        layout = issue.layout.model_copy(update={"pdf_engine": "weasyprint"})
        renderers[WEASYPRINT] = lambda _: render_pdf(replace(issue, layout=layout))
    figures = {}
    for name, render in renderers.items():
        wall, cpu = time.perf_counter(), time.process_time()
        edition.rendered[name] = render(edition)
        figures[name] = (time.perf_counter() - wall, time.process_time() - cpu, len(edition.rendered[name]))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 500])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--weasyprint", action="store_true", help="also time the PDF drawn by WeasyPrint")
    args = parser.parse_args()
    layout = DigestLayout(**read_raw(PROJECT / "config.yaml")["digest"])
    issues = {size: issue_of(size, layout) for size in args.sizes}
    # warm-up: templates compiled, ReportLab (and WeasyPrint) and the fonts loaded
    render_all(issues[min(args.sizes)], args.weasyprint)
    print(f"load {os.getloadavg()[0]:.1f} (1 min average) on {os.cpu_count()} cores")
    runs: dict[int, list[dict[str, tuple[float, float, int]]]] = {size: [] for size in args.sizes}
    for _ in range(args.runs):
        for size in args.sizes:
            runs[size].append(render_all(issues[size], args.weasyprint))
    print(f"{'notices':>7} {'format':<6} {'wall s':>8} {'CPU s':>8} {'× html':>8} {'size':>10}")
    for size in args.sizes:
        html_cpu = statistics.median(run["html"][1] for run in runs[size])
        for name in runs[size][0]:
            wall = statistics.median(run[name][0] for run in runs[size])
            cpu = statistics.median(run[name][1] for run in runs[size])
            size_bytes = runs[size][0][name][2]
            print(f"{size:>7} {name:<6} {wall:8.3f} {cpu:8.3f} {cpu / html_cpu:8.1f} {size_bytes:>10,}")
    print(f"load {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
