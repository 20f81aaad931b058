"""``kuaixun demo``: the whole job offline, against the simulated government web.

Three crawls on a fresh store show the product's promise: everything on the first, nothing
new on the second, and exactly the one notice the simulator publishes before the third.
Everything it writes goes into its own working folder (``./demo/`` by default), which it marks
as its own: it never touches the operator's ``data/`` or ``out/``, and refuses a folder it did not make.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from kuaixun.config import Config, read_raw, validate
from kuaixun.service import EXIT_OK, EXIT_SOURCE_FAILED, crawl_and_report, digest_and_report
from kuaixun.web.passwords import hash_password
from simulator.server import GovWeb, GovWebThread
from store.db import Database

Echo = Callable[[str], None]
DEMO_CONFIG = "demo.yaml"
"""The demo's own config, kept beside its store so ``items`` and ``explain`` can read it."""
MARKER = ".kuaixun-demo"
"""Written into the working folder the demo creates: the proof that the folder is the demo's."""
CREATED = ("data", "out")
"""What the demo creates in its folder, and so all that a re-run may clear."""
DEMO_EDITOR, DEMO_PASSWORD = "editor", "kuaixun-demo"
"""The desk's demo login (README): a demo store holds nothing private."""


class DemoRefused(Exception):
    """The working folder is not the demo's to use, phrased for the operator."""


def prepare_workdir(workdir: Path) -> None:
    """Make ``workdir`` the demo's (new or empty) or clear what an earlier demo wrote there."""
    if workdir.exists() and not workdir.is_dir():
        raise DemoRefused(f"{workdir} is not a folder")
    marked = (workdir / MARKER).is_file()
    if workdir.exists() and any(workdir.iterdir()) and not marked:
        raise DemoRefused(
            f"{workdir} is not empty and was not made by `kuaixun demo` (it has no {MARKER}): "
            "the demo writes only into a new or empty folder, or one of its own; give another --workdir"
        )
    workdir.mkdir(parents=True, exist_ok=True)
    for name in CREATED:
        shutil.rmtree(workdir / name, ignore_errors=True)
    (workdir / MARKER).write_text(
        "Made by `kuaixun demo`: a re-run may clear this folder's data/ and out/.\n", encoding="utf-8"
    )


def demo_config(raw: dict[str, Any], web: GovWeb, workdir: Path) -> dict[str, Any]:
    """The operator's config with its sources pointed at the simulator and a fresh embedded store.

    A source whose host the simulator serves reads the same path there; the others are left out."""
    sources = [
        {**source, "listing_url": simulated}
        for source in raw.get("sources", [])
        if (simulated := web.simulated_url(str(source.get("listing_url", "")))) is not None
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


def with_desk(raw: dict[str, Any]) -> dict[str, Any]:
    """The demo's config with the editor's desk: issues wait for her approval, a demo login, public pages."""
    return {
        **raw,
        "digest": {**raw.get("digest", {}), "approval": "required"},
        "web": {
            "public": True,
            "secret": secrets.token_urlsafe(32),  # this demo's own: kept only in its demo.yaml
            "accounts": [{"user": DEMO_EDITOR, "password_hash": hash_password(DEMO_PASSWORD)}],
        },
    }


def run_demo(config_path: Path, workdir: Path, echo: Echo, live: bool = False) -> int:
    """The three runs in ``workdir``, reading the operator's config and writing nothing beside it."""
    raw = read_raw(config_path)
    workdir = workdir.resolve()
    prepare_workdir(workdir)
    with GovWebThread() as sim:
        demo_raw = with_desk(demo_config(raw, sim.web, workdir))
        config = validate(demo_raw, f"{config_path.name} (demo)", workdir)
        sites, sources = len(sim.web.sites), len(config.sources)
        echo(f"simulated government web: {sites} sites, {sources} sources on 127.0.0.1; in {workdir}")
        db = Database(config.store.url)
        try:
            status = _three_runs(config, db, sim.web, echo, live)
        finally:
            db.close()
    saved = config.data_dir / DEMO_CONFIG
    saved.write_text(yaml.safe_dump(demo_raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    echo(f"\nthe issues are in {config.out_dir}; the store is {config.data_dir / 'demo.db'}")
    echo(f"explore it: kuaixun --config {saved} items   (then: explain ID, status, digest list)")
    echo(
        f"the editor's desk: {_program()} --config {_shown(saved)} web   → http://127.0.0.1:8080/next "
        f"(login {DEMO_EDITOR} / {DEMO_PASSWORD}): correct and approve the issues waiting there"
    )
    return status


def _program() -> str:
    """How the reader runs kuaixun from here: the checkout's .venv when there is one."""
    local = Path(".venv/bin/kuaixun")
    return str(local) if local.exists() else "kuaixun"


def _shown(path: Path) -> str:
    """``path`` relative to the current folder when it is below it (demo/data/demo.yaml)."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _three_runs(config: Config, db: Database, web: GovWeb, echo: Echo, live: bool) -> int:
    statuses = []
    echo("\n== run 1: first crawl of every source")
    statuses.append(crawl_and_report(config, echo, db=db, live=live))
    digest_and_report(config, echo, db=db)
    echo("\n== run 2: again, at once")
    statuses.append(crawl_and_report(config, echo, db=db, live=live))
    digest_and_report(config, echo, db=db)
    published = web.publish(1)
    echo(f"\n== the simulator publishes one more notice: {published[0]['title']}")
    echo("== run 3")
    statuses.append(crawl_and_report(config, echo, db=db, live=live))
    digest_and_report(config, echo, db=db)
    return EXIT_OK if all(s == EXIT_OK for s in statuses) else EXIT_SOURCE_FAILED
