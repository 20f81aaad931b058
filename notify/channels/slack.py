"""Slack-compatible incoming webhook: mrkdwn section blocks, about one message a second.

A section block holds at most 3000 characters, and Slack refuses messages whose blocks
add up to much more than 12000, so a part is kept under that.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from notify.channels.base import WebhookChannel
from notify.channels.limits import numbered, pack, parts_or_summary
from notify.channels.post import dumps, post
from notify.outgoing import Link, Outgoing

SECTION_CHARS = 3000
PART_CHARS = 11_000


def escape(text: str) -> str:
    """mrkdwn's three control characters; everything else is shown as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class SlackChannel(WebhookChannel):
    LIMITS = ((1, 1.0),)

    def send(self, recipient: str, message: Outgoing, key: str) -> None:
        for payload in payloads(message, self.settings.max_parts):
            self.wait()
            post(self.settings.url, dumps(payload), timeout=self.settings.timeout)


def payloads(message: Outgoing, max_parts: int) -> list[dict[str, Any]]:
    """Parts of the text as section blocks; ``text`` is the notification's fallback line."""
    safe = replace(message, summary=escape(message.summary or message.subject))
    parts = parts_or_summary(safe, escape(message.text), _fits_part, max_parts, _link)
    total = len(parts)
    return [_payload(escape(numbered(message.subject, n, total)), part) for n, part in enumerate(parts, 1)]


def _payload(heading: str, part: str) -> dict[str, Any]:
    sections = [f"*{heading}*", *pack(part.splitlines() or [""], _fits_section)]
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": s}} for s in sections if s.strip()]
    return {"text": heading, "blocks": blocks}


def _fits_part(text: str) -> bool:
    return len(text) <= PART_CHARS


def _fits_section(text: str) -> bool:
    return len(text) <= SECTION_CHARS


def _link(link: Link) -> str:
    return f"• <{link.url}|{escape(link.title)}>"
