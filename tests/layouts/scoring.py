"""Per-field verdicts of an extracted record against an expected one, as the corpus test scores.

The rules mirror ``tests/test_extract_corpus.py`` so that layout scores and corpus scores mean the
same thing: whitespace-free title equality, exact 文号 and dates, body similarity ≥ 0.95 after the
``附件`` list lines are removed, the set of deadline dates, and attachments as (name, URL) pairs.
"""

from __future__ import annotations

import difflib
import re

from pipeline.records import ExtractedNotice
from tests.layouts import Expected

THRESHOLDS = {
    "title": 0.98,
    "doc_number": 0.95,
    "publish_date": 0.95,
    "issuer": 0.90,
    "body": 0.90,
    "attachments": 0.90,
    "deadlines": 0.85,
}
"""Share of pages that must be right, per field (the corpus test's bar)."""
FIELDS = tuple(THRESHOLDS)
BODY_SIMILARITY = 0.95

_WS_RE = re.compile(r"\s+")
_ATTACH_LINE_RE = re.compile(r"^\s*附\s*件")
_EXT_RE = re.compile(r"\.(?:pdf|docx?|xlsx?|wps|et|ofd|zip|rar)$", re.I)


def compact(text: str | None) -> str:
    """Text without whitespace: typesetting spaces never count."""
    return _WS_RE.sub("", text or "")


def similarity(a: str | None, b: str | None) -> float:
    """difflib ratio of two texts with all whitespace removed."""
    return difflib.SequenceMatcher(None, compact(a), compact(b), autojunk=False).ratio()


def body_proper(text: str, names: list[str]) -> str:
    """The extracted body without its 附件 list lines (``附件：…`` and the numbered names after it):
    the product keeps them in ``body_text``, the truth's body is the 正文 alone."""
    keys = [compact(n) for n in names if compact(n)]
    longest = max((len(k) for k in keys), default=0)
    kept = []
    for line in text.split("\n"):
        line_key = compact(line)
        if _ATTACH_LINE_RE.match(line):
            continue
        if keys and len(line_key) <= longest + 8 and any(k in line_key for k in keys):
            continue
        kept.append(line)
    return "\n".join(kept)


def file_key(name: str) -> str:
    """An attachment name compared without spaces or a file extension (a link text may add one)."""
    return _EXT_RE.sub("", compact(name))


def field_checks(got: ExtractedNotice | None, expected: Expected) -> dict[str, bool]:
    """Per-field verdicts for one page (all False when extraction refused the page)."""
    if got is None:
        return dict.fromkeys(FIELDS, False)
    names = [name for name, _ in expected.attachments]
    if expected.issuer is None:
        issuer_ok = got.extra.get("issuer_source") != "signature"
    else:
        issuer_ok = got.issuer == expected.issuer
    return {
        "title": compact(got.title) == compact(expected.title),
        "doc_number": got.doc_number == expected.doc_number,
        "publish_date": got.publish_date == expected.publish_date,
        "issuer": issuer_ok,
        "body": similarity(body_proper(got.body_text, names), expected.body) >= BODY_SIMILARITY,
        "attachments": sorted((file_key(a.name), a.url or "") for a in got.attachments)
        == sorted((file_key(name), url or "") for name, url in expected.attachments),
        "deadlines": sorted({d.date for d in got.deadlines}) == sorted(set(expected.deadlines)),
    }


def describe_miss(name: str, got: ExtractedNotice, expected: Expected) -> str:
    """What was extracted versus expected for one failed field, on one line."""
    if name == "body":
        names = [n for n, _ in expected.attachments]
        return f"similarity {similarity(body_proper(got.body_text, names), expected.body):.3f}"
    if name == "attachments":
        return f"{[(a.name, a.url) for a in got.attachments]} != {list(expected.attachments)}"
    if name == "deadlines":
        return f"{[d.date for d in got.deadlines]} != {list(expected.deadlines)}"
    return f"{getattr(got, name)!r} != {getattr(expected, name)!r}"
