"""Item pipeline: everything the spider yields goes to the spool file named by the job."""

from __future__ import annotations

from scrapy import Spider

from crawlers.items import FetchedPage
from crawlers.spool import SpoolWriter


class SpoolPipeline:
    def open_spider(self, spider: Spider) -> None:
        self.writer = SpoolWriter(spider.job.spool)  # type: ignore[attr-defined]

    def process_item(self, item: FetchedPage, spider: Spider) -> FetchedPage:
        self.writer.write(item)
        return item

    def close_spider(self, spider: Spider) -> None:
        for report in spider.reports.values():  # type: ignore[attr-defined]
            self.writer.write(report)
        self.writer.close()
