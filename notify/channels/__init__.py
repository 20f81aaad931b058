"""Delivery channels, keyed by the name config.yaml uses (like urlwatch's reporters).

``email`` takes ``channels.email``; the others are ``channels.webhooks.<name>.type``. Each
channel is ``send(recipient, message, key)`` and raises ``DeliveryError`` on failure.
"""

from __future__ import annotations

from notify.channels.base import Channel, WebhookSettings
from notify.channels.dingtalk import DingTalkChannel
from notify.channels.email import EmailChannel, EmailSettings
from notify.channels.feishu import FeishuChannel
from notify.channels.slack import SlackChannel
from notify.channels.webhook import JsonWebhookChannel
from notify.channels.wecom import WeComChannel

REGISTRY: dict[str, type[Channel]] = {
    "email": EmailChannel,
    "wecom": WeComChannel,
    "dingtalk": DingTalkChannel,
    "feishu": FeishuChannel,
    "slack": SlackChannel,
    "webhook": JsonWebhookChannel,
}


def open_channel(name: str, settings: EmailSettings | WebhookSettings) -> Channel:
    """The channel registered as ``name``, built from its settings."""
    return REGISTRY[name](settings)


def idempotent(name: str) -> bool:
    """Whether the channel ``name`` may send a part again after a lost answer (see ``Channel``)."""
    return REGISTRY[name].idempotent


__all__ = ["REGISTRY", "Channel", "EmailSettings", "WebhookSettings", "idempotent", "open_channel"]
