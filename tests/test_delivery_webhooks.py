"""The digest to chat robots and a JSON webhook, through a real aiohttp receiver on loopback.

The receiver checks DingTalk's, Feishu's and the generic webhook's signatures with its own
code, and refuses a wrong secret the way each service does.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from kuaixun.config import ConfigError
from kuaixun.cycle import now_utc
from kuaixun.delivery import deliver_due, send_digest
from notify.channels.base import WebhookSettings
from notify.channels.dingtalk import DingTalkChannel, sign
from notify.channels.limits import RateLimiter, pack
from notify.outgoing import Outgoing
from store.db import Database
from store.models import Delivery
from tests.delivery_support import Receiver, make_config, receiver, seed

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
