"""Generic JSON webhook: the whole message in one signed POST, for the operator's own receiver.

Body: ``{"subject", "text", "html", "markdown", "summary", "links": [{"title", "url"}]}``.
``html`` is the escaped HTML email and ``markdown`` CommonMark with every scraped field escaped
(notify.escape.commonmark); ``subject``, ``text``, ``summary`` and the link titles are plain text
as the page wrote it, which a receiver must escape for whatever it renders them into. Each link
``url`` is a checked http(s) URL of the notice.
Headers: ``X-Kuaixun-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed with the
secret>``, ``X-Kuaixun-Timestamp`` (Unix seconds) and ``X-Kuaixun-Delivery`` (the idempotency
key ``<32 hex digits>-1``: the same on every retry of one delivery, different for a resend). A
request whose answer is lost (a timeout after it was sent) is sent again with the same key, so a
receiver that did process it must answer 2xx to a key it has seen and do nothing more.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import partial
from typing import Any

from notify.channels.base import UNRECORDED, Attempt, Request, WebhookChannel
from notify.channels.post import dumps
from notify.outgoing import Outgoing


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class JsonWebhookChannel(WebhookChannel):
    LIMITS = ((60, 60.0),)
    idempotent = True  # the receiver drops a repeated X-Kuaixun-Delivery

    def send(self, recipient: str, message: Outgoing, key: str, attempt: Attempt = UNRECORDED) -> None:
        self.post_parts([partial(self._request, dumps(payload(message)))], key, attempt)

    def _request(self, body: bytes) -> Request:
        headers = {"X-Kuaixun-Timestamp": str(int(self.clock()))}
        if self.settings.secret:
            headers["X-Kuaixun-Signature"] = signature(self.settings.secret, body)
        return Request(body, headers=headers)


def payload(message: Outgoing) -> dict[str, Any]:
    return {
        "subject": message.subject,
        "text": message.text,
        "html": message.html,
        "markdown": message.markdown,
        "summary": message.summary,
        "links": [{"title": link.title, "url": link.url} for link in message.links],
    }
