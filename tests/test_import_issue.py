"""``kuaixun import-issue`` on the seeds' past issues, against the simulated government web.

Each seed file is imported with its 相关链接 pointed at the simulator (the simulator serves every
notice at the path of its link, on a port per host). Every link the simulator serves must be
stored and recorded as carried by that issue, under its own number; a crawl of every source
afterwards must leave none of them for the next issue, and leave every other notice for it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from kuaixun.cli import main
from kuaixun.config import Config, load_extraction_config
from kuaixun.cycle import crawl
from kuaixun.imports import fetch_urls, import_issue, place, read_past_issue
from simulator.seeds import default_seeds_dir
from simulator.server import GovWeb, GovWebThread
from simulator.truth import ground_truth
from store import digests
from store.db import Database
from store.models import Digest, DigestItem, Notice, NoticeVersion
from tests.conftest import PROJECT, sim_config

SEEDS = default_seeds_dir()
SEED_FILES = (
    sorted(p for p in SEEDS.glob("kuaixun-*") if p.suffix in (".txt", ".md")) if SEEDS.is_dir() else []
)

pytestmark = pytest.mark.skipif(not SEED_FILES, reason=f"seed issues absent ({SEEDS} not mounted)")


def simulated_issue(web: GovWeb, seed: Path, folder: Path) -> Path:
    """The seed file with every simulated host's links pointed at that site on the simulator."""
    text = seed.read_text(encoding="utf-8")
    for site in web.sites:
        for host in site.hosts:
            text = re.sub(rf"https?://{re.escape(host)}(?=[/\s>)\]\\]|$)", web.base_url(site.name), text)
    path = folder / seed.name
    path.write_text(text, encoding="utf-8")
    return path


def carried(db: Database, year: int, month: int, seq: int) -> set[str]:
    with db.session() as session:
        query = (
            select(Notice.url)
            .join(NoticeVersion, NoticeVersion.notice_id == Notice.id)
            .join(DigestItem, DigestItem.version_id == NoticeVersion.id)
            .join(Digest, Digest.id == DigestItem.digest_id)
            .where(Digest.year == year, Digest.month == month, Digest.seq == seq)
        )
        return set(session.scalars(query))


def pending_urls(config: Config, db: Database) -> set[str]:
    """Every URL the next issue would print (each group's original and its reposts)."""
    with db.session() as session:
        groups = digests.pending_groups(session, config.digest.sections)
        urls: set[str] = set()
        for group in groups:
            lead = group[0].notice
            urls.add(lead.url)
            urls.update(digests.group_urls(session, lead.group_id or lead.id))
        return urls


def test_import_each_seed_issue_then_the_next_issue_repeats_none(tmp_path: Path) -> None:
    with GovWebThread(held_back=0) as sim:
        config = sim_config(sim, tmp_path)
        served = {record["source_url"] for record in ground_truth(sim.web)}
        db = Database(config.store.url)
        imported: set[str] = set()
        try:
            for seed in SEED_FILES:
                issue_file = simulated_issue(sim.web, seed, tmp_path)
                issue = read_past_issue(issue_file)
                report = import_issue(config, db, issue_file)
                expected = {url for url in issue.links if url in served}
                assert expected, f"{seed.name}: no link of the issue is served by the simulator"
                assert set(report.recorded) >= expected, (seed.name, expected - set(report.recorded))
                assert carried(db, issue.year, issue.month, issue.seq) >= expected
                imported |= expected
            # Imported again (say after a failed fetch): the same issue, nothing doubled.
            again = import_issue(config, db, simulated_issue(sim.web, SEED_FILES[0], tmp_path))
            with db.session() as session:
                label = (again.issue.year, again.issue.month, again.issue.seq)
                numbers = [(d.year, d.month, d.seq) for d, _ in digests.recent_digests(session)]
            assert numbers.count(label) == 1

            crawl(config, db)
            upcoming = pending_urls(config, db)
            assert not upcoming & imported, sorted(upcoming & imported)
            # What the past issues did not carry is still waiting for the next one.
            with db.session() as session:
                stored_notices = set(
                    session.scalars(select(Notice.url).where(Notice.category.in_(config.digest.sections)))
                )
            assert stored_notices - imported, "the crawl stored nothing beyond the imported issues"
            assert stored_notices - imported <= upcoming | _same_content_as_imported(db, imported)
        finally:
            db.close()


def _same_content_as_imported(db: Database, imported: set[str]) -> set[str]:
    """Reposts of an imported notice whose content an issue already carried (never printed again)."""
    with db.session() as session:
        published = {
            (n.group_id, v.content_hash)
            for n, v in session.execute(
                select(Notice, NoticeVersion)
                .join(NoticeVersion, NoticeVersion.notice_id == Notice.id)
                .join(DigestItem, DigestItem.version_id == NoticeVersion.id)
            )
        }
        return {
            n.url
            for n, v in session.execute(select(Notice, NoticeVersion).join(NoticeVersion))
            if (n.group_id, v.content_hash) in published
        }


def test_import_issue_command_prints_the_issue_and_refuses_a_file_that_is_not_one(tmp_path: Path) -> None:
    with GovWebThread(held_back=0) as sim:
        config = sim_config(sim, tmp_path)
        config_file = tmp_path / "config.yaml"
        config_file.write_text(_yaml(config, sim, tmp_path), encoding="utf-8")
        issue_file = simulated_issue(sim.web, SEED_FILES[-1], tmp_path)
        issue = read_past_issue(issue_file)
        done = _kuaixun(config_file, "import-issue", str(issue_file))
        assert done.exit_code == 0, done.output
        assert f"{issue.label}: {len(issue.links)} of {len(issue.links)} 相关链接 stored" in done.stdout
        listed = _kuaixun(config_file, "digest", "list")
        assert issue.label in listed.stdout

    not_an_issue = tmp_path / "notes.txt"
    not_an_issue.write_text("只是一些笔记\n", encoding="utf-8")
    refused = _kuaixun(config_file, "import-issue", str(not_an_issue))
    assert refused.exit_code == 2
    assert refused.stderr.startswith(f"error: {not_an_issue}: not a 快讯 issue")


def _yaml(config: Config, sim: GovWebThread, folder: Path) -> str:
    import yaml

    from kuaixun.config import read_raw
    from kuaixun.demo import demo_config

    raw = demo_config(read_raw(PROJECT / "config.yaml"), sim.web, folder)
    raw["store"] = {"url": config.store.url}
    return yaml.safe_dump(raw, allow_unicode=True, sort_keys=False)


def _kuaixun(config_file: Path, *args: str) -> Result:
    """The command in this process (its fetch runs in a crawl process of its own)."""
    return CliRunner().invoke(main, ["--config", str(config_file), *args])


def test_each_seed_file_reads_as_its_issue_number_and_links() -> None:
    issues = {seed.name: read_past_issue(seed) for seed in SEED_FILES}
    numbers = {name: (i.year, i.month, i.seq) for name, i in issues.items()}
    assert numbers == {
        "kuaixun-2019-0901.md": (2019, 9, 1),
        "kuaixun-2019-0902.txt": (2019, 9, 2),
        "kuaixun-2019-1102.txt": (2019, 11, 2),
    }
    for issue in issues.values():
        assert issue.links and all(
            link.startswith("http://") or link.startswith("https://") for link in issue.links
        )
        assert not any("\\" in link for link in issue.links)  # the markdown's escaped underscores are read
    # 宁波经信局's notice was printed without a 相关链接 (the simulator places it on its issuer's site).
    assert [i.unlinked for i in issues.values()] == [0, 0, 1]


def test_links_are_placed_under_the_source_of_their_host() -> None:
    config = load_extraction_config(PROJECT / "config.yaml")
    enabled = [s for s in config.sources if s.enabled]
    placed = {
        url: place(url, enabled)
        for url in (
            "http://www.ndrc.gov.cn/zcfb/zcfbtz/201911/t20191115_1203505.html",
            "http://www.sipo.gov.cn/gztz/1141880.htm",
            "http://jxj.huabei.gov.cn/xxfb/tzgg/18442741.html",
            "http://gxt.hunan.gov.cn/gxt/xxgk_71033/tzgg/201911/t20191108_10514422.html",
            "http://www.bdcases.org.cn/",
        )
    }
    spots = {url: (spot[0].name, spot[1]) if spot else None for url, spot in placed.items()}
    assert spots == {
        # An http link of an https source is fetched over https (the sites redirect there anyway).
        "http://www.ndrc.gov.cn/zcfb/zcfbtz/201911/t20191115_1203505.html": (
            "ndrc",
            "https://www.ndrc.gov.cn/zcfb/zcfbtz/201911/t20191115_1203505.html",
        ),
        "http://www.sipo.gov.cn/gztz/1141880.htm": ("cnipa", "https://www.sipo.gov.cn/gztz/1141880.htm"),
        "http://jxj.huabei.gov.cn/xxfb/tzgg/18442741.html": (
            "jxj-huaibei",
            "https://jxj.huabei.gov.cn/xxfb/tzgg/18442741.html",
        ),
        "http://gxt.hunan.gov.cn/gxt/xxgk_71033/tzgg/201911/t20191108_10514422.html": (
            "gxt-hunan",
            "http://gxt.hunan.gov.cn/gxt/xxgk_71033/tzgg/201911/t20191108_10514422.html",
        ),
        "http://www.bdcases.org.cn/": None,  # no source: reported, never fetched
    }


def test_fetch_of_urls_without_a_source_fetches_nothing(tmp_path: Path) -> None:
    config = load_extraction_config(PROJECT / "config.yaml")
    db = Database(f"sqlite:///{tmp_path / 'k.db'}")
    try:
        fetched = fetch_urls(config, db, ["http://www.bdcases.org.cn/", "https://example.com/a.html"])
    finally:
        db.close()
    assert fetched.result is None and fetched.placed == {}
    assert fetched.homeless == ["http://www.bdcases.org.cn/", "https://example.com/a.html"]
