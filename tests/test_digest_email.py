"""The demo's first issue as its readers get it: a summary email that mail clients show whole.

The issue is the product's own: the simulated government web crawled over loopback into a real
SQLite store, the issue made as ``digest send`` makes it (in a transaction rolled back after).
"""

from __future__ import annotations

import email
import quopri
from dataclasses import replace
from datetime import date, datetime
from email.message import EmailMessage
from email.policy import default

import lxml.html
import pytest

from kuaixun.config import read_raw
from kuaixun.cycle import create_issue
from notify.channels.email import transfer_encoding
from notify.issue import DigestLayout, Issue, IssueItem
from notify.mail import email_body, issue_message
from notify.render import render_html, render_text
from simulator.server import GovWebThread
from store.db import Database
from tests.conftest import PROJECT, sim_config
from tests.stores import copy_store

CLIPPED_AT = 100_000
"""Bytes of an encoded HTML body a reader sees whole (Gmail clips past ~102 KB)."""


@pytest.fixture(scope="module")
def demo_issue(
    sim_ports: dict[str, int], crawled_template: str, tmp_path_factory: pytest.TempPathFactory
) -> Issue:
    """The issue the demo's first crawl makes (the session's crawl, copied)."""
    with GovWebThread(ports=sim_ports) as sim:
        config = sim_config(sim, tmp_path_factory.mktemp("demo"))
        copy_store(crawled_template, config.store.url)
        db = Database(config.store.url)
        try:
            with db.session() as session:
                issue = create_issue(session, config, date(2026, 11, 1), datetime(2026, 11, 1, 9, 30))
                session.rollback()
        finally:
            db.close()
    assert issue is not None
    return issue


def mailed(issue: Issue) -> EmailMessage:
    message = issue_message(
        issue,
        email_body(issue),
        sender="kuaixun@example.com",
        to=["editor@example.com"],
        now=datetime(2026, 11, 1, 9, 30),
        pdf=b"%PDF-1.7 stand-in",
        pdf_name="kuaixun-2026-1101.pdf",
    )
    return email.message_from_bytes(bytes(message), _class=EmailMessage, policy=default)


def items(issue: Issue) -> list[IssueItem]:
    return [item for section in issue.sections for item in section.items]


def test_the_summary_email_of_the_demo_issue_stays_under_the_clipping_limit(demo_issue: Issue) -> None:
    assert demo_issue.count >= 25
    assert len(render_html(demo_issue).encode("utf-8")) > 2 * CLIPPED_AT  # the issue in full would be clipped
    message = mailed(demo_issue)
    html_part, text_part = message.get_body(("html",)), message.get_body(("plain",))
    assert html_part is not None and text_part is not None
    for part in (html_part, text_part):
        encoded = part.get_payload()
        assert len(encoded) < CLIPPED_AT, part.get_content_type()
        raw = part.get_content().encode("utf-8")
        assert len(encoded) <= len(quopri.encodestring(raw)) * 1.02  # base64 when it is the smaller
    assert html_part["Content-Transfer-Encoding"] == "base64"
    assert [a.get_filename() for a in message.iter_attachments()] == ["kuaixun-2026-1101.pdf"]


def test_the_summary_lists_every_notice_with_its_opening_deadline_and_link(demo_issue: Issue) -> None:
    message = mailed(demo_issue)
    html = message.get_body(("html",)).get_content()
    root = lxml.html.fromstring(html)
    shown = root.text_content()
    hrefs = {a.get("href") for a in root.iter("a")}
    text = message.get_body(("plain",)).get_content()
    for item in items(demo_issue):
        assert item.title in shown and item.title in text
        assert item.source_urls[0] in hrefs and item.source_urls[0] in text
        assert item.opening and item.opening[:40] in shown
        if item.deadline:
            assert f"截止：{item.deadline}" in shown and f"截止：{item.deadline}" in text
    assert any(item.deadline for item in items(demo_issue))
    signers = [s for item in items(demo_issue) for s in item.signers]
    assert signers and not any(f"<div>{s}</div>" in html for s in signers)  # no 落款: that is in the PDF


def test_summary_is_the_default_and_full_puts_every_notice_in_the_body(demo_issue: Issue) -> None:
    assert DigestLayout().email_body == "summary"
    assert read_raw(PROJECT / "config.yaml")["digest"]["email_body"] == "summary"
    full = replace(demo_issue, layout=demo_issue.layout.model_copy(update={"email_body": "full"}))
    body = email_body(full)
    assert body.html == render_html(full) and body.text == render_text(full)


def item_named(issue: Issue, words: str) -> IssueItem:
    return next(item for item in items(issue) if words in item.title)


def printed_lines(issue: Issue, item: IssueItem) -> list[str]:
    """The item's lines in the full text issue, from its title to its 相关链接."""
    text = render_text(replace(issue, layout=issue.layout.model_copy(update={"email_body": "full"})))
    start = text.index(f"\n{item.title}\n", text.index(f"\n{item.title}\n") + 1)
    return text[start : text.index("相关链接：", start)].splitlines()


def test_the_demo_prints_no_signature_a_notice_does_not_carry(demo_issue: Issue) -> None:
    consultation = item_named(
        demo_issue, "征求意见稿"
    )  # signed by nobody; the site's meta names the ministry
    lines = printed_lines(demo_issue, consultation)
    assert "工业和信息化部" not in lines and "2019年9月1日" not in lines
    assert "发布日期：2019年9月1日" in lines
    pdf_only = next(item for item in items(demo_issue) if item.source_urls[0].endswith(".pdf"))
    lines = printed_lines(demo_issue, pdf_only)
    assert not [line for line in lines if line.startswith("20") and line.endswith("日")]  # no date line
    signed = item_named(demo_issue, "先进制造业增值税")
    assert printed_lines(demo_issue, signed)[-4:-1] == ["财政部", "税务总局", "2019年8月31日"]


def test_the_demo_sets_an_annexed_guideline_under_its_title(demo_issue: Issue) -> None:
    notice = item_named(demo_issue, "人工智能创新发展试验区建设工作指引")
    assert notice.annex is not None and notice.annex.title == "国家新一代人工智能创新发展试验区建设工作指引"
    root = lxml.html.fromstring(render_html(replace(demo_issue, layout=DigestLayout(email_body="full"))))
    assert notice.annex.title in [h.text_content() for h in root.iter("h3")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("快讯" * 500, "base64"), ("<p>quarterly report</p>\n" * 100, "quoted-printable")],
)
def test_the_transfer_encoding_is_the_smaller_one(text: str, expected: str) -> None:
    assert transfer_encoding(text) == expected
