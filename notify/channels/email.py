"""Email over SMTP (STARTTLS, implicit TLS or plain): HTML with a text alternative and attachments.

The Message-ID is derived from the delivery key, so a retry after an ambiguous failure (the
server took the message but the answer was lost) carries the same id and can be recognised.
"""

from __future__ import annotations

import base64
import hashlib
import quopri
import smtplib
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Literal

from pydantic import Field

from notify.channels.base import ChannelSettings
from notify.outgoing import DeliveryError, Outgoing

BCC = "bcc:"
"""Recipient prefix of one message to many: ``bcc:a@x.cn,b@y.cn``."""


class EmailSettings(ChannelSettings):
    """``channels.email``: the SMTP relay and the sender."""

    host: str
    port: int = Field(default=587, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = None
    password: str | None = None
    sender: str
    timeout: float = Field(default=30.0, gt=0)
    ca_file: Path | None = None
    """CA bundle to trust instead of the system's (a relay with a private CA)."""
    digest_bcc: bool = False
    """Send the digest as one message with every subscriber in Bcc, instead of one message each."""
    list_unsubscribe: str | None = None
    """List-Unsubscribe header of the digest; default: a mailto: to the sender asking 退订."""


def bcc_recipient(addresses: list[str]) -> str:
    return BCC + ",".join(addresses)


class EmailChannel:
    def __init__(self, settings: EmailSettings, clock: Callable[[], datetime] | None = None) -> None:
        self.settings = settings
        self.clock = clock or (lambda: datetime.now(UTC))

    def send(self, recipient: str, message: Outgoing, key: str) -> None:
        email = build_message(message, self.settings.sender, recipient, key, self.clock())
        envelope = recipient.removeprefix(BCC).split(",")
        with _classified():
            smtp = self._connect()
            try:
                if self.settings.username:
                    _login(smtp, self.settings.username, self.settings.password or "")
                refused = smtp.send_message(email, parseaddr(self.settings.sender)[1], envelope)
            finally:
                _close(smtp)
        if refused:
            # Some Bcc recipients took it: trying again would send it to those twice.
            raise DeliveryError(f"accepted, but refused for {_refusals(refused)}", retryable=False)

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        context = ssl.create_default_context(cafile=s.ca_file)
        if s.security == "ssl":
            return smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
        smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        if s.security == "starttls":
            try:
                smtp.starttls(context=context)
            except BaseException:
                smtp.close()
                raise
        return smtp


def build_message(message: Outgoing, sender: str, recipient: str, key: str, now: datetime) -> EmailMessage:
    """The MIME message: text/plain and text/html alternatives, then the attachments."""
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = sender
    email["To"] = "undisclosed-recipients:;" if recipient.startswith(BCC) else recipient
    email["Date"] = format_datetime(now)
    email["Message-ID"] = message_id(key, sender)
    for name, value in message.headers.items():
        email[name] = value
    plain = message.email_plain
    email.set_content(plain, subtype="plain", charset="utf-8", cte=transfer_encoding(plain))
    if message.html:
        cte = transfer_encoding(message.html)
        email.add_alternative(message.html, subtype="html", charset="utf-8", cte=cte)
    for attachment in message.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        email.add_attachment(attachment.data, maintype=maintype, subtype=subtype, filename=attachment.name)
    return email


def transfer_encoding(text: str) -> str:
    """The smaller of base64 and quoted-printable for ``text`` as UTF-8: quoted-printable triples
    every byte of a Chinese character (``=E5=BF=AB``), base64 adds a third to every byte."""
    data = text.encode("utf-8")
    return "base64" if len(base64.encodebytes(data)) < len(quopri.encodestring(data)) else "quoted-printable"


def message_id(key: str, sender: str) -> str:
    domain = parseaddr(sender)[1].rpartition("@")[2] or "kuaixun.local"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}.kuaixun@{domain}>"


@contextmanager
def _classified() -> Iterator[None]:
    """SMTP failures as DeliveryError: 4xx and connection trouble retry later, 5xx and setup do not."""
    try:
        yield
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(
            f"SMTP login refused ({exc.smtp_code} {_text(exc.smtp_error)}): "
            "check channels.email.username and the password",
            retryable=False,
        ) from None
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        raise DeliveryError(
            f"refused for {_refusals(exc.recipients)}", retryable=all(400 <= c < 500 for c in codes)
        ) from None
    except smtplib.SMTPResponseException as exc:
        permanent = 500 <= exc.smtp_code < 600
        raise DeliveryError(
            f"SMTP {exc.smtp_code} {_text(exc.smtp_error)}", retryable=not permanent
        ) from None
    except smtplib.SMTPNotSupportedError as exc:
        raise DeliveryError(f"{exc} (check channels.email.security)", retryable=False) from None
    except ssl.SSLCertVerificationError as exc:
        raise DeliveryError(
            f"the server's certificate is not trusted: {exc.verify_message}", retryable=False
        ) from None
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"SMTP connection failed: {type(exc).__name__}: {exc}") from None


def _login(smtp: smtplib.SMTP, username: str, password: str) -> None:
    """Log in; a non-ASCII password (which smtplib cannot encode) goes as UTF-8 AUTH PLAIN (RFC 4616)."""
    try:
        smtp.login(username, password)
    except UnicodeEncodeError:
        token = base64.b64encode(f"\0{username}\0{password}".encode()).decode("ascii")
        code, reply = smtp.docmd("AUTH", f"PLAIN {token}")
        if code != 235:
            raise smtplib.SMTPAuthenticationError(code, reply) from None


def _close(smtp: smtplib.SMTP) -> None:
    """QUIT politely; the message is already accepted, so a failure here must not fail the send."""
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


def _refusals(refused: dict[str, tuple[int, bytes]]) -> str:
    return ", ".join(f"{address} ({code} {_text(text)})" for address, (code, text) in refused.items())


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
