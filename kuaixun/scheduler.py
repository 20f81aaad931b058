"""``kuaixun schedule``: the unattended loop of the container, on config.yaml's cron lines.

The config is read again before every job, so an operator's edit takes effect without a
restart, and a broken edit is reported while the last good config keeps running. The store is
opened (and migrated) once, in the main thread, before any job; its ``store.url`` and
``data_dir`` stay those of the start. The jobs run one at a time in one worker thread, each
holding the run lock (kuaixun.lock) so that no other process's run overlaps it either.

The jobs persist in the store (APScheduler's SQLAlchemy job store, table ``SCHEDULER_TABLE``),
so a job that fell due while the scheduler was down runs once at start if it is no more than
``schedule.grace`` late. SIGTERM or SIGINT stops taking jobs and lets the running one finish
within ``schedule.stop_timeout``.
"""

from __future__ import annotations

import logging
import math
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MISSED,
    JobExecutionEvent,
)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.job import Job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_RUNNING
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from kuaixun.config import Config, ConfigError, load_config
from kuaixun.cron import crontab_trigger
from kuaixun.localtime import shown_time
from kuaixun.lock import RunLockHeld, run_lock
from kuaixun.service import crawl_and_report, digest_and_report, retry_and_report, summaries_and_report
from notify.subscriptions import SUMMARY_MODES
from store.db import Database
from store.models import SCHEDULER_TABLE

Echo = Callable[[str], None]
log = logging.getLogger("kuaixun.schedule")
JOB_LOCK_WAIT = 3600.0
"""Seconds a job waits for another process's run (an operator's ``kuaixun crawl``) before it gives up."""
FIXED_KEYS = ("store", "data_dir")
"""What the open store and its run lock were made from: an edit of them waits for a restart."""
EXIT_OK, EXIT_JOB_FAILED, EXIT_STOP_TIMEOUT = 0, 1, 1
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
WAKE_EVERY = 1.0
"""Seconds between the main thread's looks at its stop flag (a signal also wakes it at once)."""
STORE_RETRY = 5.0
"""Seconds between two tries of a job-store write that found the store locked by a job's write."""
STORE_PATIENCE = 3600.0
"""Seconds a job-store write keeps trying: no job holds a write transaction for an hour."""


class ConfigWatch:
    """The newest valid config, re-read on demand."""

    def __init__(self, path: Path, echo: Echo) -> None:
        self.path, self.echo = path, echo
        self.current: Config = load_config(path)

    def refresh(self) -> Config:
        try:
            config = load_config(self.path)
        except ConfigError as exc:
            self.echo(f"error: {exc} (keeping the last good config)")
            return self.current
        edited = [key for key in FIXED_KEYS if getattr(config, key) != getattr(self.current, key)]
        if edited:
            self.echo(f"{', '.join(edited)} changed in {self.path}: used after `kuaixun schedule` restarts")
            config = config.model_copy(update={key: getattr(self.current, key) for key in edited})
        self.current = config
        return self.current


def _crawl(config: Config, echo: Echo, db: Database) -> None:
    crawl_and_report(config, echo, db=db)
    retry_and_report(config, echo, db=db)  # failed digest deliveries are retried with every crawl


def _digest(config: Config, echo: Echo, db: Database) -> None:
    digest_and_report(config, echo, db=db)


def _summaries(mode: str) -> Callable[[Config, Echo, Database], None]:
    def send(config: Config, echo: Echo, db: Database) -> None:
        summaries_and_report(config, echo, (mode,), db=db)

    return send


WORK: dict[str, Callable[[Config, Echo, Database], None]] = {
    "crawl": _crawl,
    "digest": _digest,
    # Instant alerts go out with each crawl; the daily and weekly summaries have jobs of their own.
    **{f"summaries-{mode}": _summaries(mode) for mode in SUMMARY_MODES},
}
"""Each job's work by its id: the persisted jobs name only the id."""


def crontab_of(config: Config, job_id: str) -> str:
    """The config's cron line of a job."""
    if job_id.startswith("summaries-"):
        return str(getattr(config.alerts, job_id.removeprefix("summaries-")))
    return str(getattr(config.schedule, job_id))


@dataclass
class JobRunner:
    """Runs the jobs of one scheduler, one at a time, and stops taking them when asked."""

    watch: ConfigWatch
    echo: Echo
    db: Database
    running: str | None = None
    idle: threading.Event = field(default_factory=threading.Event)
    _stopping: bool = False
    _guard: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.idle.set()

    def run(self, job_id: str) -> None:
        """The job on the newest config under the run lock; a config problem met in a job (a secret
        unset since start) or a run lock held too long is its line, not a traceback."""
        with self._guard:  # a stop either comes before this job starts or waits for it to end
            if self._stopping:
                self.echo(f"{job_id}: not started, the scheduler is stopping")
                return
            self.idle.clear()
            self.running = job_id
        try:
            config = self.watch.refresh()
            zone = config.schedule.timezone
            with run_lock(config.data_dir, f"schedule: {job_id}", zone, self.echo, wait=JOB_LOCK_WAIT):
                WORK[job_id](config, self.echo, self.db)
        except (ConfigError, RunLockHeld) as exc:
            self.echo(f"error: {exc}")
        finally:
            self.running = None
            self.idle.set()

    def stop(self, timeout: float) -> bool:
        """Take no more jobs; True once none runs, False if one still runs after ``timeout`` seconds."""
        with self._guard:
            self._stopping = True
        return self.idle.wait(timeout)


class PatientJobStore(SQLAlchemyJobStore):
    """APScheduler's SQLAlchemy job store, whose writes wait out a running job's write transaction.

    The scheduler writes a job's next run time while the previous job may be writing the store
    (SQLite: one writer at a time); a failed write would end APScheduler's loop thread, which
    catches only failed reads."""

    def add_job(self, job: Job) -> None:
        _patiently(lambda: super(PatientJobStore, self).add_job(job))

    def update_job(self, job: Job) -> None:
        _patiently(lambda: super(PatientJobStore, self).update_job(job))

    def remove_job(self, job_id: str) -> None:
        _patiently(lambda: super(PatientJobStore, self).remove_job(job_id))


def _patiently(write: Callable[[], None]) -> None:
    deadline = time.monotonic() + STORE_PATIENCE
    while True:
        try:
            return write()
        except OperationalError as exc:
            if time.monotonic() > deadline:
                raise
            reason = str(exc.orig).split("\n")[0]
            log.warning("the job store cannot be written now (%s): trying again in %g s", reason, STORE_RETRY)
            time.sleep(STORE_RETRY)


class Scheduler(BackgroundScheduler):
    """APScheduler's background scheduler, taking no job once paused or shut down.

    Its loop thread makes one more pass after ``shutdown``; there it would advance the due jobs it
    can no longer submit, and a job due at the stop would be lost instead of run at the next start."""

    def _process_jobs(self) -> float | None:
        if self.state != STATE_RUNNING:
            return None
        return super()._process_jobs()  # type: ignore[no-any-return]


_runner: JobRunner | None = None
"""The runner of the scheduler built last: a persisted job names only ``scheduled_job`` and its id."""


def scheduled_job(job_id: str) -> None:
    """What every stored job calls (APScheduler stores a function by its import path)."""
    if _runner is None:
        raise RuntimeError(f"job {job_id}: no scheduler was built in this process")
    _runner.run(job_id)


def stored_next_runs(db: Database) -> dict[str, datetime]:
    """When each persisted job was next due (zone-aware UTC), as the last scheduler left them."""
    store = SQLAlchemyJobStore(engine=db.engine, tablename=SCHEDULER_TABLE)
    store.jobs_t.create(db.engine, checkfirst=True)  # beside Alembic's tables, which ignore it
    table = store.jobs_t
    with db.engine.begin() as connection:
        rows = connection.execute(select(table.c.id, table.c.next_run_time)).all()
    return {job_id: datetime.fromtimestamp(at, UTC) for job_id, at in rows if at is not None}


def build_scheduler(
    watch: ConfigWatch, echo: Echo, db: Database, crawl_now: bool = False
) -> BackgroundScheduler:
    """The crawl, digest and alert-summary jobs on the config's cron lines, persisted in ``db``.

    A job whose stored due time has passed (missed while down) keeps it: started, the scheduler
    runs it once if it is within ``schedule.grace``. ``crawl_now``: the crawl is due at start.
    One worker thread: jobs due together run one after the other, never at once."""
    global _runner
    config = watch.current
    tz = config.schedule.timezone
    _runner = JobRunner(watch, echo, db)
    scheduler = Scheduler(
        timezone=tz,
        executors={"default": ThreadPoolExecutor(max_workers=1)},
        jobstores={"default": PatientJobStore(engine=db.engine, tablename=SCHEDULER_TABLE)},
    )
    now = datetime.now(UTC)
    missed = {job_id: at for job_id, at in stored_next_runs(db).items() if at <= now}
    if crawl_now:
        missed["crawl"] = now
    grace = math.ceil(config.schedule.grace)
    for job_id in WORK:
        due = {"next_run_time": missed[job_id]} if job_id in missed else {}
        # A job that overruns its slot is not started twice; a missed one runs once when possible.
        scheduler.add_job(
            scheduled_job,
            crontab_trigger(crontab_of(config, job_id), timezone=tz),
            args=(job_id,),
            id=job_id,
            name=job_id,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=grace,
            replace_existing=True,
            **due,
        )
    scheduler.add_listener(_missed_line(echo, tz), EVENT_JOB_MISSED)
    return scheduler


def _missed_line(echo: Echo, zone: str) -> Callable[[JobExecutionEvent], None]:
    def said(event: JobExecutionEvent) -> None:
        at = shown_time(event.scheduled_run_time.astimezone(UTC).replace(tzinfo=None), zone)
        echo(f"{event.job_id}: the run due {at} was missed by more than schedule.grace: skipped")

    return said


def due_at_start(scheduler: BackgroundScheduler) -> list[str]:
    """The ids of the jobs a scheduler not yet started will run at once."""
    now = datetime.now(UTC)
    return [
        job.id
        for job in scheduler.get_jobs()
        if getattr(job, "next_run_time", None) and job.next_run_time <= now
    ]


def next_run_lines(scheduler: BackgroundScheduler, zone: str) -> list[str]:
    """``next crawl: 2026-11-29 12:00 +0800`` for each job of a scheduler not yet started."""
    now = datetime.now(UTC)
    lines = []
    for job in scheduler.get_jobs():
        at = getattr(job, "next_run_time", None) or job.trigger.get_next_fire_time(None, now)
        when = shown_time(at.astimezone(UTC).replace(tzinfo=None), zone)
        lines.append(f"next {job.id}: {when}" + (" (due now)" if at <= now else ""))
    return lines


@dataclass
class StopFlag:
    """Set by SIGTERM/SIGINT (naming the signal) or, with ``--once``, when the due jobs are done."""

    event: threading.Event = field(default_factory=threading.Event)
    signal_name: str | None = None

    def on_signal(self, signum: int, _frame: FrameType | None) -> None:
        self.signal_name = signal.Signals(signum).name
        self.event.set()


def run_schedule(path: Path, echo: Echo, crawl_now: bool = False, once: bool = False) -> int:
    """Run the jobs until SIGTERM/SIGINT (``once``: until the jobs due at start are done); the exit status."""
    watch = ConfigWatch(path, echo)
    config = watch.current
    for sending in ("channels", "alerts"):  # the unattended process sends: its secrets are checked now
        config.require_secrets(sending)
    with run_lock(config.data_dir, "schedule: open the store", config.schedule.timezone, echo, JOB_LOCK_WAIT):
        db = Database(config.store.url)  # migrated here, in the main thread, before any job runs
    stop = StopFlag()
    previous = {sig: signal.signal(sig, stop.on_signal) for sig in STOP_SIGNALS}
    try:
        scheduler = build_scheduler(watch, echo, db, crawl_now)
        return _serve(scheduler, config, echo, stop, once)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        db.close()


def _serve(scheduler: BackgroundScheduler, config: Config, echo: Echo, stop: StopFlag, once: bool) -> int:
    runner, zone = _runner, config.schedule.timezone
    assert runner is not None, "build_scheduler makes the runner"
    echo(
        f"scheduled: crawl '{config.schedule.crawl}', digest '{config.schedule.digest}', "
        f"alert summaries '{config.alerts.daily}' / '{config.alerts.weekly}' ({zone}); "
        + ("running the jobs due now, then exiting" if once else "SIGTERM or Ctrl-C to stop")
    )
    for line in next_run_lines(scheduler, zone):
        echo(line)
    outcome = _Outcome(set(due_at_start(scheduler)) if once else None, stop)
    scheduler.add_listener(outcome.heard, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED)
    if once and not outcome.waiting:
        echo("nothing is due")
        stop.event.set()
    scheduler.start()
    while not stop.event.wait(WAKE_EVERY):
        pass
    if stop.signal_name:
        running = runner.running
        busy = f"; letting {running} finish (up to {config.schedule.stop_timeout:g} s)" if running else ""
        echo(f"{stop.signal_name}: stopping, no new job{busy}")
    scheduler.shutdown(wait=False)  # no new job is taken; the running one goes on in its thread
    if not runner.stop(config.schedule.stop_timeout):
        echo(
            f"error: {runner.running} still runs after schedule.stop_timeout "
            f"({config.schedule.stop_timeout:g} s): exiting without it"
        )
        logging.shutdown()
        os._exit(EXIT_STOP_TIMEOUT)  # the worker thread cannot be joined; the kernel frees the run lock
    echo("stopped")
    return EXIT_JOB_FAILED if outcome.failed else EXIT_OK


@dataclass
class _Outcome:
    """Which jobs failed; with ``--once``, which of those due at start have still to end."""

    waiting: set[str] | None
    stop: StopFlag
    failed: list[str] = field(default_factory=list)

    def heard(self, event: JobExecutionEvent) -> None:
        if event.code == EVENT_JOB_ERROR:
            self.failed.append(event.job_id)
        if self.waiting is not None:
            self.waiting.discard(event.job_id)
            if not self.waiting:
                self.stop.event.set()
