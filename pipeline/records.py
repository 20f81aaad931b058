"""Records the pipeline produces: one extracted notice, as the store keeps it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


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

    def to_json(self) -> dict[str, Any]:
        """The record as plain JSON-able data (the ``kuaixun extract`` output)."""
        data = asdict(self)
        data["attachments"] = [asdict(a) for a in self.attachments]
        data["deadlines"] = [asdict(d) for d in self.deadlines]
        data["regions"] = list(self.regions)
        data["agencies"] = list(self.agencies)
        return data
