"""The SQL prefilters that keep ``items`` and ``subscribe test`` fast on a big store never change an
answer: each is held to the exact match in Python over every stored notice (no prefilter; the
section and dates are exact in SQL already), on a
real store of seed notices with awkward spellings (湖南省 beside 湖南, a region only among the tags,
an agency only among the signers, Latin letters in both cases, a revised notice).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, replace
from datetime import datetime
from itertools import islice
from pathlib import Path

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kuaixun import delivery
from kuaixun.queries import ItemFilter, find_items, item_of, matches
from notify.subscriptions import Filters
from pipeline.query import Document, Query, compile_query
from pipeline.records import ExtractedNotice
from simulator.seeds import load_seeds
from store import digests, queries, search
from store.db import Database
from store.models import NoticeRegion, NoticeSearch
from tests.delivery_support import make_config, save_record, seed
from tests.stores import store_url

SEEN = datetime(2026, 11, 1, 8, 0)
PLACES = (
    ("湖南", ("湖南",)),
    ("湖南省", ("湖南省",)),
    ("全国", ("全国", "湖南")),
    ("北京", ("北京",)),
    (None, ()),
)
BODIES = (
    ("工业和信息化部", ("工业和信息化部办公厅", "MIIT Office")),
    ("湖南省工业和信息化厅", ("湖南省工业和信息化厅",)),
    (None, ("科技部", "miit")),
)


def awkward_records() -> list[ExtractedNotice]:
    """The first seed notices, each with one of the awkward places and signers; one revised."""
    records = []
    for n, seeded in enumerate(load_seeds()[:45]):
        region, regions = PLACES[n % len(PLACES)]
        agency, agencies = BODIES[n % len(BODIES)]
        records.append(
            ExtractedNotice(
                source_url=f"https://www{n % 3}.example.gov.cn/n/{n}.html",
                title=seeded.title + (" Green Factory" if n % 4 == 0 else ""),
                doc_number=seeded.doc_number,
                publish_date=f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}" if n % 9 else None,
                issuer="、".join(agencies) or None,
                body_text="\n".join(seeded.paragraphs)
                + ("\nＧＲＥＥＮ　ＦＡＣＴＯＲＹ" if n % 5 == 0 else ""),
                category=seeded.section,
                region=region,
                agency=agency,
                regions=regions,
                agencies=agencies,
            )
        )
    return records


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = awkward_store(tmp_path_factory.mktemp("scale"))
    yield db
    db.close()


def awkward_store(folder: Path) -> Database:
    """A store of ``awkward_records``, one in ten of them revised (tests/test_store_windows.py too)."""
    db = Database(store_url(folder))
    for n, record in enumerate(awkward_records()):
        save_record(db, record, f"h{n}", source=f"site{n % 3}", seen_at=SEEN)
        if n % 10 == 3:  # a 更正: only the newest version may be found
            revised = replace(
                record, body_text=record.body_text + "\n延期至年底", regions=(*record.regions, "福建")
            )
            save_record(db, revised, f"h{n}-2", source=f"site{n % 3}", seen_at=SEEN)
    return db


ITEM_FILTERS = (
    ItemFilter(region="湖南"),
    ItemFilter(region="湖南省"),
    ItemFilter(region="福建"),
    ItemFilter(region="全国", section="申报通知"),
    ItemFilter(region="西藏"),
    ItemFilter(agency="工业和信息化部"),
    ItemFilter(agency="MIIT"),
    ItemFilter(agency="miit"),
    ItemFilter(agency="科技部", region="湖南"),
    ItemFilter(words=("green", "factory")),
    ItemFilter(words=("ＧＲＥＥＮ",)),
    ItemFilter(words=("延期至年底",)),
    ItemFilter(words=("科技部",)),  # in the signers only
    ItemFilter(words=("工信部联原",)),  # in the 文号 only
    ItemFilter(words=("部",), section="政策文件"),
    ItemFilter(words=("绿色", "Factory")),
    ItemFilter(words=("通知",), region="湖南", limit=3),
)


@pytest.mark.parametrize("wanted", ITEM_FILTERS, ids=repr)
def test_items_prefilters_keep_every_exact_match(store: Database, wanted: ItemFilter) -> None:
    with store.session() as session:
        every = queries.latest_versions(
            session, section=wanted.section, since=wanted.since, until=wanted.until
        )
        exact = [item_of(n, v) for n, v in every if matches(n, v.record, wanted)]
    assert find_items(store, wanted) == list(islice(exact, wanted.limit))


def test_most_item_filters_match(store: Database) -> None:
    """The comparisons above are not between empty lists."""
    found = [bool(find_items(store, wanted)) for wanted in ITEM_FILTERS]
    assert found.count(False) == 1  # 西藏 only


SUBSCRIPTIONS = (
    ("绿色", Filters()),
    ("green factory", Filters()),
    ("通知 -绿色", Filters(regions=("湖南",))),
    ("申报 OR 节能", Filters(sections=("申报通知", "绿色制造"), agencies=("工业和信息化部",))),
    ("企业", Filters(sources=("site1",), regions=("湖南省", "北京"))),
    ("延期至年底", Filters()),
    ("region:福建", Filters()),
    ("厂", Filters(agencies=("miit",))),
    ("-通知", Filters()),
)


def exact_matches(session: Session, query: Query, filters: Filters) -> list[int]:
    """The notices a subscription matches, newest first, by testing each one's newest record."""
    return [
        notice.id
        for notice, version in queries.latest_versions(session)
        if query.match(Document.of(version.record)) is not None
        and filters.admits(Document.of(version.record), notice.source_name)
    ]


@pytest.mark.parametrize(("text", "filters"), SUBSCRIPTIONS, ids=repr)
def test_subscribe_test_counts_and_lists_what_the_exact_match_finds(
    store: Database, text: str, filters: Filters
) -> None:
    query = compile_query(text)
    with store.session() as session:
        exact = exact_matches(session, query, filters)
        found = search.newest_matches(session, query, search.Narrowing(**asdict(filters)), limit=5)
        every = search.newest_matches(session, query, search.Narrowing(**asdict(filters)), limit=None)
    assert found.total == every.total == len(exact)
    assert [hit.notice.id for hit in found.hits] == exact[:5]
    assert [hit.notice.id for hit in every.hits] == exact


def test_most_subscriptions_match(store: Database) -> None:
    with store.session() as session:
        totals = [
            search.newest_matches(session, compile_query(t), search.Narrowing(**asdict(f)), limit=1).total
            for t, f in SUBSCRIPTIONS
        ]
    assert all(totals), totals


def test_a_preview_renders_a_bounded_issue_and_says_how_many_wait(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store that never issued anything: the preview holds the first PREVIEW_LIMIT waiting
    versions (oldest first, as the issue would), the count is the database's, and send takes all."""
    config = make_config(tmp_path)
    db = Database(config.store.url)
    seed(db, count=5)
    monkeypatch.setattr(delivery, "PREVIEW_LIMIT", 3)
    said: list[str] = []
    with db.session() as session:
        waiting = digests.pending_versions(session, config.digest.sections)
        assert digests.pending_count(session, config.digest.sections) == len(waiting) == 5
        first = digests.pending_versions(session, config.digest.sections, limit=3)
    assert [v.id for v in first] == [v.id for v in waiting[:3]]

    preview = delivery.preview_digest(config, db, said.append)
    assert preview is not None and preview.count == 3
    assert any("first 3 of 5 waiting" in line for line in said)
    sent = delivery.send_digest(config, db, lambda _: None).issue
    db.close()
    assert sent is not None and sent.count == 5


def test_a_store_indexed_before_notice_regions_gets_them_when_opened(tmp_path: Path) -> None:
    db = Database(store_url(tmp_path))
    for n, record in enumerate(awkward_records()[:6]):
        save_record(db, record, f"h{n}", seen_at=SEEN)
    with db.session() as session:
        kept = sorted(session.execute(select(NoticeRegion.notice_id, NoticeRegion.region)).all())
        session.execute(delete(NoticeRegion))
    search.ensure_index(db.engine)
    with db.session() as session:
        filled = sorted(session.execute(select(NoticeRegion.notice_id, NoticeRegion.region)).all())
    db.close()
    assert filled == kept and "湖南" in {region for _, region in kept}


def test_a_store_stored_before_notice_search_is_indexed_when_opened(tmp_path: Path) -> None:
    db = Database(store_url(tmp_path))
    for n, record in enumerate(awkward_records()[:4]):
        save_record(db, record, f"h{n}", seen_at=SEEN)
    with db.session() as session:
        kept = sorted(session.execute(select(NoticeSearch.notice_id, NoticeSearch.text)).all())
        session.execute(delete(NoticeRegion))
        session.execute(delete(NoticeSearch))
    search.ensure_index(db.engine)
    with db.session() as session:
        indexed = sorted(session.execute(select(NoticeSearch.notice_id, NoticeSearch.text)).all())
        found = search.newest_matches(session, compile_query("region:湖南"), search.Narrowing(), limit=None)
    db.close()
    assert indexed == kept and len(kept) == 4 and found.total > 0
