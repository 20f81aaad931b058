"""Jinja2 environment and the page chrome shared by all families (footer ids, counters, filters)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import jinja2

from simulator.body import cn_date
from simulator.sites import SiteSpec
from simulator.urls import stable_int

TEMPLATES = Path(__file__).parent / "templates"

#: Province abbreviation used in ICP and public-security filing numbers.
_ABBR = {
    "全国": "京",
    "北京": "京",
    "天津": "津",
    "湖南": "湘",
    "辽宁": "辽",
    "云南": "滇",
    "宁夏": "宁",
    "重庆": "渝",
    "淮北": "皖",
    "山西": "晋",
    "山东": "鲁",
    "深圳": "粤",
    "福建": "闽",
    "河北": "冀",
    "宁波": "浙",
}

#: Main navigation of a government portal (政府网站发展指引 columns).
NAV = ("首页", "机构概况", "新闻动态", "政务公开", "政务服务", "互动交流", "专题专栏")


def cut(text: str, limit: int) -> str:
    """List-row text as real columns show it: cut with ``...``, full title in ``title=``."""
    return text if len(text) <= limit else text[: limit - 1] + "..."


def fmt_date(day: date, pattern: str = "%Y-%m-%d") -> str:
    return day.strftime(pattern)


def make_env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["cut"] = cut
    env.filters["date"] = fmt_date
    env.filters["cn_date"] = cn_date
    return env


@dataclass(frozen=True)
class Footer:
    """主办单位 line, 网站标识码 and the two filing numbers every gov footer carries."""

    sponsor: str
    site_id_code: str
    icp: str
    police: str
    police_code: str


def footer(site: SiteSpec) -> Footer:
    abbr = _ABBR.get(site.region, "京")
    admin = site.site_id_code[:6] if site.site_id_code.isdigit() else "110102"
    police_code = f"{admin}{stable_int(site.name, 'gaba', lo=10**7, hi=10**8)}"
    return Footer(
        sponsor=site.agency,
        site_id_code=site.site_id_code,
        icp=f"{abbr}ICP备{stable_int(site.name, 'icp', lo=10**7, hi=10**8 // 4)}号",
        police=f"{abbr}公网安备 {police_code}号",
        police_code=police_code,
    )
