"""``kuaixun runs``: the recent crawl runs, each with its sources' outcome and what its requests cost."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crawlers.items import RequestFigures
from kuaixun.localtime import shown_time
from store import runs
from store.db import Database
from store.models import Run


@dataclass(frozen=True)
class RunSummary:
    """One run: when, how its sources went, what they yielded and cost."""

    id: int
    started: datetime
    finished: datetime | None
    status: str
    sources: int
    failed: list[str]
    new: int
    revised: int
    requests: RequestFigures

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "started": self.started.isoformat(timespec="seconds") + "Z",
            "finished": self.finished.isoformat(timespec="seconds") + "Z" if self.finished else None,
            "status": self.status,
            "sources": self.sources,
            "failed": self.failed,
            "new": self.new,
            "revised": self.revised,
            "requests": self.requests.to_json(),
        }

    def line(self, zone: str) -> str:
        failed = f"  failed: {', '.join(self.failed)}" if self.failed else ""
        head = f"#{self.id:<5} {shown_time(self.started, zone)}  {self.status:<8} {self.sources} source(s)"
        return f"{head}  new {self.new} revised {self.revised}{failed}\n       {self.requests.line()}"


def recent_runs(db: Database, limit: int) -> list[RunSummary]:
    """The last ``limit`` runs, newest first."""
    with db.session() as session:
        found = runs.recent_runs(session, limit)
        costs = runs.costs(session, [run.id for run in found])
        return [_summary(run, [runs.cost_of(c) for c in costs if c.run_id == run.id]) for run in found]


def _summary(run: Run, costs: list[RequestFigures]) -> RunSummary:
    return RunSummary(
        id=run.id,
        started=run.started_at,
        finished=run.finished_at,
        status=run.status,
        sources=len(run.sources),
        failed=[s.source_name for s in run.sources if s.status == "failed"],
        new=sum(s.new for s in run.sources),
        revised=sum(s.revised for s in run.sources),
        requests=RequestFigures.total(costs),
    )
