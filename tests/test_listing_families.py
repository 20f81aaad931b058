"""The listing family registry: a source's ``family:`` picks its reader; sniffing when it is absent.

On the handwritten layouts of ``tests/listing_pages``, the real listings of ``../shared/real-pages``
and the JSON shapes of the Anhui label and Guangdong gkmlpt APIs (gov-sites.md §2).
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from scrapy.http import HtmlResponse
from sqlalchemy import select

from crawlers.listings import FAMILIES, read_listing
from kuaixun.config import ConfigError, validate
from kuaixun.cycle import crawl
from simulator.server import GovWebThread
from simulator.truth import ground_truth
from store.db import Database
from store.models import Notice
from tests.conftest import sim_config

PAGES = Path(__file__).resolve().parent / "listing_pages"
EXPECTED = json.loads((PAGES / "expected.json").read_text(encoding="utf-8"))
REAL = Path(__file__).resolve().parents[2] / "shared" / "real-pages" / "listings"
SIGNATURE_FAMILIES = ("hanweb", "jpaas", "anhui-label")
"""Families that recognise their own format and refuse any other page."""
SNIFFED = {
    "ul_spans.html": "trs",
    "table_rows.html": "trs",
    "card_list.html": "trs",
    "platform_common_list.html": "trs",
    "undated_base64.html": "rows",
    "js_built.html": "rows",
    "hanweb_cards.html": "hanweb",
}
"""What sniffing calls each handwritten page: TRS by its t-date links or its createPageHTML pager."""

LABEL_URL = "https://jxj.huaibei.gov.cn/site/label/8888?labelName=publicInfoList&isJson=true&isForPage=true&pageSize=2"


def _urls(listing: object) -> list[str]:
    return [e.url for e in listing.entries]  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sniffing_names_the_family_and_naming_it_reads_the_same(name: str) -> None:
    want = EXPECTED[name]
    text = (PAGES / name).read_text(encoding="utf-8")
    sniffed = read_listing(want["url"], text)
    assert sniffed.family == SNIFFED[name]
    named = read_listing(want["url"], text, 1, sniffed.family)
    assert (named.reader, _urls(named)) == (want["reader"], [e[0] for e in want["entries"]])


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if SNIFFED[n] != "hanweb"))
def test_a_named_family_never_reads_a_page_of_another_format(name: str) -> None:
    """A source configured as hanweb whose site moved to TRS reports no entries, not a guess."""
    text = (PAGES / name).read_text(encoding="utf-8")
    for family in SIGNATURE_FAMILIES:
        listing = read_listing(EXPECTED[name]["url"], text, 1, family)
        assert (listing.reader, listing.entries, listing.unread) == ("none", [], True)


@pytest.mark.skipif(not REAL.is_dir(), reason=f"real listing pages absent ({REAL} not mounted)")
def test_real_listings_read_alike_named_trs_or_sniffed() -> None:
    truth = json.loads((REAL / "listings_truth.json").read_text(encoding="utf-8"))
    for page in truth:
        response = HtmlResponse(url=page["source_url"], body=(REAL / page["file"]).read_bytes())
        sniffed = read_listing(response.url, response.text)
        named = read_listing(response.url, response.text, 1, "trs")
        assert sniffed.family == "trs", page["file"]  # createPageHTML pagers: all six are TRS templates
        assert _urls(named) == _urls(sniffed) and len(named.entries) >= page["n_links"], page["file"]
        assert (named.next_page and named.next_page.url) == (sniffed.next_page and sniffed.next_page.url)


def test_anhui_label_json_entries_and_pages() -> None:
    rows = [
        {
            "title": "关于组织申报2026年度省级专精特新中小企业的通知",
            "link": "/public/6596/1.html",
            "createDate": "2026-11-02",
        },
        {
            "title": "淮北市经信局关于开展工业节能诊断服务的通知",
            "link": "/public/6596/2.html",
            "createDate": "2026-10-28",
        },
    ]
    first = read_listing(LABEL_URL, json.dumps({"data": {"data": rows, "total": 5}}, ensure_ascii=False))
    assert (first.reader, first.family) == ("label", "anhui-label")
    assert [(e.url, e.date_text) for e in first.entries] == [
        ("https://jxj.huaibei.gov.cn/public/6596/1.html", "2026-11-02"),
        ("https://jxj.huaibei.gov.cn/public/6596/2.html", "2026-10-28"),
    ]
    assert first.next_page is not None and first.next_page.reader == "anhui-label"
    query = parse_qs(urlsplit(first.next_page.url).query)
    assert query["pageIndex"] == ["2"] and query["labelName"] == ["publicInfoList"]
    last = read_listing(
        first.next_page.url.replace("pageIndex=2", "pageIndex=3"),
        json.dumps({"data": {"data": rows[:1], "total": 5}}),
    )
    assert last.next_page is None
    # The other label variants: rows under ``datas`` with ``url`` / ``pubDate``, no total.
    variant = {
        "data": {
            "datas": [
                {
                    "title": rows[0]["title"],
                    "url": "https://jxj.huaibei.gov.cn/a/3.html",
                    "pubDate": "2026-11-01",
                }
            ]
        }
    }
    other = read_listing(LABEL_URL, json.dumps(variant, ensure_ascii=False), 1, "anhui-label")
    assert [(e.url, e.date_text) for e in other.entries] == [
        ("https://jxj.huaibei.gov.cn/a/3.html", "2026-11-01")
    ]
    assert other.next_page is None  # fewer rows than pageSize: the last page


@pytest.mark.parametrize(
    "reply",
    ['{"data": null}', '{"data": {"data": "x"}}', "<html><body>访问异常</body></html>", '{"code": 500}'],
)
def test_anhui_label_refuses_what_is_not_its_list(reply: str) -> None:
    listing = read_listing(LABEL_URL, reply, 1, "anhui-label")
    assert listing.reader == "none" and listing.unread


def test_gkmlpt_api_json() -> None:
    url = "https://stic.sz.gov.cn/gkmlpt/api/all/12726?page=1&sid=755038"
    articles = [
        {
            "title": "深圳市科技创新局关于2026年高新技术企业认定的通知",
            "url": "https://stic.sz.gov.cn/gkmlpt/content/12/12726/post_1.html",
            "date": "2026-11-02",
        }
    ]
    listing = read_listing(
        url, json.dumps({"articles": articles, "classify": {"post_count": 3}}, ensure_ascii=False)
    )
    assert (listing.reader, listing.family, _urls(listing)) == ("gkmlpt", "gkmlpt", [articles[0]["url"]])
    assert listing.next_page is not None and "page=2" in listing.next_page.url


def test_config_family_is_checked_with_a_suggestion(tmp_path: Path) -> None:
    source = {"name": "a", "agency": "某局", "listing_url": "https://a.gov.cn/tzgg/"}
    for family in FAMILIES:
        assert (
            validate({"sources": [{**source, "family": family}]}, "c.yaml", tmp_path).sources[0].family
            == family
        )
    with pytest.raises(ConfigError) as raised:
        validate({"sources": [{**source, "family": "anhui_label"}]}, "c.yaml", tmp_path)
    assert str(raised.value).startswith(
        "c.yaml: sources[0].family: unknown family 'anhui_label' (did you mean `anhui-label`?)"
    )


def test_the_crawl_reads_each_source_with_its_family(tmp_path: Path) -> None:
    """Through the spider: the Anhui label JSON source stores its site's notices; a source whose
    configured family is not its page's (a TRS column said to be hanweb) fails by name, never guessed."""
    with GovWebThread(held_back=0) as sim:
        wrong = {
            "name": "ndrc-as-hanweb",
            "agency": "国家发展改革委",
            "family": "hanweb",
            "listing_url": sim.web.listing_url("ndrc"),
        }
        config = sim_config(sim, tmp_path, [wrong])
        db = Database(config.store.url)
        try:
            result = crawl(config, db, only=["jxj-huaibei", "ndrc-as-hanweb"])
            with db.session() as session:
                stored = set(session.scalars(select(Notice.url).where(Notice.source_name == "jxj-huaibei")))
        finally:
            db.close()
        huaibei = {r["source_url"] for r in ground_truth(sim.web) if r["site"] == "jxj-huabei"}
    outcomes = {o.source: o for o in result.outcomes}
    assert outcomes["jxj-huaibei"].status == "ok" and stored == huaibei
    assert outcomes["ndrc-as-hanweb"].status == "failed"
    assert "no notice links found" in outcomes["ndrc-as-hanweb"].errors[0]


def test_anhui_label_reads_a_garbled_page_number_as_the_first_page() -> None:
    rows = [
        {
            "title": "关于组织申报2026年度省级专精特新中小企业的通知",
            "link": "/public/1.html",
            "createDate": "2026-11-02",
        }
    ]
    listing = read_listing(
        LABEL_URL + "&pageIndex=x1", json.dumps({"data": {"data": rows * 2, "total": 9}}), 1
    )
    assert listing.next_page is not None
    assert parse_qs(urlsplit(listing.next_page.url).query)["pageIndex"] == ["2"]
