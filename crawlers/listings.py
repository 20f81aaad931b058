"""Listing readers: from a notice listing page, the notice links and the next page to read.

Government CMS families deliver listings in a few ways; each format has its reader:

- ``datastore`` — Hanweb jcms: records inside ``<script type="text/xml"><datastore>``,
  further pages from ``/module/web/jpage/dataproxy.jsp``.
- ``jpaas`` — a shell page whose list comes from the jpaas ``build/unit`` JSON endpoint (MIIT).
- ``label`` — the Anhui government platform's ``/site/label/8888?…&isJson=true`` JSON list.
- ``gkmlpt`` — Guangdong's 公开目录 platform, ``/gkmlpt/api/all/<cat>?page=N`` JSON.
- ``rows`` — any other HTML (TRS WCM, provincial platforms, table layouts, card lists): the
  page's main list, found by the repetition of rows that each hold a title link and a date,
  not by any site's class names; the next page from the pager, HTML or script
  (``crawlers.pagers``). A page whose list is empty in the HTML and filled by a script from an
  API is reported as ``js_built`` rather than read as its menus.

A source names its CMS family in config.yaml (``family: trs``); ``FAMILIES`` maps that name to
the family's reader and container hints, as urlwatch maps a job's kind to its class. A source
without a family is sniffed: the families of ``SNIFF_ORDER`` are tried in turn.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urljoin, urlsplit, urlunsplit

from lxml import html as lxml_html

from crawlers.family_names import ANHUI_LABEL, GKMLPT, HANWEB, JPAAS, ROWS, TRS
from crawlers.pagers import next_page_url
from crawlers.urls import normalize_url
from pipeline.lexicon import FILE_EXTENSIONS

DATE_TEXT = re.compile(r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}")
YEARLESS_DATE = re.compile(r"^[\[(（]?\s*(?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])\s*[\])）]?$")
"""A date cell without a year (``09-15``, ``[09-15]``): a whole text of its own, not part of a title."""
ARTICLE_URL = re.compile(
    r"(/t\d{8}_\d+\.s?html?$|/art_[\w-]+\.html$|/content\.html?$|/content_\d+\.html?$|/post_\d+\.html$"
    r"|/\d{4,}\.(?:s?html?|jhtml)$|/[0-9a-f]{32}\.s?html$|/index\.s?html$|\.(?:"
    + "|".join(FILE_EXTENSIONS)
    + ")$)",
    re.IGNORECASE,
)
"""Paths of a notice page or file: an undated row counts as an entry only when it links to one."""
MIN_TITLE_CHARS = 6
HANWEB_PER_CALL = 45
HANWEB_PAGE = 15


@dataclass(frozen=True)
class Entry:
    """One row of a listing: a link to a notice, with the listing's title and date text."""

    url: str
    title: str
    date_text: str | None = None


@dataclass(frozen=True)
class PageRequest:
    """How to fetch the next listing page (some are POSTs or JSON calls)."""

    url: str
    method: str = "GET"
    form: dict[str, str] | None = None
    reader: str | None = None
    """Name of the family (``FAMILIES``) that understands the reply (None: sniff again)."""


@dataclass
class Listing:
    reader: str
    """The format read (``datastore``, ``jpaas``, ``label``, ``gkmlpt``, ``rows``, ``js_built``, ``none``)."""
    entries: list[Entry] = field(default_factory=list)
    next_page: PageRequest | None = None
    shell: bool = False
    """The page only points at where its list comes from (a jpaas column page)."""
    family: str | None = None
    """The family (``FAMILIES``) that read the page."""

    @property
    def is_shell(self) -> bool:
        """A page whose list is one further request away (jpaas): the crawl reads that reply instead."""
        return self.shell and not self.entries and self.next_page is not None

    @property
    def unread(self) -> bool:
        """No family recognised the page."""
        return self.reader == "none"

    def explain(self) -> str:
        """Why a listing shows no entries, in the operator's words."""
        if self.reader == "js_built":
            return "the list is built in the browser by JavaScript from an API; the page holds no entries"
        if self.next_page is not None:
            return f"the entries come from a further request: {self.next_page.url}"
        return "no notice links found: the page may not be a listing, or its layout is unknown"


Reader = Callable[[str, str, int], Listing | None]
"""(page URL, page text, page number starting at 1) → a Listing, or None if not this reader's format."""


def read_listing(url: str, text: str, page: int = 1, family: str | None = None) -> Listing:
    """Read a listing page with the named family's reader, or sniff: the first family of
    ``FAMILIES`` whose sniffer recognises it. A named family that does not recognise the page gives
    ``none`` (the site changed its platform), never another family's guess."""
    chosen = [(family, FAMILIES[family].read)] if family else _sniffers()
    for name, read in chosen:
        listing = read(url, text, page)
        if listing is not None:
            listing.entries = _unique(listing.entries)
            listing.family = family or _sniffed_family(name, text)
            return listing
    return Listing(reader="none", family=family)


# --- Hanweb jcms datastore -------------------------------------------------------------------

DATASTORE = re.compile(r"<datastore>.*?</datastore>", re.DOTALL)
RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.DOTALL)
TOTAL_RECORD = re.compile(r"totalRecord\s*[:=]\s*['\"]?(\d+)|<totalrecord>\s*(\d+)", re.IGNORECASE)
JCMS_PARAM = re.compile(
    r"\b(columnid|unitid|webid|webname|path|appid|col|sourceContentType)\b\s*[:=]\s*['\"]?([^'\",;&}\s]+)"
)
JCMS_DEFAULTS = {
    "col": "1",
    "appid": "1",
    "webid": "1",
    "path": "/",
    "sourceContentType": "1",
    "unitid": "",
    "webname": "",
}


def read_datastore(url: str, text: str, page: int) -> Listing | None:
    """Hanweb jcms: the records of the embedded (or dataproxy-returned) datastore."""
    store = DATASTORE.search(text)
    if store is None:
        return None
    records = RECORD.findall(store.group(0))
    entries: list[Entry] = []
    for record in records:
        # One record is one row, whatever markup it wraps its link in.
        row = _parse(record)
        links = _title_links(row)
        if links:
            entries.append(_row_entry(url, _Row(row, links)))
    return Listing(reader="datastore", entries=entries, next_page=_dataproxy_next(url, text, len(records)))


def _dataproxy_next(url: str, text: str, records: int) -> PageRequest | None:
    """The dataproxy call for the records after these: 45 at a time, until ``totalRecord``.

    The column page declares the parameters in its init script; a dataproxy reply does not, so
    they travel in the call's query string as well as its form, and are read back from there.
    """
    query = dict(parse_qsl(urlsplit(url).query))
    # Values written in the page's own URLs are percent-encoded already.
    declared = {key: unquote(value) for key, value in JCMS_PARAM.findall(text)}
    params = {**JCMS_DEFAULTS, **query, **declared}
    total = TOTAL_RECORD.search(text)
    start = int(query.get("startrecord", "1")) + records
    if not records or "columnid" not in params or (total and start > int(total.group(1) or total.group(2))):
        return None
    form = {key: params[key] for key in (*JCMS_DEFAULTS, "columnid")} | {"permissiontype": "0"}
    paging = {"startrecord": start, "endrecord": start + HANWEB_PER_CALL - 1, "perpage": HANWEB_PAGE}
    proxy = urljoin(url, "/module/web/jpage/dataproxy.jsp")
    return PageRequest(f"{proxy}?{urlencode({**paging, **form})}", "POST", form, HANWEB)


# --- jpaas build/unit JSON -------------------------------------------------------------------

JPAAS_SCRIPT = re.compile(
    r"<script[^>]*\burl=\"(/api-gateway/[^\"]+/build/unit)\"[^>]*\bquerydata=\"([^\"]+)\"", re.I
)
JPAAS_PARSE_TYPE = re.compile(r"parseType=\"(\w+)\"", re.I)
PAGINATION = re.compile(
    r"class=\"pagination\"[^>]*\bcount=\"?(\d+)[^>]*\bpageNo=\"?(\d+)[^>]*\brows=\"?(\d+)", re.I
)


def read_jpaas(url: str, text: str, page: int) -> Listing | None:
    """MIIT-style jpaas: a shell page points at the JSON endpoint; the JSON carries the list HTML."""
    if text.lstrip().startswith("{"):
        return _jpaas_reply(url, text)
    shell = JPAAS_SCRIPT.search(text)
    if shell is None:
        return None
    request = _jpaas_request(url, shell.group(1), shell.group(2), text, 1)
    return Listing(reader="jpaas", next_page=request, shell=True)


def _jpaas_request(page_url: str, endpoint: str, querydata: str, text: str, page: int) -> PageRequest:
    # The real pages quote the JSON with single quotes.
    params: dict[str, str] = json.loads(querydata.replace("'", '"'))
    parse_type = JPAAS_PARSE_TYPE.search(text)
    query = {
        "parseType": parse_type.group(1) if parse_type else "bulidstatic",
        "pageType": "column",
        **{k: str(v) for k, v in params.items()},
        "paramJson": json.dumps({"pageNo": page, "pageSize": "24"}, separators=(",", ":")),
    }
    return PageRequest(urljoin(page_url, endpoint) + "?" + urlencode(query), reader=JPAAS)


def _jpaas_reply(url: str, text: str) -> Listing | None:
    try:
        html = json.loads(text)["data"]["html"]
    except (ValueError, KeyError, TypeError):
        return None
    entries = _list_entries(url, _parse(html))
    listing = Listing(reader="jpaas", entries=entries)
    pages = PAGINATION.search(html)
    if pages:
        count, current, rows = (int(g) for g in pages.groups())
        if current * rows < count:
            next_query = re.sub(r"(%22pageNo%22%3A)\d+", rf"\g<1>{current + 1}", url)
            listing.next_page = PageRequest(next_query, reader=JPAAS)
    return listing


# --- HTML rows --------------------------------------------------------------------------------

ROW_SKIP_TAGS = {"script", "style", "noscript", "template", "select", "option", "textarea"}
MAX_ROW_LINKS = 3
"""A row holds one title link, maybe a 解读 or attachment link beside it; more is a block of links."""
MAX_ROW_DATES = 2
"""A row shows its publish date, sometimes a deadline too; more dates mean several rows."""
DATED_SHARE = 0.5
"""When at least this share of a list's rows carry a date, an undated row is pinned chrome (a
topic banner, a 更多 link), not an entry."""
MAX_BLOCK_LEVELS = 3
"""Blocks of one list (pages of a client-side pager, groups of five) share an ancestor this close."""
MIN_LIST_SCORE = 1.0
"""A list needs one dated row or two article-like ones; less is page chrome, not a notice list."""
FULL_TITLE_CHARS = 10
"""Titles this long count fully; shorter link texts (menu items) count in proportion."""
UNDATED_ARTICLE_WEIGHT = 0.5
"""An undated row linking to an article-shaped URL (t-date, art_, a file) may be an entry of an
undated list (Yunnan shows 文号 instead of dates)."""
UNDATED_OTHER_WEIGHT = 0.1
"""An undated row linking to a folder is most likely a menu item."""
HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
DATED_URL = re.compile(r"/(?:19|20)\d{2}(?:[/_-]?\d{1,2})+/|[/_]t(?:19|20)\d{6}_")
SCRIPT_BUILT = re.compile(
    r"\$\.(?:ajax|get|post|getJSON)\s*\(|\bfetch\s*\(|XMLHttpRequest|\baxios\b|\bv-for=|\bms-for|"
    r"\{\{\s*[\w.]+\s*\}\}|type=[\"']text/(?:html|template|x-template)[\"']",
    re.I,
)
"""Signs that a page builds its list in the browser from an API (jQuery/fetch/Vue/avalon templates)."""


@dataclass
class _Row:
    """A candidate row: a repeated element and the title links inside it (the first is the entry's)."""

    element: lxml_html.HtmlElement
    links: list[lxml_html.HtmlElement] = field(default_factory=list)

    @property
    def entry_link(self) -> lxml_html.HtmlElement:
        return self.links[0]


def read_rows(url: str, text: str, page: int, containers: Sequence[str] = ()) -> Listing:
    """Any HTML listing: the page's main list of repeated rows, each a title link and its date.

    ``containers`` (XPath) are where a family's templates put the list: the first that holds
    entries is read alone, so a busier block elsewhere on the page cannot win; else the whole page.
    """
    root = _parse(text)
    base = _base_url(url, root)
    entries = _hinted_entries(base, root, containers) or _list_entries(base, root)
    next_url = next_page_url(base, root)
    reader = "rows"
    if not entries and SCRIPT_BUILT.search(text):
        reader, next_url = "js_built", None
    return Listing(reader=reader, entries=entries, next_page=PageRequest(next_url) if next_url else None)


def _hinted_entries(base: str, root: lxml_html.HtmlElement, containers: Sequence[str]) -> list[Entry]:
    for xpath in containers:
        for container in root.xpath(xpath):
            entries = _list_entries(base, container)
            if entries:
                return entries
    return []


def _list_entries(base: str, root: lxml_html.HtmlElement) -> list[Entry]:
    return _drop_pinned([_row_entry(base, row) for row in _main_list(_title_links(root))])


def _parse(text: str) -> lxml_html.HtmlElement:
    # Drop an XML declaration, which lxml refuses in a str.
    return lxml_html.document_fromstring(re.sub(r"^\s*<\?xml[^>]*>", "", text) or "<html/>")


def _base_url(url: str, root: lxml_html.HtmlElement) -> str:
    base = root.find(".//base[@href]")
    return urljoin(url, base.get("href").strip()) if base is not None else url


def _title_links(root: lxml_html.HtmlElement) -> list[lxml_html.HtmlElement]:
    """Links that could be a notice: followable, with a title of some length, outside scripts."""
    links = []
    for anchor in root.iter("a"):
        if any(a.tag in ROW_SKIP_TAGS for a in anchor.iterancestors()):
            continue
        if (
            _followable((anchor.get("href") or "").strip())
            and _cjk_count(_link_title(anchor)) >= MIN_TITLE_CHARS
        ):
            links.append(anchor)
    return links


def _main_list(links: list[lxml_html.HtmlElement]) -> list[_Row]:
    """The rows of the best-scoring list, with sibling blocks of the same list after it.

    Every ancestor level of every title link is a possible list: the parent's children of one
    tag are its rows. The right level is the one whose rows each hold one entry and its date.
    """
    lists: dict[tuple[lxml_html.HtmlElement, str], dict[lxml_html.HtmlElement, _Row]] = {}
    for link in links:
        node = link
        while (parent := node.getparent()) is not None and node.tag not in ("body", "html"):
            rows = lists.setdefault((parent, node.tag), {})
            rows.setdefault(node, _Row(node)).links.append(link)
            node = parent
    if not lists:
        return []
    scored = {key: _list_score(list(rows.values())) for key, rows in lists.items()}
    best = max(scored, key=lambda key: scored[key])
    if scored[best] < MIN_LIST_SCORE:
        return []
    container, tag = best
    kept: list[_Row] = []
    for (other, other_tag), rows in lists.items():
        if other_tag == tag and _same_block(container, other) and scored[(other, other_tag)] > 0:
            kept.extend(rows.values())
            kept.extend(_short_title_rows(other, tag, rows))
    order = {element: i for i, element in enumerate(container.getroottree().getroot().iter())}
    return sorted(kept, key=lambda row: order[row.element])


def _short_title_rows(
    container: lxml_html.HtmlElement, tag: str, rows: dict[lxml_html.HtmlElement, _Row]
) -> list[_Row]:
    """Dated rows of the chosen list whose title is too short to have been a candidate (公告)."""
    found = []
    for child in container:
        if child.tag != tag or child in rows:
            continue
        links = [a for a in child.iter("a") if _followable((a.get("href") or "").strip())]
        if links and _cjk_count(_link_title(links[0])) and _row_dates(_Row(child, links)):
            found.append(_Row(child, links[:1]))
    return found


def _same_block(container: lxml_html.HtmlElement, other: lxml_html.HtmlElement) -> bool:
    """The container itself, or another block of the same list: a list cut into several ``<ul>``,
    each maybe in wrappers of its own, built alike up to a shared ancestor a few levels up."""
    mine, theirs = container, other
    for _ in range(MAX_BLOCK_LEVELS):
        if mine is theirs:
            return True
        if mine.tag != theirs.tag or mine.get("class") != theirs.get("class"):
            return False
        mine, theirs = mine.getparent(), theirs.getparent()
        if mine is None or theirs is None:
            return False
    return mine is theirs


def _list_score(rows: list[_Row]) -> float:
    return sum(_row_score(row) for row in rows)


def _row_score(row: _Row) -> float:
    if len(row.links) > MAX_ROW_LINKS:
        return 0.0
    dates = len(_row_dates(row))
    if dates > MAX_ROW_DATES:
        return 0.0
    href = row.entry_link.get("href", "")
    weight = 1.0 if dates else UNDATED_ARTICLE_WEIGHT if _article_like(href) else UNDATED_OTHER_WEIGHT
    return weight * min(1.0, _cjk_count(_link_title(row.entry_link)) / FULL_TITLE_CHARS)


def _article_like(href: str) -> bool:
    path = urlsplit(href.strip()).path
    return bool(ARTICLE_URL.search(path) or DATED_URL.search(path))


def _row_entry(base: str, row: _Row) -> Entry:
    link = row.entry_link
    dates = _row_dates(row)
    absolute = normalize_url(urljoin(base, link.get("href", "").strip()))
    return Entry(absolute, _link_title(link), dates[0] if dates else None)


def _drop_pinned(entries: list[Entry]) -> list[Entry]:
    dated = sum(1 for e in entries if e.date_text)
    if entries and dated / len(entries) >= DATED_SHARE:
        return [e for e in entries if e.date_text]
    return entries


def _link_title(anchor: lxml_html.HtmlElement) -> str:
    """The entry's title: the link's heading (a whole-entry link), its title attribute when the
    text is cut short, else its text."""
    title_element = _title_element(anchor)
    text = _squash(" ".join(_texts(title_element, skip=None)))
    attribute = _squash(anchor.get("title") or "")
    if attribute and _cjk_count(attribute) >= _cjk_count(text):
        return attribute
    return text


def _title_element(anchor: lxml_html.HtmlElement) -> lxml_html.HtmlElement:
    """Inside a link wrapping a whole entry (title, summary, date), the element holding the title:
    its heading, or else, when a child of the link is the date, its first child long enough to be
    a title. Otherwise the link itself."""
    heading = next(anchor.iter(*HEADING_TAGS), None)
    if heading is not None:
        return heading
    children = [c for c in anchor if isinstance(c.tag, str) and c.tag not in ROW_SKIP_TAGS]
    if _squash(anchor.text or "") or not any(_is_date_part(c) for c in children):
        return anchor
    titled = (c for c in children if _cjk_count(c.text_content()) >= MIN_TITLE_CHARS and not _is_date_part(c))
    return next(titled, anchor)


def _is_date_part(element: lxml_html.HtmlElement) -> bool:
    """An element showing a date and little else (``发布时间：2024-01-05``)."""
    text = element.text_content()
    return bool(DATE_TEXT.search(text)) and _cjk_count(text) < MIN_TITLE_CHARS


def _row_dates(row: _Row) -> list[str]:
    """The dates the row shows outside its title (a title may itself hold a date)."""
    texts = list(_texts(row.element, skip=_title_element(row.entry_link)))
    dates = DATE_TEXT.findall(" ".join(texts))
    return dates or [t.strip() for t in texts if YEARLESS_DATE.match(t.strip())]


def _texts(node: lxml_html.HtmlElement, skip: lxml_html.HtmlElement | None) -> Iterator[str]:
    """Text of an element, leaving out ``skip``'s subtree, scripts and comments."""
    if node is skip or not isinstance(node.tag, str) or node.tag in ROW_SKIP_TAGS:
        return
    if node.text:
        yield node.text
    for child in node:
        yield from _texts(child, skip)
        if child.tail:
            yield child.tail


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _followable(href: str) -> bool:
    return bool(href) and not href.startswith(("#", "javascript:", "mailto:", "tel:"))


_CJK_RE = re.compile("[\u4e00-\u9fff]")


def _cjk_count(text: str) -> int:
    return len(_CJK_RE.findall(text))  # in C: a listing asks this ~30 times per row


def _unique(entries: Iterable[Entry]) -> list[Entry]:
    seen: set[str] = set()
    kept = []
    for entry in entries:
        if entry.url not in seen:
            seen.add(entry.url)
            kept.append(entry)
    return kept


# --- Anhui /site/label/ JSON ------------------------------------------------------------------

LABEL_PATH = re.compile(r"/site/label/\d+$")
LABEL_PAGE_SIZE = 15
"""Rows asked for when the configured URL gives no ``pageSize`` (the platform's lists show 15-20)."""
LABEL_ROW_KEYS = (("link", "url"), ("title",), ("createDate", "pubDate", "publishDate", "date"))
"""Keys of one row's (URL, title, date), as the platform's label variants name them."""


def read_label(url: str, text: str, page: int) -> Listing | None:
    """Anhui's government platform: ``/site/label/8888?labelName=…&isJson=true&isForPage=true``
    answers ``{"data": {"data": [{"title", "link", "createDate"}…], "total": N}}`` (some labels
    say ``datas``/``url``/``pubDate``); pages are ``pageIndex``=1, 2 … of ``pageSize`` rows."""
    parts = urlsplit(url)
    if not LABEL_PATH.search(parts.path) or not text.lstrip().startswith("{"):
        return None
    try:
        data = json.loads(text)["data"]
        rows = data.get("data", data.get("datas"))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    if not isinstance(rows, list):
        return None
    entries = [entry for row in rows if isinstance(row, dict) and (entry := _label_entry(url, row))]
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    index, size = _number(query.get("pageIndex"), 1), _number(query.get("pageSize"), LABEL_PAGE_SIZE)
    total = data.get("total")
    more = index * size < total if isinstance(total, int) else len(rows) >= size
    next_page = None
    if rows and more:
        next_query = urlencode({**query, "pageIndex": index + 1, "pageSize": size})
        next_page = PageRequest(urlunsplit(parts._replace(query=next_query)), reader=ANHUI_LABEL)
    return Listing(reader="label", entries=entries, next_page=next_page)


def _number(text: str | None, default: int) -> int:
    """A positive page number or size from a query string; ``default`` for anything else."""
    return int(text) if text and text.isdigit() and int(text) > 0 else default


def _label_entry(url: str, row: dict[str, Any]) -> Entry | None:
    link, title, day = (next((str(row[k]) for k in keys if row.get(k)), "") for keys in LABEL_ROW_KEYS)
    if not link or not _followable(link) or not title:
        return None
    return Entry(normalize_url(urljoin(url, link)), _squash(title), day or None)


# --- Guangdong gkmlpt JSON --------------------------------------------------------------------

GKMLPT_API = re.compile(r"/gkmlpt/api/all/\d+$")


def read_gkmlpt(url: str, text: str, page: int) -> Listing | None:
    """Guangdong's 公开目录 API ``/gkmlpt/api/all/<cat>?page=N&sid=…``: ``{"articles": [{"title",
    "url", "date"}…], "classify": {"post_count": N}}``; pages from 1 while the count goes on."""
    parts = urlsplit(url)
    if not GKMLPT_API.search(parts.path) or not text.lstrip().startswith("{"):
        return None
    try:
        data = json.loads(text)
        articles = data["articles"]
        count = int((data.get("classify") or {}).get("post_count") or 0)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    if not isinstance(articles, list):
        return None
    entries = [entry for row in articles if isinstance(row, dict) and (entry := _label_entry(url, row))]
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    number = _number(query.get("page"), 1)
    next_page = None
    if articles and number * len(articles) < count:
        next_query = urlencode({**query, "page": number + 1})
        next_page = PageRequest(urlunsplit(parts._replace(query=next_query)), reader=GKMLPT)
    return Listing(reader="gkmlpt", entries=entries, next_page=next_page)


# --- the family registry ----------------------------------------------------------------------


@dataclass(frozen=True)
class ListingFamily:
    """A CMS family's listing: how its pages are read and paged, where its templates put the list."""

    name: str
    """The YAML name (``family: trs``)."""
    read: Reader
    """Reads one page of the family's listing, or None when the page is not in its format."""
    sniff: Reader | None = None
    """The strict reader tried on a source without ``family:`` (None: found by another's sniff)."""


TRS_CONTAINERS = (
    "//ul[contains(concat(' ', normalize-space(@class), ' '), ' u-list ')]",
    "//ul[contains(concat(' ', normalize-space(@class), ' '), ' info_list2 ')]",
    "//ul[contains(concat(' ', normalize-space(@class), ' '), ' list-main ')]",
    "//ul[contains(concat(' ', normalize-space(@class), ' '), ' cm-news-list ')]",
    "//div[contains(concat(' ', normalize-space(@class), ' '), ' rightcontent ')]",
)
"""Where TRS templates put the list (gov-sites.md §1A: NDRC ``ul.u-list``, MOST ``ul.info_list2``,
Shenzhen ``ul.list-main``, Shaanxi ``ul.cm-news-list``, Shanxi ``div.rightcontent``)."""


def _read_trs(url: str, text: str, page: int) -> Listing:
    return read_rows(url, text, page, TRS_CONTAINERS)


def _read_gkmlpt(url: str, text: str, page: int) -> Listing:
    """The JSON API, or the ``/gkmlpt/index`` directory page read as rows."""
    return read_gkmlpt(url, text, page) or read_rows(url, text, page)


FAMILIES: dict[str, ListingFamily] = {
    family.name: family
    for family in (
        ListingFamily(HANWEB, read_datastore, read_datastore),  # jcms: /col/colN/ datastore, dataproxy.jsp
        ListingFamily(JPAAS, read_jpaas, read_jpaas),  # a shell page and its build/unit JSON (MIIT)
        ListingFamily(ANHUI_LABEL, read_label, read_label),  # /site/label/8888?…&isJson=true JSON
        ListingFamily(GKMLPT, _read_gkmlpt, read_gkmlpt),  # /gkmlpt/api/all/<cat>?page=N JSON
        ListingFamily(TRS, _read_trs),  # static index.html, index_1.html … (NDRC, MEE, MOST)
        ListingFamily(ROWS, read_rows, read_rows),  # any other HTML list of dated title links
    )
}
"""The families a source may name, in sniffing order: those with a signature first, rows last."""
TRS_SIGNS = re.compile(r"\bcreatePageHTML\s*\(|/t(?:19|20)\d{6}_\d+\.s?html?\b")
"""A TRS template: its pager function, or t-date article links."""


def _sniffers() -> list[tuple[str, Reader]]:
    return [(f.name, f.sniff) for f in FAMILIES.values() if f.sniff is not None]


def _sniffed_family(name: str, text: str) -> str:
    """The family a sniffed page belongs to: rows written by a TRS template are ``trs``."""
    return TRS if name == ROWS and TRS_SIGNS.search(text) else name
