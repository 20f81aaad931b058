"""The heuristics that make extraction hold on real pages, each on a small page written for it.

Every snippet describes a kind of page seen on real government sites (a crawler's content fragment,
a letter-spaced 落款, a 公开目录 table, a related-content tail, a page built from script data …),
never one saved page: the real pages themselves are scored in tests/test_real_pages.py.
"""

from __future__ import annotations

import pytest

from pipeline.extract import ExtractionError, extract_page
from pipeline.lexicon import DOC_TYPES, FILE_EXTENSIONS, ORG_ENDINGS
from pipeline.records import ExtractedNotice
from pipeline.structure import split_signers
from pipeline.tags import notice_type

URL = "http://www.example.gov.cn/zwgk/tzgg/202401/t20240105_1234.html"
BODY = "为推动产业高质量发展，现就有关事项通知如下。请各单位认真组织，按要求报送材料，确保工作落实到位。"


def _page(content: str, head: str = "", title: str = "") -> bytes:
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>{head}</head>"
        f"<body>{content}</body></html>"
    ).encode()


def _extract(page: str | bytes, url: str = URL) -> ExtractedNotice:
    return extract_page(page.encode() if isinstance(page, str) else page, url, "text/html")


# --- content fragments and the 公开目录 --------------------------------------------------------

FRAGMENT = f"""<div class="wrap"><table class="bd1"><tbody>
<tr><td><b>索 引 号：</b></td><td>000014349/2019-00001</td><td><b>主题分类：</b></td><td>工业</td></tr>
<tr><td><b>发文机关：</b></td><td>某某省人民政府办公厅</td><td><b>成文日期：</b></td><td>2019年01月09日</td></tr>
<tr><td><b>标　　题：</b></td><td colspan="3">某某省人民政府办公厅关于开展试点工作的通知</td></tr>
<tr><td><b>发文字号：</b></td><td>某政办发〔2019〕3号</td><td><b>发布日期：</b></td><td>2019年01月22日</td></tr>
</tbody></table>
<table><tbody><tr><td id="UCAP-CONTENT">
<p>各市人民政府，省政府各部门：</p><p>{BODY}</p>
<p style="text-align:right">某某省人民政府办公厅</p><p style="text-align:right">2019年1月9日</p>
<p>（此件公开发布）</p></td></tr></tbody></table></div>"""


def test_a_content_fragment_is_read_with_its_catalog_as_metadata() -> None:
    """A crawler's content block (no <html>/<body>) is valid input; its 公开目录 rows are fields,
    not body, and their 发布日期 is not the date of a signed notice."""
    notice = _extract(FRAGMENT)
    assert notice.title == "某某省人民政府办公厅关于开展试点工作的通知"
    assert notice.doc_number == "某政办发〔2019〕3号"
    assert notice.publish_date == "2019-01-09"
    assert notice.addressee == "各市人民政府，省政府各部门"
    assert notice.issuer == "某某省人民政府办公厅"
    assert notice.body_text == BODY
    assert "此件公开发布" not in notice.body_text + notice.annex_text


def test_a_cut_whole_page_is_still_refused_as_truncated() -> None:
    page = _page(f"<h1>关于开展试点工作的通知</h1><div class='TRS_Editor'><p>{BODY}</p></div>")
    with pytest.raises(ExtractionError, match="truncated"):
        _extract(page[: len(page) - 40])


# --- signatures --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("科　技　部", ["科技部"]),
        ("国 家 能 源 局", ["国家能源局"]),
        ("科　技　部　　财　政　部", ["科技部", "财政部"]),
        ("工业和信息化部 国 家 能 源 局", ["工业和信息化部", "国家能源局"]),
        ("国务院办公厅\u3000中央军委办公厅", ["国务院办公厅", "中央军委办公厅"]),
    ],
)
def test_letter_spaced_signers_are_joined(line: str, names: list[str]) -> None:
    assert split_signers(line) == names


def test_signers_separated_by_ensp_nbsp_and_br() -> None:
    """Several bodies on one right-aligned line (&ensp; runs, &nbsp;) and across a <br>."""
    page = _page(
        f"<h1>关于印发若干措施的通知</h1><div class='TRS_Editor'><p>各有关单位：</p><p>{BODY}</p>"
        "<p style='text-align:right'>某某省发展和改革委员会&ensp;&ensp;&ensp;某某省财政厅<br>"
        "某某省科学技术厅&nbsp;&nbsp;某某省生态环境厅</p>"
        "<p style='text-align:right'>2025年2月25日</p></div>"
    )
    notice = _extract(page)
    assert notice.issuer == "某某省发展和改革委员会、某某省财政厅、某某省科学技术厅、某某省生态环境厅"
    assert notice.publish_date == "2025-02-25"


def test_a_decree_signed_by_a_person_is_issued_by_the_body_of_its_letterhead() -> None:
    page = _page(
        "<h1>某某条例</h1><div class='TRS_Editor'><p>中华人民共和国国务院令</p><p>第999号</p>"
        "<p>现公布《某某条例》，自2020年1月1日起施行。</p>"
        "<p style='text-align:right'>总理　　某某某</p><p style='text-align:right'>2019年12月1日</p>"
        "<p>某某条例</p><p>第一条　为了规范某某活动，制定本条例。</p></div>"
    )
    notice = _extract(page)
    assert notice.issuer == "国务院"
    assert notice.body_text == "现公布《某某条例》，自2020年1月1日起施行。"
    assert "第一条" in notice.annex_text


def test_the_source_division_is_not_the_issuer() -> None:
    """来源：产业处 and the ContentSource meta name who posted the page, not who issued it."""
    page = _page(
        f"<h1>关于开展试点工作的通知</h1><div>发布时间：2024-01-05　来源：产业处</div>"
        f"<div class='TRS_Editor'><p>各有关单位：</p><p>{BODY}</p><p>{BODY}</p></div>",
        head="<meta name='ContentSource' content='产业处'>",
    )
    notice = _extract(page)
    assert notice.issuer is None
    assert notice.posted_date == "2024-01-05"


# --- what stays out of the body -----------------------------------------------------------------


def test_related_content_after_an_unsigned_text_is_not_body() -> None:
    page = _page(
        f"<h1>关于印发市场规则的通知</h1><div class='TRS_Editor'><p>各有关单位：</p><p>{BODY}</p>"
        "<p><a href='/files/rules.doc'>市场规则.doc</a></p><p>解读文件：</p>"
        "<p><a href='/jd/1.html'>《市场规则》政策解读</a></p></div>"
    )
    notice = _extract(page)
    assert notice.body_text.endswith("市场规则.doc")
    assert "解读" not in notice.body_text
    assert [a.name for a in notice.attachments] == ["市场规则.doc"]


def test_a_legal_notice_and_an_editor_line_are_not_body() -> None:
    """版权与免责声明 holds more prose than a short notice; 责任编辑 and share bars are chrome."""
    disclaimer = "".join(
        f"<p>{i}.凡本站注明“来源：本站”的所有作品，版权均属本站所有，转载时必须注明来源，并自负法律责任。</p>"
        for i in range(1, 5)
    )
    page = _page(
        f"<h1>关于开展试点工作的通知</h1><div class='article'><p>{BODY}</p>"
        "<p>（责任编辑：张三）</p></div><div class='share'>分享到：微信 微博</div>"
        f"<div class='bqsm'><div class='bqsm-title'>版权与免责声明</div>{disclaimer}</div>"
    )
    notice = _extract(page)
    assert notice.body_text == BODY


def test_hidden_copies_and_hidden_link_lists_are_not_read() -> None:
    """A rendered DOM keeps hidden elements (Angular ``ng-hide``): they are neither title nor body."""
    hidden_list = "".join(
        f"<span class='title'><a href='/a{i}.html'>另一篇文章的标题{i}</a>"
        f"<span class='ng-hide'>另一篇文章的标题{i}</span></span>"
        for i in range(5)
    )
    page = _page(
        f"<div class='sidebar'>{hidden_list}</div>"
        f"<div class='wenzhang-title'>关于开展试点工作的通知</div>"
        f"<div class='wenzhang-content'><p>{BODY}</p></div>"
        f"<div class='ng-hide'><div class='wenzhang-content'><p>{BODY}{BODY}{BODY}</p></div></div>"
    )
    notice = _extract(page)
    assert notice.title == "关于开展试点工作的通知"
    assert notice.body_text == BODY


def test_a_title_element_holding_its_meta_lines() -> None:
    page = _page(
        "<div class='news-title'><div>某某座谈会在京召开</div>"
        "<ul><li>来源：新华社</li><li>作者：</li><li>2023-12-01 14:43</li></ul></div>"
        f"<div id='content'><p>某某座谈会在京召开强调</p><p>{BODY}</p></div>"
    )
    notice = _extract(page)
    assert notice.title == "某某座谈会在京召开"
    assert notice.body_text.startswith("某某座谈会在京召开强调")


def test_a_caption_under_the_title_is_not_body() -> None:
    page = _page(
        "<h1>某某常务委员会关于批准某某事项的决议</h1><div class='TRS_Editor'>"
        "<p>（2007年6月29日第十届全国人民代表大会常务委员会第二十八次会议通过）</p>"
        f"<p>{BODY}</p></div>"
    )
    assert _extract(page).body_text == BODY


def test_a_form_table_is_data_even_with_long_cells() -> None:
    """Label/value rows (行政处罚信息公开表) stay rows: the date in the last row is no signature."""
    long_value = "".join(f"<p>{i}、{BODY}</p>" for i in range(1, 4))
    rows = [
        ("行政处罚决定书文号", "某罚决字〔2024〕36号"),
        ("被处罚当事人", "某某保险股份有限公司"),
        ("主要违法违规事实", long_value),
        ("作出处罚决定的日期", "2024年7月8日"),
    ]
    table = "".join(f"<tr><td>{label}</td><td>{value}</td></tr>" for label, value in rows)
    page = _page(
        "<div class='title'>某某监管局行政处罚信息公开表</div><div>发布时间：2024-07-12</div>"
        f"<div class='content'><table>{table}</table></div>"
    )
    notice = _extract(page)
    assert notice.publish_date == "2024-07-12"
    assert notice.body_text.endswith("作出处罚决定的日期\t2024年7月8日")


# --- dates, 文号 and attachments -----------------------------------------------------------------


def test_an_unlabelled_date_in_a_date_element_is_the_posting_date() -> None:
    page = (
        "<div class='detail'><div class='detail_title'>关于开展试点工作的通知</div>"
        "<div class='detail_date'><span>2022-07-05 16:16</span><span>来源：</span></div>"
        f"<div class='detail_text'><p>各有关单位：</p><p>{BODY}</p></div></div>"
    )
    notice = _extract(page, "http://www.example.gov.cn/xxgk/202309/t20230913_1.html")
    assert notice.publish_date == "2022-07-05"


def test_a_page_that_is_only_the_link_to_its_pdf() -> None:
    """The body is the notice's own file, whose name carries the 文号; it is no attachment."""
    page = (
        "<div class='detail'><div class='detail_title'>关于印发市场系列规则的通知</div>"
        "<div class='detail_text'><p><a href='./P0201.pdf' title='x'>"
        "关于印发市场系列规则的通知（某监能市场〔2025〕59号）.pdf</a></p></div>"
        "<div class='file'><h2>附件：</h2><ul><li><a href='./P0202.pdf'>1.交易细则.pdf</a></li></ul></div></div>"
    )
    notice = _extract(page)
    assert notice.doc_number == "某监能市场〔2025〕59号"
    assert notice.body_text == "关于印发市场系列规则的通知（某监能市场〔2025〕59号）.pdf"
    assert [a.name for a in notice.attachments] == ["交易细则.pdf"]


def test_attachment_names_from_the_title_attribute_or_the_line() -> None:
    """A link that says 下载 / doc / 附件1 is named by its title attribute, else by its line."""
    page = _page(
        f"<h1>关于开展项目申报工作的通知</h1><div class='TRS_Editor'><p>{BODY}</p>"
        "<p>项目申报书 <a href='/f/a.docx'>点击下载</a></p>"
        "<p><a href='/f/b.xlsx' title='项目汇总表.xlsx'>下载</a></p>"
        "<p><a href='/f/c.pdf'>pdf</a>（推荐目录）</p></div>"
    )
    names = sorted(a.name for a in _extract(page).attachments)
    assert names == sorted(["推荐目录", "项目申报书", "项目汇总表.xlsx"])


def test_an_attachment_block_found_by_its_heading() -> None:
    """A 相关附件： block outside the body, in markup with no attachment-like class or id."""
    page = _page(
        f"<h1>关于开展项目申报工作的通知</h1><div class='TRS_Editor'><p>{BODY}</p></div>"
        "<div class='box'><span>相关附件：</span><ul><li><a href='/f/list.pdf'>拟推荐名单.pdf</a></li></ul></div>"
    )
    assert [a.name for a in _extract(page).attachments] == ["拟推荐名单.pdf"]


# --- pages built by scripts, pages that cannot be read ----------------------------------------

SCRIPT_PAGE = (
    """<div id="article-title"></div><div id="article-content"></div>
<script>window._CONFIG = {env: 'production', data: {"id": 7, "article": {"title":
"\\u5173\\u4e8e\\u516c\\u5f00\\u5f81\\u6c42\\u610f\\u89c1\\u7684\\u901a\\u544a",
"content": "\\u003Cp\\u003EBODY\\u003C/p\\u003E\\u003Cp style=\\u0022text-align:right\\u0022\\u003E某某省发展改革委\\u003C/p\\u003E\\u003Cp\\u003E2026年9月9日\\u003C/p\\u003E",
"published_at": "2026-09-09 18:05"}}};</script>"""
).replace("BODY", BODY)


def test_a_page_whose_text_is_only_in_script_data() -> None:
    notice = _extract(_page(SCRIPT_PAGE))
    assert notice.title == "关于公开征求意见的通告"
    assert notice.body_text == BODY
    assert notice.issuer == "某某省发展改革委"
    assert notice.publish_date == "2026-09-09"


def test_an_image_only_page_says_so() -> None:
    page = _page(
        "<h1>关于开展试点工作的通知</h1><div class='TRS_Editor'>"
        "<p><img src='./W020240105_1.jpg'></p><p><img src='./W020240105_2.jpg'></p></div>"
    )
    with pytest.raises(ExtractionError, match="image-only"):
        _extract(page)


def test_a_javascript_shell_says_so() -> None:
    page = _page(
        "<div id='app'></div><script src='/static/js/app.js'></script>"
        "<script>window.__INITIAL__ = {menu: ['首页']};</script>"
    )
    with pytest.raises(ExtractionError, match="JavaScript"):
        _extract(page)


# --- the lexicon -----------------------------------------------------------------------------


def test_every_document_type_ending_gives_its_type() -> None:
    for ending, kind in DOC_TYPES:
        assert notice_type(f"某某部关于某某事项的{ending}") == kind, ending


def test_lexicon_lists_are_the_ones_the_modules_use() -> None:
    from pipeline import attachments, metadata, structure

    assert metadata.TITLE_ENDINGS is __import__("pipeline.lexicon").lexicon.TITLE_ENDINGS
    assert structure.ORG_ENDINGS is ORG_ENDINGS
    assert all(attachments.is_file_url(f"http://x.gov.cn/f/a.{ext}") for ext in FILE_EXTENSIONS)
