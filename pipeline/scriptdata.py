"""Notices whose text sits only in the page's scripts: JS-built detail pages.

Some platforms (意见征集 systems, SPA portals) serve a shell whose body elements are empty and put
the article in an inline ``<script>`` as data (``window._CONFIG = {…, question_data: {"article":
{"title": …, "content": "<p>…</p>", "published_at": …}}}``). The browser renders it; a reader
of the HTML must read the data. JSON object literals are decoded wherever a script assigns or
passes one, and the HTML string holding the most prose (sentence punctuation: not a footer or
a menu template) is taken as the article's content, with the title and date its own object (or
the nearest enclosing one) gives.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from lxml import etree

_OBJECT_START_RE = re.compile(r"[=:(,\[]\s*(\{\s*\")")
"""Where a JSON object literal starts in a script: after an assignment, a key, an argument."""
_MARKUP_RE = re.compile(r"<(?:p|div|br|span|table|h[1-6]|li)\b", re.I)
_TAG_RE = re.compile(r"<[^>]*>")
_PROSE_RE = re.compile(r"[，。；]")
MIN_SENTENCES = 3
"""Fewer sentence marks than this in a data string: a label, a teaser or a footer, not the article."""
MAX_SCRIPT_CHARS = 2_000_000
"""Longer scripts are libraries, not page data."""
_TITLE_KEYS = ("title", "docTitle", "articleTitle", "subject", "name")
_DATE_KEYS = (
    "published_at", "publishedAt", "publish_time", "publishTime", "publishDate", "pubDate", "pubdate",
    "release_time", "releaseTime", "docPubTime", "created_at", "createTime",
)  # fmt: skip


@dataclass(frozen=True)
class ScriptArticle:
    """The article a page's script data holds."""

    html: str
    """The content as the HTML the page would have rendered."""
    title: str | None = None
    date: str | None = None
    """The publication time as the data writes it (raw)."""


def script_article(root: etree._Element) -> ScriptArticle | None:
    """The article in the page's inline script data, or None when no script holds one."""
    best: tuple[int, str, list[dict[str, Any]]] | None = None
    for script in root.iter("script"):
        text = script.text or ""
        if len(text) > MAX_SCRIPT_CHARS or "{" not in text:
            continue
        for data in json_objects(text):
            for chain, value in _markup_strings(data, []):
                size = len(_PROSE_RE.findall(_TAG_RE.sub("", value)))
                if size >= MIN_SENTENCES and (best is None or size > best[0]):
                    best = (size, value, chain)
    if best is None:
        return None
    _, html, chain = best
    return ScriptArticle(html=html, title=_nearest(chain, _TITLE_KEYS), date=_nearest(chain, _DATE_KEYS))


def json_objects(script: str) -> Iterator[Any]:
    """Every top-level JSON object literal in a script's text (JS object syntax is skipped)."""
    decoder = json.JSONDecoder()
    consumed = 0
    for m in _OBJECT_START_RE.finditer(script):
        start = m.start(1)
        if start < consumed:
            continue  # inside an object already decoded
        try:
            data, end = decoder.raw_decode(script, start)
        except ValueError:
            continue
        consumed = end
        yield data


def _markup_strings(data: Any, chain: list[dict[str, Any]]) -> Iterator[tuple[list[dict[str, Any]], str]]:
    """(enclosing objects, innermost last; value) for every string that is HTML markup."""
    if isinstance(data, dict):
        inner = [*chain, data]
        for value in data.values():
            if isinstance(value, str):
                if _MARKUP_RE.search(value):
                    yield inner, value
            else:
                yield from _markup_strings(value, inner)
    elif isinstance(data, list):
        for value in data:
            yield from _markup_strings(value, chain)


def _nearest(chain: list[dict[str, Any]], keys: tuple[str, ...]) -> str | None:
    """The first non-empty string under one of ``keys`` in the innermost object that has one."""
    for data in reversed(chain):
        for key in keys:
            value = data.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
    return None
