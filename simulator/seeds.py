"""Parse the past 快讯 issues in ``shared/seeds`` into :class:`SeedNotice` records.

The seeds are one paginated Word document converted three ways: two text extractions
(``.txt``) and a markdown conversion (``.md``).  They carry the front page (publisher,
快 讯, issue number, 目 录), then the three sections with their items, page furniture
(footer lines, runs of blank lines at page breaks) and the issue's closing lines.

Parsing strategy, and why:

* The 目 录 is the only reliable skeleton: item titles in the body are wrapped, letter-spaced
  or decorated with markup, so each TOC title (compared with whitespace removed) anchors
  its item, and ``相关链接`` (or the next anchor) ends it.
* Inside an item the text is cut into paragraphs, paragraphs split by a page break (or by
  an extraction glitch inside brackets) are re-joined, and the parts of a 公文 are
  recognised by position: optional red-header lines and 文号 first, addressee (主送), body,
  附件 list, signers, date, then annex content printed after the signature.

Typography rule (see :func:`normalise_spacing`): the extraction put a space on both sides
of every Latin/digit run embedded in Chinese text (``2020 年``, ``附件 1``, ``5G 等``); the
originals have none, so such spaces are removed, except around phone numbers and English
words, where the space separates two things.  Spaces between two Latin/digit runs are the
original's (``GB/T 29490-2013``) and are kept.  Spaces between two Chinese characters are
line-wrap artefacts in titles and are removed there; in body text they are usually the
original's (``中共中央 国务院``, ``财政部 税务总局``, ``第一章 总 则``) and are kept.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal, NamedTuple

from simulator.seednotice import SeedNotice

SECTIONS = ("政策文件", "绿色制造", "申报通知")
"""The 快讯 sections, in the order every issue prints them."""

SEEDS_ENV_VAR = "KUAIXUN_SEEDS_DIR"
"""Environment variable that overrides where :func:`load_seeds` looks for the seed issues."""

SEED_GLOB = "kuaixun-*"
SEED_SUFFIXES = (".txt", ".md")

Gap = Literal["line", "para", "page"]
"""What separated a line from the previous one: a newline, a blank line, or a page break."""


class SeedParseError(ValueError):
    """A seed issue does not have the layout this parser relies on."""


class Line(NamedTuple):
    """One non-empty, markup-free line of a seed and the gap that preceded it."""

    text: str
    gap: Gap


@dataclass(frozen=True)
class TocEntry:
    """One item title listed in the 目 录, with the section it is listed under."""

    section: str
    title: str


@dataclass(frozen=True)
class ItemBlock:
    """The raw lines of one item, cut out of the issue by its 目 录 anchor."""

    section: str
    title: str
    lines: tuple[Line, ...]
    source_url: str


@dataclass(frozen=True)
class ItemParts:
    """An item's paragraphs sorted into the parts of a 公文."""

    doc_number: str | None
    addressee: str | None
    paragraphs: tuple[str, ...]
    attachments: tuple[str, ...]
    signers: tuple[str, ...]
    date: str | None
    annex: tuple[str, ...]


# --------------------------------------------------------------------------- loading


def default_seeds_dir() -> Path:
    """The ``shared/seeds`` folder beside the project, unless ``KUAIXUN_SEEDS_DIR`` says otherwise."""
    override = os.environ.get(SEEDS_ENV_VAR)
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "shared" / "seeds"


def seed_files(seeds_dir: Path) -> list[Path]:
    """The seed issue files of ``seeds_dir``; file names sort in issue order (kuaixun-YYYY-MMNN)."""
    if not seeds_dir.is_dir():
        raise SeedParseError(f"seed directory not found: {seeds_dir}")
    files = sorted(p for p in seeds_dir.glob(SEED_GLOB) if p.suffix in SEED_SUFFIXES)
    if not files:
        raise SeedParseError(f"no seed issues ({SEED_GLOB}{'|'.join(SEED_SUFFIXES)}) in {seeds_dir}")
    return files


def load_seeds(seeds_dir: Path | None = None) -> list[SeedNotice]:
    """Every item of every seed issue, in issue order then document order."""
    directory = seeds_dir if seeds_dir is not None else default_seeds_dir()
    notices: list[SeedNotice] = []
    for path in seed_files(directory):
        notices.extend(parse_seed_file(path))
    return notices


def parse_seed_file(path: Path) -> list[SeedNotice]:
    """Parse one seed issue; any layout problem is reported with the file's name."""
    try:
        return parse_seed_text(path.read_text(encoding="utf-8"))
    except SeedParseError as exc:
        raise SeedParseError(f"{path}: {exc}") from exc


def parse_seed_text(text: str) -> list[SeedNotice]:
    """Parse the text of one seed issue into its items."""
    lines = to_lines(strip_page_furniture(text.splitlines()))
    issue = parse_issue_code(lines)
    toc, body_start = parse_toc(lines)
    blocks = split_items(lines[body_start:], toc)
    return [build_notice(issue, block) for block in blocks]


# --------------------------------------------------------------------------- text cleaning

_AUTOLINK_RE = re.compile(r"<(https?://[^>\s]+)>")
_MD_LINK_RE = re.compile(r"\[([^\]]*)\]\(([^)\s]+)\)")
_HTML_TAG_RE = re.compile(r"</?(?:b|strong|i|em|u|br|span|p)\b[^>]*>", re.IGNORECASE)
_MD_ESCAPE_RE = re.compile(r"\\+([\\`*_{}\[\]()#+\-.!|<>~])")
_MD_HEADING_RE = re.compile(r"^#{1,6}\s+")
_MD_BULLET_RE = re.compile(r"^[-*+]\s+")
_FOOTER_RE = re.compile(r"^(?:北京关键要素科技有限公司电话[:：]|网址[:：]www\.chinamomentum\.com)")
_CLOSING_RE = re.compile(r"^更多最新消息")


def squeeze(text: str) -> str:
    """``text`` without any whitespace: how titles and markers are compared across conversions."""
    return re.sub(r"\s+", "", text)


def _link_text(match: re.Match[str]) -> str:
    """A markdown link's target when it is a web address (相关链接 lines), else its visible text."""
    text, target = match.group(1), match.group(2)
    return target if target.startswith(("http://", "https://")) else text


def strip_markup(line: str) -> str:
    """Remove the markdown/HTML the .md conversion added: headings, bullets, bold, links, escapes.

    A leading ``- `` also occurs in the text extractions (list items), so it is removed everywhere.
    """
    line = _AUTOLINK_RE.sub(r"\1", line)
    line = _MD_LINK_RE.sub(_link_text, line)
    line = _HTML_TAG_RE.sub("", line)
    line = line.replace("**", "")
    line = _MD_ESCAPE_RE.sub(r"\1", line)
    line = _MD_HEADING_RE.sub("", line.strip())
    return _MD_BULLET_RE.sub("", line).strip()


def is_footer_line(line: str) -> bool:
    """The page footer (publisher's phone line and web address) printed at the bottom of every page."""
    return bool(_FOOTER_RE.match(squeeze(line)))


def strip_page_furniture(raw_lines: Sequence[str]) -> list[str]:
    """Markup-free lines with footers blanked (so they read as page breaks) and the closing lines cut."""
    cleaned: list[str] = []
    for raw in raw_lines:
        line = strip_markup(raw)
        if _CLOSING_RE.match(squeeze(line)):
            break
        cleaned.append("" if is_footer_line(line) else line)
    return cleaned


def to_lines(cleaned: Sequence[str]) -> list[Line]:
    """Non-empty lines tagged with their preceding gap: 1 blank line = paragraph, 2+ = page break."""
    lines: list[Line] = []
    blanks = 1
    for text in cleaned:
        if not text:
            blanks += 1
            continue
        gap: Gap = "line" if blanks == 0 else "para" if blanks == 1 else "page"
        lines.append(Line(text, gap))
        blanks = 0
    return lines


_CJK = "\u2e80-\u9fff\u3000-\u303f\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u2010-\u2027\u2030-\u205e"
_CJK_RE = re.compile(f"[{_CJK}]")
_SPACES_RE = re.compile(r"[ \u00a0\u3000]+")
_TOKEN_TAIL_RE = re.compile(f"[^\\s{_CJK}]+$")
_TOKEN_HEAD_RE = re.compile(f"^[^\\s{_CJK}]+")
_CLOCK_RE = re.compile(r"(\d)([:：])\s+(\d)")
_ENUM_PAREN_RE = re.compile(r"^\(([一二三四五六七八九十]{1,3})\)\s*")


def is_cjk(char: str) -> bool:
    """Chinese characters and full-width/Chinese punctuation."""
    return bool(_CJK_RE.match(char))


def _keeps_space(token: str) -> bool:
    """Latin/digit tokens the original also set apart: phone numbers and plain English words.

    ``token`` is the whole run of non-space, non-Chinese characters beside the space, so an
    e-mail address (``tjzyhb@126.com``) is not mistaken for a word; a phone number has a run
    of 7+ digits (``010-88692450``), which a year range (``2016-2020``) has not.
    """
    phone = re.fullmatch(r"[\d\-]+", token) and re.search(r"\d{7,}", token)
    return bool(phone) or bool(re.fullmatch(r"[a-z]{2,}", token))


def _space_between(before: str, after: str, join_cjk: bool) -> str:
    """What a run of spaces between ``before`` and ``after`` becomes (see the module docstring)."""
    if not before or not after:
        return ""
    left, right = before[-1], after[0]
    if is_cjk(left) and is_cjk(right):
        return "" if join_cjk else " "
    if is_cjk(left) and right.isascii() and right.isalnum():
        head = _TOKEN_HEAD_RE.match(after)
        return " " if head and _keeps_space(head.group()) else ""
    if is_cjk(right) and left.isascii() and left.isalnum():
        tail = _TOKEN_TAIL_RE.search(before)
        return " " if tail and _keeps_space(tail.group()) else ""
    return " "


def normalise_spacing(text: str, *, join_cjk: bool = False) -> str:
    """Undo extraction spacing: ``2020 年`` → ``2020年``, ``09: 00`` → ``09:00``, ``(六) `` → ``（六）``.

    Keeps spaces between Latin/digit runs (``GB/T 29490-2013``), around phone numbers
    (``李玮 010-88692450``) and English words; spaces between Chinese characters are
    removed only when ``join_cjk`` (titles), because in body text they are mostly the
    original's own separators (``中共中央 国务院``).  Tabs (table cells) are kept.
    """
    text = _CLOCK_RE.sub(r"\1\2\3", text.strip())
    text = _ENUM_PAREN_RE.sub(r"（\1）", text)
    pieces: list[str] = []
    position = 0
    for match in _SPACES_RE.finditer(text):
        pieces.append(text[position : match.start()])
        pieces.append(_space_between(text[: match.start()], text[match.end() :], join_cjk))
        position = match.end()
    pieces.append(text[position:])
    return "".join(pieces).strip()


def normalise_title(text: str) -> str:
    """A title as printed, without the wrap spaces the extraction put between its characters."""
    return normalise_spacing(text, join_cjk=True)


# --------------------------------------------------------------------------- front page and 目 录

_ISSUE_RE = re.compile(r"^[(（](\d{4})[)）](\d{4})期$")
_TOC_ENTRY_RE = re.compile(r"^(?P<text>.+?)[\s.．…·]*\s(?P<page>\d{1,3})$")
_SECTION_RE = re.compile(r"^\[(?P<name>[^\]]+)\]$")


def parse_issue_code(lines: Sequence[Line]) -> str:
    """The issue code (``2019-1102``) from the front page's ``(2019) 1102 期`` line."""
    for line in lines:
        match = _ISSUE_RE.match(squeeze(line.text))
        if match:
            return f"{match.group(1)}-{match.group(2)}"
    raise SeedParseError("no issue number line like '(2019) 1102 期' on the front page")


def match_key(text: str) -> str:
    """How a 目 录 title is compared with the body: no spaces, no leader dots, one bracket width."""
    key = squeeze(text).translate(str.maketrans("()[]:,", "（）［］：，"))
    return key.rstrip(".．…·")


def _toc_start(lines: Sequence[Line]) -> int:
    """Index of the first line after the ``目 录`` heading."""
    for index, line in enumerate(lines):
        if squeeze(line.text) == "目录":
            return index + 1
    raise SeedParseError("no 目 录 on the front page")


def parse_toc(lines: Sequence[Line]) -> tuple[list[TocEntry], int]:
    """The 目 录 entries (title + section) and the index of the first body line after them."""
    index = _toc_start(lines)
    section: str | None = None
    entries: list[TocEntry] = []
    while index < len(lines) and (match := _TOC_ENTRY_RE.match(lines[index].text)):
        text = match.group("text").strip()
        heading = _SECTION_RE.match(squeeze(text))
        if heading:
            section = heading.group("name")
        elif section is None:
            raise SeedParseError(f"目 录 item before any section: {text!r}")
        else:
            entries.append(TocEntry(section, normalise_title(text)))
        index += 1
    validate_toc(entries)
    return entries, index


def validate_toc(entries: Sequence[TocEntry]) -> None:
    """The 目 录 must list items under the known sections, in their fixed order."""
    if not entries:
        raise SeedParseError("the 目 录 lists no items")
    order = [SECTIONS.index(e.section) if e.section in SECTIONS else -1 for e in entries]
    if -1 in order:
        unknown = {e.section for e in entries} - set(SECTIONS)
        raise SeedParseError(f"unknown section(s) in the 目 录: {sorted(unknown)}")
    if order != sorted(order):
        raise SeedParseError("目 录 sections are out of order")


# --------------------------------------------------------------------------- cutting items

_LINK_HEAD_RE = re.compile(r"^相关链接\s*[:：]?\s*(?P<rest>.*)$")
_URL_RE = re.compile(r"https?://[^\s<>()（）]+")


def find_anchor(lines: Sequence[Line], title: str, start: int) -> tuple[int, int]:
    """Where ``title`` starts in the body at or after ``start``, and how many lines it spans (1 or 2)."""
    key = match_key(title)
    for index in range(start, len(lines)):
        if match_key(lines[index].text) == key:
            return index, 1
        if index + 1 < len(lines) and match_key(lines[index].text + lines[index + 1].text) == key:
            return index, 2
    raise SeedParseError(f"item listed in the 目 录 not found in the body: {title!r}")


def is_section_heading(line: Line) -> bool:
    """A body line like ``[绿色制造]`` that opens a section."""
    return bool(_SECTION_RE.match(squeeze(line.text)))


def extract_url(lines: Sequence[Line]) -> str:
    """The first web address in the lines after ``相关链接``; empty when none is printed."""
    for line in lines:
        match = _URL_RE.search(line.text)
        if match:
            return match.group().rstrip(".,;。，；")
    return ""


def split_link(lines: Sequence[Line]) -> tuple[Sequence[Line], str]:
    """An item's content lines (before ``相关链接``) and the URL printed after it."""
    for index, line in enumerate(lines):
        match = _LINK_HEAD_RE.match(squeeze(line.text))
        if match:
            after = [Line(match.group("rest"), "line")] if match.group("rest") else []
            return lines[:index], extract_url([*after, *lines[index + 1 :]])
    return lines, ""


def item_end(lines: Sequence[Line], start: int, next_anchor: int) -> int:
    """Where an item's lines stop: at the next section heading or the next item's title."""
    for index in range(start, next_anchor):
        if is_section_heading(lines[index]):
            return index
    return next_anchor


def split_items(lines: Sequence[Line], toc: Sequence[TocEntry]) -> list[ItemBlock]:
    """Cut the body into items, one per 目 录 entry, using the titles as anchors."""
    anchors: list[tuple[int, int]] = []
    cursor = 0
    for entry in toc:
        index, span = find_anchor(lines, entry.title, cursor)
        anchors.append((index, span))
        cursor = index + span
    blocks: list[ItemBlock] = []
    for number, (entry, (index, span)) in enumerate(zip(toc, anchors, strict=True)):
        next_anchor = anchors[number + 1][0] if number + 1 < len(anchors) else len(lines)
        start = index + span
        content, url = split_link(lines[start : item_end(lines, start, next_anchor)])
        title = normalise_title(" ".join(line.text for line in lines[index:start]))
        blocks.append(ItemBlock(entry.section, title, tuple(content), url))
    return blocks


# --------------------------------------------------------------------------- paragraphs

_ENUMERATOR_RE = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d{1,2}\s*[.、．]|"
    r"第[一二三四五六七八九十百]+[条章节]|附件)"
)
_LABEL_RE = re.compile(r"^[\u4e00-\u9fff ]{1,8}[:：]")
_MIN_FRAGMENT_LENGTH = 15
"""A paragraph cut by a page break filled the last line of its page, so its first part is long;
shorter unterminated lines before a break are headings or signers, not fragments."""


def has_open_bracket(text: str) -> bool:
    """More opening than closing brackets: the paragraph was cut inside a parenthesis or 《title》."""
    opened = text.count("（") + text.count("(") + text.count("《")
    closed = text.count("）") + text.count(")") + text.count("》")
    return opened > closed


def is_heading(text: str) -> bool:
    """A numbered heading (``（二）认真审核把关``): an enumerator and no sentence punctuation."""
    return bool(_ENUMERATOR_RE.match(text)) and not re.search(r"[，。；]", text)


def is_page_fragment(previous: str, following: str) -> bool:
    """Whether a page break cut one paragraph into ``previous`` and ``following``.

    The cut falls mid-sentence, so ``previous`` ends on a Chinese character (not on
    punctuation, an e-mail address or a number) and is neither a heading nor a signer, and
    ``following`` does not open a new numbered point or a ``label：`` contact line.
    """
    return (
        len(previous) >= _MIN_FRAGMENT_LENGTH
        and bool(re.search(r"[\u4e00-\u9fff]$", previous))
        and not is_heading(previous)
        and not is_signer_line(previous)
        and not _ENUMERATOR_RE.match(following)
        and not _LABEL_RE.match(following)
    )


def continues(previous: str, line: Line) -> bool:
    """Whether ``line`` carries on the paragraph ``previous`` rather than starting a new one."""
    if has_open_bracket(previous):
        return True
    if line.gap == "line":
        return previous.endswith(("，", "、", ","))
    return line.gap == "page" and is_page_fragment(previous, line.text)


def assemble_paragraphs(lines: Sequence[Line]) -> list[str]:
    """Paragraph texts, re-joining the pieces a page break or a wrapped line split apart."""
    merged: list[str] = []
    for line in lines:
        if merged and continues(merged[-1], line):
            merged[-1] = merged[-1] + line.text
        else:
            merged.append(line.text)
    return [normalise_spacing(text) for text in merged]


# --------------------------------------------------------------------------- 文号 and header

_DOC_NUMBER_RE = re.compile(
    r"^[\u4e00-\u9fff]{1,16}(?:〔\d{4}〕\d{1,5}号|公告\d{4}年第\d{1,4}号|令第\d{1,4}号)$"
)
_YEAR_BRACKETS_RE = re.compile(r"[\[［(（【〔]\s*(\d{4})\s*[\]］)）】〕]")
_DOCUMENT_TYPES = ("通知", "意见", "公告", "办法", "方案", "决定", "通报", "批复", "规定", "指南", "细则")
_SENTENCE_PUNCT_RE = re.compile(r"[，。：:；;,]")


def normalise_doc_number(text: str) -> str:
    """A 文号 with its year in 〔〕 and no spaces (``鲁工信产（2019）146 号`` → ``鲁工信产〔2019〕146号``)."""
    number = squeeze(text)
    if number[:1] in "(（" and number[-1:] in ")）":
        number = number[1:-1]
    return _YEAR_BRACKETS_RE.sub(r"〔\1〕", number)


def parse_doc_number(text: str) -> str | None:
    """The normalised 文号 when the paragraph is one, else None."""
    number = normalise_doc_number(text)
    return number if _DOC_NUMBER_RE.match(number) else None


def is_issuer_line(text: str) -> bool:
    """A red-header line above the 文号 (``宁波市经济和信息化局``, ``天津市工业和信息化局文件``)."""
    return len(text) <= 30 and not _SENTENCE_PUNCT_RE.search(text)


def is_repeated_title(text: str, title: str) -> bool:
    """The document's own title printed again under its red header."""
    if match_key(text) == match_key(title):
        return True
    return "关于" in text and text.endswith(_DOCUMENT_TYPES) and not _SENTENCE_PUNCT_RE.search(text)


def split_header(paragraphs: Sequence[str], title: str) -> tuple[str | None, list[str]]:
    """The 文号 (if any) and the paragraphs after the header (red header and repeated title dropped)."""
    for index, text in enumerate(paragraphs[:3]):
        number = parse_doc_number(text)
        if number and all(is_issuer_line(p) for p in paragraphs[:index]):
            rest = list(paragraphs[index + 1 :])
            if rest and is_repeated_title(rest[0], title):
                rest = rest[1:]
            return number, rest
    return None, list(paragraphs)


def split_addressee(paragraphs: Sequence[str]) -> tuple[str | None, list[str]]:
    """The 主送 line (first paragraph, ending in a colon, not a sentence) and the rest."""
    if paragraphs:
        first = paragraphs[0]
        if first.endswith(("：", ":")) and "。" not in first and "如下" not in first and len(first) <= 200:
            return first.rstrip("：:"), list(paragraphs[1:])
    return None, list(paragraphs)


# --------------------------------------------------------------------------- signature block

_DATE_RE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
_ANNEX_HEADING_RE = re.compile(r"^附件\s*\d*$")
_BODY_SUFFIX_RE = re.compile(r"(?:部|厅|局|委|会|办|室|中心|院|处|署|行|集团|政府|所|站|司)$")
_SIGNER_FORBIDDEN_RE = re.compile(r"[，。：:；;、,.!?！？《》（）()“”\"\d\t]")
_PLACE_START_RE = re.compile(
    r"^(?:自治区|省|市|国家|中华人民共和国|中共|中央|[\u4e00-\u9fff]{2,3}(?:省|市|自治区))"
)
_SIGNER_MAX_LENGTH = 60


def parse_cn_date(text: str) -> str | None:
    """``2019年11月10日`` (spaces already normalised) as ISO, or None when the text is not just a date."""
    match = _DATE_RE.match(text)
    if not match:
        return None
    year, month, day = (int(group) for group in match.groups())
    return date(year, month, day).isoformat()


def is_body_name(name: str) -> bool:
    """Ends like a government body (部, 厅, 局, 委员会, 办公室, 处, 集团 …)."""
    return len(name) >= 2 and bool(_BODY_SUFFIX_RE.search(name))


def split_glued_signers(name: str) -> tuple[str, ...]:
    """Split ``自治区工业和信息化厅自治区生态环境厅`` into its bodies.

    A cut is made after a body suffix only when the remainder starts like a new body
    (a place or 国家/中央 …) and both halves are body names, so ``国家知识产权局办公室``
    or ``工业和信息化部办公厅`` stay whole.
    """
    for index in range(2, len(name) - 1):
        left, right = name[:index], name[index:]
        if is_body_name(left) and _PLACE_START_RE.match(right):
            rest = split_glued_signers(right)
            if all(is_body_name(part) for part in rest):
                return (left, *rest)
    return (name,)


def split_signers(line: str) -> tuple[str, ...]:
    """The bodies on one signature line: space-separated (``财政部 税务总局``) or glued.

    Spaces inside one name (``科技 部``, letter-spaced for alignment) are dropped.
    """
    parts = line.split()
    if len(parts) < 2 or not all(is_body_name(part) for part in parts):
        parts = ["".join(parts)]
    return tuple(name for part in parts for name in split_glued_signers(part))


def is_signer_line(text: str) -> bool:
    """A short line made only of government body names."""
    if len(text) > _SIGNER_MAX_LENGTH or _SIGNER_FORBIDDEN_RE.search(text):
        return False
    return all(is_body_name(name) for name in split_signers(text))


def split_annex(paragraphs: Sequence[str]) -> tuple[list[str], str | None, list[str]]:
    """Paragraphs before the signature date, the ISO date, and what follows it (the annex).

    Without a date, an annex still starts at a bare ``附件`` heading (the attached form itself).
    """
    for index, text in enumerate(paragraphs):
        iso = parse_cn_date(text)
        if iso:
            return list(paragraphs[:index]), iso, list(paragraphs[index + 1 :])
    for index, text in enumerate(paragraphs):
        if index > 0 and _ANNEX_HEADING_RE.match(text):
            return list(paragraphs[:index]), None, list(paragraphs[index:])
    return list(paragraphs), None, []


def split_signature(paragraphs: Sequence[str]) -> tuple[list[str], tuple[str, ...]]:
    """The paragraphs before the signers, and the signers (the run of body-name lines at the end)."""
    start = len(paragraphs)
    while start > 0 and is_signer_line(paragraphs[start - 1]):
        start -= 1
    signers = tuple(name for text in paragraphs[start:] for name in split_signers(text))
    return list(paragraphs[:start]), signers


# --------------------------------------------------------------------------- 附件

_ATTACHMENT_HEAD_RE = re.compile(r"^附件\s*(?:\d{1,2}\s*)?[:：]?\s*")
_NUMBERED_RE = re.compile(r"^(?:\d{1,2}\s*[.、．]|[（(]\d{1,2}[)）])\s*")
_ATTACHMENT_MAX_LENGTH = 150


def is_attachment_head(text: str) -> bool:
    """A paragraph that opens the 附件 list: ``附件：…``, ``附件:``, ``附件1 …``."""
    return text.startswith("附件") and len(text) <= _ATTACHMENT_MAX_LENGTH


def is_numbered_entry(text: str) -> bool:
    """A short numbered line (``2. 推荐汇总表``) that can continue a 附件 list."""
    return bool(_NUMBERED_RE.match(text)) and len(text) <= _ATTACHMENT_MAX_LENGTH


def attachment_name(text: str) -> str:
    """The name as printed, without ``附件：`` and without the list numbering (``1.``, ``1、``)."""
    name = _ATTACHMENT_HEAD_RE.sub("", text, count=1) if text.startswith("附件") else text
    return _NUMBERED_RE.sub("", name, count=1).strip()


def split_attachments(paragraphs: Sequence[str]) -> tuple[list[str], tuple[str, ...]]:
    """The body and the 附件 names listed at its end (a ``附件`` head plus numbered continuations)."""
    start = len(paragraphs)
    while start > 0 and (
        is_attachment_head(paragraphs[start - 1]) or is_numbered_entry(paragraphs[start - 1])
    ):
        start -= 1
    for index in range(start, len(paragraphs)):
        if is_attachment_head(paragraphs[index]):
            names = (attachment_name(text) for text in paragraphs[index:])
            return list(paragraphs[:index]), tuple(name for name in names if name)
    return list(paragraphs), ()


# --------------------------------------------------------------------------- deadlines

_DAY = r"(?:(?P<{0}y>\d{{4}})年)?(?P<{0}m>\d{{1,2}})月(?P<{0}d>\d{{1,2}})日"
_END_DAY = r"(?:(?:(?P<{0}y>\d{{4}})年)?(?P<{0}m>\d{{1,2}})月)?(?P<{0}d>\d{{1,2}})日"
_CLOCK = r"(?:\d{1,2}[:：]\d{2})?"
_BEFORE_RE = re.compile(_DAY.format("a") + r"(?:之|以)?前")
_CUTOFF_RE = re.compile(r"截止(?:时间|日期)?(?:为|是|至)?[:：]?" + _DAY.format("a"))
_RANGE_RE = re.compile(
    _DAY.format("s") + _CLOCK + r"\s*[-－—–~～至到]\s*" + _END_DAY.format("a") + _CLOCK + r"(?P<after>期间)?"
)
_WINDOW_WORDS_RE = re.compile(r"公示|申报|填报|受理|报送|提交|征集|申请|开放|报名|征求意见")


def _resolve_day(match: re.Match[str], prefix: str, year: int, month: int | None = None) -> date:
    """The date of a matched day expression, taking a missing year (or month) from the context."""
    y = match.group(f"{prefix}y")
    m = match.group(f"{prefix}m")
    return date(int(y) if y else year, int(m) if m else (month or 1), int(match.group(f"{prefix}d")))


def _after_reference(day: date, reference: date, year_given: bool) -> date:
    """A year inferred from the notice date points at the next occurrence, not a past one."""
    if not year_given and day < reference:
        return day.replace(year=day.year + 1)
    return day


def window_ends(text: str, reference: date) -> Iterator[tuple[int, date]]:
    """End dates of submission/公示 windows (``公示时间：2019年11月11日-11月20日``), not eligibility periods.

    A range counts only in a paragraph about submitting or 公示, and not when it reads
    ``…至…期间`` (the period a rule covers, e.g. services bought in a year).
    """
    if not _WINDOW_WORDS_RE.search(text):
        return
    for match in _RANGE_RE.finditer(text):
        if match.group("after"):
            continue
        start = _resolve_day(match, "s", reference.year)
        end = _resolve_day(match, "a", start.year, start.month)
        year_given = bool(match.group("ay") or match.group("sy"))
        yield match.start(), _after_reference(end, reference, year_given)


def dated_cutoffs(text: str, reference: date) -> Iterator[tuple[int, date]]:
    """Dates followed by 前 (``于2019年12月15日前报送``) or preceded by 截止 (``申报截止时间为…``)."""
    for pattern in (_BEFORE_RE, _CUTOFF_RE):
        for match in pattern.finditer(text):
            day = _resolve_day(match, "a", reference.year)
            yield match.start(), _after_reference(day, reference, bool(match.group("ay")))


def find_deadlines(paragraphs: Sequence[str], reference: date) -> tuple[str, ...]:
    """ISO dates by which readers must act, in order of appearance, without repeats.

    Only expressions with a day qualify, so targets (``到2025年``, ``2019年年底前``) never match;
    ``reference`` (the notice date, else the issue's first day) supplies an omitted year.
    """
    found: list[tuple[int, int, date]] = []
    for number, text in enumerate(paragraphs):
        for finder in (window_ends, dated_cutoffs):
            found.extend((number, position, day) for position, day in finder(text, reference))
    return tuple(dict.fromkeys(day.isoformat() for _, _, day in sorted(found)))


# --------------------------------------------------------------------------- assembling a notice


def parse_item_parts(block: ItemBlock) -> ItemParts:
    """Sort an item's paragraphs into 文号, 主送, body, 附件, 落款, date and annex."""
    doc_number, rest = split_header(assemble_paragraphs(block.lines), block.title)
    addressee, rest = split_addressee(rest)
    before_date, iso_date, annex = split_annex(rest)
    before_signers, signers = split_signature(before_date)
    body, attachments = split_attachments(before_signers)
    return ItemParts(doc_number, addressee, tuple(body), attachments, signers, iso_date, tuple(annex))


def issue_start(issue: str) -> date:
    """First day of the issue's month: the fallback reference date for an undated notice."""
    year, month = issue.split("-")
    return date(int(year), int(month[:2]), 1)


def build_notice(issue: str, block: ItemBlock) -> SeedNotice:
    """The :class:`SeedNotice` for one item of ``issue``."""
    parts = parse_item_parts(block)
    reference = date.fromisoformat(parts.date) if parts.date else issue_start(issue)
    return SeedNotice(
        issue=issue,
        section=block.section,
        title=block.title,
        source_url=block.source_url,
        doc_number=parts.doc_number,
        addressee=parts.addressee,
        paragraphs=parts.paragraphs,
        attachments=parts.attachments,
        signers=parts.signers,
        date=parts.date,
        annex=parts.annex,
        deadlines=find_deadlines(parts.paragraphs, reference),
    )


# --------------------------------------------------------------------------- command line


def summary_line(notice: SeedNotice) -> str:
    """One tab-separated line describing a parsed item, for eyeballing against the seed files."""
    fields = (
        notice.issue,
        notice.section,
        notice.title,
        notice.doc_number or "-",
        notice.date or "-",
        f"{len(notice.paragraphs)}p",
        f"{len(notice.attachments)}att",
        notice.source_url or "(no 相关链接)",
    )
    return "\t".join(fields)


def main(argv: Sequence[str] | None = None) -> int:
    """Print one summary line per seed item (``python -m simulator.seeds [SEEDS_DIR]``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    notices = load_seeds(Path(args[0]) if args else None)
    for notice in notices:
        print(summary_line(notice))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
