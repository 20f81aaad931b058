"""The editor's corrections, issue approvals and baselines, as the desk and the digest read them.

Every action on a notice is appended to ``editorial_actions`` (who, when, what) and folded into
one ``editorial_decisions`` row per repost group, which the digest honours. Actions are keyed by
repost group (``Notice.group_id``): an issue lists a group once, whichever site's copy leads it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pipeline.classify import OTHER
from store.models import (
    BaselineMark,
    Digest,
    DigestItem,
    EditorialAction,
    EditorialDecision,
    IssueApproval,
    Notice,
    NoticeVersion,
)

MOVE, DROP, RESTORE, UP, DOWN = "move", "drop", "restore", "up", "down"
WAITING, APPROVED = "waiting", "approved"


@dataclass(frozen=True)
class Decision:
    """Where the editor left one repost group."""

    group_id: int
    section: str | None
    """The editor's section; None: the classifier's stands."""
    dropped: bool
    position: int | None
    editor: str
    at: datetime


def decisions(session: Session) -> dict[int, Decision]:
    """Every group the editor touched → its decision."""
    return {
        row.group_id: Decision(row.group_id, row.section, row.dropped, row.position, row.editor, row.at)
        for row in session.scalars(select(EditorialDecision))
    }


def decision_of(session: Session, group_id: int) -> Decision | None:
    row = session.get(EditorialDecision, group_id)
    if row is None:
        return None
    return Decision(row.group_id, row.section, row.dropped, row.position, row.editor, row.at)


def move(session: Session, group_id: int, section: str, editor: str, now: datetime) -> None:
    """Put the group in ``section``, at its end."""
    row = _decision(session, group_id, editor, now)
    row.section, row.position = section, None
    _log(session, group_id, MOVE, editor, now, section)


def drop(session: Session, group_id: int, editor: str, now: datetime) -> None:
    """Leave the group out of every issue until it is restored (it stays in the store)."""
    _decision(session, group_id, editor, now).dropped = True
    _log(session, group_id, DROP, editor, now)


def restore(session: Session, group_id: int, editor: str, now: datetime) -> None:
    _decision(session, group_id, editor, now).dropped = False
    _log(session, group_id, RESTORE, editor, now)


def reorder(
    session: Session, order: Sequence[int], moved: int, action: str, editor: str, now: datetime
) -> None:
    """Fix the order of one section's groups as ``order`` lists them (``moved`` went ``action``: up/down)."""
    for position, group_id in enumerate(order):
        row = _decision(session, group_id, editor if group_id == moved else None, now)
        row.position = position
    _log(session, moved, action, editor, now)


def actions_of(session: Session, group_id: int) -> list[EditorialAction]:
    """The log of one group's actions, oldest first."""
    query = select(EditorialAction).where(EditorialAction.group_id == group_id)
    return list(session.scalars(query.order_by(EditorialAction.id)))


def editor_labels(session: Session) -> list[tuple[int, str]]:
    """(notice id, section) for every notice the editor placed: labelled examples for the section rules.

    A moved group gives its notices the editor's section; a dropped one gives them 其他 (what the
    product never sends), as a ``classify.overrides`` entry would.
    """
    query = (
        select(Notice.id, EditorialDecision.section, EditorialDecision.dropped)
        .join(EditorialDecision, EditorialDecision.group_id == Notice.group_id)
        .where((EditorialDecision.section.is_not(None)) | EditorialDecision.dropped)
        .order_by(Notice.id)
    )
    return [
        (notice_id, OTHER if dropped else section) for notice_id, section, dropped in session.execute(query)
    ]


def _decision(session: Session, group_id: int, editor: str | None, now: datetime) -> EditorialDecision:
    """The group's decision row, made if new; stamped with ``editor`` (None: only its position moved)."""
    row = session.get(EditorialDecision, group_id)
    if row is None:
        row = EditorialDecision(group_id=group_id, dropped=False, editor=editor or "", at=now)
        session.add(row)
    if editor is not None:
        row.editor, row.at = editor, now
    return row


def _log(
    session: Session, group_id: int, action: str, editor: str, now: datetime, section: str | None = None
) -> None:
    session.add(EditorialAction(group_id=group_id, action=action, section=section, editor=editor, at=now))
    session.flush()


# -- approvals ------------------------------------------------------------------------------------


def hold(session: Session, ref: str, now: datetime) -> None:
    """Record that issue ``ref`` waits for the editor's approval before any delivery."""
    session.add(IssueApproval(ref=ref, status=WAITING, created_at=now))
    session.flush()


def approve(session: Session, ref: str, editor: str, now: datetime) -> bool:
    """Mark ``ref`` approved if it is waiting; True only for the one caller that made the change.

    A conditional update, not a read then a write: of two approvals at once the database lets
    one change the row, and the other finds it approved already.
    """
    result = session.execute(
        update(IssueApproval)
        .where(IssueApproval.ref == ref, IssueApproval.status == WAITING)
        .values(status=APPROVED, approved_by=editor, approved_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def approval_of(session: Session, ref: str) -> IssueApproval | None:
    return session.scalar(select(IssueApproval).where(IssueApproval.ref == ref))


def waiting(session: Session) -> list[IssueApproval]:
    """Issues waiting for approval, oldest first."""
    query = select(IssueApproval).where(IssueApproval.status == WAITING).order_by(IssueApproval.id)
    return list(session.scalars(query))


# -- baseline -------------------------------------------------------------------------------------


def mark_seen(session: Session, version_ids: Iterable[int], editor: str, now: datetime) -> int:
    """Mark versions as already seen (``kuaixun baseline``); returns how many were new marks."""
    known = set(session.scalars(select(BaselineMark.version_id)))
    added = [
        BaselineMark(version_id=v, marked_at=now, marked_by=editor) for v in version_ids if v not in known
    ]
    session.add_all(added)
    session.flush()
    return len(added)


# -- an issue's contents --------------------------------------------------------------------------


def issue_digest(session: Session, year: int, month: int, seq: int) -> Digest | None:
    """The issue numbered ``(year) MMSS 期``."""
    query = select(Digest).where(Digest.year == year, Digest.month == month, Digest.seq == seq)
    return session.scalar(query)


def remove_from_issue(session: Session, digest: Digest, version_ids: Iterable[int]) -> None:
    """Take versions out of an issue not yet sent (the editor dropped them): they were never published."""
    gone = set(version_ids)
    digest.items = [item for item in digest.items if item.version_id not in gone]
    for position, item in enumerate(digest.items):
        item.position = position
    session.flush()


def published_sources(session: Session, excluding: Iterable[int] = ()) -> set[str]:
    """Sources with a notice in an issue (other than the digests ``excluding``): the others are new."""
    query = (
        select(Notice.source_name)
        .join(NoticeVersion, NoticeVersion.notice_id == Notice.id)
        .join(DigestItem, DigestItem.version_id == NoticeVersion.id)
        .where(DigestItem.digest_id.not_in(list(excluding)))
        .distinct()
    )
    return set(session.scalars(query))


def group_exists(session: Session, group_id: int) -> bool:
    return session.scalar(select(Notice.id).where(Notice.group_id == group_id).limit(1)) is not None
