"""Crawl progress while the crawl process runs: read from its spool, shown per source.

The crawl process flushes every fetched page and every finished source's report to the spool
as it goes (``crawlers.spool``), and the parent follows that file to store the pages as they
come (``kuaixun.cycle``): the same items tell the progress, no second channel is needed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TextIO

from crawlers.items import FetchedPage, SourceReport
from crawlers.spool import SpoolItem

Echo = Callable[[str], None]
CLEAR_LINE = "\r\x1b[K"
"""Back to the start of the terminal line and erase it, for the live line."""


@dataclass
class CrawlProgress:
    """The crawl so far: pages fetched per source, the sources finished."""

    sources: tuple[str, ...]
    fetched: dict[str, int] = field(default_factory=dict)
    finished: list[SourceReport] = field(default_factory=list)

    def line(self) -> str:
        running = [name for name in self.sources if name not in {r.source for r in self.finished}]
        busy = ", ".join(f"{name} {self.fetched.get(name, 0)}" for name in running[:4])
        more = f" +{len(running) - 4}" if len(running) > 4 else ""
        head = f"crawling: {len(self.finished)}/{len(self.sources)} sources done, "
        return head + f"{sum(self.fetched.values())} page(s) fetched" + (f" — {busy}{more}" if busy else "")


ProgressHook = Callable[[CrawlProgress, SourceReport | None], None]
"""Called on every page fetched (None) and every source finished (its report)."""


def follow(progress: CrawlProgress, hook: ProgressHook) -> Callable[[SpoolItem], None]:
    """What takes each item read from the spool (``crawlers.spool.SpoolTail``) into ``progress``."""

    def take(item: SpoolItem) -> None:
        if isinstance(item, SourceReport):
            progress.finished.append(item)
            hook(progress, item)
        elif isinstance(item, FetchedPage):
            progress.fetched[item.source] = progress.fetched.get(item.source, 0) + 1
            hook(progress, None)

    return take


def silent(_progress: CrawlProgress, _report: SourceReport | None) -> None:
    """No progress shown."""


def finished_line(progress: CrawlProgress, report: SourceReport) -> str:
    """One source done fetching (the store's figures follow after the crawl)."""
    state = "fetched" if report.ok else "FAILED"
    head = f"  [{len(progress.finished)}/{len(progress.sources)}] {report.source:<14} {state:<7}"
    head += f" listing pages {report.listing_pages}, links {report.links}, pages {report.fetched}"
    return head + (f" — {report.errors[0]}" if report.errors and not report.ok else "")


def line_per_source(echo: Echo) -> ProgressHook:
    """For logs and pipes: a line as each source finishes, nothing in between."""

    def hook(progress: CrawlProgress, report: SourceReport | None) -> None:
        if report is not None:
            echo(finished_line(progress, report))

    return hook


def live_line(echo: Echo, terminal: TextIO = sys.stderr) -> ProgressHook:
    """For a terminal: a line as each source finishes, and below it a live line of the rest."""

    def hook(progress: CrawlProgress, report: SourceReport | None) -> None:
        terminal.write(CLEAR_LINE)
        if report is not None:
            terminal.flush()
            echo(finished_line(progress, report))
        if len(progress.finished) < len(progress.sources):
            terminal.write(progress.line())
        terminal.flush()

    return hook


@contextmanager
def crawl_progress(echo: Echo, live: bool, terminal: TextIO = sys.stderr) -> Iterator[ProgressHook]:
    """The hook for one crawl; a live line is erased when the crawl ends, however it ends."""
    if not live:
        yield line_per_source(echo)
        return
    try:
        yield live_line(echo, terminal)
    finally:
        terminal.write(CLEAR_LINE)
        terminal.flush()
