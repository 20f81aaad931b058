"""Listing readers: from a notice listing page, the notice links and the next page to read.

Government CMS families deliver listings three ways; each reader recognises its own
and the spider tries them in order (``READERS``):

- ``datastore`` — Hanweb jcms: records inside ``<script type="text/xml"><datastore>``,
  further pages from ``/module/web/jpage/dataproxy.jsp``.
- ``jpaas`` — a shell page whose list comes from the jpaas ``build/unit`` JSON endpoint (MIIT).
- ``anchors`` — plain HTML (TRS WCM, old table layouts): links with a title and a date
  nearby, pages from ``createPageHTML(total, current, "index", "html")`` or a 下一页 link.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from parsel import Selector

from crawlers.urls import normalize_url

DATE_TEXT = re.compile(r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}")
ARTICLE_URL = re.compile(
    r"(/t\d{8}_\d+\.s?html?$|/art_[\w-]+\.html$|/content\.html?$|/content_\d+\.html?$|/post_\d+\.html$"
    r"|/\d{4,}\.(?:s?html?|jhtml)$|/[0-9a-f]{32}\.s?html$|/index\.s?html$|\.(?:pdf|docx?|wps|ofd)$)",
    re.IGNORECASE,
)
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
    """Name of the reader that understands the reply (None: detect again)."""


@dataclass
class Listing:
    reader: str
    entries: list[Entry] = field(default_factory=list)
    next_page: PageRequest | None = None


Reader = Callable[[str, str, int], Listing | None]
"""(page URL, page text, page number starting at 1) → a Listing, or None if not this reader's format."""


def read_listing(url: str, text: str, page: int = 1, reader: str | None = None) -> Listing:
    """Read a listing page with the named reader, or the first reader that recognises it."""
    names = [reader] if reader else list(READERS)
    for name in names:
        listing = READERS[name](url, text, page)
        if listing is not None:
            listing.entries = _unique(listing.entries)
            return listing
    return Listing(reader="none")


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
        entries.extend(_anchor_entries(url, Selector(text=record), row_xpath="//body", innermost=False))
    return Listing(reader="datastore", entries=entries, next_page=_dataproxy_next(url, text, len(records)))


def _dataproxy_next(url: str, text: str, records: int) -> PageRequest | None:
    """The dataproxy call for the records after these: 45 at a time, until ``totalRecord``.

    The column page declares the parameters in its init script; a dataproxy reply does not, so
    they travel in the call's query string as well as its form, and are read back from there.
    """
    query = dict(parse_qsl(urlsplit(url).query))
    params = {**JCMS_DEFAULTS, **query, **dict(JCMS_PARAM.findall(text))}
    total = TOTAL_RECORD.search(text)
    start = int(query.get("startrecord", "1")) + records
    if not records or "columnid" not in params or (total and start > int(total.group(1) or total.group(2))):
        return None
    form = {key: params[key] for key in (*JCMS_DEFAULTS, "columnid")} | {"permissiontype": "0"}
    paging = {"startrecord": start, "endrecord": start + HANWEB_PER_CALL - 1, "perpage": HANWEB_PAGE}
    proxy = urljoin(url, "/module/web/jpage/dataproxy.jsp")
    return PageRequest(f"{proxy}?{urlencode({**paging, **form})}", "POST", form, "datastore")


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
    return Listing(reader="jpaas", next_page=_jpaas_request(url, shell.group(1), shell.group(2), text, 1))


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
    return PageRequest(urljoin(page_url, endpoint) + "?" + urlencode(query), reader="jpaas")


def _jpaas_reply(url: str, text: str) -> Listing | None:
    try:
        html = json.loads(text)["data"]["html"]
    except (ValueError, KeyError, TypeError):
        return None
    entries = _anchor_entries(url, Selector(text=html), row_xpath="//li")
    listing = Listing(reader="jpaas", entries=entries)
    pages = PAGINATION.search(html)
    if pages:
        count, current, rows = (int(g) for g in pages.groups())
        if current * rows < count:
            next_query = re.sub(r"(%22pageNo%22%3A)\d+", rf"\g<1>{current + 1}", url)
            listing.next_page = PageRequest(next_query, reader="jpaas")
    return listing


# --- plain HTML anchors ----------------------------------------------------------------------

CREATE_PAGE = re.compile(
    r"createPage(?:HTML)?\(\s*['\"]?(\w+)['\"]?\s*,\s*['\"]?(\w+)['\"]?\s*,\s*['\"](\w+)['\"]\s*,\s*['\"](\w+)['\"]"
)
NEXT_LINK_TEXT = ("下一页", "下页", "后一页")


def read_anchors(url: str, text: str, page: int) -> Listing:
    """Any HTML listing: rows holding a link with a title-like text and, usually, a date."""
    selector = Selector(text=text)
    entries = _anchor_entries(url, selector, row_xpath="//li | //tr | //dd | //div[contains(@class,'item')]")
    return Listing(reader="anchors", entries=entries, next_page=_html_next(url, text, selector))


def _html_next(url: str, text: str, selector: Selector) -> PageRequest | None:
    for call in CREATE_PAGE.finditer(text):
        total, current = _js_number(text, call.group(1)), _js_number(text, call.group(2))
        if total is None or current is None:
            continue  # the function's own definition, not a call
        if current + 1 < total:
            return PageRequest(urljoin(url, f"{call.group(3)}_{current + 1}.{call.group(4)}"))
        return None
    for anchor in selector.xpath("//a[@href]"):
        label = "".join(anchor.xpath(".//text()").getall()).strip()
        href = anchor.xpath("@href").get("").strip()  # not .attrib: a garbled attribute name raises
        if label in NEXT_LINK_TEXT and _followable(href):
            return PageRequest(urljoin(url, href))
    return None


def _js_number(text: str, token: str) -> int | None:
    """A number, or the value a script assigns to the variable of that name (``var countPage = 5``)."""
    if token.isdigit():
        return int(token)
    assigned = re.search(rf"\b{re.escape(token)}\s*=\s*['\"]?(\d+)", text)
    return int(assigned.group(1)) if assigned else None


def _anchor_entries(url: str, selector: Selector, row_xpath: str, innermost: bool = True) -> list[Entry]:
    """Entries from rows; a row yields its first link that looks like a notice title."""
    entries: list[Entry] = []
    for row in selector.xpath(row_xpath):
        if innermost and row.xpath(".//li | .//tr"):
            continue  # only innermost rows, so navigation menus of lists don't count twice
        entry = _row_entry(url, row)
        if entry is not None:
            entries.append(entry)
    return entries


def _row_entry(url: str, row: Selector) -> Entry | None:
    row_text = " ".join(t.strip() for t in row.xpath(".//text()").getall())
    date = DATE_TEXT.search(row_text)
    for anchor in row.xpath(".//a[@href]"):
        href = anchor.xpath("@href").get("").strip()  # not .attrib: a garbled attribute name raises
        title = (anchor.xpath("@title").get() or " ".join(anchor.xpath(".//text()").getall())).strip()
        if not _followable(href) or _cjk_count(title) < MIN_TITLE_CHARS:
            continue
        absolute = normalize_url(urljoin(url, href))
        if date is None and not ARTICLE_URL.search(urlsplit(absolute).path):
            continue
        return Entry(absolute, re.sub(r"\s+", " ", title), date.group(0) if date else None)
    return None


def _followable(href: str) -> bool:
    return bool(href) and not href.startswith(("#", "javascript:", "mailto:", "tel:"))


def _cjk_count(text: str) -> int:
    return sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")


def _unique(entries: Iterable[Entry]) -> list[Entry]:
    seen: set[str] = set()
    kept = []
    for entry in entries:
        if entry.url not in seen:
            seen.add(entry.url)
            kept.append(entry)
    return kept


READERS: dict[str, Reader] = {"datastore": read_datastore, "jpaas": read_jpaas, "anchors": read_anchors}
