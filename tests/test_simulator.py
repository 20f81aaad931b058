"""The simulated government web, checked over real HTTP on loopback.

One GovWeb serves the whole module (start-up generates every attachment once); tests that
change state (failure modes, publish) restore it or run last.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from bs4 import BeautifulSoup

from simulator.catalog import NEWS, NOTICE, PDF_ONLY, REPOST
from simulator.seeds import load_seeds
from simulator.server import GovWeb, GovWebThread
from simulator.sites import HANWEB, JPAAS, LEGACY, SITES, TRS, real_listing_url, site_by_name, site_for_host
from simulator.truth import ground_truth
from simulator.urls import split_url

MAGIC = {
    "pdf": b"%PDF",
    "docx": b"PK\x03\x04",
    "xlsx": b"PK\x03\x04",
    "xls": bytes.fromhex("D0CF11E0A1B11AE1"),
    "doc": b"{\\rtf",
}
UNIT_API = "/api-gateway/jpaas-publish-server/front/page/build/unit"


@pytest.fixture(scope="module")
def web() -> Iterator[GovWeb]:
    with GovWebThread(seeds=load_seeds(), held_back=1) as runner:
        yield runner.web


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10, follow_redirects=False) as c:
        yield c


def decode(site_name: str, response: httpx.Response) -> str:
    return response.content.decode(site_by_name(site_name).encoding)


def same_host(url: str, base: str) -> bool:
    return urlsplit(url).netloc == urlsplit(base).netloc


def jpaas_rows(client: httpx.Client, web: GovWeb, site: str, page_no: int = 1) -> dict:
    shell = client.get(web.listing_url(site)).text
    query = json.loads(re.search(r'querydata="([^"]+)"', shell).group(1).replace("'", '"'))
    parse_type = re.search(r'<script parseType="(\w+)"', shell).group(1)
    params = {**query, "parseType": parse_type, "pageType": "column"}
    params["paramJson"] = json.dumps({"pageNo": page_no, "pageSize": "24"})
    r = client.get(web.base_url(site) + UNIT_API, params=params, headers={"Referer": web.listing_url(site)})
    assert r.status_code == 200
    return r.json()


def listing_links(client: httpx.Client, web: GovWeb, site_name: str) -> list[str]:
    """Absolute same-site URLs of the first listing page's rows, in order, as a crawler sees them."""
    site = site_by_name(site_name)
    base = web.listing_url(site_name)
    if site.family == JPAAS:
        html = jpaas_rows(client, web, site_name)["data"]["html"]
        anchors = BeautifulSoup(html, "lxml").select("li.cf > a.fl")
    elif site.family == HANWEB:
        text = client.get(base).text
        records = re.findall(r"<record><!\[CDATA\[(.*?)\]\]></record>", text, re.S)
        anchors = [BeautifulSoup(r, "lxml").find("a", title=True) for r in records]
    else:
        soup = BeautifulSoup(decode(site_name, client.get(base)), "lxml")
        container = soup.select_one("div.list-box") if site.family == TRS else soup.select_one("table.list")
        anchors = container.select("a[title]")
    urls = [urljoin(base, a["href"]) for a in anchors]
    return [u for u in urls if u.startswith("http") and same_host(u, base)]


# -- site table ---------------------------------------------------------------------------


def test_site_table_covers_every_seed_host() -> None:
    hosts = {split_url(s.source_url)[1] for s in load_seeds() if s.source_url}
    assert hosts <= {s.host for s in SITES}
    assert len({s.name for s in SITES}) == len(SITES)
    assert {s.family for s in SITES} == {TRS, HANWEB, JPAAS, LEGACY}
    assert real_listing_url(site_by_name("ndrc")) == "https://www.ndrc.gov.cn/xxgk/zcfb/tz/"


# -- pages --------------------------------------------------------------------------------


def test_every_seed_notice_is_served_at_its_seed_path(web: GovWeb, client: httpx.Client) -> None:
    held = {p.path for p in web.held_back()}
    for seed in web.seeds:
        if not seed.source_url:
            continue
        _, host, path = split_url(seed.source_url)
        site = site_for_host(host)
        r = client.get(web.base_url(site.name) + path)
        if path in held:
            assert r.status_code == 404, seed.title
            continue
        assert r.status_code == 200, (seed.title, path)
        text = decode(site.name, r)
        assert seed.title in BeautifulSoup(text, "lxml").get_text(), seed.title


def test_trs_listing_relative_links_resolve(web: GovWeb, client: httpx.Client) -> None:
    base = web.listing_url("ndrc")
    html = client.get(base).text
    assert 'createPageHTML(countPage, currentPage, "index", "html")' in html
    hrefs = [a["href"] for a in BeautifulSoup(html, "lxml").select("ul.u-list li a[title]")]
    assert any(h.startswith("./") for h in hrefs) and any(h.startswith("../") for h in hrefs)
    for href in hrefs:
        assert client.get(urljoin(base, href)).status_code == 200, href
    assert re.search(r"<span>\d{4}/\d{2}/\d{2}</span>", html)
    second = client.get(base + "index_1.html")
    assert second.status_code == 200 and 'ul class="u-list"' in second.text
    assert client.get(base + "index_9.html").status_code == 404
    # MEE keeps a stale, empty index_N one past the last page.
    mee = web.listing_url("mee")
    first, stub, beyond = (client.get(mee + (f"index_{n}.shtml" if n else "index.shtml")) for n in range(3))
    assert first.status_code == 200 and "<li>" in first.text
    assert stub.status_code == 200 and len(stub.content) < 400 and "<li>" not in stub.text
    assert beyond.status_code == 404


def test_trs_detail_has_guideline_metas_and_attachments(web: GovWeb, client: httpx.Client) -> None:
    ndrc = client.get(web.base_url("ndrc") + "/zcfb/zcfbtz/201911/t20191115_1203505.html").text
    soup = BeautifulSoup(ndrc, "lxml")
    metas = {m["name"]: m["content"] for m in soup.find_all("meta", attrs={"name": True, "content": True})}
    for name in ("SiteName", "SiteIDCode", "ColumnName", "ArticleTitle", "PubDate", "ContentSource", "Url"):
        assert name in metas
    assert metas["ArticleTitle"].endswith("(发改产业〔2019〕1762号)")
    assert not metas["PubDate"].startswith("2019-11-10")  # contradicts the visible date
    assert "发布时间：2019/11/10" in ndrc
    assert soup.select_one("div.article_con > div.TRS_Editor p")
    hunan = "/gxt/xxgk_71033/tzgg/201911/t20191108_10514422.html"
    links = BeautifulSoup(client.get(web.base_url("gxt-hunan") + hunan).text, "lxml").select(
        "div.attachment a"
    )
    assert links and all(a["href"].startswith("./P0") for a in links)


def test_hanweb_datastore_and_dataproxy(web: GovWeb, client: httpx.Client) -> None:
    page = client.get(web.listing_url("sipo")).text
    total = int(re.search(r"totalRecord:(\d+)", page).group(1))
    records = re.findall(r"<record><!\[CDATA\[(.*?)\]\]></record>", page, re.S)
    assert total > 15 and len(records) == 15
    proxy = web.base_url("sipo") + "/module/web/jpage/dataproxy.jsp"
    r = client.post(
        proxy,
        params={"startrecord": 16, "endrecord": 30, "perpage": 15},
        data={"col": 1, "appid": 1, "webid": 1, "path": "/", "columnid": 74, "unitid": 669},
    )
    assert r.status_code == 200 and "<datastore>" in r.text
    second = re.findall(r"<record><!\[CDATA\[(.*?)\]\]></record>", r.text, re.S)
    assert len(second) == total - 15 and not set(second) & set(records)
    # Shandong's proxy answers an empty datastore; its column page embeds everything.
    sd = client.post(
        web.base_url("gxt-shandong") + "/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=45"
    )
    assert "<record>" not in sd.text
    detail = client.get(web.base_url("gxt-shandong") + "/art/2019/9/9/art_15201_7120101.html").text
    labels = [td.get_text() for td in BeautifulSoup(detail, "lxml").select("table.xxgk_table td.xxgk_tit")]
    assert "索 引 号：" in labels and "文　　号：" in labels
    assert (
        "<!--<$[信息内容]>begin-->" in detail
        and "/module/download/downfile.jsp?classid=0&amp;filename=" in detail
    )


def test_jpaas_api_wants_referer(web: GovWeb, client: httpx.Client) -> None:
    shell = client.get(web.listing_url("miit")).text
    assert "querydata=\"{'webId':'" in shell and "'tagId':'当前栏目_list'" in shell
    query = json.loads(re.search(r'querydata="([^"]+)"', shell).group(1).replace("'", '"'))
    params = {**query, "parseType": "bulidstatic", "pageType": "column"}
    denied = client.get(web.base_url("miit") + UNIT_API, params=params)
    assert denied.status_code == 403 and denied.json()["success"] is False
    data = jpaas_rows(client, web, "miit")
    assert data["success"] is True and data["code"] == "200"
    soup = BeautifulSoup(data["data"]["html"], "lxml")
    assert len(soup.select("li.cf > a.fl[title]")) == 24 and soup.select("li.cf > span.fr")
    pagination = soup.select_one("div.pagination")
    assert int(pagination["count"]) > 24 and pagination["rows"] == "24"
    assert jpaas_rows(client, web, "miit", page_no=2)["data"]["html"].count('class="cf"') >= 1
    detail = client.get(listing_links(client, web, "miit")[0]).text
    assert re.search(r'id="con_time">发布时间：\d{4}-\d{2}-\d{2} \d{2}:\d{2}<', detail)
    assert 'id="con_con" class="ccontent' in detail and 'id="con_title"' in detail


def test_legacy_pages_are_gbk_with_charset_quirks(web: GovWeb, client: httpx.Client) -> None:
    r = client.get(web.listing_url("jxj-beijing"))
    with pytest.raises(UnicodeDecodeError):
        r.content.decode("utf-8")
    text = r.content.decode("gbk")
    assert 'content="text/html; charset=gb2312"' in text and 'name="SiteName"' not in text
    assert 'href="javascript:void(0)"' in text and 'href="http://www.gov.cn/' in text and 'href="#"' in text
    assert re.search(r'class="list_date">\[\d{4}-\d{2}-\d{2}\]<', text)
    assert "?page=2" in text and client.get(web.listing_url("jxj-beijing") + "?page=2").status_code == 200
    assert client.get(web.listing_url("gxt-yn")).headers["content-type"] == "text/html; charset=utf-8"
    assert client.get(web.listing_url("jjxxw-cq")).headers["content-type"] == "text/html"
    detail = client.get(web.base_url("jxj-beijing") + "/jxdt/tzgg/300266.htm")
    assert 'class="content"' in detail.content.decode("gbk")


def test_pdf_only_notice(web: GovWeb, client: httpx.Client) -> None:
    from pdfminer.high_level import extract_text

    [entry] = [e for e in ground_truth(web) if e["kind"] == PDF_ONLY]
    assert entry["original_url"] is None and entry["source_url"].endswith(".pdf")
    assert entry["source_url"] in listing_links(client, web, entry["site"])
    r = client.get(entry["source_url"])
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert r.headers["content-type"] == "application/octet-stream"
    assert entry["title"][:12] in extract_text(io.BytesIO(r.content)).replace("\n", "")


def test_attachments_are_real_files(web: GovWeb, client: httpx.Client) -> None:
    kinds = set()
    for page in web.published():
        for att in page.attachments:
            if att.path is None:
                continue
            r = client.get(web.base_url(page.site.name) + att.path)
            assert r.status_code == 200, att
            assert r.content.startswith(MAGIC[att.kind]), (att.kind, att.path)
            assert not r.headers["content-type"].startswith("text/html")
            kinds.add(att.kind)
    assert kinds == set(MAGIC)


def test_unknown_paths_get_a_real_looking_404(web: GovWeb, client: httpx.Client) -> None:
    r = client.get(web.base_url("most") + "/tztg/201901/t20190101_1.htm")
    assert r.status_code == 404 and "页面不存在" in r.text and "网站标识码" in r.text
    legacy = client.get(web.base_url("gxt-hebei") + "/nope.html")
    assert legacy.status_code == 404 and "页面不存在" in legacy.content.decode("gbk")


def test_visit_counter_and_redirect(web: GovWeb, client: httpx.Client) -> None:
    url = web.listing_url("most")
    counts = [re.search(r"访问次数：<span[^>]*>(\d+)<", client.get(url).text).group(1) for _ in range(2)]
    assert counts[0] != counts[1]
    moved = client.get(web.base_url("ndrc") + "/zcfb/zcfbtz/")
    assert moved.status_code == 301 and moved.headers["location"] == "/xxgk/zcfb/tz/"


def test_failure_modes(web: GovWeb, client: httpx.Client) -> None:
    assert GovWeb(seeds=[], failures={"most": "status=500"}).failure("most") == "status=500"
    url = web.listing_url("mee")
    web.set_failure("mee", "status=500")
    try:
        assert client.get(url).status_code == 500
        assert client.get(web.base_url("mee") + "/__sim__/state").status_code == 200
        web.set_failure("mee", "412")
        with httpx.Client(timeout=10) as browser:
            first = browser.get(url)
            assert first.status_code == 412 and "$_ts" in first.text
            assert re.fullmatch(r"[A-Za-z0-9]{10,14}S", next(iter(first.cookies.keys())))
            assert browser.get(url).status_code == 200  # the retry carries the cookie
        assert client.get(url).status_code == 412  # no cookie jar, no entry
    finally:
        web.set_failure("mee", None)
    assert client.get(url).status_code == 200


def test_ground_truth_matches_published_pages(web: GovWeb, client: httpx.Client) -> None:
    truth = ground_truth(web)
    assert len(truth) == len(web.published()) == len({e["source_url"] for e in truth})
    kinds = {e["kind"] for e in truth}
    assert kinds == {NOTICE, NEWS, PDF_ONLY, REPOST}
    for entry in truth:
        if entry["kind"] == NEWS:
            assert entry["category"] == "其他" and entry["doc_number"] is None
        else:
            assert entry["body_text"].strip(), entry["title"]
            assert entry["category"] in ("政策文件", "绿色制造", "申报通知")
        if entry["kind"] != PDF_ONLY:
            r = client.get(entry["source_url"])
            assert r.status_code == 200, entry["source_url"]
    assert sum(e["kind"] not in (NEWS, REPOST) for e in truth) == len(web.seeds) - len(web.held_back())
    assert sum(e["kind"] == REPOST for e in truth) == 1


def test_publish_puts_one_notice_on_top(web: GovWeb, client: httpx.Client) -> None:
    [held] = web.held_back()
    held_url = web.url_of(held)
    before = listing_links(client, web, held.site.name)
    assert held_url not in before and client.get(held_url).status_code == 404
    [released] = web.publish()
    assert released["source_url"] == held_url and released["kind"] == NOTICE
    after = listing_links(client, web, held.site.name)
    assert after[0] == held_url and after[1:] == before[: len(after) - 1]
    assert client.get(held_url).status_code == 200
    state = client.get(web.base_url("ndrc") + "/__sim__/state").json()
    assert state["held_back"] == [] and set(state["sites"]) == {s.name for s in SITES}
    assert client.post(web.base_url("ndrc") + "/__sim__/publish").json() == []
