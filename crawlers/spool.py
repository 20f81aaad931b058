"""The spool: a JSON-lines file the crawl process writes and the pipeline reads.

It decouples the Scrapy process from the store, and keeps fetched pages on disk until the
pipeline has stored them: the parent ingests the spool as it grows, deletes it only once all of
it is stored, and a spool left behind by a crash is replayed at the start of the next crawl.
The writer holds an exclusive ``flock`` on it while it writes, so a replay never reads a spool
that a still-running crawl process is appending to (the kernel frees the lock when it dies).
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import time
from collections.abc import Iterator
from dataclasses import asdict, fields
from pathlib import Path
from typing import IO

from crawlers.conditional import FreshValidators
from crawlers.items import FetchedPage, SourceReport

SPOOL_MODE = 0o600
SPOOL_GLOB = "crawl-*.jsonl"
"""A crawl's spool in the spool folder: ``crawl-<stamp>.jsonl`` (its job file: ``.json``)."""
JOB_GLOB = "crawl-*.json"
FSYNC_INTERVAL = 1.0
"""Seconds between two fsyncs of a page: a power cut loses at most a second of fetching, and a
crawl of thousands of pages does not wait on the disk for each (a finished source always syncs)."""

SpoolItem = FetchedPage | SourceReport | FreshValidators


class SpoolWriter:
    """Appends pages and reports, one JSON object per line, flushed as it goes, under a flock."""

    def __init__(self, path: Path) -> None:
        # 0600: the spool holds whole fetched pages until the pipeline has read them.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, SPOOL_MODE)
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        self._file: IO[str] = os.fdopen(descriptor, "a", encoding="utf-8")
        self._synced = time.monotonic()

    def write(self, item: SpoolItem) -> None:
        self._file.write(encode(item))
        self._file.flush()  # a kill -9 of either process loses nothing flushed: the kernel has it
        if isinstance(item, SourceReport) or time.monotonic() - self._synced > FSYNC_INTERVAL:
            self._sync()

    def close(self) -> None:
        self._file.flush()
        self._sync()
        self._file.close()

    def _sync(self) -> None:
        os.fsync(self._file.fileno())
        self._synced = time.monotonic()


def encode(item: SpoolItem) -> str:
    """One spool line."""
    if isinstance(item, FetchedPage):  # flat: its fields as they are (asdict would deep-copy the body)
        data = {f.name: getattr(item, f.name) for f in fields(item)}
        data |= {"kind": "page", "body": base64.b64encode(item.body).decode("ascii")}
    elif isinstance(item, FreshValidators):
        data = {"kind": "validators", "item": asdict(item)}
    else:
        data = asdict(item) | {"kind": "report"}
    return json.dumps(data, ensure_ascii=False) + "\n"


def decode(line: bytes) -> SpoolItem | None:
    """The item of one spool line; None for a line that is not one (torn by a crash)."""
    try:
        data = json.loads(line)
        kind = data.pop("kind")
        if kind == "page":
            data["body"] = base64.b64decode(data["body"])
            return FetchedPage(**data)
        if kind == "validators":
            return FreshValidators.of(**data["item"])
        return SourceReport(**data)
    except (ValueError, KeyError, TypeError):
        return None


class SpoolTail:
    """Reads the complete lines added to a spool since the last look, one item at a time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0

    def items(self) -> Iterator[SpoolItem]:
        """The items written since the last call; a line still being written waits for the next."""
        if not self.path.exists():
            return
        with self.path.open("rb") as handle:
            handle.seek(self.offset)
            for line in handle:
                if not line.endswith(b"\n"):
                    return
                self.offset += len(line)
                item = decode(line)
                if item is not None:
                    yield item


def read_spool(path: Path) -> Iterator[SpoolItem]:
    """Every item of a spool, in the order written; a torn last line (crash) is skipped."""
    return SpoolTail(path).items()


def being_written(path: Path) -> bool:
    """Whether a crawl process still holds ``path`` open for writing (its flock)."""
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)  # also releases the shared lock just taken
    return False


def leftovers(folder: Path, glob: str = SPOOL_GLOB) -> list[Path]:
    """Spools (or job files) a crawl left in ``folder``, oldest first (their names carry the time)."""
    return sorted(folder.glob(glob))
