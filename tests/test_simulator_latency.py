"""The simulator's latency knob: every answer waits, as a distant government server's does."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time

import httpx
import pytest

from simulator.server import GovWeb, GovWebThread

LATENCY = 0.3
"""Seconds: long enough to see against loopback's sub-millisecond answers."""


def test_every_answer_waits_at_least_the_latency() -> None:
    """A lower bound only: a loaded machine makes answers later, never earlier (no timed assertion)."""
    with GovWebThread(latency=LATENCY) as sim:
        web = sim.web
        listing = web.listing_url("ndrc")
        page = web.url_of(web.published_pages(web.site("ndrc"))[0])

        async def fetch_all() -> list[tuple[int, float]]:
            async with httpx.AsyncClient(timeout=30) as client:

                async def timed(url: str) -> tuple[int, float]:
                    start = time.perf_counter()
                    response = await client.get(url)
                    return response.status_code, time.perf_counter() - start

                return await asyncio.gather(*(timed(url) for url in (listing, page, page + ".missing")))

        answers = asyncio.run(fetch_all())
    assert [status for status, _ in answers] == [200, 200, 404]  # errors wait too
    assert all(seconds >= LATENCY for _, seconds in answers), answers


def test_no_latency_by_default_and_a_negative_one_is_refused() -> None:
    assert GovWeb(held_back=0).latency == 0
    with pytest.raises(ValueError, match="latency"):
        GovWeb(latency=-0.1)


def test_the_command_line_refuses_a_negative_latency() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "simulator", "--latency", "-5"], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 2
    assert "--latency must be 0 or more" in run.stderr
