"""``kuaixun sources``: each source's health with what it costs and yields, from the runs the store kept."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kuaixun.config import Config
from kuaixun.health import SourceHealth, source_health
from kuaixun.localtime import shown_time
from store import runs
from store.db import Database
from store.models import RunCost, RunSource

RECENT_RUNS = 10
"""Runs of a source the figures sum or average: about a day at the default schedule (every 2 h)."""


@dataclass(frozen=True)
class SourceFigures:
    """One source's health, with its last run's requests and its recent runs' yield and duration."""

    health: SourceHealth
    requests: int
    """Requests of its last run (304s included)."""
    not_modified: int
    new: int
    """New pages over its last ``RECENT_RUNS`` runs."""
    revised: int
    average_seconds: float | None
    """Mean duration of its recent runs whose cost was recorded; None before any."""

    def to_json(self) -> dict[str, Any]:
        return self.health.to_json() | {
            "requests": self.requests,
            "not_modified": self.not_modified,
            "new": self.new,
            "revised": self.revised,
            "average_seconds": self.average_seconds,
            "recent_runs": RECENT_RUNS,
        }


def source_figures(config: Config, db: Database) -> list[SourceFigures]:
    """One entry per configured source, in config order."""
    health = source_health(config, db)
    with db.session() as session:
        return [_figures(h, runs.source_rows(session, h.name, RECENT_RUNS)) for h in health]


def _figures(health: SourceHealth, rows: list[tuple[RunSource, RunCost | None]]) -> SourceFigures:
    costs = [runs.cost_of(cost) for _, cost in rows if cost is not None]
    last = costs[0] if rows and rows[0][1] is not None else None
    return SourceFigures(
        health,
        requests=last.requests if last else 0,
        not_modified=last.not_modified if last else 0,
        new=sum(figures.new for figures, _ in rows),
        revised=sum(figures.revised for figures, _ in rows),
        average_seconds=round(sum(c.seconds for c in costs) / len(costs), 1) if costs else None,
    )


def format_sources(figures: list[SourceFigures], zone: str) -> str:
    """The table (times in ``zone``); below it each failing source's last error."""
    head = f"{'source':<14} {'state':<20} {'last success':<22} {'fails':>5} {'requests':>12} "
    lines = [head + f"{'new/revised':>12} {'avg s':>6}"]
    for f in figures:
        h = f.health
        requests = f"{f.requests} ({f.not_modified} 304)" if f.not_modified else str(f.requests)
        seconds = f"{f.average_seconds:.1f}" if f.average_seconds is not None else "-"
        lines.append(
            f"{h.name:<14} {h.state:<20} {shown_time(h.last_ok, zone):<22} {h.failures_in_a_row:>5} "
            f"{requests:>12} {f'{f.new}/{f.revised}':>12} {seconds:>6}"
        )
    lines.append(f"requests: the last run's; new/revised and avg s: the last {RECENT_RUNS} runs")
    failing = [f.health for f in figures if f.health.failing]
    if failing:
        lines.append("")
        lines += [f"{h.name}: {h.last_error}" for h in failing]
    return "\n".join(lines)
