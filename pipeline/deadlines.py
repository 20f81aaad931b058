"""截止日期: dates by which readers must act, with the clause that states them.

A date is a deadline when the clause says so: ``12月6日前报送``, ``请于…之前``, ``截止日期为…``,
``申报时间为…至…`` / ``公示时间：…-…`` (the end of the window). Targets (``到2025年``), start dates
(``自…起``) and month-only dates are not. Year-less dates take the notice's year, or the next one
when they would fall well before the notice.
"""

from __future__ import annotations

import datetime as dt
import re

from pipeline.dates import DateMatch, find_dates, year_of
from pipeline.records import Deadline

_CLAUSE_SPLIT_RE = re.compile(r"(?<=[。；;！？!?\n])")
_NUMERAL_RE = re.compile(r"[\d〇○一二三四五六七八九十]")
"""What every date holds (a digit, or a Chinese numeral of its month): clauses without one are skipped."""
_AFTER_RE = re.compile(r"^[\s\u3000]*(?:（[^）]{0,12}）)?[\s\u3000]*(?:之前|以前|前|为止|止|截止)")
_BEFORE_RE = re.compile(
    r"(?:截止|截止到|截止时间|截止日期|截止日|最迟|最晚|不迟于|不晚于|逾期|期限)[^，。；]{0,6}?[为是：:至到]?[\s\u3000]*$"
)
_PERIOD_RE = re.compile(r"^[\s\u3000]*(?:期间|内|之间|以来|期内)")
_RANGE_SEP_RE = re.compile(r"^[\s\u3000]*(?:至|到|-|—|－|～|~|――|——)[\s\u3000]*$")
_WINDOW_WORDS = (
    "申报", "报名", "受理", "公示", "征集", "提交", "报送", "填报", "推荐", "申请", "征求", "反馈", "异议",
    "报备", "登记", "注册", "评审", "截止", "投递", "缴纳", "领取", "办理", "材料",
)  # fmt: skip


def clauses(text: str) -> list[str]:
    """Sentences and 分句 of a body text, split after 。；！？ and line breaks."""
    return [c.strip() for c in _CLAUSE_SPLIT_RE.split(text) if c.strip()]


def _is_range_end(clause: str, first: DateMatch, second: DateMatch) -> bool:
    """True when two dates form an action window (申报时间为 A 至 B): B is then a deadline.

    A window followed by 期间 qualifies what counts (服务在 A 至 B 期间发生), it sets no deadline.
    """
    trail = clause[second.end :]
    if _PERIOD_RE.match(trail):
        return False
    return any(word in clause for word in _WINDOW_WORDS) or bool(_AFTER_RE.match(trail))


def _deadline_dates(clause: str, dates: list[DateMatch]) -> list[str]:
    """ISO dates in one clause (its ``dates``) that are deadlines."""
    found: list[str] = []
    for i, match in enumerate(dates):
        after = clause[match.end :]
        before = clause[max(0, match.start - 16) : match.start]
        nxt = dates[i + 1] if i + 1 < len(dates) else None
        if nxt is not None and _RANGE_SEP_RE.match(clause[match.end : nxt.start]):
            continue  # a window's start; its end is judged on its own
        prev = dates[i - 1] if i > 0 else None
        if prev is not None and _RANGE_SEP_RE.match(clause[prev.end : match.start]):
            if _is_range_end(clause, prev, match):
                found.append(match.iso)
            continue
        if _AFTER_RE.match(after) or _BEFORE_RE.search(before):
            found.append(match.iso)
    return found


def _roll_year(iso: str, explicit: bool, notice_date: str | None) -> str:
    """A year-less date more than two months before the notice belongs to the next year."""
    if explicit or not notice_date or iso >= notice_date:
        return iso
    day, notice = dt.date.fromisoformat(iso), dt.date.fromisoformat(notice_date)
    if (notice - day).days > 60:
        try:
            return day.replace(year=day.year + 1).isoformat()
        except ValueError:  # 29 February
            return iso
    return iso


def find_deadlines(text: str, notice_date: str | None) -> list[Deadline]:
    """Deadlines stated in a body text, in order, one per date."""
    year = year_of(notice_date)
    deadlines: list[Deadline] = []
    seen: set[str] = set()
    for clause in clauses(text):
        if not _NUMERAL_RE.search(clause):
            continue
        dates = find_dates(clause, year)
        explicit = {m.iso: m.explicit_year for m in dates}
        for iso in _deadline_dates(clause, dates):
            value = _roll_year(iso, explicit.get(iso, True), notice_date)
            if value in seen or (notice_date and value == notice_date):
                continue
            seen.add(value)
            deadlines.append(Deadline(date=value, text=clause))
    return deadlines
