"""The crawl process: ``python -m crawlers.run JOB.json``.

Each crawl runs in a process of its own, because Twisted's reactor cannot be restarted:
a long-lived scheduler starts one of these per run.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawlers import settings as default_settings
from crawlers.job import CrawlJob
from crawlers.spiders.notices import NoticeSpider


def crawl(job: CrawlJob) -> None:
    """Run the notice spider over the job's sources, in this process, until done."""
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    settings.setdict(job.settings, priority="cmdline")
    process = CrawlerProcess(settings)
    process.crawl(NoticeSpider, job=job)
    process.start()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    os.umask(0o077)  # the spool and anything Scrapy writes: the operator's only
    if len(args) != 1:
        print("usage: python -m crawlers.run JOB.json", file=sys.stderr)
        return 2
    crawl(CrawlJob.load(Path(args[0])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
