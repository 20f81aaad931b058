"""Scrapy settings of the notice crawl; the operator's values come from config.yaml via the job."""

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
DOWNLOAD_HANDLERS = {"file": None, "s3": None, "ftp": None, "data": None}
DOWNLOADER_MIDDLEWARES = {
    "crawlers.middlewares.OriginGuardMiddleware": 40,  # before robots.txt (100) and offsite (50)
    "crawlers.middlewares.ChallengeRetryMiddleware": 560,
    "crawlers.middlewares.ContradictedCharsetMiddleware": 570,
    "crawlers.conditional.ConditionalGetMiddleware": 580,
    "crawlers.costs.RequestCountingMiddleware": 860,  # beside DownloaderStats (850): every request sent
}
ITEM_PIPELINES = {"crawlers.pipelines.SpoolPipeline": 100}

TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "WARNING"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
