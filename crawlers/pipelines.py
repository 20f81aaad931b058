"""Item pipeline: everything the spider yields goes to the spool file named by the job."""

from __future__ import annotations

from scrapy.crawler import Crawler

from crawlers.spool import SpoolItem, SpoolWriter


class SpoolPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SpoolPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.writer = SpoolWriter(self.crawler.spider.job.spool)  # type: ignore[union-attr]

    def process_item(self, item: SpoolItem) -> SpoolItem:
        self.writer.write(item)
        return item

    def close_spider(self) -> None:
        spider = self.crawler.spider
        for name, report in spider.reports.items():  # type: ignore[union-attr]
            if name not in spider.reported:  # type: ignore[union-attr]  # not yet written as it finished
                self.writer.write(report)
        self.writer.close()
