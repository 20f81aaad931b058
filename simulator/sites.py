"""The table of simulated government sites.

One entry per host that appears in the seed issues' 相关链接 (plus 宁波经信局, the issuer of
the one seed printed without a link). Listing paths, URL shapes and CMS families follow
``/work/shared/reference/gov-sites.md`` so that the product, built against the simulation,
meets the same shapes on the real sites.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TRS = "trs"
HANWEB = "hanweb"
JPAAS = "jpaas"
LEGACY = "legacy"

#: Default rows per listing page, per family (the real sites use 15-25).
PAGE_SIZES = {TRS: 20, HANWEB: 15, JPAAS: 24, LEGACY: 20}


@dataclass(frozen=True)
class SiteSpec:
    """One simulated host: who runs it, which CMS renders it and where its notice list lives."""

    name: str
    """Short slug used everywhere in the simulator (``ndrc``, ``gxt-hunan``)."""
    host: str
    """The real host name, as in the seed URLs."""
    agency: str
    """The agency's usual Chinese name (as it signs its notices)."""
    region: str
    """全国 for central bodies, else the province or city (湖南, 深圳)."""
    family: str
    """CMS family rendering the pages: trs / hanweb / jpaas / legacy."""
    listing_path: str
    """Path of the notice listing on the real host (the product is configured with it)."""
    encoding: str
    """Encoding of the bytes the site sends."""
    site_name: str
    """Site name in the header and the ``SiteName`` meta."""
    site_id_code: str
    """网站标识码 (``bm…`` for central bodies, admin-code-based for local ones)."""
    detail_pattern: str
    """Path shape of pages created for the site (news, seeds without a link); see ``urls.expand``."""
    attach_pattern: str
    """Path shape of attachment files on the site; see ``urls.expand``."""
    scheme: str = "https"
    column: str = "通知公告"
    """Name of the listing column (breadcrumb, ColumnName meta)."""
    aliases: tuple[str, ...] = ()
    """Other names the agency signs with, used to place seeds printed without a link."""
    content_type: str = "text/html; charset=utf-8"
    """Content-Type header of HTML pages; legacy sites contradict or omit the charset."""
    news_count: int = 5
    """How many non-notice news items pad the listing."""
    page_size: int = 0
    """Rows per listing page; 0 means the family default."""
    redirects: tuple[tuple[str, str], ...] = field(default=())
    """Old paths answered with a 301 to a new one (NDRC moved /zcfb/zcfbtz/ to /xxgk/zcfb/)."""
    news_shapes: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """The site's own news (title, paragraphs), in place of the generic shapes of ``simulator.news``."""
    more_listings: tuple[str, ...] = ()
    """Paths of the site's further watched columns (政策文件 beside 通知公告, a 申报 column): each
    lists the site's rows like the main listing, so a source configured on any of them reads them."""
    real_host: str = ""
    """The host the agency serves today, when the seeds print an older or misprinted one
    (sipo.gov.cn became cnipa.gov.cn; the 2019 issue misprints jxj.huaibei as jxj.huabei)."""
    listing_api: str = ""
    """A listing served by a platform API rather than the family's HTML (``anhui-label``)."""

    @property
    def listing_paths(self) -> tuple[str, ...]:
        """Every column listing the site serves: the main one first."""
        return (self.listing_path, *self.more_listings)

    @property
    def hosts(self) -> tuple[str, ...]:
        """The seeds' host and, if it differs, today's."""
        return (self.host, self.real_host) if self.real_host else (self.host,)

    @property
    def rows_per_page(self) -> int:
        return self.page_size or PAGE_SIZES[self.family]

    @property
    def listing_dir(self) -> str:
        """The directory of the listing page (``/a/b/`` for ``/a/b/index.html`` or ``/a/b/``)."""
        return self.listing_path.rsplit("/", 1)[0] + "/"


_TDATE = "{listing_dir}{yyyymm}/t{ymd}_{id}.html"
_TRS_ATTACH = "{page_dir}P0{ymd}{digits12}.{ext}"
_HANWEB_ATTACH = "/module/download/downfile.jsp?classid=0&filename={hex}.{ext}&showname={showname}"
_GBK = "gbk"
_GB2312_HEADER = "text/html; charset=gb2312"

SITES: tuple[SiteSpec, ...] = (
    SiteSpec(
        name="ndrc",
        host="www.ndrc.gov.cn",
        agency="国家发展改革委",
        region="全国",
        family=TRS,
        listing_path="/xxgk/zcfb/tz/",
        encoding="utf-8",
        site_name="国家发展和改革委员会",
        site_id_code="bm04000007",
        detail_pattern=_TDATE,
        attach_pattern=_TRS_ATTACH,
        column="通知",
        aliases=("国家发展和改革委员会", "发展改革委"),
        news_count=24,
        redirects=(("/zcfb/zcfbtz/", "/xxgk/zcfb/tz/"), ("/zcfb/zcfbtz/index.html", "/xxgk/zcfb/tz/")),
        more_listings=("/xxgk/zcfb/gg/", "/xwdt/tzgg/"),
    ),
    SiteSpec(
        name="miit",
        host="www.miit.gov.cn",
        agency="工业和信息化部",
        region="全国",
        family=JPAAS,
        listing_path="/zwgk/zcwj/wjfb/tz/index.html",
        encoding="utf-8",
        site_name="中华人民共和国工业和信息化部",
        site_id_code="bm07000001",
        detail_pattern="{listing_dir}art/{y}/art_{hex}.html",
        attach_pattern="/cms_files/filemanager/1226211233/attach/{y}{m}/{hex}.{ext}",
        column="通知",
        aliases=("工信部", "工业和信息化部办公厅"),
        news_count=24,
        more_listings=("/zwgk/wjgs/index.html",),
    ),
    SiteSpec(
        name="mee",
        host="www.mee.gov.cn",
        agency="生态环境部",
        region="全国",
        family=TRS,
        listing_path="/zcwj/bwj/",
        encoding="utf-8",
        site_name="中华人民共和国生态环境部",
        site_id_code="bm17000009",
        detail_pattern="{listing_dir}{yyyymm}/t{ymd}_{id}.shtml",
        attach_pattern=_TRS_ATTACH,
        column="部文件",
        more_listings=("/zcwj/bgtwj/",),
    ),
    SiteSpec(
        name="most",
        host="www.most.gov.cn",
        agency="科技部",
        region="全国",
        family=TRS,
        listing_path="/tztg/",
        encoding="utf-8",
        site_name="中华人民共和国科学技术部",
        site_id_code="bm06000001",
        detail_pattern=_TDATE,
        attach_pattern=_TRS_ATTACH,
        aliases=("科学技术部", "中华人民共和国科学技术部"),
        more_listings=("/xxgk/xinxifenlei/fdzdgknr/fgzc/gfxwj/",),
    ),
    SiteSpec(
        name="chinatax",
        host="www.chinatax.gov.cn",
        agency="国家税务总局",
        region="全国",
        family=TRS,
        listing_path="/chinatax/n810341/n810755/index.html",
        encoding="utf-8",
        site_name="国家税务总局",
        site_id_code="bm29000002",
        detail_pattern="{listing_dir}c{id}/content.html",
        attach_pattern=_TRS_ATTACH,
        column="最新文件",
        aliases=("税务总局",),
    ),
    SiteSpec(
        name="sipo",
        host="www.sipo.gov.cn",
        agency="国家知识产权局",
        region="全国",
        family=HANWEB,
        listing_path="/col/col74/index.html",
        encoding="utf-8",
        site_name="国家知识产权局",
        site_id_code="bm52000001",
        detail_pattern="/art/{y}/{m}/{d}/art_74_{id}.html",
        attach_pattern=_HANWEB_ATTACH,
        column="工作通知",
        aliases=("国家知识产权局办公室", "知识产权局"),
        news_count=18,
        real_host="www.cnipa.gov.cn",
    ),
    SiteSpec(
        name="gxt-hunan",
        host="gxt.hunan.gov.cn",
        agency="湖南省工业和信息化厅",
        region="湖南",
        family=TRS,
        listing_path="/gxt/xxgk_71033/tzgg/index.html",
        encoding="utf-8",
        site_name="湖南省工业和信息化厅",
        site_id_code="4300000026",
        detail_pattern=_TDATE,
        attach_pattern=_TRS_ATTACH,
        scheme="http",
        more_listings=("/gxt/xxgk_71033/zcfg/gfxwj/index.html",),
    ),
    SiteSpec(
        name="gxt-ln",
        host="gxt.ln.gov.cn",
        agency="辽宁省工业和信息化厅",
        region="辽宁",
        family=TRS,
        listing_path="/gxt/tztg/",
        encoding="utf-8",
        site_name="辽宁省工业和信息化厅",
        site_id_code="2100000035",
        detail_pattern="{listing_dir}{ymd}{hms}{id5}/index.shtml",
        attach_pattern=_TRS_ATTACH,
        scheme="http",
        column="通知通告",
        more_listings=("/gxt/yfxz/fgfgg/index.shtml",),
    ),
    SiteSpec(
        name="kxjs-tj",
        host="kxjs.tj.gov.cn",
        agency="天津市科学技术局",
        region="天津",
        family=TRS,
        listing_path="/BSFW9672/XMGL4742/XMSB4597/",
        encoding="utf-8",
        site_name="天津市科学技术局",
        site_id_code="1200000041",
        detail_pattern=_TDATE,
        attach_pattern=_TRS_ATTACH,
        column="项目申报",
    ),
    SiteSpec(
        name="gyxxh-tj",
        host="gyxxh.tj.gov.cn",
        agency="天津市工业和信息化局",
        region="天津",
        family=LEGACY,
        listing_path="/ZWGK4147/ZCWJ6355/",
        encoding=_GBK,
        site_name="天津市工业和信息化局",
        site_id_code="1200000058",
        detail_pattern="/tzgg/{id}.htm",
        attach_pattern="/uploadfile/{y}/{mm}{dd}/{ts}.{ext}",
        scheme="http",
        column="政策文件",
        content_type=_GB2312_HEADER,
        more_listings=("/ZWXX5652/GXDT9285/",),
    ),
    SiteSpec(
        name="gxt-yn",
        host="gxt.yn.gov.cn",
        agency="云南省工业和信息化厅",
        region="云南",
        family=LEGACY,
        listing_path="/xwdt/tzgg/",
        encoding=_GBK,
        site_name="云南省工业和信息化厅",
        site_id_code="5300000037",
        detail_pattern="/publicity/tzgggszdhzjcsx/tbsx/{id}",
        attach_pattern="/uploadfile/s37/{y}/{mm}{dd}/{ts}.{ext}",
        scheme="http",
        column="通知公告",
        # The header claims UTF-8 while the bytes and the <meta> are GB2312/GBK.
        content_type="text/html; charset=utf-8",
    ),
    SiteSpec(
        name="gxt-nx",
        host="gxt.nx.gov.cn",
        agency="宁夏回族自治区工业和信息化厅",
        region="宁夏",
        family=LEGACY,
        listing_path="/zwgk/fdzdgknr/zcfg/gxtwj/",
        encoding=_GBK,
        site_name="宁夏回族自治区工业和信息化厅",
        site_id_code="6400000019",
        detail_pattern="/info/1310/{id}.htm",
        # VSB-style download: the URL carries no file extension at all.
        attach_pattern="/system/_content/download.jsp?urltype=news.DownloadAttachUrl&owner={id}&wbfileid={n}",
        scheme="http",
        column="厅文件",
        aliases=("自治区工业和信息化厅",),
        content_type="text/html; charset=GBK",
        more_listings=("/zwgk/tzgg/",),
    ),
    SiteSpec(
        name="jjxxw-cq",
        host="jjxxw.cq.gov.cn",
        agency="重庆市经济和信息化委员会",
        region="重庆",
        family=LEGACY,
        listing_path="/zwgk_213/gsgg/",
        encoding=_GBK,
        site_name="重庆市经济和信息化委员会",
        site_id_code="5000000044",
        detail_pattern="/main/zwgk/gsgg/{y}-{mm}/{hex}.html",
        attach_pattern="/uploadfile/{y}/{mm}{dd}/{ts}.{ext}",
        column="公示公告",
        # No charset in the header at all: the client has to read the <meta>.
        content_type="text/html",
        more_listings=("/zwgk_213/zcwj/xzgfxwj/",),
    ),
    SiteSpec(
        name="jxj-huabei",
        host="jxj.huabei.gov.cn",
        agency="淮北市经济和信息化局",
        region="淮北",
        family=LEGACY,
        listing_path="/site/label/8888",
        encoding=_GBK,
        site_name="淮北市经济和信息化局",
        site_id_code="3406000013",
        detail_pattern="/xxfb/tzgg/{id}.html",
        attach_pattern="/UploadFiles/{y}{mm}/{ts}.{ext}",
        scheme="http",
        aliases=("淮北市经信局",),
        content_type=_GB2312_HEADER,
        real_host="jxj.huaibei.gov.cn",
        listing_api="anhui-label",
    ),
    SiteSpec(
        name="jxj-beijing",
        host="jxj.beijing.gov.cn",
        agency="北京市经济和信息化局",
        region="北京",
        family=LEGACY,
        listing_path="/jxdt/tzgg/",
        encoding=_GBK,
        site_name="北京市经济和信息化局",
        site_id_code="1100000088",
        detail_pattern="/jxdt/tzgg/{id}.htm",
        attach_pattern="{page_dir}P0{ymd}{digits12}.{ext}",
        content_type=_GB2312_HEADER,
        news_count=20,
        more_listings=("/zwgk/2024zcwj/",),
    ),
    SiteSpec(
        name="kjt-shanxi",
        host="kjt.shanxi.gov.cn",
        agency="山西省科学技术厅",
        region="山西",
        family=LEGACY,
        listing_path="/zcfg/sxskjcxzc/",
        encoding=_GBK,
        site_name="山西省科学技术厅",
        site_id_code="1400000031",
        detail_pattern="/jcyjc/{id}.jhtml",
        attach_pattern="/uploadfiles/{y}/{mm}/{ts}.{ext}",
        scheme="http",
        column="科技创新政策",
        content_type="text/html; charset=GBK",
        more_listings=("/xxgk/tzgg/",),
    ),
    SiteSpec(
        name="gxt-shandong",
        host="gxt.shandong.gov.cn",
        agency="山东省工业和信息化厅",
        region="山东",
        family=HANWEB,
        listing_path="/col/col15201/index.html",
        encoding="utf-8",
        site_name="山东省工业和信息化厅",
        site_id_code="3700000054",
        detail_pattern="/art/{y}/{m}/{d}/art_15201_{id}.html",
        attach_pattern=_HANWEB_ATTACH,
        scheme="http",
        column="通知",
        more_listings=("/col/col15202/index.html",),
    ),
    SiteSpec(
        name="stic-sz",
        host="stic.sz.gov.cn",
        agency="深圳市科技创新委员会",
        region="深圳",
        family=TRS,
        listing_path="/xxgk/tzgg/",
        encoding="utf-8",
        site_name="深圳市科技创新委员会",
        site_id_code="4403000062",
        detail_pattern="{listing_dir}{yyyymm}/t{ymd}_{id}.htm",
        attach_pattern=_TRS_ATTACH,
        aliases=("深圳市科创委", "市科技创新委"),
        more_listings=("/xxgk/zcfg/zcfg/",),
    ),
    SiteSpec(
        name="gxt-fujian",
        host="gxt.fujian.gov.cn",
        agency="福建省工业和信息化厅",
        region="福建",
        family=TRS,
        listing_path="/zwgk/gsgg/",
        encoding="utf-8",
        site_name="福建省工业和信息化厅",
        site_id_code="3500000011",
        detail_pattern="{listing_dir}{yyyymm}/t{ymd}_{id}.htm",
        attach_pattern=_TRS_ATTACH,
        column="公示公告",
        more_listings=("/zwgk/zfxxgk/fdzdgknr/gfxwj/",),
    ),
    SiteSpec(
        name="gxt-hebei",
        host="gxt.hebei.gov.cn",
        agency="河北省工业和信息化厅",
        region="河北",
        family=LEGACY,
        listing_path="/hbgyhxxht/xwzx32/tzgg83/",
        encoding=_GBK,
        site_name="河北省工业和信息化厅",
        site_id_code="1300000027",
        detail_pattern="{listing_dir}{id}/index.html",
        attach_pattern="{page_dir}{ts}.{ext}",
        content_type=_GB2312_HEADER,
    ),
    SiteSpec(
        name="jxj-ningbo",
        host="jxj.ningbo.gov.cn",
        agency="宁波市经济和信息化局",
        region="宁波",
        family=JPAAS,
        listing_path="/col/col1229561613/index.html",
        encoding="utf-8",
        site_name="宁波市经济和信息化局",
        site_id_code="3302000050",
        detail_pattern="/art/{y}/{m}/{d}/art_1229561613_{id}.html",
        attach_pattern="/cms_files/filemanager/1229561613/attach/{y}{m}/{hex}.{ext}",
        column="通知公告",
    ),
)

_BY_NAME = {s.name: s for s in SITES}
_BY_HOST = {host: s for s in SITES for host in s.hosts}


def real_listing_url(site: SiteSpec) -> str:
    """The listing URL on the real internet, for the product's site configuration."""
    return f"{site.scheme}://{site.host}{site.listing_path}"


def site_by_name(name: str) -> SiteSpec:
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"no simulated site named {name!r}") from None


def site_for_host(host: str) -> SiteSpec | None:
    return _BY_HOST.get(host.lower().split(":")[0])


def site_for_issuer(*texts: str) -> SiteSpec | None:
    """The site whose agency best matches a signer or title (longest name found wins).

    Used for seeds printed without a link: they go on their issuer's site.
    """
    best: tuple[int, SiteSpec] | None = None
    for site in SITES:
        for name in (site.agency, site.site_name, *site.aliases):
            if any(name in t for t in texts if t) and (best is None or len(name) > best[0]):
                best = (len(name), site)
    if best is None:
        for site in SITES:
            if site.region != "全国" and any(site.region in t for t in texts if t):
                return site
        return None
    return best[1]
