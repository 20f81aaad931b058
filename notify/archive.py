"""A rendered message kept on disk, so a retry or a resend sends exactly what was first sent.

A folder holds ``message.json`` (subject, bodies, summary, links, headers) and the
attachment files it names. The manifest is written last and atomically: a folder without
one was never finished.
"""

from __future__ import annotations

import json
import os
from dataclasses import fields
from pathlib import Path

from notify.outgoing import FileAttachment, Link, Outgoing

MANIFEST = "message.json"
NESTED = ("links", "attachments")
"""Outgoing's fields of records, written as lists of objects (attachments without their data)."""


def save(folder: Path, message: Outgoing) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for attachment in message.attachments:
        (folder / Path(attachment.name).name).write_bytes(attachment.data)
    # Field by field, not asdict (which deep-copies every body); compact: an alert run writes
    # thousands of these, and nothing but load() reads them.
    manifest = {
        **{f.name: getattr(message, f.name) for f in fields(message) if f.name not in NESTED},
        "links": [{"title": link.title, "url": link.url} for link in message.links],
        "attachments": [{"name": a.name, "content_type": a.content_type} for a in message.attachments],
    }
    partial = folder / (MANIFEST + ".part")
    partial.write_bytes(json.dumps(manifest, ensure_ascii=False, separators=(",", ":")).encode())
    os.replace(partial, folder / MANIFEST)


def exists(folder: Path) -> bool:
    return (folder / MANIFEST).is_file()


def load(folder: Path) -> Outgoing:
    """The message saved in ``folder``; FileNotFoundError if it was never finished."""
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    attachments = tuple(
        FileAttachment(a["name"], a["content_type"], (folder / Path(a["name"]).name).read_bytes())
        for a in manifest.pop("attachments")
    )
    links = tuple(Link(**link) for link in manifest.pop("links"))
    return Outgoing(**manifest, links=links, attachments=attachments)
