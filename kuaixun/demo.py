"""``kuaixun demo``: the whole job offline, against the simulated government web.

Three crawls on a fresh store show the product's promise: everything on the first, nothing
new on the second, and exactly the one notice the simulator publishes before the third.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from kuaixun.config import Config, read_raw, validate
from kuaixun.service import EXIT_OK, EXIT_SOURCE_FAILED, crawl_and_report, digest_and_report
from simulator.server import GovWeb, GovWebThread
from store.db import Database

Echo = Callable[[str], None]
DEMO_CONFIG = "demo.yaml"
"""The demo's own config, kept beside its store so ``items`` and ``explain`` can read it."""


def demo_config(raw: dict[str, Any], web: GovWeb, workdir: Path) -> dict[str, Any]:
    """The operator's config with its sources pointed at the simulator and a fresh embedded store."""
    simulated = {site.name for site in web.sites}
    sources = [
        {**source, "listing_url": web.listing_url(source["name"])}
        for source in raw.get("sources", [])
        if source.get("name") in simulated
    ]
    return {
        **raw,
        "sources": sources,
        "data_dir": str(workdir / "data"),
        "out_dir": str(workdir / "out"),
        "store": {"url": f"sqlite:///{workdir / 'data' / 'demo.db'}"},
        # Loopback sites need no politeness; robots.txt would share one slot for all 21 ports.
        "crawl": {**raw.get("crawl", {}), "download_delay": 0, "obey_robots": False, "crawl_timeout": 300},
        "channels": {},
        "subscriptions": [],
        "subscribers": [],  # no real channel: the issues land in out/ only
    }


def run_demo(config_path: Path, workdir: Path, echo: Echo) -> int:
    raw = read_raw(config_path)
    workdir = workdir.resolve()
    with GovWebThread() as sim:
        demo_raw = demo_config(raw, sim.web, workdir)
        config = validate(demo_raw, f"{config_path.name} (demo)", workdir)
        echo(f"simulated government web: {len(config.sources)} sites on 127.0.0.1")
        _fresh(config)
        db = Database(config.store.url)
        try:
            status = _three_runs(config, db, sim.web, echo)
        finally:
            db.close()
    saved = config.data_dir / DEMO_CONFIG
    saved.write_text(yaml.safe_dump(demo_raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    echo(f"\nexplore the demo store: kuaixun --config {saved} items   (then: explain ID)")
    return status


def _fresh(config: Config) -> None:
    shutil.rmtree(config.out_dir, ignore_errors=True)
    shutil.rmtree(config.data_dir / "archive", ignore_errors=True)
    (config.data_dir / "demo.db").unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        (config.data_dir / f"demo.db{suffix}").unlink(missing_ok=True)


def _three_runs(config: Config, db: Database, web: GovWeb, echo: Echo) -> int:
    statuses = []
    echo("\n== run 1: first crawl of every source")
    statuses.append(crawl_and_report(config, echo, db=db))
    digest_and_report(config, echo, db=db)
    echo("\n== run 2: again, at once")
    statuses.append(crawl_and_report(config, echo, db=db))
    digest_and_report(config, echo, db=db)
    published = web.publish(1)
    echo(f"\n== the simulator publishes one more notice: {published[0]['title']}")
    echo("== run 3")
    statuses.append(crawl_and_report(config, echo, db=db))
    digest_and_report(config, echo, db=db)
    return EXIT_OK if all(s == EXIT_OK for s in statuses) else EXIT_SOURCE_FAILED
