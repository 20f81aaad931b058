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

from pipeline.docnumber import split_title_suffix
from pipeline.lexicon import STRONG_ORG_ENDINGS, TITLE_ENDINGS

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
_LABEL_STARTS = frozenset(label[0] for label in CATALOG_LABELS)

_HEADER_DATE_RE = re.compile(
    r"(?<![\u4e00-\u9fff])(?:(?:发布|发文|更新|公开|上传|成文)(?:时间|日期)[\s\u3000\xa0]*[：:][\s\u3000\xa0]*"
    r"(\d{4}[\s\u3000\xa0]*[-/.年][\s\u3000\xa0]*\d{1,2}[\s\u3000\xa0]*[-/.月][\s\u3000\xa0]*\d{1,2})"
    r"|(?:时间|日期)[\s\u3000\xa0]*[：:][\s\u3000\xa0]*(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}))"
)
"""A visible posting date. Bare 时间/日期 labels count only with a numeric date: body prose writes
年月日 (会议时间：2019年11月20日 is an event, not the posting)."""
_HEADER_SOURCE_RE = re.compile(
    r"(?:信息|文章)?来源[\s\u3000\xa0]*[：:][\s\u3000\xa0]*([^\s\u3000\xa0|｜【】\[\]]{2,40})"
)
META_LINE_RE = re.compile(
    r"^[【\[]?(?:(?:发布时间|发布日期|发文日期|更新时间|时间|日期|来源|信息来源|文章来源|作者|索\s*引\s*号|发文机关|"
    r"主题分类|成文日期|发文字号|标\s*题|主题词|有效性|发布机构|分\s*类)[\s\u3000]*[：:]"
    r"|(?:浏览|点击|阅读|访问)(?:次数|量)|字号|字体)"
)
"""A line of page metadata rather than text: 发布时间：…, 来源：…, 索引号：…, 浏览次数, 字号."""
_DATE_NAME_RE = re.compile(r"date|time|riqi|fbrq|fbsj", re.I)
_BARE_DATE_RE = re.compile(
    r"^(?:19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:[\s\u3000\xa0]+\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?$"
)
_DATE_NAME_DEPTH = 3
"""A date span sits in at most a couple of wrappers of the element named for it."""
_NEXT_LABEL_RE = re.compile(r"[\s\u3000\xa0]+[\u4e00-\u9fff]{2,6}[：:]")
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
    dated_element: str | None = None
    """The first unlabelled date alone in an element named for it (``div.detail_date > span``)."""
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
    if text.lstrip()[:1] not in _LABEL_STARTS:  # most texts: no label, and no need to compact them
        return None
    compact = _WS_RE.sub("", text)
    for size in (4, 3, 2):
        canonical = CATALOG_LABELS.get(compact[:size]) if len(compact) >= size else None
        if canonical is None:
            continue
        if len(compact) == size:
            return canonical, ""
        if compact[size] in "：:":
            return canonical, _value_after_label(text)
    return None


def _value_after_label(text: str) -> str:
    """The text after the first colon, cleaned, up to the next ``label：`` sharing the line
    (``发布日期：2019-11-11　浏览次数：12``)."""
    for sep in ("：", ":"):
        if sep in text:
            value = _NEXT_LABEL_RE.split(text.split(sep, 1)[1], maxsplit=1)[0]
            return clean(value)
    return ""


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


SHORT_TEXT_MAX = 300
"""Labels and header lines are short; longer text nodes are body paragraphs, not worth matching."""


def scan_text_metadata(root: etree._Element, metadata: PageMetadata) -> None:
    """One pass over short text nodes: 公开目录 labels and visible 发布时间 / 来源 header lines."""
    for text in root.xpath("//body//text()"):
        owner = text.getparent()
        if owner is None or not isinstance(owner.tag, str) or owner.tag in _TEXT_SKIP:
            continue
        value = str(text).strip()
        if not value or len(value) > SHORT_TEXT_MAX:
            continue
        found = _label_of(value)
        if found:
            _read_catalog_field(metadata, found, owner, after_element=text.is_tail)
        else:
            _read_header_line(metadata, value, owner)


def _read_catalog_field(
    metadata: PageMetadata, found: tuple[str, str], owner: etree._Element, after_element: bool
) -> None:
    """A 公开目录 ``label：value``; a bare label takes its value from the next cell. First one wins."""
    label, rest = found
    if label in metadata.catalog:
        return
    if not rest and not after_element:
        rest = _next_value(owner)
    if rest:
        metadata.catalog[label] = rest


def _read_header_line(metadata: PageMetadata, value: str, owner: etree._Element) -> None:
    """A visible date element and the header's 发布时间 / 来源 lines. First one of each wins."""
    if metadata.dated_element is None and _BARE_DATE_RE.match(value) and _named_for_date(owner):
        metadata.dated_element = value
    if metadata.header_date is None and (m := _HEADER_DATE_RE.search(value)):
        metadata.header_date = m.group(1) or m.group(2)
    if metadata.header_source is None and (m := _HEADER_SOURCE_RE.search(value)):
        metadata.header_source = m.group(1)


def _named_for_date(el: etree._Element) -> bool:
    """True when the element or a close ancestor has a class or id naming a date (date, time, fbrq …)."""
    for _ in range(_DATE_NAME_DEPTH):
        if el is None:
            return False
        if _DATE_NAME_RE.search(" ".join(filter(None, (el.get("class"), el.get("id"))))):
            return True
        el = el.getparent()
    return False


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


# --- Title -------------------------------------------------------------------------------------

_TITLE_XPATH = etree.XPath(
    "//h1 | //h2 | //h3 | //*[@id='ti' or @id='con_title' or contains(@id, 'title') or contains(@id, 'Title')"
    " or contains(@class, 'title') or contains(@class, 'Title')]"
)
_TITLE_SPLIT_RE = re.compile(r"\s+[-_|—–－]+\s+|\s*(?:--|——|_|\||｜)\s*")
_SITE_LIKE_RE = re.compile(
    r"(?:网站|门户网站|门户|政府网|人民政府|首页|主页|网|政务公开|信息公开|政府信息公开|通知公告|公示公告|"
    r"政策文件|政策法规|工作动态|新闻动态|文件发布|最新文件|列表|正文|详情|当前位置.*)$"
)
_ORG_ONLY_RE = re.compile(
    r"^(?:中华人民共和国)?[\u4e00-\u9fff]{2,20}(?:" + "|".join(STRONG_ORG_ENDINGS) + ")$"
)
_TRUNCATED_RE = re.compile(r"(?:\.{2,}|…+|。{3,})\s*$")
_TITLE_MAX = 200
TITLE_LINE_MAX = 120
"""A body's first line (or a PDF's opening lines) longer than this is a paragraph, not the title."""


def _title_key(text: str) -> str:
    """Comparison key of a title: whitespace removed, full-width parentheses unified."""
    return _WS_RE.sub("", text).replace("(", "（").replace(")", "）")


def _site_names(metadata: PageMetadata) -> set[str]:
    """Names a title must never be: the site and column names the page declares."""
    names = {metadata.meta("sitename"), metadata.meta("columnname"), metadata.meta("og:site_name")}
    return {_title_key(name) for name in names if name}


def _plausible_title(text: str, site_names: set[str]) -> bool:
    """True for text that can be a notice title (not a site/column name, not too short or long)."""
    key = _title_key(text)
    if not 4 <= len(key) <= _TITLE_MAX or key in site_names:
        return False
    if _SITE_LIKE_RE.search(key) and len(key) <= 20:
        return False
    return not _ORG_ONLY_RE.match(key)


def is_meta_text(text: str) -> bool:
    """True for a line of page metadata: a labelled field (来源：新华社) or a bare date (2023-12-01 14:43)."""
    text = clean(text)
    return bool(META_LINE_RE.match(text) or _BARE_DATE_RE.match(text))


def heading_text(el: etree._Element) -> str:
    """The text of a title element without the metadata lines a template puts inside it
    (``<div class="title"><div>标题</div><ul><li>来源：…</li><li>2023-12-01</li></ul></div>``)."""
    parts: list[str] = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str) and not is_meta_text("".join(child.itertext())):
            parts.append(heading_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def dom_title_candidates(root: etree._Element, container: etree._Element | None = None) -> list[str]:
    """Visible headings and title-classed elements (h1, #con_title, .article-title …), not link-only
    or cut (…) ones, nearest to the start of the body ``container`` first: sidebars and menus are
    full of title-classed links, the notice's own heading sits just above its text."""
    found: list[str] = []
    for el in _by_nearness(_TITLE_XPATH(root), root, container)[:_MAX_TITLE_ELEMENTS]:
        if el.tag in ("title", "meta", "script", "style"):
            continue
        text = clean(heading_text(el))
        if not text or len(text) > _TITLE_MAX or _TRUNCATED_RE.search(text):
            continue
        link_text = clean("".join(t for a in el.iter("a") for t in a.itertext()))
        if link_text and len(link_text) >= 0.8 * len(text):
            continue
        found.append(text)
    return found


def _by_nearness(
    elements: list[etree._Element], root: etree._Element, container: etree._Element | None
) -> list[etree._Element]:
    """``elements`` ordered by their distance (in document order) from the container's start."""
    if container is None:
        return elements
    wanted = set(elements)
    wanted.add(container)
    position = {el: i for i, el in enumerate(root.iter()) if el in wanted}
    start = position.get(container, 0)
    return sorted(elements, key=lambda el: abs(position.get(el, 0) - start))


_MAX_TITLE_ELEMENTS = 40
NEAREST_TITLES = 3
"""Headings nearest to the body that vote with full weight; farther ones barely count."""
_NEAR_TEXTS = 40
_SKIP_TEXT_TAGS = frozenset({"script", "style", "noscript", "a", "option", "select", "textarea", "title"})


def preceding_title_candidates(root: etree._Element, container: etree._Element) -> list[str]:
    """Title-like lines just above the body container, for pages with no heading markup.

    Old table layouts print the title as ``<td><b>…</b></td>`` with no class; the nearest short
    text before the body that ends like a 公文 title (…的通知, …名单公示) is taken.
    """
    texts: list[str] = []
    for el in root.iter():
        if el is container:
            break
        if not isinstance(el.tag, str) or el.tag in _SKIP_TEXT_TAGS or not el.text:
            continue
        text = clean(el.text)
        if 6 <= len(text) <= 150 and (text.endswith(TITLE_ENDINGS) or text.startswith("关于")):
            texts.append(text)
            texts = texts[-_NEAR_TEXTS:]
    return texts[-3:]


def html_title_parts(title: str | None) -> list[str]:
    """``<title>`` split on its site-name separators (``标题 - 站点``, ``标题_栏目_站点``)."""
    if not title:
        return []
    parts = [clean(part) for part in _TITLE_SPLIT_RE.split(title)]
    return [part for part in parts if part]


TITLE_WEIGHTS: dict[str, float] = {
    "listing": 3.0,  # the link text the site itself lists the notice under: rarely wrong
    "near_heading": 2.0,  # one of the NEAREST_TITLES headings just above the body
    "catalog": 2.0,  # the 公开目录 标题 field, filled in by the site's editor
    "meta": 1.5,  # ArticleTitle / og:title metas: often right, sometimes blank or stale
    "preceding_line": 1.5,  # a title-like line above the body on a page without heading markup
    "first_line": 1.0,  # the body's first line: the title when the body repeats it
    "html_title": 1.0,  # a <title> part: mixed with site and column names
    "far_heading": 0.5,  # headings farther away: sidebars and related-article lists
}
"""How much each place a title is stated counts in the vote (see ``choose_title``)."""
TITLE_META_NAMES = ("articletitle", "title", "og:title")
CONTAINED_TITLE_SHARE = 0.4
"""Vote a candidate gets from another that contains it (a title with or without its 文号 suffix)."""
CONTAINED_TITLE_MIN = 6
"""Shorter keys are too generic (通知, 公告) for containment to mean the same title."""
CUT_PREFIX_MIN = 4
"""A ``...``-cut listing title shorter than this selects nothing: too many titles start alike."""


def title_votes(
    metadata: PageMetadata,
    dom_candidates: list[str],
    first_line: str | None,
    near_candidates: list[str] | None = None,
) -> list[tuple[str, float]]:
    """Every statement of the title on the page with its weight (``TITLE_WEIGHTS``), not yet filtered."""
    weights = TITLE_WEIGHTS
    votes = [
        (text, weights["near_heading"] if i < NEAREST_TITLES else weights["far_heading"])
        for i, text in enumerate(dom_candidates)
    ]
    if metadata.catalog.get("标题"):
        votes.append((metadata.catalog["标题"], weights["catalog"]))
    metas = [metadata.metas[name] for name in TITLE_META_NAMES if metadata.metas.get(name)]
    votes += [(text, weights["meta"]) for text in metas]
    if first_line:
        votes.append((first_line, weights["first_line"]))
    votes += [(text, weights["preceding_line"]) for text in near_candidates or []]
    votes += [(part, weights["html_title"]) for part in html_title_parts(metadata.html_title)]
    return votes


def _title_score(key: str, candidates: list[tuple[str, float]], prefix: str | None) -> float:
    """A candidate's support: full weight from equal statements, a share from containing ones,
    and the listing's weight when a ``...``-cut listing title starts it."""
    score = 0.0
    for other, weight in candidates:
        other_key = _title_key(other)
        if other_key == key:
            score += weight
        elif min(len(key), len(other_key)) >= CONTAINED_TITLE_MIN and (key in other_key or other_key in key):
            score += CONTAINED_TITLE_SHARE * weight
    if prefix and len(prefix) >= CUT_PREFIX_MIN and key.startswith(prefix):
        score += TITLE_WEIGHTS["listing"]
    return score


def choose_title(
    metadata: PageMetadata,
    dom_candidates: list[str],
    first_line: str | None,
    listing_title: str | None,
    near_candidates: list[str] | None = None,
) -> str | None:
    """The notice's own title, by weighted agreement between every source that states it.

    Sources: the listing title (strongest; a ``...``-cut one only selects candidates by prefix),
    visible headings (the few nearest to the body count fully), the 公开目录 标题, the ArticleTitle
    meta, the body's first line and ``<title>`` parts. Metas may be blank or stale, so no single
    source decides alone. Ties go to the longer title.
    """
    votes = title_votes(metadata, dom_candidates, first_line, near_candidates)
    prefix = None
    if listing_title and clean(listing_title):
        if _TRUNCATED_RE.search(listing_title):
            prefix = _title_key(_TRUNCATED_RE.sub("", listing_title))
        else:
            votes.append((clean(listing_title), TITLE_WEIGHTS["listing"]))
    sites = _site_names(metadata)
    stripped = [(split_title_suffix(clean(text))[0], weight) for text, weight in votes]
    candidates = [(text, weight) for text, weight in stripped if _plausible_title(text, sites)]
    ranked = [
        (_title_score(_title_key(text), candidates, prefix), len(_title_key(text)), -i, text)
        for i, (text, _) in enumerate(candidates)
    ]
    return max(ranked)[3] if ranked else None
