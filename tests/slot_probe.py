"""The download slot Scrapy's own Downloader gives each source's listing request, in a process of
its own (the Downloader wants Twisted's reactor, which the test process must not install):
``python -m tests.slot_probe JOB.json`` prints ``{source: {"slot", "slot_id", "delay"}}`` as JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from scrapy import Request
from scrapy.core.downloader import Downloader
from scrapy.crawler import Crawler
from scrapy.settings import Settings
from scrapy.utils.reactor import install_reactor

from crawlers import settings as default_settings
from crawlers.job import CrawlJob
from crawlers.politeness import PolitenessMiddleware
from crawlers.spiders.notices import NoticeSpider


def slots(job: CrawlJob) -> dict[str, dict[str, object]]:
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    settings.setdict(job.settings, priority="cmdline")
    crawler = Crawler(NoticeSpider, settings)
    crawler._apply_settings()  # stats, the reactor check: what crawl() does before the engine
    crawler.spider = NoticeSpider(job=job)
    politeness = PolitenessMiddleware.from_crawler(crawler)
    downloader = Downloader(crawler)
    found: dict[str, dict[str, object]] = {}
    for source in job.sources:
        request = Request(source.listing_url, meta={"source": source.name})
        politeness.process_request(request)
        key, slot = downloader._get_slot(request)
        found[source.name] = {"slot": key, "slot_id": id(slot), "delay": slot.delay, "meta": request.meta}
    return found


if __name__ == "__main__":
    install_reactor(default_settings.TWISTED_REACTOR)
    print(json.dumps(slots(CrawlJob.load(Path(sys.argv[1]))), default=str))
