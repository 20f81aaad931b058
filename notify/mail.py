"""The issue as an email message (HTML, a text/plain alternative, the PDF attached), ready to send."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from notify.channels.email import build_message
from notify.issue import Issue
from notify.outgoing import FileAttachment, Outgoing
from notify.render import render_html, render_text


@dataclass(frozen=True)
class EmailBody:
    """What an email of the issue shows: its HTML and its text/plain alternative."""

    html: str
    text: str


def issue_subject(issue: Issue) -> str:
    """``北京关键要素科技有限公司 快讯 (2019) 1102 期``: the subject every channel gives the issue."""
    return f"{issue.layout.publisher} {issue.layout.title.replace(' ', '')} {issue.label}"


def email_body(issue: Issue) -> EmailBody:
    """The body ``digest.email_body`` asks for: the summary (the full issue rides along as the
    PDF) or every notice in full."""
    summary = issue.layout.email_body == "summary"
    return EmailBody(render_html(issue, summary=summary), render_text(issue, summary=summary))


def issue_message(
    issue: Issue,
    body: EmailBody,
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
    outgoing = Outgoing(subject=issue_subject(issue), text=body.text, html=body.html, attachments=attachments)
    return build_message(outgoing, sender, ", ".join(to), f"issue/{issue.label}", now)
