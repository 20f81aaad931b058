"""A store of N notices (default 100,000) made from the seeds' notices, for the store benchmarks.

Each notice is a seed notice under a new URL on one of the simulated sites' hosts, with a new
publish date, its section, region and agency from the seed; one in ten has a second version.
Rows go in through bulk inserts of the store's own tables (store.models), the record as the
store keeps it (NoticeRecord, pipeline.records), with its search row (store.search), so every
command reads it as a crawled one. SQLite or PostgreSQL:

    python bench/make_store.py sqlite:////tmp/kx100k.db [--notices 100000]
    python bench/make_store.py postgresql+psycopg://kuaixun@127.0.0.1:PORT/kx100k
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.records import ExtractedNotice
from simulator.seednotice import SeedNotice
from simulator.seeds import load_seeds
from simulator.sites import SITES
from store import search
from store.db import Database
from store.models import Notice, NoticeRegion, NoticeSearch, NoticeVersion

BATCH = 5_000
"""Rows per INSERT executemany: large enough to amortise, small enough to keep memory flat."""
REVISED_EVERY = 10
"""One notice in this many gets a second version (a 更正), as the latest-version queries must skip."""
FIRST_DAY = date(2015, 1, 1)
DAYS = 4_000
"""Publish dates spread over about eleven years."""
SEEN = datetime(2026, 11, 1, 8, 0)


def record_of(seed: SeedNotice, n: int, rng: random.Random) -> ExtractedNotice:
    """Seed ``seed`` as the ``n``-th notice: a new URL, host and date; its own text and section."""
    site = SITES[n % len(SITES)]
    published = (FIRST_DAY + timedelta(days=rng.randrange(DAYS))).isoformat()
    body = "\n".join(seed.paragraphs)
    return ExtractedNotice(
        source_url=f"http://{site.host}/bench/{n // 1000}/art_{n}.html",
        title=seed.title,
        doc_number=seed.doc_number and f"{seed.doc_number}-{n}",
        publish_date=published,
        issuer="、".join(seed.signers) or None,
        addressee=seed.addressee,
        body_text=body,
        body_html="".join(f"<p>{p}</p>" for p in seed.paragraphs),
        category=seed.section,
        region=site.region,
        agency=seed.signers[0] if seed.signers else None,
        regions=(site.region,),
        agencies=seed.signers,
    )


def notice_row(n: int, record: ExtractedNotice) -> dict:
    return {
        "id": n,
        "url": record.source_url,
        "group_id": n,
        "source_name": SITES[n % len(SITES)].name,
        "title": record.title,
        "doc_number": record.doc_number,
        "publish_date": record.publish_date,
        "category": record.category or "其他",
        "region": record.region,
        "agency": record.agency,
        "first_seen": SEEN,
        "last_seen": SEEN,
    }


def version_row(n: int, number: int, record: ExtractedNotice) -> dict:
    return {
        "notice_id": n,
        "number": number,
        "fetched_at": SEEN + timedelta(days=number - 1),
        "content_hash": f"bench-{n}-{number}",
        "record": record,
        "reasons": ["bench: the seed's section"],
        "diff": None,
    }


def make_store(url: str, count: int, seed: int = 13) -> None:
    """Fill the new store ``url`` with ``count`` notices (refuses a store that holds notices)."""
    seeds, rng = load_seeds(), random.Random(seed)
    db = Database(url)
    try:
        with db.session() as session:
            if session.query(Notice.id).first() is not None:
                raise SystemExit(f"{url} already holds notices: make_store fills only a new store")
        with search.index_suspended(db.engine):
            fill(db, count, seeds, rng)
        if db.engine.dialect.name == "postgresql":
            # ids were given: the next notice stored takes the next one
            with db.session() as session:
                session.execute(text("SELECT setval('notices_id_seq', (SELECT max(id) FROM notices))"))
            # Statistics, as autovacuum gathers them in a store that grew: without them the planner
            # takes the never-analysed empty digest_items for a filter that keeps one row in 500,
            # and sorts every waiting notice for the digest selection (2 s; 0.15 s with them)
            with db.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    finally:
        db.close()


def fill(db: Database, count: int, seeds: list[SeedNotice], rng: random.Random) -> None:
    """Notices 1 … ``count``, their versions and search rows, in batches."""
    for start in range(1, count + 1, BATCH):
        notices, versions, rows, regions = [], [], [], []
        for n in range(start, min(start + BATCH, count + 1)):
            record = record_of(seeds[n % len(seeds)], n, rng)
            notices.append(notice_row(n, record))
            versions.append(version_row(n, 1, record))
            if n % REVISED_EVERY == 0:
                record = replace(record, body_text=record.body_text + "\n（更正）")
                versions.append(version_row(n, 2, record))
            rows.append(search.search_values(n, record))  # what searches see: the newest version
            regions.extend(search.region_rows(n, str(rows[-1]["regions"])))
        with db.session() as session:
            session.execute(insert(Notice), notices)
            session.execute(insert(NoticeVersion), versions)
            session.execute(insert(NoticeSearch), rows)
            session.execute(insert(NoticeRegion), regions)
        print(f"\r{min(start + BATCH - 1, count)} notices", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="a new store, e.g. sqlite:////tmp/kx100k.db")
    parser.add_argument("--notices", type=int, default=100_000)
    args = parser.parse_args()
    make_store(args.url, args.notices)


if __name__ == "__main__":
    main()
