"""``kuaixun extract``: one page, fetched or saved, processed exactly as the crawl processes it.

A module of its own so that extracting a saved page loads the extraction and the section rules
only, not the crawl, the store or the delivery that ``kuaixun.service`` brings (start-up).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawlers.urls import normalize_url
from kuaixun.config import Config, SourceConfig
from pipeline.extract import ExtractionError
from pipeline.process import SourceHints, process_page


class ExtractError(Exception):
    """A page that cannot be extracted, with the reason."""


def extract_target(config: Config, target: str, url: str | None, content_type: str | None) -> dict[str, Any]:
    """Fetch a URL (as the crawl fetches a notice: ``crawlers.probe``) or read a saved page, then
    process it exactly as the crawl does."""
    if target.startswith(("http://", "https://")):
        from crawlers.probe import ProbeError, page_from_url
        from kuaixun.cycle import scrapy_settings

        try:
            page = page_from_url(target, scrapy_settings(config))
        except ProbeError as exc:
            raise ExtractError(str(exc)) from None
        body, page_url = page.body, page.final_url
        content_type = content_type or page.content_type
    else:
        try:
            body = Path(target).read_bytes()
        except OSError as exc:
            raise ExtractError(f"{target}: cannot read: {exc.strerror}") from None
        page_url = url or Path(target).resolve().as_uri()
    source = _source_for(config, page_url)
    hints = source_hints(source) if source else SourceHints()
    try:
        record, _ = process_page(
            body, page_url, content_type, config.classify, hints=hints, identity=normalize_url(page_url)
        )
    except ExtractionError as exc:
        raise ExtractError(f"{target}: {exc}") from None
    return record.to_json()


def source_hints(source: SourceConfig) -> SourceHints:
    return SourceHints(agency=source.agency, region=source.region, column=source.column)


def _source_for(config: Config, url: str) -> SourceConfig | None:
    host = urlsplit(url).netloc
    return next(
        (s for s in config.sources if host == urlsplit(s.listing_url).netloc or host in s.allowed_hosts), None
    )
