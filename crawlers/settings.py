"""Scrapy settings of the notice crawl; the operator's values come from config.yaml via the job.

``fetch_settings`` adds what follows from the sources: a download slot per host with the largest
delay its sources ask for, their TLS ciphers per host, and the browser when one is used.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from crawlers import job, middlewares, politeness

# Scrapy reads every upper-case name of this module as a setting: the names that are not
# settings are private (``_NAME``) or reached through their module.
from pipeline.limits import MAX_PDF_BYTES

BOT_NAME = "kuaixun"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

ROBOTSTXT_OBEY = True
COOKIES_ENABLED = True  # anti-bot challenges answer with a cookie the retry must carry
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
CONCURRENT_ITEMS = 8  # the default 100 starts 100 tasks per callback on asyncio: 24% slower (issue 13)
DOWNLOAD_DELAY = 2.0
DOWNLOAD_DELAY_JITTER = 0.5
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = MAX_PDF_BYTES  # the largest page extraction reads: a PDF notice
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "zh-CN,zh;q=0.9",
}

# Only http(s) is ever fetched: a listing's file:, s3:, ftp: or data: link must find no handler.
_HTTP_HANDLER = "crawlers.politeness.HostTlsDownloadHandler"
_BROWSER_HANDLER = "crawlers.browser.BrowserDownloadHandler"
DOWNLOAD_HANDLERS = {
    "http": _HTTP_HANDLER,
    "https": _HTTP_HANDLER,
    "file": None,
    "s3": None,
    "ftp": None,
    "data": None,
}
DOWNLOADER_MIDDLEWARES = {
    "crawlers.middlewares.OriginGuardMiddleware": 40,  # before robots.txt (100) and offsite (50)
    "crawlers.politeness.PolitenessMiddleware": 45,  # before UserAgent (500) and HttpProxy (750)
    "crawlers.middlewares.ChallengeRetryMiddleware": 560,
    "crawlers.middlewares.ContradictedCharsetMiddleware": 570,
    "crawlers.conditional.ConditionalGetMiddleware": 580,
    "crawlers.costs.RequestCountingMiddleware": 860,  # beside DownloaderStats (850): every request sent
}
_BROWSER_MIDDLEWARE = "crawlers.browser.BrowserMiddleware"
_BROWSER_MIDDLEWARE_ORDER = 580
"""Out: after politeness (the slot, the user agent); back: before the challenge middleware (560),
which then judges the page the browser ended on."""

CHROMIUM_ARGS = (
    "--no-sandbox",  # root in containers and CI
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Chromium's own background connections (updates, sync, safe browsing) stay off: the crawler
    # asks for pages, nothing else leaves the machine.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
ITEM_PIPELINES = {"crawlers.pipelines.SpoolPipeline": 100}

TELNETCONSOLE_ENABLED = False
# Scrapy's RemoteControl (on by default since 2.19) runs an HTTP server that executes Python in the
# process parsing untrusted pages, and writes its token under ~/.local/state: off, never imported.
EXTENSIONS = {"scrapy.extensions.remote_control.RemoteControl": None}
LOG_LEVEL = "WARNING"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"


def fetch_settings(
    sources: Sequence[job.JobSource], browser: str, chromium: Path, pages_per_source: int
) -> dict[str, object]:
    """The settings the sources' fetch options make (``DOWNLOAD_SLOTS``, ciphers per host, the
    browser, with at most ``pages_per_source`` pages open per source); ValueError naming the
    config key when they cannot be met."""
    settings: dict[str, object] = {
        "DOWNLOAD_SLOTS": politeness.host_slots(sources),
        politeness.TLS_CIPHERS_SETTING: politeness.host_ciphers(sources),
        middlewares.BROWSER_MODE: browser,
    }
    if browser == middlewares.BROWSER_OFF and not any(s.fetch.render == job.BROWSER for s in sources):
        return settings
    problem = chromium_problem(chromium)
    if problem:
        raise ValueError(f"crawl.chromium: {problem}")
    return settings | {
        "DOWNLOAD_HANDLERS": {**DOWNLOAD_HANDLERS, "http": _BROWSER_HANDLER, "https": _BROWSER_HANDLER},
        "DOWNLOADER_MIDDLEWARES": {**DOWNLOADER_MIDDLEWARES, _BROWSER_MIDDLEWARE: _BROWSER_MIDDLEWARE_ORDER},
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": pages_per_source,  # a context per source
        "PLAYWRIGHT_LAUNCH_OPTIONS": {"executable_path": str(chromium), "args": list(CHROMIUM_ARGS)},
        # The browser's own headers (the source's user agent is set on its context): Scrapy's
        # would replace the cookies a challenge script set.
        "PLAYWRIGHT_PROCESS_REQUEST_HEADERS": None,
    }


def chromium_problem(path: Path) -> str | None:
    """Why the Chromium at ``path`` cannot be started, or None."""
    if not path.is_file():
        return f"{path} not found: install Debian's chromium (scripts/system-deps.sh --browser)"
    if not os.access(path, os.X_OK):
        return f"{path} is not executable"
    return None
