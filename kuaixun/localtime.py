"""Times as a person reads them: the store keeps naive UTC, people read ``schedule.timezone``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def now_utc() -> datetime:
    """The time now as the store keeps it: naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


def local_time(moment: datetime, zone: str) -> datetime:
    """A stored moment (naive UTC) in ``zone``, zone-aware."""
    return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(zone))


def local_date(moment: datetime, zone: str) -> date:
    """The calendar day of ``zone`` at a stored moment: the day an issue is numbered and dated by."""
    return local_time(moment, zone).date()


def shown_time(moment: datetime | None, zone: str) -> str:
    """``2026-11-02 17:30 +0800`` for tables and report lines; ``-`` when there is none."""
    return f"{local_time(moment, zone):%Y-%m-%d %H:%M %z}" if moment else "-"
