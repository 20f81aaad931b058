"""The 快讯 issue as the templates see it: sections in order, each item in full."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from pipeline.classify import SECTIONS, check_sections


class DigestLayout(BaseModel):
    """Header, section order and contact lines of the 快讯 (config.yaml ``digest``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    publisher: str = "北京关键要素科技有限公司"
    title: str = "快 讯"
    sections: tuple[str, ...] = SECTIONS
    footer: tuple[str, ...] = ()
    """Contact line(s) at the foot of every page."""
    closing: tuple[str, ...] = ()
    """Closing lines at the end of the issue."""

    @field_validator("sections")
    @classmethod
    def _known_sections(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        check_sections(value, SECTIONS)
        return value


@dataclass(frozen=True)
class IssueItem:
    """One notice as printed: title, 文号, 主送, body, 附件, 落款 and 相关链接."""

    title: str
    doc_number: str | None
    addressee: str | None
    paragraphs: tuple[str, ...]
    attachments: tuple[str, ...]
    signers: tuple[str, ...]
    date: str | None
    """Printed date, e.g. 2019年11月10日."""
    annex: tuple[str, ...]
    source_urls: tuple[str, ...]
    revised: bool = False
    """更新: an earlier version was in an earlier issue."""
    diff: str | None = None


@dataclass(frozen=True)
class Section:
    name: str
    items: tuple[IssueItem, ...]


@dataclass(frozen=True)
class Issue:
    label: str
    """``(2019) 1102 期``."""
    layout: DigestLayout
    sections: tuple[Section, ...] = field(default=())

    @property
    def count(self) -> int:
        return sum(len(s.items) for s in self.sections)


def item_from_record(
    record: dict[str, Any],
    *,
    source_urls: Sequence[str] = (),
    revised: bool = False,
    diff: str | None = None,
) -> IssueItem:
    """An issue item from a stored notice record; ``source_urls`` lists reposts too."""
    issuer = record.get("issuer") or ""
    return IssueItem(
        title=record["title"],
        doc_number=record.get("doc_number"),
        addressee=record.get("addressee"),
        paragraphs=_lines(record.get("body_text")),
        attachments=tuple(a["name"] for a in record.get("attachments") or []),
        signers=tuple(s for s in issuer.split("、") if s),
        date=_printed_date(record.get("publish_date")),
        annex=_lines(record.get("annex_text")),
        source_urls=tuple(source_urls) or (record["source_url"],),
        revised=revised,
        diff=diff,
    )


def build_issue(label: str, layout: DigestLayout, items: Iterable[tuple[str, IssueItem]]) -> Issue:
    """Group (section, item) pairs into the layout's section order; empty sections are left out."""
    grouped: dict[str, list[IssueItem]] = {name: [] for name in layout.sections}
    for section, item in items:
        if section in grouped:
            grouped[section].append(item)
    sections = tuple(Section(name, tuple(found)) for name, found in grouped.items() if found)
    return Issue(label=label, layout=layout, sections=sections)


def _lines(text: str | None) -> tuple[str, ...]:
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


def _printed_date(iso: str | None) -> str | None:
    if not iso:
        return None
    year, month, day = (int(part) for part in iso.split("-"))
    return f"{year}年{month}月{day}日"
