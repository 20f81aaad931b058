"""Secrets masked out of every message, log record and stored error.

A chat robot's URL is its credential (DingTalk ``access_token``, WeCom ``key``, the Feishu hook
id, the Slack ``/services/T…/B…/…`` path), and services echo it back in their error answers. So
every error text that is printed, logged or stored passes through :func:`redact`, which masks
the credential parts of any URL it contains and every literal secret the config holds.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, quote_plus, urlsplit

if TYPE_CHECKING:
    from kuaixun.config import Config

MASK = "***"
MIN_SECRET_CHARS = 4
"""A shorter configured value ("yes", a port) would mask ordinary words wherever they occur."""
MIN_PATH_TOKEN_CHARS = 16
"""A URL path segment this long and token-like in a configured webhook is taken as its credential."""

SECRET_NAMES = (
    "access_token|accesstoken|token|key|api_key|apikey|sign|signature|secret|client_secret"
    "|password|passwd|pwd|auth|webhook_key"
)
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # user:password@ in any URL (smtp://, postgresql://, https://)
    (re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://[^/\s:@]*):[^@/\s]+@"), rf"\1:{MASK}@"),
    # ?access_token=…, &key=…, sign=… wherever they occur (a URL or an echoed form)
    (re.compile(rf"(?i)(?<![\w-])((?:{SECRET_NAMES})=)[^&#\s\"'<>,;()\[\]]+"), rf"\1{MASK}"),
    # "access_token": "…" in an echoed JSON body
    (re.compile(rf"(?i)(\"(?:{SECRET_NAMES})\"\s*:\s*\")[^\"]+"), rf"\1{MASK}"),
    # Feishu/Lark /open-apis/bot/v2/hook/<id>, and the like of other services
    (re.compile(r"(?i)(/hook/)[^/?#\s\"'<>()\[\]]+"), rf"\1{MASK}"),
    # Slack /services/T…/B…/<token>
    (re.compile(r"(/services/)[A-Za-z0-9_-]+/[A-Za-z0-9_-]+/[^/?#\s\"'<>()\[\]]+"), rf"\1{MASK}"),
    # Authorization: Bearer …
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]+"), rf"\1{MASK}"),
)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with credentials in URLs and every literal ``secrets`` value (as is or URL-encoded) masked."""
    for value in sorted(_forms(secrets), key=len, reverse=True):
        text = text.replace(value, MASK)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _forms(secrets: Iterable[str]) -> set[str]:
    """Each secret as written and as a URL carries it (``+`` and ``/`` of base64 encoded)."""
    found: set[str] = set()
    for secret in secrets:
        if secret and len(secret) >= MIN_SECRET_CHARS:
            found |= {secret, quote(secret, safe=""), quote_plus(secret, safe="")}
    return found


def config_secrets(config: Config) -> tuple[str, ...]:
    """Every secret value ``config`` holds: passwords (the store's, the sources' proxies'), signing
    secrets, and the webhooks' tokens."""
    values: list[str | None] = [config.alerts.secret, config.web.secret, _password(config.store.url)]
    if config.channels.email:
        values.append(config.channels.email.password)
    for hook in config.channels.webhooks.values():
        values += [hook.secret, _password(hook.url), *_url_tokens(hook.url)]
    values += [_password(source.proxy) for source in config.sources if source.proxy]
    return tuple(dict.fromkeys(v for v in values if v and len(v) >= MIN_SECRET_CHARS))


def _password(url: str) -> str | None:
    try:
        return urlsplit(url).password
    except ValueError:
        return None


def _url_tokens(url: str) -> list[str]:
    """A webhook URL's query values and token-like path segments: whoever has them can post."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if len(s) >= MIN_PATH_TOKEN_CHARS and s.isascii()]
    return [value for _, value in parse_qsl(parts.query)] + segments


_PLAIN_FACTORY = logging.getLogRecordFactory()


def install_log_redaction(secrets: Iterable[str] = ()) -> None:
    """Redact every log record as it is created, whichever logger and handler it goes to.

    A record factory rather than a ``logging.Filter``: a logger's filter does not see records
    propagated from its children, and a handler's misses handlers added later. Installing again
    replaces the secrets, it does not stack.
    """
    known = tuple(secrets)

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = _PLAIN_FACTORY(*args, **kwargs)
        try:
            record.msg, record.args = redact(record.getMessage(), known), None
        except (TypeError, ValueError):
            record.msg = redact(str(record.msg), known)  # a bad format: the handler will report it
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info), known)
        return record

    logging.setLogRecordFactory(factory)
