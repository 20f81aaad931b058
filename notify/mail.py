"""The issue as an email message (HTML, a text/plain alternative, the PDF attached), ready to send."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from notify.issue import Issue


def issue_message(
    issue: Issue,
    html: str,
    text: str,
    *,
    sender: str,
    to: list[str],
    now: datetime,
    pdf: bytes | None = None,
    pdf_name: str = "kuaixun.pdf",
) -> EmailMessage:
    """A MIME message with a correctly encoded Chinese subject, Date and Message-ID.

    With ``pdf`` the message becomes multipart/mixed: the HTML/text alternative first (what the
    client shows), the printable PDF attached as ``pdf_name`` for readers who file or print issues.
    """
    message = EmailMessage()
    message["Subject"] = f"{issue.layout.publisher} {issue.layout.title.replace(' ', '')} {issue.label}"
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip(">") or "kuaixun.local")
    message.set_content(text, subtype="plain", charset="utf-8")
    message.add_alternative(html, subtype="html", charset="utf-8")
    if pdf is not None:
        message.add_attachment(pdf, maintype="application", subtype="pdf", filename=pdf_name)
    return message
