"""kuaixun.redact against the URL shape of every channel, the config's literal secrets, and logging."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from kuaixun.redact import config_secrets, install_log_redaction, redact
from tests.delivery_support import PASSWORD, make_config

TOKEN = "6f1d0c2b9a8e7f6d5c4b3a29181716151413121110"


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (  # DingTalk: the robot's token, and the signature of its secret
            f"errcode 310000: sign not match, https://oapi.dingtalk.com/robot/send?access_token={TOKEN}"
            "&timestamp=1700000000000&sign=q%2Fx%2BAbC%3D",
            "https://oapi.dingtalk.com/robot/send?access_token=***&timestamp=1700000000000&sign=***",
        ),
        (  # WeCom
            f"errcode 93000: invalid webhook url https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={TOKEN}",
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=***",
        ),
        (  # Feishu / Lark: the hook id is the path
            f"code 19001: https://open.feishu.cn/open-apis/bot/v2/hook/{TOKEN}?x=1",
            "https://open.feishu.cn/open-apis/bot/v2/hook/***?x=1",
        ),
        (  # Slack: team, bot and token in the path
            f"HTTP 404 no_service https://hooks.slack.com/services/T024BE7LD/B01ABCDEF/{TOKEN}",
            "https://hooks.slack.com/services/***",
        ),
        (  # a generic receiver with a token parameter, echoed as JSON
            f'HTTP 500 {{"url": "https://crm.example.cn/hook?token={TOKEN}", "password": "{TOKEN}"}}',
            '"password": "***"',
        ),
        (
            f"cannot connect to smtp://kuaixun:{TOKEN}@smtp.example.cn:587",
            "smtp://kuaixun:***@smtp.example.cn:587",
        ),
        (f"postgresql+psycopg://kx:{TOKEN}@db/kuaixun", "postgresql+psycopg://kx:***@db/kuaixun"),
        (f"Authorization: Bearer {TOKEN}", "Bearer ***"),
    ],
)
def test_each_channel_url_shape_loses_its_credential(text: str, kept: str) -> None:
    out = redact(text)
    assert TOKEN not in out and "q%2Fx%2BAbC" not in out
    assert kept in out


def test_ordinary_text_is_left_alone() -> None:
    text = "HTTP 502 Bad Gateway; monkey=1 sort_key=2 timestamp=3 https://www.miit.gov.cn/a.html?id=7"
    assert redact(text) == text


def test_literal_secrets_are_masked_as_written_and_url_encoded() -> None:
    secret = "SEC+dingtalk/密钥="
    text = f"refused {secret} and again ?s=SEC%2Bdingtalk%2F%E5%AF%86%E9%92%A5%3D, not no"
    assert redact(text, [secret, "no"]) == "refused *** and again ?s=***, not no"  # "no": too short


def test_config_secrets_are_every_secret_the_config_holds(tmp_path: Path) -> None:
    config = make_config(
        tmp_path,
        email_channel={
            "host": "smtp.example.cn",
            "username": "u",
            "password": "${SMTP_PASSWORD}",
            "sender": "a@b.cn",
        },
        webhooks={
            "ding": {
                "type": "dingtalk",
                "url": f"https://oapi.dingtalk.com/robot/send?access_token={TOKEN}",
                "secret": "SECding",
            },
            "feishu": {"type": "feishu", "url": f"https://open.feishu.cn/open-apis/bot/v2/hook/{TOKEN[:36]}"},
            "slack": {
                "type": "slack",
                "url": "https://hooks.slack.com/services/T1/B2/abcdefghijklmnopqrstuvwx",
            },
        },
    )
    secrets = set(config_secrets(config))
    assert {PASSWORD, TOKEN, "SECding", TOKEN[:36], "abcdefghijklmnopqrstuvwx"} <= secrets
    assert "open-apis" not in secrets and "services" not in secrets


@pytest.fixture
def log_to_buffer() -> Iterator[io.StringIO]:
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    logger = logging.getLogger("kuaixun.test_redact")
    logger.addHandler(handler)
    factory = logging.getLogRecordFactory()
    try:
        yield buffer
    finally:
        logging.setLogRecordFactory(factory)
        logger.removeHandler(handler)


def test_every_log_record_is_redacted_message_arguments_and_traceback(log_to_buffer: io.StringIO) -> None:
    install_log_redaction(["hunter2-secret"])
    install_log_redaction(["hunter2-secret"])  # installing again replaces, it does not stack
    log = logging.getLogger("kuaixun.test_redact")
    log.warning("posting to %s failed", f"https://oapi.dingtalk.com/robot/send?access_token={TOKEN}")
    try:
        raise RuntimeError("login refused for password hunter2-secret")
    except RuntimeError:
        log.exception("delivery failed")
    out = log_to_buffer.getvalue()
    assert TOKEN not in out and "hunter2-secret" not in out
    assert "access_token=***" in out and "RuntimeError: login refused for password ***" in out
