"""钉钉 custom robot: signed (加签) markdown messages, 20 a minute.

Over 20 a minute DingTalk blocks the robot for ten minutes, so the limiter waits instead.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import partial
from typing import Any

from notify.channels.base import UNRECORDED, Attempt, Request, WebhookChannel
from notify.channels.chat import Dialect, body_lines, markdown_link, summary_lines
from notify.channels.limits import numbered, parts_or_summary, utf8_size
from notify.channels.post import check_code, dumps
from notify.outgoing import Outgoing

TEXT_BYTES = 18_000
"""Kept under the robot's ~20000-byte message limit, leaving room for the JSON around it."""
RATE_LIMITED = {-1, 130101}
"""-1 system busy, 130101 send too fast (over 20 a minute)."""
CHECK = partial(check_code, field="errcode", rate_limited=RATE_LIMITED)
DIALECT = Dialect("dingtalk", markdown_link)
HARD_BREAK = "  "
"""Two trailing spaces: DingTalk's Markdown joins lines split by a single newline."""


def sign(secret: str, timestamp_ms: int) -> str:
    """base64(HMAC-SHA256(key=secret, msg="{timestamp}\\n{secret}")); the query string URL-encodes it."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class DingTalkChannel(WebhookChannel):
    LIMITS = ((20, 60.0),)

    def send(self, recipient: str, message: Outgoing, key: str, attempt: Attempt = UNRECORDED) -> None:
        requests = [partial(self._request, dumps(p)) for p in payloads(message, self.settings.max_parts)]
        self.post_parts(requests, key, attempt, CHECK)

    def _request(self, body: bytes) -> Request:
        return Request(body, params=self._signature())

    def _signature(self) -> dict[str, str]:
        if not self.settings.secret:
            return {}
        timestamp = int(self.clock() * 1000)
        return {"timestamp": str(timestamp), "sign": sign(self.settings.secret, timestamp)}


def payloads(message: Outgoing, max_parts: int) -> list[dict[str, Any]]:
    """Markdown messages, titled with the subject (the title is what the chat list shows).

    The text's lines escaped for DingTalk's Markdown, each ending in a hard break.
    """
    subject = DIALECT.escape(message.subject)

    def fits(text: str) -> bool:
        return utf8_size(_text(subject, text, 99, 99)) <= TEXT_BYTES

    body = [line + HARD_BREAK if line else line for line in body_lines(message, DIALECT)]
    parts = parts_or_summary(body, summary_lines(message, DIALECT), fits, max_parts)
    total = len(parts)
    return [
        {
            "msgtype": "markdown",
            "markdown": {"title": numbered(subject, n, total), "text": _text(subject, part, n, total)},
        }
        for n, part in enumerate(parts, 1)
    ]


def _text(subject: str, part: str, number: int, total: int) -> str:
    return f"### {numbered(subject, number, total)}\n\n{part}"
