"""The next issue as the editor left it: the digest's own selection, with her corrections applied.

``arrange`` is the one place where a move, a drop and an order take effect: the digest
(``kuaixun.cycle.create_issue``), the desk's page and the approval all go through it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from store.editorial import Decision
from store.models import NoticeVersion


@dataclass(frozen=True)
class Placed:
    """One repost group where the issue puts it."""

    group_id: int
    section: str
    versions: tuple[NoticeVersion, ...]
    decision: Decision | None

    @property
    def moved(self) -> bool:
        return self.decision is not None and self.decision.section is not None

    @property
    def lead(self) -> NoticeVersion:
        return self.versions[0]


@dataclass(frozen=True)
class Arrangement:
    """What an issue carries, in order, and what the editor left out of it."""

    placed: tuple[Placed, ...]
    dropped: tuple[Placed, ...]

    def section(self, name: str) -> list[Placed]:
        return [p for p in self.placed if p.section == name]

    def versions(self) -> list[NoticeVersion]:
        """Every version the issue carries, in its order (what ``digest_items`` records)."""
        return [v for p in self.placed for v in p.versions]

    def find(self, group_id: int) -> Placed | None:
        return next((p for p in (*self.placed, *self.dropped) if p.group_id == group_id), None)


def group_id(group: Sequence[NoticeVersion]) -> int:
    notice = group[0].notice
    return notice.group_id or notice.id


def arrange(
    groups: Sequence[Sequence[NoticeVersion]], decisions: Mapping[int, Decision], sections: Sequence[str]
) -> Arrangement:
    """The groups in the issue's section order; within a section the ones the editor ordered first
    (by her order), then the others as they came; dropped groups apart.

    A group whose section (the editor's, else the classifier's) is not one of ``sections`` is left out.
    """
    placed: list[tuple[int, int, int, Placed]] = []
    dropped: list[Placed] = []
    for arrival, group in enumerate(groups):
        gid = group_id(group)
        decision = decisions.get(gid)
        section = (decision.section if decision else None) or group[0].notice.category
        item = Placed(gid, section, tuple(group), decision)
        if decision is not None and decision.dropped:
            dropped.append(item)
        elif section in sections:
            position = decision.position if decision and decision.position is not None else None
            rank = (0, position) if position is not None else (1, arrival)
            placed.append((sections.index(section), *rank, item))
    placed.sort(key=lambda entry: entry[:3])
    return Arrangement(tuple(entry[3] for entry in placed), tuple(dropped))
