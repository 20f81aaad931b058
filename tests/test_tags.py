"""Tags: notice type from the title, regions and agencies from the title and 落款."""

from __future__ import annotations

import json

import pytest

from pipeline.process import SourceHints, tag
from pipeline.records import ExtractedNotice
from pipeline.tags import CENTRAL, CONSULTATION, NOTICE_TYPES, agencies, notice_type, regions


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("关于促进制造业产品和服务质量提升的实施意见", "意见"),
        ("十部门关于推进机制砂石行业高质量发展的若干意见", "意见"),
        ("关于明确部分先进制造业增值税期末留抵退税政策的公告", "公告"),
        ("辽宁省第三批省级绿色制造体系建设示范名单公示", "公示"),
        ("重庆市关于市级第二批绿色制造体系示范名单的公示", "公示"),
        ("关于开展2019年国家文化和科技融合示范基地申报工作的通知", "通知"),
        ("关于修改《高新技术企业认定管理办法》的决定", "决定"),
        ("关于2019年第一季度安全生产情况的通报", "通报"),
        ("关于征求《绿色数据中心评价规范（征求意见稿）》意见的函", CONSULTATION),
        # A draft for comment wins over its ending (意见) and over the 通知 form.
        ("公开征求对《工业大数据发展指导意见（征求意见稿）》的意见", CONSULTATION),
        ("关于征求《企业技术中心认定管理办法》修订意见的通知", CONSULTATION),
        # A 通知 that publishes a document takes that document's type, trailing (…) ignored.
        ("关于印发《宁夏回族自治区工业绿色发展行动方案（2019-2022年）》的通知", "方案"),
        ("关于印发淮北市绿色工厂评价管理暂行办法的通知", "办法"),
        ("关于印发《2020年河北省工业转型升级（技改）重点项目建设专项资金申报指南》的通知", "指南"),
        ("深圳市科技创新委员会关于发布2019年企业研究开发资助申请指南的通知", "指南"),
        ("关于印发《国家新一代人工智能创新发展试验区建设工作指引》的通知", "指引"),
        ("关于印发《“十四五”工业绿色发展规划》的通知", "规划"),
        ("关于发布2019年度工作安排的通知", "通知"),
        ("关于印发《生态环境标准管理办法（试行）》的通知", "办法"),
        # News is no 公文.
        ("副厅长赴长沙市调研智能制造工作", None),
        ("湖南省工业和信息化厅召开机关干部大会", None),
        ("", None),
    ],
)
def test_notice_type(title: str, kind: str | None) -> None:
    assert notice_type(title) == kind


def test_notice_types_are_listed() -> None:
    assert CONSULTATION in NOTICE_TYPES
    for kind in ("通知", "意见", "公告", "办法", "指南", "公示", "方案", "规划", "决定", "通报"):
        assert kind in NOTICE_TYPES


@pytest.mark.parametrize(
    ("text", "default", "expected"),
    [
        ("关于公开征集湖南省绿色设计产品标准的通知 湖南省工业和信息化厅", "湖南", ("湖南",)),
        ("重庆市关于市级第二批绿色制造体系示范名单的公示", None, ("重庆",)),
        ("关于印发《宁夏回族自治区工业绿色发展行动方案》的通知 自治区工业和信息化厅", None, ("宁夏",)),
        ("深圳市关于开展2019年第三批高新技术企业申报工作的通知", "全国", ("深圳",)),
        ("关于开展宁波市绿色制造示范（第一批）创建工作的通知", None, ("宁波",)),
        ("关于印发淮北市绿色工厂评价管理暂行办法的通知", None, ("淮北",)),
        ("关于支持湖南省、湖北省开展试点的通知 国家发展改革委", None, ("湖南", "湖北")),
        ("长沙市关于推荐湖南省专精特新企业的通知", None, ("长沙", "湖南")),
        # Central bodies name no place: 全国.
        (
            "关于推动先进制造业和现代服务业深度融合发展的实施意见 国家发展改革委、工业和信息化部",
            None,
            (CENTRAL,),
        ),
        ("关于明确部分先进制造业增值税期末留抵退税政策的公告 财政部、税务总局", "X", (CENTRAL,)),
        ("关于规范知识产权管理体系贯标认证工作的通知 国家知识产权局办公室", None, (CENTRAL,)),
        ("关于举办大赛的通知 科技部火炬中心", None, (CENTRAL,)),
        ("关于开展试点的通知 国务院办公厅", None, (CENTRAL,)),
        # A local body signing without its place: the source's region, even when it cites a ministry.
        ("关于组织申报2020年工业转型升级重点项目的通知 省工业和信息化厅", "云南", ("云南",)),
        ("关于转发《工业和信息化部关于开展试点的通知》的通知 市经济和信息化局", "淮北", ("淮北",)),
        # Words that only look like places or ministries.
        ("关于明确部分先进制造业政策的通知", "北京", ("北京",)),
        ("关于做好零部件企业干部培训的通知", None, ()),
    ],
)
def test_regions(text: str, default: str | None, expected: tuple[str, ...]) -> None:
    assert regions(text, default) == expected


@pytest.mark.parametrize(
    ("issuer", "default", "expected"),
    [
        ("财政部、税务总局", None, ("财政部", "税务总局")),
        ("财政部 税务总局", None, ("财政部", "税务总局")),
        ("科技部办公厅、中央宣传部文改办", None, ("科技部办公厅", "中央宣传部文改办")),
        ("  湖南省工业和信息化厅\n", "X", ("湖南省工业和信息化厅",)),
        ("工业和信息化部、工业和信息化部", None, ("工业和信息化部",)),
        (None, "天津市科学技术局", ("天津市科学技术局",)),
        ("", None, ()),
    ],
)
def test_agencies(issuer: str | None, default: str | None, expected: tuple[str, ...]) -> None:
    assert agencies(issuer, default) == expected


def test_tag_fills_the_record_and_keeps_the_primary_values() -> None:
    record = ExtractedNotice(
        source_url="https://www.miit.gov.cn/a.html",
        title="关于支持湖南省开展绿色制造试点的通知",
        issuer="工业和信息化部、财政部",
    )
    tagged = tag(record, SourceHints(agency="工业和信息化部", region="全国"))
    assert tagged.notice_type == "通知"
    assert tagged.regions == ("湖南",)
    assert tagged.agencies == ("工业和信息化部", "财政部")
    assert (tagged.region, tagged.agency) == ("全国", "工业和信息化部")


def test_tag_without_a_source_uses_the_tags_as_primary_values() -> None:
    record = ExtractedNotice(
        source_url="file:///x.html", title="湖南省关于推荐企业的通知", issuer="湖南省工业和信息化厅"
    )
    tagged = tag(record, SourceHints())
    assert (tagged.region, tagged.agency) == ("湖南", "湖南省工业和信息化厅")


def test_to_json_turns_tag_tuples_into_lists() -> None:
    record = ExtractedNotice(
        source_url="u", title="t", notice_type="公告", regions=("全国",), agencies=("财政部", "税务总局")
    )
    data = record.to_json()
    assert data["regions"] == ["全国"]
    assert data["agencies"] == ["财政部", "税务总局"]
    assert data["notice_type"] == "公告"
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
