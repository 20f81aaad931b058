"""Ground truth: what a perfect crawler + extractor would produce from the simulated web.

One record per published page (notices, news items, the PDF-only notice), with sim URLs so
that the product's output can be compared record by record.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.catalog import NEWS, Page

if TYPE_CHECKING:
    from simulator.server import GovWeb

NEWS_CATEGORY = "其他"


def truth_entry(web: GovWeb, page: Page) -> dict[str, Any]:
    """The record of one page."""
    seed = page.seed
    base = web.base_url(page.site.name)
    return {
        "source_url": base + page.path,
        "original_url": page.original_url,
        "site": page.site.name,
        "family": page.site.family,
        "encoding": page.site.encoding,
        "kind": page.kind,
        "title": page.title,
        "doc_number": seed.doc_number if seed else None,
        "publish_date": page.day.isoformat(),
        "issuer": "、".join(seed.signers) if seed else "",
        "addressee": seed.addressee if seed else None,
        "body_text": "\n".join(page.paragraphs),
        "annex_text": "\n".join(seed.annex) if seed else "",
        "attachments": [{"name": a.name, "url": base + a.path if a.path else None} for a in page.attachments],
        "deadlines": list(seed.deadlines) if seed else [],
        "category": seed.section if seed and page.kind != NEWS else NEWS_CATEGORY,
    }


def ground_truth(web: GovWeb) -> list[dict[str, Any]]:
    """One record per currently published page, site by site, newest first."""
    return [truth_entry(web, p) for p in web.published()]


def write_truth(web: GovWeb, path: str | Path) -> None:
    Path(path).write_text(json.dumps(ground_truth(web), ensure_ascii=False, indent=1), encoding="utf-8")
