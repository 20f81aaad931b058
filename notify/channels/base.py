"""What every channel shares: the ``send`` contract and the settings of a chat/HTTP webhook."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator

from notify.channels.limits import RateLimiter
from notify.outgoing import Outgoing

WebhookType = Literal["wecom", "dingtalk", "feishu", "slack", "webhook"]


class Channel(Protocol):
    """Delivers one message to one recipient; raises ``DeliveryError`` when it did not go through.

    ``key`` names the delivery (stable across retries) so that a channel which can carry it
    (email Message-ID, the generic webhook's header) lets the receiver drop a duplicate.
    """

    def send(self, recipient: str, message: Outgoing, key: str) -> None: ...


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
    max_parts: int = Field(default=5, ge=1)
    """A digest longer than this many messages is sent as its summary with links instead."""

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("not a URL")
        return value


class WebhookChannel:
    """What every webhook channel holds: its settings, the service's rate limits, a clock.

    ``LIMITS`` are (messages, seconds) windows the service enforces; ``wait()`` keeps under all
    of them. The clock (wall time, seconds) stamps signatures; tests pass a fixed one.
    """

    LIMITS: tuple[tuple[int, float], ...] = ()

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
