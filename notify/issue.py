"""The 快讯 issue as the templates see it: sections in order, each item in full."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

from pipeline.classify import check_sections, configured_sections
from pipeline.records import ExtractedNotice
from pipeline.tags import agencies

MAX_ANNEX_TITLE = 60
"""Characters at most in an annex title: a longer first line is a paragraph, not a heading."""
MAX_OPENING = 200
"""Characters of a notice's first paragraph a summary email quotes; the rest is in the PDF."""
REVIEW_MARK = "「待核」"
"""Beside a title in the editor's preview only: the classifier chose its section on little evidence."""

_ANNEX_LABEL_RE = re.compile(r"^附[\s\u3000]*件[\s\u3000]*[0-9０-９一二三四五六七八九十]{0,3}$")
_ATTACHMENTS_RE = re.compile(r"^附[\s\u3000]*件[\s\u3000]*[：:][\s\u3000]*")
_NUMBERED_RE = re.compile(r"^[（(]?[0-9０-９]{1,2}[)）.．、]")
_NAMES_ATTACHMENTS_RE = re.compile(r"^附[\s\u3000]*件[\s\u3000]*(?:$|[：:\d一二三四五六七八九十])")
"""A body line naming the attachments (附件：…, 附件1 …): the record's list is not printed again."""
_NOT_A_TITLE_RE = re.compile(r"[。；;：:，,！？]|^[（(【\[]")
"""A sentence (or a bracketed note such as （联系人：…）) is not an annex title."""


class DigestLayout(BaseModel):
    """The 快讯's header, section order and contact lines, and how the email carries it
    (config.yaml ``digest``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    publisher: str = "北京关键要素科技有限公司"
    title: str = "快 讯"
    sections: tuple[str, ...] = ()
    """The sections in issue order; in config.yaml by default ``classify.sections``'s."""
    footer: tuple[str, ...] = ()
    """Contact line(s) at the foot of every page."""
    closing: tuple[str, ...] = ()
    """Closing lines at the end of the issue."""
    email_body: Literal["full", "summary"] = "summary"
    """What the email shows: ``summary`` (the 目录 with each notice's opening, deadline and link;
    the full issue is the attached PDF) keeps a 30-notice issue under the ~100 KB mail clients
    show before clipping it; ``full`` puts every notice in the email body."""
    pdf_engine: Literal["reportlab", "weasyprint"] = "reportlab"
    """What draws the PDF: ``reportlab`` (notify/pdf.py: a 100-notice issue in ~2 s of CPU,
    WenQuanYi Micro Hei) or ``weasyprint`` (the print HTML: ~9× the CPU, Noto Sans CJK with
    fontconfig's fallback fonts); ReportLab hands an issue it cannot draw to WeasyPrint."""

    @field_validator("sections")
    @classmethod
    def _known_sections(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        allowed = configured_sections(info)
        if allowed is not None:
            check_sections(value, allowed)
        return value


@dataclass(frozen=True)
class Table:
    """A table of the notice, row by row; every row has as many cells as the widest."""

    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class AttachmentList:
    """附件： and the attached files, one entry a line as the notice numbers them; printed with
    the entries aligned under the first."""

    entries: tuple[str, ...]


Block = str | Table | AttachmentList
"""One part of a notice's text: a paragraph, a table, or a 附件 list."""


@dataclass(frozen=True)
class Annex:
    """Content printed after the signature: an attached document (a 工作指引, a 汇总表) under
    its label (附件, 附件1) and title, or closing notes (（联系人：…）, （此件主动公开）)."""

    label: str | None
    title: str | None
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class IssueItem:
    """One notice as printed: title, 文号, 主送, body, 落款 and 相关链接."""

    title: str
    doc_number: str | None
    addressee: str | None
    body: tuple[Block, ...]
    """Paragraphs, tables and the 附件 list (the record's attachments when the body names none)."""
    signers: tuple[str, ...]
    """Signing bodies, only as the notice's own signature names them."""
    date: str | None
    """The date under the signature (e.g. 2019年11月10日); None when the notice is not signed."""
    posted: str | None
    """The date the site posted it, printed (labelled) only for a notice without a signature."""
    annex: Annex | None
    source_urls: tuple[str, ...]
    deadline: str | None = None
    """The earliest 截止日期 the body states, printed."""
    revised: bool = False
    """更新: an earlier version was in an earlier issue."""
    diff: str | None = None
    low_confidence: bool = False
    """The classifier put it in its section on little evidence: the editor's preview marks it
    (:data:`REVIEW_MARK`); what readers get never does."""
    margin: float | None = None
    """The section's lead over the runner-up (``category_margin``), for the editor."""

    @property
    def opening(self) -> str | None:
        """The first paragraph, cut to :data:`MAX_OPENING` characters (a summary quotes it)."""
        first = next((block for block in self.body if isinstance(block, str)), None)
        if first is None or len(first) <= MAX_OPENING:
            return first
        return first[:MAX_OPENING] + "……"


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
    for_editor: bool = False
    """The editor's preview (``digest preview``): low-confidence items carry :data:`REVIEW_MARK`.
    An issue that is sent or archived is never made with it, so readers never see the mark."""

    @property
    def count(self) -> int:
        return sum(len(s.items) for s in self.sections)

    def review_mark(self, item: IssueItem) -> str:
        """:data:`REVIEW_MARK` for a low-confidence item of the editor's preview, else ``""``."""
        return REVIEW_MARK if self.for_editor and item.low_confidence else ""


def item_from_record(
    record: ExtractedNotice,
    *,
    source_urls: Sequence[str] = (),
    revised: bool = False,
    diff: str | None = None,
) -> IssueItem:
    """An issue item from a stored notice record; ``source_urls`` lists reposts too.

    Signers and date are printed under the body only when the page's own signature named them
    (``record.signed``): an issuer read from the 公开目录 or a meta, or a posting date, is not a
    signature, and printing it as one would put words in the notice's mouth. The signers are the
    record's ``agencies`` (the 落款's bodies, in order), or its issuer split as tagging splits it
    in a record stored without them.
    """
    body = blocks(_lines(record.body_text))
    names = tuple(a.name for a in record.attachments)
    if names and not _names_attachments(body):
        body += (AttachmentList(_numbered(names)),)
    return IssueItem(
        title=record.title,
        doc_number=record.doc_number,
        addressee=record.addressee,
        body=body,
        signers=(record.agencies or agencies(record.issuer)) if record.signed and record.issuer else (),
        date=printed_date(record.publish_date) if record.signed else None,
        posted=None if record.signed else printed_date(record.posted_date or record.publish_date),
        annex=annex(_lines(record.annex_text)),
        source_urls=tuple(source_urls) or (record.source_url,),
        deadline=printed_date(record.earliest_deadline),
        revised=revised,
        diff=diff,
        low_confidence=record.category_low_confidence,
        margin=record.category_margin,
    )


def build_issue(label: str, layout: DigestLayout, items: Iterable[tuple[str, IssueItem]]) -> Issue:
    """Group (section, item) pairs into the layout's section order; empty sections are left out."""
    grouped: dict[str, list[IssueItem]] = {name: [] for name in layout.sections}
    for section, item in items:
        if section in grouped:
            grouped[section].append(item)
    sections = tuple(Section(name, tuple(found)) for name, found in grouped.items() if found)
    return Issue(label=label, layout=layout, sections=sections)


Line = str | tuple[str, ...]
"""A line of the record's text: a paragraph, or a table row's cells (the pipeline joins them by tabs)."""


def blocks(lines: Sequence[Line]) -> tuple[Block, ...]:
    """Paragraphs as they are; consecutive table rows as one table; a 附件： line and the numbered
    lines after it as one attachment list."""
    out: list[Block] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if isinstance(line, tuple):
            end = _run_end(lines, i, lambda x: isinstance(x, tuple))
            out.append(_table([row for row in lines[i:end] if isinstance(row, tuple)]))
            i = end
        elif _ATTACHMENTS_RE.match(line):
            end = _run_end(lines, i + 1, lambda x: isinstance(x, str) and bool(_NUMBERED_RE.match(x)))
            first = _ATTACHMENTS_RE.sub("", line)
            rest = [x for x in lines[i + 1 : end] if isinstance(x, str)]
            entries = tuple(e for e in (first, *rest) if e)
            out.append(AttachmentList(entries) if entries else line)
            i = end
        else:
            out.append(line)
            i += 1
    return tuple(out)


def annex(lines: Sequence[Line]) -> Annex | None:
    """The annex: an optional bare 附件 label, then a title when the first line reads as one."""
    if not lines:
        return None
    rest = list(lines)
    label = rest.pop(0) if isinstance(rest[0], str) and _ANNEX_LABEL_RE.match(rest[0]) else None
    title = rest.pop(0) if len(rest) > 1 and _is_title(rest[0]) else None
    return Annex(label=label, title=title, blocks=blocks(rest))


def printed_date(iso: str | None) -> str | None:
    """``2019-11-10`` as printed: 2019年11月10日."""
    if not iso:
        return None
    year, month, day = (int(part) for part in iso.split("-"))
    return f"{year}年{month}月{day}日"


def _names_attachments(body: tuple[Block, ...]) -> bool:
    return any(
        isinstance(block, AttachmentList) or (isinstance(block, str) and _NAMES_ATTACHMENTS_RE.match(block))
        for block in body
    )


def _is_title(line: Line) -> bool:
    return isinstance(line, str) and len(line) <= MAX_ANNEX_TITLE and not _NOT_A_TITLE_RE.search(line)


def _run_end(lines: Sequence[Line], start: int, belongs: Callable[[Line], bool]) -> int:
    end = start
    while end < len(lines) and belongs(lines[end]):
        end += 1
    return end


def _table(rows: list[tuple[str, ...]]) -> Table:
    width = max(len(row) for row in rows)
    return Table(tuple(row + ("",) * (width - len(row)) for row in rows))


def _numbered(names: tuple[str, ...]) -> tuple[str, ...]:
    """Attachment names as a list prints them: numbered when there are several."""
    if len(names) == 1:
        return names
    return tuple(name if _NUMBERED_RE.match(name) else f"{n}. {name}" for n, name in enumerate(names, 1))


def _lines(text: str | None) -> tuple[Line, ...]:
    """Non-blank lines, a line with tabs (a table row, empty cells kept) as its cells."""
    out: list[Line] = []
    for line in (text or "").splitlines():
        if "\t" in line and line.strip():
            out.append(tuple(cell.strip() for cell in line.split("\t")))
        elif line.strip():
            out.append(line.strip())
    return tuple(out)
