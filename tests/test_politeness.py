"""Politeness and reach: one download slot per host, and each source's delay, user agent, proxy
and TLS ciphers, through the real crawl path (real HTTP on loopback, the crawl child process)."""

from __future__ import annotations

import asyncio
import base64
import datetime
import json
import os
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import ClientSession, web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dh, rsa
from cryptography.x509.oid import NameOID
from sqlalchemy import select

from crawlers.job import CrawlJob
from kuaixun.config import Config, read_raw, validate
from kuaixun.cycle import _job_source, crawl, scrapy_settings
from kuaixun.demo import demo_config
from simulator.server import GovWebThread
from simulator.truth import ground_truth
from store.db import Database
from store.models import Notice, RunSource
from tests.conftest import PROJECT

MODP_1024 = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF",
    16,
)
"""RFC 2409's 1024-bit Diffie-Hellman group: what a government server still offering weak DHE
sends; OpenSSL's default security level refuses it ("dh key too small"), SECLEVEL=1 accepts it."""
PASSWORD = "s3cret-proxy-pass"


def config_for(sim: GovWebThread, workdir: Path, sources: list[dict[str, object]]) -> Config:
    raw = demo_config(read_raw(PROJECT / "config.yaml"), sim.web, workdir)
    raw["sources"] = sources
    return validate(raw, "config.yaml (test)", workdir, environ={"PROXY_PASSWORD": PASSWORD})


def source(sim: GovWebThread, name: str, **keys: object) -> dict[str, object]:
    site = sim.web.site(name)
    return {"name": name, "agency": site.agency, "listing_url": sim.web.listing_url(name), **keys}


def stored(config: Config) -> set[str]:
    db = Database(config.store.url)
    with db.session() as session:
        urls = {n.url for n in session.scalars(select(Notice))}
    db.close()
    return urls


# --- one slot per host ------------------------------------------------------------------------


def test_two_sources_on_one_host_share_one_download_slot(sim: GovWebThread, tmp_path: Path) -> None:
    """A real config's crawl job, through the politeness middleware into Scrapy's own Downloader."""
    listing = sim.web.listing_url("ndrc")
    config = config_for(
        sim,
        tmp_path,
        [
            {"name": "ndrc-tz", "agency": "国家发展改革委", "listing_url": listing, "delay": 1.5},
            {
                "name": "ndrc-index",
                "agency": "国家发展改革委",
                "listing_url": listing + "index.html",
                "delay": 4.0,
            },
            source(sim, "mee"),
        ],
    )
    job = CrawlJob(
        sources=[_job_source(s, config) for s in config.sources],
        spool=Path(os.devnull),
        settings=scrapy_settings(config),
    )
    job.save(tmp_path / "job.json")
    probe = subprocess.run(
        [sys.executable, "-m", "tests.slot_probe", str(tmp_path / "job.json")],
        capture_output=True,
        text=True,
        cwd=PROJECT,
        check=True,
    )
    slots = json.loads(probe.stdout)
    tz, index, mee = slots["ndrc-tz"], slots["ndrc-index"], slots["mee"]
    assert tz["slot"] == index["slot"] and tz["slot_id"] == index["slot_id"]  # one slot for the host
    assert mee["slot"] != tz["slot"] and mee["slot_id"] != tz["slot_id"]
    assert tz["delay"] == index["delay"] == 4.0  # the politest of the host's sources
    assert mee["delay"] == 0  # the crawl-wide download_delay (0 for the simulator)


# --- a proxy per source, and its user agent ---------------------------------------------------


@dataclass
class Forwarder:
    """An HTTP forward proxy (or, with ``tls``, a TLS front) on loopback that records what it relays."""

    target: str | None = None
    """Base URL every request goes to (a TLS front); None: the absolute URL asked (a proxy)."""
    tls: ssl.SSLContext | None = None
    seen: list[tuple[str, str, str]] = field(default_factory=list)
    """(url, User-Agent, Proxy-Authorization) of each request relayed."""
    base: str = ""

    def __post_init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    async def _relay(self, request: web.Request) -> web.Response:
        headers = request.headers
        self.seen.append(
            (str(request.url), headers.get("User-Agent", ""), headers.get("Proxy-Authorization", ""))
        )
        url = (self.target + request.path_qs) if self.target else str(request.url)
        async with (
            ClientSession() as client,
            client.request(request.method, url, data=await request.read(), allow_redirects=False) as r,
        ):
            body = await r.read()
            kept = {k: v for k, v in r.headers.items() if k.lower() in ("content-type", "location")}
            return web.Response(status=r.status, body=body, headers=kept)

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._relay)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=self.tls)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base = f"{'https' if self.tls else 'http'}://127.0.0.1:{port}"

    def __enter__(self) -> Forwarder:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=30)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)


def test_a_source_goes_through_its_proxy_with_its_user_agent_and_the_password_stays_secret(
    sim: GovWebThread, tmp_path: Path
) -> None:
    with Forwarder() as proxy:
        proxy_url = proxy.base.replace("http://", "http://kuaixun:${PROXY_PASSWORD}@")
        config = config_for(
            sim,
            tmp_path,
            [
                source(sim, "most", proxy=proxy_url, user_agent="KuaixunTest/1.0 (+mainland egress)"),
                source(sim, "mee"),
            ],
        )
        db = Database(config.store.url)
        result = crawl(config, db)
    assert all(o.status == "ok" for o in result.outcomes), [o.line() for o in result.outcomes]
    truth = ground_truth(sim.web)
    most = {t["source_url"] for t in truth if t["site"] == "most"}
    assert stored(config) == most | {t["source_url"] for t in truth if t["site"] == "mee"}

    relayed = {url for url, _, _ in proxy.seen}
    assert most <= relayed  # every notice page of the proxied source went through the proxy …
    assert not any(sim.web.base_url("mee") in url for url in relayed)  # … and no other source's
    credentials = "Basic " + base64.b64encode(f"kuaixun:{PASSWORD}".encode()).decode()
    assert {(ua, auth) for _, ua, auth in proxy.seen} == {("KuaixunTest/1.0 (+mainland egress)", credentials)}

    log = (config.data_dir / "logs" / "crawl.log").read_text(encoding="utf-8")
    with db.session() as session:
        errors = " ".join(r.error or "" for r in session.scalars(select(RunSource)))
    assert PASSWORD not in log + errors


def test_a_dead_proxy_fails_its_source_without_showing_the_password(
    sim: GovWebThread, tmp_path: Path
) -> None:
    with Forwarder() as closed:
        dead = closed.base.replace("http://", "http://kuaixun:${PROXY_PASSWORD}@")
    config = config_for(sim, tmp_path, [source(sim, "most", proxy=dead)])
    (outcome,) = crawl(config, Database(config.store.url)).outcomes
    assert outcome.status == "failed"
    assert outcome.errors and PASSWORD not in " ".join(outcome.errors)
    assert PASSWORD not in (config.data_dir / "logs" / "crawl.log").read_text(encoding="utf-8")


# --- TLS ciphers per host ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def weak_dh_front(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[GovWebThread, Forwarder]]:
    """The simulator's 科技部 behind a TLS server that offers only DHE with a 1024-bit group."""
    folder = tmp_path_factory.mktemp("tls")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    pem_key = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (folder / "key.pem").write_bytes(pem_key)
    (folder / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    group = dh.DHParameterNumbers(MODP_1024, 2).parameters()
    (folder / "dh.pem").write_bytes(
        group.parameter_bytes(serialization.Encoding.PEM, serialization.ParameterFormat.PKCS3)
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers("DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:@SECLEVEL=0")
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    context.load_dh_params(str(folder / "dh.pem"))
    with GovWebThread() as sim, Forwarder(target=sim.web.base_url("most"), tls=context) as front:
        yield sim, front


def tls_source(sim: GovWebThread, front: Forwarder, **keys: object) -> dict[str, object]:
    return {**source(sim, "most"), "listing_url": front.base + sim.web.site("most").listing_path, **keys}


def test_without_its_ciphers_a_weak_dh_site_fails_with_the_reason(
    weak_dh_front: tuple[GovWebThread, Forwarder], tmp_path: Path
) -> None:
    sim, front = weak_dh_front
    config = config_for(sim, tmp_path, [tls_source(sim, front)])
    (outcome,) = crawl(config, Database(config.store.url)).outcomes
    assert outcome.status == "failed"
    assert "dh key too small" in outcome.errors[0]


def test_its_tls_ciphers_let_the_crawl_reach_a_weak_dh_site(
    weak_dh_front: tuple[GovWebThread, Forwarder], tmp_path: Path
) -> None:
    sim, front = weak_dh_front
    config = config_for(sim, tmp_path, [tls_source(sim, front, tls_ciphers="DEFAULT:@SECLEVEL=1")])
    (outcome,) = crawl(config, Database(config.store.url)).outcomes
    assert outcome.status == "ok", outcome.line()
    most = [t for t in ground_truth(sim.web) if t["site"] == "most"]
    assert outcome.new == len(most) > 0
