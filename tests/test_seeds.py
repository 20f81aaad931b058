"""The seed parser against the three past 快讯 issues: the counts of their 目 录 and hand-checked items."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from simulator.seednotice import SeedNotice
from simulator.seeds import (
    SECTIONS,
    SEEDS_ENV_VAR,
    SeedParseError,
    default_seeds_dir,
    find_deadlines,
    load_seeds,
    normalise_doc_number,
    normalise_spacing,
    normalise_title,
    parse_cn_date,
    split_signers,
    strip_markup,
)

# Counted by hand from the 目 录 of each seed issue.
EXPECTED_COUNTS = {
    "2019-0901": {"政策文件": 5, "绿色制造": 3, "申报通知": 4},
    "2019-0902": {"政策文件": 1, "绿色制造": 3, "申报通知": 5},
    "2019-1102": {"政策文件": 2, "绿色制造": 3, "申报通知": 3},
}
NINGBO_TITLE = "关于开展宁波市绿色制造示范（第一批）创建工作的通知"
CJK_SPACE_CJK = re.compile(
    r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]\s+[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]"
)


@pytest.fixture(scope="module")
def notices() -> list[SeedNotice]:
    return load_seeds()


def by_title(notices: list[SeedNotice], fragment: str) -> SeedNotice:
    matches = [n for n in notices if fragment in n.title]
    assert len(matches) == 1, f"{fragment!r} matched {[n.title for n in matches]}"
    return matches[0]


def all_text(notice: SeedNotice) -> list[str]:
    optional = [notice.doc_number or "", notice.addressee or "", notice.date or ""]
    return [notice.title, *optional, *notice.paragraphs, *notice.attachments, *notice.signers, *notice.annex]


# --------------------------------------------------------------------------- counts and order


def test_item_counts_per_issue_and_section_match_the_tables_of_contents(notices: list[SeedNotice]) -> None:
    counts: dict[str, Counter[str]] = {}
    for notice in notices:
        counts.setdefault(notice.issue, Counter())[notice.section] += 1
    assert {issue: dict(sections) for issue, sections in counts.items()} == EXPECTED_COUNTS
    assert len(notices) == 29


def test_items_come_in_issue_order_then_section_order(notices: list[SeedNotice]) -> None:
    keys = [(n.issue, SECTIONS.index(n.section)) for n in notices]
    assert keys == sorted(keys)
    assert notices[0].title == "国家知识产权局关于规范知识产权管理体系贯标认证工作的通知"
    assert notices[-1].title == "云南省关于组织申报2020年工业转型升级重点项目的通知"


def test_every_item_has_a_title_a_known_section_and_a_body(notices: list[SeedNotice]) -> None:
    for notice in notices:
        assert notice.title
        assert notice.section in SECTIONS
        assert notice.paragraphs, notice.title


def test_urls_start_with_http_and_only_the_ningbo_item_has_no_related_link(notices: list[SeedNotice]) -> None:
    without = [n.title for n in notices if not n.source_url]
    assert without == [NINGBO_TITLE]
    for notice in notices:
        if notice.source_url:
            assert notice.source_url.startswith(("http://", "https://")), notice.source_url
            assert not re.search(r"[\s<>\\\[\]()]", notice.source_url), notice.source_url


def test_markdown_link_targets_are_unescaped(notices: list[SeedNotice]) -> None:
    mee = by_title(notices, "排污许可证申请与核发技术规范")
    assert mee.source_url == "http://www.mee.gov.cn/xxgk2018/xxgk/xxgk01/201909/t20190904_732380.html"


# --------------------------------------------------------------------------- furniture and typography


def test_no_page_furniture_survives(notices: list[SeedNotice]) -> None:
    for notice in notices:
        for text in all_text(notice):
            assert "chinamomentum" not in text, text
            assert "62227852" not in text, text
            assert "北京关键要素科技有限公司" not in text, text


def test_no_markup_survives(notices: list[SeedNotice]) -> None:
    for notice in notices:
        for text in all_text(notice):
            assert not re.search(r"<b>|</b>|\*\*|\\_|\]\(|^#|^- ", text), text


def test_titles_have_no_space_between_chinese_characters(notices: list[SeedNotice]) -> None:
    for notice in notices:
        assert not CJK_SPACE_CJK.search(notice.title), notice.title
        assert not re.search(r"\d\s+年|年\s+\d", notice.title), notice.title


def test_extraction_spaces_around_numbers_are_gone_but_real_ones_stay(notices: list[SeedNotice]) -> None:
    for notice in notices:
        for text in all_text(notice):
            assert not re.search(r"\d\s+[年月日号个]", text), text
    sipo = by_title(notices, "国家知识产权局关于规范知识产权管理体系贯标认证工作")
    assert any("（GB/T 29490-2013）" in p for p in sipo.paragraphs)
    bigdata = by_title(notices, "大数据产业发展试点示范项目")
    assert "联系人:李玮 010-88692450" in bigdata.paragraphs


# --------------------------------------------------------------------------- spot checks


def test_ndrc_opinion(notices: list[SeedNotice]) -> None:
    ndrc = by_title(notices, "关于推动先进制造业和现代服务业深度融合发展的实施意见")
    assert ndrc.issue == "2019-1102"
    assert ndrc.section == "政策文件"
    assert ndrc.doc_number == "发改产业〔2019〕1762号"
    assert ndrc.addressee == "各省、自治区、直辖市及计划单列市、新疆生产建设兵团有关部门"
    assert ndrc.date == "2019-11-10"
    assert ndrc.signers[:2] == ("国家发展改革委", "工业和信息化部")
    assert len(ndrc.signers) == 15
    assert ndrc.signers[-1] == "知识产权局"
    assert ndrc.source_url == "http://www.ndrc.gov.cn/zcfb/zcfbtz/201911/t20191115_1203505.html"
    assert ndrc.deadlines == ()  # 到2025年 is a target, not a deadline
    assert ndrc.paragraphs[1] == "一、总体思路和目标"
    assert ndrc.paragraphs[-1].endswith("按程序报告。")


def test_paragraph_split_by_a_page_break_is_rejoined(notices: list[SeedNotice]) -> None:
    ndrc = by_title(notices, "关于推动先进制造业和现代服务业深度融合发展的实施意见")
    assert any("推动企业内外网升级改造。加快人工智能、5G等新一代信息技术" in p for p in ndrc.paragraphs)
    consultation = by_title(notices, "工业大数据发展指导意见（征求意见稿）》的意见")
    assert "现向社会公开征求意见，如有意见或建议" in consultation.paragraphs[0]
    shandong = by_title(notices, "山东省服务型制造示范企业")
    assert any("按照申报书有关要求（附件1）负责申报材料" in p for p in shandong.paragraphs)


def test_ten_ministries_signers_span_a_page_break(notices: list[SeedNotice]) -> None:
    sand = by_title(notices, "十部门关于推进机制砂石行业高质量发展的若干意见")
    assert sand.doc_number == "工信部联原〔2019〕239号"
    assert sand.date == "2019-11-04"
    assert sand.signers == (
        "工业和信息化部",
        "国家发展改革委",
        "自然资源部",
        "生态环境部",
        "住房城乡建设部",
        "交通运输部",
        "水利部",
        "应急部",
        "市场监管总局",
        "国铁集团",
    )


def test_ningxia_glued_signers_are_split(notices: list[SeedNotice]) -> None:
    ningxia = by_title(notices, "宁夏回族自治区工业绿色发展行动方案")
    assert ningxia.issue == "2019-0902"
    assert ningxia.section == "绿色制造"
    assert ningxia.title == "关于印发《宁夏回族自治区工业绿色发展行动方案（2019-2022年）》的通知"
    assert ningxia.signers == ("自治区工业和信息化厅", "自治区生态环境厅")
    assert ningxia.attachments == ("宁夏回族自治区工业绿色发展行动方案（2019-2022年）",)
    assert ningxia.date == "2019-09-02"


def test_sipo_notice_deadline_and_contact_annex(notices: list[SeedNotice]) -> None:
    sipo = by_title(notices, "国家知识产权局关于规范知识产权管理体系贯标认证工作")
    assert sipo.doc_number == "国知办发运字〔2019〕34号"
    assert sipo.deadlines == ("2019-12-15",)
    assert sipo.signers == ("国家知识产权局办公室",)
    assert sipo.date == "2019-08-30"
    assert sipo.annex == ("(联系人及电话：刘 佳 谷云飞 62086080 62086032 邮箱：zlzl@sipo.gov.cn)",)
    assert sipo.paragraphs[-1] == "特此通知。"


def test_signers_separated_by_spaces_or_letter_spaced(notices: list[SeedNotice]) -> None:
    vat = by_title(notices, "增值税期末留抵退税政策的公告")
    assert vat.signers == ("财政部", "税务总局")
    assert vat.doc_number == "财政部税务总局公告2019年第84号"
    ai = by_title(notices, "国家新一代人工智能创新发展试验区建设工作指引》的通知")
    assert ai.signers == ("科技部",)
    culture = by_title(notices, "国家文化和科技融合示范基地申报工作")
    assert culture.signers == ("科技部办公厅", "中央宣传部文改办")


def test_doc_numbers_are_normalised(notices: list[SeedNotice]) -> None:
    numbers = {n.doc_number for n in notices}
    assert {
        "工信部科〔2019〕188号",
        "鲁工信产〔2019〕146号",
        "国科办高〔2019〕74号",
        "京经信发〔2019〕60号",
    } <= numbers
    # Without 文号: 0901 排污许可/工业大数据/河北/深圳, 0902 all but 淮北/三品/山东, 1102 湖南/辽宁/天津/云南.
    without = Counter(n.issue for n in notices if n.doc_number is None)
    assert without == {"2019-0901": 4, "2019-0902": 6, "2019-1102": 4}


def test_red_header_and_repeated_title_are_not_body_text(notices: list[SeedNotice]) -> None:
    ningbo = by_title(notices, NINGBO_TITLE)
    assert ningbo.doc_number == "甬经信笈〔2019〕1230号"
    assert ningbo.addressee == "各区县（市）经信局，各管委会经发局，有关企业"
    assert ningbo.paragraphs[0].startswith("为贯彻落实")
    tianjin = by_title(notices, "天津市关于开展2019年度自主工业节能诊断服务工作的通知")
    assert tianjin.doc_number == "津工信节能〔2019〕15号"
    assert tianjin.paragraphs[0].startswith("为深入落实")


def test_ningbo_has_no_signature_and_its_form_is_annex(notices: list[SeedNotice]) -> None:
    ningbo = by_title(notices, NINGBO_TITLE)
    assert ningbo.date is None
    assert ningbo.signers == ()
    assert ningbo.attachments == ("绿色制造示范推荐名单汇总表",)
    assert ningbo.annex[:2] == ("附件", "绿色制造示范推荐名单汇总表")
    assert ningbo.annex[-1] == "年 月 日"
    assert ningbo.deadlines == ("2019-12-06",)
    assert (
        ningbo.paragraphs[-1]
        == "联系人：江汉定，联系电话：89292006，传真：89186435，电子邮箱：4998786@qq.com。"
    )


def test_huaibei_date_precedes_the_annexed_measures(notices: list[SeedNotice]) -> None:
    huaibei = by_title(notices, "淮北市绿色工厂评价管理暂行办法")
    assert huaibei.date == "2019-09-04"
    assert huaibei.signers == ()
    assert huaibei.paragraphs == (
        "现将《淮北市绿色工厂评价管理暂行办法》印发给你们，请结合实际，认真贯彻执行。",
    )
    assert huaibei.annex[0] == "淮北市绿色工厂评价管理暂行办法"
    assert huaibei.annex[-1] == "附件：淮北市绿色工厂评价报告"
    assert huaibei.attachments == ()


def test_attachment_lists_lose_their_numbering_not_their_names(notices: list[SeedNotice]) -> None:
    yunnan = by_title(notices, "云南省关于组织申报2020年工业转型升级重点项目的通知")
    assert yunnan.attachments == (
        "云南省2020年工业转型升级新开工项目申报表",
        "云南省2020年工业转型升级续建项目申报表",
        "云南省2020年工业转型升级竣工投产项目申报表",
    )
    assert yunnan.signers == ("省工业和信息化厅",)
    assert yunnan.date == "2019-11-08"
    hunan = by_title(notices, "湖南省绿色设计产品标准")
    assert hunan.attachments == ("湖南省绿色设计产品标准申报表", "湖南省绿色设计产品标准公开征集汇总表")
    chongqing = by_title(notices, "重庆市关于市级第二批绿色制造体系示范名单的公示")
    assert chongqing.attachments == ("重庆市第二批绿色制造体系示范单位公示名单.doc",)
    tianjin = by_title(notices, "天津市关于开展2019年度自主工业节能诊断服务工作的通知")
    assert tianjin.attachments == ("各区自主诊断服务企业情况表", "2019年度自主开展节能诊断服务企业名单")
    assert tianjin.annex == (
        "（联系人：市工业和信息化局节能与综合利用处 王芳；联系电话：83605973）",
        "（此件主动公开）",
    )


def test_items_without_signature_lines(notices: list[SeedNotice]) -> None:
    consultation = by_title(notices, "工业大数据发展指导意见（征求意见稿）》的意见")
    assert (consultation.date, consultation.signers, consultation.addressee) == (None, (), None)
    assert consultation.deadlines == ("2019-09-16",)
    voucher = by_title(notices, "科技创新券")
    assert voucher.signers == ()
    assert voucher.date == "2019-11-15"
    assert voucher.addressee == "各有关单位"
    assert voucher.deadlines == ()  # 2019年7月1日至2020年6月30日期间 is an eligibility period


def test_deadlines_with_inferred_year_and_windows(notices: list[SeedNotice]) -> None:
    assert by_title(notices, "大数据产业发展试点示范项目").deadlines == (
        "2019-11-22",
        "2019-11-29",
        "2019-12-06",
    )
    assert by_title(notices, "辽宁省第三批省级绿色制造体系建设示范名单公示").deadlines == ("2019-11-20",)
    assert by_title(notices, "第三批高新技术企业申报").deadlines == ("2019-09-06", "2019-09-09")
    assert by_title(notices, "企业技术中心年度评价").deadlines == ("2019-09-23",)
    assert by_title(notices, "消费品工业“三品”战略示范城市").deadlines == ("2019-10-15",)
    assert by_title(notices, "天津市关于开展2019年度自主工业节能诊断").deadlines == ("2019-08-28",)
    assert by_title(notices, "企业研究开发资助申请指南").deadlines == ("2019-10-11",)


def test_dates_are_iso(notices: list[SeedNotice]) -> None:
    for notice in notices:
        if notice.date:
            assert date.fromisoformat(notice.date).year == 2019
        for deadline in notice.deadlines:
            assert date.fromisoformat(deadline) >= date(2019, 8, 1)


# --------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("工信部科〔2019〕188 号", "工信部科〔2019〕188号"),
        ("鲁工信产（2019）146 号", "鲁工信产〔2019〕146号"),
        ("(京经信发〔2019〕60号)", "京经信发〔2019〕60号"),
        ("某某发[2019]3号", "某某发〔2019〕3号"),
        ("某某发［2019］3号", "某某发〔2019〕3号"),
        ("某某发【2019】3号", "某某发〔2019〕3号"),
        ("某某发(2019)3号", "某某发〔2019〕3号"),
    ],
)
def test_normalise_doc_number(raw: str, expected: str) -> None:
    assert normalise_doc_number(raw) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("自治区工业和信息化厅自治区生态环境厅", ("自治区工业和信息化厅", "自治区生态环境厅")),
        ("工业和信息化部国家发展改革委", ("工业和信息化部", "国家发展改革委")),
        ("财政部 税务总局", ("财政部", "税务总局")),
        ("科技 部", ("科技部",)),
        ("国家知识产权局办公室", ("国家知识产权局办公室",)),
        ("工业和信息化部办公厅", ("工业和信息化部办公厅",)),
        ("人力资源社会保障部", ("人力资源社会保障部",)),
    ],
)
def test_split_signers(line: str, expected: tuple[str, ...]) -> None:
    assert split_signers(line) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("到 2025 年，年产 1000 万吨", "到2025年，年产1000万吨"),
        ("以 I 类产品为代表，5G 等", "以I类产品为代表，5G等"),
        ("符合 GB/T 14684《建设用砂》", "符合GB/T 14684《建设用砂》"),
        ("联系人:李玮 010-88692450", "联系人:李玮 010-88692450"),
        ("发送至 tjzyhb@126.com。", "发送至tjzyhb@126.com。"),
        ("（2016-2020 年）", "（2016-2020年）"),
        ("2019 年 9 月 10 日 09: 00", "2019年9月10日09:00"),
        ("(六) 加强全生命周期管理", "（六）加强全生命周期管理"),
        (
            "《中共中央 国务院关于开展质量提升行动的指导意见》",
            "《中共中央 国务院关于开展质量提升行动的指导意见》",
        ),
    ],
)
def test_normalise_spacing(raw: str, expected: str) -> None:
    assert normalise_spacing(raw) == expected


def test_titles_lose_wrap_spaces() -> None:
    assert (
        normalise_title("辽宁省第三批省级绿色制造体系建设示范 名单公示")
        == "辽宁省第三批省级绿色制造体系建设示范名单公示"
    )
    assert (
        normalise_title("关于印发《方案（2019-2022 年）》 的通知") == "关于印发《方案（2019-2022年）》的通知"
    )


def test_strip_markup() -> None:
    assert strip_markup("## [政策文件]") == "[政策文件]"
    assert strip_markup("**相关链接：**") == "相关链接："
    assert (
        strip_markup("<http://gxt.nx.gov.cn/info/1310/16416.htm>")
        == "http://gxt.nx.gov.cn/info/1310/16416.htm"
    )
    assert strip_markup("[http://a.cn/t\\\\_1.htm](http://a.cn/t_1.htm)") == "http://a.cn/t_1.htm"
    assert (
        strip_markup("电子版发送至 [tjzyhb@126.com](mailto:tjzyhb@126.com)。")
        == "电子版发送至 tjzyhb@126.com。"
    )
    assert strip_markup("- 1、申报单位") == "1、申报单位"


def test_parse_cn_date() -> None:
    assert parse_cn_date("2019年11月10日") == "2019-11-10"
    assert parse_cn_date("年 月 日") is None
    assert parse_cn_date("2019年9月10日09:00-2019年9月23日09:00") is None


def test_find_deadlines_rules() -> None:
    reference = date(2019, 12, 20)
    assert find_deadlines(["请于1月10日前报送。"], reference) == ("2020-01-10",)
    assert find_deadlines(["申报截止时间为2020年3月1日。"], reference) == ("2020-03-01",)
    assert find_deadlines(["到2025年，形成一批企业；2020年8月前完成前期工作。"], reference) == ()
    assert find_deadlines(["公示时间：2019年12月21日至12月30日"], reference) == ("2019-12-30",)


# --------------------------------------------------------------------------- loading


def test_env_var_overrides_the_default_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(default_seeds_dir() / "kuaixun-2019-0902.txt", tmp_path)
    monkeypatch.setenv(SEEDS_ENV_VAR, str(tmp_path))
    loaded = load_seeds()
    assert {n.issue for n in loaded} == {"2019-0902"}
    assert len(loaded) == 9


def test_unparseable_seed_is_reported_with_its_file_name(tmp_path: Path) -> None:
    text = (default_seeds_dir() / "kuaixun-2019-1102.txt").read_text(encoding="utf-8")
    broken = tmp_path / "kuaixun-2019-1102.txt"
    broken.write_text(
        text.replace("辽宁省第三批省级绿色制造体系建设示范 名单公示\n\n根据", "根据"), encoding="utf-8"
    )
    with pytest.raises(SeedParseError, match=r"kuaixun-2019-1102\.txt.*辽宁省第三批"):
        load_seeds(tmp_path)


def test_missing_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SeedParseError, match="not found"):
        load_seeds(tmp_path / "nowhere")
