"""Is a fetched notice new, revised, or unchanged? Pure comparison of two extracted records.

Only what a reader cares about counts: title, 文号, body, annex, deadlines, attachments.
Page chrome (counters, header dates, whitespace, session ids) never reaches these fields.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from dataclasses import dataclass
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


def content_hash(record: dict[str, Any]) -> str:
    """Hash of the watched fields, whitespace-insensitive."""
    watched = {key: _squash(record.get(key)) for key in WATCHED}
    return hashlib.sha256(json.dumps(watched, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def compare(previous: dict[str, Any] | None, current: ExtractedNotice) -> Change:
    """Compare the stored record (None if never seen) with a fresh extraction."""
    record = current.to_json()
    digest = content_hash(record)
    if previous is None:
        return Change(NEW, digest)
    if content_hash(previous) == digest:
        return Change(UNCHANGED, digest)
    return Change(REVISED, digest, _text_diff(previous, record))


def _squash(value: Any) -> Any:
    if isinstance(value, str):
        return re.sub(r"\s+", "", value)
    if isinstance(value, list):
        return [_squash(v) for v in value]
    if isinstance(value, dict):
        return {k: _squash(v) for k, v in value.items() if k != "url"}
    return value


def _lines(record: dict[str, Any]) -> list[str]:
    lines = [f"标题：{record.get('title')}", f"文号：{record.get('doc_number') or ''}"]
    lines += (record.get("body_text") or "").splitlines()
    lines += [f"附件：{a['name']}" for a in record.get("attachments") or []]
    lines += [f"截止：{d['date']} {d['text']}" for d in record.get("deadlines") or []]
    return lines


def _text_diff(previous: dict[str, Any], current: dict[str, Any]) -> str:
    return "\n".join(
        difflib.unified_diff(_lines(previous), _lines(current), "之前", "现在", lineterm="", n=1)
    )
