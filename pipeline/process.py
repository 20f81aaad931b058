"""One page in, one classified record out: the single code path of the crawl and ``kuaixun extract``."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from pipeline.classify import ClassifyRules, Decision, classify
from pipeline.extract import extract_page
from pipeline.records import ExtractedNotice
from pipeline.tags import agencies, notice_type, regions


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
    record = tag(dataclasses.replace(record, source_url=identity or record.source_url), hints)
    decision = classify(record, rules, column=hints.column)
    classified = dataclasses.replace(
        record,
        category=decision.section,
        category_low_confidence=decision.low_confidence,
        category_margin=decision.margin,
    )
    return classified, decision


def tag(record: ExtractedNotice, hints: SourceHints) -> ExtractedNotice:
    """Add the type, regions and agencies the title and 落款 name; the source fills what they do not.

    The primary ``region``/``agency`` stay what extraction found, else the configured source's (a
    stable key for filters and the digest), else the first tag.
    """
    places = regions(f"{record.title} {record.issuer or ''}", default=hints.region)
    bodies = agencies(record.issuer, default=hints.agency)
    return dataclasses.replace(
        record,
        notice_type=notice_type(record.title),
        regions=places,
        agencies=bodies,
        region=record.region or hints.region or next(iter(places), None),
        agency=record.agency or hints.agency or next(iter(bodies), None),
    )
