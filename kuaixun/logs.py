"""Log records as a container's log wants them: one line per event, plain or JSON, never a secret.

Secrets are masked when a record is created (``kuaixun.redact.install_log_redaction``), so every
handler gets the masked text; the formatters here only keep each event on one line: a message or
a traceback with line breaks is written with them escaped.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from datetime import datetime
from typing import IO

from kuaixun.redact import install_log_redaction

Echo = Callable[[str], None]
LOG_FORMATS = ("plain", "json")
LOG_FORMAT_ENV = "KUAIXUN_LOG_FORMAT"
OUR_LOGGERS = "kuaixun"
"""Loggers whose INFO lines are events; the libraries' (httpx's every request, APScheduler's "Running
job …", which repeat ours) are kept from WARNING up."""
ERROR_PREFIX = "error:"
"""How the commands' lines announce a problem (``error: …``): logged as errors."""


def _timestamp(record: logging.LogRecord) -> str:
    """The record's time with its UTC offset, in the process's zone (the image sets TZ)."""
    return datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds")


def _one_line(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n")


def _traceback(formatter: logging.Formatter, record: logging.LogRecord) -> str | None:
    """The record's traceback (masked when the record was made), if it carries one."""
    if record.exc_info and not record.exc_text:
        record.exc_text = formatter.formatException(record.exc_info)
    return record.exc_text or None


class PlainFormatter(logging.Formatter):
    """``2026-11-29T18:00:00.000+08:00 INFO kuaixun.schedule: crawl: 3 new``"""

    def format(self, record: logging.LogRecord) -> str:
        traceback = _traceback(self, record)
        text = _one_line(record.getMessage() + (f"\n{traceback}" if traceback else ""))
        return f"{_timestamp(record)} {record.levelname} {record.name}: {text}"


class JsonFormatter(logging.Formatter):
    """``{"time": …, "level": "info", "logger": …, "message": …}``, one object per line."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": _timestamp(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        traceback = _traceback(self, record)
        if traceback:
            data["traceback"] = traceback
        return json.dumps(data, ensure_ascii=False)  # json.dumps escapes line breaks: one line


FORMATTERS: dict[str, type[logging.Formatter]] = {"plain": PlainFormatter, "json": JsonFormatter}


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a record comes (redirected, or a test's capture)."""

    def __init__(self) -> None:
        super().__init__()

    @property  # type: ignore[override]
    def stream(self) -> IO[str]:
        return sys.stderr

    @stream.setter
    def stream(self, _value: IO[str]) -> None:
        pass


def setup_logging(log_format: str) -> None:
    """Kuaixun's events at INFO, the libraries' warnings and errors, to stderr in ``log_format``.

    Set up again, it replaces its handler."""
    install_log_redaction()  # the patterns at once; load_config adds the config's secrets
    handler = StderrHandler()
    handler.setFormatter(FORMATTERS[log_format]())
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, StderrHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger(OUR_LOGGERS).setLevel(logging.INFO)


def log_echo(logger: logging.Logger) -> Echo:
    """An ``echo`` for the commands' report functions that logs each line as an event of ``logger``."""

    def echo(line: str) -> None:
        logger.log(logging.ERROR if line.startswith(ERROR_PREFIX) else logging.INFO, line)

    return echo
