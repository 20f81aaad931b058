"""The next page of a listing, from whatever pager the CMS template wrote.

Pagers come in four shapes, tried in this order:

- an HTML link labelled 下一页 (or marked ``next``);
- a call of the TRS-family pager function, ``createPageHTML(countPage, currentPage, "index",
  "html")``, the platforms' ``createPageHTML('page-div', 34, 1, 'common_list', 'shtml', 500)``
  or Chongqing's ``createPage(total, i, "index", "html")``; the numbers may be literals or
  variables assigned anywhere in the page, before or after the call;
- page-count and current-page variables without such a call (the template concatenates the
  next file name inline);
- pager HTML hidden in a script: ``document.write`` strings, base64 (``atob``), percent- or
  backslash-escaped strings.

Paged file names follow the CMS rule ``name.ext``, ``name_1.ext``, ``name_2.ext`` …, where the
number after ``_`` is the pager's current index plus one for both 0-based (TRS) and 1-based
(platform) counting.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from urllib.parse import unquote, urljoin, urlsplit

from lxml import html as lxml_html

NEXT_LABELS = ("下一页", "下页", "后一页", "下一頁", "next", "nextpage")
"""Link texts of a next-page link, compared without spaces and arrows (``下一页>``), case-folded."""
NEXT_ARROWS = (">", "›")
"""A link that is only a single arrow is the next page (``>>``/``»`` is the last page on some sites)."""
LABEL_DECORATION = re.compile(r"[\s<>›»«‹\[\]【】]")
NEXT_MARK = re.compile(r"next|下一页", re.I)
"""A class, id, rel or title that marks a next-page link whose text is an icon."""
CURRENT_MARK = re.compile(r"cur|active|\bon\b|selected", re.I)
"""Class of the current page's number in a numbered pager."""
PAGE_EXT = re.compile(r"^\.?(s?html?|jhtml|jsp|php|aspx?)$", re.I)
PAGE_NAME = re.compile(r"^\w+$")
PAGER_CALL = re.compile(r"\b(createPage\w*)\s*\(([^()]*)\)")
JS_STRING = re.compile(r"\"((?:[^\"\\\n]|\\.)*)\"|'((?:[^'\\\n]|\\.)*)'")
JS_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)")
JS_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}
BASE64_TEXT = re.compile(r"^[A-Za-z0-9+/]{16,}={0,2}$")
PAGE_COUNT_VAR = re.compile(
    r"\b\w*(?:countpage|pagecount|totalpage|pagetotal|maxpage|pagesum)\w*\s*=\s*(\d+)", re.I
)
CURRENT_PAGE_VAR = re.compile(
    r"\b\w*(?:currentpage|curpage|currpage|nowpage|pageindex|curindex|currindex)\w*\s*=\s*(\d+)", re.I
)
JS_COMMENT = re.compile(r"/\*.*?\*/|(?<![:\\\"'])//[^\n]*", re.S)
"""Block and line comments; ``//`` after a colon or a quote is a URL in a string."""
NAME_LITERAL = re.compile(r"[\"'](\w+)_[\"']")
EXT_LITERAL = re.compile(r"[\"']\.(s?html?|jhtml)[\"']", re.I)
FIRST_PAGE_NAME = "index"
"""The name TRS templates give the first page of a column published as a folder URL."""


def next_page_url(url: str, root: lxml_html.HtmlElement) -> str | None:
    """The absolute URL of the page after this one, or None when this is the last (or only) one."""
    href = _next_link(root)
    script = _script_source(root)
    if href is None:
        href = _pager_call(url, script)
    if href is None:
        href = _pager_variables(url, script)
    if href is None:
        href = next((h for fragment in _script_html(root) if (h := _next_link(fragment))), None)
    return urljoin(url, href) if href else None


def _next_link(root: lxml_html.HtmlElement) -> str | None:
    return _labelled_next(root) or _numbered_next(root)


def _labelled_next(root: lxml_html.HtmlElement) -> str | None:
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not _followable(href):
            continue
        text = re.sub(r"\s+", "", anchor.text_content())
        label = LABEL_DECORATION.sub("", text).casefold()
        marks = " ".join(anchor.get(name) or "" for name in ("class", "id", "rel", "title"))
        if label in NEXT_LABELS or text in NEXT_ARROWS or (not text and NEXT_MARK.search(marks)):
            return href
    return None


def _numbered_next(root: lxml_html.HtmlElement) -> str | None:
    """In a pager of page numbers, the link numbered one more than the current page: the number
    that is not a link, or is marked current (``span.current``, ``a.on``)."""
    for element in root.iter():
        if not isinstance(element.tag, str) or not (element.text or "").strip().isdigit() or len(element):
            continue
        link = element if element.tag == "a" else next(element.iterancestors("a"), None)
        marked = CURRENT_MARK.search(" ".join(e.get("class") or "" for e in (element, link) if e is not None))
        if link is not None and _followable(link.get("href")) and not marked:
            continue
        wanted = str(int(element.text.strip()) + 1)
        for scope in (element.getparent(), _grandparent(element)):
            for anchor in scope.iter("a") if scope is not None else ():
                if anchor.text_content().strip() == wanted and _followable(anchor.get("href")):
                    return anchor.get("href").strip()
    return None


def _grandparent(element: lxml_html.HtmlElement) -> lxml_html.HtmlElement | None:
    parent = element.getparent()
    return parent.getparent() if parent is not None else None


def _followable(href: str | None) -> bool:
    href = (href or "").strip()
    return bool(href) and not href.startswith(("#", "javascript:"))


def _pager_call(url: str, text: str) -> str | None:
    """The next file named by a ``createPage…(count, current, name, ext)`` call."""
    for call in PAGER_CALL.finditer(text):
        if text[: call.start()].rstrip().endswith("function"):
            continue  # the definition, whose parameters are names
        args = [_js_value(text, arg.strip()) for arg in call.group(2).split(",")]
        named = _name_and_numbers(args)
        if named is None:
            continue
        name, ext, numbers = named
        if len(numbers) < 2:
            continue
        count, current = numbers[0], numbers[1]
        return _following(url, name, ext, count, current)
    return None


def _name_and_numbers(args: list[str | int | None]) -> tuple[str, str, list[int]] | None:
    """(page name, extension, the numbers before them) of a pager call's arguments."""
    for i in range(len(args) - 1):
        name, ext = args[i], args[i + 1]
        if isinstance(name, str) and isinstance(ext, str) and PAGE_NAME.match(name) and PAGE_EXT.match(ext):
            return name, ext.lstrip("."), [a for a in args[:i] if isinstance(a, int)]
    return None


def _pager_variables(url: str, text: str) -> str | None:
    """Page-count and current-page variables with the next file name built inline
    (``"index_" + nextPage + ".html"``); without such a name the pager calls an API instead."""
    count, current = PAGE_COUNT_VAR.search(text), CURRENT_PAGE_VAR.search(text)
    name = NAME_LITERAL.search(text)
    if count is None or current is None or name is None:
        return None
    ext = EXT_LITERAL.search(text)
    return _following(
        url,
        name.group(1),
        ext.group(1) if ext else _own_name(url)[1],
        int(count.group(1)),
        int(current.group(1)),
    )


def _following(url: str, name: str, ext: str, count: int, current: int) -> str | None:
    """``name_{current+1}.ext`` unless this is the last page.

    Counting is 0-based (TRS) unless the first page calls itself page 1 (platforms).
    """
    own_name, _ = _own_name(url)
    one_based = current >= 1 and own_name == name and not re.search(r"_\d+$", _file_stem(url))
    last = count if one_based else count - 1
    if current >= last:
        return None
    return f"{name}_{current + 1}.{ext}"


def _own_name(url: str) -> tuple[str, str]:
    """(name, extension) of this listing file; a folder URL is the TRS ``index.html``."""
    path = urlsplit(url).path
    filename = path.rsplit("/", 1)[-1]
    if "." not in filename:
        return FIRST_PAGE_NAME, "html"
    stem, ext = filename.rsplit(".", 1)
    return re.sub(r"_\d+$", "", stem), ext


def _file_stem(url: str) -> str:
    filename = urlsplit(url).path.rsplit("/", 1)[-1]
    return filename.rsplit(".", 1)[0]


def _js_value(text: str, token: str) -> str | int | None:
    """A pager argument: a string literal, a number, or the number a variable is assigned."""
    literal = JS_STRING.fullmatch(token)
    if literal:
        return _unescape(literal.group(1) if literal.group(1) is not None else literal.group(2))
    if token.isdigit():
        return int(token)
    if re.fullmatch(r"[A-Za-z_$][\w$]*", token):
        assigned = re.search(rf"(?<![\w$.]){re.escape(token)}\s*=\s*['\"]?(\d+)", text)
        return int(assigned.group(1)) if assigned else None
    return None


def _unescape(literal: str) -> str:
    def one(m: re.Match[str]) -> str:
        code = m.group(1)
        if code[0] in "ux" and len(code) > 1:
            return chr(int(code[1:], 16))
        return JS_SIMPLE_ESCAPES.get(code, code)

    return JS_ESCAPE.sub(one, literal)


def _script_source(root: lxml_html.HtmlElement) -> str:
    """The page's scripts without their comments (a commented-out pager call is not the pager)."""
    source = "\n".join(script.text or "" for script in root.iter("script"))
    return JS_COMMENT.sub("", source)


def _script_html(root: lxml_html.HtmlElement) -> Iterator[lxml_html.HtmlElement]:
    """HTML that scripts carry as string literals: plain, escaped, percent-encoded or base64."""
    for script in root.iter("script"):
        for m in JS_STRING.finditer(script.text or ""):
            value = _unescape(m.group(1) if m.group(1) is not None else m.group(2))
            for candidate in (value, unquote(value), _base64_text(value)):
                if candidate and "<a" in candidate and "href" in candidate:
                    yield lxml_html.fragment_fromstring(candidate, create_parent="div")
                    break


def _base64_text(value: str) -> str | None:
    if not BASE64_TEXT.match(value) or len(value) % 4:
        return None
    try:
        return base64.b64decode(value).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
