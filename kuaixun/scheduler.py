"""``kuaixun schedule``: the unattended loop of the container, on config.yaml's cron lines.

The config is read again before every job, so an operator's edit takes effect without a
restart, and a broken edit is reported while the last good config keeps running. The store is
opened (and migrated) once, in the main thread, before any job; its ``store.url`` and
``data_dir`` stay those of the start. The jobs run one at a time in one worker thread, each
holding the run lock (kuaixun.lock) so that no other process's run overlaps it either.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler

from kuaixun.config import Config, ConfigError, load_config
from kuaixun.cron import crontab_trigger
from kuaixun.lock import RunLockHeld, run_lock
from kuaixun.service import crawl_and_report, digest_and_report, retry_and_report, summaries_and_report
from notify.subscriptions import SUMMARY_MODES
from store.db import Database

Echo = Callable[[str], None]
log = logging.getLogger("kuaixun.schedule")
MISFIRE_GRACE = 3600
JOB_LOCK_WAIT = 3600.0
"""Seconds a job waits for another process's run (an operator's ``kuaixun crawl``) before it gives up."""
FIXED_KEYS = ("store", "data_dir")
"""What the open store and its run lock were made from: an edit of them waits for a restart."""


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


def build_scheduler(watch: ConfigWatch, echo: Echo, db: Database) -> BlockingScheduler:
    """The crawl, digest and alert-summary jobs on the config's cron lines, on the open store ``db``.

    One worker thread: jobs due together run one after the other, never at once."""
    config = watch.current
    tz = config.schedule.timezone
    scheduler = BlockingScheduler(timezone=tz, executors={"default": ThreadPoolExecutor(max_workers=1)})

    def crawl_job(config: Config) -> None:
        crawl_and_report(config, echo, db=db)
        retry_and_report(config, echo, db=db)  # failed digest deliveries are retried with every crawl

    def digest_job(config: Config) -> None:
        digest_and_report(config, echo, db=db)

    def summaries_job(config: Config, mode: str) -> None:
        summaries_and_report(config, echo, (mode,), db=db)

    def locked(name: str, job: Callable[..., None]) -> Callable[..., None]:
        """The job on the newest config under the run lock; a config problem met in a job (a secret
        unset since start) or a run lock held too long is its line, not a traceback."""

        def run(*args: str) -> None:
            config = watch.refresh()
            zone = config.schedule.timezone
            try:
                with run_lock(config.data_dir, f"schedule: {name}", zone, echo, wait=JOB_LOCK_WAIT):
                    job(config, *args)
            except (ConfigError, RunLockHeld) as exc:
                echo(f"error: {exc}")

        return run

    jobs: list[tuple[str, Callable[..., None], str, tuple[str, ...]]] = [
        ("crawl", crawl_job, config.schedule.crawl, ()),
        ("digest", digest_job, config.schedule.digest, ()),
        # Instant alerts go out with each crawl; the daily and weekly summaries have jobs of their own.
        *(
            (f"summaries-{mode}", summaries_job, getattr(config.alerts, mode), (mode,))
            for mode in SUMMARY_MODES
        ),
    ]
    for job_id, function, crontab, args in jobs:
        # A job that overruns its slot is not started twice; a missed one runs once when possible.
        scheduler.add_job(
            locked(job_id, function),
            crontab_trigger(crontab, timezone=tz),
            args=args,
            id=job_id,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=MISFIRE_GRACE,
        )
    return scheduler


def run_schedule(path: Path, echo: Echo) -> None:
    watch = ConfigWatch(path, echo)
    config = watch.current
    for sending in ("channels", "alerts"):  # the unattended process sends: its secrets are checked now
        config.require_secrets(sending)
    with run_lock(config.data_dir, "schedule: open the store", config.schedule.timezone, echo, JOB_LOCK_WAIT):
        db = Database(config.store.url)  # migrated here, in the main thread, before any job runs
    scheduler = build_scheduler(watch, echo, db)
    echo(
        f"scheduled: crawl '{config.schedule.crawl}', digest '{config.schedule.digest}', "
        f"alert summaries '{config.alerts.daily}' / '{config.alerts.weekly}' "
        f"({config.schedule.timezone}); Ctrl-C to stop"
    )
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown(wait=False)
    finally:
        db.close()
