"""飞书/Lark custom bot: signed rich-text (post) messages, 20 KB a request, 5 a second, 100 a minute."""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import partial
from typing import Any

from notify.channels.base import UNRECORDED, Attempt, Request, WebhookChannel
from notify.channels.chat import Dialect, body_lines, summary_lines
from notify.channels.limits import numbered, parts_or_summary
from notify.channels.post import check_code, dumps
from notify.outgoing import Outgoing

BODY_BYTES = 19_000
"""Under the 20 KB request limit, with room for the signature fields."""
RATE_LIMITED = {11232, 99991400}
"""11232 and 99991400: frequency limit reached."""
CHECK = partial(check_code, field="code", rate_limited=RATE_LIMITED)
LINK = "\x00"
"""Marks a link line, ``LINK target LINK label``, until it becomes an ``a`` element: escaped text
never holds it (control characters are dropped), so no scraped line can pass for a link."""
DIALECT = Dialect("feishu", lambda label, target: f"{LINK}{target}{LINK}{label}", bullet="")


def sign(secret: str, timestamp_s: int) -> str:
    """base64(HMAC-SHA256(key="{timestamp}\\n{secret}", msg=b"")): Feishu keys the HMAC, not the message."""
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


class FeishuChannel(WebhookChannel):
    LIMITS = ((5, 1.0), (100, 60.0))

    def send(self, recipient: str, message: Outgoing, key: str, attempt: Attempt = UNRECORDED) -> None:
        requests = [partial(self._request, p) for p in payloads(message, self.settings.max_parts)]
        self.post_parts(requests, key, attempt, CHECK)

    def _request(self, payload: dict[str, Any]) -> Request:
        return Request(dumps({**payload, **self._signature()}))

    def _signature(self) -> dict[str, str]:
        if not self.settings.secret:
            return {}
        timestamp = int(self.clock())
        return {"timestamp": str(timestamp), "sign": sign(self.settings.secret, timestamp)}


def payloads(message: Outgoing, max_parts: int) -> list[dict[str, Any]]:
    """One ``post`` message per part: a title, then one paragraph per line; link lines become links."""
    subject = DIALECT.escape(message.subject)

    def fits(text: str) -> bool:
        return len(dumps(_post(subject, text, 99, 99))) <= BODY_BYTES

    body, summary = body_lines(message, DIALECT), summary_lines(message, DIALECT)
    parts = parts_or_summary(body, summary, fits, max_parts)
    return [_post(subject, part, n, len(parts)) for n, part in enumerate(parts, 1)]


def _post(subject: str, part: str, number: int, total: int) -> dict[str, Any]:
    title = numbered(subject, number, total)
    lines = [[_element(line)] for line in part.splitlines()]
    return {"msg_type": "post", "content": {"post": {"zh_cn": {"title": title, "content": lines}}}}


def _element(line: str) -> dict[str, str]:
    if line.startswith(LINK):
        target, _, label = line[1:].partition(LINK)
        return {"tag": "a", "text": label, "href": target}
    return {"tag": "text", "text": line}
