"""``digest.approval: required``: an issue waits, the editor may still correct it, then approves it once.

``digest send`` numbers and archives the issue and records it as waiting (kuaixun.delivery).
Approving (``kuaixun digest approve ISSUE`` or the desk) renders the issue again as the editor
left it (moves, drops, order), then in one short transaction: the conditional update waiting →
approved (of two approvals at once, one wins; the other is told it was approved already), the
dropped notices taken out of the issue, the new files swapped into the archive, and the outbox
rows recorded. Then the outbox delivers, as for any issue.
"""

from __future__ import annotations

import hashlib
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from kuaixun.config import Config
from kuaixun.cycle import issue_items, now_utc
from kuaixun.delivery import (
    DIGEST,
    DeliveryReport,
    DeliveryUsageError,
    archive_dir,
    archive_issue,
    copy_files,
    deliver_due,
    digest_targets,
    issue_ref,
)
from kuaixun.editorial import Arrangement, arrange, group_id
from notify.issue import Issue, build_issue
from store import editorial, outbox
from store.db import Database
from store.models import Digest, IssueApproval, NoticeVersion

Echo = Callable[[str], None]


class ApprovalError(DeliveryUsageError):
    """An approval that cannot be done as asked (no such issue, one that does not wait), for the editor."""


class IssueChanged(ApprovalError):
    """The issue was corrected since the page that asked to approve it was shown."""


@dataclass(frozen=True)
class WaitingIssue:
    """An issue made under ``digest.approval: required``, as the editor's corrections leave it."""

    ref: str
    label: str
    digest_id: int
    approval: IssueApproval
    arrangement: Arrangement

    @property
    def fingerprint(self) -> str:
        """A short hash of what would be sent: the desk's Approve carries it (see :func:`approve`)."""
        return fingerprint(self.arrangement)


@dataclass
class ApprovalResult:
    ref: str
    approved_now: bool
    """False: it had been approved already (by ``approved_by``), and nothing was enqueued again."""
    approved_by: str | None
    approved_at: datetime | None
    report: DeliveryReport | None = None


def fingerprint(arrangement: Arrangement) -> str:
    shown = [(p.group_id, p.section) for p in arrangement.placed] + [
        (p.group_id, "-") for p in arrangement.dropped
    ]
    return hashlib.sha256(repr(shown).encode()).hexdigest()[:16]


def waiting_issues(session: Session, config: Config) -> list[WaitingIssue]:
    """Every issue waiting for approval, oldest first, with the editor's corrections applied."""
    found = []
    for approval in editorial.waiting(session):
        digest = _digest(session, approval.ref)
        found.append(
            WaitingIssue(
                approval.ref, digest.label, digest.id, approval, _arrangement(session, config, digest)
            )
        )
    return found


def approve(
    config: Config,
    db: Database,
    echo: Echo,
    label: str,
    editor: str,
    expected: str | None = None,
    clock: Callable[[], datetime] = now_utc,
) -> ApprovalResult:
    """Approve the waiting issue ``label`` (2026-1101 or '(2026) 1101 期') and deliver it; at most once.

    ``expected`` is the fingerprint of the page the editor approved from: if the issue was corrected
    since (another tab, another editor), nothing is approved and :class:`IssueChanged` says so.
    """
    ref = issue_ref(label)
    with db.session() as session:
        approval = editorial.approval_of(session, ref)
        if approval is None:
            raise ApprovalError(
                f"issue {ref} does not wait for approval (no such issue, or it was sent at once)"
            )
        if approval.status == editorial.APPROVED:
            return _already(approval)
        digest = _digest(session, ref)
        arrangement = _arrangement(session, config, digest)
        if expected is not None and expected != fingerprint(arrangement):
            raise IssueChanged(f"issue {ref} was corrected since this page was shown: look at it again")
        if not arrangement.placed:
            raise ApprovalError(f"every notice of issue {ref} was dropped: restore one, or leave it unsent")
        issue = _issue(session, config, digest, arrangement)
    now = clock()
    staging = archive_dir(config) / f".{ref}.approving-{secrets.token_hex(4)}"
    try:
        files = archive_issue(config, issue, staging, now)
        with db.session() as session:
            won = editorial.approve(session, ref, editor, now)
            if won:
                _enqueue(session, config, ref, arrangement, staging, now)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if not won:
        with db.session() as session:
            return _already(editorial.approval_of(session, ref))
    copy_files(archive_dir(config) / ref, config.out_dir)
    echo(f"approved {issue.label} by {editor}: {files.count} notice(s); delivering")
    report = deliver_due(config, db, echo, clock, kinds=(DIGEST,))
    return ApprovalResult(ref, True, editor, now, report)


def _enqueue(
    session: Session, config: Config, ref: str, arrangement: Arrangement, staging: Path, now: datetime
) -> None:
    """In the approving transaction: check that nothing changed since the rendering, take the
    dropped notices out of the issue, put the rendering in the archive, record the deliveries."""
    digest = _digest(session, ref)
    if fingerprint(_arrangement(session, config, digest)) != fingerprint(arrangement):
        raise IssueChanged(f"issue {ref} was corrected while it was being approved: approve it again")
    editorial.remove_from_issue(session, digest, [v.id for p in arrangement.dropped for v in p.versions])
    outbox.enqueue(session, DIGEST, ref, digest_targets(config), now)
    _swap(staging, archive_dir(config) / ref)


def _already(approval: IssueApproval | None) -> ApprovalResult:
    assert approval is not None  # an approval row is never deleted
    return ApprovalResult(approval.ref, False, approval.approved_by, approval.approved_at)


def _swap(staging: Path, folder: Path) -> None:
    """The new rendering in place of the one ``digest send`` archived (renames: never half of each)."""
    old = folder.with_name(f".{folder.name}.replaced-{secrets.token_hex(4)}")
    if folder.exists():
        folder.rename(old)
    staging.rename(folder)
    shutil.rmtree(old, ignore_errors=True)


def _digest(session: Session, ref: str) -> Digest:
    year, number = ref.split("-")
    digest = editorial.issue_digest(session, int(year), int(number[:2]), int(number[2:]))
    if digest is None:
        raise ApprovalError(f"no issue {ref} in the store")
    return digest


def _arrangement(session: Session, config: Config, digest: Digest) -> Arrangement:
    """The issue's notices (as ``digest send`` fixed them) arranged with the editor's decisions."""
    groups: dict[int, list[NoticeVersion]] = {}
    for item in digest.items:
        groups.setdefault(group_id([item.version]), []).append(item.version)
    return arrange(list(groups.values()), editorial.decisions(session), config.digest.sections)


def _issue(session: Session, config: Config, digest: Digest, arrangement: Arrangement) -> Issue:
    return build_issue(digest.label, config.digest, issue_items(session, arrangement.placed))
