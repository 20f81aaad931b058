"""Tags a reader filters on: the notice's type, the regions it concerns and the bodies that issued it.

Pure functions of the title and the 落款, so that they can be recomputed for stored records and
tested without pages. They never guess beyond what the text names: when it names nothing the
caller's default (the configured source's region or agency) stands.
"""

from __future__ import annotations

import re

from pipeline.lexicon import CONSULTATION, DOC_TYPES

_CONSULTATION_RE = re.compile(r"征求意见稿|征求[^，。]{0,60}意见")

NOTICE_TYPES: tuple[str, ...] = (CONSULTATION, *dict.fromkeys(kind for _, kind in DOC_TYPES))
"""Every value :func:`notice_type` can return."""

_TRAILING_RE = re.compile(r"(?:[（(【\[〔][^（()）【】\[\]〔〕]*[）)】\]〕]|[\s\u3000。.;；:：]+)$")
# 关于印发《X》的通知 / 关于发布X的通知: the notice carries X, and X's type is the useful one.
_CARRIER_RE = re.compile(r"(?:印发|发布|转发|公布|颁布)(?:了)?(?P<inner>.+?)的(?:通知|公告)$")


def notice_type(title: str) -> str | None:
    """The 公文 type of a notice from its title: 通知, 意见, 公告 … or None for news and unknown forms.

    A call for comments is 征求意见稿 whatever its ending. A 通知 that only carries another
    document (印发《…办法》的通知) takes that document's type, because that is what it publishes.
    """
    text = title.strip()
    if _CONSULTATION_RE.search(text):
        return CONSULTATION
    carried = _CARRIER_RE.search(text)
    if carried:
        inner = carried.group("inner").strip('《》〈〉“”"')
        return _ending_type(inner) or _ending_type(text)
    return _ending_type(text)


def _ending_type(text: str) -> str | None:
    """The type named by the last word of ``text``, ignoring trailing (试行), (2019年版), 文号 …"""
    previous = None
    while previous != text:
        previous, text = text, _TRAILING_RE.sub("", text).rstrip('》〉”"')
    return next((kind for ending, kind in DOC_TYPES if text.endswith(ending)), None)


CENTRAL = "全国"

# Provincial-level divisions: full name → short name (the form the store and the filters use).
_PROVINCES: dict[str, str] = {
    "北京市": "北京",
    "天津市": "天津",
    "上海市": "上海",
    "重庆市": "重庆",
    "河北省": "河北",
    "山西省": "山西",
    "辽宁省": "辽宁",
    "吉林省": "吉林",
    "黑龙江省": "黑龙江",
    "江苏省": "江苏",
    "浙江省": "浙江",
    "安徽省": "安徽",
    "福建省": "福建",
    "江西省": "江西",
    "山东省": "山东",
    "河南省": "河南",
    "湖北省": "湖北",
    "湖南省": "湖南",
    "广东省": "广东",
    "海南省": "海南",
    "四川省": "四川",
    "贵州省": "贵州",
    "云南省": "云南",
    "陕西省": "陕西",
    "甘肃省": "甘肃",
    "青海省": "青海",
    "台湾省": "台湾",
    "内蒙古自治区": "内蒙古",
    "广西壮族自治区": "广西",
    "西藏自治区": "西藏",
    "宁夏回族自治区": "宁夏",
    "新疆维吾尔自治区": "新疆",
    "香港特别行政区": "香港",
    "澳门特别行政区": "澳门",
}
# Cities that issue notices of their own: sub-provincial cities, provincial capitals, and a few
# more with active 经信/科技 bureaus. Named with or without 市.
_CITIES: tuple[str, ...] = (
    "深圳", "宁波", "厦门", "青岛", "大连", "广州", "武汉", "成都", "南京", "杭州", "西安", "沈阳",
    "长沙", "郑州", "济南", "哈尔滨", "长春", "福州", "合肥", "南昌", "昆明", "贵阳", "南宁",
    "石家庄", "太原", "呼和浩特", "兰州", "西宁", "银川", "乌鲁木齐", "拉萨", "海口", "苏州",
    "无锡", "常州", "佛山", "东莞", "珠海", "温州", "烟台", "潍坊", "唐山", "洛阳", "淮北", "芜湖",
    "株洲", "湘潭", "岳阳", "常德", "衡阳", "鞍山", "营口", "锦州", "晋中", "运城",
    "曲靖", "玉溪", "吴忠", "石嘴山", "泉州", "漳州", "莆田", "保定", "邯郸", "沧州",
    "淄博", "绍兴", "嘉兴", "金华", "台州", "徐州", "南通", "扬州",
)  # fmt: skip
_SHORT_PROVINCES = tuple(sorted(set(_PROVINCES.values()), key=len, reverse=True))
_PLACE_RE = re.compile(
    "|".join(
        re.escape(name) for name in sorted({*_PROVINCES, *_SHORT_PROVINCES, *_CITIES}, key=len, reverse=True)
    )
)
# Bodies of the central government: ministries (…部), 国家…局/委, 国务院, 中央…, the 总局s and the
# regulators. A local body always starts with its place, which regions() finds first.
_CENTRAL_RE = re.compile(
    r"国务院|中共中央|党中央|中央[\u4e00-\u9fff]{0,6}(?:部|办|委)"
    r"|国家[\u4e00-\u9fff]{1,10}(?:委|局|署|院|部)"
    r"|[\u4e00-\u9fff](?<![干全内外东西南北中局总零])部(?![门分署位件长])"
    r"|税务总局|市场监管总局|海关总署|人民银行|银保监会|证监会|国资委|知识产权局|国铁集团"
)
# A local body that signs without its place (省工业和信息化厅, 自治区生态环境厅): the source's region.
# 市场监管总局 starts with 市 but is central.
_UNNAMED_LOCAL_RE = re.compile(
    r"(?:^|[、，\s])(?:省|市(?!场)|自治区|州|县|区)[\u4e00-\u9fff]{2,20}?(?:厅|局|委员会|委|办公室|政府)"
)


def regions(text: str, default: str | None = None) -> tuple[str, ...]:
    """Provinces and major cities named in ``text`` (title and issuer), short form, in order.

    湖南省 and 湖南 both give 湖南. When no place is named, a central body's text gives 全国, and
    anything else the ``default`` (the source's region): a local bureau often signs as just
    省工业和信息化厅, and may well cite a ministry in its title (转发《工业和信息化部…》).
    """
    found = tuple(dict.fromkeys(_short(m.group(0)) for m in _PLACE_RE.finditer(text)))
    if found:
        return found
    if _CENTRAL_RE.search(text) and not _UNNAMED_LOCAL_RE.search(text):
        return (CENTRAL,)
    return (default,) if default else ()


def _short(name: str) -> str:
    return _PROVINCES.get(name, name)


def normalize_region(name: str) -> str:
    """The stored form of a region a user types: 湖南省 → 湖南, 深圳市 → 深圳, 全国 stays."""
    name = name.strip()
    found = _PLACE_RE.search(name)
    return _short(found.group(0)) if found else name


_SPLIT_RE = re.compile(r"[、，,；;\s\u3000\xa0]+")


def agencies(issuer: str | None, default: str | None = None) -> tuple[str, ...]:
    """The issuing bodies in a 落款 (``财政部、税务总局`` or ``财政部 税务总局``), in order, once each.

    An unsigned notice gets ``default`` (the configured source's agency): somebody published it.
    """
    names = tuple(dict.fromkeys(part for part in _SPLIT_RE.split(issuer or "") if part))
    if names:
        return names
    return (default,) if default else ()
