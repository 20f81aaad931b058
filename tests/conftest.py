"""Shared fixtures: the simulated government web on loopback and configs pointed at it.

``make test`` runs the suite on two pytest-xdist workers (whole files per worker): a session fixture
is made once per worker process, so each worker holds its own ports, its own crawled template and its
own PostgreSQL databases, and nothing here is shared between workers.
"""

from __future__ import annotations

import html as html_lib
import re
import socket
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from kuaixun.config import Config, read_raw, validate
from kuaixun.cycle import DigestFiles, crawl
from kuaixun.delivery import send_digest
from kuaixun.demo import demo_config
from simulator.server import GovWebThread
from simulator.sites import SITES
from store.db import Database
from tests.stores import copy_store, drop_created, store_url

PROJECT = Path(__file__).resolve().parents[1]
SIM_TODAY = date(2019, 12, 31)
"""A day just after the simulator's newest notice (its web is the seeds' 2019), to date the crawl's
revisit window by: the notices published within ``crawl.revisit_days`` of it are fetched again."""


@pytest.fixture(scope="session")
def sim_ports() -> Iterator[dict[str, int]]:
    """One port per simulated site, held for the session (one set per xdist worker): every test's
    simulator serves at the same addresses, so the store crawled once (``crawled_template``) holds its URLs.

    Each port is bound (SO_REUSEADDR, never listening) for the whole session, so the kernel hands
    it to no other socket; a simulator started on it listens beside the reservation.
    """
    reserved = []
    for _ in SITES:
        held = socket.socket()
        held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        held.bind(("127.0.0.1", 0))
        reserved.append(held)
    yield {site.name: held.getsockname()[1] for site, held in zip(SITES, reserved, strict=True)}
    for held in reserved:
        held.close()


@pytest.fixture
def sim(sim_ports: dict[str, int]) -> Iterator[GovWebThread]:
    with GovWebThread(ports=sim_ports) as running:
        yield running


@pytest.fixture(scope="session")
def crawled_template(sim_ports: dict[str, int], tmp_path_factory: pytest.TempPathFactory) -> str:
    """The store URL of one full crawl of the simulator, made once per session (per xdist worker: its
    URLs carry that worker's ``sim_ports``): copy it (``crawled_config``, ``copy_store``), never write it."""
    workdir = tmp_path_factory.mktemp("crawled")
    with GovWebThread(ports=sim_ports) as running:
        config = sim_config(running, workdir)
        db = Database(config.store.url)
        try:
            result = crawl(config, db)
        finally:
            db.close()
    assert all(o.status == "ok" for o in result.outcomes), [o.line() for o in result.outcomes]
    return config.store.url


@pytest.fixture
def crawled_config(sim: GovWebThread, crawled_template: str, tmp_path: Path) -> Config:
    """``sim_config`` whose store already holds a first full crawl of ``sim`` (copied, not crawled)."""
    config = sim_config(sim, tmp_path)
    copy_store(crawled_template, config.store.url)
    return config


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
