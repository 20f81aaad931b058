"""Benchmark (not a test): search over a store of 100,000 generated notices.

    .venv/bin/python bench/search.py [--notices 100000] [--store sqlite:///PATH | postgresql+psycopg://…]

The notices are the simulator's seeds (every past 快讯 item), copied with their paragraphs
shuffled and a random region, agency and date, so terms occur as often as in real notices. They
are written in bulk (the crawl's per-page path would take hours), then the search index is built
the way an older store gets it when opened (``store.search.ensure_index``: a backfill). Each query
is timed for its first page of results and its total; the target is well under a second.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import insert

from pipeline.query import compile_query
from pipeline.records import Deadline, ExtractedNotice
from simulator.seeds import load_seeds
from store import search
from store.db import Database
from store.models import Notice, NoticeSearch, NoticeVersion

REGIONS = ("全国", "北京", "湖南", "福建", "云南", "广东", "浙江", "江苏", "四川", "山东")
AGENCIES = (
    "工业和信息化部",
    "国家发展改革委",
    "生态环境部",
    "科技部",
    "湖南省工业和信息化厅",
    "北京市经济和信息化局",
)
QUERIES = (
    "绿色工厂",
    "申报",
    "高新技术企业 region:北京",
    "绿色工厂 OR 绿色园区",
    "(绿色工厂 OR 绿色园区) -公示",
    '"专精特新 中小企业"',
    "title:申报 agency:工业和信息化部",
    "doc:工信厅",
    "section:绿色制造 节能",
    "数字化转型 OR 智能制造",
)
BATCH = 2000


def generated(count: int, rng: random.Random) -> list[ExtractedNotice]:
    seeds = load_seeds()
    records = []
    for n in range(count):
        seed = seeds[n % len(seeds)]
        paragraphs = list(seed.paragraphs)
        rng.shuffle(paragraphs)
        day = f"{rng.randint(2015, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        records.append(
            ExtractedNotice(
                source_url=f"https://www.example.gov.cn/notice/{n}.html",
                title=seed.title,
                doc_number=seed.doc_number,
                publish_date=day,
                body_text="\n".join(paragraphs),
                category=seed.section,
                region=rng.choice(REGIONS),
                agency=rng.choice(AGENCIES),
                deadlines=(Deadline(day, "请于此日前报送"),) if n % 5 == 0 else (),
            )
        )
    return records


def fill(db: Database, records: list[ExtractedNotice]) -> None:
    """Notices and versions in bulk, without the search rows (ensure_index adds them)."""
    now = datetime(2026, 11, 1)
    with db.session() as session:
        for start in range(0, len(records), BATCH):
            batch = records[start : start + BATCH]
            notices = [
                {
                    "id": start + i + 1,
                    "url": r.source_url,
                    "group_id": start + i + 1,
                    "source_name": "bench",
                    "title": r.title,
                    "doc_number": r.doc_number,
                    "publish_date": r.publish_date,
                    "category": r.category,
                    "region": r.region,
                    "agency": r.agency,
                    "first_seen": now,
                    "last_seen": now,
                }
                for i, r in enumerate(batch)
            ]
            session.execute(insert(Notice), notices)
            versions = [
                {
                    "notice_id": start + i + 1,
                    "number": 1,
                    "fetched_at": now,
                    "content_hash": str(start + i),
                    "record": r,
                    "reasons": [],
                }
                for i, r in enumerate(batch)
            ]
            session.execute(insert(NoticeVersion), versions)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notices", type=int, default=100_000)
    parser.add_argument("--store", help="a store URL (default: a new SQLite file in a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.store or f"sqlite:///{Path(folder) / 'bench.db'}"
        db = Database(url)
        started = time.perf_counter()
        fill(db, generated(args.notices, random.Random(7)))
        filled = time.perf_counter()
        search.ensure_index(db.engine)
        indexed = time.perf_counter()
        with db.session() as session:
            assert session.query(NoticeSearch).count() >= args.notices
        print(
            f"{args.notices} notices on {db.engine.dialect.name}: "
            f"stored in {filled - started:.1f} s, indexed in {indexed - filled:.1f} s"
        )
        print(f"{'query':<40} {'total':>7} {'first page ms (median of 3)':>28}")
        times = []
        for text in QUERIES:
            query = compile_query(text)
            runs = []
            for _ in range(3):
                begin = time.perf_counter()
                with db.session() as session:
                    page = search.search(session, query, limit=20)
                runs.append(time.perf_counter() - begin)
            times.append(statistics.median(runs))
            print(f"{text:<40} {page.total:>7} {statistics.median(runs) * 1000:>28.0f}")
        print(f"slowest query {max(times) * 1000:.0f} ms, median {statistics.median(times) * 1000:.0f} ms")
        db.close()


if __name__ == "__main__":
    main()
