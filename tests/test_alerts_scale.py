"""Alerts for many subscribers keep the plain semantics: the term index skips no matching query,
the bulk recording records exactly what each query and its filters match, once, and messages
built from shared frames are the messages each alert would get alone.

Queries are generated from the seeds' vocabulary (every field, NOT-only queries, one-character
terms, phrases); the expectation is always each query's own ``Query.match`` on the record.
"""

from __future__ import annotations

import random
import re
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import kuaixun.alerts
from kuaixun.alerts import record_alerts
from kuaixun.config import Config, validate
from kuaixun.delivery import load_alert
from kuaixun.ingest import now_utc
from notify.alerts import Alert, RenderedItems, Unsubscribe, alert_item, render_alert
from notify.escape import clean
from notify.subscriptions import Filters, filters_json
from pipeline.query import Document, QuerySet, compile_query
from pipeline.records import ExtractedNotice
from simulator.seednotice import SeedNotice
from simulator.seeds import SECTIONS, load_seeds
from store import subscriptions
from store.db import Database
from store.models import AlertMatch, Delivery, Notice, NoticeVersion
from tests.delivery_support import save_record
from tests.stores import store_url

CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
SHAPES = (
    "{a}",
    "{a} OR {b}",
    "{a} {b}",
    "({a} OR {b}) -{c}",
    "-{a}",
    "title:{a} {b}",
    '"{a} {b}" OR {c}',
    "{a} OR {b} OR {c} NOT {d}",
    "{one} {a}",
    "region:{region} {a}",
    "agency:{agency} OR {a}",
    "section:{section} {a}",
    "doc:{doc} OR title:{one}",
)
REGIONS = ("北京", "湖南省", "福建", "全国", "云南")


def notice_record(seed: SeedNotice, n: int) -> ExtractedNotice:
    """A seed notice under its own URL, in one of REGIONS."""
    region = REGIONS[n % len(REGIONS)]
    return ExtractedNotice(
        source_url=f"https://www.miit.gov.cn/scale/art_{n}.html",
        title=seed.title,
        body_text="\n".join(seed.paragraphs),
        doc_number=seed.doc_number,
        publish_date="2026-10-28",
        category=seed.section,
        issuer="、".join(seed.signers) or None,
        agency=seed.signers[0] if seed.signers else None,
        agencies=tuple(seed.signers),
        region=region,
        regions=(region,),
    )


@pytest.fixture(scope="module")
def records() -> list[ExtractedNotice]:
    return [notice_record(seed, n) for n, seed in enumerate(load_seeds()[:60])]


def queries(records: list[ExtractedNotice], count: int, rng: random.Random) -> list[str]:
    """``count`` queries over the records' words: two to four characters, and single ones."""
    words = sorted(
        {
            run[i : i + size]
            for r in records
            for run in CJK_RUN.findall(r.title)
            for size in (2, 3, 4)
            for i in range(len(run) - size + 1)
        }
    )
    fields = {
        "one": sorted({char for word in words for char in word}),
        "region": list(REGIONS),
        "section": list(SECTIONS),
        "agency": sorted({a for r in records for a in r.agencies}) or ["工业和信息化部"],
        "doc": sorted({r.doc_number[:4] for r in records if r.doc_number}) or ["工信"],
    }
    made = []
    for _ in range(count):
        values = {key: rng.choice(words) for key in "abcd"} | {k: rng.choice(v) for k, v in fields.items()}
        made.append(rng.choice(SHAPES).format(**values))
    return made


def test_the_index_finds_exactly_what_each_query_matches(records: list[ExtractedNotice]) -> None:
    texts = queries(records, 600, random.Random(13))
    compiled = {n: compile_query(text) for n, text in enumerate(texts)}
    index = QuerySet(compiled)
    matched_somewhere = 0
    for record in records:
        doc = Document.of(record)
        expected = {n: terms for n, q in compiled.items() if (terms := q.match(doc)) is not None}
        assert index.match(doc) == expected, record.title
        matched_somewhere += bool(expected)
    assert matched_somewhere > len(records) // 2  # the generated queries do match: the test can fail


def config_for(tmp_path: Path) -> Config:
    raw = {
        "store": {"url": store_url(tmp_path)},
        "data_dir": str(tmp_path / "data"),
        "out_dir": str(tmp_path / "out"),
        "channels": {
            "email": {"host": "127.0.0.1", "port": 2525, "security": "none", "sender": "kx@example.cn"}
        },
        "alerts": {"secret": "scale-secret"},
    }
    return validate(raw, "config.yaml (test)", tmp_path, {})


@pytest.mark.parametrize("batch", [7, 500])
def test_bulk_recording_records_each_plain_match_once_in_one_message_per_subscriber(
    tmp_path: Path, records: list[ExtractedNotice], batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kuaixun.alerts, "SUBSCRIBERS_AT_ONCE", batch)  # 7: many batches, some partial
    monkeypatch.setattr(kuaixun.alerts, "MATCHES_AT_ONCE", batch * 10)  # 70: recorded in many inserts
    config = config_for(tmp_path)
    rng = random.Random(29)
    db = Database(config.store.url)
    try:
        for n, record in enumerate(records[:20]):
            save_record(db, record, f"old-{n}")  # history: no subscription hears of it
        with db.session() as session:
            for n, text in enumerate(queries(records, 300, rng)):
                filters = filters_json(sections=[SECTIONS[n % 3]]) if n % 5 == 0 else {}
                filters = filters_json(regions=list(REGIONS[:2])) if n % 7 == 0 else filters
                channel = "webhook:gone" if n == 1 else f"reader{n}@example.cn"
                spec = subscriptions.Spec(f"s{n}", text, channel, filters=filters)
                subscriptions.add(session, spec, subscriptions.CLI, now_utc())
        for n, record in enumerate(records[20:]):
            save_record(db, record, f"new-{n}")
        with db.session() as session:
            expected = plain_matches(session)
            channels = {sub.id: sub.channel for sub in subscriptions.active(session)}

        refs = record_alerts(config, db, lambda line: None)

        with db.session() as session:
            recorded = {(m.subscription_id, m.version_id): m for m in session.scalars(select(AlertMatch))}
            assert set(recorded) == expected and len(expected) > 100
            deliveries = list(session.scalars(select(Delivery)))
            gone = subscriptions.by_name(session, "s1")
            assert gone is not None
            waiting = {m.message for key, m in recorded.items() if key[0] == gone.id}
            assert waiting in (set(), {None})  # the unreachable channel's matches wait for a later run
            subscribers = {sub_id for sub_id, _ in expected} - {gone.id}
            assert len(deliveries) == len(refs) == len(subscribers)
            urls = {v.id: v.record.source_url for v in session.scalars(select(NoticeVersion))}
            for delivery in deliveries:
                carried = [key for key, m in recorded.items() if m.message == delivery.ref]
                sent = load_alert(config, delivery.ref).text
                listed = {line.strip() for line in sent.splitlines() if line.startswith("   http")}
                assert listed == {urls[version_id] for _, version_id in carried}
                assert {channels[sub_id] for sub_id, _ in carried} == {delivery.recipient}

        assert record_alerts(config, db, lambda line: None) == []  # nothing is matched or sent twice
        with db.session() as session:
            assert len(list(session.scalars(select(AlertMatch)))) == len(recorded)
    finally:
        db.close()


def plain_matches(session: Session) -> set[tuple[int, int]]:
    """Each subscription's own query and filters on each version new to it."""
    found = set()
    rows = session.execute(select(NoticeVersion, Notice).join(Notice).order_by(NoticeVersion.id)).all()
    for sub in subscriptions.active(session):
        query, filters = compile_query(sub.query), Filters.of(sub.filters)
        for version, notice in rows:
            doc = Document.of(version.record)
            if (
                version.id > sub.checked_through
                and query.match(doc) is not None
                and filters.admits(doc, notice.source_name)
            ):
                found.add((sub.id, version.id))
    return found


def test_messages_from_shared_frames_are_each_alert_rendered_alone(records: list[ExtractedNotice]) -> None:
    rng = random.Random(7)
    hostile = replace(
        records[0], title="\x00title\x00 \x00terms\x00 关于申报的通知", body_text="申报\x00context\x00"
    )
    pool = [hostile, *records[:12]]
    alerts = []
    for n in range(40):
        chosen = rng.sample(pool, 4)
        items = tuple(
            alert_item(
                r,
                terms=[["text", w, w] for w in rng.sample(["申报", "通知", "关于", "工作", "企业"], 2)],
                revised=n % 3 == 0,
                diff="@@ -1 +1 @@\n-旧\n+新\n" if n % 3 == 0 else None,
            )
            for r in chosen
        )
        unsubscribe = Unsubscribe("kx@example.cn", f"token{n}", None if n % 2 else "https://kx.example.cn/u")
        alerts.append(Alert(f"订阅{n}", "申报 OR 通知", "instant", items, unsubscribe))
    shared = RenderedItems()
    for alert in reversed(alerts):
        render_alert(alert, shared)
    for alert in alerts:
        alone = render_alert(alert)
        assert render_alert(alert, shared) == alone
        assert "\x00" not in alone.html + alone.text + alone.markdown
        plain = alone.text.replace("【", "").replace("】", "")
        for item in alert.items:
            assert "命中：" + "、".join(item.terms) in alone.text
            assert clean(item.plain_title) in plain
            assert item.context is None or clean("".join(piece for piece, _ in item.context)) in plain
