"""The spool: a JSON-lines file the crawl process writes and the pipeline reads.

It decouples the Scrapy process from the store, and keeps fetched pages on disk if
processing stops half-way.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import IO

from crawlers.conditional import FreshValidators
from crawlers.items import FetchedPage, SourceReport

SPOOL_MODE = 0o600
SpoolItem = FetchedPage | SourceReport | FreshValidators


class SpoolWriter:
    """Appends pages and reports, one JSON object per line, flushed as it goes."""

    def __init__(self, path: Path) -> None:
        # 0600: the spool holds whole fetched pages until the pipeline has read them.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, SPOOL_MODE)
        self._file: IO[str] = os.fdopen(descriptor, "a", encoding="utf-8")

    def write(self, item: SpoolItem) -> None:
        if isinstance(item, FetchedPage):
            data = asdict(item) | {"kind": "page", "body": base64.b64encode(item.body).decode("ascii")}
        elif isinstance(item, FreshValidators):
            data = {"kind": "validators", "item": asdict(item)}
        else:
            data = asdict(item) | {"kind": "report"}
        self._file.write(json.dumps(data, ensure_ascii=False) + "\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()


def read_spool(path: Path) -> Iterator[SpoolItem]:
    """Every item of a spool, in the order written; a torn last line (crash) is skipped."""
    if not path.exists():
        return
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            try:
                data = json.loads(line)
            except json.JSONDecodeError:
                continue
            kind = data.pop("kind")
            if kind == "page":
                data["body"] = base64.b64decode(data["body"])
                yield FetchedPage(**data)
            elif kind == "validators":
                yield FreshValidators.of(**data["item"])
            else:
                yield SourceReport(**data)
