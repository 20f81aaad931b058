"""Fuzzing the readers of fetched pages: seeded random damage to real government pages.

Every page is untrusted. Mutations of the real detail pages (``../shared/real-pages/details``)
go through ``kuaixun extract``'s path (``service.extract_target``: decoding, extraction,
classification, JSON) and must give a record or an ``ExtractError``; mutations of the real
listings go through Scrapy's decoding into ``crawlers.listings.read_listing`` and must give a
``Listing``. Any other exception fails the test, listing every case that raised it (page,
mutation, exception) so it can be replayed: the cases are fixed by the seed
(``KUAIXUN_FUZZ_SCALE=10`` runs ten times as many).
"""

from __future__ import annotations

import os
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from crawlers.listings import Listing, read_listing
from kuaixun.config import Config, load_extraction_config
from kuaixun.extracting import ExtractError, extract_target

PROJECT = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"
REAL = SHARED / "real-pages"
if not REAL.is_dir():
    pytest.skip(f"no real pages to fuzz: {REAL} is absent (the shared folder)", allow_module_level=True)

SEED = 20261129
SCALE = int(os.environ.get("KUAIXUN_FUZZ_SCALE", "1"))
DETAIL_CASES = 60 * SCALE
"""Damaged detail pages per run: some eight seconds of extraction on an idle machine."""
LISTING_CASES = 40 * SCALE
"""Damaged listings per run: some six seconds."""

TAG = re.compile(rb"<[^<>]{0,300}>")
CONTENT_TYPES = (None, "text/html", "text/html; charset=gbk", "text/html; charset=utf-8", "application/pdf")
BAD_UTF8 = (b"\xff", b"\xfe\xff", b"\xc3", b"\xe4\xb8", b"\x80\x80", b"\xed\xa0\x80", b"\xf4\x90\x80\x80")


@dataclass(frozen=True)
class Case:
    page: Path
    mutation: str
    body: bytes

    def describe(self) -> str:
        return f"{self.page.name} [{self.mutation}]"


def byte_flips(rng: random.Random, body: bytes) -> tuple[str, bytes]:
    data = bytearray(body)
    count = rng.choice([1, 10, 200])
    for _ in range(count):
        data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    return f"{count} bit flips", bytes(data)


def truncate(rng: random.Random, body: bytes) -> tuple[str, bytes]:
    at = rng.randrange(1, len(body))
    closed = rng.random() < 0.5  # past the truncation check, into the extractor
    return f"cut at {at}{' + </body></html>' if closed else ''}", body[:at] + (
        b"</body></html>" if closed else b""
    )


def delete_tags(rng: random.Random, body: bytes) -> tuple[str, bytes]:
    tags = list(TAG.finditer(body))
    doomed = set(rng.sample(range(len(tags)), min(len(tags), rng.choice([1, 5, 50]))))
    for match in reversed([m for i, m in enumerate(tags) if i in doomed]):
        body = body[: match.start()] + body[match.end() :]
    return f"{len(doomed)} tags deleted", body


def duplicate_tags(rng: random.Random, body: bytes) -> tuple[str, bytes]:
    tags = list(TAG.finditer(body))
    if len(tags) < 2:
        return "no tags to duplicate", body
    first, second = sorted(rng.sample(range(len(tags)), 2))
    chunk = body[tags[first].start() : tags[second].end()][:20_000]
    at = rng.choice(tags).start()
    times = rng.choice([1, 2, 20])
    return f"{len(chunk)} bytes of tags x{times} at {at}", body[:at] + chunk * times + body[at:]


def encoding_damage(rng: random.Random, body: bytes) -> tuple[str, bytes]:
    kind = rng.randrange(4)
    if kind == 0:
        codec = rng.choice(["gbk", "utf-16", "big5", "latin-1"])
        return f"re-encoded as {codec}", body.decode("utf-8", "replace").encode(codec, "replace")
    if kind == 1:
        data = body
        for _ in range(rng.choice([1, 20])):
            at = rng.randrange(len(data))
            data = data[:at] + rng.choice(BAD_UTF8) + data[at:]
        return "invalid UTF-8 sequences", data
    if kind == 2:
        charset = rng.choice([b"gbk", b"utf-16", b"x-nonsense", b"", b"utf-7", b"\xff\xfe"])
        meta = b'<meta http-equiv="Content-Type" content="text/html; charset=' + charset + b'">'
        return f"meta charset {charset!r}", meta + body
    return "NUL and control bytes", body.replace(b"<", b"\x00<", rng.choice([1, 50]))


def huge_nesting(rng: random.Random, body: bytes) -> tuple[str, bytes]:
    depth = rng.choice([300, 3_000, 30_000])
    opener = rng.choice([b"<div>", b"<table><tr><td>", b"<b>", b"<ul><li>", b"<p><span>"])
    tags = list(TAG.finditer(body))
    at = rng.choice(tags).start() if tags else 0
    return f"{opener!r} x{depth}", body[:at] + opener * depth + body[at:]


MUTATORS: tuple[Callable[[random.Random, bytes], tuple[str, bytes]], ...] = (
    byte_flips, truncate, delete_tags, duplicate_tags, encoding_damage, huge_nesting,
)  # fmt: skip


def cases(folder: Path, count: int, seed: int) -> list[Case]:
    pages = sorted(folder.glob("*.html"))
    rng = random.Random(seed)
    made = []
    for _ in range(count):
        page = rng.choice(pages)
        body = page.read_bytes()
        descriptions = []
        for _ in range(rng.choice([1, 1, 2, 3])):
            description, body = rng.choice(MUTATORS)(rng, body)
            descriptions.append(description)
        made.append(Case(page, "; ".join(descriptions), body))
    return made


def page_url(page: Path) -> str:
    """A URL on the page's own host (the file name says it: 05-www.nfra.gov.cn.html)."""
    host = page.stem.split("-", 1)[1].split("-", 1)[0]
    return f"http://{host}/zwgk/notice/t20250101_1.html"


def crashes(run: Callable[[Case], None], found: list[Case]) -> list[str]:
    failures = []
    for n, case in enumerate(found):
        try:
            run(case)
        except Exception as exc:  # the finding: anything but the documented outcome
            failures.append(f"case {n}: {case.describe()}: {type(exc).__name__}: {str(exc)[:200]}")
    return failures


@pytest.fixture(scope="module")
def config() -> Config:
    return load_extraction_config(PROJECT / "config.yaml")


def test_damaged_detail_pages_extract_or_fail_cleanly(config: Config, tmp_path: Path) -> None:
    found = cases(REAL / "details", DETAIL_CASES, SEED)
    rng = random.Random(SEED)
    outcomes = {"record": 0, "ExtractError": 0}

    def run(case: Case) -> None:
        path = tmp_path / case.page.name
        path.write_bytes(case.body)
        try:
            record = extract_target(config, str(path), page_url(case.page), rng.choice(CONTENT_TYPES))
        except ExtractError as exc:
            assert str(exc).startswith(str(path)), exc
            outcomes["ExtractError"] += 1
            return
        assert isinstance(record, dict) and record["title"], record
        outcomes["record"] += 1

    failures = crashes(run, found)
    assert not failures, f"{len(failures)} of {len(found)} damaged pages raised:\n" + "\n".join(failures)
    assert outcomes["record"] and outcomes["ExtractError"], outcomes  # both outcomes are exercised


def test_damaged_listings_read_or_give_an_empty_listing() -> None:
    found = cases(REAL / "listings", LISTING_CASES, SEED)
    rng = random.Random(SEED)
    read = 0

    def run(case: Case) -> None:
        nonlocal read
        headers = {"Content-Type": rng.choice(CONTENT_TYPES[:4]) or "text/html"}
        response = HtmlResponse(url=page_url(case.page), body=case.body, headers=headers)
        listing = read_listing(response.url, response.text, rng.choice([1, 2, 7]))
        assert isinstance(listing, Listing)
        read += bool(listing.entries)

    failures = crashes(run, found)
    assert not failures, f"{len(failures)} of {len(found)} damaged listings raised:\n" + "\n".join(failures)
    assert read, "no damaged listing kept any entry: the mutations are too blunt to test the readers"


def test_cases_are_deterministic() -> None:
    assert cases(REAL / "listings", 5, SEED) == cases(REAL / "listings", 5, SEED)


def test_a_garbled_attribute_name_beside_the_link_is_read_past() -> None:
    """What the fuzzer found (case 39 of the default run): a control character in an attribute
    name made lxml raise when the reader asked for all attributes of the anchor."""
    html = (
        '<html><body><ul><li><a href="/zwgk/t20250101_1.html" a\x0bb="x">关于开展绿色工厂申报工作的通知</a>'
        "<span>2025-01-01</span></li></ul></body></html>"
    )
    listing = read_listing("http://www.mnr.gov.cn/zwgk/", html)
    assert [entry.url for entry in listing.entries] == ["http://www.mnr.gov.cn/zwgk/t20250101_1.html"]
