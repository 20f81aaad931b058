"""A store built from the simulated web through the processing path (no crawl), and the desk's
Starlette app on it for the public pages' tests."""

from __future__ import annotations

import httpx

from crawlers.items import FetchedPage
from kuaixun.config import Config
from kuaixun.ingest import ingest
from simulator.server import GovWeb
from simulator.truth import ground_truth
from store.db import Database


def store_page(config: Config, db: Database, client: httpx.Client, url: str, site: str) -> None:
    """Fetch one page of the simulated web and store it as a crawl does (new, revised or unchanged)."""
    response = client.get(url)
    page = FetchedPage(
        source=site,
        url=url,
        final_url=str(response.url),
        status=response.status_code,
        content_type=response.headers.get("content-type"),
        body=response.content,
    )
    ingest(config, db, [page])


def store_web(config: Config, db: Database, web: GovWeb) -> int:
    """Every published page of ``web`` stored; how many pages there were."""
    truth = ground_truth(web)
    with httpx.Client() as client:
        for entry in truth:
            store_page(config, db, client, entry["source_url"], entry["site"])
    return len(truth)
