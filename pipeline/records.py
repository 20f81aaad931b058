"""Records the pipeline produces: one extracted notice, as the store keeps it.

``ExtractedNotice.to_json`` / ``from_json`` are the one conversion between the record and its
JSON (the store's ``notice_versions.record`` column, ``kuaixun extract``'s output).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar

SCHEMA = 1
"""The version of the JSON ``to_json`` writes. Rows written before it carry no ``schema`` key
(version 0: the same fields); ``from_json`` reads every version."""
SIGNATURE = "signature"
"""``extra["issuer_source"]`` when the issuer was read from the page's own 落款."""

_Part = TypeVar("_Part", "Attachment", "Deadline")


@dataclass(frozen=True)
class Attachment:
    """附件: a file linked from (or only named in) a notice."""

    name: str
    url: str | None = None


@dataclass(frozen=True)
class Deadline:
    """截止日期: a date by which readers must act, with the sentence that states it."""

    date: str
    text: str


@dataclass(frozen=True)
class ExtractedNotice:
    """Every field of one notice page, as extraction reads it.

    The key names are the public JSON of ``kuaixun extract`` and the columns of the store.
    """

    source_url: str
    """相关链接: the notice's own URL."""
    title: str
    """标题: the notice's own title (never the site name or column)."""
    doc_number: str | None = None
    """文号, brackets normalised to 〔〕, no spaces."""
    publish_date: str | None = None
    """成文日期 under the signature, else the posting date; ISO ``YYYY-MM-DD``."""
    issuer: str | None = None
    """发文机关 / 落款: signing bodies joined by 、."""
    addressee: str | None = None
    """主送 line without its colon."""
    body_text: str = ""
    """正文 between the addressee and the signature, paragraphs joined by newlines."""
    body_html: str = ""
    """The same body as sanitized structural HTML."""
    annex_text: str = ""
    """Content after the signature block (附件 tables, forms)."""
    attachments: tuple[Attachment, ...] = ()
    deadlines: tuple[Deadline, ...] = ()
    category: str | None = None
    """快讯 section: 政策文件 / 绿色制造 / 申报通知 / 其他."""
    category_low_confidence: bool = False
    """The section was chosen on little evidence or a narrow lead: the editor should check it."""
    category_margin: float | None = None
    """The section's lead in score over the runner-up (None for news and overrides)."""
    region: str | None = None
    """地区, the primary one: the first of ``regions``, else the source's."""
    agency: str | None = None
    """发布机关, the primary one: the first of ``agencies``, else the source's."""
    notice_type: str | None = None
    """公文 type from the title (通知, 意见, 公告, 征求意见稿 …), None for news; see pipeline.tags."""
    regions: tuple[str, ...] = ()
    """Every province or city the title and issuer name (全国 for central bodies)."""
    agencies: tuple[str, ...] = ()
    """Every signing body, in the 落款's order."""
    posted_date: str | None = None
    """The date the site shows for the posting (listing or page header), ISO."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Raw metadata kept for diagnosis: metas, 公开目录 fields."""

    @property
    def signed(self) -> bool:
        """Whether ``issuer`` and ``publish_date`` come from the page's own signature (落款)."""
        return self.extra.get("issuer_source") == SIGNATURE

    @property
    def earliest_deadline(self) -> str | None:
        """The first 截止日期 (ISO) the notice states, None if it states none."""
        return min((d.date for d in self.deadlines if d.date), default=None)

    def to_json(self) -> dict[str, Any]:
        """The record as plain JSON-able data (the ``kuaixun extract`` output), with its ``schema``.

        Field by field rather than ``dataclasses.asdict``, whose generic deep copy was 2 % of a
        crawl's processing (issue 13): the fields are strings, numbers, tuples of strings or of
        flat parts, and ``extra``'s nested dicts, which are copied."""
        data: dict[str, Any] = {"schema": SCHEMA}
        for name in _FIELD_NAMES:
            data[name] = getattr(self, name)
        data["attachments"] = [asdict(a) for a in self.attachments]
        data["deadlines"] = [asdict(d) for d in self.deadlines]
        data["regions"] = list(self.regions)
        data["agencies"] = list(self.agencies)
        data["extra"] = _copy(self.extra)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ExtractedNotice:
        """The record from ``to_json``'s data of any schema version.

        Rows stored before a field existed load with its default, and keys this version does not
        know (a newer schema's, ``schema`` itself) are ignored, so every stored row still loads.
        A row without ``source_url`` or ``title`` is not a notice: ValueError names the key.
        """
        values = _known_fields(cls, data)
        for key in ("source_url", "title"):
            if not isinstance(values.get(key), str):
                raise ValueError(f"stored notice record has no {key!r}: {sorted(data)[:12]}")
        values["attachments"] = _parts(Attachment, data.get("attachments"))
        values["deadlines"] = _parts(Deadline, data.get("deadlines"))
        values["regions"] = tuple(data.get("regions") or ())
        values["agencies"] = tuple(data.get("agencies") or ())
        values["extra"] = dict(data.get("extra") or {})
        return cls(**values)


_FIELD_NAMES = tuple(f.name for f in dataclasses.fields(ExtractedNotice))


def _copy(value: Any) -> Any:
    """A copy of nested dicts, lists and tuples (what ``asdict`` does to them); leaves as they are."""
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_copy(item) for item in value)
    return value


def _known_fields(cls: type, data: Mapping[str, Any]) -> dict[str, Any]:
    """``data``'s values for ``cls``'s fields; a None where the field has a non-None default is
    left out (the default applies), so an old row's null never lands in a ``str`` field."""
    known = {f.name: f for f in dataclasses.fields(cls)}
    return {
        key: value
        for key, value in data.items()
        if key in known and (value is not None or known[key].default in (None, dataclasses.MISSING))
    }


def _parts(kind: type[_Part], items: Any) -> tuple[_Part, ...]:
    """Attachments or deadlines from their JSON objects (unknown keys ignored, as for the record)."""
    return tuple(kind(**_known_fields(kind, item)) for item in items or () if isinstance(item, Mapping))
