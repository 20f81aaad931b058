"""Sources' health and each run's per-source figures."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from crawlers.items import RequestFigures
from store.models import Run, RunCost, RunSource, Source


def start_run(session: Session, now: datetime) -> Run:
    run = Run(started_at=now)
    session.add(run)
    session.flush()
    return run


def record_source(
    session: Session,
    run: Run,
    figures: RunSource,
    *,
    agency: str,
    region: str,
    listing_url: str,
    now: datetime,
) -> Source:
    """Add one source's figures to the run and update the source's health."""
    run.sources.append(figures)
    source = session.scalar(select(Source).where(Source.name == figures.source_name))
    if source is None:
        source = Source(name=figures.source_name, consecutive_failures=0)
        session.add(source)
    source.agency, source.region, source.listing_url = agency, region, listing_url
    source.last_run_at = now
    if figures.status == "ok":
        source.last_ok_at, source.last_error, source.consecutive_failures = now, None, 0
    else:
        source.last_error = figures.error
        source.consecutive_failures = (source.consecutive_failures or 0) + 1
    return source


def finish_run(run: Run, now: datetime, problem: str | None = None, *, interrupted: bool = False) -> None:
    """Close the run: ``problem`` says why the crawl did not complete (failed, or ``interrupted``)."""
    run.finished_at, run.reason = now, problem
    if interrupted:
        run.status = "interrupted"
    elif problem:
        run.status = "failed"
    else:
        run.status = "ok" if all(s.status == "ok" for s in run.sources) else "partial"


def sources(session: Session) -> list[Source]:
    """Every source the store has seen run, by name."""
    return list(session.scalars(select(Source).order_by(Source.name)))


def record_cost(session: Session, run: Run, source_name: str, cost: RequestFigures) -> None:
    """What the run's requests to one source cost."""
    values = {f.name: getattr(cost, f.name) for f in fields(cost)}
    session.add(RunCost(run_id=run.id, source_name=source_name, **values))


def cost_of(row: RunCost) -> RequestFigures:
    return RequestFigures(**{f.name: getattr(row, f.name) for f in fields(RequestFigures)})


def recent_runs(session: Session, limit: int) -> list[Run]:
    """The last ``limit`` runs, newest first."""
    return list(session.scalars(select(Run).order_by(Run.id.desc()).limit(limit)))


def costs(session: Session, run_ids: list[int]) -> list[RunCost]:
    """The cost rows of these runs."""
    return list(session.scalars(select(RunCost).where(RunCost.run_id.in_(run_ids)).order_by(RunCost.id)))


def source_rows(session: Session, source_name: str, limit: int) -> list[tuple[RunSource, RunCost | None]]:
    """A source's figures in its last ``limit`` runs, newest first, each with its cost when recorded."""
    query = (
        select(RunSource, RunCost)
        .outerjoin(RunCost, and_(RunCost.run_id == RunSource.run_id, RunCost.source_name == source_name))
        .where(RunSource.source_name == source_name)
        .order_by(RunSource.run_id.desc())
        .limit(limit)
    )
    return [(figures, cost) for figures, cost in session.execute(query)]
