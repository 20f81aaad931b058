"""Per-source crawl figures in Scrapy's stats collector: ``kuaixun/source/<name>/<figure>``.

The spider counts into the stats as it goes; a source's ``SourceReport`` is read back from them
when the source is finished (the spider) or when the crawl closes (the spool pipeline).
"""

from __future__ import annotations

from scrapy.statscollectors import StatsCollector

from crawlers.costs import figures as request_figures
from crawlers.items import SourceReport

COUNTED = ("listing_pages", "unchanged_listings", "links", "fetched", "failed", "refused")
"""The figures of ``SourceReport`` that are counts."""
ERRORS = "errors"


def key(source: str, figure: str) -> str:
    return f"kuaixun/source/{source}/{figure}"


def count(stats: StatsCollector, source: str, figure: str, n: int = 1) -> None:
    """Add ``n`` to one of a source's counts."""
    assert figure in COUNTED, figure
    stats.inc_value(key(source, figure), n)


def note_error(stats: StatsCollector, source: str, message: str) -> None:
    """Keep one line on what went wrong for a source (its report lists them in order)."""
    errors = list(stats.get_value(key(source, ERRORS), []))
    stats.set_value(key(source, ERRORS), [*errors, message])


def report(stats: StatsCollector, source: str) -> SourceReport:
    """The source's report so far."""
    figures = {figure: int(stats.get_value(key(source, figure), 0)) for figure in COUNTED}
    errors = list(stats.get_value(key(source, ERRORS), []))
    return SourceReport(source, **figures, errors=errors, requests=request_figures(stats, source))
