"""Crontab lines as the operator writes them, turned into APScheduler triggers.

APScheduler 3 numbers weekdays from Monday = 0, while crontab numbers them from
Sunday = 0 (7 too): ``0 17 * * 5`` must mean Friday, so numeric weekdays are rewritten
to names before the trigger is built.
"""

from __future__ import annotations

import re

from apscheduler.triggers.cron import CronTrigger

WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
RANGE = re.compile(r"^(\d+)-(\d+)(/\d+)?$")


def crontab_trigger(line: str, timezone: str | None = None) -> CronTrigger:
    """A trigger for a five-field crontab line, weekdays read the crontab way; ValueError if malformed."""
    fields = line.split()
    if len(fields) != 5:
        raise ValueError(f"Wrong number of fields; got {len(fields)}, expected 5")
    minute, hour, day, month, weekday = fields
    return CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=crontab_weekdays(weekday),
        timezone=timezone,
    )


def crontab_weekdays(field: str) -> str:
    """Crontab weekday numbers (0 or 7 = Sunday) as APScheduler weekday names."""
    return ",".join(_item(item) for item in field.split(","))


def _item(item: str) -> str:
    if item.isdigit():
        return WEEKDAYS[int(item) % 7]
    match = RANGE.match(item)
    if match is None:
        return item  # *, */2, names: the same in both
    start, end, step = int(match.group(1)), int(match.group(2)), match.group(3) or ""
    if start == 0 and not step:  # Sunday first: APScheduler's week ends on Sunday
        return "sun" + (f",mon-{WEEKDAYS[end % 7]}" if end >= 1 else "")
    return f"{WEEKDAYS[start % 7]}-{'sun' if end == 7 else WEEKDAYS[end]}{step}"
