"""A city bureau's site whose pages are pasted from Word: ``MsoNormal`` paragraphs split into
runs of ``<span>`` (Latin and digits in ``lang="EN-US"`` runs), ``<o:p>`` fillers, right-aligned
signature paragraphs, and a plain ``ul`` list as the column page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aiohttp import web

from simulator.body import body_blocks
from simulator.catalog import FLAG_NO_SOURCE, Page
from simulator.families.base import Family, add_plain_listing
from simulator.view import SiteView

_LATIN_RE = re.compile(r"[0-9A-Za-z.%\-]+")


@dataclass(frozen=True)
class Run:
    """One ``<span>`` of a Word paragraph."""

    text: str
    latin: bool


def word_runs(text: str) -> list[Run]:
    """``text`` cut where Word starts a new run: at every change between CJK and Latin/digits."""
    runs: list[Run] = []
    last = 0
    for found in _LATIN_RE.finditer(text):
        if found.start() > last:
            runs.append(Run(text[last : found.start()], False))
        runs.append(Run(found.group(0), True))
        last = found.end()
    if last < len(text):
        runs.append(Run(text[last:], False))
    return runs


class WordPasteFamily(Family):
    name = "wordpaste"

    def add_routes(self, app: web.Application, view: SiteView) -> None:
        add_plain_listing(app, view, "wordpaste/listing.html")

    def detail(self, view: SiteView, page: Page) -> web.Response:
        html = view.render(
            "wordpaste/detail.html",
            page=page,
            blocks=body_blocks(page),
            links=[a.path for a in page.attachments],
            files=[(a.path, a.filename) for a in page.attachments if a.path],
            source="" if FLAG_NO_SOURCE in page.flags else view.site.agency,
            word_runs=word_runs,
            title=page.title,
        )
        return view.html(html)
