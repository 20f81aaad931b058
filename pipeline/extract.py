"""Extraction of every field of one government notice page: a pure function of the page.

The pipeline, each step a small module: bytes are checked (empty, binary, challenge, too large) and
decoded (:mod:`pipeline.charset`); PDFs go through :mod:`pipeline.pdftext`; HTML is parsed once with
lxml, its metas and 公开目录 read (:mod:`pipeline.metadata`), its body container found and flattened
into blocks (:mod:`pipeline.content`), the blocks split along the shape of a 公文
(:mod:`pipeline.structure`), and the fields derived: 文号 (:mod:`pipeline.docnumber`), dates
(:mod:`pipeline.dates`), attachments, deadlines and the sanitized body HTML.

Input may be a whole page or a content fragment a crawler kept (no ``<html>``/``<body>``); what
the browser would hide is not read; a page whose HTML holds no text is read from its script data
(:mod:`pipeline.scriptdata`) or refused with the reason (iframe, image-only, JavaScript shell).
Domain word lists come from :mod:`pipeline.lexicon`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lxml import etree

from pipeline.attachments import collect_attachments, is_file_url, names_from_text, strip_extension
from pipeline.charset import decode_html
from pipeline.content import (
    Block,
    TreeMeasures,
    absolute_url,
    clean,
    drop_hidden,
    find_container,
    flatten,
    parse_html,
    prune_tree,
)
from pipeline.dates import date_from_url, parse_date, year_of
from pipeline.deadlines import find_deadlines
from pipeline.docnumber import find_doc_number, split_title_suffix
from pipeline.lexicon import (
    CHALLENGE_MARKERS,
    CHALLENGE_TITLES,
    TITLE_ENDINGS,
)
from pipeline.limits import MAX_PDF_BYTES
from pipeline.metadata import (
    TITLE_LINE_MAX,
    PageMetadata,
    choose_title,
    dom_title_candidates,
    html_title_parts,
    preceding_title_candidates,
    read_metadata,
)
from pipeline.pdftext import pdf_blocks
from pipeline.records import SIGNATURE, Attachment, ExtractedNotice
from pipeline.sanitize import blocks_to_html
from pipeline.scriptdata import script_article
from pipeline.structure import NoticeShape, analyse, compact

MAX_HTML_BYTES = 4 * 1024 * 1024
"""Larger HTML bodies are refused: no notice page is that big, junk and traps are."""

_CHALLENGE_TITLE_RE = re.compile("|".join(re.escape(word) for word in CHALLENGE_TITLES), re.I)
_HTML_TAG_RE = re.compile(rb"<\s*(?:!doctype|html|head|body|div|p|table|meta|title|span|a|br|script)\b", re.I)
_BINARY_MAGIC = {
    b"PK\x03\x04": "a ZIP/Office archive",
    b"\xd0\xcf\x11\xe0": "an OLE (doc/xls) file",
    b"\x89PNG": "a PNG image",
    b"GIF8": "a GIF image",
    b"\xff\xd8\xff": "a JPEG image",
    b"Rar!": "a RAR archive",
    b"\x1f\x8b": "gzip-compressed data",
    b"7z\xbc\xaf": "a 7z archive",
}
_AREA_DEPTH = 6
_HEADING_DEPTH = 3
"""An attachment heading heads the block around its links, not the whole page."""
_AREA_RE = re.compile(r"attach|fujian|enclosure|xgfj|appendix|download|file", re.I)
_SCRIPTS_RE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.I | re.S)
_TAGS_RE = re.compile(r"<[^>]*>")
_MIN_BODY_CHARS = 20
_FURNITURE_IMAGE_RE = re.compile(
    r"logo|icon|banner|ewm|qrcode|erweima|btn|button|share|arrow|wza|bg[._-]|\.(?:gif|svg|ico)(?:$|\?)", re.I
)
"""Image paths of page furniture: an empty page with only these is a shell, not an image-only notice."""
_MAX_LINK_SHARE = 0.6
_CONTROL_BYTES = bytes([*range(0x09), *range(0x0E, 0x20)])
_CLOSING_RE = re.compile(r"</\s*(?:html|body)\s*>", re.I)
_OPENING_RE = re.compile(r"<\s*(?:html|body)\b", re.I)
_LONG_TAG_RE = re.compile(rb"<[A-Za-z][^<>]{20000,}")
_MAX_ATTRIBUTES = 1000
"""libxml2 checks duplicate attributes pairwise: one tag with 100k attributes takes half a minute."""
_ERROR_TITLE_RE = re.compile(
    r"(?<![\d第])(?:404|403)(?![\d号])|not\s*found|forbidden|internal\s*server\s*error|bad\s*gateway|"
    r"service\s*unavailable|页面不存在|页面未找到|找不到(?:该|您要的|您所访问的)?页面|错误页面|出错了",
    re.I,
)
"""Titles of HTTP error pages. Not 无法访问 or 暂停服务: sites post short notices saying so."""
_ERROR_TEXT_RE = re.compile(
    r"(?:页面|网页)(?:不存在|未找到|找不到)"
    r"|您(?:所)?(?:要)?访问的(?:页面|网页|内容|信息|文章)[^，。！!]{0,8}(?:不存在|已(?:被|经)?删除)"
    r"|(?<!\d)404(?!\d)\s*(?:not\s*found|错误)|not\s*found",
    re.I,
)
"""Sentences of error pages; a notice withdrawing something (原公示内容已撤销，相关页面已删除) is not."""
_MAX_MESSAGE = 240
_ERROR_MAX_CHARS = 400
"""Error pages say little; a notice that merely mentions a deleted page says much more."""


class ExtractionError(ValueError):
    """The page cannot be read as a notice; the message says why in one line.

    Messages often quote a wrapped exception (pdfminer, lxml) whose text spans lines; they are
    folded to one bounded line here so that logs and ``kuaixun extract`` print one line per page.
    """

    def __init__(self, message: object = "") -> None:
        line = " ".join(str(message).split())
        super().__init__(line if len(line) <= _MAX_MESSAGE else line[: _MAX_MESSAGE - 1] + "…")


def extract_page(
    body: bytes,
    url: str,
    content_type: str | None = None,
    *,
    listing_title: str | None = None,
    listing_date: str | None = None,
) -> ExtractedNotice:
    """Every field of the notice a page holds (HTML or PDF).

    Raises :class:`ExtractionError` (and nothing else) for pages that are not a readable notice:
    empty, binary, too large, anti-bot challenges, truncated or unparseable.
    """
    try:
        return _extract(body, url, content_type, listing_title, listing_date)
    except ExtractionError:
        raise
    except RecursionError as exc:
        raise ExtractionError(f"page structure too deeply nested: {url}") from exc
    except Exception as exc:  # a heuristic bug must not take the crawl down: report it per page
        raise ExtractionError(f"extraction failed ({type(exc).__name__}: {exc}): {url}") from exc


def _extract(
    body: bytes, url: str, content_type: str | None, listing_title: str | None, listing_date: str | None
) -> ExtractedNotice:
    if not isinstance(body, bytes | bytearray | memoryview):
        raise ExtractionError(f"body is {type(body).__name__}, not bytes")
    body = bytes(body)
    if not body.strip():
        raise ExtractionError("empty body")
    if is_pdf(body):
        return _extract_pdf(body, url, listing_title, listing_date)
    _check_bytes(body, content_type)
    text, codec = decode_html(body, content_type)
    _check_text(text)
    if _OPENING_RE.search(text) and not _CLOSING_RE.search(text):
        # A content fragment (no <html>/<body> at all, as crawlers store them) is valid input.
        raise ExtractionError("truncated page: no closing </body> or </html>")
    try:
        root = parse_html(text)
    except (ValueError, etree.ParserError) as exc:
        raise ExtractionError(f"not parseable as HTML: {exc}") from exc
    try:
        dropped = prune_tree(root)
    except ValueError as exc:
        raise ExtractionError(str(exc)) from exc
    notice = _extract_html(root, url, codec, listing_title, listing_date)
    if dropped:
        notice.extra["pruned_rows"] = dropped
    return notice


def is_pdf(body: bytes) -> bool:
    """PDF bodies are recognised by their magic number, whatever the Content-Type says."""
    return body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n\x00").startswith(b"%PDF")


def _check_bytes(body: bytes, content_type: str | None) -> None:
    """Refuse bodies that cannot be an HTML notice before decoding them."""
    if len(body) > MAX_HTML_BYTES:
        raise ExtractionError(f"body too large ({len(body)} bytes)")
    for magic, what in _BINARY_MAGIC.items():
        if body.startswith(magic):
            raise ExtractionError(f"binary body: {what}, not HTML")
    head = body[:8192]
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if controls > max(8, len(head) // 100):
        raise ExtractionError("binary body (control bytes), not HTML")
    for tag in _LONG_TAG_RE.finditer(body):
        if tag.group().count(b"=") > _MAX_ATTRIBUTES:
            raise ExtractionError(f"malformed HTML: a tag with over {_MAX_ATTRIBUTES} attributes")
    if not _HTML_TAG_RE.search(body[:65536]):
        kind = (content_type or "").split(";")[0].strip() or "unknown type"
        raise ExtractionError(f"not HTML ({kind}): no HTML tags")


def _check_text(text: str) -> None:
    """Refuse anti-bot challenges (瑞数 $_ts, 加速乐 __jsl_clearance, C3VK, 访问异常 pages)."""
    if len(text) < 30_000 and any(marker in text for marker in CHALLENGE_MARKERS):
        raise ExtractionError("anti-bot challenge page, not the notice")
    head = text[:4096]
    m = re.search(r"<title[^>]*>(.*?)</title", head, re.I | re.S)
    if m and _CHALLENGE_TITLE_RE.search(m.group(1)):
        raise ExtractionError(f"blocked page: {clean(m.group(1))[:60]}")
    if len(text) < 8000 and ("访问异常" in text or ("document.cookie" in text and "location" in text)):
        visible = _TAGS_RE.sub("", _SCRIPTS_RE.sub("", text))
        if len(clean(visible)) < 200:
            raise ExtractionError("anti-bot challenge page, not the notice")


def _extract_html(
    root: etree._Element,
    url: str,
    codec: str,
    listing_title: str | None,
    listing_date: str | None,
) -> ExtractedNotice:
    metadata = read_metadata(root)
    drop_hidden(root)  # after the metadata: a hidden 公开目录 still states the CMS's fields
    base = absolute_url(metadata.base_url, url) if metadata.base_url else url
    base = base or url
    measures = TreeMeasures()
    container = find_container(root, measures)
    blocks = flatten(container, base, measures)
    article = script_article(root) if _too_little_text(blocks) else None
    if article is not None:  # a JS-built page: its text is in the script data
        container = parse_html(article.html)
        blocks = flatten(container, base, measures)
        listing_date = listing_date or article.date
    _check_error_page(metadata, blocks)
    _check_content(root, container, blocks, measures)
    dom_titles = dom_title_candidates(root, container)
    if article is not None and article.title:
        dom_titles.insert(0, clean(article.title))
    first_line = blocks[0].text if blocks and len(blocks[0].text) <= TITLE_LINE_MAX else None
    near = preceding_title_candidates(root, container)
    title = choose_title(metadata, dom_titles, first_line, listing_title, near)
    title = title or _fallback_title(listing_title, first_line)
    shape = analyse(blocks, title)
    if not shape.body and not shape.annex:
        raise ExtractionError("no notice body found")
    links = [link for block in blocks for link in block.links]
    links += _outside_file_links(root, container, base, measures)
    titles = _TitleSources(dom_titles, listing_title)
    return _notice(url, title, metadata, shape, links, titles, listing_date, codec)


def _check_error_page(metadata: PageMetadata, blocks: list[Block]) -> None:
    """Refuse HTTP error pages served as content (404 页面不存在, nginx ``404 Not Found``): little
    text, and an error title or an error sentence."""
    if sum(len(b.text) for b in blocks) > _ERROR_MAX_CHARS:
        return
    title = clean(metadata.html_title)
    if title and _ERROR_TITLE_RE.search(title):
        raise ExtractionError(f"error page, not a notice: {title[:60]}")
    for block in blocks:
        if _ERROR_TEXT_RE.search(block.text):
            raise ExtractionError(f"error page, not a notice: {block.text[:60]}")


def _check_content(
    root: etree._Element, container: etree._Element, blocks: list[Block], measures: TreeMeasures
) -> None:
    """Refuse pages whose text is not a notice: empty shells, iframe shells, listing pages."""
    if _too_little_text(blocks):
        raise ExtractionError(_why_no_text(root, container))
    total, _ = measures.text_and_link_length(container)
    # Links to pages (not files: a notice may be little more than its 附件 links) make a listing.
    linked = measures.page_link_length(container)
    if total and linked / total > _MAX_LINK_SHARE:
        raise ExtractionError(f"a list of links ({linked}/{total} chars linked), not a notice page")


def _too_little_text(blocks: list[Block]) -> bool:
    return sum(len(b.text) for b in blocks) < _MIN_BODY_CHARS


def _why_no_text(root: etree._Element, container: etree._Element) -> str:
    """Why a page shows no notice text: its body is in an iframe, is only images, or is built by
    scripts in the browser (a shell whose HTML holds no text and no script data we can read)."""
    frame = root.find(".//iframe[@src]")
    if frame is not None:
        return f"no notice text on the page; its body is in an iframe: {frame.get('src')}"
    images = [img for img in container.iter("img") if _is_content_image(img.get("src") or "")]
    if images:
        return f"image-only page: the notice is {len(images)} image(s), no text to read (needs OCR)"
    scripts = sum(1 for _ in root.iter("script"))
    if scripts:
        return f"no notice text in the HTML: a page built by JavaScript in the browser ({scripts} scripts)"
    return "no notice text on the page"


def _is_content_image(src: str) -> bool:
    """True for an image that can be a scanned page or picture (not a logo, an icon, a QR code)."""
    return bool(src) and not _FURNITURE_IMAGE_RE.search(src)


def _fallback_title(listing_title: str | None, first_line: str | None) -> str:
    """When nothing on the page reads as a title: the listing's (even cut), else the body's first line."""
    for candidate in (listing_title, first_line):
        if candidate and clean(candidate):
            return split_title_suffix(clean(candidate))[0]
    raise ExtractionError("no title found")


def _pdf_title(blocks: list[Block], listing_title: str | None) -> str:
    """A PDF's title: the listing title when whole, else the first line(s) up to a title ending."""
    if listing_title and clean(listing_title) and not re.search(r"(?:\.{2,}|…+)\s*$", listing_title):
        return split_title_suffix(clean(listing_title))[0]
    title = ""
    for block in blocks[:4]:
        candidate = title + block.text
        if title and (len(candidate) > TITLE_LINE_MAX or block.text.endswith(("：", ":"))):
            break
        title = candidate
        if title.endswith(TITLE_ENDINGS):
            break
    return title


def _extract_pdf(
    body: bytes, url: str, listing_title: str | None, listing_date: str | None
) -> ExtractedNotice:
    """A PDF notice: text layer → blocks → the same shape analysis as HTML."""
    if len(body) > MAX_PDF_BYTES:
        raise ExtractionError(f"PDF too large ({len(body)} bytes)")
    try:
        blocks = pdf_blocks(body)
    except Exception as exc:  # pdfminer raises many types on broken files
        raise ExtractionError(f"unreadable PDF ({type(exc).__name__}: {exc})") from exc
    title = _pdf_title(blocks, listing_title)
    if not title:
        raise ExtractionError("PDF without a title line")
    shape = analyse(blocks, title)
    metadata = PageMetadata()
    titles = _TitleSources([], listing_title)
    return _notice(url, title, metadata, shape, [], titles, listing_date, "pdf")


def _outside_file_links(
    root: etree._Element, container: etree._Element, base: str, measures: TreeMeasures
) -> list[tuple[str, str]]:
    """File links in attachment areas outside the body container (NDRC ``div.attachment`` …)."""
    inside = set(container.iter("a"))
    found: list[tuple[str, str]] = []
    for a in root.iter("a"):
        href = a.get("href")
        if not href or a in inside:
            continue
        url = absolute_url(href, base)
        if url and is_file_url(url) and _in_attachment_area(a, measures):  # the cheap checks first
            found.append((clean("".join(a.itertext())) or clean(a.get("title")), url))
    return found


def _in_attachment_area(a: etree._Element, measures: TreeMeasures) -> bool:
    """True when a link sits in an element named like an attachment list (attach, fujian, xgfj …)
    or headed by an attachment heading (相关附件：, ``<h2>附件：</h2>``), whatever its name."""
    for depth, ancestor in enumerate(a.iterancestors()):
        if depth > _AREA_DEPTH or ancestor.tag == "body":
            return False
        names = " ".join(filter(None, (ancestor.get("class"), ancestor.get("id"))))
        if names and _AREA_RE.search(names):
            return True
        if depth < _HEADING_DEPTH and measures.is_attachment_block(ancestor):
            return True
    return False


def _is_own_document(name: str, title: str) -> bool:
    """True for a file named like the notice (``标题（文号）.pdf``): the notice itself as a file,
    which a PDF-only page links as its body, not one of its attachments."""
    stripped, _ = split_title_suffix(clean(strip_extension(name)))
    return compact(stripped) == compact(title)


def _title_doc_number(
    title: str,
    metadata: PageMetadata,
    dom_titles: list[str],
    listing: str | None,
    own_files: list[str],
) -> str | None:
    """A 文号 written as the title's suffix in any title source (NDRC: ``标题(发改产业〔2019〕1762号)``),
    the name of the notice's own file included (``标题（湘监能市场〔2025〕59号）.pdf``)."""
    key = compact(title)
    sources = [
        *own_files,
        listing,
        metadata.meta("articletitle"),
        metadata.catalog.get("标题"),
        *dom_titles,
        *html_title_parts(metadata.html_title),
    ]
    for source in sources:
        if not source:
            continue
        stripped, number = split_title_suffix(clean(source))
        if number and compact(stripped) == key:
            return number
    return None


def _posted_date(metadata: PageMetadata, listing_date: str | None, url: str) -> str | None:
    """The posting date the site shows: the page header's 发布时间, the 公开目录 发布日期, the listing
    row; then the PubDate-style metas (which can disagree with the visible date), an unlabelled date
    in an element named for it, and the URL."""
    year = year_of(date_from_url(url))
    for value in (metadata.header_date, metadata.catalog.get("发布日期")):
        day = parse_date(value)
        if day:
            return day
    day = parse_date(listing_date, year)
    if day:
        return day
    meta = metadata.meta("pubdate", "firstpublishedtime", "publishdate", "publishtime", "dc.date")
    return parse_date(meta) or parse_date(metadata.dated_element) or date_from_url(url)


def _doc_number(metadata: PageMetadata, title_number: str | None, shape: NoticeShape) -> str | None:
    """This notice's 文号: 公开目录 field, else title suffix, else a 文号-alone line above the body."""
    field = metadata.catalog.get("发文字号")
    if field:
        number = find_doc_number(field)
        if number:
            return number
    return title_number or shape.header_doc_number


def _issuer(metadata: PageMetadata, shape: NoticeShape) -> tuple[str | None, str | None]:
    """(issuer, where it came from): signing bodies joined by 、 (``signature``), else 公开目录
    发文机关 (``catalog``). A 令 signed by a person (总理　李克强) is issued by the body its catalog
    or its letterhead names. The 来源 line and the ContentSource meta name the division that posted
    the page (产业处, 办公室), not who issued the notice: they are never the issuer."""
    catalog = clean(metadata.catalog.get("发文机关"))
    if shape.signed_in_person:
        if catalog:
            return catalog, "catalog"
        if shape.letterhead:
            return shape.letterhead, "letterhead"
    if shape.signers:
        return "、".join(shape.signers), SIGNATURE
    return (catalog, "catalog") if catalog else (None, None)


def _attachments(shape: NoticeShape, links: list[tuple[str, str]]) -> list[Attachment]:
    """Linked files and 附件 names from the body (and annex) text, deduplicated."""
    body = [b for b in shape.body if b.kind != "tr"]
    names = names_from_text([b.text for b in body], [b.kind == "li" for b in body])
    # A 附件 list printed right after the signature date still lists the notice's files.
    leading = _leading_list(shape.annex)
    names += names_from_text([b.text for b in leading], [b.kind == "li" for b in leading])
    return collect_attachments(links, names)


def _leading_list(annex: list[Block]) -> list[Block]:
    """The ``附件：…`` list lines at the very start of the annex (not annex headings or content)."""
    if not annex or not re.match(r"^附[\s\u3000]*件[\s\u3000]*[0-9０-９]*[\s\u3000]*[：:]", annex[0].text):
        return []
    out = [annex[0]]
    for block in annex[1:]:
        if block.kind == "li" or re.match(r"^[（(]?[0-9０-９]+[)）.．、]", block.text):
            out.append(block)
        else:
            break
    return out


@dataclass(frozen=True)
class _TitleSources:
    """Title texts besides the metas, kept to recover a 文号 suffix from any of them."""

    dom: list[str]
    listing: str | None


def _notice(
    url: str,
    title: str,
    metadata: PageMetadata,
    shape: NoticeShape,
    links: list[tuple[str, str]],
    titles: _TitleSources,
    listing_date: str | None,
    codec: str,
) -> ExtractedNotice:
    """Assemble the record from the page's metadata and its analysed shape."""
    own = [name for name, _ in links if _is_own_document(name, title)]
    links = [(name, href) for name, href in links if not _is_own_document(name, title)]
    title_number = _title_doc_number(
        title, metadata, titles.dom, titles.listing, [strip_extension(n) for n in own]
    )
    posted = _posted_date(metadata, listing_date, url)
    publish = shape.date or parse_date(metadata.catalog.get("成文日期")) or shape.header_date or posted
    body_text = "\n".join(b.text for b in shape.body)
    issuer, issuer_source = _issuer(metadata, shape)
    extra: dict[str, Any] = {
        "metas": metadata.metas,
        "catalog": metadata.catalog,
        "charset": codec,
        "issuer_source": issuer_source,
    }
    return ExtractedNotice(
        source_url=url,
        title=title,
        doc_number=_doc_number(metadata, title_number, shape),
        publish_date=publish,
        issuer=issuer,
        addressee=shape.addressee,
        body_text=body_text,
        body_html=blocks_to_html(shape.body),
        annex_text="\n".join(b.text for b in shape.annex),
        attachments=tuple(_attachments(shape, links)),
        deadlines=tuple(find_deadlines(body_text, publish)),
        posted_date=posted,
        extra=extra,
    )
