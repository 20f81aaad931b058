"""store.queries.latest_versions on a real store: the newest version of each notice, streamed, and
the word prefilter never losing a notice the exact match keeps."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pipeline.records import ExtractedNotice
from store import queries
from store.db import Database
from tests.delivery_support import save_record
from tests.stores import store_url

SEEN = datetime(2026, 11, 1, 8, 0)


def save(db: Database, url: str, body: str, number: int, date: str = "2026-10-01") -> None:
    record = ExtractedNotice(
        source_url=url, title="关于开展试点的通知", publish_date=date, body_text=body, category="其他"
    )
    save_record(db, record, f"{url}-{number}", source="t", seen_at=SEEN)


def test_each_notice_once_with_its_newest_version_and_words_found_in_the_record(tmp_path: Path) -> None:
    db = Database(store_url(tmp_path))
    save(db, "https://a.gov.cn/1.html", "第一版 Green Factory", 1, "2026-10-02")
    save(db, "https://a.gov.cn/1.html", "第二版 Green Factory 更正", 2, "2026-10-02")
    save(db, "https://a.gov.cn/2.html", 'He said "ÉCOLE" 绿色', 1)
    with db.session() as session:
        every = [(n.url, v.record.body_text) for n, v in queries.latest_versions(session)]
        green = [n.url for n, _ in queries.latest_versions(session, words=("green factory", "更正"))]
        quoted = [n.url for n, _ in queries.latest_versions(session, words=('"école"', "绿色"))]
        none = [n.url for n, _ in queries.latest_versions(session, words=("第一版",))]
    db.close()
    assert every == [
        ("https://a.gov.cn/1.html", "第二版 Green Factory 更正"),
        ("https://a.gov.cn/2.html", every[1][1]),
    ]
    assert green == ["https://a.gov.cn/1.html"]  # ASCII case folded by LIKE, the body read from the record
    assert quoted == ["https://a.gov.cn/2.html"]  # a word LIKE could miss is left to the caller's match
    assert none == []  # only the newest version is searched
