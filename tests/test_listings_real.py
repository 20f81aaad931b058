"""The listing reader on real government listing pages nobody here wrote (``../shared/real-pages``).

Scored by the shared scorer itself (``../shared/tools/score_listings.py``), whose page runner is
pointed at ``kuaixun listing``'s own code in this process instead of a subprocess per page: the
same truth, the same URL resolution, the same figures as
``score_listings.py '.venv/bin/kuaixun listing {file} --url {url}'``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from crawlers.probe import listing_from_file, listing_json

SHARED = Path(__file__).resolve().parents[2] / "shared"
LISTINGS = SHARED / "real-pages" / "listings"
SCORER = SHARED / "tools" / "score_listings.py"
MIN_PRECISION = 98.0
MIN_RECALL = 98.0
SUMMARY = re.compile(
    r"entries precision (?P<precision>[\d.]+)% recall (?P<recall>[\d.]+)%, "
    r"pages exact (?P<exact>\d+)/(?P<pages>\d+), next page (?P<next_ok>\d+)/(?P<next_n>\d+)"
)

pytestmark = pytest.mark.skipif(
    not (LISTINGS / "listings_truth.json").exists() or not SCORER.exists(),
    reason=f"real listing pages or their scorer absent ({SHARED} not mounted)",
)


def _scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("score_listings", SCORER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _read(_template: str, path: str, url: str) -> dict[str, Any]:
    return listing_json(listing_from_file(Path(path), url))


def test_real_listing_pages_meet_the_floors(monkeypatch: pytest.MonkeyPatch) -> None:
    scorer = _scorer()
    monkeypatch.setattr(scorer, "run", _read)
    monkeypatch.setattr(sys, "argv", ["score_listings.py", "in-process", "--dir", str(LISTINGS), "-v"])
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        scorer.main()
    print(out.getvalue())
    figures = SUMMARY.search(out.getvalue())
    assert figures is not None, out.getvalue()
    assert float(figures["precision"]) >= MIN_PRECISION
    assert float(figures["recall"]) >= MIN_RECALL
    assert figures["next_ok"] == figures["next_n"], "a page with a next page was not paged"
