"""Is a fetched notice new, revised, or unchanged? Pure comparison of two extracted records.

Only what a reader cares about counts: title, 文号, body, annex, deadlines, attachments.
Page chrome (counters, header dates, whitespace, session ids) never reaches these fields.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from dataclasses import asdict, dataclass, is_dataclass
from typing import Any

from pipeline.records import ExtractedNotice

WATCHED = ("title", "doc_number", "body_text", "annex_text", "deadlines", "attachments")
NEW, REVISED, UNCHANGED = "new", "revised", "unchanged"


@dataclass(frozen=True)
class Change:
    status: str
    """new / revised / unchanged."""
    content_hash: str
    diff: str | None = None
    """Readable unified diff of the watched text, for revisions."""


def content_hash(record: ExtractedNotice) -> str:
    """Hash of the watched fields, whitespace-insensitive (of their JSON, as ``to_json`` gives them,
    so stored hashes stay valid; only these fields are converted)."""
    watched = {key: _squash(_plain(getattr(record, key))) for key in WATCHED}
    return hashlib.sha256(json.dumps(watched, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def compare(previous: ExtractedNotice | None, current: ExtractedNotice) -> Change:
    """Compare the stored record (None if never seen) with a fresh extraction."""
    digest = content_hash(current)
    if previous is None:
        return Change(NEW, digest)
    if content_hash(previous) == digest:
        return Change(UNCHANGED, digest)
    return Change(REVISED, digest, _text_diff(previous, current))


def _plain(value: Any) -> Any:
    """A watched field as JSON data: a tuple of parts (attachments, deadlines) as a list of dicts."""
    if isinstance(value, tuple | list):
        return [asdict(part) if is_dataclass(part) else part for part in value]
    return value


def _squash(value: Any) -> Any:
    if isinstance(value, str):
        return re.sub(r"\s+", "", value)
    if isinstance(value, list):
        return [_squash(v) for v in value]
    if isinstance(value, dict):
        return {k: _squash(v) for k, v in value.items() if k != "url"}
    return value


def _lines(record: ExtractedNotice) -> list[str]:
    lines = [f"标题：{record.title}", f"文号：{record.doc_number or ''}"]
    lines += record.body_text.splitlines()
    lines += [f"附件：{a.name}" for a in record.attachments]
    lines += [f"截止：{d.date} {d.text}" for d in record.deadlines]
    return lines


def _text_diff(previous: ExtractedNotice, current: ExtractedNotice) -> str:
    return "\n".join(
        difflib.unified_diff(_lines(previous), _lines(current), "之前", "现在", lineterm="", n=1)
    )
