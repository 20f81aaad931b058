"""The form decision (pipeline.form): official document or news, from what a page carries."""

from __future__ import annotations

import pytest

from pipeline.form import DOCUMENT, NEWS, formal_title, read_form
from pipeline.records import ExtractedNotice


def page(title: str, body: str = "", url: str = "https://www.example.gov.cn/zwgk/tzgg/202405/t20240508_1.html",
         **fields: str) -> ExtractedNotice:  # fmt: skip
    return ExtractedNotice(source_url=url, title=title, body_text=body, **fields)


@pytest.mark.parametrize(
    ("title", "body", "kind"),
    [
        ("关于举办第八届中国创新创业大赛的通知", "大赛报名时间为5月至7月。", DOCUMENT),
        ("关于召开2024年全省工业节能工作会议的通知", "", DOCUMENT),
        ("辽宁省第三批省级绿色制造体系建设示范名单公示", "", DOCUMENT),
        ("中华人民共和国个人所得税法实施条例", "", DOCUMENT),
        ("国家金融监督管理总局行政处罚信息公开表", "", DOCUMENT),
        ("市经信局召开全市绿色制造体系建设工作推进会", "本网讯 5月10日，市经信局召开推进会。", NEWS),
        ("嘉兴市举办2024年工业节能与绿色发展专题培训班", "5月12日，培训班开班。", NEWS),
        ("我市3家企业入选国家级绿色供应链管理企业名单", "近日，工业和信息化部公布了名单。", NEWS),
        ("市经信局负责人就《嘉兴市绿色低碳工厂评价管理办法》答记者问", "问：出台的背景是什么？", NEWS),
        ("生态环境部一周要闻（4.10-4.16）", "1.生态环境部召开部常务会议", NEWS),
        ("1-10月德清县固定资产投资结构趋稳趋优", "1-10月，全县固定资产投资完成246.79亿元。", NEWS),
        (
            "天宫一号与神舟九号载人交会对接任务第二场新闻发布会",
            "女士们、先生们：很高兴又一次和大家见面。",
            NEWS,
        ),
    ],
)
def test_form_of_titles_and_openings(title: str, body: str, kind: str) -> None:
    assert read_form(page(title, body)).kind == kind


def test_a_headline_verb_inside_a_document_title_is_its_subject() -> None:
    assert formal_title("关于举办第八届中国创新创业大赛的通知")
    assert not formal_title("市经信局举办“节能服务进企业”活动")
    assert not formal_title("我市3家企业入选国家级绿色供应链管理企业名单")


def test_a_news_column_does_not_outweigh_a_documents_own_signs() -> None:
    url = "http://gxt.fujian.gov.cn/gk/zfxxgk/zfxxgkml/gzdt/201909/t20190903_5016584.htm"
    notice = page(
        "关于增补推荐福建省绿色制造名单的通知", "现将有关事项通知如下：", url,
        doc_number="闽工信函节能〔2019〕448号", addressee="各设区市工信局",
    )  # fmt: skip
    form = read_form(notice)
    assert form.kind == DOCUMENT
    assert "form: news column /gzdt/ (-3)" in form.reasons
    report = read_form(page("全省绿色制造名单发布工作有序推进", "近日，记者获悉。", url))
    assert report.kind == NEWS


def test_the_news_column_of_the_source_or_the_page_meta_counts() -> None:
    notice = page("全市工业经济运行情况", "今年以来，全市工业经济稳中有进。")
    assert read_form(notice, column="工作动态").news > read_form(notice).news
    with_meta = ExtractedNotice(
        source_url=notice.source_url, title=notice.title, extra={"metas": {"columnname": "要闻"}}
    )
    assert "form: news column 要闻 (-3)" in read_form(with_meta).reasons


def test_a_dateline_makes_news_of_a_typed_title() -> None:
    form = read_form(
        page("工信部发布2024年度绿色制造名单", "新华社北京12月5日电 工业和信息化部5日发布名单。")
    )
    assert form.kind == NEWS
    assert any(r.startswith("form: body has dateline 新华社北京12月5日电") for r in form.reasons)
