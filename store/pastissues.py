"""Issues published before this store existed (``kuaixun import-issue``): recorded like any issue."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.models import Digest, DigestItem, Notice, NoticeVersion


def record_issue(
    session: Session, year: int, month: int, seq: int, urls: Sequence[str], now: datetime
) -> list[str]:
    """Record issue ``(year) MMSS`` as carrying the newest stored version of each notice at ``urls``.

    The issue is created under its own number, or completed when imported before (an import run
    again after a failed fetch adds what was missing, never a second issue). URLs not in the store
    are left out; the ones recorded are returned in order."""
    digest = session.scalar(
        select(Digest).where(Digest.year == year, Digest.month == month, Digest.seq == seq)
    )
    if digest is None:
        digest = Digest(year=year, month=month, seq=seq, created_at=now)
        session.add(digest)
        session.flush()
    carried = set(session.scalars(select(DigestItem.version_id).where(DigestItem.digest_id == digest.id)))
    position = session.scalar(select(func.count(DigestItem.id)).where(DigestItem.digest_id == digest.id)) or 0
    recorded = []
    for url in urls:
        version = session.scalar(
            select(NoticeVersion).join(Notice).where(Notice.url == url).order_by(NoticeVersion.number.desc())
        )
        if version is None:
            continue
        recorded.append(url)
        if version.id not in carried:
            session.add(DigestItem(digest_id=digest.id, version_id=version.id, position=position))
            carried.add(version.id)
            position += 1
    return recorded
