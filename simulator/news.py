"""Non-notice items (leader visits, meetings, 调研, 座谈会) that pad every listing.

Real columns mix such news with the notices; the product's classifier must reject them, so
they must never reach a digest. They are generated from a handful of title/body shapes
filled with the site's agency, region and field; none of them announces anything to apply for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from simulator.sites import SiteSpec
from simulator.urls import stable_int


@dataclass(frozen=True)
class NewsItem:
    title: str
    paragraphs: tuple[str, ...]
    date: date


_PLACES = {
    "全国": ("江苏省", "浙江省", "广东省", "四川省", "湖北省", "陕西省", "安徽省"),
    "湖南": ("长沙市", "株洲市", "湘潭市", "岳阳市", "常德市", "衡阳市"),
    "辽宁": ("沈阳市", "大连市", "鞍山市", "营口市", "锦州市"),
    "天津": ("滨海新区", "西青区", "武清区", "东丽区", "北辰区"),
    "云南": ("昆明市", "曲靖市", "玉溪市", "红河州", "楚雄州"),
    "宁夏": ("银川市", "石嘴山市", "吴忠市", "中卫市", "宁东基地"),
    "重庆": ("两江新区", "九龙坡区", "涪陵区", "永川区", "长寿区"),
    "淮北": ("濉溪县", "相山区", "杜集区", "烈山区", "淮北高新区"),
    "北京": ("北京经济技术开发区", "海淀区", "顺义区", "昌平区", "大兴区"),
    "山西": ("太原市", "大同市", "长治市", "晋中市", "运城市"),
    "山东": ("济南市", "青岛市", "烟台市", "潍坊市", "淄博市"),
    "深圳": ("南山区", "福田区", "龙岗区", "宝安区", "光明区"),
    "福建": ("福州市", "厦门市", "泉州市", "漳州市", "莆田市"),
    "河北": ("石家庄市", "唐山市", "保定市", "邯郸市", "沧州市"),
    "宁波": ("北仑区", "鄞州区", "余姚市", "慈溪市", "镇海区"),
}

_TOPICS = {
    "发展改革": ("重大项目建设", "营商环境优化", "区域协调发展", "价格监测", "稳投资"),
    "生态环境": ("大气污染防治", "生态环境保护督察整改", "水污染防治", "固体废物管理", "环评审批服务"),
    "科": ("科技创新", "科技成果转化", "高新技术企业培育", "科技型中小企业发展", "新型研发机构建设"),
    "税务": ("减税降费", "纳税服务", "税收征管", "个人所得税改革"),
    "知识产权": ("知识产权保护", "专利审查", "商标注册便利化", "知识产权运营"),
    "信息化": ("工业经济运行", "中小企业发展", "工业互联网", "制造业高质量发展", "企业技术改造", "智能制造"),
}

# (title, paragraphs). Placeholders: agency leader place topic year md.
_SHAPES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "{agency}{leader}赴{place}调研{topic}工作",
        (
            "{md}，{agency}{leader}带队赴{place}调研{topic}工作，深入企业生产车间和项目现场，"
            "详细了解企业生产经营、项目建设进展和发展中遇到的困难问题。",
            "{leader}强调，要进一步压实工作责任，强化服务保障，推动{topic}工作取得新成效。",
        ),
    ),
    (
        "{agency}召开{topic}工作座谈会",
        (
            "{md}，{agency}召开{topic}工作座谈会，听取部分企业、行业协会和专家代表的意见建议。",
            "与会代表围绕当前形势、存在问题和下一步举措进行了交流发言。",
        ),
    ),
    (
        "{agency}党组理论学习中心组开展专题学习",
        (
            "{md}，{agency}党组理论学习中心组开展专题学习，党组成员结合分管工作作交流发言。",
            "会议要求，要把学习成果转化为推动{topic}工作的实际成效。",
        ),
    ),
    (
        "{agency}举办{topic}专题培训班",
        (
            "{md}，{agency}举办{topic}专题培训班，邀请有关专家围绕政策解读和实践案例进行授课。",
            "来自{place}等地的相关工作人员参加培训。",
        ),
    ),
    (
        "{agency}{leader}会见{place}党政代表团一行",
        (
            "{md}，{agency}{leader}会见{place}党政代表团一行，双方就深化{topic}合作进行了座谈交流。",
            "{agency}有关处室负责同志参加会见。",
        ),
    ),
    (
        "{agency}召开前三季度经济运行分析会",
        (
            "{md}，{agency}召开前三季度经济运行分析会，通报主要指标完成情况，分析当前面临的形势。",
            "会议强调，要坚定信心、精准施策，确保完成全年目标任务。",
        ),
    ),
    (
        "{place}{topic}工作取得积极成效",
        (
            "今年以来，{place}坚持问题导向和目标导向，扎实推进{topic}工作，各项指标稳中有进。",
            "下一步，{place}将继续加大工作力度，巩固和扩大已有成果。",
        ),
    ),
    (
        "{agency}召开{year}年党风廉政建设工作会议",
        (
            "{md}，{agency}召开{year}年党风廉政建设工作会议，总结工作，部署任务。",
            "会议要求，各处室要严格落实“一岗双责”，持续加强作风建设。",
        ),
    ),
    (
        "{agency}召开{topic}工作推进会",
        (
            "{md}，{agency}召开{topic}工作推进会，听取各地工作进展情况汇报。",
            "会议指出，要对标对表年度目标，倒排工期，加快推进。",
        ),
    ),
    (
        "{agency}开展{year}年保密宣传教育月活动",
        (
            "按照统一部署，{agency}组织开展{year}年保密宣传教育月活动，通过专题讲座、知识测试等形式增强干部保密意识。",
        ),
    ),
    (
        "{agency}组织收听收看全国{topic}电视电话会议",
        (
            "{md}，全国{topic}电视电话会议召开，{agency}在分会场组织收听收看。",
            "会后，{agency}就贯彻落实会议精神作了具体安排。",
        ),
    ),
    (
        "{agency}{leader}出席{place}{topic}交流对接会",
        (
            "{md}，{place}{topic}交流对接会举行，{agency}{leader}出席并致辞。",
            "对接会上，部分企业和机构进行了项目推介和经验交流。",
        ),
    ),
    (
        "{agency}召开机关干部大会",
        ("{md}，{agency}召开机关干部大会，传达学习有关会议精神，对近期重点工作进行部署。",),
    ),
    (
        "{agency}与{place}举行工作会商",
        (
            "{md}，{agency}与{place}举行工作会商，双方围绕{topic}等事项深入交流。",
            "双方表示，将进一步加强沟通协作，形成工作合力。",
        ),
    ),
    (
        "{agency}赴{place}开展定点帮扶调研",
        ("{md}，{agency}赴{place}开展定点帮扶调研，走访帮扶村和帮扶企业，了解产业发展情况。",),
    ),
    (
        "{agency}举办机关青年干部读书分享会",
        ("{md}，{agency}举办机关青年干部读书分享会，十余名青年干部结合工作实际分享读书体会。",),
    ),
    (
        "{agency}召开{topic}专家研讨会",
        (
            "{md}，{agency}召开{topic}专家研讨会，来自高校、科研院所和企业的专家参加研讨。",
            "与会专家围绕发展趋势、重点任务和政策举措提出了意见建议。",
        ),
    ),
    (
        "{agency}{leader}一行到{place}督导{topic}工作",
        ("{md}，{agency}{leader}一行到{place}督导{topic}工作，实地查看重点项目进展情况。",),
    ),
    (
        "{agency}召开全体干部会议",
        ("{md}，{agency}召开全体干部会议，通报近期工作情况，对下一阶段工作提出要求。",),
    ),
    (
        "{agency}组织开展“学雷锋”志愿服务活动",
        ("近日，{agency}机关党委组织党员志愿者走进社区，开展“学雷锋”志愿服务活动。",),
    ),
    (
        "{agency}召开{year}年度工作务虚会",
        (
            "{md}，{agency}召开{year}年度工作务虚会，总结全年工作，研究谋划明年工作思路。",
            "各处室主要负责同志作交流发言。",
        ),
    ),
    (
        "{place}举行{topic}项目集中签约仪式",
        (
            "{md}，{place}举行{topic}项目集中签约仪式，{agency}{leader}出席。",
            "此次集中签约项目涵盖先进制造、电子信息等多个领域。",
        ),
    ),
    (
        "{agency}参加{place}{topic}现场观摩会",
        ("{md}，{place}{topic}现场观摩会举行，{agency}有关负责同志参加观摩。",),
    ),
    (
        "{agency}{leader}到联系点企业走访调研",
        (
            "{md}，{agency}{leader}到{place}联系点企业走访调研，与企业负责人座谈，"
            "了解企业在{topic}方面的需求。",
        ),
    ),
    (
        "{agency}召开处级干部集体谈话会",
        ("{md}，{agency}召开处级干部集体谈话会，对新任职干部提出要求。",),
    ),
)


def _leader(agency: str, i: int) -> str:
    """The usual leader title for the agency type (部长, 主任, 厅长, 局长), sometimes the deputy."""
    if agency.endswith("部"):
        title = "部长"
    elif agency.endswith(("委", "委员会")):
        title = "主任"
    elif agency.endswith("厅"):
        title = "厅长"
    else:
        title = "局长"
    return ("副" if i % 2 else "") + title


def _topics(site: SiteSpec) -> tuple[str, ...]:
    for key, topics in _TOPICS.items():
        if key in site.agency or key in site.site_name:
            return topics
    return _TOPICS["信息化"]


def news_items(site: SiteSpec, anchor: date) -> list[NewsItem]:
    """The site's news items, dated before ``anchor`` (its newest notice), newest first."""
    places = _PLACES.get(site.region, _PLACES["全国"])
    topics = _topics(site)
    shapes = site.news_shapes or _SHAPES
    items: list[NewsItem] = []
    day = anchor
    for i in range(site.news_count):
        title_shape, body_shapes = shapes[(i + stable_int(site.name, hi=len(shapes))) % len(shapes)]
        day = day - timedelta(days=1 + stable_int(site.name, "gap", i, hi=4))
        fill = {
            "agency": site.agency,
            "leader": _leader(site.agency, i),
            "place": places[(i * 3 + 1) % len(places)],
            "topic": topics[i % len(topics)],
            "year": str(day.year),
            "md": f"{day.month}月{day.day}日",
        }
        items.append(
            NewsItem(
                title=title_shape.format(**fill),
                paragraphs=tuple(p.format(**fill) for p in body_shapes),
                date=day,
            )
        )
    return items


#: Rows some listings carry that point at other hosts (never fetched, never in the truth).
EXTERNAL_LINKS: tuple[tuple[str, str], ...] = (
    (
        "国务院新闻办公室举行新闻发布会介绍前三季度工业通信业发展情况",
        "http://www.gov.cn/xinwen/2019-10/18/content_5441435.htm",
    ),
    (
        "【人民网】科技创新为高质量发展注入强劲动力",
        "http://www.people.com.cn/n1/2019/0916/c32306-31355210.html",
    ),
    (
        "【新华网】我国制造业增加值连续多年位居世界第一",
        "http://www.xinhuanet.com/fortune/2019-09/20/c_1125019786.htm",
    ),
)

#: Listing rows of old sites whose link is ``javascript:void(0)`` (media items opened by script).
VOID_TITLES: tuple[str, ...] = (
    "【图解】一图读懂{agency}年度重点工作",
    "【视频】{agency}政府开放日活动回顾",
)
