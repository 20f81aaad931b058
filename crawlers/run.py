"""The crawl process: ``python -m crawlers.run JOB.json``.

Each crawl runs in a process of its own, because Twisted's reactor cannot be restarted:
a long-lived scheduler starts one of these per run. It never outlives its parent (the kernel
kills it when the parent dies, on Linux) nor its own deadline (the job's ``CLOSESPIDER_TIMEOUT``
closes the crawl in order; past it by ``KUAIXUN_STOP_TIMEOUT`` an alarm ends the process).
"""

from __future__ import annotations

import ctypes
import math
import os
import signal
import sys
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawlers import settings as default_settings
from crawlers.job import PARENT_ENV, STOP_TIMEOUT_SETTING, CrawlJob
from crawlers.pipelines import SOURCES_SETTING, SPOOL_SETTING
from crawlers.spiders.notices import NoticeSpider

PR_SET_PDEATHSIG = 1
"""prctl(2) option: the signal the kernel sends this process when its parent dies."""


def crawl(job: CrawlJob) -> None:
    """Run the notice spider over the job's sources, in this process, until done."""
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    settings.setdict(job.settings, priority="cmdline")
    settings.set(SPOOL_SETTING, str(job.spool), priority="cmdline")
    settings.set(SOURCES_SETTING, [s.name for s in job.sources], priority="cmdline")
    _hard_deadline(settings)
    process = CrawlerProcess(settings)
    process.crawl(NoticeSpider, job=job)
    process.start()


def _hard_deadline(settings: Settings) -> None:
    """SIGALRM (whose default action ends the process) once the orderly close has had its time."""
    timeout = settings.getfloat("CLOSESPIDER_TIMEOUT")
    if timeout > 0:
        signal.alarm(math.ceil(timeout + settings.getfloat(STOP_TIMEOUT_SETTING)))


def die_with_parent() -> bool:
    """Ask the kernel to kill this process when its parent dies; False if the parent is gone already.

    The kernel's "parent" is the thread that started the process: the CLI's main thread, or the
    scheduler's worker thread, which lives as long as the scheduler."""
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    expected = os.environ.get(PARENT_ENV)
    return expected is None or int(expected) == os.getppid()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    os.umask(0o077)  # the spool and anything Scrapy writes: the operator's only
    if len(args) != 1:
        print("usage: python -m crawlers.run JOB.json", file=sys.stderr)
        return 2
    if not die_with_parent():
        print("the process that started this crawl is gone: not crawling", file=sys.stderr)
        return 1
    crawl(CrawlJob.load(Path(args[0])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
