"""One pass per page: the subtree measures the body heuristics share (``TreeMeasures``) answer
exactly what walking each subtree answers, on every element of real and project pages, and stay
right when the container search wraps a body the template cut in two."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pytest
from lxml import etree

from pipeline.attachments import is_file_url
from pipeline.charset import decode_html
from pipeline.content import SKIP_TAGS, TreeMeasures, clean, drop_hidden, join_split_body, parse_html
from pipeline.extract import extract_page
from pipeline.records import ExtractedNotice

HERE = Path(__file__).resolve().parent
REAL = Path(__file__).resolve().parents[2] / "shared" / "real-pages" / "details"


def walked(el: etree._Element) -> tuple[int, int, int]:
    """The definition, one walk of the subtree: (visible text, link text, text of links to pages)."""
    total = linked = to_pages = 0
    for node in el.iter():
        if node is not el and node.tail:
            total += len(node.tail.strip())
        if not isinstance(node.tag, str) or node.tag in SKIP_TAGS:
            continue
        total += len(node.text.strip()) if node.text else 0
        if node.tag == "a":
            size = len(clean("".join(node.itertext())))
            linked += size
            to_pages += 0 if is_file_url(node.get("href") or "") else size
    return total, linked, to_pages


def measured(measures: TreeMeasures, el: etree._Element) -> tuple[int, int, int]:
    return (*measures.text_and_link_length(el), measures.page_link_length(el))


def tree(path: Path) -> etree._Element:
    root = parse_html(decode_html(path.read_bytes(), None)[0])
    drop_hidden(root)
    return root


def pages() -> list[Path]:
    own = sorted((HERE / "pages").glob("*.html"))
    return own + (sorted(REAL.glob("*.html")) if REAL.is_dir() else [])


@pytest.mark.parametrize("path", pages(), ids=lambda p: p.name)
def test_every_element_measures_as_its_walk(path: Path) -> None:
    root = tree(path)
    measures = TreeMeasures()
    body = root.find("body")
    assert measured(measures, body if body is not None else root)  # the whole page first, then each part
    elements = list(root.iter())
    assert len(elements) > 10
    for el in elements:
        assert measured(measures, el) == walked(el), etree.tostring(el)[:200]


def test_the_real_pages_are_there() -> None:
    if not REAL.is_dir():
        pytest.skip(f"{REAL} is absent (../shared not checked out): real pages not measured")
    assert len(list(REAL.glob("*.html"))) >= 20


CUT_BODY = """<html><body><div id="main">
<div class="detail-text"><p>工信厅科〔2024〕12号</p><p>各市工业和信息化主管部门：</p></div>
<div class="share">分享到：<a href="/x">微信</a> <a href="/y">微博</a></div>
<div class="detail-text"><p>现将有关事项通知如下，请认真组织申报，材料于2024年5月1日前报送。</p>
<p><a href="/files/a.pdf">附件1.申报表</a></p></div>tail text
</div></body></html>"""


def test_measures_stay_right_when_a_cut_body_is_wrapped() -> None:
    root = parse_html(CUT_BODY)
    measures = TreeMeasures()
    main = root.find(".//div[@id='main']")
    first = main.find("div")
    before = {el: measured(measures, el) for el in root.iter()}  # every element measured, then wrapped
    wrapper = join_split_body(first, measures)
    assert wrapper is not first and wrapper.getparent() is main  # the template's cut was joined
    for el in root.iter():
        assert measured(measures, el) == walked(el)
    assert measured(measures, main) == before[main]


def test_the_record_json_is_what_asdict_gives() -> None:
    """``to_json`` builds the JSON field by field; it must equal the generic conversion, key order too."""
    page = (HERE / "pages" / "ndrc_trs.html").read_bytes()
    record = extract_page(page, "https://www.ndrc.gov.cn/xxgk/zcfb/tz/202001/t20200101_1.html")
    record = ExtractedNotice(
        **{name: value for name, value in vars(record).items() if name != "extra"},
        extra=record.extra | {"nested": {"rows": [1, (2, {"k": "v"})]}},
    )
    expected = {"schema": 1, **asdict(record)} | {
        "attachments": [asdict(a) for a in record.attachments],
        "deadlines": [asdict(d) for d in record.deadlines],
        "regions": list(record.regions),
        "agencies": list(record.agencies),
    }
    got = record.to_json()
    assert got == expected
    assert list(got) == list(expected)
    assert got["extra"] is not record.extra and got["extra"]["nested"] is not record.extra["nested"]
    assert isinstance(got["extra"]["nested"]["rows"][1], tuple)  # copied as asdict copies: tuples stay
    assert all(isinstance(a, dict) for a in got["attachments"])
