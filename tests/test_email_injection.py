"""Hostile titles and bodies by email, through a real SMTP server on loopback (aiosmtpd).

A title that breaks its line (CR/LF, U+2028, NEL) must not forge a header or add a recipient;
HTML in a title or body must arrive as text, and the only links are the notice's own.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kuaixun.delivery import send_digest
from notify.alerts import Alert, alert_item, render_alert
from notify.channels.email import EmailChannel, EmailSettings
from pipeline.records import ExtractedNotice
from store.db import Database
from tests.conftest import shown_text
from tests.delivery_support import OWN_URL, PASSWORD, Received, make_config, seed_hostile, smtp_server
from tests.hostile_text import HEADER_BREAKS, HOSTILE_BODY, HOSTILE_TITLE

TO = "editor@example.cn"


def html_part(received: Received) -> str:
    [part] = [p for p in received.message.walk() if p.get_content_type() == "text/html"]
    return str(part.get_content())


def assert_inert_html(html: str) -> None:
    assert "<script" not in html and "<img" not in html and "<font" not in html and "<b>" not in html
    shown = shown_text(html)
    assert "<b>粗</b>" in shown and "<!channel>" in shown
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert OWN_URL in hrefs
    assert all(h == OWN_URL or h.startswith(("#", "mailto:")) for h in hrefs), hrefs


@pytest.mark.parametrize("title", HEADER_BREAKS)
def test_a_line_break_in_a_title_forges_no_header_and_no_recipient(tmp_path: Path, title: str) -> None:
    record = ExtractedNotice(source_url=OWN_URL, title=title, body_text="正文")
    alert = Alert("订阅", "通知", "instant", (alert_item(record, terms=[], revised=False, diff=None),))
    with smtp_server(tmp_path) as server:
        settings = EmailSettings(**{**server.channel(), "password": PASSWORD})
        EmailChannel(settings).send(TO, render_alert(alert), "alert/1")
    [received] = server.received
    assert received.rcpt_tos == [TO]
    headers = received.data.split(b"\r\n\r\n", 1)[0].decode("ascii")
    names = [line.split(":", 1)[0].lower() for line in headers.split("\r\n") if line[:1] not in (" ", "\t")]
    assert "bcc" not in names and "x-injected" not in names and names.count("subject") == 1
    subject = received.message["Subject"]
    assert "\n" not in subject and "\u2028" not in subject and "\x85" not in subject
    assert subject.startswith("【快讯提醒】订阅：通知标题 ")


def test_html_in_an_alert_arrives_as_text(tmp_path: Path) -> None:
    record = ExtractedNotice(source_url=OWN_URL, title=HOSTILE_TITLE, body_text="\n".join(HOSTILE_BODY))
    item = alert_item(record, terms=[["text", "办理", "办理"]], revised=False, diff=None)
    alert = Alert("订阅", "办理", "instant", (item,))
    with smtp_server(tmp_path) as server:
        settings = EmailSettings(**{**server.channel(), "password": PASSWORD})
        EmailChannel(settings).send(TO, render_alert(alert), "alert/2")
    [received] = server.received
    assert_inert_html(html_part(received))


def test_html_in_a_digest_arrives_as_text(tmp_path: Path) -> None:
    with smtp_server(tmp_path) as server:
        config = make_config(
            tmp_path, email_channel=server.channel(), subscribers=[{"name": "编辑部", "email": TO}]
        )
        db = Database(config.store.url)
        seed_hostile(db)
        report = send_digest(config, db, lambda _line: None)
        db.close()
    assert report.sent == 1
    [received] = server.received
    html = html_part(received)
    assert_inert_html(html)
    assert "[点击领取补贴](http://phish.example/claim)" in html  # shown, as text, not a link
