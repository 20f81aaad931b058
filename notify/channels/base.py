"""What every channel shares: the ``send`` contract and the settings of a chat/HTTP webhook."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, ClassVar, Literal, Protocol
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from notify.channels.limits import RateLimiter
from notify.channels.post import post
from notify.outgoing import Outgoing

if TYPE_CHECKING:
    import httpx

WebhookType = Literal["wecom", "dingtalk", "feishu", "slack", "webhook"]
DELIVERY_HEADER = "X-Kuaixun-Delivery"
"""The idempotency key of every webhook request: ``<key digest>-<part>``, the same on each retry."""
EMAIL_RE = re.compile(r"^[^@\s:,]+@[^@\s,]+\.[^@\s,]+$")
"""An address as the outbox keeps it: no spaces, and no ``,`` or ``:`` (they join a Bcc recipient)."""


def is_email(value: str) -> bool:
    return bool(EMAIL_RE.match(value))


def check_email(value: str) -> str:
    """``value`` if it is an email address; ValueError otherwise (a pydantic validator)."""
    if not is_email(value):
        raise ValueError(f"{value!r} is not an email address")
    return value


def check_http_url(value: str) -> str:
    """An http(s) URL with a host, a valid port and no spaces or control characters; ValueError otherwise."""
    try:
        parts = urlsplit(value)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        raise ValueError("not a URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or not port_ok:
        raise ValueError("not a URL")
    if re.search(r"[\s\x00-\x1f\x7f]", value):
        raise ValueError("not a URL (it holds spaces or control characters)")
    return value


def key_digest(key: str) -> str:
    """A delivery key as it goes on the wire (Message-ID, ``X-Kuaixun-Delivery``): ASCII, fixed length."""
    return hashlib.sha256(key.encode()).hexdigest()[:32]


class Attempt(Protocol):
    """One try at a delivery as the outbox records it: the channel reports each step as it happens,
    so that a crash or a lost answer is never guessed at afterwards."""

    @property
    def parts_sent(self) -> int:
        """Parts the recipient confirmed in earlier attempts: a split message resumes after them."""
        ...

    def handing_over(self, part: int) -> None:
        """``part`` (from 1) is about to go out irrevocably (DATA's final dot, a webhook request's body):
        recorded first, so that a crash from here on is known to have left it in doubt."""

    def delivered(self, part: int) -> None:
        """The recipient confirmed ``part`` (250 after DATA, a 2xx answer and the service's own ok)."""


class Unrecorded:
    """An attempt nothing records (a channel called directly, as in a test): every part from the first."""

    parts_sent = 0

    def handing_over(self, part: int) -> None:
        pass

    def delivered(self, part: int) -> None:
        pass


UNRECORDED = Unrecorded()


class Channel(Protocol):
    """Delivers one message to one recipient; raises ``DeliveryError`` when it did not go through.

    ``key`` names the delivery (stable across retries) so that a channel which can carry it
    (email Message-ID, the generic webhook's header) lets the receiver drop a duplicate.
    ``attempt`` hears of each part handed over and delivered, and says where to resume.
    """

    idempotent: ClassVar[bool]
    """Whether sending a part again after an answer that never came is safe: the receiver drops
    the duplicate by its key. Where it is not, such a delivery waits for the operator's decision."""

    def send(self, recipient: str, message: Outgoing, key: str, attempt: Attempt = UNRECORDED) -> None: ...


class ChannelSettings(BaseModel):
    """Settings as config.yaml gives them: unknown keys are errors, values never change."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class WebhookSettings(ChannelSettings):
    """One named webhook of ``channels.webhooks``: a chat group robot or a generic JSON receiver."""

    type: WebhookType
    url: str
    secret: str | None = None
    """Signing secret (DingTalk 加签, Feishu 签名校验, the generic webhook's HMAC); use ``${ENV}``."""
    timeout: float = Field(default=15.0, gt=0)
    """Seconds for each request: connect, send and answer together."""
    max_parts: int = Field(default=5, ge=1)
    """A digest longer than this many messages is sent as its summary with links instead."""

    _url = field_validator("url")(check_http_url)


class WebhookChannel:
    """What every webhook channel holds: its settings, the service's rate limits, a clock.

    ``LIMITS`` are (messages, seconds) windows the service enforces; ``wait()`` keeps under all
    of them. The clock (wall time, seconds) stamps signatures; tests pass a fixed one.
    """

    LIMITS: tuple[tuple[int, float], ...] = ()
    idempotent: ClassVar[bool] = False

    def __init__(
        self,
        settings: WebhookSettings,
        limiters: tuple[RateLimiter, ...] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.limiters = limiters if limiters is not None else tuple(RateLimiter(n, s) for n, s in self.LIMITS)
        self.clock = clock

    def wait(self) -> None:
        for limiter in self.limiters:
            limiter.wait()

    def post_parts(
        self,
        requests: Sequence[Callable[[], Request]],
        key: str,
        attempt: Attempt,
        check: Callable[[httpx.Response], None] = lambda _response: None,
    ) -> None:
        """POST each part not yet delivered, in order, each built just before it goes (signatures
        carry the time); ``check`` reads the service's verdict in a 2xx answer.

        Every request carries ``X-Kuaixun-Delivery: <key digest>-<part>``, the same on a retry.
        """
        for part, build in enumerate(requests, 1):
            if part <= attempt.parts_sent:
                continue
            self.wait()
            request = build()
            response = post(
                self.settings.url,
                request.body,
                timeout=self.settings.timeout,
                headers={**request.headers, DELIVERY_HEADER: f"{key_digest(key)}-{part}"},
                params=request.params,
                handing_over=partial(attempt.handing_over, part),
            )
            check(response)
            attempt.delivered(part)


@dataclass(frozen=True)
class Request:
    """One part as a webhook POST: the JSON body, and the query parameters and headers that sign it."""

    body: bytes
    params: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
