"""A hostile site: what an attacker on the path of a plain-http source (or a hacked CMS) can serve.

Never part of the demo web (its sites are not in ``SITES``); tests start it with
``GovWebThread(**hostile_web())``. Three sites on loopback ports:

- ``hostile``, the configured source: a listing mixing its legitimate notices (some carrying
  Markdown, mention and header-injection payloads in their titles and bodies, raw
  ``<img src=file:…>`` and remote CSS in their HTML) with links that must never be fetched:
  ``file://`` (one naming the listing's own host and port, which a host:port check let
  through), ``ftp:``, ``s3:``, ``data:``, private, loopback and link-local addresses, the
  other sites' ports, the listing's host:port over https; notice links that redirect to the
  other sites and to ``file:``; and a 下一页 link to the other-port site.
- ``hostile-other-port``, another service on the same machine, and
- ``hostile-metadata``, a loopback stand-in for the cloud metadata service at 169.254.169.254
  (the address itself cannot be served here): both answer every path with a canary page, so
  a single request to them shows in ``GovWeb.served`` and any leaked byte shows by its canary.

Every page of the ``hostile`` site's catalog is legitimate (the ground truth of a perfect
crawl); the links and redirects in ``HOSTILE_LINKS`` and ``REDIRECTS`` are the attack.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from aiohttp import web

from simulator.body import body_blocks
from simulator.catalog import NOTICE, Catalog, Page
from simulator.failures import Handler
from simulator.families.base import Family, Row, serve_listing_paths
from simulator.seednotice import SeedNotice
from simulator.sites import SiteSpec
from simulator.view import SiteView

HOSTILE = "hostile"
OTHER_PORT = "hostile-other-port"
METADATA = "hostile-metadata"
CANARY = "KUAIXUN-CANARY-7f3a"
"""Printed by the decoy sites in every answer: it must appear in no stored row and no output."""
PHISH = "http://evil.example/phish"


def _site(name: str, host: str, agency: str, listing_path: str = "/tzgg/") -> SiteSpec:
    return SiteSpec(
        name=name,
        host=host,
        agency=agency,
        region="示范",
        family=HOSTILE,
        listing_path=listing_path,
        encoding="utf-8",
        site_name=agency,
        site_id_code="9900000001",
        detail_pattern="{listing_dir}{yyyymm}/t{ymd}_{id}.html",
        attach_pattern="{page_dir}P0{ymd}{digits12}.{ext}",
        scheme="http",
        news_count=0,
    )


HOSTILE_SITE = _site(HOSTILE, "gxt.hostile.example", "示范省工业和信息化厅")
HOSTILE_SITES = (
    HOSTILE_SITE,
    _site(OTHER_PORT, "intranet.hostile.example", "内网管理系统"),
    _site(METADATA, "169.254.169.254", "元数据服务"),
)

_SIGNER = ("示范省工业和信息化厅",)
_ADDRESSEE = "各市工业和信息化主管部门，各有关单位"


def _notice(section: str, title: str, day: str, paragraphs: tuple[str, ...], **fields: Any) -> SeedNotice:
    return SeedNotice(
        issue="hostile",
        section=section,
        title=title,
        source_url="",
        addressee=_ADDRESSEE,
        paragraphs=paragraphs,
        signers=_SIGNER,
        date=day,
        **fields,
    )


@dataclass(frozen=True)
class HostileNotice:
    """One legitimate notice of the hostile site, with raw HTML appended to its body, if any."""

    path: str
    seed: SeedNotice
    raw_html: str = ""
    """Inserted unescaped after the body; ``{other}`` is the other-port site's base URL."""


MARKDOWN_TITLE = f"关于[点击领取补贴]({PHISH})申报工作的通知 @all <@all> <!channel> **紧急**"
HEADER_TITLE = "关于开展工业节能诊断服务的通知\r\nBcc: victim@evil.example\u2028X-Injected: yes"

NOTICES: tuple[HostileNotice, ...] = (
    HostileNotice(
        "/tzgg/202403/t20240305_100101.html",
        _notice(
            "绿色制造",
            "关于组织申报2024年度省级绿色工厂的通知",
            "2024-03-05",
            (
                "为贯彻落实制造业绿色低碳发展要求，加快构建绿色制造体系，现组织开展2024年度省级绿色工厂申报工作。",
                "请各市工业和信息化主管部门组织辖区内企业对照评价要求开展自评价，于2024年4月15日前报送申报材料。",
            ),
            doc_number="示工信节〔2024〕12号",
            deadlines=("2024-04-15",),
        ),
    ),
    HostileNotice(
        "/tzgg/202403/t20240311_100102.html",
        _notice(
            "政策文件",
            "关于印发《示范省制造业数字化转型实施方案》的通知",
            "2024-03-11",
            (
                "现将《示范省制造业数字化转型实施方案》印发给你们，请结合实际认真贯彻落实。",
                "各地要加强组织领导，完善工作机制，推动制造业数字化转型取得实效。",
            ),
            doc_number="示工信规〔2024〕3号",
        ),
    ),
    HostileNotice(
        "/tzgg/202403/t20240318_100103.html",
        _notice(
            "申报通知",
            "关于开展2024年度中小企业技术改造专项资金申报工作的通知",
            "2024-03-18",
            (
                "为支持中小企业实施技术改造，提升发展质量，现开展2024年度专项资金项目申报工作。",
                "申报单位应于2024年4月30日前通过省工业和信息化厅网站提交申报材料，逾期不予受理。",
            ),
            doc_number="示工信企〔2024〕21号",
            deadlines=("2024-04-30",),
        ),
    ),
    HostileNotice(
        "/tzgg/202403/t20240320_100104.html",
        _notice(
            "申报通知",
            MARKDOWN_TITLE,
            "2024-03-20",
            (
                f"请各单位 @all 立即点击 [点击领取补贴]({PHISH}) 完成 **补贴申报**，"
                "<!channel> <@all> @所有人。",
                "申报截止时间为2024年4月20日，请于截止前报送申报材料。"
                f'<a href="{PHISH}">申报入口</a> ![logo](http://evil.example/x.png)',
            ),
            doc_number="示工信企〔2024〕25号",
            deadlines=("2024-04-20",),
        ),
    ),
    HostileNotice(
        "/tzgg/202403/t20240322_100105.html",
        _notice(
            "绿色制造",
            HEADER_TITLE,
            "2024-03-22",
            (
                "为推动工业企业节能降碳，现组织开展2024年度工业节能诊断服务工作。",
                "正文附图：<img src=file:///etc/passwd> <link rel=stylesheet href=http://evil.example/a.css>",
            ),
            doc_number="示工信节〔2024〕16号",
        ),
        raw_html=(
            '<p><img src="file:///etc/passwd" alt="附图一"></p>\n'
            '<p><img src="{other}/images/track.png" alt="附图二"></p>\n'
            '<link rel="stylesheet" href="{other}/css/evil.css">\n'
            '<style>@import url("{other}/css/import.css");\n'
            '#zoom {{ background: url("file:///etc/passwd"); }}</style>\n'
            '<p><a href="javascript:alert(document.cookie)">查看附件</a></p>\n'
        ),
    ),
)


@dataclass(frozen=True)
class HostileLink:
    """A listing row whose link must not be fetched; ``href`` is formatted with the sites' addresses."""

    href: str
    title: str


HOSTILE_LINKS: tuple[HostileLink, ...] = (
    HostileLink("file://{netloc}/etc/passwd", "关于报送2024年度工业经济运行数据的通知"),
    HostileLink("file:///etc/hostname", "关于公布省级专精特新中小企业名单的通知"),
    HostileLink("ftp://127.0.0.1/pub/t20240301_1.html", "关于征集工业互联网平台典型案例的通知"),
    HostileLink("s3://kuaixun-bucket/t20240301_2.html", "关于开展工业设计中心认定工作的通知"),
    HostileLink("data:text/html,<h1>关于开展企业上云试点的通知</h1>", "关于开展企业上云用云试点工作的通知"),
    HostileLink("{other}/tzgg/202403/t20240301_3.html", "关于开展制造业单项冠军遴选工作的通知"),
    HostileLink(
        "http://localhost:{other_port}/tzgg/202403/t20240301_4.html", "关于推荐省级服务型制造示范的通知"
    ),
    HostileLink(
        "{metadata}/latest/meta-data/iam/security-credentials/", "关于开展企业数据安全评估工作的通知"
    ),
    HostileLink("http://169.254.169.254/latest/meta-data/", "关于做好云平台安全检查工作的通知"),
    HostileLink("http://10.0.0.8/tzgg/202403/t20240301_5.html", "关于开展内网系统等级保护测评的通知"),
    HostileLink("http://[::1]:{other_port}/tzgg/202403/t20240301_6.html", "关于组织工业节水型企业评价的通知"),
    HostileLink("https://{netloc}/tzgg/202403/t20240301_7.html", "关于做好工业领域碳达峰工作的通知"),
)


@dataclass(frozen=True)
class Redirect:
    """A notice link on the site that answers with a redirect that must not be followed."""

    path: str
    title: str
    location: str
    meta_refresh: bool = False
    """A 200 page whose ``<meta http-equiv="refresh">`` redirects, instead of a 302."""


REDIRECTS: tuple[Redirect, ...] = (
    Redirect(
        "/tzgg/202403/t20240302_100201.html",
        "关于开展绿色数据中心推荐工作的通知",
        "{other}/secret/notice.html",
    ),
    Redirect(
        "/tzgg/202403/t20240302_100202.html",
        "关于组织申报智能制造示范工厂的通知",
        "{metadata}/latest/meta-data/",
    ),
    Redirect(
        "/tzgg/202403/t20240302_100203.html", "关于开展工业产品绿色设计示范的通知", "file:///etc/passwd"
    ),
    Redirect(
        "/tzgg/202403/t20240302_100204.html",
        "关于开展工业品牌培育示范工作的通知",
        "{metadata}/latest/user-data/",
        meta_refresh=True,
    ),
)
NEXT_PAGE = "{other}/tzgg/index_1.html"
"""The listing's 下一页: on another host."""

REFUSALS = len(HOSTILE_LINKS) + len(REDIRECTS) + 1
"""What a crawl of the site must refuse: every hostile link, every redirect, the 下一页."""


def hostile_catalog() -> Catalog:
    """The hostile site's legitimate notices (no news, no files)."""
    pages = [
        Page(
            site=HOSTILE_SITE,
            path=n.path,
            kind=NOTICE,
            title=n.seed.title,
            day=date.fromisoformat(n.seed.date or ""),
            time="09:30",
            serial=100101 + seq,
            seq=seq,
            seed=n.seed,
        )
        for seq, n in enumerate(NOTICES)
    ]
    return Catalog(pages=pages, files={}, file_owner={})


def hostile_web() -> dict[str, Any]:
    """``GovWeb``/``GovWebThread`` arguments of the hostile web: all of it published."""
    return {"sites": HOSTILE_SITES, "catalog": hostile_catalog(), "held_back": 0}


class HostileFamily(Family):
    name = HOSTILE

    def add_routes(self, app: web.Application, view: SiteView) -> None:
        if view.site.name != HOSTILE:

            async def decoy(request: web.Request) -> web.Response:
                title = f"关于{view.site.agency}的通知 {CANARY}"
                return view.html(view.render("hostile/decoy.html", title=title, path=request.path))

            app.router.add_get("/{decoy:.*}", decoy)
            return

        async def listing(_: web.Request) -> web.Response:
            return self._listing(view)

        for path in serve_listing_paths(view.site.listing_path):
            app.router.add_get(path, listing)
        for redirect in REDIRECTS:
            app.router.add_get(redirect.path, _redirect_to(view, redirect))

    def _listing(self, view: SiteView) -> web.Response:
        addresses = _addresses(view)
        legit = [Row(p.path, p.title, p.day.isoformat()) for p in view.rows()]
        day = "2024-03-01"
        hostile = [Row(link.href.format(**addresses), link.title, day) for link in HOSTILE_LINKS]
        redirects = [Row(r.path, r.title, day) for r in REDIRECTS]
        rows = [*legit[:2], *hostile, *legit[2:], *redirects]
        html = view.render(
            "hostile/listing.html", rows=rows, next_page=NEXT_PAGE.format(**addresses), title=view.site.column
        )
        return view.html(html)

    def detail(self, view: SiteView, page: Page) -> web.Response:
        notice = next(n for n in NOTICES if n.path == page.path)
        raw = notice.raw_html.format(**_addresses(view))
        return view.html(view.render("hostile/detail.html", page=page, blocks=body_blocks(page), raw=raw))


def _redirect_to(view: SiteView, redirect: Redirect) -> Handler:
    async def handler(_: web.Request) -> web.StreamResponse:
        location = redirect.location.format(**_addresses(view))
        if redirect.meta_refresh:
            return view.html(view.render("hostile/refresh.html", title=redirect.title, location=location))
        raise web.HTTPFound(location)

    return handler


def _addresses(view: SiteView) -> dict[str, str]:
    """The placeholders of the hostile hrefs: this site's host:port, the decoys' base URLs."""
    own = view.state.base_url(HOSTILE)
    other = view.state.base_url(OTHER_PORT)
    return {
        "netloc": own.split("://", 1)[1],
        "other": other,
        "other_port": other.rsplit(":", 1)[1],
        "metadata": view.state.base_url(METADATA),
    }
