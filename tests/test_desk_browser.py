"""The desk driven in a real headless Chromium (Playwright, Debian's chromium) over a real uvicorn on
loopback, on a store built by crawling the simulator; the issue arrives at a real SMTP server (aiosmtpd).
Also ``kuaixun baseline`` before a first crawl's issue."""

from __future__ import annotations

import re
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import uvicorn
import yaml
from click.testing import CliRunner
from sqlalchemy import select

from kuaixun.cli import main
from kuaixun.config import Config, read_raw, validate
from kuaixun.cycle import crawl
from kuaixun.delivery import send_digest, waiting_notices
from kuaixun.demo import demo_config
from kuaixun.web.app import create_app
from simulator.server import GovWebThread
from simulator.truth import ground_truth
from store.db import Database
from store.models import Delivery
from tests.browser import QUIET_FLAGS
from tests.delivery_support import PASSWORD, free_port, smtp_server
from tests.desk_support import EDITOR, EDITOR_HASH, EDITOR_PASSWORD, SECRET
from tests.stores import store_url

PROJECT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
DESK_SOURCES = ("miit", "mee", "gxt-fujian", "jxj-beijing")
"""Notices in all three sections, and news columns: enough for an issue worth correcting."""
SERVER_START = 30.0
"""Seconds uvicorn may take to listen on a loaded machine before the test gives up."""

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")


def quiet(_line: str) -> None:
    pass


def sim_raw(sim: GovWebThread, tmp_path: Path, sources: tuple[str, ...], **extra: Any) -> dict[str, Any]:
    raw = demo_config(read_raw(PROJECT / "config.yaml"), sim.web, tmp_path)
    raw["sources"] = [s for s in raw["sources"] if s["name"] in sources]
    raw["store"] = {"url": store_url(tmp_path, raw["store"]["url"])}
    raw["web"] = {
        "secret": SECRET,
        "public": True,
        "accounts": [{"user": EDITOR, "password_hash": EDITOR_HASH}],
    }
    return {**raw, **extra}


@contextmanager
def served(config: Config, db: Database) -> Iterator[str]:
    """The desk on a free loopback port, in a thread; its base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(config, db), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_START
    while not server.started:
        assert time.monotonic() < deadline, "the desk did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def section_of(text: str, title: str, sections: tuple[str, ...]) -> str | None:
    """The [section] of the 目录 under which ``title`` first appears in the issue's text."""
    flat, wanted = squash(text), squash(title)
    if wanted not in flat:
        return None
    at = flat.index(wanted)
    heads = [(flat.rfind(f"[{name}]", 0, at), name) for name in sections]
    return max(heads)[1]


def text_part(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()


def test_the_editor_moves_drops_and_approves_in_a_browser_and_the_issue_arrives_once(
    sim: GovWebThread, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    with smtp_server(tmp_path) as smtp:
        raw = sim_raw(
            sim,
            tmp_path,
            DESK_SOURCES,
            channels={"email": smtp.channel()},
            subscribers=[{"name": "客户甲", "email": "a@example.cn"}],
        )
        raw["digest"] = {**raw["digest"], "approval": "required"}
        config = validate(raw, "config.yaml (test)", tmp_path, environ={"SMTP_PASSWORD": PASSWORD})
        db = Database(config.store.url)
        crawl(config, db)
        lines: list[str] = []
        assert send_digest(config, db, lines.append).issue is not None
        assert smtp.received == [] and any("waits for the editor's approval" in line for line in lines)
        news = {t["title"] for t in ground_truth(sim.web) if t["kind"] == "news"}
        sections = config.digest.sections

        with served(config, db) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=list(QUIET_FLAGS))
            context = browser.new_context(viewport={"width": 420, "height": 900})
            page = context.new_page()
            page.goto(f"{base}/next")
            assert page.url.startswith(f"{base}/login")
            page.fill("#user", EDITOR)
            page.fill("#password", EDITOR_PASSWORD)
            page.click("form.login button[type=submit]")
            page.wait_for_url(f"{base}/next")

            waiting = page.locator("section.waiting")
            shown = {
                item.get_attribute("id"): (
                    item.get_attribute("data-section"),
                    item.locator("a.title").inner_text(),
                )
                for item in waiting.locator(":scope > ol.items > li").all()
            }
            assert {section for section, _ in shown.values()} >= {"政策文件", "申报通知"}

            moved_id, (_, moved_title) = next((k, v) for k, v in shown.items() if v[0] == "政策文件")
            target = page.locator(f"section.waiting li#{moved_id}")
            target.locator("select[name=section]").select_option("申报通知")
            target.get_by_role("button", name="移至").click()
            page.wait_for_load_state()
            assert page.locator(f"section.waiting li#{moved_id}").get_attribute("data-section") == "申报通知"

            news_waiting = [k for k, (_, title) in shown.items() if title in news]
            dropped_id = news_waiting[0] if news_waiting else next(k for k in shown if k != moved_id)
            dropped_title = shown[dropped_id][1]
            page.locator(f"section.waiting li#{dropped_id}").get_by_role("button", name="移出本期").click()
            page.wait_for_load_state()
            assert page.locator(f"section.waiting > ol.items > li#{dropped_id}").count() == 0
            assert page.locator(f"section.waiting details.dropped li#{dropped_id}").count() == 1

            second_tab = context.new_page()  # the same issue open in another tab, after the corrections
            second_tab.goto(f"{base}/next")
            page.get_by_role("button", name="批准并发送").click()
            page.wait_for_load_state()
            assert "已批准" in page.locator("h1").inner_text()
            second_tab.get_by_role("button", name="批准并发送").click()
            second_tab.wait_for_load_state()
            assert "已批准过" in second_tab.locator("h1").inner_text()
            page.goto(f"{base}/next")
            assert page.locator("section.waiting").count() == 0
            browser.close()

        assert len(smtp.received) == 1
        text = text_part(smtp.received[0].message)
        assert section_of(text, moved_title, sections) == "申报通知"
        assert section_of(text, dropped_title, sections) is None
        for key, (section, title) in shown.items():
            if key not in (moved_id, dropped_id):
                assert section_of(text, title, sections) == section, title
        with db.session() as session:
            rows = session.scalars(select(Delivery)).all()
            assert [(r.recipient, r.status) for r in rows] == [("a@example.cn", "sent")]
        db.close()


def test_after_a_baseline_the_first_issue_holds_only_the_notice_published_after_it(
    sim: GovWebThread, tmp_path: Path
) -> None:
    held = sim.web.held_back()[0]
    raw = sim_raw(sim, tmp_path, ("miit", held.site.name))
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    config = validate(raw, "config.yaml (test)", tmp_path)
    db = Database(config.store.url)
    crawl(config, db)
    assert waiting_notices(config, db) > 1  # without the baseline the first issue is the flood

    result = CliRunner().invoke(main, ["--config", str(path), "baseline"])
    assert result.exit_code == 0, result.output
    assert "still wait" in result.output and waiting_notices(config, db) == 0
    published = sim.web.publish(1)[0]
    crawl(config, db)
    files = send_digest(config, db, quiet).issue
    assert files is not None and files.count == 1
    assert squash(published["title"]) in squash(files.text.read_text(encoding="utf-8"))
    db.close()
    shutil.rmtree(tmp_path / "data", ignore_errors=True)
