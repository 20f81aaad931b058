"""The issue as an email message (HTML with a text/plain alternative), ready to save or send."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from notify.issue import Issue


def issue_message(
    issue: Issue, html: str, text: str, *, sender: str, to: list[str], now: datetime
) -> EmailMessage:
    """A MIME message with a correctly encoded Chinese subject, Date and Message-ID."""
    message = EmailMessage()
    message["Subject"] = f"{issue.layout.publisher} {issue.layout.title.replace(' ', '')} {issue.label}"
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip(">") or "kuaixun.local")
    message.set_content(text, subtype="plain", charset="utf-8")
    message.add_alternative(html, subtype="html", charset="utf-8")
    return message
