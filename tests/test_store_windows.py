"""The bounded paths a big store takes never change an answer: a Chinese word tested on the
newest notices one by one before the index lists the rest (``store.queries.PROBE_WINDOW``), and
a preview that counts the waiting versions only up to a bound. Shrunk to a few notices here, so
that both sides of each bound are crossed on a small real store (the one of test_store_scale).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict
from itertools import islice
from pathlib import Path

import pytest
from sqlalchemy import select

from crawlers.family_names import NAMES
from crawlers.listings import FAMILIES
from kuaixun import delivery
from kuaixun.queries import ItemFilter, find_items, item_of, matches
from notify.subscriptions import Filters
from pipeline.query import compile_query
from store import digests, queries, search
from store.db import Database
from store.models import Notice
from tests.delivery_support import make_config, seed
from tests.test_store_scale import ITEM_FILTERS, SUBSCRIPTIONS, awkward_store, exact_matches

WINDOW = 4
"""Notices probed one by one here: fewer than most words match, so each crosses into the list."""
WORD_FILTERS = [
    *(wanted for wanted in ITEM_FILTERS if wanted.words),
    ItemFilter(words=("通知",), limit=None),
    ItemFilter(words=("通知", "工业"), section="申报通知", limit=None),
    ItemFilter(words=("项目",), limit=7),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = awkward_store(tmp_path_factory.mktemp("windows"))
    yield db
    db.close()


@pytest.mark.parametrize("window", [WINDOW, queries.PROBE_WINDOW])
@pytest.mark.parametrize("wanted", WORD_FILTERS, ids=repr)
def test_a_word_probed_then_listed_finds_the_exact_matches_in_order(
    store: Database,
    wanted: ItemFilter,
    window: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(queries, "PROBE_WINDOW", window)
    with store.session() as session:
        every = queries.latest_versions(session, section=wanted.section)
        exact = [item_of(n, v) for n, v in every if matches(n, v.record, wanted)]
    found = find_items(store, wanted)
    assert found == list(islice(exact, wanted.limit))
    assert len({item.id for item in found}) == len(found)  # none twice: listed after probed


def test_the_words_match_beyond_the_window(store: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparisons above cross the window: more matches than it holds."""
    monkeypatch.setattr(queries, "PROBE_WINDOW", WINDOW)
    assert len(find_items(store, ItemFilter(words=("通知",), limit=None))) > 2 * WINDOW


@pytest.mark.parametrize(
    ("listed", "scanned"), [(3, 0), (3, search.SCANNED_AT_MOST), (search.LISTED_AT_MOST, 0)]
)
@pytest.mark.parametrize(("text", "filters"), SUBSCRIPTIONS, ids=repr)
def test_subscribe_test_probed_or_listed_finds_the_exact_page_and_total(
    store: Database, text: str, filters: Filters, listed: int, scanned: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past ``listed`` matches the page is found by testing the newest notices one by one; past
    ``scanned`` notices in the regions asked for, words are looked up through the index."""
    monkeypatch.setattr(search, "LISTED_AT_MOST", listed)
    monkeypatch.setattr(search, "SCANNED_AT_MOST", scanned)
    query = compile_query(text)
    with store.session() as session:
        exact = exact_matches(session, query, filters)
        narrowed = search.Narrowing(**asdict(filters))
        found = search.newest_matches(session, query, narrowed, limit=5)
        whole = search.newest_matches(session, query, narrowed, limit=len(exact) + 1)  # undated last
    assert found.total == whole.total == len(exact)
    assert [hit.notice.id for hit in found.hits] == exact[:5]
    assert [hit.notice.id for hit in whole.hits] == exact


def test_a_preview_of_more_than_it_counts_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = make_config(tmp_path)
    db = Database(config.store.url)
    seed(db, count=6)
    monkeypatch.setattr(delivery, "PREVIEW_LIMIT", 2)
    monkeypatch.setattr(delivery, "COUNTED_LIMIT", 4)
    said: list[str] = []
    with db.session() as session:
        assert digests.pending_count(session, config.digest.sections) == 6
        assert digests.pending_count(session, config.digest.sections, bound=4) == 5
        assert digests.pending_count(session, config.digest.sections, bound=6) == 6
    preview = delivery.preview_digest(config, db, said.append)
    db.close()
    assert preview is not None and preview.count == 2
    assert any("only the first 2 of more than 4 waiting" in line for line in said), said


def test_the_config_knows_every_family_the_crawl_reads() -> None:
    assert tuple(FAMILIES) == NAMES


def test_a_revised_notice_is_found_by_its_newest_text_only(
    store: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queries, "PROBE_WINDOW", WINDOW)
    revised = find_items(store, ItemFilter(words=("延期至年底",), limit=None))
    assert revised and all(item.version == 2 for item in revised)


def test_the_index_list_of_a_word_stands_alone(store: Database) -> None:
    """``holds_word``'s list is made once, not per notice: its parts test the search row's id,
    never the enclosing notice's (which correlated each part to every notice: minutes at 100,000)."""
    with store.session() as session:
        held = search.holds_word(session, "海南自由贸易港")
        assert held is not None
        sql = str(select(Notice.id).where(held).compile(session.get_bind()))
    assert sql.count("notices.id") == 2, sql  # the outer SELECT and its IN, nothing inside the list
