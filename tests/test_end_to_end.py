"""The whole job against the simulator: real HTTP on loopback, a real SQLite file, the digest files."""

from __future__ import annotations

import email
import socket
from email.message import Message
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from kuaixun.cli import main
from kuaixun.cycle import crawl, make_digest
from simulator.server import GovWebThread
from simulator.truth import ground_truth
from store.db import Database
from store.models import Notice, RunSource
from tests.conftest import PROJECT, sim_config


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def html_part(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/html":
            return part.get_payload(decode=True).decode(part.get_content_charset())
    raise AssertionError("no HTML part")


def test_first_run_stores_every_published_notice_and_writes_the_digest(
    sim: GovWebThread, tmp_path: Path
) -> None:
    config = sim_config(sim, tmp_path)
    db = Database(config.store.url)
    result = crawl(config, db)
    assert all(o.status == "ok" for o in result.outcomes), [o.line() for o in result.outcomes]

    truth = ground_truth(sim.web)
    with db.session() as session:
        stored = {n.url: n for n in session.scalars(select(Notice))}
    notices = [t for t in truth if t["kind"] != "news"]
    missing = [t["source_url"] for t in notices if t["source_url"] not in stored]
    assert not missing, missing
    assert result.new == len(stored)

    files = make_digest(config, db)
    assert files is not None
    message = email.message_from_bytes(files.eml.read_bytes())
    html = html_part(message)
    assert html == files.html.read_text(encoding="utf-8")
    for section in ("[政策文件]", "[绿色制造]", "[申报通知]"):
        assert section in html
    sent = [t for t in notices if stored[t["source_url"]].category != "其他"]
    sites = {t["site"] for t in sent}
    assert len(sites) >= 4
    for notice in sent:
        assert notice["title"] in html
    for news in (t for t in truth if t["kind"] == "news"):
        assert news["title"] not in html
    assert make_digest(config, db) is None  # nothing left for a second issue
    db.close()


def test_broken_sources_are_named_and_the_others_complete(tmp_path: Path) -> None:
    with GovWebThread(failures={"ndrc": "status=500"}) as sim:
        dead = {
            "name": "dead-port",
            "agency": "测试",
            "listing_url": f"http://127.0.0.1:{closed_port()}/tzgg/",
        }
        config = sim_config(sim, tmp_path, [dead])
        db = Database(config.store.url)
        result = crawl(config, db)
    outcomes = {o.source: o for o in result.outcomes}
    assert outcomes["ndrc"].status == "failed"
    assert "HTTP 500" in outcomes["ndrc"].line()
    assert outcomes["dead-port"].status == "failed"
    assert "refused" in outcomes["dead-port"].line().lower()
    others = [o for name, o in outcomes.items() if name not in {"ndrc", "dead-port"}]
    assert others and all(o.status == "ok" and o.new > 0 for o in others)
    with db.session() as session:
        figures = {r.source_name: r for r in session.scalars(select(RunSource))}
    assert figures["dead-port"].status == "failed" and "refused" in (figures["dead-port"].error or "").lower()
    db.close()


def test_demo_command(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["--config", str(PROJECT / "config.yaml"), "demo", "--workdir", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    runs = result.output.split("== run ")
    assert len(runs) == 4
    assert "found" in runs[1] and "digest (" in runs[1]
    assert "nothing new since the last run" in runs[2]
    assert "found 1 new and 0 revised notice(s)" in runs[3]
    outputs = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert len([n for n in outputs if n.endswith(".html")]) == 2
    assert len([n for n in outputs if n.endswith(".eml")]) == 2
