"""Can this channel reach this recipient: one resolver for config checks, subscriptions, alerts and delivery.

A recipient is written three ways: an email address (``a@example.cn``), ``webhook:NAME`` (a
subscription's channel) or a bare NAME of ``channels.webhooks`` (a subscriber's ``webhooks``,
``digest resend --to``). ``Resolver.resolve`` turns one into the outbox's (channel, recipient)
or says why it cannot be served now. (The address and URL rules are in ``notify.channels.base``.)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from notify.channels.base import WebhookSettings, is_email
from notify.channels.email import BCC, EmailSettings, bcc_recipient

WEBHOOK_PREFIX = "webhook:"
EMAIL = "email"


def webhook_name(spec: str) -> str | None:
    """NAME of a ``webhook:NAME`` channel, None for anything else."""
    return spec.removeprefix(WEBHOOK_PREFIX) if spec.startswith(WEBHOOK_PREFIX) else None


@dataclass(frozen=True)
class Target:
    """Where a message goes, as the outbox records it: the channel's registry name and the recipient
    (an address, ``bcc:a,b``, or the webhook's name)."""

    channel: str
    recipient: str


@dataclass(frozen=True)
class Problem:
    """Why a recipient cannot be reached now, phrased for the operator."""

    reason: str

    def __str__(self) -> str:
        return self.reason


@dataclass(frozen=True)
class Resolver:
    """Built once from config.yaml's ``channels`` and whether ``alerts.secret`` can sign."""

    email: EmailSettings | None
    webhooks: Mapping[str, WebhookSettings]
    secret_problem: str | None = None
    """Why email alerts cannot carry a signed unsubscribe link (``alerts.secret`` unset); None if they can."""

    def resolve(self, spec: str, *, alert: bool = False) -> Target | Problem:
        """The target ``spec`` names; an ``alert`` by email needs the secret to sign its unsubscribe link."""
        name = webhook_name(spec) or (spec if spec in self.webhooks else None)
        if name is not None:
            hook = self.webhooks.get(name)
            if hook is None:
                return Problem(f"unknown webhook {name!r} (defined: {self._known()})")
            return Target(hook.type, name)
        if not all(map(is_email, spec.removeprefix(BCC).split(","))):
            return Problem(
                f"{spec!r} is neither an email address nor a webhook name (webhooks: {self._known()})"
            )
        if self.email is None:
            return Problem("channels.email is not configured to send it")
        if alert and self.secret_problem:
            return Problem(self.secret_problem)
        return Target(EMAIL, spec)

    def settings(self, target: Target) -> EmailSettings | WebhookSettings | Problem:
        """The settings to open ``target``'s channel with, or why config.yaml no longer serves it."""
        if target.channel == EMAIL:
            return self.email or Problem("channels.email is not configured any more")
        hook = self.webhooks.get(target.recipient)
        if hook is None or hook.type != target.channel:
            return Problem(f"channels.webhooks has no {target.channel} webhook {target.recipient!r} any more")
        return hook

    def emails(self, addresses: list[str], *, bcc: bool) -> list[Target]:
        """Email targets of ``addresses``: one each, or with ``bcc`` one message to all."""
        if not addresses or self.email is None:
            return []
        if bcc:
            return [Target(EMAIL, bcc_recipient(addresses))]
        return [Target(EMAIL, address) for address in addresses]

    def _known(self) -> str:
        return ", ".join(self.webhooks) or "none"
