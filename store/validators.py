"""Per-URL validators (``ETag``, ``Last-Modified``) of listing pages and notices, for conditional GET."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawlers.items import Validators
from store.models import PageValidator
from store.notices import URL_BATCH


def load(session: Session, urls: Collection[str]) -> dict[str, Validators]:
    """The stored validators of those of ``urls`` that have some, by URL."""
    wanted = sorted(urls)
    found: dict[str, Validators] = {}
    for start in range(0, len(wanted), URL_BATCH):
        query = select(PageValidator).where(PageValidator.url.in_(wanted[start : start + URL_BATCH]))
        found |= {row.url: Validators(row.url, row.etag, row.last_modified) for row in session.scalars(query)}
    return found


def save(session: Session, fresh: Iterable[Validators], now: datetime) -> None:
    """Store (or replace) the validators of each page."""
    by_url = {v.url: v for v in fresh}
    query = select(PageValidator).where(PageValidator.url.in_(by_url))
    rows = {row.url: row for row in session.scalars(query)}
    for url, validators in by_url.items():
        row = rows.get(url) or PageValidator(url=url)
        row.etag, row.last_modified, row.stored_at = validators.etag, validators.last_modified, now
        session.add(row)
