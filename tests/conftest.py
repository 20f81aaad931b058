"""Shared fixtures: the simulated government web on loopback and configs pointed at it."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from kuaixun.config import Config, read_raw, validate
from kuaixun.cycle import DigestFiles
from kuaixun.delivery import send_digest
from kuaixun.demo import demo_config
from simulator.server import GovWebThread
from store.db import Database
from tests.stores import drop_created, store_url

PROJECT = Path(__file__).resolve().parents[1]
SIM_TODAY = date(2019, 12, 31)
"""A day just after the simulator's newest notice (its web is the seeds' 2019), to date the crawl's
revisit window by: the notices published within ``crawl.revisit_days`` of it are fetched again."""


@pytest.fixture
def sim() -> Iterator[GovWebThread]:
    with GovWebThread() as running:
        yield running


def sim_config(sim: GovWebThread, workdir: Path, extra_sources: list[dict] | None = None) -> Config:
    """The shipped config.yaml pointed at the simulator, with a fresh store under ``workdir``."""
    raw = demo_config(read_raw(PROJECT / "config.yaml"), sim.web, workdir)
    raw["sources"] = raw["sources"] + (extra_sources or [])
    raw["store"] = {"url": store_url(workdir, raw["store"]["url"])}
    return validate(raw, "config.yaml (test)", workdir)


def shown_text(html: str) -> str:
    """The text a reader of ``html`` sees: tags gone (a title may hold a no-wrap span), entities read."""
    return html_lib.unescape(re.sub(r"<[^>]*>", "", html))


def publish_issue(config: Config, db: Database) -> DigestFiles | None:
    """``digest send`` as the product runs it; the new issue's files in ``out_dir``, or None."""
    return send_digest(config, db, lambda line: None).issue


@pytest.fixture(scope="session", autouse=True)
def _drop_test_databases() -> Iterator[None]:
    """On PostgreSQL, the databases the session created go when it ends."""
    yield
    drop_created()
