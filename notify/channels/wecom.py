"""企业微信 group robot: markdown messages of at most 4096 bytes, 20 a minute."""

from __future__ import annotations

from functools import partial
from typing import Any

from notify.channels.base import UNRECORDED, Attempt, Request, WebhookChannel
from notify.channels.chat import Dialect, body_lines, markdown_link, summary_lines
from notify.channels.limits import numbered, parts_or_summary, utf8_size
from notify.channels.post import check_code, dumps
from notify.outgoing import Outgoing

CONTENT_BYTES = 4096
RATE_LIMITED = {-1, 45009}
"""-1 system busy, 45009 api freq out of limit: worth another try later."""
CHECK = partial(check_code, field="errcode", rate_limited=RATE_LIMITED)
DIALECT = Dialect("wecom", markdown_link)


class WeComChannel(WebhookChannel):
    LIMITS = ((20, 60.0),)

    def send(self, recipient: str, message: Outgoing, key: str, attempt: Attempt = UNRECORDED) -> None:
        requests = [partial(Request, dumps(p)) for p in payloads(message, self.settings.max_parts)]
        self.post_parts(requests, key, attempt, CHECK)


def payloads(message: Outgoing, max_parts: int) -> list[dict[str, Any]]:
    """One markdown message per part, each ``content`` within the 4096-byte limit.

    The text's lines escaped for WeCom's Markdown, which has no escapes and would link a
    scraped ``[…](…)`` even in a CommonMark-escaped form.
    """
    subject = DIALECT.escape(message.subject)

    def fits(text: str) -> bool:
        return utf8_size(_content(subject, text, 99, 99)) <= CONTENT_BYTES

    body, summary = body_lines(message, DIALECT), summary_lines(message, DIALECT)
    parts = parts_or_summary(body, summary, fits, max_parts)
    return [
        {"msgtype": "markdown", "markdown": {"content": _content(subject, part, n, len(parts))}}
        for n, part in enumerate(parts, 1)
    ]


def _content(subject: str, part: str, number: int, total: int) -> str:
    return f"**{numbered(subject, number, total)}**\n{part}"
