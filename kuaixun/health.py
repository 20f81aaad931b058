"""Source health for the operator: which sources work, and since when one does not."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from kuaixun.config import Config
from kuaixun.localtime import shown_time
from store import runs
from store.db import Database
from store.models import Source


@dataclass(frozen=True)
class SourceHealth:
    name: str
    agency: str
    last_run: datetime | None
    last_ok: datetime | None
    failures_in_a_row: int
    last_error: str | None

    @property
    def failing(self) -> bool:
        return self.failures_in_a_row > 0

    @property
    def state(self) -> str:
        if self.last_run is None:
            return "never run"
        return f"FAILING ({self.failures_in_a_row} run(s))" if self.failing else "ok"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("last_run", "last_ok"):
            data[key] = data[key].isoformat(timespec="seconds") + "Z" if data[key] else None
        return data | {"state": self.state}


def source_health(config: Config, db: Database) -> list[SourceHealth]:
    """One entry per configured source, in config order, from the runs the store recorded."""
    with db.session() as session:
        known = {s.name: s for s in runs.sources(session)}
    return [_health(source.name, source.agency, known.get(source.name)) for source in config.sources]


def _health(name: str, agency: str, row: Source | None) -> SourceHealth:
    if row is None:
        return SourceHealth(name, agency, None, None, 0, None)
    error = (row.last_error or "").split("\n")[0] or None
    return SourceHealth(name, agency, row.last_run_at, row.last_ok_at, row.consecutive_failures, error)


def format_health(health: list[SourceHealth], zone: str) -> str:
    """A table for the terminal (times in ``zone``); the failing sources with their last error below it."""
    lines = [f"{'source':<14} {'state':<20} {'last run':<22} {'last ok':<22}"]
    for h in health:
        last_run, last_ok = shown_time(h.last_run, zone), shown_time(h.last_ok, zone)
        lines.append(f"{h.name:<14} {h.state:<20} {last_run:<22} {last_ok:<22}")
    failing = [h for h in health if h.failing]
    if failing:
        lines.append("")
        lines += [f"{h.name}: {h.last_error}" for h in failing]
    return "\n".join(lines)
