"""Identity and diff on the simulator: reposts grouped, revisions versioned, chrome ignored."""

from __future__ import annotations

from sqlalchemy import select

from kuaixun.config import Config
from kuaixun.cycle import crawl
from simulator.server import GovWebThread
from simulator.truth import ground_truth
from store.db import Database
from store.models import Notice, NoticeVersion
from tests.conftest import SIM_TODAY, publish_issue


def test_repost_is_grouped_and_listed_once_with_both_links(sim: GovWebThread, crawled_config: Config) -> None:
    config = crawled_config  # the first crawl's store
    db = Database(config.store.url)
    truth = ground_truth(sim.web)
    repost = next(t for t in truth if t["kind"] == "repost")
    original = next(t for t in truth if t["original_url"] == repost["original_url"] and t["kind"] == "notice")
    with db.session() as session:
        stored = {n.url: n for n in session.scalars(select(Notice))}
    assert stored[repost["source_url"]].group_id == stored[original["source_url"]].group_id
    assert len({n.group_id for n in stored.values()}) == len(stored) - 1
    files = publish_issue(config, db)
    assert files is not None
    text = files.text.read_text(encoding="utf-8")
    body = text.split("目 录", 1)[1]
    assert body.count(repost["title"]) == 2  # once in the 目录, once as the item
    links = body.split(repost["title"])[2].split("相关链接：")[1].split()
    assert links[:2] == [original["source_url"], repost["source_url"]]  # the original first
    db.close()


def test_revision_is_a_new_version_with_a_diff_and_marked_updated(
    sim: GovWebThread, crawled_config: Config
) -> None:
    config = crawled_config  # the first crawl's store
    config = config.model_copy(update={"crawl": config.crawl.model_copy(update={"revisit_days": 366})})
    db = Database(config.store.url)
    assert publish_issue(config, db) is not None

    # Chrome changes on every request (visit counters): a second crawl revisits, finds no revision.
    again = crawl(config, db, today=SIM_TODAY)
    assert sum(o.fetched for o in again.outcomes) > 0
    assert again.new == 0 and again.revised == 0

    target = next(t for t in ground_truth(sim.web) if t["site"] == "gxt-ln" and t["kind"] == "notice")
    paragraphs = target["body_text"].split("\n")
    extension = "公示时间延长至2019年11月25日。"
    sim.web.revise(target["source_url"], [*paragraphs, extension])
    result = crawl(config, db, today=SIM_TODAY)
    assert result.revised == 1 and result.new == 0

    with db.session() as session:
        notice = session.scalar(select(Notice).where(Notice.url == target["source_url"]))
        versions = list(session.scalars(select(NoticeVersion).where(NoticeVersion.notice_id == notice.id)))
    assert [v.number for v in versions] == [1, 2]
    assert versions[1].diff is not None and f"+{extension}" in versions[1].diff

    files = publish_issue(config, db)
    assert files is not None and files.count == 1
    text = files.text.read_text(encoding="utf-8")
    assert f"{target['title']}（更新）" in text
    assert extension in text
    db.close()
