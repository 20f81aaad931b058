"""Sources' health and each run's per-source figures."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import Run, RunSource, Source


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
