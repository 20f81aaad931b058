"""The deadline calendar (RFC 5545): one all-day VEVENT per 截止日期 a stored notice states.

An event's UID is the notice's lasting identity (``atom.notice_uuid``) and the deadline's place
among the notice's deadlines, so a revision that moves a date (延期) updates the same event:
its SEQUENCE is the notice's revision count and its LAST-MODIFIED / DTSTAMP when the newest
version was stored, so calendar clients replace the old date.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from kuaixun.web.atom import notice_uuid
from notify.escape import clean, safe_url
from store.search import SearchHit

CONTENT_TYPE = "text/calendar; charset=utf-8"
LINE_OCTETS = 75
"""RFC 5545 §3.1: content lines longer than this many octets are folded."""
PRODID = "-//Kuaixun//快讯 截止日期//ZH"


def deadline_calendar(hits: Sequence[SearchHit], *, name: str) -> str:
    """The calendar of every deadline the notices state, CRLF line ends, long lines folded."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for hit in hits:
        for index, deadline in enumerate(hit.record.deadlines, 1):
            if deadline.date:
                lines.extend(_event(hit, index, deadline.date, deadline.text))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def event_uid(url: str, index: int) -> str:
    """The UID of the ``index``-th deadline of the notice at ``url``."""
    return f"{notice_uuid(url)}-{index}@kuaixun"


def _event(hit: SearchHit, index: int, day: str, clause: str) -> list[str]:
    record, notice = hit.record, hit.notice
    start = date.fromisoformat(day)
    stamp = _utc(hit.revised_at)
    link = safe_url(notice.url)
    description = [
        f"发布机关：{record.agency}" if record.agency else "",
        f"文号：{record.doc_number}" if record.doc_number else "",
    ]
    description += [clause, link or ""]
    return [
        "BEGIN:VEVENT",
        f"UID:{event_uid(notice.url, index)}",
        f"DTSTAMP:{stamp}",
        f"LAST-MODIFIED:{stamp}",
        f"SEQUENCE:{hit.version - 1}",
        f"DTSTART;VALUE=DATE:{start:%Y%m%d}",
        f"DTEND;VALUE=DATE:{start + timedelta(days=1):%Y%m%d}",
        f"SUMMARY:{escape_text('截止：' + record.title)}",
        f"DESCRIPTION:{escape_text(chr(10).join(_lines(description)))}",
        *([f"URL:{link}"] if link else []),
        *([f"CATEGORIES:{escape_text(notice.category)}"] if notice.category else []),
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
    ]


def _lines(parts: Iterable[str]) -> list[str]:
    return [clean(part) for part in parts if part]


def _utc(moment: datetime) -> str:
    return f"{moment:%Y%m%dT%H%M%S}Z"


def escape_text(value: str) -> str:
    """A TEXT value (§3.3.11): backslash, semicolon and comma escaped, line breaks as ``\\n``,
    other control characters dropped."""
    text = "\n".join(clean(line) for line in str(value).split("\n"))
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """``line`` folded every 75 octets, never inside a UTF-8 character (§3.1)."""
    parts: list[str] = []
    current, size = "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > LINE_OCTETS:
            parts.append(current)
            current, size = " ", 1
        current += char
        size += width
    parts.append(current)
    return "\r\n".join(parts)
