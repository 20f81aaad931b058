"""``kuaixun schedule``: the unattended loop of the container, on config.yaml's cron lines.

The config is read again before every job, so an operator's edit takes effect without a
restart, and a broken edit is reported while the last good config keeps running.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from apscheduler.schedulers.blocking import BlockingScheduler

from kuaixun.config import Config, ConfigError, load_config
from kuaixun.cron import crontab_trigger
from kuaixun.service import crawl_and_report, digest_and_report, retry_and_report, summaries_and_report
from notify.subscriptions import SUMMARY_MODES

Echo = Callable[[str], None]
log = logging.getLogger("kuaixun.schedule")
MISFIRE_GRACE = 3600


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


def build_scheduler(watch: ConfigWatch, echo: Echo) -> BlockingScheduler:
    """The crawl, digest and alert-summary jobs on the config's cron lines, each one at a time."""
    config = watch.current
    tz = config.schedule.timezone
    scheduler = BlockingScheduler(timezone=tz)

    def crawl_job() -> None:
        config = watch.refresh()
        crawl_and_report(config, echo)
        retry_and_report(config, echo)  # failed digest deliveries are retried with every crawl

    def digest_job() -> None:
        digest_and_report(watch.refresh(), echo)

    def summaries_job(mode: str) -> None:
        summaries_and_report(watch.refresh(), echo, (mode,))

    def one_line_errors(job: Callable[..., None]) -> Callable[..., None]:
        """A config problem met in a job (a secret unset since start) is its line, not a traceback."""

        def run(*args: str) -> None:
            try:
                job(*args)
            except ConfigError as exc:
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
            one_line_errors(function),
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
    scheduler = build_scheduler(watch, echo)
    echo(
        f"scheduled: crawl '{config.schedule.crawl}', digest '{config.schedule.digest}', "
        f"alert summaries '{config.alerts.daily}' / '{config.alerts.weekly}' "
        f"({config.schedule.timezone}); Ctrl-C to stop"
    )
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown(wait=False)
