"""Scraped text through each target's escape (notify.escape), judged the way each target reads it.

CommonMark is judged by a real parser (markdown-it-py): the escaped text must render as one
paragraph of plain text. The chat dialects have no parser here, so each is judged by the
syntax its service documents: none of its link, emphasis, HTML, mention or block openers left.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace
from typing import get_args

import pytest
from markdown_it import MarkdownIt

from notify.alerts import Alert, alert_item, render_alert
from notify.channels.base import WebhookType
from notify.escape import ESCAPES, chat_markdown, commonmark, feishu, inert, link_url, slack
from notify.render import markdown_environment
from pipeline.records import ExtractedNotice
from tests.hostile_text import EVERY, HOSTILE_BODY, HOSTILE_TITLE, PHISH_URL

COMMONMARK = MarkdownIt("commonmark").enable("table").enable("strikethrough")
OWN_URL = "https://www.miit.gov.cn/zwgk/zcwj/art_1.html"
UNLINKED_URL = re.compile(r"(?i)\b[a-z][a-z0-9+.\-]*:(?://|(?<=javascript:)|(?<=data:)|(?<=file:))")
"""A scheme an autolinker would take: what :func:`inert` must leave none of."""


@pytest.mark.parametrize("text", EVERY)
def test_commonmark_renders_as_one_paragraph_of_text(text: str) -> None:
    rendered = COMMONMARK.render(commonmark(text))
    assert rendered.startswith("<p>") and rendered.endswith("</p>\n")
    inner = rendered[3:-5]
    assert "<" not in inner, rendered  # no link, emphasis, code, HTML, heading, list or table
    assert html.unescape(inner) == inert(text).lstrip(" ")  # every character still shown


@pytest.mark.parametrize("text", EVERY)
def test_no_mention_or_url_scheme_survives_any_target(text: str) -> None:
    for escape in (commonmark, *ESCAPES.values()):
        out = escape(text)
        assert "@" not in out and not UNLINKED_URL.search(out), (escape.__name__, out)
        assert "\n" not in out and "\r" not in out and "\u2028" not in out


@pytest.mark.parametrize("text", EVERY)
def test_wecom_and_dingtalk_markdown_keep_none_of_their_syntax(text: str) -> None:
    out = chat_markdown(text)
    assert not set(out) & set("*_`[]<>~|&"), out
    assert not re.match(r"\s*([#>+\-=]|\d+[.)])", out), out


@pytest.mark.parametrize("text", EVERY)
def test_slack_mrkdwn_keeps_only_entities_and_no_formatting(text: str) -> None:
    out = slack(text)
    assert not set(out) & set("<>*_~`"), out
    assert "&" not in re.sub(r"&(amp|lt|gt);", "", out), out
    assert not out.lstrip().startswith("&gt;")  # Slack reads an escaped > at the start as a quote


@pytest.mark.parametrize("text", EVERY)
def test_feishu_text_has_no_tag(text: str) -> None:
    assert not set(feishu(text)) & set("<>@")


def test_the_text_itself_reads_the_same() -> None:
    assert chat_markdown(HOSTILE_TITLE).startswith(
        "关于［点击领取补贴］(http：//phish.example/claim)的通知 ＠all"
    )
    assert slack("<!channel> R&D *紧急*") == "&lt;!channel&gt; R&amp;D ＊紧急＊"
    assert feishu('<at user_id="all">所有人</at>') == '＜at user_id="all"＞所有人＜/at＞'
    assert commonmark("关于印发《办法》的通知（2019-2022年）") == "关于印发《办法》的通知（2019-2022年）"


def test_every_chat_webhook_type_has_its_escape() -> None:
    assert set(ESCAPES) == set(get_args(WebhookType)) - {"webhook"}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (OWN_URL, OWN_URL),
        ("http://x.gov.cn/a(1)[2]|3.html", "http://x.gov.cn/a%281%29%5B2%5D%7C3.html"),
        ("javascript:alert(1)", None),
        ("file:///etc/passwd", None),
        ("http://x.cn/a b", None),
    ],
)
def test_link_targets_are_checked_http_urls_that_cannot_end_a_link_early(url: str, expected: str) -> None:
    assert link_url(url) == expected


def test_the_alert_markdown_links_only_the_notice() -> None:
    """alert.md.j2 with a hostile title and body: the only link is the notice's own URL."""
    record = ExtractedNotice(source_url=OWN_URL, title=HOSTILE_TITLE, body_text="\n".join(HOSTILE_BODY))
    item = alert_item(
        record, terms=[["text", "补贴", "补贴"], ["text", "办理", "办理"]], revised=False, diff=None
    )
    evil = alert_item(replace(record, source_url="javascript:alert(1)"), terms=[], revised=False, diff=None)

    message = render_alert(Alert(name="@all 订阅", query="补贴", mode="instant", items=(item, evil)))
    assert message.markdown is not None
    rendered = COMMONMARK.render(message.markdown)
    assert re.findall(r'href="([^"]*)"', rendered) == [OWN_URL]
    assert "<code>" not in rendered and "<em>" not in rendered and "@" not in message.markdown
    assert set(re.findall(r"<strong>(.*?)</strong>", rendered)) == {"补贴", "办理"}  # the matched terms only
    assert [link.url for link in message.links] == [OWN_URL]


def test_the_markdown_environment_escapes_with_commonmark() -> None:
    template = markdown_environment().from_string("{{ title }}")
    assert template.render(title=f"[x]({PHISH_URL}) @all") == commonmark(f"[x]({PHISH_URL}) @all")
