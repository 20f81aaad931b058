"""Whole pages of real CMS families that neither the simulator nor the variants render.

Markup follows ``/work/shared/reference/gov-sites.md`` (§1B detail table, §2 CMS families); where
the reference is silent the choice is marked (G). Every page carries its family's chrome (header,
breadcrumb, toolbars, footer) so that finding the body is part of the test.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable
from urllib.parse import quote

from simulator.seednotice import SeedNotice
from tests.layouts import Page, layout
from tests.layouts.parts import (
    Links,
    Para,
    addressee_line,
    annex,
    arabic_date,
    attachment_lines,
    catalog_rows,
    doc_number_line,
    esc,
    file_name,
    issuer_name,
    paragraphs,
    plain,
    posted,
    signature,
)


def _serial(seed: SeedNotice, base: int, span: int) -> int:
    """A stable per-seed number for URLs and ids."""
    return base + zlib.crc32(seed.title.encode()) % span


def _hex(seed: SeedNotice, index: int) -> str:
    """A 32-hex file id, as jpaas and gov.cn name uploaded files."""
    return hashlib.md5(f"{seed.title}/{index}".encode()).hexdigest()


def _ext(seed: SeedNotice, index: int) -> str:
    """The extension a seed's attachment is stored with."""
    return file_name(seed, index).rsplit(".", 1)[1]


def _gongwen(
    seed: SeedNotice, links: Links, href: Callable[[int], str] | None = None, para: Para = plain
) -> list[str]:
    """The 公文 parts in order, attachments linked through ``href``."""
    return [
        *doc_number_line(seed),
        *addressee_line(seed, para),
        *paragraphs(seed, para),
        *attachment_lines(seed, para, links, href),
        *signature(seed),
        *annex(seed, para),
    ]


def _page(html: str, links: Links, content_type: str = "text/html; charset=utf-8") -> Page:
    """The page as a UTF-8 site serves it (all these families are UTF-8, §1B Enc.)."""
    return Page(html.encode("utf-8"), links.page_url, content_type, links)


@layout("govcn")
def govcn(seed: SeedNotice) -> Page:
    """gov.cn 公文 template: lowercase metas (``firstpublishedtime``), a ``<td><b>发文字号：</b></td>``
    公开目录 table above ``td#UCAP-CONTENT``, files under ``…/<content id>/files/<hex>.pdf`` (§2 gov.cn)."""
    day = posted(seed)
    serial = _serial(seed, 5400000, 99999)
    links = Links(f"https://www.gov.cn/zhengce/zhengceku/{day:%Y-%m}/{day:%d}/content_{serial}.htm")

    def href(i: int) -> str:
        return f"/zhengce/zhengceku/{day:%Y-%m}/{day:%d}/{serial}/files/{_hex(seed, i)}.{_ext(seed, i)}"

    rows = catalog_rows(
        seed, issuer_name(seed, "国务院办公厅"), f"000014349/{day.year}-{serial % 100000:05d}",
        label=lambda name: f'<td width="90"><b>{esc(name)}</b></td>',
    )  # fmt: skip
    body = "\n".join(_gongwen(seed, links, href, para=lambda t: f'<p style="text-indent: 2em;">{esc(t)}</p>'))
    html = f"""<!DOCTYPE html>
<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta name="keywords" content="政策;通知">
<meta name="firstpublishedtime" content="{day}-17:17:11">
<meta name="lastmodifiedtime" content="{day}-18:02:44">
<meta name="author" content="中国政府网">
<title>{esc(seed.title)}_国务院部门文件_中国政府网</title>
<script src="//www.gov.cn/govweb/xhtml/2016gov/js/jquery.min.js"></script>
</head><body>
<div class="header"><div class="logo"><a href="https://www.gov.cn/"><img src="/images/logo.png" alt="中国政府网"></a></div>
<div class="nav"><a href="/">首页</a> | <a href="/zhengce/">政策</a> | <a href="/zhengce/xxgk/">信息公开</a></div></div>
<div class="BreadcrumbNav"><a href="/">首页</a> &gt; <a href="/zhengce/">政策</a> &gt; 国务院部门文件</div>
<div class="wrap">
<table class="bd1" width="100%" cellpadding="0" cellspacing="1"><tbody>
{rows}
</tbody></table>
<table width="100%"><tr><td class="b12c" id="UCAP-CONTENT">
{body}
</td></tr></table>
<div class="editor">【我要纠错】 责任编辑：王洋</div>
<div class="share">【打印】【关闭】<span>扫一扫在手机打开当前页</span></div>
</div>
<div class="footer">主办单位：国务院办公厅　运行维护单位：中国政府网运行中心<br>
版权所有：中国政府网　网站标识码bm01000001　京ICP备05070218号</div>
</body></html>"""
    return _page(html, links)


@layout("gkmlpt")
def gkmlpt(seed: SeedNotice) -> Page:
    """Guangdong gkmlpt ``content/<a>/<b>/post_<id>.html``: a header table (索引号 / 分类 / 发布机构 /
    成文日期 / 名称 / 文号 / 发布日期) in ``td-label``/``td-value`` cells, ``h1.title`` and files under
    ``/attachment/…`` (§2 gkmlpt, G for the exact cells), plain HTTP (§1B stic.sz)."""
    day = posted(seed)
    post = _serial(seed, 6800000, 99999)
    links = Links(f"http://stic.sz.gov.cn/gkmlpt/content/{post // 1_000_000}/{post // 1000}/post_{post}.html")

    def href(i: int) -> str:
        return f"/attachment/0/{post // 100}/{post // 10}/{post + i}.{_ext(seed, i)}"

    made = seed.date or ""
    cells = [
        ("索引号：", f"11440300MB2C92050F/{day.year}-{post % 10000:05d}"), ("分类：", "科技、教育"),
        ("发布机构：", issuer_name(seed, "深圳市科技创新委员会")), ("成文日期：", made),
        ("名称：", seed.title), ("文号：", seed.doc_number or ""), ("发布日期：", day.isoformat()),
    ]  # fmt: skip
    rows = "".join(
        f'<td class="td-label"><span>{esc(label)}</span></td><td class="td-value"><span>{esc(value)}</span></td>'
        + ("</tr><tr>" if i % 2 else "")
        for i, (label, value) in enumerate(cells)
    )
    body = "\n".join(_gongwen(seed, links, href))
    html = f"""<!DOCTYPE html>
<html lang="zh-CN"><head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(seed.title)}-深圳市科技创新委员会网站</title>
<link rel="stylesheet" href="/gkmlpt/static/css/content.css">
</head><body>
<div class="header-container"><div class="gov-logo"><a href="/">深圳市科技创新委员会</a></div>
<ul class="nav"><li><a href="/gkmlpt/index">政府信息公开</a></li><li><a href="/xxgk/tzgg/">通知公告</a></li></ul></div>
<div class="location">当前位置：<a href="/gkmlpt/index">政府信息公开</a> &gt; 通知公告</div>
<div class="container">
<div class="classify"><table class="table"><tbody><tr>{rows}</tr></tbody></table></div>
<div class="content">
<h1 class="title document-number">{esc(seed.title)}</h1>
<div class="date-row"><span class="date">{day}</span></div>
<div class="article-content">
{body}
</div>
<div class="operate"><a href="javascript:window.print()">打印</a> <a href="javascript:window.close()">关闭</a></div>
</div></div>
<div class="footer"><p>版权所有：深圳市科技创新委员会 网站标识码：4403000094 粤ICP备05034386号</p></div>
<script src="/gkmlpt/static/js/content.js"></script>
</body></html>"""
    return _page(html, links, "text/html")


@layout("most-xxgk")
def most_xxgk(seed: SeedNotice) -> Page:
    """MOST 信息公开 page: ``table.xxgk_detail_table`` with ``<td><b>发文字号：</b>VALUE</td>`` cells
    (label and value in one cell), body in ``div.text.wide #Zoom`` between ``<meta name=
    "ContentStart">`` and ``ContentEnd``, print/close and 扫一扫 links after the end marker (§1B most)."""
    day = posted(seed)
    serial = _serial(seed, 148000, 999)
    links = Links(
        f"https://www.most.gov.cn/xxgk/xinxifenlei/fdzdgknr/fgzc/gfxwj/gfxwj{day.year}/{day:%Y%m}/t{day:%Y%m%d}_{serial}.html"
    )
    made = arabic_date(seed.date) if seed.date else ""
    body = "\n".join(_gongwen(seed, links))
    html = f"""<!DOCTYPE html>
<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta name="SiteName" content="中华人民共和国科学技术部"><meta name="SiteIDCode" content="bm06000001">
<meta name="ColumnName" content="规范性文件"><meta name="ArticleTitle" content="{esc(seed.title)}">
<meta name="PubDate" content="{day} 10:30"><meta name="ContentSource" content="科技部">
<title>{esc(seed.title)}_中华人民共和国科学技术部</title>
</head><body>
<div class="header"><a href="/">科技部首页</a> <a href="/xxgk/">信息公开</a> <a href="/kjbgz/">科技部工作</a></div>
<div class="w1200"><div class="crumbs">当前位置：<a href="/">首页</a> &gt; <a href="/xxgk/">信息公开</a> &gt; 规范性文件</div>
<table class="xxgk_detail_table" width="100%" cellspacing="0">
<tr><td colspan="2"><b>标　　题：</b>{esc(seed.title)}</td></tr>
<tr><td><b>发文字号：</b>{esc(seed.doc_number or "")}</td><td><b>成文日期：</b>{made}</td></tr>
<tr><td><b>发布机构：</b>{esc(issuer_name(seed, "科技部"))}</td><td><b>发布日期：</b>{day}</td></tr>
</table>
<div class="xxgk_detail_title" id="Title">{esc(seed.title)}</div>
<div class="text wide">
<div id="Zoom">
<meta name="ContentStart">
<div class="trs_editor_view TRS_UEDITOR trs_paper_default trs_web">
{body}
</div>
<meta name="ContentEnd">
<div class="tools"><a href="javascript:window.print()">【打印本页】</a><a href="javascript:window.close()">【关闭窗口】</a></div>
<div class="ewm">扫一扫在手机打开当前页</div>
</div></div></div>
<div class="footer">版权所有：中华人民共和国科学技术部 京ICP备05022684号 网站标识码bm06000001</div>
</body></html>"""
    return _page(html, links)


@layout("jpaas-zj")
def jpaas_zhejiang(seed: SeedNotice) -> Page:
    """Zhejiang jpaas article ``/art/YYYY/M/D/art_1229561613_<id>.html`` with the body inline (no
    iframe): header and footer are empty shells filled by ``<script parseType=…
    url="/api-gateway/jpaas-publish-server/front/page/build/unit" querydata=…>`` tags, the body
    inside ``ZJEG_RSS.content.begin`` comments and ContentStart/End metas, files under
    ``/cms_files/filemanager/…`` on another host (§2 jpaas, Hanweb detail)."""
    day = posted(seed)
    art = _serial(seed, 41800000, 99999)
    links = Links(f"http://jxj.ningbo.gov.cn/art/{day.year}/{day.month}/{day.day}/art_1229561613_{art}.html")

    def href(i: int) -> str:
        return f"http://www.ningbo.gov.cn/cms_files/filemanager/1229561613/attach/{day:%Y%m}/{_hex(seed, i)}.{_ext(seed, i)}"

    unit = (
        '<script parseType="bulidstatic" webid="2641" url="/api-gateway/jpaas-publish-server/front/page/build/unit"'
        " querydata=\"{{'webId':'2641','pageId':'1229561613','tagId':'{tag}','tplSetId':'a3f5b2c7'}}\""
        ' type="text/javascript"></script>'
    )
    body = "\n".join(_gongwen(seed, links, href))
    html = f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml"><head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<meta name="SiteName" content="宁波市经济和信息化局"><meta name="SiteDomain" content="jxj.ningbo.gov.cn">
<meta name="SiteIDCode" content="3302000041"><meta name="ColumnName" content="通知公告">
<meta name="ArticleTitle" content="{esc(seed.title)}"><meta name="PubDate" content="{day} 16:19">
<meta name="ContentSource" content="宁波市经济和信息化局">
<title>{esc(seed.title)}</title>
<script type="text/javascript" src="/script/jquery.min.js"></script>
</head><body>
<div id="header"></div>{unit.format(tag="页头")}
<div class="main-content">
<div class="position">您当前的位置：<a href="/">首页</a> &gt; <a href="/col/col1229561613/index.html">通知公告</a></div>
<div class="article">
<div class="art-title"><p>{esc(seed.title)}</p></div>
<div class="art-info"><span>发布日期：{day}</span><span>来源：宁波市经济和信息化局</span>
<span>浏览次数：<script language="javascript" src="/module/visitcount/articlehits.jsp?colid=1229561613&amp;artid={art}"></script></span>
<span class="fontsize">字号：[ <a href="javascript:doZoom(16)">大</a> <a href="javascript:doZoom(14)">中</a> <a href="javascript:doZoom(12)">小</a> ]</span></div>
<div id="zoom">
<!--ZJEG_RSS.content.begin--><meta name="ContentStart">
{body}
<meta name="ContentEnd"><!--ZJEG_RSS.content.end-->
</div>
<div class="art-tools"><a href="javascript:window.print()">打印本页</a> <a href="javascript:window.close()">关闭窗口</a></div>
</div></div>
<div id="footer"></div>{unit.format(tag="页脚")}
</body></html>"""
    return _page(html, links)


@layout("split-share")
def split_share(seed: SeedNotice) -> Page:
    """A body cut in two sibling ``div.detail-text`` blocks by an inline share/font bar the
    template injects after the first half (G: provincial templates with a mid-body toolbar); no
    family class anywhere, Hanweb ``downfile.jsp`` links for the files (§2 Hanweb)."""
    day = posted(seed)
    links = Links(
        f"http://gxt.example.gov.cn/art/{day.year}/{day.month}/{day.day}/art_2211_{_serial(seed, 1000, 9000)}.html"
    )

    def href(i: int) -> str:
        name = seed.attachments[i]
        return f"/module/download/downfile.jsp?classid=0&filename={_hex(seed, i)[:16]}.{_ext(seed, i)}&showname={quote(name)}"

    parts = _gongwen(seed, links, href)
    split = len(doc_number_line(seed)) + len(addressee_line(seed)) + max(1, len(seed.paragraphs) // 2)
    first, second = "\n".join(parts[:split]), "\n".join(parts[split:])
    html = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8">
<title>{esc(seed.title)}-某某省工业和信息化厅</title>
<meta name="ArticleTitle" content="{esc(seed.title)}"><meta name="PubDate" content="{day} 11:00">
</head><body>
<div class="top"><a href="/">首页</a> <a href="/col/col2211/index.html">通知公告</a></div>
<div class="detail">
<h2 class="detail-title">{esc(seed.title)}</h2>
<div class="detail-info">发布时间：{day}　来源：某某省工业和信息化厅</div>
<div class="detail-text">
{first}
</div>
<div class="detail-share">分享到：<a href="#">微信</a> <a href="#">微博</a> <a href="#">QQ空间</a>　【字号：大 中 小】</div>
<div class="detail-text">
{second}
</div>
<div class="detail-print"><a href="javascript:window.print()">打印本页</a> <a href="javascript:window.close()">关闭窗口</a></div>
</div>
<div class="bottom">版权所有：某某省工业和信息化厅 网站标识码：5100000012</div>
</body></html>"""
    return _page(html, links)
