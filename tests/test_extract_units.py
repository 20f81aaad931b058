"""Unit tests of each extraction heuristic (pipeline.charset … pipeline.extract)."""

from __future__ import annotations

import os

import pytest

from pipeline.attachments import collect_attachments, is_file_url, names_from_text
from pipeline.charset import decode_html, mojibake_score, normalize_charset
from pipeline.content import Block, find_container, flatten, is_chrome_line, parse_html
from pipeline.dates import cn_number, date_from_url, date_line, find_dates, parse_date
from pipeline.deadlines import find_deadlines
from pipeline.docnumber import (
    find_doc_number,
    line_doc_number,
    normalize_doc_number,
    split_title_suffix,
)
from pipeline.extract import ExtractionError, extract_page
from pipeline.metadata import choose_title, read_metadata
from pipeline.records import Attachment
from pipeline.sanitize import blocks_to_html, sanitize_fragment
from pipeline.structure import analyse, is_addressee, is_signer_line, split_glued, split_signers

# --- 文号 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("发改产业〔2019〕1762号", "发改产业〔2019〕1762号"),
        ("工信厅联装〔2019〕44号", "工信厅联装〔2019〕44号"),
        ("工信部联原[2019]239号", "工信部联原〔2019〕239号"),
        ("国科发规［2019］298号", "国科发规〔2019〕298号"),
        ("鲁工信产（2019）146号", "鲁工信产〔2019〕146号"),
        ("津工信节能(2019)15号", "津工信节能〔2019〕15号"),
        ("闽工信函节能【2019】448号", "闽工信函节能〔2019〕448号"),
        ("国知办发运字 〔 2019 〕 34 号", "国知办发运字〔2019〕34号"),
        ("京经信发\u3000〔2019〕\xa060号", "京经信发〔2019〕60号"),
        ("国令第845号", "国令第845号"),
        ("财政部 税务总局公告 2019 年第 84 号", "财政部税务总局公告2019年第84号"),
        ("国家发展和改革委员会令 第 29 号", "国家发展和改革委员会令第29号"),
    ],
)
def test_doc_number_forms_normalised(raw: str, expected: str) -> None:
    assert line_doc_number(raw) == expected
    assert normalize_doc_number(raw).replace(" ", "") == normalize_doc_number(expected)


def test_doc_number_line_rejects_sentences() -> None:
    assert line_doc_number("根据《国务院关于印发促进大数据发展行动纲要的通知》（国发〔2015〕50号）") is None
    assert line_doc_number("各省、自治区、直辖市：") is None
    assert line_doc_number("文号：国发〔2024〕6号") == "国发〔2024〕6号"


def test_doc_number_title_suffix() -> None:
    title = "关于推动先进制造业和现代服务业深度融合发展的实施意见(发改产业〔2019〕1762号)"
    assert split_title_suffix(title) == (
        "关于推动先进制造业和现代服务业深度融合发展的实施意见",
        "发改产业〔2019〕1762号",
    )
    assert split_title_suffix("关于印发《方案（2019-2022年）》的通知") == (
        "关于印发《方案（2019-2022年）》的通知",
        None,
    )


def test_doc_number_in_field_value() -> None:
    assert find_doc_number(" 鲁工信产〔2019〕146号 ") == "鲁工信产〔2019〕146号"
    assert find_doc_number("无") is None


# --- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019-11-15", "2019-11-15"),
        ("2019/11/15", "2019-11-15"),
        ("2019.11.15", "2019-11-15"),
        ("2019-11-15 10:30:00", "2019-11-15"),
        ("2019年11月10日", "2019-11-10"),
        ("2019 年 8 月 31 日", "2019-08-31"),
        ("发布时间：2019年07月23日", "2019-07-23"),
        ("二〇一九年十一月十日", "2019-11-10"),
        ("二○二四年一月五日", "2024-01-05"),
        ("二〇一九年九月二十九日", "2019-09-29"),
        ("[2019-11-15]", "2019-11-15"),
        ("20191115", "2019-11-15"),
        ("1573783200000", "2019-11-15"),
    ],
)
def test_parse_date_forms(text: str, expected: str) -> None:
    assert parse_date(text) == expected


def test_parse_date_month_day_needs_year() -> None:
    assert parse_date("11-15") is None
    assert parse_date("11-15", default_year=2019) == "2019-11-15"
    assert parse_date("2019年13月1日") is None


def test_chinese_numerals() -> None:
    assert cn_number("十") == 10
    assert cn_number("十一") == 11
    assert cn_number("二十") == 20
    assert cn_number("三十一") == 31
    assert cn_number("二〇一九") == 2019


def test_find_dates_range_inherits_year() -> None:
    found = find_dates("公示时间：2019年11月11日-11月20日")
    assert [d.iso for d in found] == ["2019-11-11", "2019-11-20"]


def test_date_line_only_whole_lines() -> None:
    assert date_line("2019年11月10日") == "2019-11-10"
    assert date_line("2019 年 11 月 8 日") == "2019-11-08"
    assert date_line("二〇一九年十一月十一日") == "2019-11-11"
    assert date_line("于2019年12月6日前报送") is None
    assert date_line("年 月 日") is None


def test_date_from_url() -> None:
    assert date_from_url("https://www.ndrc.gov.cn/xxgk/zcfb/tz/201911/t20191115_1203505.html") == "2019-11-15"
    assert date_from_url("http://gxt.shandong.gov.cn/art/2019/9/9/art_15201_7120101.html") == "2019-09-09"
    assert date_from_url("http://gxt.ln.gov.cn/gxt/tztg/20191111093012345/index.shtml") == "2019-11-11"
    assert date_from_url("http://example.gov.cn/a/b.html") is None


# --- charset ----------------------------------------------------------------------------------

_TEXT = "关于开展宁波市绿色制造示范（第一批）创建工作的通知。各区县（市）经信局，各管委会经发局，有关企业："


def _page(charset: str) -> str:
    return (
        f'<html><head><meta charset="{charset}"><title>通知</title></head><body><p>{_TEXT}</p></body></html>'
    )


def test_charset_header_contradicted_by_gbk_bytes() -> None:
    body = _page("gb2312").encode("gb18030")
    text, codec = decode_html(body, "text/html; charset=utf-8")
    assert codec == "gb18030"
    assert _TEXT in text


def test_charset_header_gbk_but_bytes_utf8() -> None:
    body = _page("utf-8").encode("utf-8")
    text, codec = decode_html(body, "text/html; charset=GBK")
    assert codec == "utf-8"
    assert _TEXT in text


def test_charset_latin1_header_is_never_trusted_for_chinese() -> None:
    text, _ = decode_html(_page("utf-8").encode("utf-8"), "text/html; charset=iso-8859-1")
    assert _TEXT in text


def test_charset_missing_everywhere_is_detected() -> None:
    body = f"<html><body><p>{_TEXT * 3}</p></body></html>".encode("gb18030")
    text, _ = decode_html(body, "text/html")
    assert _TEXT in text


def test_charset_bom_wins() -> None:
    body = b"\xef\xbb\xbf" + _page("gbk").encode("utf-8")
    text, _ = decode_html(body, "text/html; charset=gbk")
    assert _TEXT in text and not text.startswith("\ufeff")


def test_charset_aliases_and_mojibake_score() -> None:
    assert normalize_charset("GB2312") == "gb18030"
    assert normalize_charset("x-gbk") == "gb18030"
    assert normalize_charset("UTF8") == "utf-8"
    assert normalize_charset("no-such-charset") is None
    garbled = _TEXT.encode("utf-8").decode("gb18030", "replace")
    assert mojibake_score(garbled) > 0.3
    assert mojibake_score(_TEXT) < 0.05


# --- content ----------------------------------------------------------------------------------


def test_container_hint_and_chrome_removed() -> None:
    html = """<html><body><div class="nav"><a href="/">首页</a><a href="/x">政务公开</a></div>
    <div class="article"><h1>关于开展试点工作的通知</h1>
    <div id="zoom"><p>各有关单位：</p><p>为贯彻落实有关部署，现就开展试点工作通知如下。</p>
    <div class="bdsharebuttonbox">分享到：<a href="#">微信</a></div>
    <p>【字体：大 中 小】</p><p>打印本页 关闭窗口</p></div></div>
    <div class="footer">版权所有 京ICP备05052393号</div></body></html>"""
    root = parse_html(html)
    container = find_container(root)
    assert container.get("id") == "zoom"
    texts = [b.text for b in flatten(container, "http://x.gov.cn/a.html")]
    assert texts == ["各有关单位：", "为贯彻落实有关部署，现就开展试点工作通知如下。"]


def test_container_density_fallback_on_unknown_layout() -> None:
    prose = "".join(
        f"<p>第{i}条 为规范管理，提高效率，根据有关规定，制定本办法，请各单位认真执行。</p>" for i in range(8)
    )
    html = f"""<html><body><div class="x1"><a href="/">首页</a> | <a href="/a">机构</a> | <a href="/b">新闻</a></div>
    <div class="x2"><div class="x3">{prose}</div><div class="x4"><a href="/c">相关链接一</a><a href="/d">相关链接二</a></div></div>
    <div class="x5">主办单位：某某局 网站标识码：1100000088 访问次数：123456</div></body></html>"""
    container = find_container(parse_html(html))
    assert container.get("class") == "x3"


def test_flatten_br_lines_tables_and_links() -> None:
    html = """<div id="c">第一行<br>第二行<br/><b>加粗</b>文字
    <table><tr><th>序号</th><th>名称</th></tr><tr><td>1</td><td>绿色工厂</td></tr></table>
    <p>附件：<a href="../files/a.pdf">名单</a></p></div>"""
    root = parse_html(html)
    blocks = flatten(root.find(".//div"), "http://x.gov.cn/a/b/c.html")
    assert [b.text for b in blocks] == [
        "第一行",
        "第二行",
        "加粗文字",
        "序号\t名称",
        "1\t绿色工厂",
        "附件：名单",
    ]
    assert blocks[3].kind == "tr" and blocks[3].table == blocks[4].table
    assert blocks[5].links == (("名单", "http://x.gov.cn/a/files/a.pdf"),)
    assert blocks[2].html == "<b>加粗</b>文字"


def test_layout_table_is_recursed_not_flattened_to_rows() -> None:
    long = "为推动绿色制造体系建设，现将有关事项通知如下，请各单位认真组织实施并按时报送。" * 8
    html = f"<table><tr><td class='main'><p>{long}</p><p>第二段。</p></td></tr></table>"
    blocks = flatten(parse_html(html).find(".//table"), "http://x.gov.cn/")
    assert [b.kind for b in blocks] == ["p", "p"]


def test_chrome_lines() -> None:
    for line in (
        "【字体：大 中 小】",
        "打印本页",
        "【打印】 【关闭】",
        "浏览次数：1234",
        "分享到：",
        "— 3 —",
    ):
        assert is_chrome_line(line), line
    for line in ("特此通知。", "国家发展改革委", "一、总体要求", "中国制造2025"):
        assert not is_chrome_line(line), line


# --- metadata ---------------------------------------------------------------------------------


def test_catalog_table_labels_with_padding() -> None:
    html = """<html><head><meta name="ArticleTitle" content="关于X的通知"><meta name="PubDate" content="2019-09-09 16:32">
    </head><body><table class="xxgk_table">
    <tr><td>索 引 号：</td><td>11370000004188470R/2019-00416</td><td><b>发文机关：</b></td><td>山东省工业和信息化厅</td></tr>
    <tr><td>标\u3000\u3000题：</td><td>关于X的通知</td></tr>
    <tr><th>发文字号</th><td>鲁工信产〔2019〕146号</td><td>成文日期：2019-09-09</td></tr>
    </table><div>发布时间：2019-09-10 来源：厅办公室</div></body></html>"""
    meta = read_metadata(parse_html(html))
    assert meta.catalog["索引号"] == "11370000004188470R/2019-00416"
    assert meta.catalog["发文机关"] == "山东省工业和信息化厅"
    assert meta.catalog["标题"] == "关于X的通知"
    assert meta.catalog["发文字号"] == "鲁工信产〔2019〕146号"
    assert meta.catalog["成文日期"] == "2019-09-09"
    assert meta.meta("pubdate") == "2019-09-09 16:32"
    assert meta.header_date == "2019-09-10"
    assert meta.header_source == "厅办公室"


def test_title_never_site_name_and_listing_prefix() -> None:
    html = """<html><head><title>辽宁省工业和信息化厅</title><meta name="SiteName" content="辽宁省工业和信息化厅">
    </head><body><h2>通知公告</h2><h1>辽宁省第三批省级绿色制造体系建设示范名单公示</h1></body></html>"""
    root = parse_html(html)
    meta = read_metadata(root)
    from pipeline.metadata import dom_title_candidates

    candidates = dom_title_candidates(root)
    assert choose_title(meta, candidates, None, None) == "辽宁省第三批省级绿色制造体系建设示范名单公示"
    assert (
        choose_title(meta, candidates, None, "辽宁省第三批省级绿色制造...")
        == "辽宁省第三批省级绿色制造体系建设示范名单公示"
    )


# --- structure --------------------------------------------------------------------------------


def _blocks(*lines: str, right: tuple[str, ...] = ()) -> list[Block]:
    return [Block("p", line, align="right" if line in right else "") for line in lines]


def test_addressee_lines() -> None:
    assert is_addressee("各省、自治区、直辖市及计划单列市、新疆生产建设兵团有关部门：")
    assert is_addressee("各区县（市）经信局，各管委会经发局，有关企业：")
    assert is_addressee("濉溪县经信局，各区经信局，市高新区经发局，临涣煤化工基地管委会经发局：")
    assert not is_addressee("现将有关事项通知如下：")
    assert not is_addressee("申请创新券支持的企业需同时满足以下条件：")
    assert not is_addressee("附件：")
    assert not is_addressee("一、总体要求：")


def test_signers_glued_and_spaced() -> None:
    assert split_glued("自治区工业和信息化厅自治区生态环境厅") == ["自治区工业和信息化厅", "自治区生态环境厅"]
    assert split_glued("财政部税务总局") == ["财政部", "税务总局"]
    for whole in (
        "工业和信息化部办公厅",
        "人力资源社会保障部",
        "国务院国资委",
        "中央宣传部文改办",
        "市场监管总局",
    ):
        assert split_glued(whole) == [whole], whole
    assert split_signers("国家发展改革委\u3000工业和信息化部") == ["国家发展改革委", "工业和信息化部"]
    assert split_signers("财政部 税务总局") == ["财政部", "税务总局"]
    assert is_signer_line(Block("p", "湖南省工业和信息化厅"))
    assert not is_signer_line(Block("p", "特此通知。"))
    assert not is_signer_line(Block("p", "2.推荐汇总表"))


def test_shape_of_a_notice() -> None:
    blocks = _blocks(
        "关于开展试点工作的通知",
        "工信厅联装〔2019〕44号",
        "各省、自治区、直辖市工业和信息化主管部门：",
        "为贯彻落实有关部署，现将有关事项通知如下：",
        "一、总体要求",
        "请于2019年12月6日前报送。",
        "特此通知。",
        "附件：试点申报书",
        "工业和信息化部办公厅",
        "国家发展改革委办公厅",
        "2019年11月6日",
        "附件",
        "试点申报书",
    )
    shape = analyse(blocks, "关于开展试点工作的通知")
    assert shape.header_doc_number == "工信厅联装〔2019〕44号"
    assert shape.addressee == "各省、自治区、直辖市工业和信息化主管部门"
    assert shape.body[0].text == "为贯彻落实有关部署，现将有关事项通知如下："
    assert [b.text for b in shape.body][-2:] == ["特此通知。", "附件：试点申报书"]
    assert shape.signers == ["工业和信息化部办公厅", "国家发展改革委办公厅"]
    assert shape.date == "2019-11-06"
    assert [b.text for b in shape.annex] == ["附件", "试点申报书"]


def test_shape_signer_and_date_on_one_line_and_no_addressee() -> None:
    blocks = _blocks(
        "根据有关规定，现将名单予以公示。",
        "公示时间：2019年11月11日-11月20日",
        "辽宁省工业和信息化厅 2019年11月11日",
    )
    shape = analyse(blocks, "名单公示")
    assert shape.addressee is None
    assert shape.signers == ["辽宁省工业和信息化厅"]
    assert shape.date == "2019-11-11"
    assert len(shape.body) == 2


# --- attachments ------------------------------------------------------------------------------


def test_attachment_names_from_text() -> None:
    lines = [
        "请认真组织实施。",
        "附件：1.湖南省绿色设计产品标准申报表",
        "2.湖南省绿色设计产品标准公开征集汇总表",
        "湖南省工业和信息化厅",
    ]
    assert names_from_text(lines) == ["湖南省绿色设计产品标准申报表", "湖南省绿色设计产品标准公开征集汇总表"]
    assert names_from_text(["附件：", "1. 《关于进一步丰富创新券服务机构的通知》", "2. 《用户手册》"]) == [
        "《关于进一步丰富创新券服务机构的通知》",
        "《用户手册》",
    ]
    assert names_from_text(["附件1 申报表", "附件2 汇总表"]) == ["申报表", "汇总表"]
    assert names_from_text(["请附件1名单中的企业重新提交材料，逾期不予受理。"]) == []


def test_attachment_links_match_text_names_and_dedupe() -> None:
    links = [
        ("申报表.doc", "http://x.gov.cn/P020191111.doc"),
        (
            "下载",
            "http://x.gov.cn/module/download/downfile.jsp?classid=0&filename=ab.xls&showname=%E6%B1%87%E6%80%BB%E8%A1%A8.xls",
        ),
        ("申报表.doc", "http://x.gov.cn/P020191111.doc"),
        ("首页", "http://x.gov.cn/index.html"),
    ]
    got = collect_attachments(links, ["申报表", "汇总表", "说明"])
    assert got == [
        Attachment("申报表", "http://x.gov.cn/P020191111.doc"),
        Attachment("汇总表", links[1][1]),
        Attachment("说明", None),
    ]


def test_file_urls() -> None:
    assert is_file_url("http://x.gov.cn/a/P020191115.pdf")
    assert is_file_url("http://x.gov.cn/a/b.OFD")
    assert is_file_url("http://x.gov.cn/module/download/downfile.jsp?classid=0&filename=1.doc&showname=a.doc")
    assert not is_file_url("http://x.gov.cn/a/t20191115_1.html")


# --- deadlines --------------------------------------------------------------------------------


def test_deadlines_forms() -> None:
    text = "\n".join(
        [
            "各市于9月19日前将申报材料报送产业政策处。",
            "公示时间：2019年9月12日至9月19日。",
            "申报截止日期为2019年10月30日。",
            "请于12月6日之前将信息汇总表邮寄至联系地址。",
        ]
    )
    got = find_deadlines(text, "2019-09-09")
    assert [d.date for d in got] == ["2019-09-19", "2019-10-30", "2019-12-06"]
    assert got[0].text == "各市于9月19日前将申报材料报送产业政策处。"


def test_deadlines_negative_targets_and_periods() -> None:
    text = (
        "到2025年，形成一批创新活跃的企业。自2019年6月1日起施行。"
        "企业在2019年7月1日至2020年6月30日期间发生的服务均可申请创新券支持。"
        "新开工项目2020年8月前完成规划、备案等前期工作。"
    )
    assert find_deadlines(text, "2019-11-15") == []


def test_deadline_year_rolls_over() -> None:
    got = find_deadlines("请于1月10日前报送材料。", "2019-12-20")
    assert [d.date for d in got] == ["2020-01-10"]


# --- sanitizer --------------------------------------------------------------------------------


def test_sanitizer_drops_scripts_and_javascript_links() -> None:
    raw = (
        '<div onclick="x()"><p style="color:red" class="c">正文<script>alert(1)</script></p>'
        '<a href="javascript:alert(1)">坏链接</a><a href="/f/a.pdf" onclick="x">附件</a>'
        '<img src="x.png" onerror="alert(1)"><iframe src="http://evil"></iframe>'
        '<table><tr><td colspan="2" style="x">单元格</td></tr></table><span>保留文字</span></div>'
    )
    out = sanitize_fragment(raw, "http://x.gov.cn/a/b.html")
    assert "script" not in out and "alert" not in out and "iframe" not in out and "onclick" not in out
    assert "javascript" not in out and "style" not in out and "class" not in out
    assert '<a href="http://x.gov.cn/f/a.pdf">附件</a>' in out
    assert "坏链接" in out and "保留文字" in out
    assert '<td colspan="2">单元格</td>' in out


def test_blocks_to_html_groups_rows_and_items() -> None:
    blocks = [
        Block("h", "一、总体要求", "一、总体要求", level=3),
        Block("tr", "1\t甲", "<td>1</td><td>甲</td>", table=1),
        Block("tr", "2\t乙", "<td>2</td><td>乙</td>", table=1),
        Block("li", "条目", "条目"),
    ]
    html = blocks_to_html(blocks)
    assert html == (
        "<h3>一、总体要求</h3>\n<table><tbody><tr><td>1</td><td>甲</td></tr>"
        "<tr><td>2</td><td>乙</td></tr></tbody></table>\n<ul><li>条目</li></ul>"
    )


# --- bad pages --------------------------------------------------------------------------------

_GOOD = (
    "<html><head><title>关于开展试点工作的通知</title></head><body><div id='zoom'>"
    "<p>各有关单位：</p><p>为贯彻落实有关部署，现就开展试点工作通知如下，请认真组织实施。</p>"
    "<p>某某局</p><p>2019年11月6日</p></div></body></html>"
).encode()


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (b"", "text/html", "empty"),
        (b"   \r\n", "text/html", "empty"),
        (os.urandom(4000), "text/html", "binary"),
        (b"PK\x03\x04" + os.urandom(200), "text/html", "binary"),
        (os.urandom(5 * 1024 * 1024), "text/html", "too large"),
        (_GOOD[: len(_GOOD) // 2], "text/html", "truncated"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> garbage", "text/html", "PDF"),
        (b'{"success":true,"data":{"html":""}}', "application/json", "not HTML"),
        (
            b"<html><head><meta id='a' content='b' r='m'><script r='m'>$_ts=window['$_ts'];"
            b"if(!$_ts)$_ts={};$_ts.nsd=1;</script></head></html>",
            "text/html",
            "challenge",
        ),
        (
            b"<html><script>document.cookie='__jsl_clearance_s=1';location.href=location.pathname</script></html>",
            None,
            "challenge",
        ),
        (
            "<html><head><title>访问异常页面</title></head><body>请稍后再试</body></html>".encode(),
            None,
            "访问异常",
        ),
        (b"<html><head><title>x</title></head><body></body></html>", "text/html", "no notice text"),
    ],
)
def test_bad_pages_raise_extraction_error(body: bytes, content_type: str | None, reason: str) -> None:
    with pytest.raises(ExtractionError, match=reason):
        extract_page(body, "http://x.gov.cn/a.html", content_type)


def test_good_minimal_page_extracts() -> None:
    notice = extract_page(_GOOD, "http://x.gov.cn/a.html", "text/html; charset=utf-8")
    assert notice.title == "关于开展试点工作的通知"
    assert notice.addressee == "各有关单位"
    assert notice.issuer == "某某局"
    assert notice.publish_date == "2019-11-06"


def test_never_another_exception_type() -> None:
    for body in (
        b"<",
        b"<html>" + b"<div>" * 5000 + b"x",
        b"\xff\xfe<\x00h\x00",
        "<p>\ud800</p>".encode("utf-8", "surrogatepass"),
    ):
        try:
            result = extract_page(body, "http://x.gov.cn/a.html")
        except ExtractionError:
            continue  # the one exception a caller has to handle
        assert result.source_url == "http://x.gov.cn/a.html"


def test_charset_corrupt_bytes_prefer_nearly_clean_over_garbled() -> None:
    body = bytearray(_page("utf-8").encode("utf-8") * 5)
    body[120] = 0xFF  # one corrupt byte: strict UTF-8 fails, GB18030 "succeeds" as mojibake
    text, codec = decode_html(bytes(body), "text/html; charset=gbk")
    assert codec == "utf-8"
    assert text.count(_TEXT) >= 4


def test_ordered_list_items_keep_their_numbers() -> None:
    root = parse_html("<div><ol start='2'><li><p>甲</p></li><li>乙</li></ol><ul><li>丙</li></ul></div>")
    blocks = flatten(root.find(".//div"), "http://x.gov.cn/")
    assert [(b.kind, b.text) for b in blocks] == [("li", "2.甲"), ("li", "3.乙"), ("li", "丙")]
    assert blocks_to_html(blocks) == "<ol><li>甲</li><li>乙</li></ol>\n<ul><li>丙</li></ul>"


def test_listing_page_is_refused_but_attachment_only_notice_is_not() -> None:
    rows = "".join(
        f'<li><a href="/tzgg/{i}.html">关于开展2019年度第{i}批试点工作的通知</a><span>2019-11-01</span></li>'
        for i in range(30)
    )
    with pytest.raises(ExtractionError, match="list of links"):
        extract_page(f"<html><body><ul>{rows}</ul></body></html>".encode(), "http://x.gov.cn/tzgg/")
    files = "".join(
        f'<p>附件{i}：<a href="./P0{i}.pdf">2019年度第{i}批绿色工厂名单及评价报告汇总表</a></p>'
        for i in range(1, 5)
    )
    page = f"<html><head><title>关于公布名单的通知</title></head><body><div id='zoom'><p>现予公布。</p>{files}</div></body></html>"
    notice = extract_page(page.encode(), "http://x.gov.cn/tzgg/a.html")
    assert len(notice.attachments) == 4 and notice.attachments[0].url == "http://x.gov.cn/tzgg/P01.pdf"
