"""The simulator's scale knob: more notices generated from the seeds, listed on the sites' pagers."""

from __future__ import annotations

import html
import re
from datetime import date
from urllib.parse import urljoin

import httpx
import pytest

from simulator.catalog import seed_date
from simulator.scale import scaled_seeds
from simulator.seeds import load_seeds
from simulator.server import GovWeb, GovWebThread

EXTRA = 300


def test_generated_notices_are_notices_of_their_own() -> None:
    seeds = load_seeds()
    scaled = scaled_seeds(seeds, EXTRA)
    generated = scaled[len(seeds) :]
    assert scaled[: len(seeds)] == seeds
    assert len(generated) == EXTRA
    assert len({s.title for s in scaled}) == len(scaled)
    numbered = [s for s in scaled if s.doc_number]
    assert len({s.doc_number for s in numbered}) == len(numbered)
    for n, notice in enumerate(generated):
        assert date.fromisoformat(notice.date or "") < seed_date(seeds[n % len(seeds)])


def test_a_negative_scale_is_refused() -> None:
    with pytest.raises(ValueError, match="scale"):
        scaled_seeds(load_seeds(), -1)


def test_every_generated_page_is_listed_on_its_sites_pager() -> None:
    """ndrc's TRS pager (index.html, index_1.html …) links exactly the site's published pages."""
    with GovWebThread(scale=EXTRA) as sim, httpx.Client(timeout=10) as client:
        web: GovWeb = sim.web
        site = web.site("ndrc")
        expected = {web.url_of(p) for p in web.published_pages(site)}
        listing = web.listing_url("ndrc")
        listed: set[str] = set()
        for n in range(100):
            url = listing if n == 0 else urljoin(listing, f"index_{n}.html")
            response = client.get(url)
            if response.status_code == 404:
                break
            hrefs = re.findall(r'href="([^"]*/t\d{8}_\d+\.html)"', html.unescape(response.text))
            listed |= {urljoin(url, href) for href in hrefs}
        detail = client.get(sorted(expected)[0])
    unscaled = sum(p.site.name == "ndrc" for p in GovWeb().catalog.pages)
    assert len(expected) > unscaled + 5  # the generated pages are there
    assert listed == expected
    assert detail.status_code == 200
