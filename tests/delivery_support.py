"""Real counterparts on loopback for the delivery tests: an SMTP server and a chat/webhook receiver.

The SMTP server is aiosmtpd with STARTTLS (a trustme certificate) or implicit TLS and an
authenticator; the receiver is an aiohttp app that checks each service's signature with
its own code, so a signing mistake in the channels shows up as a refused message.
"""

from __future__ import annotations

import asyncio
import base64
import email
import email.policy
import hashlib
import hmac
import json
import socket
import ssl
import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import trustme
from aiohttp import web
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from kuaixun.config import Config, validate
from pipeline.records import ExtractedNotice
from simulator.seeds import SECTIONS
from store import notices
from store.db import Database
from tests.hostile_text import HOSTILE_BODY, HOSTILE_TITLE
from tests.stores import store_url

SEEN = datetime(2026, 11, 1, 8, 0)
USER, PASSWORD = "kuaixun@example.cn", "s3cret-密码"
OWN_URL = "https://www.miit.gov.cn/zwgk/zcwj/art_h.html"
"""The 相关链接 of the hostile notice: the one link its messages may carry."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def seed(db: Database, count: int = 3, *, paragraphs: int = 3, start: int = 0) -> None:
    """Store ``count`` 政策文件 notices directly, as a crawl would have."""
    with db.session() as session:
        for n in range(start, start + count):
            body = "\n".join(
                f"第{p + 1}条 各地工业和信息化主管部门要加强政策宣传（{n}-{p}）。" for p in range(paragraphs)
            )
            record = ExtractedNotice(
                source_url=f"https://www.miit.gov.cn/zwgk/zcwj/art_{n}.html",
                title=f"工业和信息化部关于印发《制造业数字化转型行动方案（第{n}号）》的通知",
                publish_date="2026-10-28",
                issuer="工业和信息化部",
                body_text=body,
                category="政策文件",
                region="全国",
                agency="工业和信息化部",
            )
            notices.save_version(
                session,
                record,
                source_name="miit",
                content_hash=f"hash-{n}",
                reasons=["test"],
                diff=None,
                seen_at=SEEN,
            )


def save_record(
    db: Database,
    record: ExtractedNotice,
    content_hash: str,
    *,
    source: str = "miit",
    seen_at: datetime = SEEN,
) -> None:
    """Store ``record`` as a new version of its notice, as the crawl's ingest does."""
    with db.session() as session:
        notices.save_version(
            session,
            record,
            source_name=source,
            content_hash=content_hash,
            reasons=["test"],
            diff=None,
            seen_at=seen_at,
        )


def seed_hostile(db: Database) -> None:
    """One notice whose title and body carry every kind of injection (tests/hostile_text.py)."""
    record = ExtractedNotice(
        source_url=OWN_URL,
        title=HOSTILE_TITLE,
        publish_date="2026-10-28",
        issuer="某某厅",
        body_text="\n".join(HOSTILE_BODY),
        category="申报通知",
        region="全国",
        agency="工业和信息化部",
    )
    save_record(db, record, "hostile")


SECTION_RULES: dict[str, Any] = {"sections": {name: {} for name in SECTIONS}}
"""config.yaml's ``classify`` at its smallest: the 快讯's sections, no cues."""


def make_config(
    tmp_path: Path,
    *,
    email_channel: dict[str, Any] | None = None,
    webhooks: dict[str, dict[str, Any]] | None = None,
    subscribers: list[dict[str, Any]] | None = None,
    environ: dict[str, str] | None = None,
) -> Config:
    channels: dict[str, Any] = {"webhooks": webhooks or {}}
    if email_channel:
        channels["email"] = email_channel
    raw = {
        "store": {"url": store_url(tmp_path, "sqlite:///data/kuaixun.db")},
        "channels": channels,
        "subscribers": subscribers or [],
        "classify": SECTION_RULES,
    }
    return validate(raw, "config.yaml (test)", tmp_path, environ=environ or {"SMTP_PASSWORD": PASSWORD})


# -- SMTP -----------------------------------------------------------------------------------------


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.data, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class SmtpBehaviour:
    """What the server does: fail some DATA commands, stall in DATA (or RCPT) until released,
    or drop the connection before RCPT's reply or after taking a message, before DATA's reply."""

    failures: int = 0
    failure_reply: str = "451 4.3.0 Temporary failure, try again later"
    refuse_rcpt: str | None = None
    stall_after: int | None = None
    """Stall in DATA once this many messages were accepted (None: never)."""
    stall_in_rcpt_after: int | None = None
    """Stall in RCPT, before the client has sent any DATA, once this many messages were accepted."""
    drops_before_data: int = 0
    """Drop this many connections at RCPT, before the message was sent."""
    drops_after_data: int = 0
    """Take this many messages (they count as received) and drop the connection before replying."""
    stalled: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


class SmtpHandler:
    def __init__(self, behaviour: SmtpBehaviour) -> None:
        self.behaviour = behaviour
        self.received: list[Received] = []

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        b = self.behaviour
        if b.refuse_rcpt:
            return b.refuse_rcpt
        stall = b.stall_in_rcpt_after
        if stall is not None and len(self.received) >= stall and not b.release.is_set():
            await self._stall()
            return "421 4.4.2 Timed out"
        if b.drops_before_data:
            b.drops_before_data -= 1
            server.transport.abort()  # a crash or a cut line: this reply never arrives
            return "250 OK"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        b = self.behaviour
        if b.stall_after is not None and len(self.received) >= b.stall_after and not b.release.is_set():
            await self._stall()
            return "421 4.4.2 Timed out in DATA"  # the client is gone by now: nothing is delivered
        if b.failures:
            b.failures -= 1
            return b.failure_reply
        content = envelope.content if isinstance(envelope.content, bytes) else b""
        self.received.append(Received(str(envelope.mail_from), list(envelope.rcpt_tos), content))
        if b.drops_after_data:
            b.drops_after_data -= 1
            server.transport.abort()  # the message is taken, the 250 never reaches the client
        return "250 OK: queued"

    async def _stall(self) -> None:
        self.behaviour.stalled.set()
        while not self.behaviour.release.is_set():
            await asyncio.sleep(0.05)


def _authenticator(
    server: object, session: Session, envelope: Envelope, mechanism: str, auth_data: object
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False, auth_data=auth_data)


@dataclass
class SmtpServer:
    port: int
    handler: SmtpHandler
    ca_file: Path

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def channel(self, security: str = "starttls", **extra: Any) -> dict[str, Any]:
        """``channels.email`` for this server, the password from ${SMTP_PASSWORD}."""
        return {
            "host": "127.0.0.1",
            "port": self.port,
            "security": security,
            "username": USER,
            "password": "${SMTP_PASSWORD}",
            "sender": "关键要素快讯 <kuaixun@chinamomentum.com>",
            "ca_file": str(self.ca_file),
            "timeout": 10,
            **extra,
        }


@contextmanager
def smtp_server(
    tmp_path: Path,
    behaviour: SmtpBehaviour | None = None,
    *,
    implicit_tls: bool = False,
    port: int | None = None,
) -> Iterator[SmtpServer]:
    """A real SMTP server on loopback: TLS required before AUTH LOGIN/PLAIN, then accepts mail."""
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(server_context)
    ca_file = tmp_path / "test-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    handler = SmtpHandler(behaviour or SmtpBehaviour())
    port = port or free_port()
    tls: dict[str, Any] = (
        # aiosmtpd only sees STARTTLS as TLS: on an implicit-TLS port AUTH must be allowed outright
        {"ssl_context": server_context, "auth_require_tls": False}
        if implicit_tls
        else {"tls_context": server_context, "require_starttls": True}
    )
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        authenticator=_authenticator,
        auth_required=True,
        **tls,
    )
    controller.start()
    try:
        yield SmtpServer(port, handler, ca_file)
    finally:
        handler.behaviour.release.set()
        controller.stop()


@contextmanager
def trickling_server(
    start: bytes, byte_every: float, lasting: float = 60.0, *, reads_request: bool = False
) -> Iterator[int]:
    """A server on loopback that answers ``start`` then one byte every ``byte_every`` seconds for
    ``lasting`` seconds, then hangs up: each read gets a byte before a per-read timeout would fire,
    so only an overall deadline stops the client sooner. With ``reads_request`` it first reads what
    the client sends (an HTTP request) until the client pauses. Yields the port."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def trickle(connection: socket.socket) -> None:
        with connection:
            try:
                if reads_request:
                    _read_until_quiet(connection)
                connection.sendall(start)
                for _ in range(int(lasting / byte_every)):
                    if stop.wait(byte_every):
                        return
                    connection.sendall(b"x")
            except OSError:
                pass  # the client gave up

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=trickle, args=(connection,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        listener.close()


def _read_until_quiet(connection: socket.socket, quiet: float = 0.3) -> None:
    connection.settimeout(quiet)
    try:
        while connection.recv(65536):
            pass
    except TimeoutError:
        pass  # the request is in
    connection.settimeout(None)


def trickling_smtp(byte_every: float, lasting: float = 60.0) -> AbstractContextManager[int]:
    """An SMTP server whose greeting never ends (see ``trickling_server``)."""
    return trickling_server(b"220 ", byte_every, lasting)


# -- webhooks -------------------------------------------------------------------------------------


@dataclass
class Hit:
    """One request the receiver took: its JSON body, and whether its signature was right."""

    body: dict[str, Any]
    signed: bool
    size: int
    delivery: str | None = None
    """The X-Kuaixun-Delivery header (the idempotency key)."""
    duplicate: bool = False
    """The generic webhook had processed this key already: answered 200, did nothing."""


Answer = int | dict[str, Any] | tuple[int, str] | None
"""A scripted answer: an HTTP status (a 3xx redirects to ``/elsewhere``), a 200 JSON answer,
(status, text), or None for the normal answer. ``{url}`` in a text is replaced by the URL
requested, as services that echo it do."""


class Receiver:
    """WeCom, DingTalk, Feishu, Slack and a generic JSON webhook on one loopback server.

    The first path segment names the service (``/feishu/open-apis/bot/v2/hook/<id>`` is
    ``feishu``), so each service's own URL shape can be served. ``script[path]`` lists answers
    to give before the normal one (see ``Answer``).
    """

    def __init__(self, secrets: dict[str, str]) -> None:
        self.secrets = secrets
        self.hits: dict[str, list[Hit]] = defaultdict(list)
        self.script: dict[str, list[Answer]] = defaultdict(list)
        self.delays: dict[str, list[float]] = defaultdict(list)
        """Seconds to wait after processing a request, before answering (one per request)."""
        self.processed_keys: set[str] = set()
        self.port = free_port()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}"

    def accepted(self, path: str) -> list[Hit]:
        """The requests it processed: signed right, and not a key already processed."""
        return [hit for hit in self.hits[path] if hit.signed and not hit.duplicate]

    async def handle(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        raw = await request.read()
        body = json.loads(raw)
        key = request.headers.get("X-Kuaixun-Delivery")
        answer = self.script[path].pop(0) if self.script[path] else None
        if answer is not None:
            self.hits[path].append(Hit(body, False, len(raw), key))
            return self._scripted(answer, str(request.url))
        signed = self._verify(path, request, raw, body)
        # the generic receiver's side of the contract: a key seen before is answered, not processed
        duplicate = path == "hook" and signed and key in self.processed_keys
        if path == "hook" and signed and key:
            self.processed_keys.add(key)
        self.hits[path].append(Hit(body, signed, len(raw), key, duplicate))
        if self.delays[path]:
            await asyncio.sleep(self.delays[path].pop(0))
        return self._answer(path, signed, body)

    def _scripted(self, answer: Answer, url: str) -> web.Response:
        if isinstance(answer, dict):
            echoed = {k: v.replace("{url}", url) if isinstance(v, str) else v for k, v in answer.items()}
            return web.json_response(echoed)
        if isinstance(answer, tuple):
            return web.Response(status=answer[0], text=answer[1].replace("{url}", url))
        if 300 <= answer < 400:
            return web.Response(status=answer, headers={"Location": self.url("elsewhere")})
        return web.Response(status=answer)

    def _verify(self, path: str, request: web.Request, raw: bytes, body: dict[str, Any]) -> bool:
        secret = self.secrets.get(path)
        if request.query.get("access_token", "token") != "token":
            return False  # the robot's own credential must survive the signature parameters
        if path == "dingtalk":
            ts = request.query.get("timestamp", "")
            mac = hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()
            return request.query.get("sign") == base64.b64encode(mac).decode()
        if path == "feishu":
            key = f"{body.get('timestamp')}\n{secret}".encode()
            return body.get("sign") == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
        if path == "hook":
            expected = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
            return hmac.compare_digest(request.headers.get("X-Kuaixun-Signature", ""), expected)
        if path == "wecom":
            return len(body["markdown"]["content"].encode()) <= 4096
        return True

    def _answer(self, path: str, signed: bool, body: dict[str, Any]) -> web.Response:
        if path == "dingtalk":
            return web.json_response(
                {"errcode": 0 if signed else 310000, "errmsg": "ok" if signed else "sign not match"}
            )
        if path == "feishu":
            return web.json_response(
                {"code": 0 if signed else 19021, "msg": "success" if signed else "sign match fail"}
            )
        if path == "wecom":
            return web.json_response(
                {"errcode": 0 if signed else 40058, "errmsg": "ok" if signed else "too long"}
            )
        if path == "hook" and not signed:
            return web.Response(status=401, text="bad signature")
        return web.Response(text="ok")


@contextmanager
def receiver(secrets: dict[str, str]) -> Iterator[Receiver]:
    """The receiver served by aiohttp on its own event loop thread."""
    played = Receiver(secrets)
    app = web.Application()
    app.router.add_post("/{path}", played.handle)
    app.router.add_post("/{path}/{rest:.*}", played.handle)
    runner = web.AppRunner(app)
    loop = asyncio.new_event_loop()
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", played.port).start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield played
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.run_until_complete(runner.cleanup())
        loop.close()
