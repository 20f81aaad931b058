"""What the desk's /next page shows: the issues waiting for approval and the next issue, as the
digest will send them (``kuaixun.editorial.arrange``), each notice with why it is where it is."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from kuaixun.approval import waiting_issues
from kuaixun.config import Config
from kuaixun.editorial import Arrangement, Placed, arrange
from kuaixun.queries import parse_scores
from notify.issue import printed_date
from notify.render import http_urls
from pipeline.reposts import leading
from store import digests, editorial

NEXT_TITLE = "下一期（尚未生成）"


@dataclass(frozen=True)
class ItemView:
    """One notice (a repost group) as the desk lists it."""

    group_id: int
    notice_id: int
    title: str
    agency: str | None
    date: str | None
    doc_number: str | None
    section: str
    classified: str
    """The classifier's section (the editor's may differ)."""
    low_confidence: bool
    margin: float | None
    reasons: tuple[str, ...]
    scores: str | None
    deadline: str | None
    url: str | None
    """The original's link, only when it is http(s)."""
    source: str
    reposts: int
    moved_by: str | None
    first_source: bool
    """No notice of its source was in an issue before: a new source's first crawl floods."""
    first: bool = False
    last: bool = False


@dataclass(frozen=True)
class SectionView:
    name: str
    items: tuple[ItemView, ...]


@dataclass(frozen=True)
class IssueView:
    title: str
    ref: str | None
    """The waiting issue's number (2026-1101), None for the next issue not yet made."""
    fingerprint: str | None
    sections: tuple[SectionView, ...]
    dropped: tuple[ItemView, ...]

    @property
    def count(self) -> int:
        return sum(len(s.items) for s in self.sections)


def pending_arrangement(session: Session, config: Config) -> Arrangement:
    """The next issue's notices (the digest's own selection) with the editor's decisions."""
    groups = digests.pending_groups(session, config.digest.sections)
    return arrange(groups, editorial.decisions(session), config.digest.sections)


@dataclass(frozen=True)
class DeskPage:
    issues: tuple[IssueView, ...]
    """The waiting issues, oldest first, then the next issue."""
    first_issue: bool
    """No issue was sent yet: every source is new, so no notice is marked as from a new source and
    the page suggests a baseline instead."""


def desk_page(session: Session, config: Config) -> DeskPage:
    waiting = waiting_issues(session, config)
    known = editorial.published_sources(session, excluding=[w.digest_id for w in waiting])
    views = [_issue_view(w.label, w.ref, w.fingerprint, w.arrangement, config, known) for w in waiting]
    views.append(_issue_view(NEXT_TITLE, None, None, pending_arrangement(session, config), config, known))
    return DeskPage(tuple(views), first_issue=not known)


def section_order(session: Session, config: Config, group_id: int) -> list[int] | None:
    """The group ids of the section (of a waiting issue or the next one) that holds ``group_id``."""
    arrangements = [w.arrangement for w in waiting_issues(session, config)]
    arrangements.append(pending_arrangement(session, config))
    for arrangement in arrangements:
        placed = next((p for p in arrangement.placed if p.group_id == group_id), None)
        if placed is not None:
            return [p.group_id for p in arrangement.section(placed.section)]
    return None


def _issue_view(
    title: str,
    ref: str | None,
    fingerprint: str | None,
    arrangement: Arrangement,
    config: Config,
    known: set[str],
) -> IssueView:
    sections = []
    for name in config.digest.sections:
        placed = arrangement.section(name)
        items = [_item_view(p, known) for p in placed]
        if items:
            items[0] = _with_ends(items[0], first=True, last=len(items) == 1)
            items[-1] = _with_ends(items[-1], first=len(items) == 1, last=True)
        sections.append(SectionView(name, tuple(items)))
    dropped = tuple(_item_view(p, known) for p in arrangement.dropped)
    return IssueView(title, ref, fingerprint, tuple(sections), dropped)


def _with_ends(item: ItemView, *, first: bool, last: bool) -> ItemView:
    return replace(item, first=first, last=last)


def _item_view(placed: Placed, known_sources: set[str]) -> ItemView:
    lead = leading(placed.versions, lambda version: version.record)
    record, notice = lead.record, lead.notice
    stored = list(lead.reasons or [])
    scores = parse_scores(stored[-1]) if stored else None
    reasons = tuple(stored[:-1] if scores is not None else stored)
    decision = placed.decision
    return ItemView(
        group_id=placed.group_id,
        notice_id=notice.id,
        title=record.title,
        agency=record.agency or notice.agency,
        date=record.publish_date,
        doc_number=record.doc_number,
        section=placed.section,
        classified=notice.category,
        low_confidence=record.category_low_confidence,
        margin=record.category_margin,
        reasons=reasons,
        scores=", ".join(f"{n} {s:g}" for n, s in scores.items()) if scores else None,
        deadline=printed_date(record.earliest_deadline),
        url=next(iter(http_urls([notice.url])), None),
        source=notice.source_name,
        reposts=len(placed.versions) - 1,
        moved_by=decision.editor if decision and decision.section else None,
        first_source=bool(known_sources) and notice.source_name not in known_sources,
    )
