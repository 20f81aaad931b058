"""``kuaixun add-source URL``: read a listing as the crawl would, and propose its config entry.

The listing is fetched through the same path as ``kuaixun listing URL`` (Scrapy, the crawl's
settings, the origin guard) or read from a saved file; its family is the one that recognised it.
``--write`` inserts the entry as text at the end of config.yaml's ``sources:`` block: the file is
never re-dumped from a parsed mapping, so its comments, order and quoting stay as they were.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from crawlers.listings import Listing
from kuaixun.config import ConfigError, load_extraction_config, read_raw

NAME_PART = re.compile(r"[^a-z0-9]+")
HOST_NOISE = ("www.", ".gov.cn", ".org.cn", ".com.cn", ".cn", ".com")
"""Parts of a host that say nothing about the agency (``www.ndrc.gov.cn`` → ``ndrc``)."""
PAGE_NAMES = {"index", "list", "default", "col"}
"""File names that say nothing about the column (``…/tzgg/index.html`` → ``tzgg``)."""
SOURCES_KEY = re.compile(r"^sources\s*:\s*(?:#.*)?$")
TOP_LEVEL_KEY = re.compile(r"^[A-Za-z_][\w-]*\s*:")
ITEM_LINE = re.compile(r"^(?P<indent>\s+)-\s")


class AddSourceError(Exception):
    """Why the entry cannot be proposed or written, for the operator."""


@dataclass(frozen=True)
class SourceEntry:
    """The config entry proposed for a listing."""

    name: str
    agency: str
    region: str
    family: str | None
    listing_url: str

    def yaml(self, indent: str = "  ") -> str:
        """One flow-style list item; values JSON-quoted, which YAML reads as double-quoted scalars."""
        fields = {"name": self.name, "agency": self.agency, "region": self.region}
        if self.family:
            fields["family"] = self.family
        fields["listing_url"] = self.listing_url
        inner = ", ".join(f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in fields.items())
        return f"{indent}- {{{inner}}}"


def default_name(url: str) -> str:
    """A source name from the URL: the host's own part and the column's folder (``ndrc-tz``)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    for noise in HOST_NOISE:
        host = host.removeprefix(noise) if noise.endswith(".") else host.removesuffix(noise)
    folders = [p for p in parts.path.split("/") if p and p.split(".")[0].lower() not in PAGE_NAMES]
    column = folders[-1].split(".")[0] if folders else ""
    name = NAME_PART.sub("-", f"{host}-{column}".lower()).strip("-")
    return name or "source"


def propose(listing: Listing, url: str, name: str | None, agency: str | None, region: str) -> SourceEntry:
    """The entry for a listing that was read; an error when it shows no notice list."""
    if not listing.entries:
        raise AddSourceError(f"{url}: {listing.explain()}")
    return SourceEntry(name or default_name(url), agency or "", region, listing.family, url)


def describe(listing: Listing, entry: SourceEntry) -> list[str]:
    """What the crawl would read: the family, each entry, the next page, then the snippet."""
    lines = [f"family: {entry.family or 'none (sniffed at each crawl)'}", f"entries: {len(listing.entries)}"]
    lines += [f"  {e.date_text or '-':<12} {e.title}  {e.url}" for e in listing.entries]
    lines.append(f"next page: {listing.next_page.url if listing.next_page else 'none'}")
    lines += ["", "config.yaml, under sources:", entry.yaml()]
    if not entry.agency:
        lines.append("  (fill in agency: the 发布机关, e.g. 国家发展改革委; and region: if not 全国)")
    return lines


def write_entry(config_path: Path, entry: SourceEntry) -> None:
    """Insert ``entry`` at the end of the file's ``sources:`` block, refusing a name already there.

    The new text must load as a valid config holding the entry, or the file is left untouched."""
    if not entry.agency:
        raise AddSourceError("--write needs --agency (the 发布机关 the notices are filed under)")
    names = [str(s.get("name")) for s in read_raw(config_path).get("sources") or [] if isinstance(s, dict)]
    if entry.name in names:
        raise AddSourceError(
            f"{config_path}: a source named {entry.name!r} exists already; give another --name"
        )
    text = config_path.read_text(encoding="utf-8")
    updated = insert_source(text, entry)
    _replace_checked(config_path, updated, entry)


def check_writable(config_path: Path, name: str, agency: str | None) -> None:
    """Why ``--write`` cannot add a source of this name (checked before anything is fetched)."""
    if not agency:
        raise AddSourceError("--write needs --agency (the 发布机关 the notices are filed under)")
    names = [str(s.get("name")) for s in read_raw(config_path).get("sources") or [] if isinstance(s, dict)]
    if name in names:
        raise AddSourceError(f"{config_path}: a source named {name!r} exists already; give another --name")


def insert_source(text: str, entry: SourceEntry) -> str:
    """The file's text with ``entry`` after the last item of its ``sources:`` block (a new block
    at the end when there is none)."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if SOURCES_KEY.match(line)), None)
    if start is None:
        if re.search(r"^sources\s*:", text, re.M):
            raise AddSourceError(
                "sources: is written inline (e.g. `sources: []`): make it a block list first"
            )
        ending = "" if not text or text.endswith("\n") else "\n"
        return f"{text}{ending}sources:\n{entry.yaml()}\n"
    last_item, indent = start, "  "
    for i in range(start + 1, len(lines)):
        line = lines[i]
        if TOP_LEVEL_KEY.match(line):
            break
        item = ITEM_LINE.match(line)
        if item:
            indent = item.group("indent")
        if line.strip() and not line.lstrip().startswith("#"):
            last_item = i
    position = last_item + 1
    newline = "" if lines[last_item].endswith("\n") else "\n"
    return "".join([*lines[:position], newline, entry.yaml(indent), "\n", *lines[position:]])


def _replace_checked(config_path: Path, updated: str, entry: SourceEntry) -> None:
    """Write ``updated`` over the file atomically, once it is known to load with the entry."""
    folder = config_path.resolve().parent
    handle, temporary = tempfile.mkstemp(prefix=".add-source-", suffix=".yaml", dir=folder)
    scratch = Path(temporary)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(updated)
        try:
            config = load_extraction_config(scratch)
        except ConfigError as exc:
            raise AddSourceError(f"the entry would break {config_path.name}, left unchanged: {exc}") from None
        written = next((s for s in config.sources if s.name == entry.name), None)
        if written is None or written.listing_url != entry.listing_url:
            raise AddSourceError(f"{config_path.name}: the entry could not be placed; add it by hand")
        os.chmod(scratch, config_path.stat().st_mode & 0o7777)
        os.replace(scratch, config_path)
    finally:
        scratch.unlink(missing_ok=True)
