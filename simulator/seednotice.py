"""The record of one notice as a past 快讯 issue printed it: the simulator's content and ground truth."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SeedNotice:
    """One item of a seed issue, cleaned of page furniture.

    Every field is what the editor printed; nothing is invented.
    """

    issue: str
    """Issue code of the seed it comes from, e.g. ``2019-1102``."""
    section: str
    """The 快讯 section the editor put it in: 政策文件 / 绿色制造 / 申报通知."""
    title: str
    """标题, with the line-wrap spaces of the extraction removed."""
    source_url: str
    """相关链接: the original notice's URL as printed."""
    doc_number: str | None = None
    """文号, normalised to 〔〕 brackets and no spaces; None when the item has none."""
    addressee: str | None = None
    """主送 line without its trailing colon; None when there is none."""
    paragraphs: tuple[str, ...] = ()
    """正文: body paragraphs between the addressee and the signature block, in order."""
    attachments: tuple[str, ...] = ()
    """附件 names listed in the body (the text after 附件：, one per file)."""
    signers: tuple[str, ...] = ()
    """落款: the signing bodies, one per entry."""
    date: str | None = None
    """成文日期 under the signature, ISO ``YYYY-MM-DD``."""
    annex: tuple[str, ...] = ()
    """Content printed after the signature block (附件 tables, lists, contacts), paragraph by paragraph."""
    deadlines: tuple[str, ...] = field(default=())
    """ISO dates by which readers must act, as stated in the body (申报截止, 前报送 …)."""
