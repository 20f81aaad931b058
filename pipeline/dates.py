"""Dates in every form government pages write them, to ISO ``YYYY-MM-DD``.

Signature dates use ``2019年11月10日`` (with stray spaces from typesetting) or Chinese numerals
(``二〇一九年十一月十日``); page headers and metas use ``2019-11-15 10:30``, ``2019/11/15`` or
``2019.11.15``; listings drop the year (``11-15``); URLs carry ``t20191115_``, ``/art/2019/11/15/``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_CN_DIGITS = {
    "〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "o": 0, "0": 0, "０": 0,
    "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_CN_DIGIT_CLASS = "〇○零ＯOo0０一二三四五六七八九"
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_FULLWIDTH_RE = re.compile("[０-９]")
_SP = r"[\s\u3000\xa0]*"

_YMD_RE = re.compile(
    rf"(?<!\d)((?:19|20)\d{{2}}){_SP}(?:年{_SP}(\d{{1,2}}){_SP}月{_SP}(\d{{1,2}}){_SP}[日号]?"
    rf"|([-/.]){_SP}(\d{{1,2}}){_SP}\4{_SP}(\d{{1,2}}))(?!\d)"
)
_CN_YMD_RE = re.compile(
    rf"([{_CN_DIGIT_CLASS}]{{4}}){_SP}年{_SP}([一二三四五六七八九十]{{1,3}}){_SP}月{_SP}"
    rf"([一二三四五六七八九十]{{1,3}}){_SP}[日号]"
)
_MD_RE = re.compile(rf"(?<![\d年])(\d{{1,2}}){_SP}月{_SP}(\d{{1,2}}){_SP}[日号]")
_TIME_RE = re.compile(r"[\s\u3000]*(?:[0-2]?\d[:：][0-5]\d(?:[:：][0-5]\d)?|[0-2]?\d时(?:[0-5]?\d分)?)")
_DASH_MD_RE = re.compile(r"^\s*[\[(（]?(\d{1,2})[-/.](\d{1,2})[\])）]?\s*$")
_COMPACT_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?!\d)")

_URL_PATTERNS = (
    re.compile(r"[/_]t((?:19|20)\d{2})(\d{2})(\d{2})_"),
    re.compile(r"/art/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/"),
    re.compile(r"/((?:19|20)\d{2})-?(\d{2})-?(\d{2})/"),
    re.compile(r"/((?:19|20)\d{2})(\d{2})(\d{2})\d{6}"),
)


@dataclass(frozen=True)
class DateMatch:
    """One date found in a text: its span, ISO value, and whether the year was written."""

    start: int
    end: int
    iso: str
    explicit_year: bool


def iso(year: int, month: int, day: int) -> str | None:
    """``YYYY-MM-DD`` for a valid calendar date, else None (so 2019年13月 is not a date)."""
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def cn_number(text: str) -> int | None:
    """Value of a Chinese numeral up to 99 (十, 十一, 二十, 三十一) or of a digit string (二〇一九)."""
    text = text.strip()
    if not text:
        return None
    if "十" in text:
        tens, _, units = text.partition("十")
        t = _CN_DIGITS.get(tens) if tens else 1
        u = _CN_DIGITS.get(units) if units else 0
        return None if t is None or u is None else t * 10 + u
    value = 0
    for ch in text:
        digit = _CN_DIGITS.get(ch)
        if digit is None:
            return None
        value = value * 10 + digit
    return value


def halfwidth(text: str) -> str:
    """Full-width digits as ASCII ones (translating only texts that hold one: most hold none)."""
    return text.translate(_FULLWIDTH) if _FULLWIDTH_RE.search(text) else text


def find_dates(text: str, default_year: int | None = None) -> list[DateMatch]:
    """Every full date in ``text`` in order; month-day dates need ``default_year`` to count.

    A month-day right after a full date's range marker (``2019年11月11日-11月20日``) takes that
    date's year rather than the default.
    """
    text = halfwidth(text)
    found: list[DateMatch] = []
    taken: list[tuple[int, int]] = []
    for m in _YMD_RE.finditer(text):
        year = int(m.group(1))
        month, day = (m.group(2), m.group(3)) if m.group(2) else (m.group(5), m.group(6))
        value = iso(year, int(month), int(day))
        if value:
            found.append(DateMatch(m.start(), m.end(), value, True))
            taken.append((m.start(), m.end()))
    for m in _CN_YMD_RE.finditer(text):
        year, month, day = cn_number(m.group(1)), cn_number(m.group(2)), cn_number(m.group(3))
        value = iso(year, month, day) if year and month and day else None
        if value:
            found.append(DateMatch(m.start(), m.end(), value, True))
            taken.append((m.start(), m.end()))
    for m in _MD_RE.finditer(text):
        if any(s <= m.start() < e for s, e in taken):
            continue
        year = _year_before(found, m.start()) or default_year
        value = iso(year, int(m.group(1)), int(m.group(2))) if year else None
        if value:
            found.append(DateMatch(m.start(), m.end(), value, False))
    found.sort(key=lambda d: d.start)
    return [_with_time(text, d) for d in found]


def _with_time(text: str, match: DateMatch) -> DateMatch:
    """Extend a date's span over a following time of day (``2019年9月23日09:00``)."""
    m = _TIME_RE.match(text, match.end)
    if not m:
        return match
    return DateMatch(match.start, m.end(), match.iso, match.explicit_year)


def _year_before(found: list[DateMatch], pos: int) -> int | None:
    """Year of the nearest explicit date ending just before ``pos`` (a range's start)."""
    best = None
    for d in found:
        if d.explicit_year and d.end <= pos and pos - d.end <= 3:
            best = int(d.iso[:4])
    return best


def parse_date(text: str | None, default_year: int | None = None) -> str | None:
    """The first date in a short text (meta value, header line, listing cell) as ISO, else None.

    Also reads compact ``20191115``, year-less ``11-15`` (with ``default_year``) and epoch
    milliseconds, which listings and APIs use.
    """
    if not text:
        return None
    text = halfwidth(text.strip())
    dates = find_dates(text, default_year)
    if dates:
        return dates[0].iso
    m = _COMPACT_RE.search(text)
    if m:
        return iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _DASH_MD_RE.match(text)
    if m and default_year:
        return iso(default_year, int(m.group(1)), int(m.group(2)))
    if text.isdigit() and len(text) in (10, 13):
        seconds = int(text) / (1000 if len(text) == 13 else 1)
        china = dt.timezone(dt.timedelta(hours=8))
        return dt.datetime.fromtimestamp(seconds, china).date().isoformat()
    return None


_DATE_LINE_RE = re.compile(
    rf"^[\s\u3000\xa0]*[(（]?{_SP}(?:(?:19|20)\d{{2}}{_SP}年{_SP}\d{{1,2}}{_SP}月{_SP}\d{{1,2}}{_SP}日"
    rf"|[{_CN_DIGIT_CLASS}]{{4}}{_SP}年{_SP}[一二三四五六七八九十]{{1,3}}{_SP}月{_SP}[一二三四五六七八九十]{{1,3}}{_SP}日"
    rf"|(?:19|20)\d{{2}}([-/.])\d{{1,2}}\1\d{{1,2}})"
    rf"{_SP}[)）]?[\s\u3000\xa0]*$"
)


def date_line(text: str) -> str | None:
    """ISO date when the whole line is a date (a signature date), else None."""
    if len(text) > 40:
        return None
    text = halfwidth(text)
    if not _DATE_LINE_RE.match(text):
        return None
    return parse_date(text)


def date_from_url(url: str | None) -> str | None:
    """Posting date a URL encodes: TRS ``t20191115_``, Hanweb ``/art/2019/11/15/``, dated folders."""
    if not url:
        return None
    for pattern in _URL_PATTERNS:
        m = pattern.search(url)
        if m:
            value = iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            if value:
                return value
    return None


def year_of(value: str | None) -> int | None:
    """The year of an ISO date, for inferring the year of month-day dates."""
    return int(value[:4]) if value and value[:4].isdigit() else None
