"""The body of a notice page as an ordered list of typed blocks.

Every family lays out the same 公文 parts (文号, 主送, 正文, 附件 list, 落款, 成文日期,
annex) in its own markup; computing the parts once keeps the families to pure markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from simulator.catalog import Page

DOC_NUMBER = "docno"
ADDRESSEE = "addressee"
PARA = "para"
ATTACH_LIST = "attach-list"
SIGNER = "signer"
DATE = "date"
ANNEX = "annex"
ANNEX_TABLE = "annex-table"


@dataclass(frozen=True)
class Block:
    """One paragraph-like unit of the body.

    ``prefix`` is printed before ``text`` (附件： and numbering for attachment lines, whose
    ``text`` is the attachment name so families can turn it into a link); ``att`` is the
    attachment's index; ``rows`` holds the cells of an annex table.
    """

    role: str
    text: str = ""
    prefix: str = ""
    att: int | None = None
    rows: tuple[tuple[str, ...], ...] = ()


def cn_date(day: date) -> str:
    """``2019年11月10日`` as printed under a signature."""
    return f"{day.year}年{day.month}月{day.day}日"


_NUMBERED = re.compile(r"^\s*\d+\s*[.、．]")


def _attachment_blocks(names: tuple[str, ...]) -> list[Block]:
    if len(names) == 1:
        return [Block(ATTACH_LIST, names[0], prefix="附件：", att=0)]
    blocks = []
    for i, name in enumerate(names):
        number = "" if _NUMBERED.match(name) else f"{i + 1}."
        blocks.append(Block(ATTACH_LIST, name, prefix=("附件：" if i == 0 else "　　　") + number, att=i))
    return blocks


def _annex_blocks(annex: tuple[str, ...]) -> list[Block]:
    """Annex paragraphs; runs of tab-separated lines become one table."""
    blocks: list[Block] = []
    rows: list[tuple[str, ...]] = []
    for line in (*annex, ""):
        if "\t" in line:
            rows.append(tuple(cell.strip() for cell in line.split("\t")))
            continue
        if rows:
            blocks.append(Block(ANNEX_TABLE, rows=tuple(rows)))
            rows = []
        if line:
            blocks.append(Block(ANNEX, line))
    return blocks


def body_blocks(page: Page) -> list[Block]:
    """The blocks of the page body in reading order."""
    seed = page.seed
    if seed is None:
        return [Block(PARA, p) for p in page.news_paragraphs]
    blocks: list[Block] = []
    if seed.doc_number:
        blocks.append(Block(DOC_NUMBER, seed.doc_number))
    if seed.addressee:
        blocks.append(Block(ADDRESSEE, f"{seed.addressee}："))
    blocks += [Block(PARA, p) for p in seed.paragraphs]
    blocks += _attachment_blocks(seed.attachments)
    blocks += [Block(SIGNER, s) for s in seed.signers]
    if seed.date:
        blocks.append(Block(DATE, cn_date(date.fromisoformat(seed.date))))
    blocks += _annex_blocks(seed.annex)
    return blocks


def description(page: Page, limit: int = 80) -> str:
    """The ``Description`` meta: the opening of the body."""
    text = "".join(page.paragraphs[:2])
    return text[:limit]


_KEYWORDS = (
    "绿色制造",
    "大数据",
    "人工智能",
    "知识产权",
    "两化融合",
    "服务型制造",
    "先进制造业",
    "现代服务业",
    "高新技术企业",
    "创新券",
    "节能",
    "增值税",
    "排污许可",
    "申报",
    "公示",
    "征求意见",
)


def keywords(page: Page) -> str:
    """The ``Keywords`` meta, ``;``-separated like the TRS ministries emit it."""
    found = [k for k in _KEYWORDS if k in page.title]
    return ";".join(found or [page.site.column])
