"""Page-level metadata that every government page shares, whatever its CMS.

Two standard sources: the 政府网站发展指引 metas (``ArticleTitle``, ``PubDate``, ``ContentSource`` …,
gov.cn's lowercase variants) and the 公开目录 table (索引号 / 发文机关 / 成文日期 / 标题 / 发文字号 /
发布日期). The table is matched by label text, never by position or class, because every family
lays it out differently (``<td><b>发文字号：</b></td><td>…``, ``th``/``td`` pairs, ``li > span``) and
pads labels with spaces or U+3000. Visible header lines (``发布时间：… 来源：…``) are read the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

_WS_RE = re.compile(r"[\s\u3000\xa0]+")

CATALOG_LABELS: dict[str, str] = {
    "索引号": "索引号",
    "主题分类": "主题分类",
    "分类": "主题分类",
    "发文机关": "发文机关",
    "发布机构": "发文机关",
    "发文单位": "发文机关",
    "发布单位": "发文机关",
    "发文机构": "发文机关",
    "成文日期": "成文日期",
    "成文时间": "成文日期",
    "标题": "标题",
    "文件名称": "标题",
    "发文字号": "发文字号",
    "文号": "发文字号",
    "发布日期": "发布日期",
    "公开日期": "发布日期",
    "公布日期": "发布日期",
    "主题词": "主题词",
    "有效性": "有效性",
    "生效日期": "生效日期",
    "废止日期": "废止日期",
}
"""公开目录 labels (whitespace and colon removed) → canonical label."""

_HEADER_DATE_RE = re.compile(
    r"(?<![\u4e00-\u9fff])(?:发布|发文|更新|公开|上传)?(?:时间|日期)[\s\u3000\xa0]*[：:][\s\u3000\xa0]*"
    r"(\d{4}[\s\u3000\xa0]*[-/.年][\s\u3000\xa0]*\d{1,2}[\s\u3000\xa0]*[-/.月][\s\u3000\xa0]*\d{1,2})"
)
_HEADER_SOURCE_RE = re.compile(r"(?:信息|文章)?来源[\s\u3000\xa0]*[：:][\s\u3000\xa0]*([^\s\u3000\xa0|｜【】\[\]]{2,40})")
_TEXT_SKIP = {"script", "style", "noscript", "textarea", "option", "select", "template"}


@dataclass
class PageMetadata:
    """What the page says about itself, outside the body text."""

    metas: dict[str, str] = field(default_factory=dict)
    """``<meta name=… content=…>``, keys lower-cased, first non-empty value kept."""
    catalog: dict[str, str] = field(default_factory=dict)
    """公开目录 fields by canonical label."""
    header_date: str | None = None
    """The visible 发布时间 / 发布日期 text near the title (raw)."""
    header_source: str | None = None
    """The visible 来源 text (raw)."""
    html_title: str | None = None
    """``<title>`` text, whitespace collapsed."""
    base_url: str | None = None
    """``<base href>`` when the page sets one."""

    def meta(self, *names: str) -> str | None:
        """First non-empty meta among ``names`` (case-insensitive)."""
        for name in names:
            value = self.metas.get(name.lower())
            if value:
                return value
        return None


def clean(text: str | None) -> str:
    """Whitespace (incl. NBSP, U+3000) collapsed to single spaces, trimmed."""
    return _WS_RE.sub(" ", text).strip() if text else ""


def read_metas(root: etree._Element) -> dict[str, str]:
    """Guideline and other named metas, lower-cased keys (gov.cn writes ``firstpublishedtime``)."""
    metas: dict[str, str] = {}
    for meta in root.iter("meta"):
        name = meta.get("name") or meta.get("property") or meta.get("itemprop")
        content = clean(meta.get("content"))
        if name and content and name.lower() not in metas:
            metas[name.lower()] = content
    return metas


def _label_of(text: str) -> tuple[str, str] | None:
    """(canonical label, value) when a text starts with a 公开目录 label, padding removed.

    The longest label wins (发文字号 before 文号); the label must be the whole text or be followed by
    a colon, so body prose that merely starts with 标题 or 文号 is not taken for a label.
    """
    compact = _WS_RE.sub("", text)
    for size in (4, 3, 2):
        canonical = CATALOG_LABELS.get(compact[:size])
        if canonical is None:
            continue
        if len(compact) == size:
            return canonical, ""
        if compact[size] in "：:":
            return canonical, _value_after_label(text)
    return None


def _cell_of(node: etree._Element) -> etree._Element:
    """The table cell / list item holding a label: climb while the ancestor holds only the label."""
    cell = node
    label = clean("".join(node.itertext()))
    for _ in range(3):
        parent = cell.getparent()
        if parent is None or clean("".join(parent.itertext())) != label:
            break
        cell = parent
    return cell


def _next_value(node: etree._Element) -> str:
    """Value of a label cell: its tail text, else the next sibling element's text."""
    cell = _cell_of(node)
    if clean(cell.tail):
        return clean(cell.tail)
    sibling = cell.getnext()
    while sibling is not None and not isinstance(sibling.tag, str):
        sibling = sibling.getnext()
    if sibling is None:
        return ""
    text = clean("".join(sibling.itertext()))
    return "" if _label_of(text) else text


def scan_text_metadata(root: etree._Element, metadata: PageMetadata) -> None:
    """One pass over short text nodes: 公开目录 labels and visible 发布时间 / 来源 header lines."""
    for text in root.xpath("//body//text()"):
        owner = text.getparent()
        if owner is None or not isinstance(owner.tag, str):
            continue
        if owner.tag in _TEXT_SKIP:
            continue
        value = str(text).strip()
        if not value or len(value) > 300:
            continue
        found = _label_of(value)
        if found:
            label, rest = found
            if label not in metadata.catalog:
                if not rest and not text.is_tail:
                    rest = _next_value(owner)
                if rest:
                    metadata.catalog[label] = rest
            continue
        if metadata.header_date is None:
            m = _HEADER_DATE_RE.search(value)
            if m:
                metadata.header_date = m.group(1)
        if metadata.header_source is None:
            m = _HEADER_SOURCE_RE.search(value)
            if m:
                metadata.header_source = m.group(1)


def read_metadata(root: etree._Element) -> PageMetadata:
    """Metas, 公开目录 fields, header date/source, ``<title>`` and ``<base>`` of a parsed page."""
    metadata = PageMetadata(metas=read_metas(root))
    title = root.find(".//title")
    if title is not None:
        metadata.html_title = clean("".join(title.itertext())) or None
    base = root.find(".//base")
    if base is not None and base.get("href"):
        metadata.base_url = base.get("href").strip()
    scan_text_metadata(root, metadata)
    return metadata
