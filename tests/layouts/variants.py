"""One provincial 工信厅 page (TRS t-date URL, ``.TRS_Editor`` body, guideline metas, a sidebar
of links) with one real-site trait changed per layout.

The shell is deliberately ordinary; each layout swaps a single part of it for the variant seen on
real sites, so a miss points at that trait. Trait sources are cited as in gov-sites.md: §n is a
section of the reference, (G) marks a trait seen on sites but not written up there.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, replace
from typing import Any

from simulator.seednotice import SeedNotice
from tests.layouts import Page, layout
from tests.layouts.parts import (
    Links,
    Para,
    addressee_line,
    annex,
    arabic_date,
    attachment_lines,
    attachment_texts,
    catalog_rows,
    doc_number_line,
    esc,
    file_name,
    indented,
    paragraphs,
    plain,
    posted,
    signature,
    standard_body,
)

AGENCY = "某某省工业和信息化厅"
HOST = "http://gxt.example.gov.cn"


def page_url(seed: SeedNotice) -> str:
    """A TRS t-date URL (§2 TRS) dated on the posting day."""
    day = posted(seed)
    serial = 1000000 + zlib.crc32(seed.title.encode()) % 9000000
    return f"{HOST}/zwgk/tzgg/{day:%Y%m}/t{day:%Y%m%d}_{serial}.html"


@dataclass(frozen=True)
class Shell:
    """The parts of the provincial page a layout may change."""

    content: str
    title_tag: str
    html_title: str
    metas: str
    body_class: str = "TRS_Editor"
    charset: str = "utf-8"
    """What the page's meta declares."""
    encoding: str = "utf-8"
    """What the bytes are."""
    content_type: str | None = "text/html"
    after_body: str = ""


def metas_for(seed: SeedNotice) -> str:
    """The 政府网站发展指引 metas (§2 Guideline metas)."""
    return (
        f'<meta name="SiteName" content="{AGENCY}"><meta name="ColumnName" content="通知公告">'
        f'<meta name="ArticleTitle" content="{esc(seed.title)}">'
        f'<meta name="PubDate" content="{posted(seed)} 09:00"><meta name="ContentSource" content="{AGENCY}">'
    )


def shell(seed: SeedNotice, **changes: Any) -> Shell:
    """The ordinary page of a seed, with the given fields changed."""
    ordinary = Shell(
        content="",
        title_tag=f"<h1>{esc(seed.title)}</h1>",
        html_title=f"{esc(seed.title)}_{AGENCY}",
        metas=metas_for(seed),
    )
    return replace(ordinary, **changes)


def _sidebar() -> str:
    """The 最新文件 box of a provincial site: a dozen links to other notices, with dates."""
    items = "".join(
        f'<li><a href="/zwgk/tzgg/201911/t201911{i + 1:02d}_{4000 + i}.html">关于印发某某省某某行业高质量发展三年'
        f"行动计划（2019-2021年）的通知{i}</a><span>2019-11-{i + 1:02d}</span></li>"
        for i in range(12)
    )
    return f'<div class="rightside"><h3>最新文件</h3><ul>{items}</ul></div>'


def render_shell(seed: SeedNotice, page: Shell, links: Links) -> Page:
    """The whole page as bytes in the shell's encoding."""
    day = posted(seed)
    body_attr = f' class="{page.body_class}"' if page.body_class else ""
    html = f"""<!DOCTYPE html><html><head>
<meta http-equiv="Content-Type" content="text/html; charset={page.charset}">
<title>{page.html_title}</title>{page.metas}</head><body>
<div class="top"><a href="/">首页</a> <a href="/zwgk/">政务公开</a> <a href="/bsfw/">办事服务</a></div>
<div class="wrap"><div class="leftside">
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/tzgg/">通知公告</a></div>
{page.title_tag}
<div class="info">发布时间：{day}　来源：{AGENCY}　浏览次数：1234　【字体：大 中 小】</div>
<div{body_attr}>
{page.content}
</div>{page.after_body}
<div class="bdshare">分享到：<a href="#">微信</a> <a href="#">微博</a></div>
</div>{_sidebar()}</div>
<div class="foot">主办单位：{AGENCY} 版权所有 网站标识码：4300000026 ICP备05001234号</div>
</body></html>"""
    return Page(html.encode(page.encoding), links.page_url, page.content_type, links)


def _render(seed: SeedNotice, parts: list[str], links: Links | None = None, **changes: Any) -> Page:
    """The shell around the given body parts, other shell fields changed as asked."""
    links = links or Links(page_url(seed))
    return render_shell(seed, shell(seed, content="\n".join(parts), **changes), links)


def _simple(seed: SeedNotice, para: Para = plain, **changes: Any) -> Page:
    """The standard body in the shell, paragraphs rendered by ``para``."""
    return _render(seed, [standard_body(seed, para)], **changes)


@layout("spans")
def spans(seed: SeedNotice) -> Page:
    """Word paste into a TRS editor (G): every few characters in a styled ``<span>``, and the title
    repeated in the body, wrapped over a ``<br>`` inside ``<font>``."""

    def para(text: str) -> str:
        runs = "".join(
            f'<span style="font-family:仿宋">{esc(text[i : i + 7])}</span>' for i in range(0, len(text), 7)
        )
        return f"<p>{runs}</p>"

    half = len(seed.title) // 2
    heading = (
        f'<p align="center"><font size="5">{esc(seed.title[:half])}<br>{esc(seed.title[half:])}</font></p>'
    )
    return _render(seed, [heading, standard_body(seed, para)])


@layout("divs")
def divs(seed: SeedNotice) -> Page:
    """Paragraphs as ``<div style="text-indent:2em">`` instead of ``<p>`` (G: Hanweb/jpaas editors)."""
    return _simple(seed, lambda text: f'<div style="text-indent:2em">{esc(text)}</div>')


@layout("xxgk")
def xxgk(seed: SeedNotice) -> Page:
    """A 公开目录 table inside the body container, labels in ``<th>`` padded with U+3000 and no
    colon (§2 公开目录 table); the 文号 only in the table, not above the addressee."""
    rows = catalog_rows(
        seed, AGENCY, "000014349/2019-00123", label=lambda name: f"<th>{esc(name.rstrip('：'))}</th>"
    )
    catalog = f'<table class="table_xxgk">{rows}</table>'
    parts = [
        catalog,
        *addressee_line(seed),
        *paragraphs(seed),
        *attachment_lines(seed),
        *signature(seed),
        *annex(seed),
    ]
    return _render(seed, parts)


@layout("ullist")
def ullist(seed: SeedNotice) -> Page:
    """The 附件 list as a bare ``附件：`` line followed by a ``<ul>`` of names (G: UEditor lists)."""
    files = ""
    if seed.attachments:
        files = "<p>附件：</p><ul>" + "".join(f"<li>{esc(name)}</li>" for name in seed.attachments) + "</ul>"
    parts = [
        *doc_number_line(seed),
        *addressee_line(seed),
        *paragraphs(seed),
        files,
        *signature(seed),
        *annex(seed),
    ]
    return _render(seed, parts)


@layout("attafter")
def attafter(seed: SeedNotice) -> Page:
    """The 附件 list printed after the signature date instead of before it (G: common on
    provincial TRS sites whose editors append the file list last)."""
    parts = [
        *doc_number_line(seed),
        *addressee_line(seed),
        *paragraphs(seed),
        *signature(seed),
        *attachment_lines(seed),
        *annex(seed),
    ]
    return _render(seed, parts)


@layout("seal")
def seal(seed: SeedNotice) -> Page:
    """A seal image and （盖章） between the signers and the date (G: scanned-seal notices)."""
    parts = [
        *doc_number_line(seed),
        *addressee_line(seed),
        *paragraphs(seed),
        *attachment_lines(seed),
        *signature(seed, seal=True),
        *annex(seed),
    ]
    return _render(seed, parts)


@layout("ndrctitle")
def ndrctitle(seed: SeedNotice) -> Page:
    """The heading (and ArticleTitle) ends with the 文号 in parentheses, which is not repeated in
    the body (§1B ndrc: title may end ``(发改…〔YYYY〕N号)``)."""
    shown = f"{seed.title}({seed.doc_number})" if seed.doc_number else seed.title
    parts = [
        *addressee_line(seed),
        *paragraphs(seed),
        *attachment_lines(seed),
        *signature(seed),
        *annex(seed),
    ]
    metas = metas_for(seed).replace(f'content="{esc(seed.title)}"', f'content="{esc(shown)}"')
    return _render(seed, parts, title_tag=f"<h1>{esc(shown)}</h1>", metas=metas)


@layout("word")
def word(seed: SeedNotice) -> Page:
    """Word "save as HTML" markup (``MsoNormal``, ``<o:p>``, 仿宋 spans), the title as a 22pt line,
    a Chinese-numeral date (§4 Dates), no body class, and a header claiming GBK for UTF-8 bytes."""

    def para(text: str) -> str:
        return (
            "<p class=MsoNormal style='text-indent:32.0pt;line-height:28.0pt'>"
            f"<span style='font-size:16.0pt;font-family:仿宋_GB2312'>{esc(text)}<o:p></o:p></span></p>"
        )

    parts = [
        f'<p align=center><b><span style="font-size:22pt">{esc(seed.title)}</span></b></p>',
        "<p>&nbsp;</p>",
        *doc_number_line(seed),
        *addressee_line(seed, para),
        *paragraphs(seed, para),
        *attachment_lines(seed, para),
        *signature(seed, numerals=True),
        *annex(seed, para),
    ]
    return _render(seed, parts, body_class="", content_type="text/html; charset=gbk")


@layout("br")
def br(seed: SeedNotice) -> Page:
    """A ``<br>``-only body in one ``<div>`` with a right-aligned ``<div>`` for the signature
    (G: old Hanweb and legacy editors); no body class."""
    lines = [
        *([seed.doc_number] if seed.doc_number else []),
        *([seed.addressee + "："] if seed.addressee else []),
        *seed.paragraphs,
        *attachment_texts(seed),
    ]
    text = "<br>\n".join("　　" + esc(line) for line in lines)
    sig = [*seed.signers, *([arabic_date(seed.date)] if seed.date else [])]
    tail = "".join(esc(line) + "<br>" for line in seed.annex if "\t" not in line)
    tables = "".join(part for part in annex(seed) if part.startswith("<table"))
    content = (
        f'<div>{text}<br><div align="right">{"<br>".join(esc(s) for s in sig)}</div>{tail}{tables}</div>'
    )
    return _render(seed, [content], body_class="")


@layout("titlein")
def titlein(seed: SeedNotice) -> Page:
    """No heading element: the title only as a bold centred first line of the body, the
    addressee in ``<strong>``, and ``<title>`` holding just the site name (G: legacy templates)."""
    parts = [
        f'<p align=center><b><span style="font-size:22pt">{esc(seed.title)}</span></b></p>',
        "<p>&nbsp;</p>",
        *doc_number_line(seed),
        *([f"<p><strong>{esc(seed.addressee)}：</strong></p>"] if seed.addressee else []),
        *paragraphs(seed),
        *attachment_lines(seed),
        *signature(seed),
        *annex(seed),
    ]
    return _render(seed, parts, title_tag="", html_title=AGENCY)


@layout("oneline")
def oneline(seed: SeedNotice) -> Page:
    """Joint signers typed on one line separated by U+3000, dated in Chinese numerals (§4)."""
    parts = [
        *doc_number_line(seed),
        *addressee_line(seed),
        *paragraphs(seed),
        *attachment_lines(seed),
        *signature(seed, one_line=True, numerals=True),
        *annex(seed),
    ]
    return _render(seed, parts)


@layout("bottomlinks")
def bottomlinks(seed: SeedNotice) -> Page:
    """Attachments only as file links in a ``div.xgfj`` under the body, named with their extension
    and not listed in the text (§1B ndrc ``div.attachment``; §2 TRS ``./P0….pdf`` files)."""
    links = Links(page_url(seed))
    files = ""
    for i, name in enumerate(seed.attachments):
        stored = file_name(seed, i)
        ext = stored[stored.rindex(".") :]
        shown = name if name.endswith(ext) else name + ext
        files += f'<p><a href="{links.add(i, "./" + stored)}">{esc(shown)}</a></p>'
    parts = [*doc_number_line(seed), *addressee_line(seed), *paragraphs(seed), *signature(seed), *annex(seed)]
    after = f'<div class="xgfj">相关附件：{files}</div>' if files else ""
    return _render(seed, parts, links, after_body=after)


@layout("nohint")
def nohint(seed: SeedNotice) -> Page:
    """The body container has no class or id a CMS family uses (G: bespoke provincial templates)."""
    return _simple(seed, body_class="")


@layout("gbk")
def gbk(seed: SeedNotice) -> Page:
    """GBK bytes with a meta saying GBK and an HTTP header claiming UTF-8 (§1B Enc.; legacy hosts)."""
    return _simple(seed, indented, charset="gbk", encoding="gb18030", content_type="text/html; charset=utf-8")


@layout("nometa")
def nometa(seed: SeedNotice) -> Page:
    """No guideline metas, no heading tag (title in ``div.bt``), ``<title>`` = site name, GBK
    bytes with no charset in the header, no body class (§2: metas blank on some pages)."""
    return _simple(
        seed,
        metas="",
        title_tag=f'<div class="bt">{esc(seed.title)}</div>',
        html_title=AGENCY,
        body_class="",
        charset="gbk",
        encoding="gb18030",
    )


@layout("liedmeta")
def liedmeta(seed: SeedNotice) -> Page:
    """An ArticleTitle meta naming another notice and a blank PubDate (§2: metas "blank or
    contradict some"; stale templates copy the previous page's metas)."""
    metas = (
        '<meta name="ArticleTitle" content="关于做好2019年度政府信息公开工作年度报告的通知">'
        '<meta name="PubDate" content="">'
    )
    return _simple(seed, metas=metas)
