"""Generic JSON webhook: the whole message in one signed POST, for the operator's own receiver.

Body: ``{"subject", "text", "html", "markdown", "summary", "links": [{"title", "url"}]}``.
``html`` is the escaped HTML email and ``markdown`` CommonMark with every scraped field escaped
(notify.escape.commonmark); ``subject``, ``text``, ``summary`` and the link titles are plain text
as the page wrote it, which a receiver must escape for whatever it renders them into. Each link
``url`` is a checked http(s) URL of the notice.
Headers: ``X-Kuaixun-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed with the
secret>``, ``X-Kuaixun-Timestamp`` (Unix seconds) and ``X-Kuaixun-Delivery`` (the delivery
key, the same on every retry, so the receiver can drop a duplicate).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from notify.channels.base import WebhookChannel
from notify.channels.post import dumps, post
from notify.outgoing import Outgoing


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class JsonWebhookChannel(WebhookChannel):
    LIMITS = ((60, 60.0),)

    def send(self, recipient: str, message: Outgoing, key: str) -> None:
        body = dumps(payload(message))
        headers = {"X-Kuaixun-Timestamp": str(int(self.clock())), "X-Kuaixun-Delivery": key}
        if self.settings.secret:
            headers["X-Kuaixun-Signature"] = signature(self.settings.secret, body)
        self.wait()
        post(self.settings.url, body, timeout=self.settings.timeout, headers=headers)


def payload(message: Outgoing) -> dict[str, Any]:
    return {
        "subject": message.subject,
        "text": message.text,
        "html": message.html,
        "markdown": message.markdown,
        "summary": message.summary,
        "links": [{"title": link.title, "url": link.url} for link in message.links],
    }
