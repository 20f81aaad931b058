"""An issue limited to a period of publish dates (``digest preview|send --since --until``)."""

from __future__ import annotations

from kuaixun.config import Config
from kuaixun.delivery import preview_digest, send_digest
from simulator.server import GovWebThread
from simulator.truth import ground_truth
from store.db import Database
from store.digests import Period


def test_an_issue_of_a_period_leaves_the_rest_for_the_next(sim: GovWebThread, crawled_config: Config) -> None:
    config = crawled_config  # the first crawl's store
    db = Database(config.store.url)
    sent = [t for t in ground_truth(sim.web) if t["category"] != "其他" and t["kind"] != "repost"]
    november = {t["title"] for t in sent if t["publish_date"] >= "2019-11-01"}
    earlier = {t["title"] for t in sent} - november
    assert november and earlier

    preview = preview_digest(config, db, lambda _: None, period=Period(since="2019-11-01"))
    assert preview is not None
    text = preview.text.read_text(encoding="utf-8")
    assert all(title in text for title in november) and not any(title in text for title in earlier)

    first = send_digest(config, db, lambda _: None, period=Period(since="2019-11-01")).issue
    assert first is not None and first.label == preview.label and first.count == len(november)
    rest = send_digest(config, db, lambda _: None).issue
    assert rest is not None and rest.count == len(earlier)
    text = rest.text.read_text(encoding="utf-8")
    assert all(title in text for title in earlier) and not any(title in text for title in november)
    db.close()
