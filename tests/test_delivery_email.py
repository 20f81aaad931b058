"""The digest by email, through a real SMTP server on loopback (aiosmtpd: STARTTLS or TLS, AUTH)."""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from kuaixun.delivery import archive_dir, deliver_due, send_digest
from notify import archive
from store.db import Database
from store.models import Delivery
from tests.delivery_support import Received, SmtpBehaviour, make_config, seed, smtp_server

SUBSCRIBERS = [
    {"name": "编辑部", "email": "editor@chinamomentum.com"},
    {"name": "客户甲", "email": "client@example.cn"},
    {"name": "不收快讯", "email": "nobody@example.cn", "digest": False},
]


def rows(db: Database) -> list[Delivery]:
    with db.session() as session:
        return list(session.scalars(select(Delivery).order_by(Delivery.id)))


def parts(received: Received) -> dict[str, object]:
    """Content type → decoded content of each leaf part (text with the line ends SMTP gave it)."""
    leaves = [part for part in received.message.walk() if not part.is_multipart()]
    return {part.get_content_type(): _plain_ends(part.get_content()) for part in leaves}


def _plain_ends(content: object) -> object:
    return content.replace("\r\n", "\n") if isinstance(content, str) else content


def test_digest_is_sent_over_starttls_with_login(tmp_path: Path) -> None:
    with smtp_server(tmp_path) as server:
        config = make_config(tmp_path, email_channel=server.channel(), subscribers=SUBSCRIBERS)
        db = Database(config.store.url)
        seed(db, 3)
        lines: list[str] = []
        report = send_digest(config, db, lines.append)
        db.close()
    assert (report.sent, report.retrying, report.failed) == (2, 0, 0), lines
    assert sorted(r.rcpt_tos[0] for r in server.received) == ["client@example.cn", "editor@chinamomentum.com"]
    issue = next((archive_dir(config)).iterdir())
    saved = archive.load(issue)
    ids = set()
    for received in server.received:
        message = received.message
        assert message["Subject"] == saved.subject
        assert saved.subject.startswith("北京关键要素科技有限公司 快讯 (")
        raw_subject = received.data.split(b"\r\nFrom:")[0].split(b"Subject:")[1]
        assert b"=?utf-8?" in raw_subject.lower()  # RFC 2047, not raw UTF-8 bytes
        assert message["To"] == received.rcpt_tos[0]
        assert message["List-Unsubscribe"].strip().startswith("<mailto:kuaixun@chinamomentum.com?subject=")
        assert parsedate_to_datetime(message["Date"]).tzinfo is not None
        assert message["Message-ID"].endswith(".kuaixun@chinamomentum.com>")
        ids.add(message["Message-ID"])
        content = parts(received)
        assert content["text/plain"] == saved.email_plain
        assert content["text/html"] == saved.html
        assert "关于印发" in str(content["text/html"])
        attached = [p.get_filename() for p in message.iter_attachments()]
        assert attached == [a.name for a in saved.attachments]  # the PDF, once write_issue renders one
    assert len(ids) == 2
    assert "sent" in lines[-2] or "sent" in lines[-3]


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # implicit TLS: it is TLS
def test_implicit_tls_and_bcc_send_one_message_to_all(tmp_path: Path) -> None:
    with smtp_server(tmp_path, implicit_tls=True) as server:
        channel = server.channel("ssl", digest_bcc=True)
        config = make_config(tmp_path, email_channel=channel, subscribers=SUBSCRIBERS)
        db = Database(config.store.url)
        seed(db, 2)
        lines: list[str] = []
        report = send_digest(config, db, lines.append)
        db.close()
    assert report.sent == 1, lines
    [received] = server.received
    assert sorted(received.rcpt_tos) == ["client@example.cn", "editor@chinamomentum.com"]
    assert received.message["To"] == "undisclosed-recipients:;"
    assert b"client@example.cn" not in received.data  # Bcc never shows in the message


def test_wrong_password_fails_at_once_and_says_why(tmp_path: Path) -> None:
    with smtp_server(tmp_path) as server:
        environ = {"SMTP_PASSWORD": "wrong"}
        config = make_config(
            tmp_path, email_channel=server.channel(), subscribers=SUBSCRIBERS[:1], environ=environ
        )
        db = Database(config.store.url)
        seed(db, 1)
        lines: list[str] = []
        report = send_digest(config, db, lines.append)
        [row] = rows(db)
        db.close()
    assert report.failed == 1 and not server.received
    assert (row.status, row.attempts) == ("failed", 1)
    assert "SMTP login refused (535" in (row.last_error or "")
    assert any("FAILED" in line and "login refused" in line for line in lines)


def test_permanent_refusal_is_not_retried_and_a_temporary_one_is(tmp_path: Path) -> None:
    behaviour = SmtpBehaviour(refuse_rcpt="550 5.1.1 Mailbox unavailable")
    with smtp_server(tmp_path, behaviour) as server:
        config = make_config(tmp_path, email_channel=server.channel(), subscribers=SUBSCRIBERS[:1])
        db = Database(config.store.url)
        seed(db, 1)
        send_digest(config, db, lambda _line: None)
        [row] = rows(db)
        assert (row.status, "550" in (row.last_error or "")) == ("failed", True)
        behaviour.refuse_rcpt = "450 4.2.1 Mailbox busy"
        seed(db, 1, start=10)
        send_digest(config, db, lambda _line: None)
        second = rows(db)[1]
        db.close()
    assert (second.status, second.attempts) == ("pending", 1)
    assert second.next_attempt_at > second.created_at


def test_unreachable_server_is_retried_later(tmp_path: Path) -> None:
    with smtp_server(tmp_path) as server:
        channel = server.channel()
    # the server is gone: connection refused
    config = make_config(tmp_path, email_channel=channel, subscribers=SUBSCRIBERS[:1])
    db = Database(config.store.url)
    seed(db, 1)
    report = send_digest(config, db, lambda _line: None)
    [row] = rows(db)
    later = deliver_due(config, db, lambda _line: None)
    db.close()
    assert report.retrying == 1 and row.status == "pending"
    assert "ConnectionRefusedError" in (row.last_error or "")
    assert later.sent == later.retrying == 0  # not due yet: the backoff holds it
