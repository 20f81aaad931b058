"""The desk under test: a config with an editor's account, notices stored as a crawl would, a logged-in client."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from kuaixun.config import Config, validate
from kuaixun.web.app import create_app
from kuaixun.web.passwords import hash_password
from pipeline.records import Deadline, ExtractedNotice
from store import notices
from store.db import Database
from tests.delivery_support import PASSWORD, SECTION_RULES, SEEN
from tests.stores import store_url

EDITOR, EDITOR_PASSWORD = "编辑甲", "correct horse 电池"
SECRET = "a-test-session-secret-of-32-chars"
EDITOR_HASH = hash_password(EDITOR_PASSWORD)
"""Made once: each hash costs a tenth of a second of scrypt."""


def desk_config(tmp_path: Path, **extra: Any) -> Config:
    """A config with one editor, the session secret from the environment, ``extra`` keys on top."""
    raw: dict[str, Any] = {
        "store": {"url": store_url(tmp_path, "sqlite:///data/kuaixun.db")},
        "web": {
            "secret": "${KUAIXUN_WEB_SECRET}",
            "public": False,
            "accounts": [{"user": EDITOR, "password_hash": EDITOR_HASH}],
        },
        "classify": SECTION_RULES,
        **extra,
    }
    environ = {"KUAIXUN_WEB_SECRET": SECRET, "SMTP_PASSWORD": PASSWORD}
    return validate(raw, "config.yaml (test)", tmp_path, environ=environ)


def store_notice(
    db: Database,
    n: int,
    section: str,
    *,
    title: str | None = None,
    source: str = "miit",
    url: str | None = None,
    low_confidence: bool = False,
    deadline: str | None = None,
    doc_number: str | None = None,
) -> int:
    """Store one notice as a crawl would; returns its id (its repost group's id too)."""
    record = ExtractedNotice(
        source_url=url or f"https://www.{source}.gov.cn/zwgk/art_{n}.html",
        title=title or f"关于开展第{n}批试点工作的通知",
        publish_date=f"2026-10-{n % 28 + 1:02d}",
        issuer="工业和信息化部",
        doc_number=doc_number,
        body_text=f"各有关单位：现将第{n}批试点工作有关事项通知如下。",
        category=section,
        category_low_confidence=low_confidence,
        category_margin=0.0 if low_confidence else 4.0,
        deadlines=(Deadline(date=deadline, text=f"截止{deadline}"),) if deadline else (),
        region="全国",
        agency="工业和信息化部",
    )
    with db.session() as session:
        version = notices.save_version(
            session,
            record,
            source_name=source,
            content_hash=f"hash-{n}",
            reasons=["title: 通知 (+2)", "scores: 政策文件 1, 绿色制造 0, 申报通知 3"],
            diff=None,
            seen_at=SEEN,
        )
        return version.notice_id


def client(config: Config, db: Database) -> TestClient:
    return TestClient(create_app(config, db), base_url="http://testserver")


def form_csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found[1]


def logged_in(config: Config, db: Database) -> tuple[TestClient, str]:
    """A client logged in as the editor, and the CSRF token of its session."""
    browser = client(config, db)
    token = form_csrf(browser.get("/login").text)
    answer = browser.post("/login", data={"user": EDITOR, "password": EDITOR_PASSWORD, "csrf": token})
    assert answer.status_code == 200 and answer.url.path == "/next", answer.text[:500]
    return browser, form_csrf(answer.text)
