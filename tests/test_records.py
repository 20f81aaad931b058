"""One typed notice record across the store: ``to_json``/``from_json``, rows of older schemas, signers."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import JSON, column, insert, select, table

from notify.issue import item_from_record
from pipeline.records import SCHEMA, Attachment, Deadline, ExtractedNotice
from store import notices
from store.db import Database
from store.models import Notice
from tests.stores import store_url

SEEN = datetime(2026, 11, 2, 9, 30)
URL = "https://www.miit.gov.cn/zwgk/zcwj/art_1.html"

OLD_ROW: dict[str, Any] = {
    # as a store written before the schema number (and before regions/agencies/flags) holds it
    "source_url": URL,
    "title": "关于组织开展2026年度绿色工厂推荐工作的通知",
    "doc_number": "工信厅节函〔2026〕12号",
    "publish_date": "2026-10-28",
    "issuer": "工业和信息化部办公厅",
    "addressee": "各省、自治区、直辖市工业和信息化主管部门",
    "body_text": "为推进绿色制造体系建设……\n请于2026年11月30日前报送。",
    "body_html": None,
    "annex_text": "",
    "attachments": [{"name": "推荐汇总表.xlsx", "url": "https://www.miit.gov.cn/a.xlsx", "size": 1024}],
    "deadlines": [{"date": "2026-11-30", "text": "请于2026年11月30日前报送", "kind": "submit"}],
    "category": "绿色制造",
    "region": "全国",
    "agency": "工业和信息化部",
    "extra": {"issuer_source": "signature"},
    "retired_field": "a key no version of the record knows",
}

RAW_VERSIONS = table(
    "notice_versions",
    *(column(name) for name in ("notice_id", "number", "fetched_at", "content_hash")),
    column("record", JSON),
    column("reasons", JSON),
)
"""The versions table with its record column as plain JSON: reads and writes the stored JSON as it is."""


def test_an_old_row_without_schema_with_an_unknown_key_and_missing_newer_keys_loads() -> None:
    record = ExtractedNotice.from_json(OLD_ROW)
    assert record.title == OLD_ROW["title"] and record.doc_number == "工信厅节函〔2026〕12号"
    assert record.body_html == ""  # an old null in a text field takes the field's default
    assert record.attachments == (Attachment("推荐汇总表.xlsx", "https://www.miit.gov.cn/a.xlsx"),)
    assert record.deadlines == (Deadline("2026-11-30", "请于2026年11月30日前报送"),)
    assert record.earliest_deadline == "2026-11-30"
    # keys added after the row was written: their defaults
    assert record.regions == () and record.agencies == () and record.posted_date is None
    assert record.category_low_confidence is False and record.category_margin is None
    assert record.signed


def test_to_json_writes_the_schema_and_from_json_gives_the_same_record_back() -> None:
    record = ExtractedNotice.from_json(OLD_ROW)
    data = record.to_json()
    assert data["schema"] == SCHEMA
    assert ExtractedNotice.from_json(json.loads(json.dumps(data))) == record


def test_a_row_without_a_url_or_title_is_named_not_loaded_half() -> None:
    with pytest.raises(ValueError, match="'source_url'"):
        ExtractedNotice.from_json({"title": "通知"})
    with pytest.raises(ValueError, match="'title'"):
        ExtractedNotice.from_json({"source_url": URL, "title": None})


def test_the_store_returns_typed_records_for_old_and_new_rows(tmp_path: Path) -> None:
    """An old-shaped JSON row written straight into the table (as an older version left it) and a
    row the store writes now both come back as ExtractedNotice through the column's type."""
    db = Database(store_url(tmp_path))
    try:
        with db.session() as session:
            notice = Notice(
                url=URL,
                source_name="miit",
                title=OLD_ROW["title"],
                category="绿色制造",
                first_seen=SEEN,
                last_seen=SEEN,
            )
            session.add(notice)
            session.flush()
            session.execute(
                insert(RAW_VERSIONS).values(
                    notice_id=notice.id,
                    number=1,
                    fetched_at=SEEN,
                    content_hash="old",
                    record=OLD_ROW,
                    reasons=[],
                )
            )
        with db.session() as session:
            old = notices.latest_record(session, URL)
            assert isinstance(old, ExtractedNotice) and old == ExtractedNotice.from_json(OLD_ROW)
            newer = ExtractedNotice(
                source_url=URL, title=old.title, agencies=("工业和信息化部办公厅",), category="绿色制造"
            )
            notices.save_version(
                session, newer, source_name="miit", content_hash="new", reasons=[], diff=None, seen_at=SEEN
            )
        with db.session() as session:
            assert notices.latest_record(session, URL) == newer
            stored = session.execute(
                select(RAW_VERSIONS.c.record).where(RAW_VERSIONS.c.number == 2)
            ).scalar_one()
            assert stored["schema"] == SCHEMA and stored["agencies"] == ["工业和信息化部办公厅"]
    finally:
        db.close()


def test_the_printed_signers_are_the_records_agencies() -> None:
    """A 落款 with the bodies set apart by spaces (科技部　财政部) is two signers, as tagging read it."""
    record = ExtractedNotice.from_json(
        {**OLD_ROW, "issuer": "科技部　财政部", "agencies": ["科技部", "财政部"], "agency": "科技部"}
    )
    assert item_from_record(record).signers == ("科技部", "财政部")
    # a row stored before agencies existed: the issuer split as tagging splits it
    assert item_from_record(ExtractedNotice.from_json({**OLD_ROW, "issuer": "科技部、财政部"})).signers == (
        "科技部",
        "财政部",
    )
    unsigned = ExtractedNotice.from_json({**OLD_ROW, "agencies": ["工业和信息化部"], "extra": {}})
    assert item_from_record(unsigned).signers == ()
