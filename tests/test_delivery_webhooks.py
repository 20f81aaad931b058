"""The digest to chat robots and a JSON webhook, through a real aiohttp receiver on loopback.

The receiver checks DingTalk's, Feishu's and the generic webhook's signatures with its own
code, and refuses a wrong secret the way each service does.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt
from sqlalchemy import select

from kuaixun.config import ConfigError, load_config
from kuaixun.cycle import now_utc
from kuaixun.delivery import archive_dir, deliver_due, resend, send_digest
from notify.channels.base import WebhookSettings
from notify.channels.dingtalk import DingTalkChannel, sign
from notify.channels.limits import RateLimiter, pack
from notify.outgoing import Outgoing
from store.db import Database
from store.models import Delivery
from tests.delivery_support import (
    OWN_URL,
    PASSWORD,
    SECTION_RULES,
    Hit,
    Receiver,
    SmtpBehaviour,
    make_config,
    receiver,
    seed,
    seed_hostile,
    smtp_server,
    trickling_server,
)

KUAIXUN = Path(sys.executable).with_name("kuaixun")
SECRETS = {"dingtalk": "SECdingtalk-密钥", "feishu": "feishu-secret", "hook": "hook-secret"}


def hooks(
    played: Receiver, secrets: dict[str, str] = SECRETS, max_parts: int = 5
) -> dict[str, dict[str, object]]:
    return {
        "wecom-ops": {"type": "wecom", "url": played.url("wecom"), "max_parts": max_parts},
        "ding-sales": {
            "type": "dingtalk",
            "url": played.url("dingtalk") + "?access_token=token",
            "secret": secrets["dingtalk"],
        },
        "feishu-team": {"type": "feishu", "url": played.url("feishu"), "secret": secrets["feishu"]},
        "slack-news": {"type": "slack", "url": played.url("slack")},
        "crm": {"type": "webhook", "url": played.url("hook"), "secret": secrets["hook"]},
    }


def group(*names: str) -> list[dict[str, object]]:
    return [{"name": "群", "webhooks": list(names)}]


def rows(db: Database) -> dict[str, Delivery]:
    with db.session() as session:
        return {row.recipient: row for row in session.scalars(select(Delivery))}


def test_every_service_gets_the_digest_signed_as_it_expects(tmp_path: Path) -> None:
    with receiver(SECRETS) as played:
        config = make_config(tmp_path, webhooks=hooks(played), subscribers=group(*hooks(played)))
        db = Database(config.store.url)
        seed(db, 3)
        lines: list[str] = []
        report = send_digest(config, db, lines.append)
        db.close()
    assert (report.sent, report.failed, report.retrying) == (5, 0, 0), lines
    for path in ("wecom", "dingtalk", "feishu", "slack", "hook"):
        assert len(played.hits[path]) == 1 and played.accepted(path), path
    ding = played.hits["dingtalk"][0].body
    assert ding["msgtype"] == "markdown" and ding["markdown"]["title"].startswith(
        "北京关键要素科技有限公司 快讯"
    )
    feishu = played.hits["feishu"][0].body
    assert feishu["msg_type"] == "post" and feishu["content"]["post"]["zh_cn"]["content"]
    assert played.hits["slack"][0].body["blocks"][0]["text"]["type"] == "mrkdwn"
    generic = played.hits["hook"][0].body
    assert set(generic) >= {"subject", "text", "html", "markdown", "links"}
    assert generic["links"][0]["url"].startswith("https://www.miit.gov.cn/")


def test_a_wrong_secret_is_refused_and_not_retried(tmp_path: Path) -> None:
    wrong = {name: "not-the-secret" for name in SECRETS}
    with receiver(SECRETS) as played:
        webhooks = hooks(played, wrong)
        config = make_config(
            tmp_path, webhooks=webhooks, subscribers=group("ding-sales", "feishu-team", "crm")
        )
        db = Database(config.store.url)
        seed(db, 1)
        report = send_digest(config, db, lambda _line: None)
        found = rows(db)
        db.close()
    assert report.failed == 3
    assert not any(played.accepted(path) for path in ("dingtalk", "feishu", "hook"))
    assert "errcode 310000" in (found["ding-sales"].last_error or "")
    assert "code 19021" in (found["feishu-team"].last_error or "")
    assert "HTTP 401" in (found["crm"].last_error or "")
    assert all(row.status == "failed" and row.attempts == 1 for row in found.values())


def test_a_long_digest_is_split_for_wecom_and_summarised_past_max_parts(tmp_path: Path) -> None:
    with receiver(SECRETS) as played:
        webhooks = {
            "split": {"type": "wecom", "url": played.url("wecom")},
            "short": {"type": "wecom", "url": played.url("wecom"), "max_parts": 1},
        }
        config = make_config(tmp_path, webhooks=webhooks, subscribers=group("split"))
        db = Database(config.store.url)
        seed(db, 6, paragraphs=12)
        send_digest(config, db, lambda _line: None)
        parts = [hit.body["markdown"]["content"] for hit in played.hits["wecom"]]
        short = make_config(tmp_path, webhooks=webhooks, subscribers=group("short"))
        seed(db, 6, paragraphs=12, start=100)
        send_digest(short, db, lambda _line: None)
        db.close()
    assert len(parts) >= 2 and all(len(p.encode()) <= 4096 for p in parts)
    assert [p.splitlines()[0].rsplit("(", 1)[1] for p in parts] == [
        f"{n}/{len(parts)})**" for n in range(1, len(parts) + 1)
    ]
    [summary] = [hit.body["markdown"]["content"] for hit in played.hits["wecom"][len(parts) :]]
    assert "本期 6 条" in summary and "(https://www.miit.gov.cn/zwgk/zcwj/art_100.html)" in summary


def test_rate_limits_and_server_errors_are_retried_on_the_next_run(tmp_path: Path) -> None:
    with receiver(SECRETS) as played:
        played.script["dingtalk"].append(
            {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"}
        )
        played.script["slack"].append(429)
        played.script["hook"].append(500)
        played.script["wecom"].append({"errcode": 45009, "errmsg": "api freq out of limit"})
        config = make_config(
            tmp_path,
            webhooks=hooks(played),
            subscribers=group("ding-sales", "slack-news", "crm", "wecom-ops"),
        )
        db = Database(config.store.url)
        seed(db, 1)
        first = send_digest(config, db, lambda _line: None)
        waiting = rows(db)
        second = deliver_due(config, db, lambda _line: None, clock=lambda: now_utc() + timedelta(minutes=2))
        third = deliver_due(config, db, lambda _line: None, clock=lambda: now_utc() + timedelta(hours=1))
        db.close()
    assert first.retrying == 4 and all(row.status == "pending" for row in waiting.values())
    assert "130101" in (waiting["ding-sales"].last_error or "") and "HTTP 429" in (
        waiting["slack-news"].last_error or ""
    )
    assert (second.sent, third.sent) == (4, 0)
    for path in ("dingtalk", "slack", "hook", "wecom"):
        assert len(played.accepted(path)) == 1, path


def test_webhook_names_are_checked_in_the_config(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as error:
        make_config(tmp_path, webhooks={}, subscribers=[{"name": "群", "webhooks": ["nope"]}])
    assert str(error.value) == (
        "config.yaml (test): subscribers[0].webhooks[0]: unknown webhook 'nope' (defined: none)"
    )
    with pytest.raises(ConfigError) as error:
        make_config(tmp_path, subscribers=[{"name": "a", "email": "a@b.cn"}])
    assert "subscribers[0].email: channels.email is not configured" in str(error.value)
    with pytest.raises(ConfigError) as error:
        make_config(tmp_path, webhooks={"x": {"type": "teams", "url": "http://x"}})
    assert "channels.webhooks.x.type" in str(error.value)


def test_the_limiter_waits_for_the_window_and_pack_keeps_every_character() -> None:
    clock = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds

    limiter = RateLimiter(2, 60.0, clock=lambda: clock[0], sleep=sleep)
    for _ in range(3):
        limiter.wait()
    assert slept == [60.0]
    lines = ["短" * 10, "长" * 50, "尾"]
    parts = pack(lines, lambda text: len(text.encode()) <= 60)
    assert all(len(p.encode()) <= 60 for p in parts)
    assert "".join(p.replace("\n", "") for p in parts) == "".join(lines)


def test_dingtalk_signature_with_plus_and_slash_survives_the_query_string(tmp_path: Path) -> None:
    stamp = next(
        ms
        for ms in range(1_700_000_000_000, 1_700_000_001_000)
        if {"+", "/"} <= set(sign(SECRETS["dingtalk"], ms))
    )
    with receiver(SECRETS) as played:
        settings = WebhookSettings(
            type="dingtalk", url=played.url("dingtalk") + "?access_token=token", secret=SECRETS["dingtalk"]
        )
        DingTalkChannel(settings, clock=lambda: (stamp + 0.5) / 1000).send(
            "ding", Outgoing(subject="快讯", text="正文"), "k"
        )
    assert played.accepted("dingtalk")


# -- hostile text, redirects, secrets ------------------------------------------------------------

TITLE_WECOM = (
    "关于［点击领取补贴］(http：//phish.example/claim)的通知 ＠all ＜!channel＞ ＜＠all＞ "
    '＜at user＿id="all"＞所有人＜/at＞ ＊＊紧急＊＊ ｀代码｀ ＜font color="warning"＞红＜/font＞ ＜b＞粗＜/b＞'
)
TITLE_SLACK = (
    "关于[点击领取补贴](http：//phish.example/claim)的通知 ＠all &lt;!channel&gt; &lt;＠all&gt; "
    '&lt;at user＿id="all"&gt;所有人&lt;/at&gt; ＊＊紧急＊＊ ｀代码｀ &lt;font color="warning"&gt;红&lt;/font&gt; '
    "&lt;b&gt;粗&lt;/b&gt;"
)
TITLE_FEISHU = (
    "关于[点击领取补贴](http：//phish.example/claim)的通知 ＠all ＜!channel＞ ＜＠all＞ "
    '＜at user_id="all"＞所有人＜/at＞ **紧急** `代码` ＜font color="warning"＞红＜/font＞ ＜b＞粗＜/b＞'
)


def markdown_targets(text: str) -> list[str]:
    """The targets of ``[…](…)`` links, as WeCom's and DingTalk's Markdown would find them."""
    return re.findall(r"\[[^\]\n]*\]\(([^)\s]*)\)", text)


def feishu_elements(hit: Hit) -> list[dict[str, str]]:
    return [element for line in hit.body["content"]["post"]["zh_cn"]["content"] for element in line]


def slack_texts(hit: Hit) -> list[str]:
    return [hit.body["text"], *(block["text"]["text"] for block in hit.body["blocks"])]


def test_scraped_text_reaches_every_chat_as_plain_text_with_only_its_own_link(tmp_path: Path) -> None:
    with receiver(SECRETS) as played:
        config = make_config(tmp_path, webhooks=hooks(played), subscribers=group(*hooks(played)))
        db = Database(config.store.url)
        seed_hostile(db)
        report = send_digest(config, db, lambda _line: None)
        db.close()
    assert report.sent == 5
    [wecom] = [hit.body["markdown"]["content"] for hit in played.hits["wecom"]]
    assert f"\n{TITLE_WECOM}\n" in wecom and "\n［点击领取补贴］(http：//phish.example/claim)\n" in wecom
    assert "\n请 ＠all 成员 ＜!here＞ 立即办理\n" in wecom and "\n＃ 伪标题\n" in wecom
    assert markdown_targets(wecom) == [OWN_URL] and f"[{OWN_URL}]({OWN_URL})" in wecom
    [ding] = [hit.body["markdown"] for hit in played.hits["dingtalk"]]
    assert f"\n{TITLE_WECOM}  \n" in ding["text"] and markdown_targets(ding["text"]) == [OWN_URL]
    elements = feishu_elements(played.hits["feishu"][0])
    assert {"tag": "text", "text": TITLE_FEISHU} in elements
    assert [e for e in elements if e["tag"] != "text"] == [{"tag": "a", "text": OWN_URL, "href": OWN_URL}]
    [slack] = played.hits["slack"]
    assert all(block["text"]["verbatim"] is True for block in slack.body["blocks"])
    assert f"\n{TITLE_SLACK}\n" in slack.body["blocks"][1]["text"]["text"]
    assert re.findall(r"<([^>]*)>", "".join(slack_texts(slack))) == [f"{OWN_URL}|{OWN_URL}"]
    generic = played.hits["hook"][0].body
    rendered = MarkdownIt("commonmark").enable("table").enable("strikethrough").render(generic["markdown"])
    assert re.findall(r'href="([^"]*)"', rendered) == [OWN_URL] and "<em>" not in rendered
    for text in [wecom, ding["text"], ding["title"], generic["markdown"], *slack_texts(slack)]:
        assert "@" not in text and "http://phish" not in text and "javascript:" not in text
    assert not any("@" in e["text"] or "<" in e["text"] for e in elements)


def test_the_summary_of_a_long_digest_links_only_the_notices(tmp_path: Path) -> None:
    with receiver(SECRETS) as played:
        webhooks = {name: {**hook, "max_parts": 1} for name, hook in hooks(played).items() if name != "crm"}
        config = make_config(tmp_path, webhooks=webhooks, subscribers=group(*webhooks))
        db = Database(config.store.url)
        seed(
            db, 6, paragraphs=90
        )  # three DingTalk parts  # past every service's size: each sends the summary
        seed_hostile(db)
        report = send_digest(config, db, lambda _line: None)
        db.close()
    assert report.sent == 4
    own = {f"https://www.miit.gov.cn/zwgk/zcwj/art_{n}.html" for n in range(6)} | {OWN_URL}
    [wecom] = [hit.body["markdown"]["content"] for hit in played.hits["wecom"]]
    assert "本期 7 条" in wecom and set(markdown_targets(wecom)) == own
    assert f"- [{TITLE_WECOM}]({OWN_URL})" in wecom
    [ding] = [hit.body["markdown"]["text"] for hit in played.hits["dingtalk"]]
    assert "本期 7 条" in ding and set(markdown_targets(ding)) == own
    links = [e for e in feishu_elements(played.hits["feishu"][0]) if e["tag"] == "a"]
    assert {e["href"] for e in links} == own and {"tag": "a", "text": TITLE_FEISHU, "href": OWN_URL} in links
    texts = slack_texts(played.hits["slack"][0])
    assert f"\n• <{OWN_URL}|{TITLE_SLACK}>" in "\n".join(texts)
    assert {m.split("|")[0] for m in re.findall(r"<([^>]*)>", "".join(texts))} == own
    for text in [wecom, ding, *texts]:
        assert "@" not in text and "http://phish" not in text


@pytest.mark.parametrize("status", [302, 307])
def test_a_redirect_is_not_delivered_and_not_followed(tmp_path: Path, status: int) -> None:
    with receiver(SECRETS) as played:
        for path in ("wecom", "slack", "hook"):
            played.script[path].append(status)
        config = make_config(
            tmp_path, webhooks=hooks(played), subscribers=group("wecom-ops", "slack-news", "crm")
        )
        db = Database(config.store.url)
        seed(db, 1)
        first = send_digest(config, db, lambda _line: None)
        waiting = rows(db)
        second = deliver_due(config, db, lambda _line: None, clock=lambda: now_utc() + timedelta(minutes=2))
        db.close()
    assert (first.sent, first.retrying) == (0, 3)
    assert not played.hits["elsewhere"]  # the Location was never requested
    for name in ("wecom-ops", "slack-news", "crm"):
        assert waiting[name].status == "pending"
        assert (
            waiting[name].last_error
            == f"HTTP {status}: the webhook answered with a redirect, which is not followed"
        )
    assert second.sent == 3 and all(len(played.accepted(p)) == 1 for p in ("wecom", "slack", "hook"))


ENV_SECRETS = {
    "DING_TOKEN": "dingtoken0123456789abcdef",
    "DING_SECRET": "SECding0123456789abcdef",
    "WECOM_KEY": "693a91f6-7aaa-4bbb-8ccc-wecomkey0001",
    "FEISHU_HOOK": "2a3b4c5d-feishu-hook-0123456789ab",
    "FEISHU_SECRET": "feishusecret0123456789",
    "SLACK_TOKEN": "slacktoken0123456789abcd",
    "HOOK_TOKEN": "hooktoken0123456789abcd",
    "HOOK_SECRET": "hooksecret0123456789",
    "SMTP_PASSWORD": PASSWORD,
}


def test_no_secret_reaches_output_log_or_store_when_every_channel_fails(tmp_path: Path) -> None:
    """Each service refuses and echoes the URL it was called on, as real ones do; ``digest send``
    and ``digest list`` run as the operator runs them, then stdout, stderr, every file under the
    data directory and every row of the store are searched for every secret."""
    with receiver({}) as played, smtp_server(tmp_path, SmtpBehaviour(failures=10)) as smtp:
        played.script["dingtalk"].append(
            {"errcode": 310000, "errmsg": "keywords not in content, more: [{url}]"}
        )
        played.script["wecom"].append({"errcode": 93000, "errmsg": "invalid webhook url, hint: [{url}]"})
        played.script["feishu"].append(
            {"code": 19001, "msg": "param invalid: incoming webhook access token invalid {url}"}
        )
        played.script["slack"].append((404, "no_service {url}"))
        played.script["hook"].append((500, "upstream failed for {url}"))
        base = f"http://127.0.0.1:{played.port}"
        webhooks = {
            "ding": {
                "type": "dingtalk",
                "url": base + "/dingtalk?access_token=${DING_TOKEN}",
                "secret": "${DING_SECRET}",
            },
            "wecom": {"type": "wecom", "url": base + "/wecom?key=${WECOM_KEY}"},
            "feishu": {
                "type": "feishu",
                "url": base + "/feishu/open-apis/bot/v2/hook/${FEISHU_HOOK}",
                "secret": "${FEISHU_SECRET}",
            },
            "slack": {"type": "slack", "url": base + "/slack/services/T0AAAAAAA/B0BBBBBBB/${SLACK_TOKEN}"},
            "crm": {"type": "webhook", "url": base + "/hook?token=${HOOK_TOKEN}", "secret": "${HOOK_SECRET}"},
        }
        raw = {
            "store": {"url": "sqlite:///data/kuaixun.db"},
            "channels": {"email": smtp.channel(), "webhooks": webhooks},
            "subscribers": [{"name": "群", "email": "editor@example.cn", "webhooks": list(webhooks)}],
            "classify": SECTION_RULES,
        }
        path = tmp_path / "config.yaml"
        path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
        db = Database(load_config(path, environ=ENV_SECRETS).store.url)
        seed(db, 1)
        db.close()
        environ = {**os.environ, **ENV_SECRETS}
        runs = [
            subprocess.run(
                [str(KUAIXUN), "--config", str(path), *command],
                capture_output=True,
                text=True,
                env=environ,
                timeout=300,
                check=False,
            )
            for command in (["digest", "send"], ["digest", "list"])
        ]
    assert len(played.hits["dingtalk"]) == len(played.hits["slack"]) == 1  # every service was called
    printed = "".join(run.stdout + run.stderr for run in runs)
    assert printed.count("FAILED after 1 attempt(s)") == 2 * 4 and "access_token=***" in printed
    assert "/open-apis/bot/v2/hook/***" in printed and "/services/***" in printed and "key=***" in printed
    stored = tmp_path / "data" / "kuaixun.db"
    with sqlite3.connect(stored) as connection:
        rows = "\n".join(connection.iterdump())
    files = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and p.name != "config.yaml"}
    assert stored in files and "access_token=***" in rows and "hook?token=***" in rows  # stored, redacted
    for name, secret in ENV_SECRETS.items():
        assert secret not in printed, name
        assert secret not in rows, name
        for file, content in files.items():
            assert secret.encode() not in content, (name, file)


# -- in doubt, split messages, deadlines ----------------------------------------------------------


def test_a_webhook_that_answers_after_its_timeout_gets_the_retry_with_the_same_key(tmp_path: Path) -> None:
    """The receiver processes the request, then answers too late: the retry carries the same
    X-Kuaixun-Delivery and the receiver, seeing the key again, does not process it twice."""
    with receiver(SECRETS) as played:
        played.delays["hook"].append(4.0)
        webhooks = {
            "crm": {"type": "webhook", "url": played.url("hook"), "secret": SECRETS["hook"], "timeout": 1}
        }
        config = make_config(tmp_path, webhooks=webhooks, subscribers=group("crm"))
        db = Database(config.store.url)
        seed(db, 1)
        first = send_digest(config, db, lambda _line: None)
        waiting = rows(db)["crm"]
        second = deliver_due(config, db, lambda _line: None, clock=lambda: now_utc() + timedelta(minutes=2))
        final = rows(db)["crm"]
        db.close()
    assert first.retrying == 1 and waiting.status == "pending"
    assert "no answer within 1 s; the request was sent" in (waiting.last_error or "")
    assert second.sent == 1 and final.status == "sent"
    hits = played.hits["hook"]
    assert len(hits) == 2 and hits[0].delivery == hits[1].delivery
    assert re.fullmatch(r"[0-9a-f]{32}-1", hits[0].delivery or "")
    assert [hit.duplicate for hit in hits] == [False, True] and len(played.accepted("hook")) == 1


def test_a_split_dingtalk_message_resumes_at_the_part_that_failed(tmp_path: Path) -> None:
    with receiver(SECRETS) as played:
        played.script["dingtalk"] += [None, 500]  # part 1 taken, part 2 refused
        config = make_config(tmp_path, webhooks=hooks(played), subscribers=group("ding-sales"))
        db = Database(config.store.url)
        seed(db, 6, paragraphs=90)  # three DingTalk parts
        first = send_digest(config, db, lambda _line: None)
        waiting = rows(db)["ding-sales"]
        second = deliver_due(config, db, lambda _line: None, clock=lambda: now_utc() + timedelta(minutes=2))
        db.close()
    titles = [hit.body["markdown"]["title"] for hit in played.hits["dingtalk"]]
    assert first.retrying == 1 and waiting.parts_sent == 1 and second.sent == 1
    assert [t.rsplit(" ", 1)[1] for t in titles] == ["(1/3)", "(2/3)", "(2/3)", "(3/3)"]
    assert [
        t.rsplit(" ", 1)[1] for t in (h.body["markdown"]["title"] for h in played.accepted("dingtalk"))
    ] == [
        "(1/3)",
        "(2/3)",
        "(3/3)",
    ]


def test_a_chat_part_whose_answer_is_lost_waits_for_the_operator(tmp_path: Path) -> None:
    """DingTalk keeps no delivery keys: a part sent without an answer is not sent again by itself;
    ``digest resend`` (the operator's decision) sends from that part on."""
    with receiver(SECRETS) as played:
        played.delays["dingtalk"] += [0.0, 4.0]  # part 2 is posted in the chat, its answer comes too late
        webhooks = hooks(played)
        webhooks["ding-sales"]["timeout"] = 1
        config = make_config(tmp_path, webhooks=webhooks, subscribers=group("ding-sales"))
        db = Database(config.store.url)
        seed(db, 6, paragraphs=90)  # three DingTalk parts
        first = send_digest(config, db, lambda _line: None)
        later = deliver_due(config, db, lambda _line: None, clock=lambda: now_utc() + timedelta(hours=1))
        doubtful = rows(db)["ding-sales"]
        hits_before = len(played.hits["dingtalk"])
        [ref] = [folder.name for folder in archive_dir(config).iterdir() if folder.name != "alerts"]
        lines: list[str] = []
        resent = resend(config, db, lines.append, ref, "ding-sales")
        final = rows(db)["ding-sales"]
        db.close()
    assert first.unconfirmed == 1 and later.unconfirmed == 1 and hits_before == 2
    assert doubtful.status == "unconfirmed" and doubtful.parts_sent == 1
    assert lines[0] == f"sending the unconfirmed delivery of {ref} to ding-sales again, as the same message"
    assert resent.sent == 1 and final.status == "sent" and final.parts_sent == 3
    titles = [hit.body["markdown"]["title"].rsplit(" ", 1)[1] for hit in played.hits["dingtalk"]]
    assert titles == ["(1/3)", "(2/3)", "(2/3)", "(3/3)"]


def test_a_trickling_webhook_cannot_hold_a_delivery_past_its_timeout(tmp_path: Path) -> None:
    """The answer's header comes one byte every 0.2 s: never a 1 s silence, yet the request ends
    at its 1 s timeout; the generic webhook is retried later with the same key."""
    with trickling_server(b"HTTP/1.1 200 OK\r\nX-Slow: ", 0.2, reads_request=True) as port:
        webhooks = {"crm": {"type": "webhook", "url": f"http://127.0.0.1:{port}/hook", "timeout": 1}}
        config = make_config(tmp_path, webhooks=webhooks, subscribers=group("crm"))
        db = Database(config.store.url)
        seed(db, 1)
        send_digest(config, db, lambda _line: None)
        retried = deliver_due(config, db, lambda _line: None, clock=lambda: now_utc() + timedelta(minutes=2))
        row = rows(db)["crm"]
        db.close()
    assert retried.retrying == 1 and row.status == "pending"
    # the overall deadline ended it, not the server hanging up after its minute of trickling
    assert (row.last_error or "").startswith("no answer within 1 s; the request was sent")
