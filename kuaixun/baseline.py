"""``kuaixun baseline``: a first run without a flood.

A new store (or a newly added source) knows every notice its sites ever listed; the first issue
would carry them all. A baseline marks every version no issue has carried as already seen, so the
next issue holds only what appears after it. ``--before DATE`` marks only notices published before
that day (one with no date is left for the issue).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from kuaixun.config import Config
from kuaixun.delivery import waiting_notices
from pipeline.classify import OTHER
from store import digests, editorial
from store.db import Database
from store.digests import ANY_TIME, Period


@dataclass(frozen=True)
class Baseline:
    marked: int
    """Notice versions marked as seen now."""
    left: int
    """Notices the next issue would still carry (published on or after ``before``, or undated)."""


def baseline(
    config: Config, db: Database, editor: str, now: datetime, before: date | None = None
) -> Baseline:
    """Mark as seen every version no issue carried (published before ``before``, if given)."""
    period = ANY_TIME if before is None else Period(until=(before - timedelta(days=1)).isoformat())
    with db.session() as session:
        versions = digests.pending_versions(session, (*config.classify.names, OTHER), period)
        marked = editorial.mark_seen(session, [v.id for v in versions], editor, now)
    return Baseline(marked, waiting_notices(config, db))


def summary(result: Baseline) -> str:
    return (
        f"baseline: {result.marked} notice version(s) marked as already seen; "
        f"{result.left} notice(s) still wait for the next issue"
    )
