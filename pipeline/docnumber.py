"""文号 (document numbers): recognise every written form and normalise it.

GB/T 9704 writes ``发改产业〔2019〕1762号``; pages also use ``[2019]``, ``［2019］``, ``（2019）``,
``(2019)``, ``【2019】``, with stray spaces, NBSP or U+3000, plus ``国令第845号``,
``…公告2019年第84号`` and bare ``第N号``. A 文号 cited inside a sentence is another document's, so
callers ask either for a whole line (:func:`line_doc_number`) or for a title suffix.
"""

from __future__ import annotations

import re

from pipeline.dates import halfwidth

_OPEN = "〔[［（(【﹝〖{｛"
_CLOSE = "〕]］）)】﹞〗}｝"
_SP = r"[\s\u3000\xa0]*"
_WS_RE = re.compile(r"[\s\u3000\xa0]+")

_CODE = r"[\u4e00-\u9fffA-Za-z][\u4e00-\u9fffA-Za-z\s\u3000\xa0]{0,30}?"
_YEAR = rf"[{re.escape(_OPEN)}]{_SP}(?:19|20)\d{{2}}{_SP}[{re.escape(_CLOSE)}]"
_BRACKET_NUMBER = rf"{_CODE}{_SP}{_YEAR}{_SP}第?{_SP}\d{{1,5}}{_SP}号"
_ORDER_NUMBER = rf"[\u4e00-\u9fff][\u4e00-\u9fff\s\u3000\xa0]{{0,30}}?令{_SP}第{_SP}\d{{1,5}}{_SP}号"
_ISSUER = r"[\u4e00-\u9fff][\u4e00-\u9fff\s\u3000\xa0]{0,40}?"
_NOTICE_NUMBER = rf"(?:{_ISSUER}公告{_SP})?(?:19|20)\d{{2}}{_SP}年?{_SP}第{_SP}\d{{1,5}}{_SP}号"
_BARE_NUMBER = rf"第{_SP}\d{{1,5}}{_SP}号"

DOC_NUMBER_RE = re.compile(rf"(?:{_BRACKET_NUMBER}|{_ORDER_NUMBER}|{_NOTICE_NUMBER})")
_LINE_RE = re.compile(
    rf"^[\s\u3000\xa0]*(?:文{_SP}号|发文字号)?[：:]?{_SP}"
    rf"({_BRACKET_NUMBER}|{_ORDER_NUMBER}|{_NOTICE_NUMBER}|{_BARE_NUMBER})[\s\u3000\xa0]*$"
)
_TITLE_SUFFIX_RE = re.compile(
    rf"^(?P<title>.*?){_SP}[（(［\[]{_SP}(?P<num>{_BRACKET_NUMBER}|{_ORDER_NUMBER}|{_NOTICE_NUMBER})"
    rf"{_SP}[）)］\]][\s\u3000\xa0]*$"
)
_BRACKET_MAP = str.maketrans({**dict.fromkeys(_OPEN, "〔"), **dict.fromkeys(_CLOSE, "〕")})


def normalize_doc_number(text: str) -> str:
    """Canonical 文号: no whitespace, ASCII digits, and the year's brackets as 〔〕."""
    text = halfwidth(_WS_RE.sub("", text))
    return re.sub(rf"[{re.escape(_OPEN)}]((?:19|20)\d{{2}})[{re.escape(_CLOSE)}]", r"〔\1〕", text)


def line_doc_number(text: str) -> str | None:
    """The normalised 文号 when a line consists of the 文号 alone (optionally labelled 文号：)."""
    if len(text) > 80:
        return None
    m = _LINE_RE.match(halfwidth(text))
    return normalize_doc_number(m.group(1)) if m else None


def split_title_suffix(title: str) -> tuple[str, str | None]:
    """``标题(发改产业〔2019〕1762号)`` → (``标题``, ``发改产业〔2019〕1762号``); others unchanged."""
    m = _TITLE_SUFFIX_RE.match(halfwidth(title))
    if not m or not m.group("title").strip():
        return title, None
    return m.group("title").strip(), normalize_doc_number(m.group("num"))


def find_doc_number(text: str) -> str | None:
    """The first 文号 anywhere in a short field value (公开目录 cell, list column), normalised."""
    m = DOC_NUMBER_RE.search(halfwidth(text))
    if m:
        return normalize_doc_number(m.group(0))
    m = re.search(_BARE_NUMBER, text)
    return normalize_doc_number(m.group(0)) if m else None
