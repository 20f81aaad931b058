"""A crawl of the hostile site (simulator/families/hostile.py) through the real crawl path.

Real HTTP on loopback, the real crawl child process, a real SQLite file, the real renderers:
the crawl stores the site's legitimate notices and nothing else, fetches nothing outside the
configured http origin, counts every refusal, and the digest keeps the payloads as inert text.
"""

from __future__ import annotations

import email
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import lxml.html
import pytest
from sqlalchemy import select

from kuaixun.cycle import CrawlResult, DigestFiles, crawl
from simulator.families.hostile import (
    CANARY,
    HOSTILE,
    HOSTILE_LINKS,
    MARKDOWN_TITLE,
    METADATA,
    OTHER_PORT,
    PHISH,
    REDIRECTS,
    REFUSALS,
    hostile_web,
)
from simulator.server import GovWebThread
from simulator.truth import ground_truth
from store.db import Database
from store.models import Base, Notice
from tests.conftest import publish_issue, sim_config

LOCAL_FILE_MARK = "root:x:0:0"
"""The first line of /etc/passwd: what a file:// fetch would have stored."""


class HostileRun:
    """One crawl of the hostile web and the issue written from it, shared by the tests below."""

    def __init__(self, sim: GovWebThread, workdir: Path) -> None:
        source = {
            "name": HOSTILE,
            "agency": "示范省工业和信息化厅",
            "listing_url": sim.web.listing_url(HOSTILE),
        }
        self.sim = sim
        self.config = sim_config(sim, workdir, [source])
        self.db = Database(self.config.store.url)
        self.result: CrawlResult = crawl(self.config, self.db)
        self.files: DigestFiles | None = publish_issue(self.config, self.db)


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileRun]:
    with GovWebThread(**hostile_web()) as sim:
        run = HostileRun(sim, tmp_path_factory.mktemp("hostile"))
        yield run
        run.db.close()


def stored_text(db: Database) -> str:
    """Every row of every table of the store, as text (SQLite or PostgreSQL)."""
    with db.engine.connect() as connection:
        return "\n".join(
            str(row) for table in Base.metadata.sorted_tables for row in connection.execute(select(table))
        )


def test_only_the_sites_own_notices_are_stored(hostile_run: HostileRun) -> None:
    truth = {t["source_url"] for t in ground_truth(hostile_run.sim.web)}
    with hostile_run.db.session() as session:
        stored = {n.url for n in session.scalars(select(Notice))}
    assert stored == truth
    (outcome,) = hostile_run.result.outcomes
    assert outcome.status == "ok", outcome.line()
    assert outcome.new == len(truth)


def test_nothing_outside_the_configured_origin_is_fetched(hostile_run: HostileRun) -> None:
    web = hostile_run.sim.web
    assert web.served(OTHER_PORT) == []
    assert web.served(METADATA) == []
    redirect_paths = {r.path for r in REDIRECTS}
    assert redirect_paths <= {r.path_qs for r in web.served(HOSTILE)}  # asked, answered 302, not followed
    dump = stored_text(hostile_run.db)
    assert all(t["source_url"] in dump for t in ground_truth(web))  # the dump holds the store
    assert LOCAL_FILE_MARK not in dump
    assert CANARY not in dump
    for link in HOSTILE_LINKS:
        assert link.title not in dump, link.href


def test_every_refusal_is_counted(hostile_run: HostileRun) -> None:
    (outcome,) = hostile_run.result.outcomes
    assert outcome.refused == REFUSALS
    assert f"blocked {REFUSALS}" in outcome.line()
    log = (hostile_run.config.data_dir / "logs" / "crawl.log").read_text(encoding="utf-8")
    assert "file:///etc/passwd" in log and "scheme file" in log
    assert "169.254.169.254" in log


def issue(hostile_run: HostileRun) -> DigestFiles:
    assert hostile_run.files is not None, "the hostile notices made no issue"
    return hostile_run.files


def test_the_html_digest_holds_the_payloads_as_text(hostile_run: HostileRun) -> None:
    html = issue(hostile_run).html.read_text(encoding="utf-8")
    tree = lxml.html.fromstring(html)
    assert "关于[点击领取补贴]" in tree.text_content()  # the payload notice is in the issue …
    assert "<@all>" in tree.text_content()
    for element in tree.iter():
        for name, value in element.attrib.items():  # … but makes no link, image or style of its own
            assert "evil.example" not in value and not value.startswith(("file:", "javascript:")), (
                name,
                value,
            )
    assert not tree.xpath("//img | //link | //style[contains(., 'import')]")
    assert "<@all>" not in html and "<!channel>" not in html


def test_the_text_digest_keeps_titles_on_their_line(hostile_run: HostileRun) -> None:
    text = issue(hostile_run).text.read_text(encoding="utf-8")
    assert "关于[点击领取补贴]" in text
    assert not any(line.startswith("Bcc:") for line in text.splitlines())
    assert "\u2028" not in text and "\r" not in text


def test_no_output_carries_a_fetched_secret_or_an_injected_header(hostile_run: HostileRun) -> None:
    files = issue(hostile_run)
    for path in (files.html, files.text, files.markdown, files.eml):
        content = path.read_bytes().decode("utf-8", errors="replace")
        assert LOCAL_FILE_MARK not in content and CANARY not in content, path.name
    message = email.message_from_bytes(files.eml.read_bytes())
    assert message["Bcc"] is None and message["X-Injected"] is None
    assert not any("evil.example" in str(value) for value in message.values())


def test_the_markdown_digest_makes_no_link_or_mention_of_the_payload(hostile_run: HostileRun) -> None:
    markdown = issue(hostile_run).markdown.read_text(encoding="utf-8")
    assert "点击领取补贴" in markdown
    assert f"[点击领取补贴]({PHISH})" not in markdown
    assert MARKDOWN_TITLE not in markdown
    assert "<@all>" not in markdown and "<!channel>" not in markdown


@pytest.mark.parametrize("command", ["listing", "extract"])
def test_kuaixun_listing_or_extract_url_does_not_follow_a_redirect_off_its_origin(
    hostile_run: HostileRun, command: str
) -> None:
    """``kuaixun listing URL`` and ``extract URL`` fetch under the crawl's origin guard: a redirect
    elsewhere is refused."""
    web = hostile_run.sim.web
    url = web.base_url(HOSTILE) + REDIRECTS[0].path  # answers 302 to the other port
    probe = subprocess.run(
        [str(Path(sys.executable).parent / "kuaixun"), command, url],
        capture_output=True,
        text=True,
        cwd=hostile_run.config.data_dir,  # no config.yaml there: the defaults
        timeout=300,
        check=False,
    )
    assert probe.returncode == 1, probe.stdout + probe.stderr
    assert "refused" in probe.stderr and "/secret/notice.html" in probe.stderr, probe.stderr
    assert web.served(OTHER_PORT) == []
