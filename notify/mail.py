"""The issue as an email message (HTML, a text/plain alternative, the PDF attached), ready to send."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage

from notify.channels.email import build_message
from notify.issue import Issue
from notify.outgoing import FileAttachment, Outgoing


def issue_subject(issue: Issue) -> str:
    """``北京关键要素科技有限公司 快讯 (2019) 1102 期``: the subject every channel gives the issue."""
    return f"{issue.layout.publisher} {issue.layout.title.replace(' ', '')} {issue.label}"


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
    """The issue's .eml, built as the email channel builds what it sends.

    With ``pdf`` the message becomes multipart/mixed: the HTML/text alternative first (what the
    client shows), the printable PDF attached as ``pdf_name`` for readers who file or print issues.
    """
    attachments = (FileAttachment(pdf_name, "application/pdf", pdf),) if pdf is not None else ()
    outgoing = Outgoing(subject=issue_subject(issue), text=text, html=html, attachments=attachments)
    return build_message(outgoing, sender, ", ".join(to), f"issue/{issue.label}", now)
