"""Pages that are not notices: each is refused with one clear line, never another exception.

A crawl meets empty answers, cut-off transfers, binaries and Office files behind HTML links,
broken PDFs, junk, anti-bot challenges (瑞数 ``$_ts``, 加速乐 ``__jsl_clearance``, see
gov-sites.md §3) and error pages served as content. :func:`pipeline.extract.extract_page` must
raise :class:`ExtractionError` for all of them, with a one-line message, and return promptly
(nothing is timed here; a hang would show as a stuck test). The last test feeds 200 seeded random
mutations of real simulator pages and accepts only a record or an ExtractionError.
"""

from __future__ import annotations

import io
import json
import random
import re
from collections import Counter
from collections.abc import Callable, Iterator

import httpx
import pytest
from docx import Document

from pipeline.extract import ExtractionError, extract_page
from pipeline.records import ExtractedNotice
from simulator.server import GovWebThread

Served = dict[str, tuple[bytes, str | None, str]]
"""name → (body, Content-Type, URL) of pages fetched from the simulator."""

URL = "http://gxt.example.gov.cn/zwgk/tzgg/201911/t20191115_4242.html"
MUTATIONS = 200
SEED = 20191115


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    """Real bytes from the simulated web: two notice pages, a PDF, a challenge, error pages."""
    failures = {"ndrc": "412", "mee": "status=500"}
    with GovWebThread(held_back=0, failures=failures) as thread, httpx.Client(timeout=30) as client:
        web = thread.web
        pages = [p for p in web.published() if p.site.name not in failures]

        def get(name: str, url: str) -> None:
            response = client.get(url)
            out[name] = (response.content, response.headers.get("content-type"), url)

        out: Served = {}
        legacy = next(p for p in pages if p.site.family == "legacy" and p.kind == "notice")
        trs = next(p for p in pages if p.site.family == "trs" and p.kind == "notice")
        pdf = next(p for p in pages if p.kind == "pdf-only")
        get("legacy", web.url_of(legacy))
        get("trs", web.url_of(trs))
        get("pdf", web.url_of(pdf))
        get("ruishu", web.base_url("ndrc") + "/")
        get("status500", web.base_url("mee") + "/")
        get("status404", web.base_url("most") + "/no/such/page.html")
        yield out


def _docx() -> bytes:
    """A real Word file, as served behind a link that promised HTML."""
    document = Document()
    document.add_paragraph("关于开展2019年度申报工作的通知")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _junk_html(size: int, seed: int) -> bytes:
    """Random tags and text up to ``size`` bytes: what a misbehaving server or a trap returns."""
    rnd = random.Random(seed)
    pool = []
    for _ in range(1000):
        tag = rnd.choice((b"div", b"span", b"p", b"td", b"li", b"a", b"font", b"b"))
        text = bytes(rnd.choice(b"abcdefgh <>&;/=\"'") for _ in range(rnd.randint(0, 40)))
        pool.append(b"<%s class='c%d'>%s</%s>" % (tag, rnd.randint(0, 999), text, tag))
    chunks = rnd.choices(pool, k=size // 40)
    return b"<html><body>" + b"".join(chunks)[:size] + b"</body></html>"


JIASULE_FIRST = (
    b"<script>document.cookie=('_')+('_')+('j')+('s')+('l')+('_')+('c')+('l')+('e')+('a')+('r')+('a')"
    b"+('n')+('c')+('e')+('_')+('s')+('=')+(+new Date()+'|0|'+'1f3e')+';max-age=3600;path=/';"
    b"location.href=location.pathname+location.search</script>"
)
"""加速乐 request 1 (521): a bare script that sets ``__jsl_clearance_s`` and reloads (§3.2)."""
JIASULE_SECOND = (
    b'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><script>var _0x1a2b=["go"];'
    b'go({"bts":["1700000000.123|0|Hk","%3D"],"chars":"aBcDeFgHiJkLmN","ct":"8c1f0b4e2d",'
    b'"ha":"sha1","is":true,"tn":"__jsl_clearance_s","vt":"3600","wt":"1500"})</script></body></html>'
)
"""加速乐 request 2 (521): the ``go({...})`` hash puzzle (§3.2)."""
NGINX_404 = (
    b"<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n"
    b"<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)

Builder = Callable[[Served], tuple[bytes, str | None]]
BAD_PAGES: dict[str, tuple[Builder, str]] = {
    "empty bytes": (lambda s: (b"", "text/html"), "empty"),
    "whitespace only": (lambda s: (b" \r\n\t ", "text/html"), "empty"),
    "truncated HTML": (lambda s: (s["trs"][0][: len(s["trs"][0]) // 2], s["trs"][1]), "truncated"),
    "random binary": (lambda s: (random.Random(1).randbytes(64_000), "text/html"), "binary"),
    "DOCX as HTML": (lambda s: (_docx(), "text/html"), "ZIP"),
    "corrupt PDF as HTML": (lambda s: (s["pdf"][0][: len(s["pdf"][0]) // 2], "text/html"), "PDF"),
    "PDF header only": (lambda s: (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "text/html"), "PDF"),
    "5 MB junk HTML": (lambda s: (_junk_html(5 * 1024 * 1024, 5), "text/html"), "too large"),
    "3.9 MB junk HTML": (lambda s: (_junk_html(3_900_000, 39), "text/html"), ""),
    "attribute bomb": (
        lambda s: (b"<html><body><div " + b" ".join(b"a%d=x" % i for i in range(60_000)) + b">x</div>", None),
        "attributes",
    ),
    "瑞数 $_ts challenge": (lambda s: s["ruishu"][:2], "anti-bot"),
    "加速乐 cookie script": (lambda s: (JIASULE_FIRST, "text/html"), "anti-bot"),
    "加速乐 go() puzzle": (lambda s: (JIASULE_SECOND, "text/html"), "anti-bot"),
    "site 404 page": (lambda s: s["status404"][:2], "error page"),
    "nginx 404 page": (lambda s: (NGINX_404, "text/html"), "error page"),
    "nginx 500 page": (lambda s: s["status500"][:2], "error page"),
}


@pytest.mark.parametrize("name", list(BAD_PAGES))
def test_bad_page_is_refused_in_one_line(served: Served, name: str) -> None:
    build, fragment = BAD_PAGES[name]
    body, content_type = build(served)
    with pytest.raises(ExtractionError) as caught:
        extract_page(body, URL, content_type)
    message = str(caught.value)
    assert message.strip() and "\n" not in message and len(message) <= 300, repr(message)
    assert fragment.lower() in message.lower(), message


SHORT_NOTICE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<title>关于门户网站暂停服务期间无法访问的公告_某某省工业和信息化厅</title></head><body>
<h1>关于门户网站暂停服务期间无法访问的公告</h1><div class="TRS_Editor">
<p>因机房设备升级，本网站将于2019年11月16日8:00至18:00暂停服务，期间无法访问。原公示内容已撤销，相关页面已删除。</p>
<p>特此公告。</p><p style="text-align: right;">某某省工业和信息化厅</p>
<p style="text-align: right;">2019年11月15日</p></div></body></html>""".encode()


def test_short_notice_about_the_site_is_not_an_error_page() -> None:
    """The error-page check must not refuse a short notice that talks about pages and deletions."""
    record = extract_page(SHORT_NOTICE, URL, "text/html")
    assert record.title == "关于门户网站暂停服务期间无法访问的公告"
    assert record.issuer == "某某省工业和信息化厅"


def test_the_good_pages_used_for_mutations_extract(served: Served) -> None:
    """The mutation bases are readable notices, so a refusal below is the mutation's doing."""
    for name in ("legacy", "trs"):
        body, content_type, url = served[name]
        assert extract_page(body, url, content_type).body_text


# --- Random mutations ------------------------------------------------------------------------

_TAG_RE = re.compile(rb"<[^<>]{1,200}>")
_CODECS = ("utf-8", "gb18030", "big5", "utf-16", "latin-1", "shift_jis")

Mutation = tuple[bytes, str | None, str]


def _truncate(rnd: random.Random, body: bytes, ct: str | None) -> Mutation:
    cut = rnd.randrange(len(body))
    return body[:cut], ct, f"truncated at {cut}"


def _delete_tags(rnd: random.Random, body: bytes, ct: str | None) -> Mutation:
    tags = list(_TAG_RE.finditer(body))
    doomed = sorted(
        rnd.sample(tags, min(len(tags), rnd.randint(1, 40))), key=lambda m: m.start(), reverse=True
    )
    for tag in doomed:
        body = body[: tag.start()] + body[tag.end() :]
    return body, ct, f"{len(doomed)} tags deleted"


def _delete_range(rnd: random.Random, body: bytes, ct: str | None) -> Mutation:
    start = rnd.randrange(len(body))
    end = min(len(body), start + rnd.randint(1, 4000))
    return body[:start] + body[end:], ct, f"bytes {start}:{end} deleted"


def _swap_encoding(rnd: random.Random, body: bytes, ct: str | None) -> Mutation:
    """Re-encode the page in another codec, with a header naming the old, the new or no charset."""
    own = "gb18030" if "gb" in (ct or "").lower() else "utf-8"
    text = body.decode(own, "replace")
    codec = rnd.choice(_CODECS)
    header = rnd.choice([ct, f"text/html; charset={codec}", "text/html", None])
    return text.encode(codec, "replace"), header, f"{own} → {codec}, header {header!r}"


def _flip_bytes(rnd: random.Random, body: bytes, ct: str | None) -> Mutation:
    data = bytearray(body)
    for _ in range(rnd.randint(1, 200)):
        data[rnd.randrange(len(data))] = rnd.randrange(256)
    return bytes(data), ct, "random bytes flipped"


def _insert_junk(rnd: random.Random, body: bytes, ct: str | None) -> Mutation:
    at = rnd.randrange(len(body))
    junk = rnd.choice(
        [b"\x00" * 64, b"<!--", b"<script>", b"<table><tr><td>", b"</div>" * 50, rnd.randbytes(300)]
    )
    return body[:at] + junk + body[at:], ct, f"{junk[:12]!r} inserted at {at}"


def _duplicate_chunk(rnd: random.Random, body: bytes, ct: str | None) -> Mutation:
    start = rnd.randrange(len(body))
    chunk = body[start : start + rnd.randint(1, 5000)]
    return body + chunk * rnd.randint(1, 3), ct, f"{len(chunk)} bytes repeated at the end"


MUTATORS = (
    _truncate,
    _delete_tags,
    _delete_range,
    _swap_encoding,
    _flip_bytes,
    _insert_junk,
    _duplicate_chunk,
)


def _mutate(rnd: random.Random, body: bytes, ct: str | None) -> Mutation:
    """One to three mutations in a row, described for the failure message."""
    done = []
    for _ in range(rnd.randint(1, 3)):
        if not body:
            break
        body, ct, what = rnd.choice(MUTATORS)(rnd, body, ct)
        done.append(what)
    return body, ct, "; ".join(done)


def _check_record(record: ExtractedNotice) -> None:
    """A record that comes out is a usable one: a title and JSON-able fields."""
    assert isinstance(record, ExtractedNotice)
    assert record.title.strip()
    json.dumps(record.to_json(), ensure_ascii=False)


def test_random_mutations_give_a_record_or_an_extraction_error(served: Served) -> None:
    rnd = random.Random(SEED)
    bases = [served["legacy"], served["trs"]]
    outcomes: Counter[str] = Counter()
    for i in range(MUTATIONS):
        original, content_type, url = bases[i % len(bases)]
        body, header, what = _mutate(rnd, original, content_type)
        try:
            record = extract_page(body, url, header)
        except ExtractionError as exc:
            assert "\n" not in str(exc), f"mutation {i} ({what}): multi-line message {exc!s}"
            outcomes["refused"] += 1
            continue
        except Exception as exc:  # the point of the test: report which mutation escaped
            pytest.fail(f"mutation {i} ({what}) raised {type(exc).__name__}: {exc}")
        _check_record(record)
        outcomes["record"] += 1
    assert outcomes["record"] and outcomes["refused"], outcomes
