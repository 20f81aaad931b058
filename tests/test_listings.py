"""Listing readers on the shapes the reference describes, without a network."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

from crawlers.listings import read_listing
from crawlers.urls import normalize_url

TRS = """<html><body><div class="nav"><a href="/">首页</a><a href="javascript:void(0)">无障碍浏览服务入口</a></div>
<ul class="u-list">
<li><a href="./201911/t20191115_1203505.html" title="关于推动先进制造业和现代服务业深度融合发展的实施意见">关于推动先进制造业和...</a>
<span>2019/11/15</span></li>
<li><a href="../../../jd/201911/t20191116_1.html" title="解读：两业融合发展的路线图与时间表">解读：两业融合</a><span>2019/11/16</span></li>
<li><a href="http://www.gov.cn/zhengce/content/2019-11/10/content_1.htm">国务院关于印发某某规划的通知全文</a><span>2019/11/10</span></li>
</ul><script>createPageHTML(5, 0, "index", "html");</script></body></html>"""


def test_trs_listing_resolves_relative_links_and_pages() -> None:
    listing = read_listing("http://www.ndrc.gov.cn/xxgk/zcfb/tz/", TRS)
    assert listing.reader == "rows"
    urls = [e.url for e in listing.entries]
    assert urls[0] == "http://www.ndrc.gov.cn/xxgk/zcfb/tz/201911/t20191115_1203505.html"
    assert urls[1] == "http://www.ndrc.gov.cn/jd/201911/t20191116_1.html"  # no /../ left
    assert (
        listing.entries[0].title == "关于推动先进制造业和现代服务业深度融合发展的实施意见"
    )  # the title attribute
    assert listing.entries[0].date_text == "2019/11/15"
    assert all("javascript" not in u for u in urls)
    assert (
        listing.next_page is not None
        and listing.next_page.url == "http://www.ndrc.gov.cn/xxgk/zcfb/tz/index_1.html"
    )


def test_trs_paging_from_script_variables() -> None:
    """NDRC/MEE pages call createPageHTML(countPage, currentPage, …) with the numbers in variables."""
    page = TRS.replace(
        'createPageHTML(5, 0, "index", "html");',
        "var countPage = 3//共多少页\nvar currentPage = 1;\n"
        "function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){}\n"
        'createPageHTML(countPage, currentPage, "index", "html");',
    )
    listing = read_listing("http://www.ndrc.gov.cn/xxgk/zcfb/tz/index_1.html", page)
    assert listing.next_page is not None
    assert listing.next_page.url == "http://www.ndrc.gov.cn/xxgk/zcfb/tz/index_2.html"


def test_trs_last_page_has_no_next() -> None:
    page = TRS.replace("createPageHTML(5, 0,", "createPageHTML(5, 4,")
    assert read_listing("http://www.ndrc.gov.cn/xxgk/zcfb/tz/index_4.html", page).next_page is None


HANWEB = """<html><body><div id="15201"><script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=27&path=/&columnid=15201&unitid=60942&webname=x&permissiontype=0"></a>]]></nextgroup>
<recordset><record><![CDATA[<li><a href="/art/2019/9/9/art_15201_7120101.html" title="关于组织开展2019年度山东省绿色工厂申报工作的通知">关于组织开展…</a><span>2019-09-09</span></li>]]></record>
<record><![CDATA[<li><a href="/art/2019/9/2/art_15201_7110000.html" title="山东省工业和信息化厅召开全省工业经济运行座谈会">座谈会</a><span>2019-09-02</span></li>]]></record>
</recordset></datastore></script></div>
<script>var totalRecord:60; var perpage = 15;</script></body></html>"""


def test_hanweb_datastore_and_dataproxy_next_page() -> None:
    listing = read_listing("http://gxt.shandong.gov.cn/col/col15201/index.html", HANWEB)
    assert listing.reader == "datastore"
    assert [e.url for e in listing.entries] == [
        "http://gxt.shandong.gov.cn/art/2019/9/9/art_15201_7120101.html",
        "http://gxt.shandong.gov.cn/art/2019/9/2/art_15201_7110000.html",
    ]
    request = listing.next_page
    assert request is not None and request.method == "POST"
    query = parse_qs(urlsplit(request.url).query)
    assert query["startrecord"] == ["3"] and query["endrecord"] == ["47"]  # after the 2 embedded records
    assert request.form is not None
    assert request.form["columnid"] == "15201" and request.form["unitid"] == "60942"

    # The dataproxy reply declares no parameters: the next call is made from this call's own.
    reply = (
        "<?xml version='1.0' encoding='UTF-8'?><datastore><nextgroup><![CDATA[]]></nextgroup><recordset>"
        + "".join(
            f'<record><![CDATA[<li><a href="/art/2019/8/{i}/art_15201_{i}.html" title="山东省工业和信息化厅关于第{i}项工作的通知">x</a>'
            f"<span>2019-08-{i:02d}</span></li>]]></record>"
            for i in range(1, 46)
        )
        + "</recordset><totalrecord>60</totalrecord></datastore>"
    )
    more = read_listing(request.url, reply, 2, "hanweb")
    assert len(more.entries) == 45
    assert more.next_page is not None
    query = parse_qs(urlsplit(more.next_page.url).query)
    assert query["startrecord"] == ["48"] and more.next_page.form == request.form
    last = read_listing(more.next_page.url, reply.replace("<totalrecord>60", "<totalrecord>47"), 3, "hanweb")
    assert last.next_page is None


JPAAS_SHELL = """<html><body><div class="page-content">
<script parseType="bulidstatic" url="/api-gateway/jpaas-publish-server/front/page/build/unit"
 querydata="{'webId':'8d828e408d90447786ddbe128d495e9e','pageId':'1b56e5adc362428299dfc3eb444fe23a','tplSetId':'209741b2109044b5b7695700b2bec37e','tagId':'当前栏目_list','editType':'null'}"></script>
</div></body></html>"""


def test_jpaas_shell_points_at_the_json_endpoint_and_reads_its_reply() -> None:
    shell = read_listing("https://www.miit.gov.cn/zwgk/zcwj/wjfb/tz/index.html", JPAAS_SHELL)
    assert shell.reader == "jpaas" and not shell.entries
    request = shell.next_page
    assert request is not None
    query = parse_qs(urlsplit(request.url).query)
    assert query["webId"] == ["8d828e408d90447786ddbe128d495e9e"]
    assert json.loads(query["paramJson"][0]) == {"pageNo": 1, "pageSize": "24"}
    html = (
        '<ul><li class="cf"><a class="fl" href="/n1146295/n1652858/n1652930/n3757017/c7516057/content.html" '
        'title="工业和信息化部办公厅关于组织开展2020年大数据产业发展试点示范项目申报工作的通知">工业和信息化部办公厅…</a>'
        '<span class="fr">2019-11-13</span></li></ul><div class="pagination" count="30" pageNo="1" rows="24"></div>'
    )
    reply = read_listing(
        request.url, json.dumps({"success": True, "code": "200", "data": {"html": html}}), 1, "jpaas"
    )
    assert [e.date_text for e in reply.entries] == ["2019-11-13"]
    assert reply.entries[0].url.startswith("https://www.miit.gov.cn/n1146295/")
    assert reply.next_page is not None
    assert json.loads(parse_qs(urlsplit(reply.next_page.url).query)["paramJson"][0])["pageNo"] == 2


def test_legacy_table_rows() -> None:
    page = """<table><tr><td><a href="300485.htm" target="_blank">北京市关于继续做好两化融合管理体系贯标试点企业推荐工作的通知</a></td>
    <td>[2019-09-10]</td></tr><tr><td><a href="#">返回顶部</a></td></tr>
    <tr><td><a href="http://www.people.com.cn/">人民网人民网人民网人民网</a></td></tr></table>"""
    listing = read_listing("https://jxj.beijing.gov.cn/jxdt/tzgg/index.htm", page)
    assert [(e.url, e.date_text) for e in listing.entries] == [
        ("https://jxj.beijing.gov.cn/jxdt/tzgg/300485.htm", "2019-09-10")
    ]


def test_normalize_url() -> None:
    assert normalize_url("HTTP://WWW.NDRC.GOV.CN:80/a/b.html#top") == "http://www.ndrc.gov.cn/a/b.html"
    assert normalize_url("http://x.gov.cn/a.html;jsessionid=ABC?id=3&_t=99") == "http://x.gov.cn/a.html?id=3"
    assert normalize_url("http://x.gov.cn/../../a.html") == "http://x.gov.cn/a.html"


ROWS = "".join(
    f'<li><a href="./2024{m:02d}/t2024{m:02d}10_{m}.html">关于第{m}批省级专精特新企业名单的公示</a><span>2024-{m:02d}-10</span></li>'
    for m in range(1, 6)
)


def _next(pager: str, url: str = "http://gxt.example.gov.cn/tzgg/index_1.html") -> str | None:
    listing = read_listing(url, f"<html><body><ul>{ROWS}</ul>{pager}</body></html>")
    assert len(listing.entries) == 5
    return listing.next_page.url if listing.next_page else None


def test_numbered_pager_without_a_next_label() -> None:
    """The current page is the number that is not a link (or is marked); the next is one more."""
    plain = '<div class="pg"><a href="index.html">1</a><span>2</span><a href="index_2.html">3</a></div>'
    assert _next(plain) == "http://gxt.example.gov.cn/tzgg/index_2.html"
    marked = '<div class="pg"><a href="index.html">1</a><a class="on" href="index_1.html">2</a><a href="index_2.html">3</a></div>'
    assert _next(marked) == "http://gxt.example.gov.cn/tzgg/index_2.html"
    wrapped = '<div class="pg"><a href="index.html"><span>1</span></a><a href="index_1.html"><span>2</span></a></div>'
    assert _next(wrapped) is None  # every number a link, none marked: no current page, no guess
    last = '<div class="pg"><a href="index.html">1</a><a href="index_1.html">2</a><span class="current">3</span></div>'
    assert _next(last, "http://gxt.example.gov.cn/tzgg/index_2.html") is None


def test_script_pagers() -> None:
    chongqing = "<script>var i = 0; var total = 4; createPage(total, i, 'index', 'html');</script>"
    assert _next(chongqing, "http://x.gov.cn/zwgk/") == "http://x.gov.cn/zwgk/index_1.html"
    after_definition = (
        "<script>function createPageHTML(n, c, name, ext){ document.write(name + '_' + (c + 1)); }\n"
        'createPageHTML(countPage, currentPage, "index_7752", "shtml");\nvar countPage = 3; var currentPage = 1;</script>'
    )
    assert (
        _next(after_definition, "http://x.gov.cn/a/index_7752_1.shtml")
        == "http://x.gov.cn/a/index_7752_2.shtml"
    )
    escaped = (
        r"<script>document.write('\x3ca href=\x22list_2.html\x22\x3e\u4e0b\u4e00\u9875\x3c/a\x3e');</script>"
    )
    assert _next(escaped, "http://x.gov.cn/a/list_1.html") == "http://x.gov.cn/a/list_2.html"
    percent = "<script>var s = unescape('%3Ca%20href%3D%22list_2.html%22%3E%E4%B8%8B%E4%B8%80%E9%A1%B5%3C/a%3E');</script>"
    assert _next(percent, "http://x.gov.cn/a/list_1.html") == "http://x.gov.cn/a/list_2.html"
    inline_variables = (
        '<script>var currentPage = 0; var countPage = 50;\nif (countPage > 1) document.write("<a href=\\"index_" '
        '+ (currentPage + 1) + ".html\\">下一页</a>");</script>'
    )
    assert _next(inline_variables, "http://x.gov.cn/dt/") == "http://x.gov.cn/dt/index_1.html"
    platform_last = "<script>createPageHTML('page-div', 12, 12, 'common_list', 'shtml', 176);</script>"
    assert _next(platform_last, "http://x.gov.cn/k/common_list_12.shtml") is None


def test_rows_dated_without_a_year() -> None:
    """NEA-style ``[09-15]`` cells date a row; a title's own numbers do not; the undated topic link goes."""
    rows = "".join(
        f'<li><a href="/{i}.htm">国家能源局关于第{i}批能源领域首台套技术装备的公告</a><span>[09-{i:02d}]</span></li>'
        for i in range(1, 4)
    )
    page = f'<ul><li><a href="/zt/">能源领域专题专栏入口链接 10-1</a></li>{rows}</ul>'
    entries = read_listing("http://www.nea.gov.cn/tzgg/", page).entries
    assert [(e.url, e.date_text) for e in entries] == [
        (f"http://www.nea.gov.cn/{i}.htm", f"[09-{i:02d}]") for i in range(1, 4)
    ]


def test_whole_entry_links_without_a_heading() -> None:
    """The title is the link's first title-long part when a part of the link is the date."""
    cards = "".join(
        f'<li><a href="./2024{m:02d}/t2024{m:02d}01_{m}.html"><em>[置顶]</em><span class="tit">关于第{m}批绿色工厂名单的公示</span>'
        f"<p>根据有关工作安排，现将第{m}批绿色工厂名单予以公示，公示期为五个工作日。</p><span>发布时间：2024-{m:02d}-01</span></a></li>"
        for m in range(1, 4)
    )
    plain = '<li><a href="./202404/t20240401_4.html">2024年4月1日起施行的工业节能监察办法</a><span>2024-04-01</span></li>'
    listing = read_listing("http://gxt.example.gov.cn/tzgg/", f"<ul>{cards}{plain}</ul>")
    assert [(e.title, e.date_text) for e in listing.entries] == [
        *[(f"关于第{m}批绿色工厂名单的公示", f"2024-{m:02d}-01") for m in range(1, 4)],
        ("2024年4月1日起施行的工业节能监察办法", "2024-04-01"),
    ]


def test_commented_out_pager_calls_and_api_pagers_give_no_next_page() -> None:
    stale = (
        "<script>//createPageHTML(50, 0, 'index', 'html');\n/* createPageHTML(50, 0, 'index', 'html'); */\n"
        "var currentPage = 4; var countPage = 5;\n"
        "document.write('<a href=\"index_' + (currentPage + 1) + '.html\">下一页</a>');</script>"
    )
    assert _next(stale, "http://x.gov.cn/dt/index_4.html") is None  # the live variables say: last page
    api = "<script>var pageCount = 20; var pageIndex = 1; $.get('/api/list', {page: pageIndex + 1});</script>"
    assert _next(api, "http://x.gov.cn/dt/") is None


def test_next_links_by_label_arrow_or_mark() -> None:
    assert (
        _next('<div><a href="index_2.html">下一页&gt;</a></div>')
        == "http://gxt.example.gov.cn/tzgg/index_2.html"
    )
    assert _next('<div><a href="index_2.html"> › </a></div>') == "http://gxt.example.gov.cn/tzgg/index_2.html"
    assert _next('<div><a class="page-next" href="index_2.html"><img src="n.png"></a></div>') == (
        "http://gxt.example.gov.cn/tzgg/index_2.html"
    )
    assert _next('<div><a href="index_9.html">»</a></div>') is None  # the last page on some sites
