"""``kuaixun explain`` and ``kuaixun items``: what the store holds, and why each notice is where it is.

Composition only: the store's queries (store.queries) give notices with their newest version;
the pure functions here turn them into items, match the filters that need the record's tags
(regions, agencies, body words) and format the output. The section scores are read back from
the classification's last reason (``scores: …``), so they need no column of their own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import closing
from dataclasses import asdict, dataclass
from itertools import islice
from typing import Any

from notify.width import display_width, pad
from pipeline.classify import SCORES_PREFIX
from pipeline.records import ExtractedNotice
from pipeline.tags import normalize_region
from store import editorial, queries
from store.db import Database
from store.editorial import Decision
from store.models import Notice, NoticeVersion

DEFAULT_LIMIT = 50


@dataclass(frozen=True)
class Item:
    """One stored notice as ``kuaixun items`` lists it (its newest version's view)."""

    id: int
    date: str | None
    section: str
    region: str | None
    agency: str | None
    title: str
    url: str
    doc_number: str | None = None
    notice_type: str | None = None
    regions: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()
    version: int = 1

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["regions"], data["agencies"] = list(self.regions), list(self.agencies)
        return data


@dataclass(frozen=True)
class ItemFilter:
    """What ``kuaixun items`` narrows to; every given criterion must hold."""

    section: str | None = None
    region: str | None = None
    """Matches the primary region or any region tag; 湖南省 and 湖南 are the same."""
    agency: str | None = None
    """A part of the primary agency or of any signing body (工业和信息化部 finds 工业和信息化部办公厅)."""
    since: str | None = None
    until: str | None = None
    words: tuple[str, ...] = ()
    """Each word must occur in the title, 文号, issuer or body."""
    limit: int | None = DEFAULT_LIMIT
    """At most this many items, newest first; None for all."""


@dataclass(frozen=True)
class Explanation:
    """Why a notice is in its section, as its newest version was classified."""

    item: Item
    reasons: tuple[str, ...]
    """The classification's reasons, without the scores line."""
    scores: dict[str, float] | None
    """The section scores, or None when the version was stored without them (or overridden)."""
    versions: int
    low_confidence: bool = False
    """The section was chosen on little evidence or a narrow lead (pipeline.classify)."""
    margin: float | None = None
    """The section's lead over the runner-up, as classified."""
    editor: str | None = None
    """The editor's override on the desk (moved to a section, dropped), or None."""


def find_items(db: Database, wanted: ItemFilter) -> list[Item]:
    """The stored notices that match ``wanted``, newest publish date first."""
    with db.session() as session:
        rows = queries.latest_versions(
            session,
            section=wanted.section,
            since=wanted.since,
            until=wanted.until,
            words=wanted.words,
            agency=wanted.agency,
            region=normalize_region(wanted.region) if wanted.region else None,
        )
        with closing(rows):
            matching = (item_of(n, v) for n, v in rows if matches(n, v.record, wanted))
            return list(islice(matching, wanted.limit))


def explain_notice(db: Database, notice_id: int) -> Explanation | None:
    """The explanation of the stored notice ``notice_id``, or None if there is no such notice."""
    with db.session() as session:
        found = queries.notice_with_latest(session, notice_id)
        if found is None:
            return None
        notice, version = found
        stored = list(version.reasons or []) if version else []
        scores = parse_scores(stored[-1]) if stored else None
        record = version.record if version else None
        return Explanation(
            item=item_of(notice, version),
            reasons=tuple(stored[:-1] if scores is not None else stored),
            scores=scores,
            versions=len(notice.versions),
            low_confidence=record.category_low_confidence if record else False,
            margin=record.category_margin if record else None,
            editor=editor_override(editorial.decision_of(session, notice.group_id or notice.id)),
        )


def editor_override(decision: Decision | None) -> str | None:
    """``moved to 申报通知 by alice at 2026-11-02 09:30 UTC`` (or ``dropped …``); None when untouched."""
    if decision is None or (decision.section is None and not decision.dropped):
        return None
    what = "dropped from every issue" if decision.dropped else f"moved to {decision.section}"
    return f"{what} by {decision.editor} at {decision.at:%Y-%m-%d %H:%M} UTC"


def item_of(notice: Notice, version: NoticeVersion | None) -> Item:
    """The listing view of a notice: columns from the notice row, tags from its newest record."""
    record = version.record if version else None
    return Item(
        id=notice.id,
        date=notice.publish_date,
        section=notice.category,
        region=notice.region,
        agency=notice.agency,
        title=notice.title,
        url=notice.url,
        doc_number=notice.doc_number,
        notice_type=record.notice_type if record else None,
        regions=record.regions if record else (),
        agencies=record.agencies if record else (),
        version=version.number if version else 0,
    )


def matches(notice: Notice, record: ExtractedNotice, wanted: ItemFilter) -> bool:
    """Whether a notice meets the criteria SQL cannot check: region/agency tags and words."""
    if wanted.region:
        region = normalize_region(wanted.region)
        if region != notice.region and region not in record.regions:
            return False
    if wanted.agency:
        bodies = [notice.agency or "", *record.agencies]
        if not any(wanted.agency in body for body in bodies):
            return False
    if wanted.words:
        parts = (notice.title, notice.doc_number, record.issuer, record.body_text)
        text = " ".join(str(part or "") for part in parts).casefold()
        return all(word.casefold() in text for word in wanted.words)
    return True


def parse_scores(line: str) -> dict[str, float] | None:
    """``scores: 政策文件 3, 绿色制造 0, 申报通知 5`` → {section: score}; None for any other line."""
    if not line.startswith(SCORES_PREFIX):
        return None
    scores: dict[str, float] = {}
    for part in line.removeprefix(SCORES_PREFIX).split(","):
        name, _, value = part.strip().rpartition(" ")
        try:
            scores[name] = float(value)
        except ValueError:
            return None
    return scores


def format_explanation(explanation: Explanation) -> str:
    """The text ``kuaixun explain`` prints: the notice, then why, then the scores."""
    item = explanation.item
    lines = [
        f"#{item.id} {item.title}",
        f"url: {item.url}",
        f"section: {item.section}{_confidence(explanation)}",
        *([f"editor: {explanation.editor}"] if explanation.editor else []),
        f"date: {item.date or '-'}   文号: {item.doc_number or '-'}   type: {item.notice_type or '-'}",
        f"region: {item.region or '-'} {_tags(item.regions)}",
        f"agency: {item.agency or '-'} {_tags(item.agencies)}",
        f"version: {item.version} of {explanation.versions}",
        "reasons:" if explanation.reasons else "reasons: none stored",
        *(f"  {reason}" for reason in explanation.reasons),
    ]
    if explanation.scores is None:
        lines.append("scores: not stored")
    else:
        lines.append(SCORES_PREFIX + ", ".join(f"{n} {s:g}" for n, s in explanation.scores.items()))
    return "\n".join(lines)


def _confidence(explanation: Explanation) -> str:
    """`` (low confidence, margin 0)`` / `` (margin 4)`` after the section; nothing when unknown."""
    margin = "" if explanation.margin is None else f"margin {explanation.margin:g}"
    if explanation.low_confidence:
        return f"   [LOW CONFIDENCE{', ' + margin if margin else ''}]"
    return f"   ({margin})" if margin else ""


def _tags(values: Sequence[str]) -> str:
    return f"[{'、'.join(values)}]" if values else ""


COLUMNS = ("id", "date", "section", "region", "agency", "title")
MAX_WIDTH = {"agency": 24, "region": 10}
"""Display widths beyond which a cell is cut with …, so that the titles stay aligned."""


def format_items(items: Iterable[Item]) -> str:
    """An aligned table (Chinese characters count two columns), the title last and never cut."""
    rows = [[_cell(item, column) for column in COLUMNS] for item in items]
    if not rows:
        return "no notices match"
    table = [list(COLUMNS), *rows]
    widths = [max(display_width(row[i]) for row in table) for i in range(len(COLUMNS) - 1)]
    return "\n".join(
        "  ".join([*(pad(cell, width) for cell, width in zip(row, widths, strict=False)), row[-1]]).rstrip()
        for row in table
    )


def _cell(item: Item, column: str) -> str:
    value = str(getattr(item, column) if getattr(item, column) is not None else "-")
    limit = MAX_WIDTH.get(column)
    return _cut(value, limit) if limit else value


def _cut(text: str, width: int) -> str:
    if display_width(text) <= width:
        return text
    while display_width(text) > width - 1:
        text = text[:-1]
    return text + "…"
