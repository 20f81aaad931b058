"""Ingest stores pages in batches: what one batch holds is stored as page-at-a-time storing would."""

from __future__ import annotations

from pathlib import Path

import httpx
from sqlalchemy import select

from crawlers.items import FetchedPage
from kuaixun.ingest import Ingester
from simulator.catalog import REPOST, Page
from simulator.server import GovWebThread
from store.db import Database
from store.models import Notice, NoticeSearch
from tests.conftest import sim_config


def fetched(sim: GovWebThread, client: httpx.Client, page: Page) -> FetchedPage:
    url = sim.web.url_of(page)
    response = client.get(url)
    response.raise_for_status()
    return FetchedPage(page.site.name, url, url, 200, response.headers["content-type"], response.content)


def test_one_batch_groups_a_repost_and_stores_a_page_seen_twice_once(
    sim: GovWebThread, tmp_path: Path
) -> None:
    """The simulator's repost (gxt-hunan republishing a MIIT notice) arrives in the same batch as
    its original, and the original twice: two notices, one group, one version each, both searchable."""
    repost = next(p for p in sim.web.catalog.pages if p.kind == REPOST)
    original = next(p for p in sim.web.catalog.pages if p.seed == repost.seed and p.kind != REPOST)
    config = sim_config(sim, tmp_path)
    with httpx.Client(timeout=10) as client:
        pages = [fetched(sim, client, p) for p in (original, repost, original)]
    with Database(config.store.url) as db:
        ingester = Ingester(config, db)
        for page in pages:
            ingester.page(page)
        result = ingester.result()
        with db.session() as session:
            stored = {n.url: n for n in session.scalars(select(Notice))}
            versions = {url: len(n.versions) for url, n in stored.items()}
            groups = {url: n.group_id for url, n in stored.items()}
            searchable = set(session.scalars(select(NoticeSearch.notice_id)))
            ids = {n.id for n in stored.values()}
    assert result.new == 2 and result.revised == 0
    assert versions == {pages[0].url: 1, pages[1].url: 1}
    assert groups[pages[1].url] == groups[pages[0].url] == stored[pages[0].url].id
    assert searchable == ids
