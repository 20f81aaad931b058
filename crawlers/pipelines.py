"""Item pipeline: everything the spider yields goes to the spool file named by the job."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from scrapy.crawler import Crawler

from crawlers import stats
from crawlers.items import SourceReport
from crawlers.spool import SpoolItem, SpoolWriter

SPOOL_SETTING = "KUAIXUN_SPOOL"
"""The job's spool path, set by ``crawlers.run``."""
SOURCES_SETTING = "KUAIXUN_SOURCES"
"""The job's source names: each gets a report in the spool, finished or not."""


class SpoolPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.reported: set[str] = set()
        """Sources whose report the spider yielded as they finished."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SpoolPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.writer = SpoolWriter(Path(self.crawler.settings[SPOOL_SETTING]))

    def process_item(self, item: SpoolItem) -> SpoolItem:
        if isinstance(item, SourceReport):
            self.reported.add(item.source)
        self.writer.write(item)
        return item

    def close_spider(self) -> None:
        collector = self.crawler.stats
        assert collector is not None
        for name in self.crawler.settings.getlist(SOURCES_SETTING):
            if name not in self.reported:  # the crawl closed before it finished (timeout, shutdown)
                report = stats.report(collector, name)
                self.writer.write(replace(report, finished=False))
        self.writer.close()
