"""``kuaixun schedule``: the unattended loop of the container, on config.yaml's cron lines.

The config is read again before every job, so an operator's edit takes effect without a
restart, and a broken edit is reported while the last good config keeps running.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from kuaixun.alerts import send_summaries
from kuaixun.config import Config, ConfigError, load_config
from kuaixun.service import crawl_and_report, digest_and_report
from notify.subscriptions import SUMMARY_MODES
from store.db import Database

Echo = Callable[[str], None]
log = logging.getLogger("kuaixun.schedule")


class ConfigWatch:
    """The newest valid config, re-read on demand."""

    def __init__(self, path: Path, echo: Echo) -> None:
        self.path, self.echo = path, echo
        self.current: Config = load_config(path)

    def refresh(self) -> Config:
        try:
            self.current = load_config(self.path)
        except ConfigError as exc:
            self.echo(f"error: {exc} (keeping the last good config)")
        return self.current


def run_schedule(path: Path, echo: Echo) -> None:
    watch = ConfigWatch(path, echo)
    config = watch.current
    scheduler = BlockingScheduler(timezone=config.schedule.timezone)
    tz = config.schedule.timezone

    def crawl_job() -> None:
        crawl_and_report(watch.refresh(), echo)

    def digest_job() -> None:
        digest_and_report(watch.refresh(), echo)

    def summaries_job(mode: str) -> None:
        config = watch.refresh()
        db = Database(config.store.url)
        try:
            send_summaries(config, db, echo, (mode,))
        finally:
            db.close()

    # One crawl at a time; a crawl that overruns its slot is not started twice.
    scheduler.add_job(
        crawl_job,
        CronTrigger.from_crontab(config.schedule.crawl, timezone=tz),
        id="crawl",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=600,
    )
    scheduler.add_job(
        digest_job,
        CronTrigger.from_crontab(config.schedule.digest, timezone=tz),
        id="digest",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=3600,
    )
    # Instant alerts go out with each crawl; the daily and weekly summaries have jobs of their own.
    for mode in SUMMARY_MODES:
        scheduler.add_job(
            summaries_job,
            CronTrigger.from_crontab(getattr(config.alerts, mode), timezone=tz),
            args=(mode,),
            id=f"summaries-{mode}",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=3600,
        )
    echo(
        f"scheduled: crawl '{config.schedule.crawl}', digest '{config.schedule.digest}', "
        f"alert summaries '{config.alerts.daily}' / '{config.alerts.weekly}' ({tz}); Ctrl-C to stop"
    )
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown(wait=False)
