"""A crawl's memory does not grow with what it finds: counting the notices waiting for the next
issue (the line ``kuaixun crawl`` prints) loads no record, while making the issue loads them all."""

from __future__ import annotations

from sqlalchemy import inspect

from kuaixun.config import Config
from kuaixun.delivery import waiting_notices
from store import digests
from store.db import Database


def test_counting_the_waiting_notices_loads_no_record(crawled_config: Config) -> None:
    db = Database(crawled_config.store.url)
    try:
        sections = crawled_config.digest.sections
        with db.session() as session:
            counted = digests.pending_groups(session, sections, records=False)
            assert len(counted) > 10
            assert all("record" in inspect(v).unloaded for group in counted for v in group)
        with db.session() as session:
            whole = digests.pending_groups(session, sections)
            assert all("record" not in inspect(v).unloaded for group in whole for v in group)
            assert [[v.id for v in g] for g in whole] == [[v.id for v in g] for g in counted]
        assert waiting_notices(crawled_config, db) > 10
    finally:
        db.close()
