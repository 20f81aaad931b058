"""Whole pages → every field: hand-written pages of five layouts plus a PDF made on the fly.

The pages in ``tests/pages/`` carry real notice text from the 快讯 seed issues inside the chrome of
each family (TRS metas + ``.TRS_Editor``; Hanweb ``xxgk_table`` + ``#zoom``; MIIT ``#con_title`` +
``#con_con``; gov.cn ``<td><b>发文字号：</b>`` table + ``#UCAP-CONTENT`` with an ``<ol>``; an old GBK
table layout with no metas, served with a header claiming UTF-8).
``expected.json`` holds the values the seeds give, not the extractor's output.
"""

from __future__ import annotations

import difflib
import io
import json
import re
from pathlib import Path

import pytest

from pipeline.extract import extract_page
from pipeline.records import ExtractedNotice

PAGES = Path(__file__).parent / "pages"
EXPECTED = json.loads((PAGES / "expected.json").read_text(encoding="utf-8"))


def similarity(a: str, b: str) -> float:
    """Character similarity of two texts, whitespace ignored."""
    a, b = re.sub(r"\s+", "", a), re.sub(r"\s+", "", b)
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _extract(name: str) -> tuple[ExtractedNotice, dict]:
    expected = EXPECTED[name]
    body = (PAGES / name).read_bytes()
    return extract_page(body, expected["url"], expected["content_type"]), expected


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_page_fields(name: str) -> None:
    notice, expected = _extract(name)
    assert notice.title == expected["title"]
    assert notice.doc_number == expected["doc_number"]
    assert notice.publish_date == expected["publish_date"]
    assert notice.posted_date == expected["posted_date"]
    assert notice.issuer == expected["issuer"]
    assert notice.addressee == expected["addressee"]
    assert similarity(notice.body_text, "\n".join(expected["body"])) >= 0.99
    assert notice.body_text.split("\n")[0] == expected["body"][0]
    assert notice.annex_text == "\n".join(expected["annex"])
    assert [[a.name, a.url] for a in notice.attachments] == expected["attachments"]
    assert [d.date for d in notice.deadlines] == expected["deadlines"]
    assert notice.source_url == expected["url"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_page_body_html_is_structural_and_clean(name: str) -> None:
    notice, _ = _extract(name)
    html = notice.body_html
    assert html.startswith("<p>")
    tags = set(re.findall(r"</?([a-z0-9]+)", html))
    assert tags <= {
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "table",
        "tbody",
        "thead",
        "tr",
        "th",
        "td",
        "br",
        "strong",
        "b",
        "em",
        "a",
    }
    assert not re.search(r"<(?!a )[a-z0-9]+ ", html), "only <a> may carry attributes"
    for href in re.findall(r'href="([^"]*)"', html):
        assert href.startswith(("http://", "https://"))
    for chrome in ("分享到", "打印", "关闭", "字体", "字号", "版权所有", "浏览次数"):
        assert chrome not in notice.body_text


def test_ndrc_title_suffix_and_site_name() -> None:
    notice, _ = _extract("ndrc_trs.html")
    assert "国家发展和改革委员会" not in notice.title
    assert notice.extra["metas"]["contentsource"] == "产业发展司"
    assert notice.issuer.startswith("国家发展改革委、工业和信息化部")


def test_hanweb_catalog_and_download_names() -> None:
    notice, _ = _extract("shandong_hanweb.html")
    assert notice.extra["catalog"]["发文字号"] == "鲁工信产〔2019〕146号"
    assert notice.extra["catalog"]["标题"] == notice.title
    assert notice.deadlines[0].text.startswith("2. 各市于9月19日前")


def test_miit_deadlines_text() -> None:
    notice, _ = _extract("miit_con_con.html")
    assert [d.text[:12] for d in notice.deadlines] == [
        "本次申报通过网上填报,申",
        "推荐单位需在11月29日",
        "推荐单位负责汇总加盖申报",
    ]


def test_gbk_page_served_with_contradicting_header() -> None:
    notice, _ = _extract("liaoning_gbk.html")
    assert notice.extra["charset"] == "gb18030"
    assert "绿色制造体系" in notice.body_text and "\ufffd" not in notice.body_text
    assert notice.deadlines[0].text == "公示时间：2019年11月11日-11月20日"


def test_listing_hints_are_used_when_given() -> None:
    body = (PAGES / "liaoning_gbk.html").read_bytes()
    url = EXPECTED["liaoning_gbk.html"]["url"]
    notice = extract_page(
        body, url, "text/html", listing_title="辽宁省第三批省级绿色制造体...", listing_date="2019-11-12"
    )
    assert notice.title == "辽宁省第三批省级绿色制造体系建设示范名单公示"
    assert notice.publish_date == "2019-11-11"


# --- PDF made on the fly ----------------------------------------------------------------------

_HUAIBEI_TITLE = "关于印发淮北市绿色工厂评价管理暂行办法的通知"
_HUAIBEI_ANNEX = [
    "淮北市绿色工厂评价管理暂行办法",
    "第一章 总 则",
    "第一条 为贯彻落实《中国制造2025》、《中国制造2025安徽篇》和制造强市建设的战略部署和绿色发展行动计划，"
    "促进工业绿色发展，结合本市实际，制定本办法。",
    "第三条 市级绿色工厂每年评价一次。评价工作遵循企业自愿、择优确定和公开、公平、公正的原则。",
]


def _pdf(lines: list[tuple[str, str]]) -> bytes:
    """A one-column A4 PDF typeset like a 公文: centred title, indented paragraphs, right-aligned signature."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas as pdfgen

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    canvas = pdfgen.Canvas(buf, pagesize=A4)
    width, height = A4
    size, left, right = 14, 72, A4[0] - 72
    y = height - 72
    for text, align in lines:
        pieces, line = [], ""
        limit = right - left - (2 * size if align == "indent" else 0)
        for ch in text:
            if pdfmetrics.stringWidth(line + ch, "STSong-Light", size) > limit:
                pieces.append(line)
                line, limit = "", right - left
            line += ch
        pieces.append(line)
        for k, piece in enumerate(pieces):
            if y < 72:
                canvas.showPage()
                y = height - 72
            canvas.setFont("STSong-Light", size)
            if align == "center":
                canvas.drawCentredString(width / 2, y, piece)
            elif align == "right":
                canvas.drawRightString(right - 2 * size, y, piece)
            else:
                canvas.drawString(left + (2 * size if align == "indent" and k == 0 else 0), y, piece)
            y -= size * 1.7
    canvas.save()
    return buf.getvalue()


def _huaibei_pdf() -> bytes:
    return _pdf(
        [
            (_HUAIBEI_TITLE, "center"),
            ("淮经信节能〔2019〕79号", "center"),
            ("濉溪县经信局，各区经信局，市高新区经发局，临涣煤化工基地管委会经发局：", "left"),
            ("现将《淮北市绿色工厂评价管理暂行办法》印发给你们，请结合实际，认真贯彻执行。", "indent"),
            ("2019年9月4日", "right"),
            *[(text, "center" if i < 2 else "indent") for i, text in enumerate(_HUAIBEI_ANNEX)],
        ]
    )


@pytest.mark.parametrize("listing_title", [None, _HUAIBEI_TITLE])
def test_pdf_notice(listing_title: str | None) -> None:
    url = "http://jxj.huabei.gov.cn/UploadFiles/201909/20190904102311.pdf"
    notice = extract_page(_huaibei_pdf(), url, "application/octet-stream", listing_title=listing_title)
    assert notice.title == _HUAIBEI_TITLE
    assert notice.doc_number == "淮经信节能〔2019〕79号"
    assert notice.addressee == "濉溪县经信局，各区经信局，市高新区经发局，临涣煤化工基地管委会经发局"
    assert notice.body_text == "现将《淮北市绿色工厂评价管理暂行办法》印发给你们，请结合实际，认真贯彻执行。"
    assert notice.publish_date == "2019-09-04"
    assert notice.issuer is None
    assert similarity(notice.annex_text, "\n".join(_HUAIBEI_ANNEX)) >= 0.97
    assert notice.attachments == () and notice.deadlines == ()
    assert notice.extra["charset"] == "pdf"


def test_pdf_sniffed_whatever_the_content_type() -> None:
    notice = extract_page(_huaibei_pdf(), "http://x.gov.cn/a.html", "text/html; charset=utf-8")
    assert notice.title == _HUAIBEI_TITLE
