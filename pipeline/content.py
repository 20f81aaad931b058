"""The notice body of a page: find its container, drop page chrome, flatten it into blocks.

Government CMS families name their body container (TRS ``.TRS_Editor``, Hanweb ``#zoom``, MIIT
``#con_con``, gov.cn ``#UCAP-CONTENT`` …); those names are only hints, checked against how much text
they hold. Unknown layouts fall back to the densest block of prose (a readability-style score of
paragraph text, with link text excluded). The container is then flattened into a list of
:class:`Block` — paragraphs, headings, list items and table rows — which is what every later step
(structure, attachments, deadlines, body HTML) reads.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from urllib.parse import urljoin

from lxml import etree

from pipeline.attachments import is_file_url, is_generic_name
from pipeline.lexicon import ATTACHMENT_HEADINGS

_WS_RE = re.compile(r"[\s\u3000\xa0\u200b\ufeff]+")

SKIP_TAGS = frozenset((
    "script", "style", "noscript", "iframe", "frame", "object", "embed", "svg", "canvas", "select",
    "option", "button", "input", "textarea", "template", "head", "link", "meta", "map", "area",
    "video", "audio", "img", "source", "picture",
))  # fmt: skip
BLOCK_TAGS = frozenset((
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "section",
    "article", "center", "blockquote", "pre", "header", "footer", "nav", "aside", "address", "figure",
    "figcaption", "main", "caption", "hr", "form", "fieldset", "legend", "body", "html", "tbody",
    "thead", "tfoot", "tr", "td", "th", "details", "summary",
))  # fmt: skip
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_INLINE_KEEP = {"strong": "strong", "b": "b", "em": "em"}
_MAX_DEPTH = 120
_CHROME_MAX_CHARS = 300
_MAX_BLOCKS = 6000

_CHROME_ATTR_RE = re.compile(
    r"(?:^|[\s_-])(?:share|bdshare|jiathis|fenxiang|bshare|print|dayin|close|guanbi|font-?size|fontsize|"
    r"zihao|toolbar|footer|foot|copyright|banquan|breadcrumbs?|crumbs?|weizhi|position|location|"
    r"nav|navbar|menu|pager|pagination|fanye|prevnext|pre-next|related|xgwz|xgxx|xglj|comments?|qrcode|"
    r"ewm|erweima|visit|hits|sidebar|goback|backtop|gotop)(?:$|[\s_-])",
    re.I,
)
_CHROME_TOKENS_RE = re.compile(
    r"打印本页|打印本文|打印文章|打印|关闭窗口|关闭本页|关闭|返回顶部|返回|分享到|分享|收藏本页|加入收藏|收藏|"
    r"字体|字号|默认|繁体|简体|无障碍|保存本页|扫一扫在手机打开当前页|扫一扫|在手机打开|微信|微博|QQ空间|"
    r"[大中小]|[【】\[\]|｜:：、/（）()·•\s]"
)
_CHROME_LINE_RE = re.compile(
    r"^(?:[【\[]?(?:浏览|阅读|访问|点击)(?:次数|量|数|率)?[\s:：]*\d*\s*次?[】\]]?"
    r"|(?:上一篇|下一篇|上一条|下一条)[\s:：].*"
    r"|.*(?:版权所有|ICP备|网站标识码|公网安备|技术支持[:：]|网站地图|联系我们).*"
    r"|[【\[（(]?(?:责任编辑|编辑|审核|校对|审校)[:：][^，。；]{0,20}[】\]）)]?"
    r"|[（(](?:此件公开发布|此件不公开|本文有删减|此页无正文)[)）]"
    r"|\d+\s*/\s*\d+"
    r"|[-—－]+\s*\d+\s*[-—－]+)$"
)

_CHROME_HEADING_RE = re.compile(r"(?:版权与免责声明|免责声明|版权声明|法律声明)")
_CHROME_HEADING_MAX = 12
"""The heading alone: a paragraph that starts with 免责声明 and goes on is text."""
_HINT_IDS = frozenset({"zoom", "Zoom", "con_con", "UCAP-CONTENT", "fontzoom", "allStyleDIV", "ContentRegion"})
_HINT_CLASSES = (
    "TRS_Editor", "trs_editor_view", "TRS_UEDITOR", "article_con", "pages_content", "article-content",
    "content_body_box", "news-body", "gxt-xilan-content", "message-box", "tys-main", "ccontent",
    "article_component",
)  # fmt: skip
HINT_XPATH = etree.XPath("//*[@id or @class]")
"""Candidates for the family body containers (TRS, Hanweb, MIIT, gov.cn, MOST, chinatax, Hebei,
Shaanxi, Hunan …), in document order, which ``_is_hint`` checks exactly: one predicate is ~4×
cheaper than the 21 of the ids and classes spelled out (issue 13)."""

_FOOTER_TEXT_RE = re.compile(
    r"版权所有|ICP备|网站标识码|公网安备|技术支持|主办单位|承办单位|访问次数|浏览次数|建议使用|分辨率|"
    r"关于我们|联系我们|联系方式|网站地图|返回顶部|当前位置|您的位置|您现在的位置"
)
_EMPTY_INLINE_RE = re.compile(r"<(strong|b|em)>\s*</\1>")
_PROSE_PUNCT_RE = re.compile(r"[，。；：、“”《》（）]")


@dataclass(slots=True)
class Block:
    """One line of the notice as a reader sees it."""

    kind: str
    """``p`` paragraph, ``h`` heading, ``li`` list item, ``tr`` table row."""
    text: str
    """Visible text, whitespace collapsed; a table row's cells joined by a tab."""
    html: str = ""
    """Sanitized inline HTML (a row: its ``<td>`` cells)."""
    level: int = 0
    """Heading level for ``h``; 1 for an item of an ordered list (``li``)."""
    align: str = ""
    """``right`` / ``center`` when the markup aligns it (signature blocks are right-aligned)."""
    table: int = -1
    """Which table a ``tr`` belongs to (consecutive rows of one table render as one table)."""
    links: tuple[tuple[str, str], ...] = ()
    """(visible text, absolute URL) of the links in the block."""


def clean(text: str | None) -> str:
    """Whitespace (incl. NBSP, U+3000, zero-width) collapsed to single spaces, trimmed."""
    return _WS_RE.sub(" ", text).strip() if text else ""


def parse_html(text: str) -> etree._Element:
    """An lxml tree of a decoded page (XML declarations are dropped: lxml refuses them on str)."""
    if text.lstrip().startswith("<?xml"):
        text = text[text.find("?>") + 2 :]
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    root = etree.fromstring(text.encode("utf-8", "replace"), parser)
    if root is None:
        raise ValueError("no HTML elements")
    return root


MAX_TABLE_ROWS = 300
"""Rows kept per table: annex tables of thousands of rows (名单) would dominate the work."""
MAX_LIST_ITEMS = 500
MAX_ELEMENTS = 40_000
"""Pages with more elements after pruning are not notice pages (or are junk): refused."""


def prune_tree(root: etree._Element) -> int:
    """Cap the work on huge pages: cut tables and lists to their first rows/items, in place.

    Returns how many rows and items were dropped; raises ValueError when the page is still too
    big to be a notice.
    """
    dropped = 0
    for tag, limit in (("tr", MAX_TABLE_ROWS), ("li", MAX_LIST_ITEMS)):
        counts: dict[etree._Element, int] = {}
        doomed: list[etree._Element] = []
        for el in root.iter(tag):
            parent = el.getparent()
            counts[parent] = counts.get(parent, 0) + 1
            if counts[parent] > limit:
                doomed.append(el)
        for el in doomed:
            el.getparent().remove(el)
        dropped += len(doomed)
    size = sum(1 for _ in root.iter())
    if size > MAX_ELEMENTS:
        raise ValueError(f"page too complex ({size} elements)")
    return dropped


_HIDDEN_CLASSES = frozenset({"ng-hide", "hidden", "d-none", "invisible", "sr-only", "visually-hidden"})
"""Classes that hide an element in the frameworks sites use (Angular, Bootstrap): a rendered DOM
keeps hidden copies, hidden headers and the templates' alternatives."""


def is_hidden(el: etree._Element) -> bool:
    """True for elements the browser would not show (inline ``display:none``, ``hidden``, hiding classes)."""
    if el.get("hidden") is not None:
        return True
    if _HIDDEN_CLASSES.intersection((el.get("class") or "").split()):
        return True
    style = el.get("style")
    if not style:
        return False
    compact = style.replace(" ", "").lower()
    return "display:none" in compact or "visibility:hidden" in compact


_MAY_HIDE_XPATH = etree.XPath("descendant-or-self::*[@hidden or @class or @style]")
"""The elements ``is_hidden`` can be true of, in document order: found in C, not one by one."""


def drop_hidden(root: etree._Element) -> None:
    """Remove, in place, every element the browser would not show: titles and the body are read from
    what a reader sees (a hidden duplicate of the body or a hidden list of links must not win)."""
    doomed = [el for el in _MAY_HIDE_XPATH(root) if is_hidden(el)]
    for el in doomed:
        parent = el.getparent()
        if parent is not None:
            remove_keeping_tail(el)


def remove_keeping_tail(el: etree._Element) -> None:
    """Remove an element but not the text that follows it (lxml stores that text on the element)."""
    parent = el.getparent()
    if el.tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


class TreeMeasures:
    """What the body heuristics ask of a page's subtrees, each answered once per element.

    The container search, the chrome checks and the attachment areas weigh overlapping subtrees
    many times over (issue 13's profile: ~14 walks of large subtrees per page). Lengths are summed
    bottom-up from the children's, so every element is measured once. The tree may change only by
    wrapping siblings (:func:`join_split_body`), which changes no element's subtree text.
    """

    def __init__(self) -> None:
        self._sizes: dict[etree._Element, tuple[int, int, int]] = {}
        self._chrome: dict[etree._Element, bool] = {}
        self._attachment: dict[etree._Element, bool] = {}

    def text_and_link_length(self, el: etree._Element) -> tuple[int, int]:
        """(visible text length, link text length) of a subtree, scripts excluded."""
        total, linked, _ = self._measure(el)
        return total, linked

    def page_link_length(self, el: etree._Element) -> int:
        """Text length of the links to pages in a subtree; links to files are the notice's own text
        (a notice may be little more than its 附件 links or the link to its PDF)."""
        return self._measure(el)[2]

    def _measure(self, top: etree._Element) -> tuple[int, int, int]:
        sizes = self._sizes
        known = sizes.get(top)
        if known is not None:
            return known
        # Reversed document order reaches every element after all of its descendants.
        for node in reversed(list(top.iter())):
            if node in sizes:
                continue
            tag = node.tag
            own = isinstance(tag, str) and tag not in SKIP_TAGS and node.text
            total = len(node.text.strip()) if own else 0
            linked = to_pages = 0
            for child in node:
                child_total, child_linked, child_pages = sizes[child]
                total += child_total + (len(child.tail.strip()) if child.tail else 0)
                linked += child_linked
                to_pages += child_pages
            if tag == "a":
                size = len(clean("".join(node.itertext())))
                linked += size
                if not is_file_url(node.get("href") or ""):
                    to_pages += size
            sizes[node] = (total, linked, to_pages)
        return sizes[top]

    def is_chrome_element(self, el: etree._Element) -> bool:
        """True for share/print/font-size bars, breadcrumbs, pagers, footers by their id/class names.

        Such bars are short: an element named like one but holding real prose (``div.print_content``
        around the whole body) is kept.
        """
        known = self._chrome.get(el)
        if known is None:
            known = self._chrome[el] = self._is_chrome(el)
        return known

    def _is_chrome(self, el: etree._Element) -> bool:
        attrs = " ".join(filter(None, (el.get("id"), el.get("class"))))
        if attrs and _CHROME_ATTR_RE.search(attrs) is not None:
            total, linked = self.text_and_link_length(el)
            return total - linked < _CHROME_MAX_CHARS
        return _opens_with_chrome_heading(el)

    def is_attachment_block(self, el: etree._Element) -> bool:
        """True for a block headed by an attachment heading (``<h2>附件：</h2><ul>…``, 相关附件：):
        the page's list of files, not its text."""
        known = self._attachment.get(el)
        if known is None:
            known = self._attachment[el] = _opens_with_attachment_heading(el)
        return known


def _opens_with_attachment_heading(el: etree._Element) -> bool:
    for text in el.itertext():
        head = _WS_RE.sub("", text).rstrip("：:")
        if head:
            return head in ATTACHMENT_HEADINGS
    return False


def _opens_with_chrome_heading(el: etree._Element) -> bool:
    """True for a block headed 版权与免责声明 / 免责声明 / 版权声明: the site's legal notice, whatever
    its markup, and however much prose it holds."""
    if el.tag not in ("div", "section", "aside", "footer", "table", "ul", "dl"):
        return False
    for text in el.itertext():
        text = text.strip()
        if text:
            return bool(_CHROME_HEADING_RE.match(text)) and len(text) <= _CHROME_HEADING_MAX
    return False


CHROME_LINE_MAX = 120
"""Furniture lines are short: a longer line naming 版权所有 or 编辑 is prose that mentions them."""
CHROME_TOKENS_MAX = 40
"""A line made only of toolbar words (打印 关闭 字体 大 中 小) is at most this long."""


def is_chrome_line(text: str) -> bool:
    """True for lines that are page furniture: 【字体：大 中 小】, 打印本页, 浏览次数：12, footers."""
    if len(text) > CHROME_LINE_MAX:
        return False
    if _CHROME_LINE_RE.match(text):
        return True
    if len(text) > CHROME_TOKENS_MAX:
        return False
    stripped = _CHROME_TOKENS_RE.sub("", text)
    return stripped == "" and text != ""


FOOTER_TEXT_MAX = 200
"""A footer (版权所有 … 网站标识码 …) is short; a long text mentioning them is a notice's prose."""
PUNCT_BONUS = 2
"""Extra weight per sentence mark: prose is punctuated, menus and link lists are not."""


def _text_weight(text: str) -> int:
    """How much a piece of text counts as prose: its length plus a bonus for sentence punctuation.

    Footer furniture (版权所有, 网站标识码, 访问次数 …) counts for nothing, so a short notice does not
    lose to the footer of its own page.
    """
    text = text.strip()
    if not text or (len(text) < FOOTER_TEXT_MAX and _FOOTER_TEXT_RE.search(text)):
        return 0
    return len(text) + PUNCT_BONUS * len(_PROSE_PUNCT_RE.findall(text))


def _holder(el: etree._Element) -> etree._Element | None:
    """Nearest block-level element holding this text; None when it sits inside a link to a page
    (a link to a file is the notice's own text: its PDF, its 附件)."""
    node = el
    while node is not None and node.tag not in BLOCK_TAGS:
        if node.tag == "a" and not is_file_url(node.get("href") or ""):
            return None
        node = node.getparent()
    return node


def _text_scores(body: etree._Element, measures: TreeMeasures) -> dict[etree._Element, float]:
    """Readability-style scores: each text holder credits itself, its parent and half its grandparent.

    Table rows and sections are transparent (a body laid out as a table credits the element around
    the table, so that it competes as one block), and chrome subtrees (share bars, 版权与免责声明)
    count for nothing.
    """
    scores: dict[etree._Element, float] = {}
    for el in _scored_elements(body, measures):
        counted = el.tag != "a" or is_file_url(el.get("href") or "")
        weight = _text_weight(el.text) if el.text and counted else 0
        for child in el:
            if child.tail:
                weight += _text_weight(child.tail)
        if weight == 0:
            continue
        holder = _holder(el) if el.tag not in BLOCK_TAGS else el
        if holder is None:
            continue
        if holder.tag in ("div", "td", "article", "section", "main", "center", "form", "dd"):
            scores[holder] = scores.get(holder, 0) + weight
        ancestors = (a for a in holder.iterancestors() if a.tag not in _TABLE_PARTS)
        for share in (1.0, 0.5):
            ancestor = next(ancestors, None)
            if ancestor is None:
                break
            scores[ancestor] = scores.get(ancestor, 0) + weight * share
    return scores


_SECTION_TAGS = frozenset({"div", "section", "aside", "ul", "dl", "table"})
_TABLE_PARTS = frozenset({"tr", "tbody", "thead", "tfoot", "table"})


def _scored_elements(body: etree._Element, measures: TreeMeasures) -> Iterator[etree._Element]:
    """Elements whose text may be the body, in document order: not scripts and the like, not chrome."""
    stack = list(reversed(body))
    while stack:
        el = stack.pop()
        if not isinstance(el.tag, str) or el.tag in SKIP_TAGS or measures.is_chrome_element(el):
            continue
        if el.tag in _SECTION_TAGS and measures.is_attachment_block(el):
            continue
        yield el
        stack.extend(reversed(el))


def _is_descendant(el: etree._Element, ancestor: etree._Element) -> bool:
    """True when ``el`` lies inside ``ancestor``."""
    return any(node is ancestor for node in el.iterancestors())


DENSE_CANDIDATES = 6
"""Best-scoring elements weighed against their link density: the body is always among the first few."""
INNER_BODY_SHARE = 0.93
"""A descendant keeping this share of the best score is the tighter body (the outer one adds chrome)."""


def densest_element(root: etree._Element, measures: TreeMeasures) -> etree._Element:
    """The element holding the densest block of prose: the generic fallback for unknown layouts."""
    body = root.find("body")
    if body is None:
        body = root
    scores = _text_scores(body, measures)
    if not scores:
        return body
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)[:DENSE_CANDIDATES]
    adjusted: list[tuple[float, etree._Element]] = []
    for el, score in ranked:
        total, _ = measures.text_and_link_length(el)
        density = measures.page_link_length(el) / total if total else 1.0
        adjusted.append((score * (1.0 - density), el))
    adjusted.sort(key=lambda item: item[0], reverse=True)
    best_score, best = adjusted[0]
    for score, el in adjusted[1:]:
        if score >= INNER_BODY_SHARE * best_score and _is_descendant(el, best):
            best_score, best = score, el
    return _outside_data_table(best)


def _outside_data_table(el: etree._Element) -> etree._Element:
    """A cell of a data table is never the body: the block around its table is."""
    if el.tag not in ("td", "th"):
        return el
    table = _owning_table(el)
    if table is None or table.getparent() is None:
        return el
    rows = [row for row in table.iter("tr") if _owning_table(row) is table]
    return el if _is_layout_table(table, rows) else table.getparent()


def _is_hint(el: etree._Element) -> bool:
    """Whether an element is a family body container (its id, a class token; ``td.content``)."""
    if el.get("id") in _HINT_IDS:
        return True
    tokens = (el.get("class") or "").split()
    return any(name in tokens for name in _HINT_CLASSES) or (el.tag == "td" and "content" in tokens)


HINT_MIN_CHARS = 30
"""A family's body element with less text than this is an empty template slot, not the body."""
MAX_LINK_SHARE = 0.5
"""A block more than half link text is a list of pages (menu, related articles), not a body."""
HINT_DENSE_SHARE = 0.5
"""A family hint holding half the densest block's text is the body even where it is not the densest."""


def find_container(root: etree._Element, measures: TreeMeasures | None = None) -> etree._Element:
    """The body container: a family hint when it holds the page's prose, else the densest element;
    a body the template cut in two is joined again (:func:`join_split_body`)."""
    measures = measures or TreeMeasures()
    dense = densest_element(root, measures)
    dense_total, _ = measures.text_and_link_length(dense)
    for hint in HINT_XPATH(root):
        if not _is_hint(hint):
            continue
        total, _ = measures.text_and_link_length(hint)
        if total < HINT_MIN_CHARS or measures.page_link_length(hint) > MAX_LINK_SHARE * total:
            continue
        nested = _is_descendant(dense, hint) or _is_descendant(hint, dense)
        if total >= HINT_DENSE_SHARE * dense_total or nested:
            return join_split_body(hint, measures)
    return join_split_body(dense, measures)


_SPLIT_TAGS = frozenset({"div", "section", "article"})
_MIN_PART_CHARS = 10


def _body_key(el: etree._Element) -> tuple[str, str] | None:
    """What makes two sibling blocks parts of one body: the same tag and the same class."""
    if not isinstance(el.tag, str) or el.tag not in _SPLIT_TAGS:
        return None
    return el.tag, " ".join((el.get("class") or "").split())


def _is_text_part(el: etree._Element, measures: TreeMeasures) -> bool:
    """A block holding text of its own rather than links to pages (a share bar or a list of related
    pages is not; a 附件 line linking its files is)."""
    total, _ = measures.text_and_link_length(el)
    linked = measures.page_link_length(el)
    return total - linked >= _MIN_PART_CHARS and linked <= MAX_LINK_SHARE * total


def _is_filler(el: etree._Element, measures: TreeMeasures) -> bool:
    """What may sit between two parts of a cut body: chrome (share/font/print bars) or nothing."""
    if not isinstance(el.tag, str):
        return True
    return measures.is_chrome_element(el) or measures.text_and_link_length(el)[0] == 0


def join_split_body(container: etree._Element, measures: TreeMeasures) -> etree._Element:
    """The container, or a wrapper around it and its sibling parts when the template cut the body.

    Some templates inject a share or font-size bar mid-body, leaving the text in two sibling blocks
    of the same tag and class (``div.detail-text`` / bar / ``div.detail-text``); the densest of
    them alone would lose the other half (often the 文号 and 主送 lines). Siblings of the same kind
    separated only by chrome are moved, in order, into one new ``<div>`` in their place; the bar
    inside it is dropped as chrome when the blocks are flattened.
    """
    key = _body_key(container)
    parent = container.getparent()
    if key is None or parent is None:
        return container
    children = list(parent)
    first = last = children.index(container)
    while (found := _adjacent_part(children, first, key, -1, measures)) is not None:
        first = found
    while (found := _adjacent_part(children, last, key, 1, measures)) is not None:
        last = found
    if first == last:
        return container
    wrapper = etree.Element("div")
    parent.insert(first, wrapper)
    for child in children[first : last + 1]:
        wrapper.append(child)  # lxml moves the element with its tail text
    wrapper.tail, children[last].tail = children[last].tail, None  # what follows stays outside
    return wrapper


def _adjacent_part(
    children: list[etree._Element], at: int, key: tuple[str, str], step: int, measures: TreeMeasures
) -> int | None:
    """Index of the nearest same-kind text part from ``at`` in direction ``step`` when only filler
    lies between, and some does: adjacent blocks were not cut by a bar."""
    i, fillers = at + step, 0
    while 0 <= i < len(children):
        child = children[i]
        if fillers and _body_key(child) == key and _is_text_part(child, measures):
            return i
        if not _is_filler(child, measures):
            return None
        fillers += 1
        i += step
    return None


class _Flattener:
    """Walks a container and emits blocks; inline markup becomes sanitized inline HTML."""

    def __init__(self, base_url: str, measures: TreeMeasures, *, drop_chrome: bool = True) -> None:
        self.base_url = base_url
        self.measures = measures
        self.drop_chrome = drop_chrome
        self.blocks: list[Block] = []
        self.tables = 0
        self.open_tags: list[tuple[str, str]] = []
        """Inline tags open across a block break: (opening markup, name), re-opened in the next block."""
        self._reset()
        self.align_stack: list[str] = [""]

    def _reset(self, *, keep_kind: bool = False) -> None:
        self.text: list[str] = []
        self.html: list[str] = [markup for markup, _ in self.open_tags]
        self.links: list[tuple[str, str]] = []
        if not keep_kind:
            self._plain()

    def _plain(self) -> None:
        """Back to a plain paragraph (after a heading or list item is emitted or closed)."""
        self.kind = "p"
        self.level = 0
        self.prefix = ""

    def open_tag(self, markup: str, name: str) -> None:
        self.html.append(markup)
        self.open_tags.append((markup, name))

    def close_tag(self) -> None:
        _, name = self.open_tags.pop()
        self.html.append(f"</{name}>")

    def add_text(self, text: str | None) -> None:
        if text:
            self.text.append(text)
            self.html.append(escape(text, quote=False))

    def flush(self) -> None:
        """Emit the buffered line as a block. An empty buffer keeps the pending kind, so the text
        of ``<li><p>…</p></li>`` is still a list item."""
        text = clean("".join(self.text))
        if not text:
            self._reset(keep_kind=True)
            return
        if not (self.drop_chrome and is_chrome_line(text)) and len(self.blocks) < _MAX_BLOCKS:
            closing = "".join(f"</{name}>" for _, name in reversed(self.open_tags))
            html = _WS_RE.sub(" ", "".join(self.html) + closing).strip()
            html = _EMPTY_INLINE_RE.sub("", html)
            block = Block(self.kind, self.prefix + text, html, self.level, self.align_stack[-1])
            block.links = _named_by_line(text, self.links)
            self.blocks.append(block)
        self._reset()

    def walk_children(self, el: etree._Element, depth: int) -> None:
        self.add_text(el.text)
        for child in el:
            self.walk(child, depth + 1)
            self.add_text(child.tail)

    def walk(self, el: etree._Element, depth: int) -> None:
        tag = el.tag
        if not isinstance(tag, str) or tag in SKIP_TAGS or is_hidden(el):
            return
        if self.measures.is_chrome_element(el):
            return
        if depth > _MAX_DEPTH:
            self.add_text(" ".join(el.itertext()))
            return
        if tag == "br":
            self.flush()
        elif tag == "table":
            self.table(el, depth)
        elif tag in BLOCK_TAGS:
            self.block(el, tag, depth)
        elif tag == "a":
            self.anchor(el, depth)
        elif tag in _INLINE_KEEP:
            self.open_tag(f"<{_INLINE_KEEP[tag]}>", _INLINE_KEEP[tag])
            self.walk_children(el, depth)
            self.close_tag()
        else:
            self.walk_children(el, depth)

    def block(self, el: etree._Element, tag: str, depth: int) -> None:
        self.flush()
        self.align_stack.append(_alignment(el) or self.align_stack[-1])
        if tag in _HEADINGS:
            self.kind, self.level = "h", _HEADINGS[tag]
        elif tag == "li":
            self.kind = "li"
            parent = el.getparent()
            if parent is not None and parent.tag == "ol":
                # The browser numbers ordered items; the text keeps the number the reader sees.
                self.level = 1
                self.prefix = f"{_ordinal(parent, el)}."
        self.walk_children(el, depth)
        self.flush()
        self._plain()
        self.align_stack.pop()

    def anchor(self, el: etree._Element, depth: int) -> None:
        href = absolute_url(el.get("href"), self.base_url)
        start = len(self.text)
        if href:
            self.open_tag(f'<a href="{escape(href)}">', "a")
        self.walk_children(el, depth)
        if href:
            self.close_tag()
            label = clean("".join(self.text[start:]))
            if is_generic_name(label) and not is_generic_name(el.get("title")):
                label = clean(el.get("title"))  # <a title="申报表.doc">下载</a>
            self.links.append((label, href))

    def table(self, el: etree._Element, depth: int) -> None:
        rows = [row for row in el.iter("tr") if _owning_table(row) is el]
        if _is_layout_table(el, rows):
            for row in rows:
                for cell in row:
                    self.walk(cell, depth + 1)
            return
        self.flush()
        self.tables += 1
        for row in rows:
            self.row(row, depth)

    def row(self, row: etree._Element, depth: int) -> None:
        texts: list[str] = []
        cells_html: list[str] = []
        links: list[tuple[str, str]] = []
        for cell in row:
            if not isinstance(cell.tag, str) or cell.tag not in ("td", "th") or is_hidden(cell):
                continue
            inner = _Flattener(self.base_url, self.measures, drop_chrome=False)
            inner.walk_children(cell, depth + 1)
            inner.flush()
            texts.append(" ".join(b.text for b in inner.blocks))
            links.extend(link for b in inner.blocks for link in b.links)
            spans = "".join(
                f' {name}="{int(value)}"'
                for name in ("colspan", "rowspan")
                if (value := (cell.get(name) or "").strip()).isdigit() and int(value) > 1
            )
            cells_html.append(f"<{cell.tag}{spans}>{'<br>'.join(b.html for b in inner.blocks)}</{cell.tag}>")
        if any(texts) and len(self.blocks) < _MAX_BLOCKS:
            text = "\t".join(texts)
            self.blocks.append(Block("tr", text, "".join(cells_html), table=self.tables, links=tuple(links)))


_EMPTY_BRACKETS_RE = re.compile(r"[（(]\s*[)）]|[【\[]\s*[】\]]")
_ENCLOSED_RE = re.compile(r"^[（(【\[]([^（()）【】\[\]]+)[)）】\]]$")
_MAX_NEIGHBOUR_NAME = 100


def _named_by_line(text: str, links: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """Links with their labels; a line's one file link that says only 附件1/点击下载/doc is named
    by the rest of its line (``附件1：申报表【点击下载】`` names the file 申报表)."""
    generic = [i for i, (label, href) in enumerate(links) if is_file_url(href) and is_generic_name(label)]
    if len(generic) != 1:
        return tuple(links)
    label, href = links[generic[0]]
    rest = clean(_EMPTY_BRACKETS_RE.sub("", text.replace(label, "", 1) if label else text)).strip("：:、.． ")
    rest = _ENCLOSED_RE.sub(r"\1", rest)
    if is_generic_name(rest) or len(rest) > _MAX_NEIGHBOUR_NAME:
        return tuple(links)
    named = list(links)
    named[generic[0]] = (rest, href)
    return tuple(named)


def _ordinal(ol: etree._Element, li: etree._Element) -> int:
    """The number an ``<ol>`` shows for one of its items (``start`` and ``value`` honoured)."""
    value = (li.get("value") or "").strip()
    if value.isdigit():
        return int(value)
    start = (ol.get("start") or "1").strip()
    number = int(start) if start.isdigit() else 1
    for item in ol.iterchildren("li"):
        if item is li:
            break
        number += 1
    return number


def _owning_table(row: etree._Element) -> etree._Element | None:
    """The nearest table around a row (rows of nested tables belong to those)."""
    for ancestor in row.iterancestors("table"):
        return ancestor
    return None


LAYOUT_CELL_CHARS = 400
"""A cell holding this much text is a page region (old table layouts), not a data cell."""
PARAGRAPH_CELL_CHARS = 150
"""A cell this long with PARAGRAPH_CELL_BREAKS paragraphs or breaks holds prose: a layout cell."""
PARAGRAPH_CELL_BREAKS = 3


def _is_layout_table(table: etree._Element, rows: list[etree._Element]) -> bool:
    """True for tables used for page layout (old sites) rather than data: recurse into their cells."""
    if table.find(".//table") is not None:
        return True
    cells = [cell for row in rows for cell in row if isinstance(cell.tag, str) and cell.tag in ("td", "th")]
    if len(cells) <= 1:
        return True
    if _is_label_table(rows):
        return False
    for cell in cells:
        size = len(clean("".join(cell.itertext())))
        if size > LAYOUT_CELL_CHARS:
            return True
        breaks = len(cell.findall(".//p")) + len(cell.findall(".//br"))
        if size > PARAGRAPH_CELL_CHARS and breaks >= PARAGRAPH_CELL_BREAKS:
            return True
    return False


_SENTENCE_RE = re.compile(r"[，。；！？]")
_LABEL_MAX_CHARS = 20
_MIN_LABEL_ROWS = 3
_LABEL_SHARE = 0.8


def _is_label_table(rows: list[etree._Element]) -> bool:
    """True for a form of label/value rows (行政处罚决定书文号 | …, 主要违法违规事实 | …): data, however
    long its values, not layout."""
    pairs = [[c for c in row if isinstance(c.tag, str) and c.tag in ("td", "th")] for row in rows]
    pairs = [cells for cells in pairs if cells]
    if len(pairs) < _MIN_LABEL_ROWS or any(len(cells) != 2 for cells in pairs):
        return False
    labels = [clean("".join(cells[0].itertext())) for cells in pairs]
    short = [text for text in labels if 0 < len(text) <= _LABEL_MAX_CHARS and not _SENTENCE_RE.search(text)]
    return len(short) >= _LABEL_SHARE * len(pairs)


def _alignment(el: etree._Element) -> str:
    """``right``/``center`` from the align attribute or inline text-align style."""
    align = (el.get("align") or "").lower()
    if align in ("right", "center"):
        return align
    style = (el.get("style") or "").replace(" ", "").lower()
    if "text-align:right" in style:
        return "right"
    if "text-align:center" in style:
        return "center"
    return ""


@lru_cache(maxsize=4096)
def absolute_url(href: str | None, base_url: str) -> str | None:
    """Absolute http(s) URL of a link, or None for ``javascript:``, ``#`` and other schemes (cached:
    a site's pages repeat their menus' links)."""
    if not href:
        return None
    href = href.strip().replace("\\", "/")
    href = re.sub(r"[\r\n\t]", "", href)
    if not href or href.startswith("#"):
        return None
    lowered = href.lower()
    if lowered.startswith(("javascript:", "mailto:", "tel:", "data:", "vbscript:", "about:", "file:")):
        return None
    try:
        url = urljoin(base_url, href)
    except ValueError:
        return None
    if not url.lower().startswith(("http://", "https://")):
        return None
    return url.replace("/../", "/").replace("/./", "/")


def flatten(container: etree._Element, base_url: str, measures: TreeMeasures | None = None) -> list[Block]:
    """The container's content as blocks, in reading order, chrome dropped."""
    walker = _Flattener(base_url, measures or TreeMeasures())
    if container.tag == "table":
        walker.table(container, 0)
    else:
        walker.walk_children(container, 0)
    walker.flush()
    return walker.blocks
