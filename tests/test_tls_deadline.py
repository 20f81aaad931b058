"""The TLS handshake is under a delivery's overall deadline: SMTP STARTTLS, SMTPS, HTTPS webhooks.

The server takes the connection (and, for STARTTLS, the SMTP dialogue up to it) and then never
finishes the handshake: it announces a 16 KB record and sends it one byte every 0.2 s, so no read
waits long enough for a 1 s read timeout. The delivery must end with the deadline's error, and the
server must see the client hang up (rather than hang up itself after its half minute).

Python bounds a handshake by the socket's timeout as a whole, which starts when the handshake does:
after STARTTLS's dialogue that can end past the deadline. So the first test holds ``Deadline`` to
it alone: a socket with no timeout, handed to TLS after it was watched, is still cut at the deadline
(TLS takes over the descriptor and leaves the watched socket object detached).
"""

from __future__ import annotations

import contextlib
import select
import socket
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select as select_rows

from kuaixun.delivery import send_digest
from notify.channels.deadline import Deadline
from store.db import Database
from store.models import Delivery
from tests.delivery_support import make_config, seed
from tests.test_exactly_once import READERS
from tests.test_lock import PATIENCE

BYTE_EVERY = 0.2
"""Seconds between two bytes of the handshake: well inside the client's 1 s read timeout."""
LASTING = 30.0
"""Seconds the server trickles before it gives up: far past the client's 1 s deadline."""
RECORD_HEADER = b"\x16\x03\x03\x40\x00"
"""A TLS handshake record of 16 KB: the client waits for all of it before it reads any."""
STARTTLS_DIALOGUE = (
    (b"220 mail.test ESMTP\r\n", False),
    (b"250-mail.test\r\n250 STARTTLS\r\n", True),  # the answer to EHLO
    (b"220 2.0.0 Ready to start TLS\r\n", True),  # the answer to STARTTLS
)


@dataclass
class StalledHandshake:
    """The server's port and its record of who ended the one connection it takes."""

    port: int
    ended: threading.Event = field(default_factory=threading.Event)
    client_hung_up: bool = False


@contextlib.contextmanager
def stalled_handshake(starttls: bool = False) -> Iterator[StalledHandshake]:
    listener = socket.create_server(("127.0.0.1", 0))
    server = StalledHandshake(listener.getsockname()[1])
    stop = threading.Event()

    def serve() -> None:
        with contextlib.suppress(OSError), listener.accept()[0] as connection:
            server.client_hung_up = _trickle(connection, starttls, stop)
        server.ended.set()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield server
    finally:
        stop.set()
        listener.close()


def _trickle(connection: socket.socket, starttls: bool, stop: threading.Event) -> bool:
    """True when the client hung up while the handshake trickled; False when the server gave up."""
    try:
        for answer, after_a_line in STARTTLS_DIALOGUE if starttls else ():
            if after_a_line:
                _read_line(connection)
            connection.sendall(answer)
        connection.recv(65536)  # the client's hello
        connection.sendall(RECORD_HEADER)
        for _ in range(int(LASTING / BYTE_EVERY)):
            if stop.wait(BYTE_EVERY):
                return False
            if _hung_up(connection):
                return True
            connection.sendall(b"\x00")
    except ConnectionError:
        return True
    return False


def _read_line(connection: socket.socket) -> None:
    line = b""
    while not line.endswith(b"\n"):
        chunk = connection.recv(1024)
        if not chunk:
            raise ConnectionResetError("the client hung up mid-dialogue")
        line += chunk


def _hung_up(connection: socket.socket) -> bool:
    readable, _, _ = select.select([connection], [], [], 0)
    return bool(readable) and connection.recv(65536) == b""


def delivered_once(tmp_path: Path, **destinations: object) -> Delivery:
    """One issue sent to one destination; its delivery row after the first attempt."""
    config = make_config(tmp_path, **destinations)  # type: ignore[arg-type]
    db = Database(config.store.url)
    try:
        seed(db, 1)
        send_digest(config, db, lambda _line: None)
        with db.session() as session:
            [row] = session.scalars(select_rows(Delivery))
            session.expunge(row)
            return row
    finally:
        db.close()


def email_channel(port: int, security: str) -> dict[str, object]:
    return {"host": "127.0.0.1", "port": port, "security": security, "sender": "k@x.cn", "timeout": 1}


def test_a_socket_handed_to_tls_after_it_was_watched_is_cut_at_the_deadline() -> None:
    with stalled_handshake() as server, socket.create_connection(("127.0.0.1", server.port)) as plain:
        plain.settimeout(None)  # no read timeout: only the deadline can end the handshake
        with Deadline(0.5) as deadline, contextlib.suppress(OSError):
            deadline.watch(plain)
            ssl.create_default_context().wrap_socket(plain, server_hostname="127.0.0.1").close()
        assert server.ended.wait(PATIENCE)
    assert deadline.expired and server.client_hung_up


def test_a_starttls_handshake_that_never_ends_fails_the_delivery_at_its_deadline(tmp_path: Path) -> None:
    with stalled_handshake(starttls=True) as server:
        row = delivered_once(
            tmp_path, email_channel=email_channel(server.port, "starttls"), subscribers=READERS[:1]
        )
        assert server.ended.wait(PATIENCE)
    assert row.status == "pending" and row.last_error == "SMTP session not finished within the 1 s timeout"
    assert server.client_hung_up


def test_an_smtps_handshake_that_never_ends_fails_the_delivery_at_its_deadline(tmp_path: Path) -> None:
    with stalled_handshake() as server:
        row = delivered_once(
            tmp_path, email_channel=email_channel(server.port, "ssl"), subscribers=READERS[:1]
        )
        assert server.ended.wait(PATIENCE)
    assert row.status == "pending" and row.last_error == "SMTP session not finished within the 1 s timeout"
    assert server.client_hung_up


def test_an_https_webhook_handshake_that_never_ends_fails_the_delivery_at_its_deadline(
    tmp_path: Path,
) -> None:
    hook = {"crm": {"type": "webhook", "url": "https://127.0.0.1:{port}/hook", "timeout": 1}}
    with stalled_handshake() as server:
        hook["crm"]["url"] = hook["crm"]["url"].format(port=server.port)
        subscribers = [{"name": "群", "webhooks": ["crm"]}]
        row = delivered_once(tmp_path, webhooks=hook, subscribers=subscribers)
        assert server.ended.wait(PATIENCE)
    # nothing of the request went out: no doubt, a plain retry later
    assert row.status == "pending" and row.last_error == "no answer within 1 s"
    assert server.client_hung_up
