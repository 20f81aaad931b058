"""``kuaixun schedule``: jobs on config.yaml's cron lines; a broken edit keeps the last good config."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from kuaixun.scheduler import ConfigWatch, build_scheduler
from store.db import Database
from tests.stores import store_url

CONFIG = """
schedule: {timezone: Asia/Shanghai, crawl: "15 8-20/2 * * *", digest: "30 9 1,11,21 * *"}
alerts: {daily: "0 17 * * *", weekly: "0 17 * * 5"}
sources:
  - {name: ndrc, agency: 国家发展改革委, listing_url: "https://www.ndrc.gov.cn/xxgk/zcfb/tz/"}
"""


def test_jobs_follow_the_cron_lines(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    scheduler = build_scheduler(ConfigWatch(path, print), print, Database(store_url(tmp_path)))
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"crawl", "digest", "summaries-daily", "summaries-weekly"}
    shanghai = ZoneInfo("Asia/Shanghai")
    after = datetime(2026, 11, 21, 10, 20, tzinfo=shanghai)  # a Saturday
    fire = {name: job.trigger.get_next_fire_time(None, after) for name, job in jobs.items()}
    assert fire["crawl"] == datetime(2026, 11, 21, 12, 15, tzinfo=shanghai)
    assert fire["digest"] == datetime(2026, 12, 1, 9, 30, tzinfo=shanghai)
    assert fire["summaries-daily"] == datetime(2026, 11, 21, 17, 0, tzinfo=shanghai)
    assert fire["summaries-weekly"] == datetime(2026, 11, 27, 17, 0, tzinfo=shanghai)
    assert all(job.max_instances == 1 and job.coalesce for job in jobs.values())


def test_a_broken_edit_keeps_the_last_good_config(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    said: list[str] = []
    watch = ConfigWatch(path, said.append)
    path.write_text(CONFIG.replace("https://www.ndrc.gov.cn/xxgk/zcfb/tz/", "ndrc"), encoding="utf-8")
    config = watch.refresh()
    assert config.sources[0].listing_url == "https://www.ndrc.gov.cn/xxgk/zcfb/tz/"
    assert said == ["error: config.yaml: sources[0].listing_url: not a URL (keeping the last good config)"]
    path.write_text(CONFIG.replace("15 8-20/2", "45 8-20/2"), encoding="utf-8")
    assert watch.refresh().schedule.crawl == "45 8-20/2 * * *"


def test_crontab_weekdays_count_from_sunday() -> None:
    from kuaixun.cron import crontab_weekdays

    assert crontab_weekdays("5") == "fri"
    assert crontab_weekdays("0") == crontab_weekdays("7") == "sun"
    assert crontab_weekdays("1-5") == "mon-fri"
    assert crontab_weekdays("0-2") == "sun,mon-tue"
    assert crontab_weekdays("5-7") == "fri-sun"
    assert crontab_weekdays("*/2") == "*/2"
    assert crontab_weekdays("mon,3") == "mon,wed"
