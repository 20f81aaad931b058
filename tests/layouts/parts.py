"""Markup pieces every layout reuses: the parts of a 公文 rendered from one seed notice.

A layout is a page shell around these parts, some of them swapped for the variant the layout
imitates (a ``<br>``-only body, a one-line signature, a Chinese-numeral date …). The parts only
ever print what the seed holds, so the seed is the ground truth of every rendered page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape
from urllib.parse import urljoin

from simulator.seednotice import SeedNotice

Para = Callable[[str], str]
"""Text → the markup of one paragraph (escaping is the renderer's job)."""

FALLBACK_POSTED = dt.date(2019, 11, 15)
_CN_DIGITS = "〇一二三四五六七八九"


def esc(text: str | None) -> str:
    """HTML-escaped text (quotes too: titles go into attributes)."""
    return escape(text or "", quote=True)


def plain(text: str) -> str:
    """A bare ``<p>``: what most CMS editors emit."""
    return f"<p>{esc(text)}</p>"


def indented(text: str) -> str:
    """A paragraph indented with two ideographic spaces typed by the editor (old TRS pages)."""
    return f"<p>　　{esc(text)}</p>"


def right(text: str) -> str:
    """A right-aligned line: how signature blocks are typeset."""
    return f'<p style="text-align: right;">{esc(text)}</p>'


def posted(seed: SeedNotice) -> dt.date:
    """The day the page says it was posted: a few days after the 成文日期, before any deadline."""
    if seed.date:
        return dt.date.fromisoformat(seed.date) + dt.timedelta(days=3)
    if seed.deadlines:
        return dt.date.fromisoformat(min(seed.deadlines)) - dt.timedelta(days=20)
    return FALLBACK_POSTED


def arabic_date(iso: str) -> str:
    """``2019年9月2日`` as most signature dates are printed."""
    day = dt.date.fromisoformat(iso)
    return f"{day.year}年{day.month}月{day.day}日"


def _cn_number(value: int) -> str:
    """Chinese numeral for a month or day (十, 十一, 二十, 三十一)."""
    if value < 10:
        return _CN_DIGITS[value]
    tens, units = divmod(value, 10)
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[units] if units else "")


def numeral_date(iso: str) -> str:
    """``二〇一九年九月二日``: the signature date of formal 公文 (GB/T 9704 before 2012)."""
    day = dt.date.fromisoformat(iso)
    year = "".join(_CN_DIGITS[int(c)] for c in str(day.year))
    return f"{year}年{_cn_number(day.month)}月{_cn_number(day.day)}日"


def file_name(seed: SeedNotice, index: int) -> str:
    """A file name in the TRS style (``P0`` + posting day + serial) with a plausible extension."""
    name = seed.attachments[index]
    ext = name.rsplit(".", 1)[1] if name.endswith((".doc", ".docx", ".xls", ".pdf")) else None
    ext = ext or ("xls" if "表" in name else "pdf")
    return f"P0{posted(seed):%Y%m%d}{386412 + index * 7919:06d}.{ext}"


@dataclass
class Links:
    """Where a layout links each attachment: the href it writes and the absolute URL it means."""

    page_url: str
    hrefs: dict[int, str] = field(default_factory=dict)

    def add(self, index: int, href: str) -> str:
        """Record the href of attachment ``index``; returns it for the markup."""
        self.hrefs[index] = href
        return href

    def absolute(self, index: int) -> str | None:
        """The URL a browser would open for attachment ``index`` (None when not linked)."""
        href = self.hrefs.get(index)
        return urljoin(self.page_url, href.replace("&amp;", "&")) if href else None


def doc_number_line(seed: SeedNotice) -> list[str]:
    """The 文号 alone on a centred line above the addressee."""
    return [f'<p style="text-align: center;">{esc(seed.doc_number)}</p>'] if seed.doc_number else []


def addressee_line(seed: SeedNotice, para: Para = plain) -> list[str]:
    """The 主送 line with its colon."""
    return [para(seed.addressee + "：")] if seed.addressee else []


def paragraphs(seed: SeedNotice, para: Para = plain) -> list[str]:
    """The 正文 paragraphs."""
    return [para(text) for text in seed.paragraphs]


def attachment_texts(seed: SeedNotice) -> list[str]:
    """The 附件 list lines as printed: ``附件：1.名称`` then the numbered names, indented."""
    many = len(seed.attachments) > 1
    return [
        ("附件：" if i == 0 else "　　　") + (f"{i + 1}." if many else "") + name
        for i, name in enumerate(seed.attachments)
    ]


def attachment_lines(
    seed: SeedNotice,
    para: Para = plain,
    links: Links | None = None,
    href: Callable[[int], str] | None = None,
) -> list[str]:
    """The 附件 list as paragraphs; with ``links``, each name links to its file (``href(i)``,
    by default a TRS ``./P0….pdf`` beside the page)."""
    if links is None:
        return [para(text) for text in attachment_texts(seed)]
    out = []
    for i, text in enumerate(attachment_texts(seed)):
        name = seed.attachments[i]
        prefix = text[: len(text) - len(name)]
        target = links.add(i, href(i) if href else f"./{file_name(seed, i)}")
        out.append(f'<p>{esc(prefix)}<a href="{esc(target)}" target="_blank">{esc(name)}</a></p>')
    return out


def signature(
    seed: SeedNotice, *, one_line: bool = False, numerals: bool = False, seal: bool = False
) -> list[str]:
    """The 落款: signing bodies (one per line, or on one line) and the date, right-aligned."""
    names = list(seed.signers)
    if one_line and len(names) > 1:
        names = ["　".join(names)]
    lines = [right(name) for name in names]
    if seal:
        lines.append('<p style="text-align: right;"><img src="seal.png" alt="">（盖章）</p>')
    if seed.date:
        lines.append(right(numeral_date(seed.date) if numerals else arabic_date(seed.date)))
    return lines


def table(rows: Sequence[Sequence[str]]) -> str:
    """An annex table, each cell wrapped the way Word exports do (``<td><p><span>``)."""
    body = "".join(
        "<tr>" + "".join(f"<td><p><span>{esc(cell)}</span></p></td>" for cell in row) + "</tr>"
        for row in rows
    )
    return f'<table border="1" cellspacing="0">{body}</table>'


def annex(seed: SeedNotice, para: Para = plain) -> list[str]:
    """Content after the signature: paragraphs, and runs of tab-separated lines as tables."""
    out: list[str] = []
    rows: list[list[str]] = []
    for line in (*seed.annex, ""):
        if "\t" in line:
            rows.append([cell.strip() for cell in line.split("\t")])
            continue
        if rows:
            out.append(table(rows))
            rows = []
        if line:
            out.append(para(line))
    return out


def standard_body(seed: SeedNotice, para: Para = plain, links: Links | None = None) -> str:
    """The whole 公文 in reading order, as most templates print it."""
    parts = [
        *doc_number_line(seed),
        *addressee_line(seed, para),
        *paragraphs(seed, para),
        *attachment_lines(seed, para, links),
        *signature(seed),
        *annex(seed, para),
    ]
    return "\n".join(parts)


def catalog_rows(seed: SeedNotice, issuer: str, index: str, *, label: Callable[[str], str]) -> str:
    """The four rows of a 公开目录 table; ``label`` renders a label cell (``<th>``, ``<td><b>`` …)."""
    made = arabic_date(seed.date) if seed.date else ""
    day = posted(seed)
    cells = [
        [("索  引  号：", index), ("主题分类：", "工业、交通")],
        [("发文机关：", issuer), ("成文日期：", made)],
        [("标\u3000\u3000题：", seed.title)],
        [
            ("发文字号：", seed.doc_number or ""),
            ("发布日期：", f"{day.year}年{day.month:02d}月{day.day:02d}日"),
        ],
    ]
    rows = []
    for row in cells:
        span = ' colspan="3"' if len(row) == 1 else ""
        rows.append(
            "<tr>" + "".join(f"{label(name)}<td{span}>{esc(value)}</td>" for name, value in row) + "</tr>"
        )
    return "\n".join(rows)


def issuer_name(seed: SeedNotice, default: str) -> str:
    """发文机关 as a 公开目录 prints it: the signers separated by spaces, else the site's agency."""
    return " ".join(seed.signers) or default
