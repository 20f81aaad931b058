"""Where the crawler may go (crawlers.urls.origin_allowed), what its child process inherits, and the
modes of the files the store keeps."""

from __future__ import annotations

import json
import os
import re
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from crawlers.items import FetchedPage, SourceReport
from crawlers.job import CrawlJob, JobSource
from crawlers.spool import read_spool
from crawlers.urls import (
    FOREIGN,
    PRIVATE,
    SCHEME,
    UNRESOLVED,
    Origin,
    Resolver,
    configured_origins,
    is_public_address,
    origin_allowed,
    resolve_host,
)
from kuaixun import crawl_process, cycle
from kuaixun.config import ENV_REF, read_raw, validate
from kuaixun.demo import demo_config
from simulator.families.hostile import HOSTILE, hostile_web
from simulator.server import GovWebThread
from store.db import Database
from tests.conftest import PROJECT, sim_config

SIM = configured_origins("http://127.0.0.1:8001/tzgg/")
GOV = configured_origins(
    "http://gxt.example.gov.cn/tzgg/", ["wap.example.gov.cn", "files.example.gov.cn:8080"]
)


def public(_: str) -> list[str]:
    return ["8.8.8.8", "2400:3200::1"]


def reason(url: str, allowed: frozenset[Origin], resolve: Resolver = public) -> str | None:
    refusal = origin_allowed(url, allowed, resolve)
    return refusal.reason if refusal else None


# --- origin_allowed ----------------------------------------------------------------------------


def test_a_configured_origin_is_allowed_even_on_loopback() -> None:
    assert reason("http://127.0.0.1:8001/tzgg/202403/t20240305_1.html", SIM) is None
    assert reason("http://127.0.0.1:8001/tzgg/index_1.html?page=2#top", SIM) is None
    assert reason("HTTP://127.0.0.1:8001/x.html", SIM) is None


def test_only_http_and_https_are_fetched_whatever_the_host() -> None:
    for url in (
        "file://127.0.0.1:8001/etc/passwd",  # the listing's own host:port, other scheme
        "file:///etc/passwd",
        "ftp://127.0.0.1:8001/pub/notice.html",
        "s3://bucket/notice.html",
        "data:text/html,<h1>通知</h1>",
        "gopher://127.0.0.1:8001/",
        "/tzgg/relative.html",
    ):
        assert reason(url, SIM) == SCHEME, url


def test_another_port_host_or_scheme_of_the_same_machine_is_refused() -> None:
    for url in (
        "http://127.0.0.1:8002/tzgg/t1.html",
        "http://localhost:8001/tzgg/t1.html",
        "http://[::1]:8001/tzgg/t1.html",
        "https://127.0.0.1:8001/tzgg/t1.html",
        "http://127.0.0.1:8001@evil.example/t1.html",  # userinfo, not the host
        "http://127.0.0.1:99999/t1.html",
    ):
        assert reason(url, SIM) == FOREIGN, url


def test_allowed_hosts_extend_a_source_with_the_listings_scheme() -> None:
    assert reason("http://wap.example.gov.cn/art/1.html", GOV) is None
    assert reason("http://files.example.gov.cn:8080/a.pdf", GOV) is None
    assert reason("http://files.example.gov.cn/a.pdf", GOV) == FOREIGN
    assert reason("http://www.example.gov.cn/a.html", GOV) == FOREIGN


def test_an_https_upgrade_of_a_configured_host_is_allowed_when_every_address_is_public() -> None:
    assert reason("https://gxt.example.gov.cn/tzgg/t1.html", GOV) is None
    assert reason("https://wap.example.gov.cn/art/1.html", GOV) is None


def test_an_upgrade_to_a_private_address_is_refused_if_any_address_is() -> None:
    def mixed(_: str) -> list[str]:
        return ["8.8.8.8", "10.1.2.3"]

    def metadata(_: str) -> list[str]:
        return ["169.254.169.254"]

    assert reason("https://gxt.example.gov.cn/t1.html", GOV, mixed) == PRIVATE
    assert reason("https://gxt.example.gov.cn/t1.html", GOV, metadata) == PRIVATE


def test_an_upgrade_whose_host_does_not_resolve_is_refused() -> None:
    def nowhere(host: str) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    assert reason("https://gxt.example.gov.cn/t1.html", GOV, nowhere) == UNRESOLVED


def test_downgrades_and_upgrades_to_other_ports_are_refused() -> None:
    secure = configured_origins("https://www.example.gov.cn/tzgg/")
    assert reason("http://www.example.gov.cn/tzgg/t1.html", secure) == FOREIGN
    assert reason("https://gxt.example.gov.cn:8443/t1.html", GOV) == FOREIGN
    assert reason("https://127.0.0.1:8001/t1.html", SIM) == FOREIGN


def test_the_metadata_address_itself_is_refused_even_as_an_upgrade_of_a_configured_one() -> None:
    metadata = configured_origins("http://169.254.169.254/latest/")
    assert origin_allowed("http://169.254.169.254/latest/meta-data/", metadata) is None  # configured exactly
    refusal = origin_allowed("https://169.254.169.254/latest/meta-data/", metadata)  # real resolve_host
    assert refusal is not None and refusal.reason == PRIVATE and "169.254.169.254" in refusal.detail
    assert reason("http://169.254.169.254/latest/meta-data/", SIM) == FOREIGN


def test_localhost_resolves_to_loopback_and_loopback_is_not_public() -> None:
    addresses = resolve_host("localhost")
    assert addresses and not any(is_public_address(a) for a in addresses)


@pytest.mark.parametrize(
    "address",
    [
        "169.254.169.254",
        "127.0.0.1",
        "127.8.9.10",
        "10.0.0.8",
        "172.16.5.4",
        "192.168.1.1",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "::1",
        "fe80::1",
        "fe80::1%eth0",
        "fc00::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
    ],
)
def test_private_loopback_and_link_local_addresses_are_not_public(address: str) -> None:
    assert not is_public_address(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "202.108.22.5", "2400:3200::1"])
def test_routable_addresses_are_public(address: str) -> None:
    assert is_public_address(address)


# --- the crawl child's environment -----------------------------------------------------------

SECRET_SHAPE = re.compile(r"PASSWORD|PASSWD|TOKEN|SECRET|KEY|CREDENTIAL", re.I)
REPORT_ENVIRONMENT = "import json, os; print('ENV=' + json.dumps(dict(os.environ)))"


def test_the_crawl_child_inherits_no_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The child (its command swapped for one that prints its environment) sees only the allow-list."""
    shipped = (PROJECT / "config.yaml").read_text(encoding="utf-8")
    referenced = set(ENV_REF.findall(shipped))  # commented examples count too
    assert "SMTP_PASSWORD" in referenced
    secrets = {name: f"s3cr3t-{name.lower()}" for name in referenced | {"AWS_SECRET_ACCESS_KEY", "GH_TOKEN"}}
    for name, value in secrets.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setenv("https_proxy", "http://proxy.example:3128")
    raw = read_raw(PROJECT / "config.yaml")
    raw |= {"data_dir": str(tmp_path / "data"), "store": {"url": f"sqlite:///{tmp_path / 'k.db'}"}}
    config = validate(raw, "config.yaml (test)", tmp_path)
    assert config.channels.email is not None and config.channels.email.password == secrets["SMTP_PASSWORD"]
    monkeypatch.setattr(
        crawl_process, "crawl_command", lambda job: [sys.executable, "-c", REPORT_ENVIRONMENT]
    )

    cycle.crawl(config, Database(config.store.url), (config.sources[0].name,))

    log = (config.data_dir / "logs" / "crawl.log").read_text(encoding="utf-8")
    environment = json.loads(next(line for line in log.splitlines() if line.startswith("ENV="))[4:])
    assert environment["LANG"] == "C.UTF-8" and environment["https_proxy"] == "http://proxy.example:3128"
    assert "PATH" in environment
    assert sorted(referenced & environment.keys()) == []
    assert [name for name in environment if SECRET_SHAPE.search(name)] == []
    assert not [v for v in secrets.values() if v in log]


def test_the_crawl_child_runs_no_remote_control_and_leaves_nothing_in_the_home_folder(
    sim: GovWebThread, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Scrapy's RemoteControl extension (an HTTP server running Python, its token in a file under
    ~/.local/state) is on by default: the crawl child must not start it."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))  # HOME is on the child's allow-list
    config = sim_config(sim, tmp_path / "work")
    (outcome,) = cycle.crawl(config, Database(config.store.url), ("miit",)).outcomes
    assert outcome.status == "ok" and outcome.new > 0, outcome.line()
    assert sorted(home.rglob("*")) == []


def test_the_allow_list_lets_locale_and_proxies_through_and_nothing_else() -> None:
    given = {"LC_ALL": "C.UTF-8", "LC_CTYPE": "zh_CN.UTF-8", "NO_PROXY": "localhost", "DB_PASSWORD": "x"}
    assert crawl_process.crawl_environment(given | {"SMTP_PASSWORD": "x", "LD_PRELOAD": "/tmp/x.so"}) == {
        k: v for k, v in given.items() if k != "DB_PASSWORD"
    }


# --- file modes ------------------------------------------------------------------------------


def modes_open_to_others(*roots: Path) -> list[str]:
    """Every file or folder among ``roots`` and under them that group or others may use."""
    paths = [p for root in roots for p in (root, *(root.rglob("*") if root.is_dir() else ()))]
    return [
        f"{oct(stat.S_IMODE(p.stat().st_mode))} {p}" for p in paths if stat.S_IMODE(p.stat().st_mode) & 0o077
    ]


@pytest.fixture
def hostile_sim() -> Iterator[GovWebThread]:
    with GovWebThread(**hostile_web()) as sim:
        yield sim


def hostile_config(sim: GovWebThread, workdir: Path) -> dict[str, object]:
    raw = demo_config(read_raw(PROJECT / "config.yaml"), sim.web, workdir)
    source = {"name": HOSTILE, "agency": "示范省工业和信息化厅", "listing_url": sim.web.listing_url(HOSTILE)}
    return raw | {"sources": [source]}


def test_the_cli_keeps_every_file_it_writes_to_its_user(hostile_sim: GovWebThread, tmp_path: Path) -> None:
    """``kuaixun crawl`` then ``digest send``, as the operator runs them: store, logs, archive, issues."""
    config_file = tmp_path / "config.yaml"
    config_file.write_text(yaml.safe_dump(hostile_config(hostile_sim, tmp_path), allow_unicode=True))
    os.chmod(config_file, 0o644)
    kuaixun = [str(Path(sys.executable).with_name("kuaixun")), "--config", str(config_file)]
    for command in (["crawl"], ["digest", "send"]):
        done = subprocess.run([*kuaixun, *command], capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
    data, out = tmp_path / "data", tmp_path / "out"
    assert (data / "demo.db").exists() and (data / "logs" / "crawl.log").exists()
    assert list((data / "archive").iterdir()) and list(out.glob("*.pdf"))
    assert modes_open_to_others(data, out) == []


def test_files_are_private_without_the_cli_umask(hostile_sim: GovWebThread, tmp_path: Path) -> None:
    """The library path (scheduler, tests) under a permissive umask: explicit modes where files are made."""
    previous = os.umask(0o022)
    try:
        config = validate(hostile_config(hostile_sim, tmp_path), "config.yaml (test)", tmp_path)
        db = Database(config.store.url)
        cycle.crawl(config, db)
        with db.session() as session:
            issue = cycle.create_issue(session, config, cycle.now_utc().date(), cycle.now_utc())
        assert issue is not None
        files = cycle.write_issue(config, issue, cycle.now_utc())
        database = Path(config.store.url.removeprefix("sqlite:///"))
        written = [database, *(database.with_name(database.name + s) for s in ("-wal", "-shm"))]
        written += [config.data_dir / "logs" / "crawl.log", files.html, files.text, files.markdown, files.pdf]
        written += [files.eml]
        assert all(path.exists() for path in written)  # -wal and -shm while the store is open
        folders = [config.data_dir, config.data_dir / "logs", config.data_dir / "spool", config.out_dir]
        assert modes_open_to_others(*written, *folders) == []
        db.close()
    finally:
        os.umask(previous)


# --- the download handlers, without the guard --------------------------------------------------


def test_the_crawl_has_no_handler_for_other_schemes_even_without_the_guard(tmp_path: Path) -> None:
    """Defence in depth: with OriginGuardMiddleware switched off, file:/s3:/ftp:/data: still fetch nothing."""
    urls = (
        "file:///etc/passwd",
        "s3://bucket/key.html",
        "ftp://127.0.0.1/x.html",
        "data:text/html,root:x:0:0",
    )
    job = CrawlJob(
        sources=[JobSource(f"s{i}", url) for i, url in enumerate(urls)],
        spool=tmp_path / "spool.jsonl",
        settings={"DOWNLOADER_MIDDLEWARES": {"crawlers.middlewares.OriginGuardMiddleware": None}},
    )
    job.save(tmp_path / "job.json")
    done = subprocess.run(
        [sys.executable, "-m", "crawlers.run", str(tmp_path / "job.json")], capture_output=True, check=False
    )
    assert done.returncode == 0, done.stderr
    items = list(read_spool(job.spool))
    assert not [i for i in items if isinstance(i, FetchedPage)]
    reports = [i for i in items if isinstance(i, SourceReport)]
    assert len(reports) == len(urls)
    for report in reports:
        assert report.listing_pages == 0 and "Unsupported URL scheme" in report.errors[0], report
