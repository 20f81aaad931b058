"""Who may use the desk: accounts of config.yaml, signed session cookies, CSRF tokens, a login rate limit.

The session is Starlette's cookie session (itsdangerous-signed with ``web.secret``): it holds the
user's name and the CSRF token of every form. A user removed from config.yaml is logged out at
the next request. Failed logins are counted per (user, address) in a bounded table.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from kuaixun.config import Config
from kuaixun.web.context import context_of
from kuaixun.web.passwords import hash_password, verify_password

MIN_SECRET_CHARS = 16
"""The session cookies' signing key: a shorter one can be guessed."""
SESSION_COOKIE = "kuaixun_desk"
SESSION_SECONDS = 12 * 3600
"""A working day: the editor logs in once in the morning."""
MAX_FAILURES = 5
FAILURE_WINDOW = 15 * 60.0
"""Five wrong passwords in 15 minutes lock that user from that address for the rest of the window."""
MAX_TRACKED = 10_000
"""(user, address) pairs remembered at most: the oldest are forgotten, so guessing names fills no memory."""
OPEN_PATHS = ("/login", "/unsubscribe")
"""Reachable without a login even on a private desk: the login itself, and the unsubscribe links of
alert emails (signed tokens; a mail client's RFC 8058 one-click cannot log in)."""
_DUMMY_HASH = hash_password(secrets.token_urlsafe(8))
"""Checked against for an unknown user, so a wrong name takes as long as a wrong password."""


def check_web_config(config: Config) -> None:
    """What ``kuaixun web`` needs: a signing secret of ``MIN_SECRET_CHARS`` and at least one account."""
    config.require_secrets("web.secret")
    secret = config.web.secret
    if not secret:
        raise config.error("web.secret is not set (it signs the desk's session cookies)")
    if len(secret) < MIN_SECRET_CHARS:
        raise config.error(f"web.secret: at least {MIN_SECRET_CHARS} characters")
    if not config.web.accounts:
        raise config.error("web.accounts: no account, nobody could log in (`kuaixun passwd` makes a hash)")


@dataclass
class LoginLimiter:
    """Failed logins per (user, address) within the window; bounded in memory (least recent forgotten)."""

    clock: Callable[[], float] = time.monotonic
    failures: OrderedDict[tuple[str, str], deque[float]] = field(default_factory=OrderedDict)

    def blocked(self, key: tuple[str, str]) -> bool:
        return len(self._recent(key)) >= MAX_FAILURES

    def failed(self, key: tuple[str, str]) -> None:
        recent = self._recent(key)
        recent.append(self.clock())
        self.failures[key] = recent
        self.failures.move_to_end(key)
        while len(self.failures) > MAX_TRACKED:
            self.failures.popitem(last=False)

    def succeeded(self, key: tuple[str, str]) -> None:
        self.failures.pop(key, None)

    def _recent(self, key: tuple[str, str]) -> deque[float]:
        since = self.clock() - FAILURE_WINDOW
        recent = self.failures.get(key, deque())
        while recent and recent[0] < since:
            recent.popleft()
        return recent


def current_user(request: Request) -> str | None:
    """The logged-in user, if the session names one config.yaml still lists."""
    user = request.session.get("user")
    accounts = context_of(request).config.web.accounts
    return user if isinstance(user, str) and any(a.user == user for a in accounts) else None


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use; every form carries it."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def csrf_ok(request: Request, form: FormData) -> bool:
    sent, kept = form.get("csrf"), request.session.get("csrf")
    return isinstance(sent, str) and isinstance(kept, str) and hmac.compare_digest(sent, kept)


def refused_csrf() -> Response:
    return PlainTextResponse("表单已过期或来源不明（CSRF），请返回刷新页面后重试。", status_code=403)


def safe_next(target: str | None) -> str:
    """Where to go after login: a path of this site only (never ``//host`` or a full URL)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/next"
    return target


async def login_page(request: Request) -> Response:
    return _login_form(request, error=None)


async def login(request: Request) -> Response:
    form = await request.form()
    if not csrf_ok(request, form):
        return refused_csrf()
    user, password = str(form.get("user", ""))[:64], str(form.get("password", ""))
    key = (user, request.client.host if request.client else "")
    limiter: LoginLimiter = request.app.state.login_limiter
    if limiter.blocked(key):
        return _login_form(request, "尝试次数过多，请 15 分钟后再试。", status=429)
    account = next((a for a in context_of(request).config.web.accounts if a.user == user), None)
    if not verify_password(password, account.password_hash if account else _DUMMY_HASH) or account is None:
        limiter.failed(key)
        return _login_form(request, "用户名或密码错误。", status=401)
    limiter.succeeded(key)
    request.session.clear()  # a fresh session (and CSRF token) for the logged-in user
    request.session["user"] = user
    return RedirectResponse(safe_next(str(form.get("next", ""))), status_code=303)


async def logout(request: Request) -> Response:
    form = await request.form()
    if not csrf_ok(request, form):
        return refused_csrf()
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


def _login_form(request: Request, error: str | None, status: int = 200) -> Response:
    context = context_of(request)
    page = context.templates.get_template("login.html").render(
        csrf=csrf_token(request), error=error, next=safe_next(request.query_params.get("next")), user=None
    )
    return Response(page, status_code=status, media_type="text/html")


routes: list[BaseRoute] = [
    Route("/login", login_page, methods=["GET"]),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
]


class LoginGuard:
    """Sends a visitor without a login to /login: for the desk's routes always, for every page
    but ``OPEN_PATHS`` when ``web.public`` is false. Runs inside the session middleware."""

    def __init__(self, app: ASGIApp, desk_routes: list[BaseRoute], public: bool) -> None:
        self.app, self.desk_routes, self.public = app, desk_routes, public

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self._guarded(scope):
            request = Request(scope, receive)
            if current_user(request) is None:
                await self._refuse(request)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _guarded(self, scope: Scope) -> bool:
        path: str = scope["path"]
        if any(path == open_path or path.startswith(open_path + "/") for open_path in OPEN_PATHS):
            return False
        return not self.public or any(route.matches(scope)[0] != Match.NONE for route in self.desk_routes)

    @staticmethod
    def _refuse(request: Request) -> Response:
        if request.method in ("GET", "HEAD"):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
        return PlainTextResponse("请先登录。", status_code=401)
