"""Email over SMTP (STARTTLS, implicit TLS or plain): HTML with a text alternative and attachments.

The Message-ID is derived from the delivery key: every attempt of one delivery carries the same.
A send is bounded as a whole (``timeout``: connect, login, DATA, reply), and the moment the
message is handed over, DATA's final dot, is reported to the outbox just before it goes: a
failure before it is retried, a lost reply after it leaves the delivery in doubt.
"""

from __future__ import annotations

import base64
import quopri
import smtplib
import socket
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from functools import partial
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from notify.channels.base import UNRECORDED, Attempt, ChannelSettings, key_digest
from notify.channels.deadline import Deadline
from notify.outgoing import DeliveryError, Outgoing

BCC = "bcc:"
"""Recipient prefix of one message to many: ``bcc:a@x.cn,b@y.cn``."""
END_OF_DATA = b"\r\n.\r\n"
FINAL_DOT = b".\r\n"
"""What ends DATA (RFC 5321 4.1.1.4): once the server reads it, the message is its to deliver."""


class EmailSettings(ChannelSettings):
    """``channels.email``: the SMTP relay and the sender."""

    host: str
    port: int = Field(default=587, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = None
    password: str | None = None
    sender: str
    timeout: float = Field(default=30.0, gt=0)
    """Seconds for the whole SMTP session (connect, login, DATA, reply), not per read."""
    ca_file: Path | None = None
    """CA bundle to trust instead of the system's (a relay with a private CA)."""
    digest_bcc: bool = False
    """Send the digest as one message with every subscriber in Bcc, instead of one message each."""
    list_unsubscribe: str | None = None
    """List-Unsubscribe header of the digest; default: a mailto: to the sender asking 退订."""


def bcc_recipient(addresses: list[str]) -> str:
    return BCC + ",".join(addresses)


class EmailChannel:
    idempotent = False  # a mail server keeps no record of Message-IDs it took: a resend is a second copy

    def __init__(self, settings: EmailSettings, clock: Callable[[], datetime] | None = None) -> None:
        self.settings = settings
        self.clock = clock or (lambda: datetime.now(UTC))

    def send(self, recipient: str, message: Outgoing, key: str, attempt: Attempt = UNRECORDED) -> None:
        """One SMTP session within ``timeout`` seconds in all; the message is handed over at DATA's
        final dot, which ``attempt`` hears of first."""
        if attempt.parts_sent:
            return  # the operator confirmed that the message in doubt arrived
        email = build_message(message, self.settings.sender, recipient, key, self.clock())
        envelope = recipient.removeprefix(BCC).split(",")
        with Deadline(self.settings.timeout) as deadline, _classified(deadline) as session:
            smtp = session.smtp = self._connect(deadline, partial(attempt.handing_over, 1))
            try:
                if self.settings.username:
                    _login(smtp, self.settings.username, self.settings.password or "")
                refused = smtp.send_message(email, parseaddr(self.settings.sender)[1], envelope)
                attempt.delivered(1)
            finally:
                _close(smtp)
        if refused:
            # Some Bcc recipients took it: trying again would send it to those twice.
            raise DeliveryError(f"accepted, but refused for {_refusals(refused)}", retryable=False)

    def _connect(self, deadline: Deadline, handing_over: Callable[[], None]) -> _GuardedSMTP:
        s = self.settings
        context = ssl.create_default_context(cafile=s.ca_file)
        options: dict[str, Any] = {"host": s.host, "port": s.port, "timeout": s.timeout}
        if s.security == "ssl":
            return _GuardedSSL(deadline, handing_over, context=context, **options)
        smtp = _GuardedSMTP(deadline, handing_over, **options)
        if s.security == "starttls":
            try:
                smtp.starttls(context=context)
            except BaseException:
                smtp.close()
                raise
        return smtp


class _GuardedSMTP(smtplib.SMTP):
    """smtplib's client under a ``Deadline``, calling ``handing_over`` just before DATA's final dot:
    until that dot the server cannot have taken the message, after it only its reply says so."""

    def __init__(self, deadline: Deadline, handing_over: Callable[[], None], **options: Any) -> None:
        self.deadline, self.handing_over = deadline, handing_over
        self.in_data = self.dot_sent = False
        super().__init__(**options)

    def send(self, s: bytes | str) -> None:
        self.deadline.watch(self.sock)  # the newest socket: STARTTLS replaces the first
        if self.in_data and isinstance(s, bytes) and s.endswith(END_OF_DATA):
            super().send(s[: -len(FINAL_DOT)])
            self.handing_over()
            super().send(FINAL_DOT)
            self.dot_sent = True
            return
        super().send(s)

    def getreply(self) -> tuple[int, bytes]:
        self.deadline.watch(self.sock)  # the greeting is read before anything is sent
        return super().getreply()

    def data(self, msg: bytes | str) -> tuple[int, bytes]:
        self.in_data = True
        try:
            return super().data(msg)
        finally:
            self.in_data = False


class _GuardedSSL(_GuardedSMTP, smtplib.SMTP_SSL):
    """The same over implicit TLS."""

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        """SMTP_SSL's connection, watched before its TLS handshake (which it does in this call, before
        any greeting is read): the handshake is then under the deadline too."""
        plain = smtplib.SMTP._get_socket(self, host, port, timeout)
        self.deadline.watch(plain)
        return self.context.wrap_socket(plain, server_hostname=self._host)


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
    """The same for every attempt of one delivery (its key), different for a resend."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "kuaixun.local"
    return f"<{key_digest(key)}.kuaixun@{domain}>"


@dataclass
class _Session:
    """The SMTP client of a send, once connected: whether its final dot went out."""

    smtp: _GuardedSMTP | None = None


@contextmanager
def _classified(deadline: Deadline) -> Iterator[_Session]:
    """SMTP failures as DeliveryError: 4xx and connection trouble retry later, 5xx and setup do not;
    a broken connection or the deadline after the final dot leaves the message in doubt."""
    session = _Session()
    try:
        yield session
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
        if deadline.expired:
            reason = f"SMTP session not finished within the {deadline.seconds:g} s timeout"
        else:
            reason = f"SMTP connection failed: {type(exc).__name__}: {exc}"
        if session.smtp is not None and session.smtp.dot_sent:
            raise DeliveryError(
                f"{reason}, after the whole message was sent and before the server confirmed it: "
                "it may have been delivered",
                in_doubt=True,
            ) from None
        raise DeliveryError(reason) from None


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
