"""Delivery channels, keyed by the name config.yaml uses (like urlwatch's reporters).

``email`` takes ``channels.email``; the others are ``channels.webhooks.<name>.type``. Each
channel is ``send(recipient, message, key)`` and raises ``DeliveryError`` on failure. A channel's
module is imported when it is first opened: reading the config or the outbox needs none of them.
"""

from __future__ import annotations

from importlib import import_module

from notify.channels.base import Channel, WebhookSettings
from notify.channels.email import EmailSettings

REGISTRY: dict[str, str] = {
    "email": "notify.channels.email:EmailChannel",
    "wecom": "notify.channels.wecom:WeComChannel",
    "dingtalk": "notify.channels.dingtalk:DingTalkChannel",
    "feishu": "notify.channels.feishu:FeishuChannel",
    "slack": "notify.channels.slack:SlackChannel",
    "webhook": "notify.channels.webhook:JsonWebhookChannel",
}
"""Each channel's class as ``module:name``."""


def channel_class(name: str) -> type[Channel]:
    """The class registered as ``name`` (KeyError for an unknown name)."""
    module, _, attribute = REGISTRY[name].partition(":")
    found: type[Channel] = getattr(import_module(module), attribute)
    return found


def open_channel(name: str, settings: EmailSettings | WebhookSettings) -> Channel:
    """The channel registered as ``name``, built from its settings."""
    return channel_class(name)(settings)


def idempotent(name: str) -> bool:
    """Whether the channel ``name`` may send a part again after a lost answer (see ``Channel``)."""
    return channel_class(name).idempotent


__all__ = [
    "REGISTRY",
    "Channel",
    "EmailSettings",
    "WebhookSettings",
    "channel_class",
    "idempotent",
    "open_channel",
]
