"""A larger simulated web: more notices generated from the seeds' own, for crawl benchmarks.

Each generated notice is a seed notice (its body, attachments, signers, section) given a new
title, 文号 and date, so that it is a notice of its own to the crawler: a new page on the same
site as its seed (the seed's printed URL is taken already, so the catalog places it in the
site's path pattern with a new id), dated earlier, listed under the seeds on the site's pager.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta

from simulator.catalog import seed_date
from simulator.seednotice import SeedNotice

DATE_SPREAD_DAYS = 730
"""Generated notices are dated up to two years before their seed: a site's pages spread over its
pager by date, as a real column's archive is."""
_DOC_YEAR = re.compile(r"〔\d{4}〕")
_DOC_SERIAL = re.compile(r"\d+(?=号$)")


def scaled_seeds(seeds: Sequence[SeedNotice], extra: int) -> list[SeedNotice]:
    """``seeds`` followed by ``extra`` notices generated from them in turn (ValueError below 0)."""
    if extra < 0:
        raise ValueError(f"scale must be 0 or more, not {extra}")
    if not seeds:
        return []
    return [*seeds, *(variant(seeds[n % len(seeds)], n) for n in range(extra))]


def variant(seed: SeedNotice, n: int) -> SeedNotice:
    """The ``n``-th notice made from ``seed``: a batch number in its title, its own 文号 and date."""
    day = seed_date(seed) - timedelta(days=1 + n % DATE_SPREAD_DAYS)
    doc_number = seed.doc_number
    if doc_number:
        doc_number = _DOC_SERIAL.sub(str(1000 + n), _DOC_YEAR.sub(f"〔{day.year}〕", doc_number))
    return replace(
        seed,
        title=f"{seed.title}（第{n + 2}批）",
        doc_number=doc_number,
        date=day.isoformat(),
    )
