"""The alert emails' unsubscribe link on the desk (a confirmation page, RFC 8058 one-click) and
deadline reminders, through a real SMTP server on loopback and a real store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from kuaixun.alerts import alerting
from kuaixun.config import Config, validate
from kuaixun.cycle import now_utc
from kuaixun.localtime import local_date
from kuaixun.reminders import send_reminders
from kuaixun.web.app import create_app
from pipeline.records import Deadline, ExtractedNotice
from store.db import Database
from store.models import Subscription
from tests.delivery_support import PASSWORD, SmtpServer, save_record, smtp_server
from tests.stores import store_url

ENVIRON = {"SMTP_PASSWORD": PASSWORD, "KUAIXUN_SECRET": "alerts-secret"}
BASE = "https://kuaixun.example.com"


def make_config(tmp_path: Path, smtp: SmtpServer, **web: str) -> Config:
    raw = {
        "store": {"url": store_url(tmp_path, "sqlite:///data/kuaixun.db")},
        "data_dir": str(tmp_path / "data"),
        "channels": {"email": smtp.channel()},
        "alerts": {"secret": "${KUAIXUN_SECRET}", "remind_days": [7, 1]},
        "web": web,
        "subscriptions": [
            {"name": "green", "query": "绿色工厂", "channel": "green@example.cn"},
            {"name": "other", "query": "数据中心", "channel": "other@example.cn"},
        ],
    }
    return validate(raw, "config.yaml (test)", tmp_path, ENVIRON)


def match_alerts(config: Config, db: Database) -> None:
    """What a crawl does for alerts around its storing: sync the subscriptions, then match and send."""
    with alerting(config, db, lambda _line: None):
        pass


def store_notice(db: Database, deadline: str, *, version: int = 1) -> None:
    record = ExtractedNotice(
        source_url="https://www.miit.gov.cn/zwgk/art_green.html",
        title="关于组织开展2026年度绿色工厂申报工作的通知",
        publish_date="2026-11-20",
        body_text=f"请于{deadline}前报送申报材料。",
        deadlines=(Deadline(deadline, f"请于{deadline}前报送申报材料。"),),
        category="申报通知",
        region="全国",
        agency="工业和信息化部",
    )
    save_record(db, record, f"v{version}", seen_at=now_utc())


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[SmtpServer]:
    with smtp_server(tmp_path) as server:
        yield server


def test_the_unsubscribe_link_works_in_a_browser_and_in_one_click(tmp_path: Path, smtp: SmtpServer) -> None:
    config = make_config(tmp_path, smtp, base_url=BASE)
    db = Database(config.store.url)
    match_alerts(config, db)
    store_notice(db, "2031-01-10")
    match_alerts(config, db)
    [mail] = [m.message for m in smtp.received]
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = mail["List-Unsubscribe"].split(",")[0].strip("<> ")
    assert link.startswith(f"{BASE}/unsubscribe/") and link in mail.get_body(("plain",)).get_content()
    path = urlsplit(link).path
    with TestClient(create_app(config, db)) as client:
        page = client.get(path)
        assert page.status_code == 200 and "确认退订" in page.text and "green" in page.text
        assert client.post(path, data={"List-Unsubscribe": "yes"}).status_code == 400
        forged = client.post(path[:-3] + "xyz", data={"List-Unsubscribe": "One-Click"})
        assert forged.status_code == 400 and "无效" in forged.text
        done = client.post(path, data={"List-Unsubscribe": "One-Click"})  # as a mail client sends it
        assert done.status_code == 200 and "已停止" in done.text
        assert "已经退订" in client.get(path).text
        assert client.get("/unsubscribe/garbage").status_code == 400
    with db.session() as session:
        green = session.scalar(select(Subscription).where(Subscription.name == "green"))
        assert green is not None and not green.active and green.unsubscribed_at is not None
    db.close()


def test_without_base_url_the_email_keeps_the_mailto_only(tmp_path: Path, smtp: SmtpServer) -> None:
    config = make_config(tmp_path, smtp)
    db = Database(config.store.url)
    match_alerts(config, db)
    store_notice(db, "2031-01-10")
    match_alerts(config, db)
    db.close()
    [mail] = [m.message for m in smtp.received]
    assert mail["List-Unsubscribe"].startswith("<mailto:") and "List-Unsubscribe-Post" not in mail


def at(day: date) -> datetime:
    """Noon of ``day`` in Asia/Shanghai, as the naive UTC the clock gives."""
    return datetime(day.year, day.month, day.day, 4, 0)


def test_reminders_come_once_per_deadline_and_lead_time(tmp_path: Path, smtp: SmtpServer) -> None:
    config = make_config(tmp_path, smtp, base_url=BASE)
    today = local_date(now_utc(), config.schedule.timezone)
    deadline = today + timedelta(days=10)
    db = Database(config.store.url)
    match_alerts(config, db)
    store_notice(db, deadline.isoformat())
    match_alerts(config, db)
    assert len(smtp.received) == 1  # the alert itself
    lines: list[str] = []

    def remind(day: date, database: Database = db) -> int:
        return send_reminders(config, database, lines.append, clock=lambda: at(day))

    assert remind(today + timedelta(days=2)) == 0
    assert remind(today + timedelta(days=3)) == 1  # 7 days before
    assert remind(today + timedelta(days=3)) == 0
    db.close()
    db = Database(config.store.url)  # a restart remembers
    assert remind(today + timedelta(days=5), db) == 0
    assert remind(today + timedelta(days=9), db) == 1  # 1 day before
    assert remind(today + timedelta(days=10), db) == 0  # the deadline itself: too late
    reminders = [m.message for m in smtp.received[1:]]
    assert [m["To"] for m in reminders] == ["green@example.cn", "green@example.cn"]
    assert all(m["Subject"].startswith("【截止提醒】green：") for m in reminders)
    assert f"截止 {deadline.isoformat()}" in reminders[0].get_body(("plain",)).get_content()
    assert reminders[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    postponed = deadline + timedelta(days=20)  # 延期: a new deadline, reminded of again
    store_notice(db, postponed.isoformat(), version=2)
    assert remind(postponed - timedelta(days=7), db) == 1
    assert remind(postponed - timedelta(days=7), db) == 0
    db.close()
    assert len(smtp.received) == 4
    assert f"截止 {postponed.isoformat()}" in smtp.received[-1].message.get_body(("plain",)).get_content()


def test_a_lead_time_begun_before_the_match_is_not_reminded(tmp_path: Path, smtp: SmtpServer) -> None:
    config = make_config(tmp_path, smtp)
    today = local_date(now_utc(), config.schedule.timezone)
    db = Database(config.store.url)
    match_alerts(config, db)
    store_notice(db, (today + timedelta(days=3)).isoformat())  # matched 3 days before: within the 7
    match_alerts(config, db)
    assert send_reminders(config, db, lambda line: None, clock=lambda: at(today)) == 0
    assert send_reminders(config, db, lambda line: None, clock=lambda: at(today + timedelta(days=2))) == 1
    db.close()
