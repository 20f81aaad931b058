"""config.yaml: the operator's one file, validated at start-up.

Every problem is reported as one line naming the key (or the file), e.g.
``config.yaml: sources[3].listing_url: not a URL``; whatever the file holds (bytes that are not
UTF-8, deep nesting, huge or infinite numbers, a folder that cannot be written) ends as such a
line, never a traceback. Secrets are ``${NAME}`` references to the environment. Those in the keys
only sending needs (``SECRET_KEYS``) may be unset: commands that only read work without them,
and building a channel to send names the missing variable (``Config.require_secrets``).
"""

from __future__ import annotations

import difflib
import math
import os
import re
import stat
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    Strict,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from kuaixun.redact import config_secrets, install_log_redaction
from notify.channels import EmailSettings, WebhookSettings
from notify.channels.base import check_email, check_http_url
from notify.channels.targets import WEBHOOK_PREFIX, Problem, Resolver
from notify.issue import DigestLayout
from notify.subscriptions import SubscriptionConfig, subscriptions_problem
from pipeline.classify import SECTIONS_CONTEXT, ClassifyRules

ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")

SECRET_KEYS = (
    "channels.email.username",
    "channels.email.password",
    "channels.webhooks.*.url",
    "channels.webhooks.*.secret",
    "alerts.secret",
    "web.secret",
)
"""Keys only sending needs: their ``${NAME}`` may be unset until a channel is built to send."""

SECRET_RECIPE = "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
HINTS = {
    "alerts.secret": f"make one with {SECRET_RECIPE}, export it as KUAIXUN_SECRET "
    "and write `secret: ${KUAIXUN_SECRET}` under alerts",
    "web.secret": f"make one with {SECRET_RECIPE}, export it as KUAIXUN_WEB_SECRET "
    "and write `secret: ${KUAIXUN_WEB_SECRET}` under web",
}
"""How to fix a problem with a key, added to any error that names the key."""

# Bounds of what the file may hold, before any key is looked at.
MAX_CONFIG_BYTES = 1_000_000
"""The shipped config.yaml is ~10 KB: a file a hundred times larger is not a config."""
MAX_DEPTH = 16
"""config.yaml nests 5 levels deep; deeper is a mistake, and would exhaust Python's recursion."""
MAX_VALUES = 100_000
"""config.yaml holds ~1,000 values; more (YAML aliases of aliases, a "billion laughs") is an attack."""

# Bounds of the crawl's numbers: beyond them a crawl hangs, overflows or hammers a site.
MAX_DOWNLOAD_DELAY = 60.0
"""Seconds between requests to one source: slower, three listing pages and their notices take an hour."""
MAX_CONCURRENT_PER_SOURCE = 16
"""Parallel requests to one government site: more is no longer polite crawling."""
MAX_TIMEOUT = 600.0
"""Seconds for one request: a server silent for ten minutes is down."""
MAX_RETRIES = 10
"""Retries of one request: a page still failing after ten is failing, and the next run tries again."""
MAX_LISTING_PAGES = 100
"""Listing pages per source and run: deeper pages are the archive, not news."""
MAX_REVISIT_DAYS = 366
MAX_REMIND_DAYS = 90
"""A reminder further ahead than a quarter is not a reminder."""
"""Notices revisited for revisions: after a year a change is a new notice, and each run refetches them all."""
MAX_CRAWL_TIMEOUT = 86_400.0
"""Seconds for a whole crawl: a longer one would overlap the next day's."""
MAX_STOP_TIMEOUT = 600.0
"""A stop that takes longer than ten minutes is no stop: a container engine kills long before."""
MAX_REVISIT_BUDGET = 1000
"""Known notices fetched again per run: a thousand is already a recrawl of every source's recent year."""
MAX_AFTER_FAILURES = 100
"""Failed runs in a row before the admin hears of it: at 12 runs a day, more is over a week of silence."""
MAX_GRACE = 7 * 86_400.0
"""Seconds a job missed while the scheduler was down may still run late: a week-old digest is history."""
MAX_SCHEDULE_STOP = 3_600.0
"""Seconds ``kuaixun schedule`` waits for its running job on SIGTERM: no engine waits an hour to stop."""
MAX_HEALTH_AGE = 31 * 86_400.0
"""Seconds beyond which a crawl or a lock is stale whatever the schedule: the longest cron gap is a month."""
MAX_CIPHERS_CHARS = 512
"""An OpenSSL cipher string (``DEFAULT:@SECLEVEL=1``) is a few dozen characters; more is a mistake."""

RENDERERS = ("http", "browser")
"""``sources[].render``: Scrapy's HTTP client, or headless Chromium (runs the page's JavaScript)."""
BROWSER_MODES = ("off", "fallback")
"""``crawl.browser``: never use Chromium, or fetch a source through it after a JS challenge."""

STORE_BACKENDS = ("sqlite", "postgresql")
"""Databases the store is migrated on and tested with."""

Seconds = Annotated[float, Strict(), Field(allow_inf_nan=False)]
"""A finite number of seconds, written as a number (not ``yes``, not ``"30"``)."""
Count = Annotated[int, Strict()]
"""A whole number, written as one (not ``yes``, not ``1e20``)."""
Flag = Annotated[bool, Strict()]
"""``true`` or ``false`` (not 1 or 0)."""


class ConfigError(Exception):
    """A config problem, already phrased for the operator as ``file: key: problem``.

    Always one printable line: a line break or control character (in a key, a value, a file
    name) is shown escaped, so that it can neither split the message nor fake another one.
    """

    def __init__(self, message: str) -> None:
        super().__init__("".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in message))


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_proxy(value: str) -> str:
    """An http(s) proxy URL with a host and a port (credentials may come from ``${ENV}``)."""
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise ValueError("not a proxy URL (http://[user:password@]host:port)") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or port is None:
        raise ValueError("not a proxy URL (http://[user:password@]host:port)")
    if re.search(r"[\s\x00-\x1f\x7f]", value):
        raise ValueError("not a proxy URL (it holds spaces or control characters)")
    return value


def _check_ciphers(value: str) -> str:
    """A cipher string OpenSSL accepts (``DEFAULT:@SECLEVEL=1``), short and on one line."""
    if len(value) > MAX_CIPHERS_CHARS or not value.isprintable():
        raise ValueError("not an OpenSSL cipher string")
    import ssl  # start-up: only a config naming ciphers needs OpenSSL's parser

    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).set_ciphers(value)
    except ssl.SSLError:
        raise ValueError(f"OpenSSL accepts no cipher in {value!r} (e.g. DEFAULT:@SECLEVEL=1)") from None
    return value


def _off_is_false(value: object) -> object:
    """YAML reads a bare ``off`` as the boolean false: take it as the word the operator wrote."""
    return "off" if value is False else value


HeaderValue = Annotated[str, Field(pattern=r"^[^\x00-\x1f\x7f]+$")]
"""A header value: no line breaks or control characters."""


def _check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"unknown time zone {value!r} (an IANA name such as Asia/Shanghai)") from None
    return value


class SourceConfig(_Model):
    """One watched site column: where its notice listing is and who publishes it."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    agency: str
    """发布机关, e.g. 国家发展改革委."""
    region: str = "全国"
    """地区: 全国 for central bodies, else the province or city."""
    listing_url: str
    allowed_hosts: tuple[str, ...] = ()
    """Extra hosts whose links count as this source's notices (the listing's own host always does)."""
    max_pages: Count | None = Field(default=None, ge=1, le=MAX_LISTING_PAGES)
    column: str | None = None
    """栏目 name, a hint for classification (e.g. 节能与综合利用 leans 绿色制造)."""
    family: str | None = None
    """The listing's CMS family (trs, hanweb, jpaas, gkmlpt, anhui-label, rows); absent: sniffed."""
    enabled: Flag = True
    render: Literal["http", "browser"] = "http"
    """``browser``: every page of the source through headless Chromium (JS challenges, script-built lists)."""
    delay: Seconds | None = Field(default=None, ge=0, le=MAX_DOWNLOAD_DELAY)
    """Seconds between requests to the source's host; sources sharing a host share the largest."""
    user_agent: HeaderValue | None = None
    tls_ciphers: Annotated[str, AfterValidator(_check_ciphers)] | None = None
    """OpenSSL cipher string for the source's host (some sites need ``DEFAULT:@SECLEVEL=1``)."""
    proxy: Annotated[str, AfterValidator(_check_proxy)] | None = None
    """``http://user:${PROXY_PASSWORD}@host:port``: the source's requests go through it."""

    _url = field_validator("listing_url")(check_http_url)

    @field_validator("family")
    @classmethod
    def _known_family(cls, value: str | None) -> str | None:
        from crawlers.family_names import NAMES  # the names only: the readers (lxml) load to crawl

        if value is None or value in NAMES:
            return value
        close = difflib.get_close_matches(value, list(NAMES), n=1)
        hint = f" (did you mean `{close[0]}`?)" if close else ""
        raise ValueError(f"unknown family {value!r}{hint}; known: {', '.join(NAMES)}")


class CrawlConfig(_Model):
    """Politeness and limits, applied per host (one download slot per host)."""

    user_agent: HeaderValue = "Mozilla/5.0 (compatible; KuaixunBot/0.1; +https://www.chinamomentum.com)"
    download_delay: Seconds = Field(default=2.0, ge=0, le=MAX_DOWNLOAD_DELAY)
    concurrent_per_source: Count = Field(default=2, ge=1, le=MAX_CONCURRENT_PER_SOURCE)
    timeout: Seconds = Field(default=30.0, gt=0, le=MAX_TIMEOUT)
    retries: Count = Field(default=2, ge=0, le=MAX_RETRIES)
    max_pages: Count = Field(default=3, ge=1, le=MAX_LISTING_PAGES)
    """Listing pages read per source per run; the crawl also stops at the first page with nothing new."""
    obey_robots: Flag = True
    revisit_days: Count = Field(default=14, ge=0, le=MAX_REVISIT_DAYS)
    """Notices (never 其他) published this many days ago or less are fetched again to catch
    revisions (0: never); one with no publication date counts from when it was first seen."""
    revisit_budget: Count = Field(default=50, ge=0, le=MAX_REVISIT_BUDGET)
    """At most this many notices revisited per run, the most recently published first."""
    crawl_timeout: Seconds = Field(default=1800.0, gt=0, le=MAX_CRAWL_TIMEOUT)
    """Whole-crawl limit in seconds, after which the crawl process is stopped."""
    stop_timeout: Seconds = Field(default=60.0, gt=0, le=MAX_STOP_TIMEOUT)
    """Seconds a stopped crawl (SIGTERM, or past ``crawl_timeout``) has to close before it is killed."""
    browser: Annotated[Literal["off", "fallback"], BeforeValidator(_off_is_false)] = "off"
    """``fallback``: a source whose JS challenge the HTTP client cannot pass is fetched through Chromium."""
    chromium: Path = Path("/usr/bin/chromium")
    """The Chromium the browser fetch starts (Debian's; never downloaded)."""


class StoreConfig(_Model):
    url: str = "sqlite:///data/kuaixun.db"
    """SQLAlchemy URL; a relative SQLite path is relative to the config file."""

    @field_validator("url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        from sqlalchemy.engine import make_url  # start-up: `extract` never opens the store
        from sqlalchemy.exc import ArgumentError

        try:
            backend = make_url(value).get_backend_name()
        except (ArgumentError, ValueError):
            raise ValueError("not a database URL (e.g. sqlite:///data/kuaixun.db)") from None
        if backend not in STORE_BACKENDS:
            raise ValueError(f"unsupported database {backend!r} (supported: {', '.join(STORE_BACKENDS)})")
        return value


def _check_crontab(value: str) -> str:
    from kuaixun.cron import crontab_trigger  # APScheduler: only a config with crontab lines loads it

    try:
        crontab_trigger(value)
    except ValueError as exc:
        raise ValueError(f"not a crontab line ({exc})") from None
    return value


Crontab = Annotated[str, AfterValidator(_check_crontab)]
"""A five-field crontab line, weekdays numbered the crontab way (0 or 7 = Sunday)."""


class ScheduleConfig(_Model):
    """Crontab lines for the unattended container (``kuaixun schedule``)."""

    timezone: Annotated[str, AfterValidator(_check_timezone)] = "Asia/Shanghai"
    crawl: Crontab = "0 8-20/2 * * *"
    digest: Crontab = "30 9 1,11,21 * *"
    grace: Seconds = Field(default=21_600.0, ge=60, le=MAX_GRACE)
    """Seconds late a job missed while the scheduler was down still runs (once) at start; later, skipped."""
    stop_timeout: Seconds = Field(default=60.0, gt=0, le=MAX_SCHEDULE_STOP)
    """Seconds the running job may take to end after SIGTERM before ``kuaixun schedule`` exits without it."""


class HealthConfig(_Model):
    """config.yaml ``health``: when ``kuaixun health`` (the container's HEALTHCHECK) reports a problem."""

    max_crawl_age: Seconds | None = Field(default=None, gt=0, le=MAX_HEALTH_AGE)
    """Seconds since the last crawl after which it is stale; unset: once a crawl the cron made due is late."""
    max_lock_age: Seconds = Field(default=7_200.0, gt=0, le=MAX_HEALTH_AGE)
    """Seconds a live run may hold the run lock before it counts as stuck."""
    max_broken_sources: Count = Field(default=2, ge=0, le=10_000)
    """Broken sources tolerated (a site down for days is common; many at once is Kuaixun's own problem)."""
    broken_after: Count = Field(default=3, ge=1, le=1_000)
    """Failed runs in a row after which a source counts as broken (one failure is a site's bad hour)."""


class AlertsConfig(_Model):
    """config.yaml ``alerts``: the unsubscribe secret and when the summaries go out."""

    secret: str | None = None
    """Signs the unsubscribe tokens of email alerts; give it as ``${KUAIXUN_SECRET}``."""
    daily: Crontab = "0 17 * * *"
    """Crontab line of the daily summaries (``kuaixun schedule``)."""
    weekly: Crontab = "0 17 * * 5"
    """Crontab line of the weekly summaries (5: Friday)."""
    remind_days: tuple[Annotated[Count, Field(ge=1, le=MAX_REMIND_DAYS)], ...] = (7, 1)
    """Days before a matched notice's 截止日期 that its subscribers are reminded (kuaixun.reminders)."""


class ChannelsConfig(_Model):
    """How messages go out: one SMTP relay, and named webhooks (chat robots, JSON receivers).

    Each channel's settings model lives with its code in ``notify.channels``.
    """

    email: EmailSettings | None = None
    webhooks: dict[str, WebhookSettings] = {}


class AdminConfig(_Model):
    """config.yaml ``admin``: where a source failing runs in a row, and its recovery, are announced."""

    to: str = Field(min_length=1)
    """An email address (sent through ``channels.email``) or the name of a ``channels.webhooks`` entry."""
    after_failures: Count = Field(default=3, ge=1, le=MAX_AFTER_FAILURES)
    """Failed runs in a row of one source before it is announced (once; its recovery once too)."""

    @property
    def is_email(self) -> bool:
        return "@" in self.to


class Subscriber(_Model):
    """Who receives the digest: a person by email, a chat group by webhook name, or both."""

    name: str
    email: Annotated[str, AfterValidator(check_email)] | None = None
    digest: Flag = True
    webhooks: tuple[str, ...] = ()
    """Names from ``channels.webhooks``."""

    @model_validator(mode="after")
    def _reachable(self) -> Subscriber:
        if self.email is None and not self.webhooks:
            raise ValueError("needs an email or webhooks")
        return self


class DigestConfig(DigestLayout):
    """config.yaml ``digest``: the issue's layout, and whether an issue waits for the editor."""

    approval: Literal["auto", "required"] = "auto"
    """``required``: ``digest send`` archives the issue and waits for ``digest approve`` (or the
    desk's Approve) to deliver it; ``auto``: delivered at once."""


def _check_password_hash(value: str) -> str:
    from kuaixun.web.passwords import check_hash_format  # the KDF's format lives with its code

    problem = check_hash_format(value)
    if problem:
        raise ValueError(f"{problem} (make one with `kuaixun passwd`)")
    return value


class WebAccount(_Model):
    """An editor who may log in to the desk."""

    user: str = Field(pattern=r"^[^\s\x00-\x1f\x7f]{1,64}$")
    password_hash: Annotated[str, AfterValidator(_check_password_hash)]


class WebConfig(_Model):
    """config.yaml ``web``: the desk's accounts, its session key, and whether the rest is public."""

    public: Flag = False
    """``true``: the archive, search, feeds, calendar are open to all; the desk's pages still need a login."""
    base_url: Annotated[str, AfterValidator(check_http_url)] | None = None
    """Where ``kuaixun web`` is reached from outside, e.g. https://kuaixun.example.com: the alert
    emails' unsubscribe link points there (and gains RFC 8058 one-click)."""
    secret: str | None = None
    """Signs the session cookies; give it as ``${KUAIXUN_WEB_SECRET}`` (checked when the desk starts)."""
    accounts: tuple[WebAccount, ...] = ()

    @field_validator("accounts")
    @classmethod
    def _unique_users(cls, value: tuple[WebAccount, ...]) -> tuple[WebAccount, ...]:
        users = [a.user for a in value]
        duplicate = next((u for u in users if users.count(u) > 1), None)
        if duplicate:
            raise ValueError(f"duplicate user {duplicate!r}")
        return value


@dataclass(frozen=True)
class UnsetSecret:
    """A ``${NAME}`` in one of the ``SECRET_KEYS`` whose variable was not in the environment."""

    key: str
    variable: str


class Config(_Model):
    """The whole of config.yaml."""

    data_dir: Path = Path("data")
    out_dir: Path = Path("out")
    store: StoreConfig = StoreConfig()
    crawl: CrawlConfig = CrawlConfig()
    schedule: ScheduleConfig = ScheduleConfig()
    health: HealthConfig = HealthConfig()
    classify: ClassifyRules = ClassifyRules()
    """The section rules; ``classify.sections``'s keys are the 快讯's sections (validated first: the
    keys below that name sections are checked against them)."""
    digest: DigestConfig = Field(default_factory=DigestConfig, validate_default=True)
    sources: tuple[SourceConfig, ...] = ()
    channels: ChannelsConfig = ChannelsConfig()
    subscribers: tuple[Subscriber, ...] = ()
    alerts: AlertsConfig = AlertsConfig()
    subscriptions: tuple[SubscriptionConfig, ...] = ()
    """Keyword alerts, synced into the store by name at each run (see notify.subscriptions)."""
    web: WebConfig = WebConfig()
    admin: AdminConfig | None = None

    _label: str = PrivateAttr(default="config.yaml")
    _unset: tuple[UnsetSecret, ...] = PrivateAttr(default=())

    @field_validator("digest")
    @classmethod
    def _issue_sections(cls, value: DigestConfig, info: ValidationInfo) -> DigestConfig:
        """An issue without its own ``sections`` lists classify's, in their order."""
        classify = info.data.get("classify")
        if value.sections or not isinstance(classify, ClassifyRules):
            return value
        return value.model_copy(update={"sections": classify.names})

    @field_validator("sources")
    @classmethod
    def _unique_names(cls, value: tuple[SourceConfig, ...]) -> tuple[SourceConfig, ...]:
        seen: set[str] = set()
        for source in value:
            if source.name in seen:
                raise ValueError(f"duplicate source name {source.name!r}")
            seen.add(source.name)
        return value

    def source(self, name: str) -> SourceConfig:
        return next(s for s in self.sources if s.name == name)

    def missing(self, key: str) -> str:
        """Why the secret ``key`` (e.g. ``alerts.secret``) has no value, and how to give it one."""
        unset = next((u for u in self._unset if u.key == key), None)
        problem = f"{key}: environment variable {unset.variable} is not set" if unset else f"{key} is not set"
        return _with_hint(problem)

    def error(self, problem: str) -> ConfigError:
        """``problem`` (``key: what is wrong``) as the one line naming this config file, with its hint."""
        return ConfigError(f"{self._label}: {_with_hint(problem)}")

    def resolver(self) -> Resolver:
        """Who the channels reach (``notify.channels.targets``); email alerts only with ``alerts.secret``."""
        unset = next((u for u in self._unset if u.key == "alerts.secret"), None)
        why = f" (environment variable {unset.variable} is not set)" if unset else ""
        problem = _with_hint(f"email alerts need alerts.secret to sign their unsubscribe links{why}")
        return Resolver(self.channels.email, self.channels.webhooks, None if self.alerts.secret else problem)

    def require_secrets(self, key: str) -> None:
        """Before sending through ``key`` (``channels.email``, ``channels.webhooks.NAME``): every
        ``${NAME}`` under it must be set; else a ConfigError naming the key and the variable."""
        for unset in self._unset:
            if unset.key == key or unset.key.startswith(key + "."):
                raise ConfigError(f"{self._label}: {self.missing(unset.key)}")


def read_raw(path: Path) -> dict[str, Any]:
    """The YAML mapping of a config file, before validation; ConfigError for anything else."""
    label = path.name or str(path)
    data = _parse_yaml(_read_text(path, label), label)
    if data is None:
        raise ConfigError(f"{label}: the file is empty (see the shipped config.yaml for every key)")
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a single value ({type(data).__name__})"
        raise ConfigError(f"{label}: the top level must be a mapping of keys, not {kind}")
    problem = _shape_problem(data)
    if problem:
        raise ConfigError(f"{label}: {problem}")
    return data


def _read_text(path: Path, label: str) -> str:
    """The file's text: a regular file of at most MAX_CONFIG_BYTES, in UTF-8."""
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise ConfigError(f"{label}: is a folder, not a config file")
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError(f"{label}: not a regular file")
        with path.open("rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{label}: cannot read: {exc.strerror or exc}") from None
    except ValueError as exc:  # a NUL byte in the path
        raise ConfigError(f"{label}: cannot read: {exc}") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{label}: larger than {MAX_CONFIG_BYTES} bytes: not a config file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        utf16 = raw.startswith((b"\xff\xfe", b"\xfe\xff"))
        what = "UTF-16 text" if utf16 else f"byte 0x{raw[exc.start]:02x} at offset {exc.start}"
        raise ConfigError(f"{label}: not UTF-8 ({what}): save the file as UTF-8") from None


C_PARSED_NESTING = 1_000
"""Nesting libyaml is given at most: its composer recurses in C and crashes the process (not an
error) on a config nested 100,000 levels deep; deeper text goes to the pure-Python parser."""


class _UniqueKeys:
    """A safe loader in which a key given twice in one mapping is an error, not the last wins."""

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            seen: set[tuple[str, str]] = set()
            for key_node, _ in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                    key = (key_node.tag, key_node.value)
                    if key in seen:
                        raise yaml.constructor.ConstructorError(
                            None, None, f"duplicate key {key_node.value!r}", key_node.start_mark
                        )
                    seen.add(key)
        return super().construct_mapping(node, deep)


class _UniqueKeyLoader(_UniqueKeys, yaml.SafeLoader):
    """PyYAML's pure-Python safe loader, with unique keys."""


class _CUniqueKeyLoader(_UniqueKeys, yaml.CSafeLoader):
    """libyaml's safe loader (a tenth of the pure-Python parser's time), with unique keys."""


def _nesting_bound(text: str) -> int:
    """More than the text's nesting can be: every flow bracket opened, plus the widest indent."""
    indents = (len(line) - len(line.lstrip()) for line in text.splitlines())
    return text.count("[") + text.count("{") + max(indents, default=0) + 1


def _parse_yaml(text: str, label: str) -> Any:
    shallow = getattr(yaml, "__with_libyaml__", False) and _nesting_bound(text) <= C_PARSED_NESTING
    try:
        return yaml.load(text, Loader=_CUniqueKeyLoader if shallow else _UniqueKeyLoader)  # safe: plain data
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or exc
        raise ConfigError(f"{label}: {where}not valid YAML ({_one_line(problem)})") from None
    except RecursionError:
        raise ConfigError(f"{label}: nested too deeply (more than {MAX_DEPTH} levels)") from None


def _shape_problem(data: dict[str, Any]) -> str | None:
    """``key: problem`` for nesting deeper than MAX_DEPTH, over MAX_VALUES values, or a number
    that is infinite or not a number; walked without recursion, aliases counted each time used."""
    stack: list[tuple[str, Any, int]] = [("", data, 0)]
    values = 0
    while stack:
        key, value, depth = stack.pop()
        values += 1
        if values > MAX_VALUES:
            return f"more than {MAX_VALUES} values (YAML aliases expanding?)"
        if depth > MAX_DEPTH:
            return f"{key}: nested too deeply (more than {MAX_DEPTH} levels)"
        if isinstance(value, float) and not math.isfinite(value):
            return f"{key}: {value} is not a finite number"
        if isinstance(value, dict):
            stack += [(_join(key, str(k)), v, depth + 1) for k, v in value.items()]
        elif isinstance(value, list):
            stack += [(f"{key}[{i}]", v, depth + 1) for i, v in enumerate(value)]
    return None


def resolve_env(
    data: Any, environ: Mapping[str, str], label: str, unset: list[UnsetSecret], key: str = ""
) -> Any:
    """Replace ``${NAME}`` references with the environment's values.

    A missing variable is a ConfigError naming the key, except in the ``SECRET_KEYS``: there the
    reference stays as written and is added to ``unset``, to be named when something sends.
    """
    if isinstance(data, dict):
        return {k: resolve_env(v, environ, label, unset, _join(key, str(k))) for k, v in data.items()}
    if isinstance(data, list):
        return [resolve_env(v, environ, label, unset, f"{key}[{i}]") for i, v in enumerate(data)]
    if isinstance(data, str):

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in environ:
                return environ[name]
            if any(fnmatchcase(key, pattern) for pattern in SECRET_KEYS):
                unset.append(UnsetSecret(key, name))
                return match.group(0)
            raise ConfigError(f"{label}: {_with_hint(f'{key}: environment variable {name} is not set')}")

        return ENV_REF.sub(substitute, data)
    return data


def validate(
    data: dict[str, Any], label: str, base_dir: Path, environ: Mapping[str, str] | None = None
) -> Config:
    """Validate a raw mapping into a Config; relative paths are made relative to ``base_dir``."""
    unset: list[UnsetSecret] = []
    resolved = resolve_env(data, os.environ if environ is None else environ, label, unset)
    try:
        config = Config.model_validate(resolved, context={SECTIONS_CONTEXT: _section_names(resolved)})
    except ValidationError as exc:
        error = exc.errors()[0]
        key = _loc(error["loc"])
        cause = next((u for u in unset if u.key == key), None)
        problem = (
            f"{key}: environment variable {cause.variable} is not set"
            if cause
            else f"{key}: {_message(error, _known_keys(error['loc']))}"
        )
        raise ConfigError(f"{label}: {_with_hint(problem)}") from None
    problem = (
        _bool_as_number(resolved, config)
        or _unreachable(config)
        or _admin_unreachable(config)
        or subscriptions_problem(config.subscriptions, config.resolver(), {s.name for s in config.sources})
    )
    if problem:
        raise ConfigError(f"{label}: {_with_hint(problem)}")
    config = _without_unset_alerts_secret(config, unset)
    config._label, config._unset = label, tuple(unset)
    return _anchor_paths(config, base_dir)


def _without_unset_alerts_secret(config: Config, unset: Sequence[UnsetSecret]) -> Config:
    """An alerts.secret whose variable is unset reads as no secret, never as the ``${NAME}`` text
    (which anyone could sign with); ``Config.missing`` still names the variable."""
    if not any(u.key == "alerts.secret" for u in unset):
        return config
    return config.model_copy(update={"alerts": config.alerts.model_copy(update={"secret": None})})


def _unreachable(config: Config) -> str | None:
    """``key: problem`` for a subscriber that names a channel config.yaml does not define."""
    resolver = config.resolver()
    for i, subscriber in enumerate(config.subscribers):
        specs = [("email", subscriber.email)] if subscriber.email else []
        specs += [(f"webhooks[{j}]", WEBHOOK_PREFIX + name) for j, name in enumerate(subscriber.webhooks)]
        for key, spec in specs:
            target = resolver.resolve(spec)
            if isinstance(target, Problem):
                return f"subscribers[{i}].{key}: {target}"
    return None


def _admin_unreachable(config: Config) -> str | None:
    """``admin.to: problem`` when the admin channel is not one config.yaml defines."""
    admin = config.admin
    if admin is None:
        return None
    if admin.is_email:
        return None if config.channels.email else "admin.to: channels.email is not configured to send it"
    if admin.to not in config.channels.webhooks:
        defined = ", ".join(config.channels.webhooks) or "none"
        return f"admin.to: neither an email address nor a webhook name (webhooks: {defined})"
    return None


def _bool_as_number(raw: Any, value: Any, key: str = "") -> str | None:
    """``key: problem`` where YAML gave a boolean (yes, no, true, on) and validation made a number
    of it, in any model of the config, including those defined with their code."""
    if isinstance(raw, bool):
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        return f"{key}: expected a number, not the boolean {str(raw).lower()}" if number else None
    if isinstance(raw, dict):
        for name, item in raw.items():
            if isinstance(value, BaseModel):
                child = getattr(value, str(name), None)
            elif isinstance(value, Mapping):
                child = value.get(name)
            else:
                return None
            problem = _bool_as_number(item, child, _join(key, str(name)))
            if problem:
                return problem
    if isinstance(raw, list) and isinstance(value, (list, tuple)) and len(raw) == len(value):
        for i, (item, child) in enumerate(zip(raw, value, strict=True)):
            problem = _bool_as_number(item, child, f"{key}[{i}]")
            if problem:
                return problem
    return None


def _section_names(raw: Mapping[str, Any]) -> tuple[str, ...]:
    """The keys of the raw ``classify.sections`` (what the other keys may name); () when malformed,
    which classify's own validation then reports."""
    classify = raw.get("classify")
    sections = classify.get("sections") if isinstance(classify, Mapping) else None
    return tuple(str(name) for name in sections) if isinstance(sections, Mapping) else ()


def load_config(path: Path, environ: Mapping[str, str] | None = None) -> Config:
    """Read and validate a config file and check that its folders can be written; from then on its
    secrets are masked in every log record."""
    config = validate(read_raw(path), path.name, _base_dir(path), environ)
    problem = _unusable_paths(config)
    if problem:
        raise ConfigError(f"{path.name}: {problem}")
    install_log_redaction(config_secrets(config))
    return config


def load_extraction_config(path: Path) -> Config:
    """What ``kuaixun extract`` uses (sources, crawl, classify): delivery and its secrets left out."""
    raw = {key: value for key, value in read_raw(path).items() if key in ("sources", "crawl", "classify")}
    return validate(raw, path.name, _base_dir(path))


def _base_dir(path: Path) -> Path:
    try:
        return path.resolve().parent
    except (OSError, RuntimeError) as exc:  # a symlink loop
        raise ConfigError(f"{path.name}: cannot read: {exc}") from None


def _anchor_paths(config: Config, base_dir: Path) -> Config:
    url = config.store.url
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
        url = prefix + str(base_dir / url[len(prefix) :])
    email = config.channels.email
    if email and email.ca_file:
        email = email.model_copy(update={"ca_file": base_dir / email.ca_file})
    return config.model_copy(
        update={
            "data_dir": base_dir / config.data_dir,
            "out_dir": base_dir / config.out_dir,
            "store": config.store.model_copy(update={"url": url}),  # validated already, as written
            "channels": config.channels.model_copy(update={"email": email}),
        }
    )


def _unusable_paths(config: Config) -> str | None:
    """``key: problem`` for a folder the program must write in but cannot (a file, read-only)."""
    from sqlalchemy.engine import make_url

    folders = {"data_dir": config.data_dir, "out_dir": config.out_dir}
    database = make_url(config.store.url).database
    if config.store.url.startswith("sqlite:") and database and database != ":memory:":
        if Path(database).is_dir():
            return f"store.url: {database} is a folder, not a database file"
        folders["store.url"] = Path(database).parent
    for key, folder in folders.items():
        problem = _unusable_folder(folder)
        if problem:
            return f"{key}: {problem}"
    return None


def _unusable_folder(folder: Path) -> str | None:
    """Why ``folder`` cannot be written in (or created): its nearest existing part is a file or read-only."""
    existing = folder
    try:
        while not existing.exists():
            existing = existing.parent
        if not existing.is_dir():
            return f"{existing} is a file, not a folder"
    except OSError as exc:
        return f"{folder}: {exc.strerror or exc}"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"{existing} is not writable"
    return None


def _with_hint(problem: str) -> str:
    """The problem, with how to fix it when it names a key of HINTS."""
    hints = [hint for key, hint in HINTS.items() if key in problem and hint not in problem]
    return "; ".join([problem, *hints])


def _one_line(message: object) -> str:
    return " ".join(str(message).split())


def _join(key: str, part: str) -> str:
    return f"{key}.{part}" if key else part


def _loc(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else _join(text, str(part))[len(text) :]
    return text or "(top level)"


BOUNDS = {
    "less_than_equal": "at most {le}",
    "less_than": "less than {lt}",
    "greater_than_equal": "at least {ge}",
    "greater_than": "more than {gt}",
}
"""Pydantic's bound errors, as the operator reads them."""
EXPECTED = {"int_type": "a whole number", "float_type": "a number", "bool_type": "true or false"}
"""Pydantic's strict type errors: what the key wants."""


def _message(error: Mapping[str, Any], known: Sequence[str]) -> str:
    kind = error["type"]
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(str(error["loc"][-1]), known, n=1)
        return f"unknown key (did you mean `{close[0]}`?)" if close else "unknown key"
    if kind in BOUNDS:
        bound = {
            key: f"{value:g}" if isinstance(value, float) else value for key, value in error["ctx"].items()
        }
        return f"must be {BOUNDS[kind].format(**bound)}, not {_shown(error['input'])}"
    if kind in EXPECTED:
        return f"expected {EXPECTED[kind]}, not {_shown(error['input'])}"
    message = str(error["msg"])
    return _one_line(message.removeprefix("Value error, "))


def _shown(value: object) -> str:
    """A value as the operator wrote it, briefly; text said to be text (YAML reads ``1e20`` as such)."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    text = repr(value)
    text = text if len(text) <= 40 else text[:37] + "..."
    return f"the text {text}" if isinstance(value, str) else text


def _known_keys(loc: Sequence[int | str]) -> list[str]:
    """The keys valid beside the last part of ``loc``: the fields of the model that holds it."""
    kind: Any = Config
    for part in loc[:-1]:
        kind = _inner(kind, part)
    model = _model_of(kind)
    return list(model.model_fields) if model else []


def _inner(kind: Any, part: int | str) -> Any:
    """The type of ``part`` of a value of type ``kind`` (a field, an item, a mapping's value)."""
    model = _model_of(kind)
    if model is not None:
        field = model.model_fields.get(str(part))
        return field.annotation if field else None
    args = get_args(kind)
    if get_origin(kind) in (tuple, list) and args:
        return args[0]
    if get_origin(kind) is dict and len(args) == 2:
        return args[1]
    return None


def _model_of(kind: Any) -> type[BaseModel] | None:
    """The model class in ``kind``, through ``X | None`` and ``Annotated``."""
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return kind
    if get_origin(kind) in (Union, types.UnionType, Annotated):
        return next((m for m in map(_model_of, get_args(kind)) if m), None)
    return None
