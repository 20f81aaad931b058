"""One page in, one classified record out: the single code path of the crawl and ``kuaixun extract``."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from pipeline.classify import ClassifyRules, Decision, classify
from pipeline.extract import extract_page
from pipeline.records import ExtractedNotice


@dataclass(frozen=True)
class SourceHints:
    """What the configured source knows that the page may not say: who, where, which column."""

    agency: str | None = None
    region: str | None = None
    column: str | None = None


def process_page(
    body: bytes,
    url: str,
    content_type: str | None,
    rules: ClassifyRules,
    *,
    hints: SourceHints = SourceHints(),
    identity: str | None = None,
    listing_title: str | None = None,
    listing_date: str | None = None,
) -> tuple[ExtractedNotice, Decision]:
    """Extract, tag with the source's agency and region, and classify.

    ``url`` is where the page was served from (its links resolve against it); ``identity``
    is the notice's normalized URL when it differs (a redirect). Raises ExtractionError.
    """
    record = extract_page(body, url, content_type, listing_title=listing_title, listing_date=listing_date)
    record = dataclasses.replace(
        record,
        source_url=identity or record.source_url,
        region=record.region or hints.region,
        agency=record.agency or hints.agency,
    )
    decision = classify(record, rules, column=hints.column)
    return dataclasses.replace(record, category=decision.section), decision
