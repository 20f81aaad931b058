"""The whole job against the simulator: real HTTP on loopback, a real SQLite file, the digest files."""

from __future__ import annotations

import email
import json
import re
import shutil
import socket
import subprocess
from email.message import Message
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from kuaixun import ingest
from kuaixun.cli import main
from kuaixun.cycle import crawl
from kuaixun.demo import MARKER
from kuaixun.health import format_health, source_health
from simulator.seeds import load_seeds
from simulator.server import GovWebThread
from simulator.truth import ground_truth
from store.db import Database
from store.models import Notice, RunSource
from tests.conftest import PROJECT, publish_issue, sim_config
from tests.stores import copy_store


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
    assert result.new == len(stored) == len(truth)  # every page, news too: every listing page was read

    files = publish_issue(config, db)
    assert files is not None
    message = email.message_from_bytes(files.eml.read_bytes())
    html = lxml.html.fromstring(html_part(message)).text_content()  # the summary (digest.email_body)
    assert [part.get_filename() for part in message.walk() if part.get_filename()] == [files.pdf.name]
    for section in ("[政策文件]", "[绿色制造]", "[申报通知]"):
        assert section in html
    sent = [t for t in notices if stored[t["source_url"]].category != "其他"]
    sites = {t["site"] for t in sent}
    assert len(sites) >= 4
    for notice in sent:
        assert notice["title"] in html
    for news in (t for t in truth if t["kind"] == "news"):
        assert news["title"] not in html
    assert publish_issue(config, db) is None  # nothing left for a second issue
    db.close()


def test_broken_sources_are_named_and_the_others_complete(
    sim_ports: dict[str, int], crawled_template: str, tmp_path: Path
) -> None:
    """On the session's first full crawl (copied): a run of the broken two, then every source again."""
    with GovWebThread(ports=sim_ports, failures={"ndrc": "status=500"}) as sim:
        dead = {
            "name": "dead-port",
            "agency": "测试",
            "listing_url": f"http://127.0.0.1:{closed_port()}/tzgg/",
        }
        config = sim_config(sim, tmp_path, [dead])
        copy_store(crawled_template, config.store.url)
        db = Database(config.store.url)
        crawl(config, db, ("ndrc", "dead-port"))
        result = crawl(config, db)  # the second run in a row that these two fail
    outcomes = {o.source: o for o in result.outcomes}
    assert outcomes["ndrc"].status == "failed"
    assert "HTTP 500" in outcomes["ndrc"].line()
    assert outcomes["dead-port"].status == "failed"
    assert "refused" in outcomes["dead-port"].line().lower()
    assert "(2 runs in a row)" in outcomes["dead-port"].line()
    on_broken_site = {
        "ndrc",
        "dead-port",
        *(n for n in outcomes if n.startswith("ndrc-")),
    }  # ndrc's other columns
    others = [o for name, o in outcomes.items() if name not in on_broken_site]
    assert others and all(o.status == "ok" and o.new == 0 for o in others)  # all found by the first run

    health = {h.name: h for h in source_health(config, db)}
    assert health["dead-port"].state == "FAILING (2 run(s))" and health["ndrc"].failing
    assert not any(h.failing for name, h in health.items() if name not in on_broken_site)
    table = format_health(list(health.values()), config.schedule.timezone)
    assert (
        "dead-port: listing http://127.0.0.1:" in table and "ndrc: listing" in table and "HTTP 500" in table
    )
    with db.session() as session:
        figures = {r.source_name: r for r in session.scalars(select(RunSource))}
    assert figures["dead-port"].status == "failed" and "refused" in (figures["dead-port"].error or "").lower()
    db.close()


def snapshot(folder: Path, skip: str) -> dict[str, bytes]:
    """Every file under ``folder`` (but the subfolder ``skip``) with its bytes."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.relative_to(folder).parts[0] != skip
    }


def production_checkout(folder: Path) -> None:
    """What an operator's folder holds after real issues: the config, the archive, the issues, the store."""
    shutil.copy(PROJECT / "config.yaml", folder / "config.yaml")
    archived = folder / "data" / "archive" / "2026-1101"
    archived.mkdir(parents=True)
    (archived / "message.json").write_text('{"subject": "快讯 (2026) 1101 期"}', encoding="utf-8")
    (folder / "data" / "kuaixun.db").write_bytes(b"SQLite format 3\x00 the operator's store")
    (folder / "out").mkdir()
    (folder / "out" / "kuaixun-2026-1101.html").write_text("<p>已发送的一期</p>", encoding="utf-8")


def test_demo_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``kuaixun demo`` in an operator's folder: its three runs in demo/, data/ and out/ byte-identical."""
    production_checkout(tmp_path)
    before = snapshot(tmp_path, skip="demo")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["demo"], env={"SMTP_PASSWORD": "", "KUAIXUN_SECRET": ""})
    assert result.exit_code == 0, result.output
    assert snapshot(tmp_path, skip="demo") == before
    demo = tmp_path / "demo"
    assert (demo / MARKER).is_file()
    assert len(list((demo / "out").glob("kuaixun-*.pdf"))) == 2
    assert (demo / "data" / "demo.db").is_file() and (demo / "data" / "demo.yaml").is_file()
    assert f"the issues are in {demo / 'out'}" in result.output
    runs = result.output.split("== run ")
    assert len(runs) == 4
    assert "found" in runs[1] and "digest (" in runs[1]
    assert "nothing new since the last run" in runs[2]
    assert "found 1 new and 0 revised page(s)" in runs[3]
    outputs = sorted(p.name for p in (demo / "out").iterdir())
    for suffix in (".html", ".txt", ".md", ".pdf", ".eml"):
        assert len([n for n in outputs if n.endswith(suffix)]) == 2, suffix

    first_issue = sorted((demo / "out").glob("*.txt"))[0].with_suffix("")
    published = [s for s in load_seeds() if "云南省关于组织申报" not in s.title]  # the held-back one
    for suffix in (".txt", ".md", ".html", ".pdf"):
        toc = table_of_contents(readable_text(first_issue.with_suffix(suffix)))
        for seed in published:
            assert squash(seed.title) in toc[seed.section], (suffix, seed.section, seed.title)

    demo_store = ["--config", str(demo / "data" / "demo.yaml")]
    listed = CliRunner().invoke(main, [*demo_store, "items", "--json", "--limit", "0"])
    assert listed.exit_code == 0, listed.output
    items = json.loads(listed.output)
    assert {i["section"] for i in items} == {"政策文件", "绿色制造", "申报通知", "其他"}
    green = next(i for i in items if i["section"] == "绿色制造")
    explained = CliRunner().invoke(main, [*demo_store, "explain", str(green["id"])])
    assert explained.exit_code == 0, explained.output
    assert green["title"] in explained.output and "scores:" in explained.output
    health = CliRunner().invoke(main, [*demo_store, "status", "--json"])
    assert health.exit_code == 0, health.output
    assert {h["state"] for h in json.loads(health.output)["sources"]} == {"ok"}


def squash(text: str) -> str:
    return re.sub(r"[\s\\]+", "", text)


def readable_text(path: Path) -> str:
    """The words a reader sees in one format of an issue."""
    if path.suffix == ".pdf":  # poppler's reader: ~6 times less CPU than pdfminer on the demo's 55 pages
        return subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
    if path.suffix == ".html":
        return lxml.html.fromstring(path.read_bytes()).text_content()
    return path.read_text(encoding="utf-8")


def table_of_contents(text: str) -> dict[str, str]:
    """Section → the 目录 lines under it (whitespace removed), read up to where the body begins."""
    flat = squash(text)
    sections = ["政策文件", "绿色制造", "申报通知"]
    starts = [flat.index(f"[{name}]") for name in sections]
    body = flat.index("[政策文件]", starts[0] + 1)
    ends = [*starts[1:], body]
    return {name: flat[start:end] for name, start, end in zip(sections, starts, ends, strict=True)}


def test_a_cookie_challenge_is_passed_by_retrying_with_its_cookie(tmp_path: Path) -> None:
    """A 瑞数-style 412 that only checks its cookie comes back: the crawl retries and gets the pages."""
    with GovWebThread(failures={"ndrc": "412", "mee": "412"}) as sim:
        config = sim_config(sim, tmp_path)
        only = ("ndrc", "mee")
        result = crawl(config, Database(config.store.url), only)
        truth = [t for t in ground_truth(sim.web) if t["site"] in only]
    outcomes = {o.source: o for o in result.outcomes}
    assert set(outcomes) == set(only)
    assert all(o.status == "ok" for o in outcomes.values()), [o.line() for o in outcomes.values()]
    assert result.new == len(truth)


def test_a_bug_on_one_page_costs_only_that_page(
    sim: GovWebThread, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = sim_config(sim, tmp_path)
    victim = next(t for t in ground_truth(sim.web) if t["site"] == "mee" and t["kind"] == "notice")
    real = ingest.process_page

    def buggy(body: bytes, url: str, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("identity") == victim["source_url"]:
            raise RuntimeError("simulated bug")
        return real(body, url, *args, **kwargs)

    monkeypatch.setattr(ingest, "process_page", buggy)
    result = crawl(config, Database(config.store.url), ("mee",))
    (outcome,) = result.outcomes
    assert outcome.failed == 1 and outcome.new == outcome.fetched - 1 > 0
    assert f"{victim['source_url']}: internal error RuntimeError: simulated bug" in outcome.errors[0]
