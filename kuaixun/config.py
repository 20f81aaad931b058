"""config.yaml: the operator's one file, validated at start-up.

Every problem is reported as one line naming the key, e.g.
``config.yaml: sources[3].listing_url: not a URL``. Secrets are ``${NAME}`` references
to the environment, resolved here so that a missing variable is named too.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from kuaixun.cron import crontab_trigger
from kuaixun.redact import config_secrets, install_log_redaction
from notify.channels import EmailSettings, WebhookSettings
from notify.issue import DigestLayout
from notify.subscriptions import SubscriptionConfig, subscriptions_problem
from pipeline.classify import ClassifyRules

ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class ConfigError(Exception):
    """A config problem, already phrased for the operator as ``file: key: problem``."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_url(value: str) -> str:
    if not re.match(r"^https?://[^/\s]+", value):
        raise ValueError("not a URL")
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
    max_pages: int | None = Field(default=None, ge=1)
    column: str | None = None
    """栏目 name, a hint for classification (e.g. 节能与综合利用 leans 绿色制造)."""
    enabled: bool = True

    _url = field_validator("listing_url")(_check_url)


class CrawlConfig(_Model):
    """Politeness and limits, applied per source."""

    user_agent: str = "Mozilla/5.0 (compatible; KuaixunBot/0.1; +https://www.chinamomentum.com)"
    download_delay: float = Field(default=2.0, ge=0)
    concurrent_per_source: int = Field(default=2, ge=1)
    timeout: float = Field(default=30.0, gt=0)
    retries: int = Field(default=2, ge=0)
    max_pages: int = Field(default=3, ge=1)
    """Listing pages read per source per run; the crawl also stops at the first page with nothing new."""
    obey_robots: bool = True
    revisit_days: int = Field(default=14, ge=0)
    """Notices first seen this many days ago or less are fetched again to catch revisions (0: never)."""
    crawl_timeout: float = Field(default=1800.0, gt=0)
    """Whole-crawl limit in seconds, after which the crawl process is stopped."""


class StoreConfig(_Model):
    url: str = "sqlite:///data/kuaixun.db"
    """SQLAlchemy URL; a relative SQLite path is relative to the config file."""


def _check_crontab(value: str) -> str:
    try:
        crontab_trigger(value)
    except ValueError as exc:
        raise ValueError(f"not a crontab line ({exc})") from None
    return value


Crontab = Annotated[str, AfterValidator(_check_crontab)]
"""A five-field crontab line, weekdays numbered the crontab way (0 or 7 = Sunday)."""


class ScheduleConfig(_Model):
    """Crontab lines for the unattended container (``kuaixun schedule``)."""

    timezone: str = "Asia/Shanghai"
    crawl: Crontab = "0 8-20/2 * * *"
    digest: Crontab = "30 9 1,11,21 * *"


class AlertsConfig(_Model):
    """config.yaml ``alerts``: the unsubscribe secret and when the summaries go out."""

    secret: str | None = None
    """Signs the unsubscribe tokens of email alerts; give it as ``${KUAIXUN_SECRET}``."""
    daily: Crontab = "0 17 * * *"
    """Crontab line of the daily summaries (``kuaixun schedule``)."""
    weekly: Crontab = "0 17 * * 5"
    """Crontab line of the weekly summaries (5: Friday)."""


class ChannelsConfig(_Model):
    """How messages go out: one SMTP relay, and named webhooks (chat robots, JSON receivers).

    Each channel's settings model lives with its code in ``notify.channels``.
    """

    email: EmailSettings | None = None
    webhooks: dict[str, WebhookSettings] = {}


class Subscriber(_Model):
    """Who receives the digest: a person by email, a chat group by webhook name, or both."""

    name: str
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    digest: bool = True
    webhooks: tuple[str, ...] = ()
    """Names from ``channels.webhooks``."""

    @model_validator(mode="after")
    def _reachable(self) -> Subscriber:
        if self.email is None and not self.webhooks:
            raise ValueError("needs an email or webhooks")
        return self


class Config(_Model):
    """The whole of config.yaml."""

    data_dir: Path = Path("data")
    out_dir: Path = Path("out")
    store: StoreConfig = StoreConfig()
    crawl: CrawlConfig = CrawlConfig()
    schedule: ScheduleConfig = ScheduleConfig()
    digest: DigestLayout = DigestLayout()
    classify: ClassifyRules = ClassifyRules()
    sources: tuple[SourceConfig, ...] = ()
    channels: ChannelsConfig = ChannelsConfig()
    subscribers: tuple[Subscriber, ...] = ()
    alerts: AlertsConfig = AlertsConfig()
    subscriptions: tuple[SubscriptionConfig, ...] = ()
    """Keyword alerts, synced into the store by name at each run (see notify.subscriptions)."""

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


def read_raw(path: Path) -> dict[str, Any]:
    """The YAML mapping of a config file, before validation."""
    label = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{label}: cannot read: {exc.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        raise ConfigError(f"{label}: {where}not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{label}: the top level must be a mapping of keys")
    return data


def resolve_env(data: Any, environ: Mapping[str, str], label: str, key: str = "") -> Any:
    """Replace ``${NAME}`` references with the environment's values, naming any that is missing."""
    if isinstance(data, dict):
        return {k: resolve_env(v, environ, label, _join(key, str(k))) for k, v in data.items()}
    if isinstance(data, list):
        return [resolve_env(v, environ, label, f"{key}[{i}]") for i, v in enumerate(data)]
    if isinstance(data, str):

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in environ:
                raise ConfigError(f"{label}: {key}: environment variable {name} is not set")
            return environ[name]

        return ENV_REF.sub(substitute, data)
    return data


def validate(
    data: dict[str, Any], label: str, base_dir: Path, environ: Mapping[str, str] | None = None
) -> Config:
    """Validate a raw mapping into a Config; relative paths are made relative to ``base_dir``."""
    resolved = resolve_env(data, os.environ if environ is None else environ, label)
    try:
        config = Config.model_validate(resolved)
    except ValidationError as exc:
        error = exc.errors()[0]
        raise ConfigError(f"{label}: {_loc(error['loc'])}: {_message(error)}") from None
    problem = _unreachable(config) or subscriptions_problem(
        config.subscriptions,
        webhooks=config.channels.webhooks.keys(),
        email=config.channels.email is not None,
        secret=bool(config.alerts.secret),
        sources={s.name for s in config.sources},
    )
    if problem:
        raise ConfigError(f"{label}: {problem}")
    return _anchor_paths(config, base_dir)


def _unreachable(config: Config) -> str | None:
    """``key: problem`` for a subscriber that names a channel config.yaml does not define."""
    known = config.channels.webhooks
    for i, subscriber in enumerate(config.subscribers):
        if subscriber.email and config.channels.email is None:
            return f"subscribers[{i}].email: channels.email is not configured to send it"
        for j, name in enumerate(subscriber.webhooks):
            if name not in known:
                defined = ", ".join(known) or "none"
                return f"subscribers[{i}].webhooks[{j}]: unknown webhook {name!r} (defined: {defined})"
    return None


def load_config(path: Path, environ: Mapping[str, str] | None = None) -> Config:
    """Read and validate a config file; from then on its secrets are masked in every log record."""
    config = validate(read_raw(path), path.name, path.resolve().parent, environ)
    install_log_redaction(config_secrets(config))
    return config


def load_extraction_config(path: Path) -> Config:
    """What ``kuaixun extract`` uses (sources, crawl, classify): delivery and its secrets left out."""
    raw = {key: value for key, value in read_raw(path).items() if key in ("sources", "crawl", "classify")}
    return validate(raw, path.name, path.resolve().parent)


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
            "store": StoreConfig(url=url),
            "channels": config.channels.model_copy(update={"email": email}),
        }
    )


def _join(key: str, part: str) -> str:
    return f"{key}.{part}" if key else part


def _loc(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else _join(text, str(part))[len(text) :]
    return text or "(top level)"


def _message(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        return "unknown key"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")
