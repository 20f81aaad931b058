"""The challenge marks (加速乐, 瑞数, C3VK …) were written against the simulator's gated sites: no
real page served by a government site, notice or listing, may be taken for a challenge."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from crawlers.middlewares import is_challenge

REAL_PAGES = Path(__file__).resolve().parents[2] / "shared" / "real-pages"


def test_no_real_page_is_taken_for_a_challenge() -> None:
    pages = sorted(REAL_PAGES.rglob("*.html"))
    if not pages:
        pytest.skip(f"real pages not available: {REAL_PAGES} (../shared is absent)")
    taken = [
        p.name
        for p in pages
        if is_challenge(HtmlResponse(url="https://www.gov.cn/a.html", body=p.read_bytes()))
    ]
    assert taken == []
