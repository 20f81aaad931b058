"""A message on its way out, in every form a channel may want, and how delivery fails."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FileAttachment:
    name: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class Outgoing:
    """One message (a digest issue or an alert), rendered for every kind of channel.

    Email uses ``html`` + ``email_text`` or ``text`` (+ ``attachments``); chat webhooks use ``text``
    (escaped for the service, split to its size limit) or, when too long, ``summary`` with ``links``.
    """

    subject: str
    text: str
    """The whole message as plain text."""
    html: str | None = None
    email_text: str | None = None
    """The email's text/plain alternative where it is not ``text`` (a summary email whose full
    issue rides along as the PDF)."""
    markdown: str | None = None
    summary: str | None = None
    links: tuple[Link, ...] = ()
    attachments: tuple[FileAttachment, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)
    """Extra email headers, e.g. List-Unsubscribe."""

    @property
    def email_plain(self) -> str:
        """What an email shows as text/plain."""
        return self.email_text or self.text


class DeliveryError(Exception):
    """A send that did not go through, or may not have.

    ``retryable`` says whether trying later may help. ``in_doubt``: the message was handed over
    (DATA's final dot, a webhook request written) and no answer came, so the recipient may have
    it; sending it again may make a duplicate.
    """

    def __init__(self, message: str, *, retryable: bool = True, in_doubt: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.in_doubt = in_doubt
