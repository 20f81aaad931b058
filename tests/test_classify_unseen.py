"""Sites in page families the section rules were never tuned on (simulator.unseen): crawled as a
new operator would, each source configured with its listing URL and agency only, every notice
must land in the section the truth gives it and no news item may reach the issue."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from kuaixun.config import read_raw, validate
from kuaixun.cycle import crawl
from kuaixun.demo import demo_config
from simulator.server import GovWebThread
from simulator.truth import NEWS_CATEGORY, ground_truth
from simulator.unseen import UNSEEN_NOTICES, UNSEEN_SITES
from store.db import Database
from store.models import Notice
from tests.conftest import PROJECT, publish_issue


@pytest.fixture(scope="module")
def unseen() -> Iterator[GovWebThread]:
    with GovWebThread(seeds=list(UNSEEN_NOTICES), sites=UNSEEN_SITES, held_back=0) as running:
        yield running


def test_unseen_families_notices_in_their_sections_and_no_news_in_the_issue(
    unseen: GovWebThread, tmp_path: Path
) -> None:
    raw = demo_config(read_raw(PROJECT / "config.yaml"), unseen.web, tmp_path)
    raw["sources"] = [
        {"name": site.name, "agency": site.agency, "listing_url": unseen.web.listing_url(site.name)}
        for site in UNSEEN_SITES
    ]
    config = validate(raw, "config.yaml (unseen sites)", tmp_path)
    db = Database(config.store.url)
    result = crawl(config, db)
    assert all(o.status == "ok" for o in result.outcomes), [o.line() for o in result.outcomes]

    truth = ground_truth(unseen.web)
    with db.session() as session:
        stored = {n.url: n.category for n in session.scalars(select(Notice))}
    assert set(stored) == {t["source_url"] for t in truth}
    news = [t for t in truth if t["category"] == NEWS_CATEGORY]
    notices = [t for t in truth if t["category"] != NEWS_CATEGORY]
    placed = [t["title"] for t in notices if stored[t["source_url"]] == t["category"]]
    kept_out = [t["title"] for t in news if stored[t["source_url"]] == NEWS_CATEGORY]
    wrong = [
        f"{t['category']} → {stored[t['source_url']]}: {t['title']}"
        for t in truth
        if t["title"] not in {*placed, *kept_out}
    ]
    print(
        f"\nunseen families: {len(placed)}/{len(notices)} notices in their section, "
        f"{len(kept_out)}/{len(news)} news pages kept out" + "".join(f"\n  {w}" for w in wrong)
    )
    assert len(notices) >= 12 and len(news) >= 15
    assert wrong == []

    files = publish_issue(config, db)
    assert files is not None
    html = files.html.read_text(encoding="utf-8")
    assert [t["title"] for t in news if t["title"] in html] == []
    assert [t["title"] for t in notices if t["title"] not in html] == []
    db.close()
