"""Log lines: one per event, plain or JSON, never a secret the config holds."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from click.testing import CliRunner

from kuaixun.cli import main
from kuaixun.config import load_config
from kuaixun.logs import setup_logging
from tests.stores import store_url
from tests.test_cli import write_config

TOKEN = "b3f1c2d4e5f60718293a4b5c6d7e8f90"
CONFIG = {
    "channels": {
        "webhooks": {
            "team": {"type": "dingtalk", "url": f"https://oapi.dingtalk.com/robot/send?access_token={TOKEN}"}
        }
    },
    "schedule": {"crawl": "0 0 1 1 *", "digest": "0 0 2 1 *"},
    "alerts": {"daily": "0 0 3 1 *", "weekly": "0 0 4 1 *"},
}


def failing_with_the_secret() -> None:
    """A library error that echoes the webhook's URL, token and all, over several lines."""
    try:
        raise RuntimeError(f"POST https://oapi.dingtalk.com/robot/send?access_token={TOKEN}\nanswer: 403")
    except RuntimeError:
        logging.getLogger("kuaixun.delivery").exception("sending to team failed (%s)", TOKEN)


@pytest.mark.parametrize("log_format", ["plain", "json"])
def test_an_error_with_a_traceback_is_one_line_without_the_secret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], log_format: str
) -> None:
    setup_logging(log_format)
    load_config(write_config(tmp_path, {**CONFIG, "store": {"url": store_url(tmp_path)}}))
    failing_with_the_secret()
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1, lines
    assert TOKEN not in lines[0] and "***" in lines[0]
    if log_format == "json":
        event = json.loads(lines[0])
        assert event["level"] == "error" and event["logger"] == "kuaixun.delivery"
        assert event["message"] == "sending to team failed (***)"
        assert (
            "RuntimeError: POST https://oapi.dingtalk.com/robot/send?access_token=***" in event["traceback"]
        )
    else:
        assert (
            " ERROR kuaixun.delivery: sending to team failed (***)\\nTraceback (most recent call last):"
            in lines[0]
        )


def test_schedule_writes_json_lines_when_the_environment_asks(tmp_path: Path) -> None:
    path = write_config(tmp_path, {**CONFIG, "store": {"url": store_url(tmp_path)}})
    result = CliRunner().invoke(
        main, ["--config", str(path), "schedule", "--once"], env={"KUAIXUN_LOG_FORMAT": "json"}
    )
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in result.stderr.splitlines()]
    messages = [e["message"] for e in events]
    assert messages[0].startswith("scheduled: crawl '0 0 1 1 *'") and messages[-2:] == [
        "nothing is due",
        "stopped",
    ]
    assert {e["logger"] for e in events} == {"kuaixun.schedule"}
    assert all(TOKEN not in line for line in result.stderr.splitlines())
