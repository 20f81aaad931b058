"""Sites in page families the section rules were never tuned on (simulator.unseen): crawled as a
new operator would, each source configured with its listing URL and agency only, every notice
must land in the section the truth gives it and no news item may reach the issue."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import select

from kuaixun.cli import main
from kuaixun.config import read_raw, validate
from kuaixun.cycle import crawl
from kuaixun.demo import demo_config
from simulator.server import GovWebThread
from simulator.truth import NEWS_CATEGORY, ground_truth
from simulator.unseen import UNSEEN_NOTICES, UNSEEN_SITES
from store.db import Database
from store.models import Notice
from tests.conftest import PROJECT, publish_issue, shown_text

NO_CUE = "关于调整市级工业园区管理职责分工的通知"
"""A formal 通知 (文号, 主送, three signers) whose title names no section's kind."""


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
    config_file = tmp_path / "unseen.yaml"
    config_file.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    config = validate(raw, "config.yaml (unseen sites)", tmp_path)
    db = Database(config.store.url)
    result = crawl(config, db)
    assert all(o.status == "ok" for o in result.outcomes), [o.line() for o in result.outcomes]

    truth = ground_truth(unseen.web)
    with db.session() as session:
        rows = list(session.scalars(select(Notice)))
        stored = {n.url: n.category for n in rows}
        ids = {n.title: n.id for n in rows}
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

    # The formal 通知 no cue places: in the general section, and explain says it is a guess.
    explained = CliRunner().invoke(main, ["--config", str(config_file), "explain", str(ids[NO_CUE])])
    assert explained.exit_code == 0, explained.output
    assert "section: 政策文件   [LOW CONFIDENCE, margin " in explained.output
    assert "政策文件: no section cue" in explained.output or "政策文件: low confidence" in explained.output

    files = publish_issue(config, db)
    assert files is not None
    html = shown_text(files.html.read_text(encoding="utf-8"))
    assert [t["title"] for t in news if t["title"] in html] == []
    assert [t["title"] for t in notices if t["title"] not in html] == []
    db.close()
