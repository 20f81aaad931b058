"""Slack-compatible incoming webhook: mrkdwn section blocks, about one message a second.

A section block holds at most 3000 characters, and Slack refuses messages whose blocks
add up to much more than 12000, so a part is kept under that. Every mrkdwn text is
``verbatim``: Slack then neither links bare URLs nor parses mentions in it by itself.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from notify.channels.base import UNRECORDED, Attempt, Request, WebhookChannel
from notify.channels.chat import Dialect, body_lines, summary_lines
from notify.channels.limits import numbered, pack, parts_or_summary
from notify.channels.post import dumps
from notify.outgoing import Outgoing

SECTION_CHARS = 3000
PART_CHARS = 11_000
DIALECT = Dialect("slack", lambda label, target: f"<{target}|{label}>", bullet="• ")


class SlackChannel(WebhookChannel):
    LIMITS = ((1, 1.0),)

    def send(self, recipient: str, message: Outgoing, key: str, attempt: Attempt = UNRECORDED) -> None:
        requests = [partial(Request, dumps(p)) for p in payloads(message, self.settings.max_parts)]
        self.post_parts(requests, key, attempt)


def payloads(message: Outgoing, max_parts: int) -> list[dict[str, Any]]:
    """Parts of the text as section blocks; ``text`` is the notification's fallback line."""
    body, summary = body_lines(message, DIALECT), summary_lines(message, DIALECT)
    parts = parts_or_summary(body, summary, _fits_part, max_parts)
    total = len(parts)
    subject = DIALECT.escape(message.subject)
    return [_payload(numbered(subject, n, total), part) for n, part in enumerate(parts, 1)]


def _payload(heading: str, part: str) -> dict[str, Any]:
    sections = [f"*{heading}*", *pack(part.splitlines() or [""], _fits_section)]
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": s, "verbatim": True}}
        for s in sections
        if s.strip()
    ]
    return {"text": heading, "blocks": blocks}


def _fits_part(text: str) -> bool:
    return len(text) <= PART_CHARS


def _fits_section(text: str) -> bool:
    return len(text) <= SECTION_CHARS
