"""The Atom feed (RFC 4287) of stored notices: one entry per notice, its newest version.

Built with ElementTree, so every scraped string is escaped as XML text; characters XML 1.0
cannot carry at all (control characters a page may hold) are dropped first. An entry's id is
derived from the notice's URL, so it stays the same across revisions and rebuilt stores; its
``updated`` is when the newest version was stored.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from notify.escape import safe_url
from store.search import SearchHit

ATOM = "http://www.w3.org/2005/Atom"
CONTENT_TYPE = "application/atom+xml; charset=utf-8"
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: object) -> str:
    """``value`` as text XML 1.0 can hold (no control characters, no lone surrogates)."""
    return _NOT_XML.sub("", str(value or ""))


def notice_uuid(url: str) -> str:
    """A notice's lasting identity, the same in every feed and calendar: ``urn:uuid:`` of its URL."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, url))


def rfc3339(moment: datetime) -> str:
    """A naive UTC time (as the store keeps them) as ``2026-11-02T09:30:00Z``."""
    return moment.replace(tzinfo=UTC, microsecond=0).isoformat().replace("+00:00", "Z")


def atom_feed(
    hits: Sequence[SearchHit], *, title: str, feed_url: str, home_url: str, author: str, now: datetime
) -> bytes:
    """The feed document; ``feed_url`` is its own address (also its id), ``now`` its time when empty."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "zh-CN"})
    _add(feed, "id", f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, feed_url)}")
    _add(feed, "title", title)
    _add(feed, "updated", rfc3339(max((hit.revised_at for hit in hits), default=now)))
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", type="application/atom+xml", href=feed_url)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=home_url)
    _add(ET.SubElement(feed, f"{{{ATOM}}}author"), "name", author)
    _add(feed, "generator", "Kuaixun")
    for hit in hits:
        _entry(feed, hit)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _entry(feed: ET.Element, hit: SearchHit) -> None:
    record, notice = hit.record, hit.notice
    entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
    _add(entry, "id", f"urn:uuid:{notice_uuid(notice.url)}")
    _add(entry, "title", record.title)
    _add(entry, "updated", rfc3339(hit.revised_at))
    if record.publish_date:
        _add(entry, "published", f"{record.publish_date}T00:00:00+08:00")  # 成文日期: a day in China
    link = safe_url(notice.url)
    if link:
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=link)
    if record.agency:
        _add(ET.SubElement(entry, f"{{{ATOM}}}author"), "name", record.agency)
    if notice.category:
        ET.SubElement(entry, f"{{{ATOM}}}category", term=xml_text(notice.category))
    _add(entry, "summary", _summary(hit))
    _add(entry, "content", record.body_text, type="text")


def _summary(hit: SearchHit) -> str:
    record = hit.record
    facts = [
        f"[{hit.notice.category}]",
        record.agency or "",
        record.doc_number or "",
        record.publish_date or "",
        f"截止 {record.earliest_deadline}" if record.earliest_deadline else "",
        "（更新）" if hit.version > 1 else "",
    ]
    return " ".join(filter(None, facts))


def _add(parent: ET.Element, name: str, value: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{name}", attributes)
    element.text = xml_text(value)
    return element
