"""Reposts: one notice published on several sites (a ministry's, re-published by a province).

The store keeps each site's copy; an issue carries the notice once, led by the copy its own
issuer published, with every copy's 相关链接 (source_url). This module is the whole rule: what
makes two copies one notice, and which copy leads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from pipeline.records import ExtractedNotice

SIGNER_SEPARATOR = "、"
"""Between the signing bodies of a jointly issued notice (工业和信息化部、财政部)."""

Copy = TypeVar("Copy")


@dataclass(frozen=True)
class RepostKey:
    """What a repost shares with its original: the same 文号 (doc_number), or the same title and date."""

    doc_number: str | None
    title: str
    publish_date: str | None

    @property
    def empty(self) -> bool:
        """No 文号 and no date: nothing tells this notice's copies apart from other notices."""
        return not self.doc_number and not self.publish_date


def repost_key(record: ExtractedNotice) -> RepostKey:
    return RepostKey(record.doc_number or None, record.title, record.publish_date or None)


def is_original(record: ExtractedNotice) -> bool:
    """Published by its own issuer: the source's agency signed it (a repost is signed by another)."""
    agency, issuer = record.agency or "", record.issuer or ""
    return bool(agency and issuer) and (agency in issuer or issuer.split(SIGNER_SEPARATOR)[0] in agency)


def leading(copies: Sequence[Copy], record: Callable[[Copy], ExtractedNotice]) -> Copy:
    """The copy that leads the issue's entry: the original's, else the first stored."""
    return next((c for c in copies if is_original(record(c))), copies[0])
