"""The shape of an official document, read from its blocks.

A 公文 runs: title (often repeated in the body), an optional issuer letterhead, the 文号 line, the
主送 addressee line ending in ``：``, the body (numbered sections, ``附件：`` list, ``特此通知``), the
signature block (signing bodies one per line, right-aligned, then the date) and sometimes annex
content (tables, forms, contacts). These heuristics split a block list along that shape without
knowing the site.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.attachments import has_extension
from pipeline.content import Block, is_chrome_line
from pipeline.dates import date_line, find_dates
from pipeline.docnumber import line_doc_number
from pipeline.lexicon import (
    ADDRESSEE_ENDINGS,
    ORDER_HEADER_SUFFIX,
    ORG_CONTINUATIONS,
    ORG_ENDINGS,
    RELATED_LABELS,
    SIGNING_POSTS,
    STATE_PREFIX,
    STRONG_ORG_ENDINGS,
    UNSPLIT_ORGS,
)
from pipeline.metadata import CATALOG_LABELS, META_LINE_RE

_WS_RE = re.compile(r"[\s\u3000\xa0]+")
_HEADER_WINDOW = 14
_ADDRESSEE_WINDOW = 6
_SIGNER_LOOKBACK = 24

_STRONG_RIGHT_END = tuple(end for end in STRONG_ORG_ENDINGS if end != "中心")
"""A right part ending in 中心 is an office of the left body (…部信息中心), not a second body."""
_NUMBERED_RE = re.compile(r"^[（(]?[0-9０-９一二三四五六七八九十]+[)）.．、]")
_ANNEX_HEADING_RE = re.compile(r"^附[\s\u3000]*[件表][\s\u3000]*[0-9０-９一二三四五六七八九十]*[\s\u3000]*$")
_SEAL_RE = re.compile(r"[（(][^）)]{0,6}(?:盖章|公章|印章|章)[)）]")
_NOT_SIGNER_START = (
    "附件", "附表", "特此", "联系", "电话", "地址", "邮箱", "网址", "抄送", "注", "备注", "传真",
)  # fmt: skip
_SENTENCE_PUNCT = set("，。；！？：:,;!?")
_SUFFIX_OPENERS = tuple("（(〔[［【")
_CAPTION_RE = re.compile(
    r"^[（(][^（()）]{0,80}(?:19|20)\d{2}\s*年[^（()）]{0,80}(?:通过|发布|公布|批准|修订|修正|施行)[)）]$"
)
"""A 题注 under the title of a law or resolution (（2007年6月29日第十届…第二十八次会议通过）)."""
_SUFFIX_OPENERS = tuple("（(〔[［【")
_LINK_LINE_SLACK = 2
"""Characters beside the links a link line may hold (brackets, a bullet)."""
_SIGNER_SPLIT_RE = re.compile(r"[\s\u3000\xa0、]+")


@dataclass
class NoticeShape:
    """Where each part of the notice lies in the block list."""

    header_doc_number: str | None = None
    """文号 from a line that consists of the 文号 alone, above the body."""
    header_date: str | None = None
    """A date-only line above the body (some templates print the 成文日期 there)."""
    addressee: str | None = None
    body: list[Block] = field(default_factory=list)
    signers: list[str] = field(default_factory=list)
    date: str | None = None
    """The date under the signature, ISO."""
    annex: list[Block] = field(default_factory=list)
    letterhead: str | None = None
    """The body a letterhead above the title names (国务院 of 中华人民共和国国务院令)."""

    @property
    def signed_in_person(self) -> bool:
        """True when the signature is a post and a person (总理　李克强), not issuing bodies: a 令
        is signed so, and the issuing body must come from elsewhere."""
        return (
            bool(self.signers)
            and self.signers[0].endswith(SIGNING_POSTS)
            and all(len(name) in PERSON_NAME_LENGTHS for name in self.signers[1:])
        )


PERSON_NAME_LENGTHS = range(2, 5)
"""A Chinese person's name in a signature (李克强, 欧阳明高): two to four characters."""
TITLE_PIECE_MIN = 6
"""A line this long found inside the title is a wrapped piece of it; shorter ones (通知) are not."""
TITLE_SUFFIX_MAX = 24
"""The longest 文号 or bracketed note a heading appends to the title (（发改能源规〔2019〕916号）)."""
ORG_NAME_MAX = 40
"""The longest organisation name (国家市场监督管理总局办公厅 …) with room to spare."""
ADDRESSEE_LINE_MAX = 300
"""A 主送 line lists many units (各省、自治区、直辖市…) but is never a paragraph of this length."""
PROSE_MIN = 60
"""A punctuated line this long is a body paragraph."""
SIGNER_LINE_MAX = 200
"""Several signing bodies on one line stay under this; a longer line is text."""
SIGNER_DIGITS_MAX = 2
"""Signature lines carry no numbers; three digits or more mean a date, phone or 文号 line."""
RIGHT_ALIGNED_SIGNER_MAX = 30
"""A short right-aligned line at the end is a signature even without an organisation ending."""
SIGNER_DATE_LINE_MAX = 80
"""Signers and their date on one line: longer lines are sentences that mention a date."""
NUMBERED_CLOSING_MAX = 60
"""A short numbered line (3. 联系人：…) can close a notice just above its signature."""
ANNEX_GAP_BLOCKS = 8
"""More lines than this between an 附件 heading and the signature: the heading starts the annex text."""
ANNEX_PROSE_MIN = 80
"""So does one line this long between them: a list of 附件 names is shorter."""
GLUED_NAME_MIN = 5
"""Two bodies glued together are at least this long (科技部财政部)."""
SHORT_RIGHT_BODY = 4
"""A right part shorter than this is an office of the left body unless it ends like a body (部, 局 …)."""


def compact(text: str) -> str:
    """Text with all whitespace removed, for comparisons that typesetting spaces must not break."""
    return _WS_RE.sub("", text)


def _is_title_line(text: str, title: str) -> bool:
    """True when a line repeats the title (whole, a wrapped piece of it, or the title plus 文号)."""
    line, full = compact(text), compact(title)
    if not line or not full or has_extension(line):
        return False  # a file named like the title is the notice's document, not a heading
    if line == full:
        return True
    if len(line) >= TITLE_PIECE_MIN and line in full:
        return True
    rest = line[len(full) :]
    # The title with its 文号 appended (…的通知（发改能源规〔2019〕916号）); not a longer display
    # headline that merely starts with it (…座谈会强调).
    return line.startswith(full) and len(rest) <= TITLE_SUFFIX_MAX and rest[:1] in _SUFFIX_OPENERS


def is_org_name(text: str) -> bool:
    """True for a short line naming an organisation (ends like 部/委/局/厅/中心/政府 …)."""
    text = _SEAL_RE.sub("", text).strip()
    return 2 <= len(text) <= ORG_NAME_MAX and text.endswith(ORG_ENDINGS)


def is_catalog_row(text: str) -> bool:
    """True for a 公开目录 row: its first cell is a catalog label (发文机关, 标　　题 …), with or
    without the colon (``<th>发文字号</th><td>…</td>`` tables print none)."""
    first = compact(text.split("\t", 1)[0]).rstrip("：:")
    return first in CATALOG_LABELS


def _header_line(block: Block, title: str, shape: NoticeShape) -> bool:
    """True for lines above the body: title repeats, 文号, dates, meta lines, 公开目录 rows, chrome."""
    text = block.text
    if block.kind == "tr":
        return bool(META_LINE_RE.match(text)) or "索引号" in compact(text) or is_catalog_row(text)
    if _is_title_line(text, title) or _CAPTION_RE.match(text):
        return True
    number = line_doc_number(text)
    if number:
        shape.header_doc_number = shape.header_doc_number or number
        return True
    day = date_line(text)
    if day:
        shape.header_date = shape.header_date or day
        return True
    return bool(META_LINE_RE.match(text)) or is_chrome_line(text)


def _skip_header(blocks: list[Block], title: str, shape: NoticeShape) -> int:
    """Index of the first block after the header lines."""
    i = 0
    limit = min(len(blocks), _HEADER_WINDOW)
    while i < limit:
        block = blocks[i]
        if _header_line(block, title, shape):
            i += 1
            continue
        # An issuer letterhead (宁波市经济和信息化局 / …文件 / …令) directly above the 文号 or title line.
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        head = compact(block.text)
        letterhead = is_org_name(block.text) or head.endswith(("文件", ORDER_HEADER_SUFFIX))
        if letterhead and nxt is not None and (line_doc_number(nxt.text) or _is_title_line(nxt.text, title)):
            shape.letterhead = shape.letterhead or letterhead_body(head)
            i += 1
            continue
        break
    return i


def letterhead_body(text: str) -> str:
    """The issuing body a letterhead names: ``…文件`` / ``…令`` and the state's name dropped
    (中华人民共和国国务院令 → 国务院, 湖南省人民政府文件 → 湖南省人民政府)."""
    for suffix in ("文件", ORDER_HEADER_SUFFIX):
        if text.endswith(suffix) and len(text) > len(suffix) + 1:
            text = text[: -len(suffix)]
            break
    return text.removeprefix(STATE_PREFIX) or text


def is_addressee(text: str) -> bool:
    """True for a 主送 line: 各省、自治区…有关部门： — addressed units ending with a colon."""
    text = text.strip()
    if not text.endswith(("：", ":")) or not 3 <= len(text) <= ADDRESSEE_LINE_MAX:
        return False
    core = text[:-1].strip()
    if any(
        word in core
        for word in ("。", "如下", "通知", "附件", "联系", "电话", "时间", "地址", "邮箱", "网址")
    ):
        return False
    if any(word in core for word in ("根据", "！", "？", "以下", "条件", "要求", "内容")):
        return False
    if _NUMBERED_RE.match(core) or line_doc_number(core):
        return False
    if core.startswith(("各", "有关", "全国", "中央", "国务院")):
        return True
    last = re.split(r"[，、,；;]", core)[-1].strip()
    return last.endswith(ADDRESSEE_ENDINGS) and len(last) >= 2


def _is_prose(block: Block) -> bool:
    """A real body paragraph (long, sentence punctuation), which ends the search for an addressee."""
    return len(block.text) >= PROSE_MIN and any(ch in block.text for ch in "，。；")


def _find_addressee(blocks: list[Block], start: int, shape: NoticeShape) -> int:
    """Index of the first body block: after the addressee line when one is found near the top."""
    for i in range(start, min(len(blocks), start + _ADDRESSEE_WINDOW)):
        block = blocks[i]
        if block.kind != "tr" and is_addressee(block.text):
            shape.addressee = block.text.strip()[:-1].strip()
            return i + 1
        if _is_prose(block) or block.kind == "tr":
            break
    return start


def split_glued(name: str) -> list[str]:
    """Split two signing bodies typeset without a space (自治区工业和信息化厅自治区生态环境厅).

    A split needs an organisation ending on both sides and a right part that does not continue the
    left one (办公厅, 委员会, 直属…), so 工业和信息化部办公厅 and 人力资源社会保障部 stay whole.
    """
    if len(name) < GLUED_NAME_MIN:
        return [name]
    for i in range(3, len(name) - 2):
        left, right = name[:i], name[i:]
        if not left.endswith(STRONG_ORG_ENDINGS) or left in UNSPLIT_ORGS:
            continue
        if right.startswith(ORG_CONTINUATIONS) or not right.endswith(_STRONG_RIGHT_END):
            continue
        if len(right) < SHORT_RIGHT_BODY and not right.endswith(("部", "局", "委", "厅")):
            continue  # 中央宣传部文改办: a short tail is an office of the left body
        return [left, *split_glued(right)]
    return [name]


def split_signers(text: str) -> list[str]:
    """The signing bodies on one signature line (space-, 、- or un-separated), seal marks removed."""
    text = _SEAL_RE.sub("", text)
    parts = _join_letter_spaced([part.strip() for part in _SIGNER_SPLIT_RE.split(text) if part.strip()])
    if len(parts) == 1:
        # Glued bodies are only looked for when the typist left no separator at all.
        return split_glued(parts[0])
    return parts


def _join_letter_spaced(parts: list[str]) -> list[str]:
    """Runs of one-character parts are letter-spaced names (国 家 能 源 局 → 国家能源局): no body's
    name is one character. A run holding several bodies (科 技 部 财 政 部) is cut by :func:`split_glued`."""
    out: list[str] = []
    run = ""
    for part in [*parts, ""]:
        if len(part) == 1:
            run += part
            continue
        if run:
            out.extend(split_glued(run))
            run = ""
        if part:
            out.append(part)
    return out


def is_signer_line(block: Block) -> bool:
    """True for a signature line: a short organisation name (or names), no sentence punctuation."""
    text = _SEAL_RE.sub("", block.text).strip()
    if block.kind == "tr" or not 2 <= len(text) <= SIGNER_LINE_MAX:
        return False
    if any(ch in _SENTENCE_PUNCT for ch in text) or sum(ch.isdigit() for ch in text) > SIGNER_DIGITS_MAX:
        return False
    if text.startswith(_NOT_SIGNER_START) or _NUMBERED_RE.match(text) or line_doc_number(text):
        return False
    parts = split_signers(text)
    if parts and all(part.endswith(ORG_ENDINGS) and len(part) <= ORG_NAME_MAX for part in parts):
        return True
    return block.align == "right" and len(text) <= RIGHT_ALIGNED_SIGNER_MAX


def _signer_date_line(text: str) -> tuple[str, str] | None:
    """(signers, ISO date) for a line holding both: ``国家发展改革委　2019年11月10日``."""
    if len(text) > SIGNER_DATE_LINE_MAX:
        return None
    dates = find_dates(text)
    if len(dates) != 1 or dates[0].end < len(text.rstrip()) or dates[0].start == 0:
        return None
    prefix = text[: dates[0].start].strip()
    if prefix and is_signer_line(Block("p", prefix)):
        return prefix, dates[0].iso
    return None


def _date_index(blocks: list[Block], start: int) -> tuple[int, str, str | None] | None:
    """(index, ISO date, signers on the same line) of the signature date.

    Candidates are date-only lines (or signer + date lines) after the body start. The first one that
    looks like a signature date wins: signers or a seal just above it, right alignment, or a closing
    line (特此通知, a 附件 list) above it. When none does, the first candidate is taken: a notice
    rarely prints a bare date line inside its body.
    """
    candidates: list[tuple[int, str, str | None]] = []
    for i in range(start + 1, len(blocks)):
        block = blocks[i]
        if block.kind == "tr":
            continue
        day = date_line(block.text)
        found = (i, day, None) if day else None
        if found is None:
            both = _signer_date_line(block.text)
            found = (i, both[1], both[0]) if both else None
        if found is None:
            continue
        if _looks_signed(blocks, i, start) or found[2] is not None:
            return found
        candidates.append(found)
    return candidates[0] if candidates else None


def _looks_signed(blocks: list[Block], index: int, start: int) -> bool:
    """True when the date line at ``index`` sits where a signature date does."""
    if blocks[index].align == "right":
        return True
    above = blocks[index - 1] if index - 1 >= start else None
    if above is None or above.kind == "tr":
        return False
    if is_signer_line(above) or _is_seal_line(above):
        return True
    text = above.text
    return (
        "特此" in text
        or text.startswith(("附件", "附表"))
        or bool(_NUMBERED_RE.match(text) and len(text) < NUMBERED_CLOSING_MAX)
    )


def _annex_heading(blocks: list[Block], start: int, end: int) -> int | None:
    """Index of a bare ``附件`` / ``附件1`` heading line (where an annex starts), if any."""
    for i in range(start + 1, end):
        if blocks[i].kind != "tr" and _ANNEX_HEADING_RE.match(blocks[i].text):
            return i
    return None


def _is_seal_line(block: Block) -> bool:
    """A line that is only a seal mark (（盖章）, （公章）): part of the signature block."""
    return block.kind != "tr" and bool(_SEAL_RE.fullmatch(compact(block.text)))


def _collect_signers(blocks: list[Block], end: int, floor: int) -> int:
    """Index of the first line of the signature block (signer and seal lines) just before ``end``."""
    i = end
    while i - 1 >= max(floor, end - _SIGNER_LOOKBACK) and (
        is_signer_line(blocks[i - 1]) or _is_seal_line(blocks[i - 1])
    ):
        i -= 1
    return i


def _signers_of(blocks: list[Block]) -> list[str]:
    """Signing bodies of signer lines, deduplicated in order."""
    names: list[str] = []
    for block in blocks:
        if _is_seal_line(block):
            continue
        for name in split_signers(block.text):
            if name not in names:
                names.append(name)
    return names


def _undated_tail(blocks: list[Block], start: int, shape: NoticeShape) -> None:
    """No signature date: the body runs to the end, minus trailing signer lines after a closing line."""
    first = _collect_signers(blocks, len(blocks), start + 1)
    if first < len(blocks) and (first == len(blocks) - 1 or first > start):
        before = blocks[first - 1].text if first - 1 >= start else ""
        if before.endswith(("。", "！")) or "特此" in before:
            shape.signers = _signers_of(blocks[first:])
            shape.body = blocks[start:first]
            return
    shape.body = blocks[start:]


def is_link_line(block: Block) -> bool:
    """True for a line that is nothing but its links (a related article, a 解读 page)."""
    linked = compact("".join(label for label, _ in block.links))
    return bool(linked) and len(compact(block.text)) - len(linked) <= _LINK_LINE_SLACK


def is_related_label(text: str) -> bool:
    """True for the label of related content (解读文件：, 相关链接, 政策解读：…), alone or before its link."""
    line = compact(text)
    return any(
        line.startswith(label) and line[len(label) : len(label) + 1] in ("", "：", ":")
        for label in RELATED_LABELS
    )


def related_tail(blocks: list[Block]) -> int:
    """Where the related-content tail of the text starts (len(blocks) when there is none): a related
    label line followed only by link lines and labels, at the very end."""
    start = len(blocks)
    for i in range(len(blocks) - 1, -1, -1):
        block = blocks[i]
        if block.kind != "tr" and is_related_label(block.text):
            start = i
        elif not is_link_line(block):
            break
    return start


def analyse(blocks: list[Block], title: str) -> NoticeShape:
    """Split the blocks into header, addressee, body, signature (signers + date) and annex.

    Related-content links a template prints after the text (解读文件：《…》政策解读) are no part of it.
    """
    shape = NoticeShape()
    blocks = blocks[: related_tail(blocks)]
    start = _skip_header(blocks, title, shape)
    start = _find_addressee(blocks, start, shape)
    found = _date_index(blocks, start)
    heading = _annex_heading(blocks, start, found[0] if found else len(blocks))
    if found and heading is not None:
        between = blocks[heading + 1 : found[0]]
        if len(between) > ANNEX_GAP_BLOCKS or any(len(b.text) >= ANNEX_PROSE_MIN for b in between):
            found = None
    if found is None:
        if heading is not None:
            shape.body, shape.annex = blocks[start:heading], blocks[heading:]
            return shape
        _undated_tail(blocks, start, shape)
        return shape
    index, day, same_line = found
    first = _collect_signers(blocks, index, start)
    shape.date = day
    shape.signers = _signers_of(blocks[first:index])
    if same_line:
        shape.signers.extend(name for name in split_signers(same_line) if name not in shape.signers)
    shape.body = blocks[start:first]
    shape.annex = blocks[index + 1 :]
    return shape
