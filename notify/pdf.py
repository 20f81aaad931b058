"""The A4 PDF of an issue drawn with ReportLab: cover, 目 录 with page numbers, the sections and
every notice in full, the contact line at the foot of every page, 相关链接 as live links.

The page is the print HTML's (``digest.print.html.j2``, WeasyPrint's engine) set directly from
the :class:`~notify.issue.Issue`: ReportLab lays out and draws the ~160 pages of a 100-notice
issue in 2.0 s of CPU, WeasyPrint in 17.7 s (bench/RESULTS.md, session 5).

ReportLab embeds TrueType outlines only (Noto CJK is CFF), so the font is a TrueType CJK
family from :data:`FONTS` (Debian's ``fonts-wqy-microhei``, scripts/system-deps.sh), subset
into the PDF with a ToUnicode map: pdftotext reads the text back. It has one weight: bold is
drawn by stroking the glyphs' outlines as well as filling them.

Every string printed was fetched: it is cleaned of controls (:func:`notify.escape.clean`) and
XML-escaped before a ``Paragraph`` parses its mini-markup, so a title such as
``<font color=red>`` prints as those characters; only checked http(s) URLs become links.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.rl_accel import sameFrag
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as GridTable
from reportlab.platypus.doctemplate import LayoutError
from reportlab.platypus.flowables import HRFlowable

from notify.escape import clean, safe_url
from notify.issue import Annex, AttachmentList, Block, Issue, IssueItem, Table
from notify.render import KEPT_TOGETHER, changes, changes_left_out

FONTS = ("WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Droid Sans Fallback", "AR PL UMing CN")
"""TrueType CJK families ReportLab can embed, in order of preference (fontconfig finds them)."""
FONT_NAME = "KuaixunCJK"
"""The name the font is registered under in ReportLab."""

PAGE_MARGINS = (22 * mm, 20 * mm, 30 * mm, 20 * mm)
"""Top, right, bottom, left: the print CSS's ``@page`` margins (the footer sits in the bottom one)."""
COLUMN_WIDTH = A4[0] - PAGE_MARGINS[1] - PAGE_MARGINS[3]
FRAME_HEIGHT = A4[1] - PAGE_MARGINS[0] - PAGE_MARGINS[2]
FOOTER_WIDTH = 130 * mm
"""The rule over the contact line, centred: as wide as the print CSS's running footer."""
BASE_SIZE = 11
LINE_HEIGHT = 1.75
"""The body's line height in ems (the print CSS's ``line-height``): airy, as the seeds' Word original."""
BOLD_STROKE = 0.035
"""Stroke width of drawn bold, in ems: about the weight difference of Noto Sans CJK Bold."""
NUMBER_COLUMN = 3
"""Ems the 目 录 keeps at the right for page numbers (up to three digits and a gap)."""
TABLE_COLUMN_CAP = 16
"""Ems at most a table column asks for by its content; wider cells wrap."""
ROW_SPLIT_MIN = 2 * 10 * 1.5
"""Points each part of a table row split across pages keeps at least: two lines of a cell."""
MAX_CONTENTS_TITLE = 120
"""Characters of a title the 目 录 lists (the rest as ……): a runaway title is printed in full
as its heading, but a 目 录 line must fit on a page."""

_LEADER = ". "
"""One step of the 目 录's dotted leader."""

rl_config.useA85 = 0
"""Streams stay binary (compressed), not ASCII85-encoded as well: the encoding, in pure Python
here, was 13% of a 100-notice issue's CPU and made the file a quarter larger (ReportLab's
documented setting; read when a document is written)."""

RED = colors.HexColor("#b3000c")
INK = colors.HexColor("#111111")
GREY = colors.HexColor("#777777")
LINK = colors.HexColor("#1155cc")


@dataclass(frozen=True)
class Mark:
    """A heading the 目 录 points to: its destination, its outline entry, and its page form."""

    key: str
    title: str
    level: int


def _page_form(key: str) -> str:
    """The form that shows the page number of the heading ``key`` (defined when it is drawn)."""
    return f"page-{key}"


# --------------------------------------------------------------------------- public API


def cannot_draw(text: str) -> str | None:
    """Why ReportLab cannot draw ``text`` in full (no font, or characters the font lacks), or None.

    Private-use characters (icon fonts' glyphs a page leaked) are in no font and not counted."""
    found = _font_file()
    if found is None:
        return f"no TrueType CJK font ({', '.join(FONTS)}) installed"
    covered = pdfmetrics.getFont(_register_font()).face.charToGlyph
    lacking = sorted({c for c in text if ord(c) > 0x7F and ord(c) not in covered and _printable(c)})
    return f"{found[0]} lacks {''.join(lacking[:20])}" if lacking else None


def _printable(character: str) -> bool:
    return unicodedata.category(character) not in ("Co", "Cc", "Cf", "Zs", "Zl", "Zp", "Cn")


def render(issue: Issue) -> bytes:
    """The issue's PDF (raises ``LookupError`` when no :data:`FONTS` family is installed,
    :class:`LayoutError` for what it cannot set, such as a table too wide for the page)."""
    styles = _styles(_register_font())
    out = io.BytesIO()
    document = BaseDocTemplate(
        out,
        pagesize=A4,
        title=f"{issue.layout.publisher} {issue.layout.title} {issue.label}",
        author=issue.layout.publisher,
        creator="Kuaixun",
        pageTemplates=[_page_template(issue, styles)],
    )
    document.build(list(_story(issue, styles)))
    return out.getvalue()


# --------------------------------------------------------------------------- font


@cache
def _font_file() -> tuple[str, int] | None:
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    for family in FONTS:
        found = subprocess.run(
            [fc_match, "--format=%{family}\n%{file}\n%{index}\n%{fontformat}", family],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.split("\n")
        if len(found) == 4 and family in found[0].split(",") and found[3] == "TrueType":
            return found[1], int(found[2])
    return None


@cache
def _register_font() -> str:
    """Loaded once per process: parsing the font's tables is most of a small issue's time."""
    found = _font_file()
    if found is None:
        raise LookupError(f"no TrueType CJK font ({', '.join(FONTS)}): run scripts/system-deps.sh")
    path, index = found
    pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=index))
    return FONT_NAME


# --------------------------------------------------------------------------- styles


@dataclass(frozen=True)
class Styles:
    """The print CSS's rules as paragraph styles (sizes in points)."""

    body: ParagraphStyle
    para: ParagraphStyle
    centred: ParagraphStyle
    right: ParagraphStyle
    publisher: ParagraphStyle
    masthead: ParagraphStyle
    label: ParagraphStyle
    toc_head: ParagraphStyle
    toc_section: ParagraphStyle
    toc_item: ParagraphStyle
    section: ParagraphStyle
    title: ParagraphStyle
    annex_title: ParagraphStyle
    small: ParagraphStyle
    posted: ParagraphStyle
    cell: ParagraphStyle
    changes: ParagraphStyle
    footer: ParagraphStyle


@cache
def _styles(font: str) -> Styles:
    body = ParagraphStyle(
        "body",
        fontName=font,
        fontSize=BASE_SIZE,
        leading=BASE_SIZE * LINE_HEIGHT,
        textColor=INK,
        wordWrap="CJK",
        alignment=TA_LEFT,
    )

    def like(name: str, size: float = BASE_SIZE, height: float = LINE_HEIGHT, **rest: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=body, fontSize=size, leading=size * height, **rest)

    toc_number = NUMBER_COLUMN * BASE_SIZE

    return Styles(
        body=body,
        para=like("para", firstLineIndent=2 * BASE_SIZE, alignment=TA_JUSTIFY, spaceAfter=1.2 * mm),
        centred=like("centred", alignment=TA_CENTER, spaceAfter=3 * mm, keepWithNext=1),
        right=like("right", alignment=TA_RIGHT),
        publisher=like("publisher", 16, alignment=TA_CENTER),
        masthead=like(
            "masthead", 48, 1.3, alignment=TA_CENTER, textColor=RED, spaceBefore=6 * mm, spaceAfter=3 * mm
        ),
        label=like("label", 15, alignment=TA_CENTER, spaceAfter=6 * mm),
        toc_head=like("toc_head", 17, alignment=TA_CENTER, spaceBefore=9 * mm, spaceAfter=4 * mm),
        toc_section=like(
            "toc_section",
            height=1.5,
            textColor=RED,
            spaceBefore=3 * mm,
            spaceAfter=1.2 * mm,
            rightIndent=toc_number,
        ),
        toc_item=like(
            "toc_item", height=1.5, leftIndent=BASE_SIZE, spaceAfter=1.2 * mm, rightIndent=toc_number
        ),
        section=like("section", 15, 1.5, textColor=RED, spaceBefore=2 * mm, keepWithNext=1),
        title=like(
            "title", 15, 1.5, alignment=TA_CENTER, spaceBefore=3 * mm, spaceAfter=2 * mm, keepWithNext=1
        ),
        annex_title=like(
            "annex_title", 13, 1.5, alignment=TA_CENTER, spaceBefore=2 * mm, spaceAfter=3 * mm, keepWithNext=1
        ),
        small=like("small", 10),
        posted=like("posted", 10, textColor=colors.HexColor("#555555"), spaceBefore=4 * mm),
        cell=like("cell", 10, 1.5),
        changes=like("changes", 9.5),
        footer=like("footer", 9, 1.5, alignment=TA_CENTER, textColor=colors.HexColor("#444444")),
    )


# --------------------------------------------------------------------------- text


def text(value: Any) -> str:
    """Fetched text as Paragraph markup that shows exactly its characters."""
    return xml_escape(clean(value))


def coloured(markup: str, colour: colors.Color) -> str:
    return f'<font color="{colour.hexval()}">{markup}</font>'


def _marks(issue: Issue, item: IssueItem) -> str:
    """（更新） and the editor's 「待核」 after a title, as the print CSS colours them."""
    out = coloured("（更新）", RED) if item.revised else ""
    review = issue.review_mark(item)
    return out + (coloured(text(review), colors.HexColor("#7a5200")) if review else "")


CANNOT_START = "，。、；：？！）》」』】〕］｝〉”’…—·％,.;:?!)]}%"
"""Closing punctuation no line may start with (GB/T 15834, 标点符号用法): it hangs in the margin."""
CANNOT_END = "（《「『【〔［｛〈“‘([{"
"""Opening punctuation no line may end with: it moves to the next line with its text."""
FUZZ = 1e-6
"""Points a line may overrun by rounding."""


def break_lines(text: str, widths: list[float], max_widths: list[float]) -> list[tuple[float, str]]:
    """``text`` as lines no wider than ``max_widths`` (one per line, the last for the rest;
    ``widths`` per character), each with the
    room left at its end (negative when punctuation hangs): breaking between any two characters
    of Chinese, after closing and before opening punctuation, and not inside a Latin word or
    number while it is shorter than half the line."""
    lines: list[tuple[float, str]] = []
    start, n = 0, len(text)
    while start < n:
        max_width = max_widths[min(len(lines), len(max_widths) - 1)]
        end, used = start, 0.0
        while end < n and used + widths[end] <= max_width + FUZZ:
            used += widths[end]
            end += 1
        end = max(end, start + 1)
        if end < n and text[end] in CANNOT_START and (end + 1 == n or text[end + 1] not in CANNOT_START):
            end += 1  # one closing mark hangs past the margin, as Word sets Chinese
        cut = _before_word(text, start, end)
        while start + 1 < cut < n and (text[cut] in CANNOT_START or text[cut - 1] in CANNOT_END):
            cut -= 1
        lines.append((max_width - sum(widths[start:cut]), text[start:cut]))
        start = cut + 1 if cut < n and text[cut] == " " else cut  # the space a line ends at is not printed
    return lines


def _before_word(text: str, start: int, cut: int) -> int:
    """``cut`` moved back to the start of a Latin word or number it would split, if that is in
    the second half of the line."""
    back = cut
    while back > start and back < len(text) and _latin(text[back - 1]) and _latin(text[back]):
        back -= 1
    return back if back > (start + cut) // 2 else cut


def _latin(character: str) -> bool:
    return character.isascii() and (character.isalnum() or character in "-./_")


class Text(Paragraph):
    """A paragraph broken by :func:`break_lines` (ReportLab's own CJK breaking lets a line start
    with ， or end with （); text in several styles (a title and its marks) keeps ReportLab's."""

    def breakLinesCJK(self, maxWidths: Any) -> Any:
        widths = maxWidths if isinstance(maxWidths, list | tuple) else [maxWidths]
        frags = self.frags
        if not frags or (hasattr(self, "blPara") and getattr(self, "_splitpara", 0)):
            return super().breakLinesCJK(maxWidths)  # nothing to break; or the head of a split, broken
        head = frags[0]
        if not all(sameFrag(head, frag) for frag in frags):
            return super().breakLinesCJK(maxWidths)  # text in several styles
        # one style, in pieces where the markup had an entity (&lt;) or, for the tail of a
        # split paragraph, as its lines' words
        text = "".join(getattr(frag, "text", None) or "".join(getattr(frag, "words", ())) for frag in frags)
        face = pdfmetrics.getFont(head.fontName).face
        advance, default, scale = face.charWidths.get, face.defaultWidth, head.fontSize / 1000
        lines = break_lines(text, [advance(ord(c), default) * scale for c in text], list(widths))
        return head.clone(
            kind=0,
            lines=[(room, [line]) for room, line in lines],
            ascent=head.fontSize,
            descent=-0.2 * head.fontSize,
        )


class Line(Text):
    """A paragraph that can be bold (outlines stroked too), whose last line never holds fewer
    than :data:`~notify.render.KEPT_TOGETHER` characters when it wraps (…通 / 知), and that
    may carry a :class:`Mark` (the page the 目 录 shows, the outline entry, the link target)."""

    def __init__(
        self,
        markup: str | None,
        style: ParagraphStyle,
        bold: bool = False,
        keep_ending: bool = False,
        mark: Mark | None = None,
        **split: Any,
    ) -> None:
        super().__init__(markup, style, **split)  # ``split``: how ReportLab makes the parts of a split
        self.given_style = style
        self.bold, self.keep_ending, self.mark = bold, keep_ending, mark

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.style = self.given_style  # a new width breaks the text afresh
        size = super().wrap(available_width, available_height)
        squeeze = 0.0
        while self.keep_ending and _last_line_length(self) < KEPT_TOGETHER and squeeze < available_width / 2:
            squeeze += self.style.fontSize  # one character narrower, then break again
            self.style = _narrower(self.given_style, squeeze)
            size = super().wrap(available_width, available_height)
        return size

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        if self.height <= FRAME_HEIGHT / 2:
            return []  # a title moves to the next page whole, its mark with it
        parts = super().split(available_width, available_height)  # a runaway title does not
        for part in parts:
            part.bold, part.mark = self.bold, None
        if parts:
            parts[0].mark = self.mark
        return parts

    def draw(self) -> None:
        canvas = self.canv
        if self.mark:
            _place_mark(canvas, self.mark)
        if not self.bold:
            super().draw()
            return
        canvas.saveState()
        stroke = canvas.beginText()
        stroke.setTextRenderMode(2)  # fill and stroke: kept by the graphics state for the paragraph
        canvas.drawText(stroke)
        canvas.setStrokeColor(self.style.textColor)
        canvas.setLineWidth(self.style.fontSize * BOLD_STROKE)
        super().draw()
        canvas.restoreState()


def _narrower(style: ParagraphStyle, by: float) -> ParagraphStyle:
    """The style ``by`` points narrower: from the right, or from both sides for centred text."""
    side = by / 2 if style.alignment == TA_CENTER else 0
    return ParagraphStyle(
        "narrower",
        parent=style,
        leftIndent=style.leftIndent + side,
        rightIndent=style.rightIndent + by - side,
    )


def _last_line_length(paragraph: Paragraph) -> int:
    lines = paragraph.blPara.lines
    if len(lines) < 2:
        return KEPT_TOGETHER
    last = lines[-1]
    if paragraph.blPara.kind == 0:
        return len(" ".join(last[1]))
    return sum(len(getattr(word, "text", "")) for word in last.words)


def _place_mark(canvas: Canvas, mark: Mark) -> None:
    """The destination and outline entry of a heading, and the form with its page number (the
    目 录, drawn earlier, shows the form: a PDF may name a form before it is defined)."""
    canvas.bookmarkPage(mark.key)
    canvas.addOutlineEntry(mark.title, mark.key, level=mark.level)
    page = str(canvas.getPageNumber())
    column = NUMBER_COLUMN * BASE_SIZE
    canvas.beginForm(_page_form(mark.key), -column, -BASE_SIZE, 0, 2 * BASE_SIZE)
    canvas.setFont(FONT_NAME, BASE_SIZE)
    canvas.setFillColor(INK)
    # the leader runs on to the number: a reader (and pdftotext) sees one line
    room = column - canvas.stringWidth(f" {page}", FONT_NAME, BASE_SIZE)
    canvas.drawString(-column, 0, _LEADER * int(room // canvas.stringWidth(_LEADER, FONT_NAME, BASE_SIZE)))
    canvas.drawRightString(0, 0, page)
    canvas.endForm()


class TocEntry(Flowable):
    """A 目 录 line: the title (wrapped short of the number column), a dotted leader, and the page
    number of its target, the whole line a link to it."""

    def __init__(self, line: Line, key: str) -> None:
        super().__init__()
        self.line, self.key = line, key

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        _, self.height = self.line.wrap(available_width, available_height)
        return available_width, self.height

    def getSpaceBefore(self) -> float:
        return self.line.getSpaceBefore()

    def getSpaceAfter(self) -> float:
        return self.line.getSpaceAfter()

    def draw(self) -> None:
        canvas, line = self.canv, self.line
        line.drawOn(canvas, 0, 0)
        style, lines = line.style, line.blPara.lines
        ascent = getattr(lines[0], "ascent", style.fontSize)
        baseline = self.height - ascent - (len(lines) - 1) * style.leading  # the last line's, from the bottom
        end = style.leftIndent + _last_line_width(line) + style.fontSize / 2
        right = self.width - NUMBER_COLUMN * BASE_SIZE
        canvas.saveState()
        canvas.setFont(FONT_NAME, style.fontSize)
        canvas.setFillColor(INK)
        dot = canvas.stringWidth(_LEADER, FONT_NAME, style.fontSize)
        count = int((right - end) // dot)
        if count > 0:  # on the grid the number's form continues from ``right``
            canvas.drawString(right - count * dot, baseline, _LEADER * count)
        canvas.translate(self.width, baseline)
        canvas.doForm(_page_form(self.key))
        canvas.restoreState()
        canvas.linkRect("", self.key, (0, 0, self.width, self.height), relative=1)


def _last_line_width(paragraph: Paragraph) -> float:
    last = paragraph.blPara.lines[-1]
    extra = last[0] if paragraph.blPara.kind == 0 else last.extraSpace
    return paragraph.width - paragraph.style.leftIndent - paragraph.style.rightIndent - extra


# --------------------------------------------------------------------------- pages


def _page_template(issue: Issue, styles: Styles) -> PageTemplate:
    top, right, bottom, left = PAGE_MARGINS
    width, height = A4
    frame = Frame(left, bottom, width - left - right, height - top - bottom, 0, 0, 0, 0, id="body")
    footer = [Text(text(line), styles.footer) for line in issue.layout.footer]

    def decorate(canvas: Canvas, document: BaseDocTemplate) -> None:
        """The contact line under a rule at the foot of every page; the number from page 2 on."""
        canvas.saveState()
        rule = bottom - 3 * mm
        canvas.setStrokeColor(colors.HexColor("#999999"))
        canvas.setLineWidth(0.6)
        canvas.line((width - FOOTER_WIDTH) / 2, rule, (width + FOOTER_WIDTH) / 2, rule)
        y = rule - 1.5 * mm
        for paragraph in footer:
            _, h = paragraph.wrap(FOOTER_WIDTH, bottom)
            y -= h
            paragraph.drawOn(canvas, (width - FOOTER_WIDTH) / 2, y)
        if canvas.getPageNumber() > 1:
            canvas.setFont(FONT_NAME, 9)
            canvas.setFillColor(GREY)
            canvas.drawRightString(width - right, bottom - 4 * mm - 9, str(canvas.getPageNumber()))
        canvas.restoreState()

    return PageTemplate(id="page", frames=[frame], onPage=decorate)


# --------------------------------------------------------------------------- the story


def _story(issue: Issue, styles: Styles) -> Iterator[Flowable]:
    yield from _front(issue, styles)
    for si, section in enumerate(issue.sections, 1):
        mark = Mark(f"s{si}", f"[{section.name}]", 0)
        yield CondPageBreak(6 * BASE_SIZE)  # a section name never ends a page
        yield Line(text(f"[{section.name}]"), styles.section, bold=True, mark=mark)
        rule = HRFlowable(width="100%", thickness=1.2, color=RED, spaceBefore=1 * mm, spaceAfter=5 * mm)
        rule.keepWithNext = 1
        yield rule
        for ii, item in enumerate(section.items, 1):
            yield from _item(issue, item, Mark(f"s{si}-{ii}", clean(item.title), 1), styles)
    if issue.layout.closing:
        closing = [
            Text(text(line), ParagraphStyle("c", parent=styles.small, alignment=TA_CENTER))
            for line in issue.layout.closing
        ]
        rule = HRFlowable(width="100%", thickness=0.6, color=GREY, spaceBefore=10 * mm, spaceAfter=4 * mm)
        yield KeepTogether([rule, *closing])


def _front(issue: Issue, styles: Styles) -> Iterator[Flowable]:
    """Publisher, 快 讯, the issue number over a red rule, then the 目 录; the items from the next page."""
    yield Spacer(0, 18 * mm)  # a frame drops the space before its first paragraph
    yield Text(text(issue.layout.publisher), styles.publisher)
    yield Line(text(issue.layout.title), styles.masthead, bold=True)
    yield Text(text(issue.label), styles.label)
    yield HRFlowable(width="100%", thickness=2, color=RED, spaceBefore=0, spaceAfter=0)
    yield Line("目 录", styles.toc_head, bold=True)
    for si, section in enumerate(issue.sections, 1):
        yield TocEntry(Line(text(f"[{section.name}]"), styles.toc_section, bold=True), f"s{si}")
        for ii, item in enumerate(section.items, 1):
            entry = text(_contents_title(item.title)) + _marks(issue, item)
            yield TocEntry(Line(entry, styles.toc_item, keep_ending=True), f"s{si}-{ii}")
    yield PageBreak()


def _contents_title(title: str) -> str:
    return title if len(title) <= MAX_CONTENTS_TITLE else title[:MAX_CONTENTS_TITLE] + "……"


def _item(issue: Issue, item: IssueItem, mark: Mark, styles: Styles) -> Iterator[Flowable]:
    """One notice as the print page sets it: title, 文号, changes, 主送, body, 落款, annex, links."""
    yield Line(text(item.title) + _marks(issue, item), styles.title, bold=True, keep_ending=True, mark=mark)
    if item.doc_number:
        yield Text(text(item.doc_number), styles.centred)
    if item.revised and changes(item.diff):
        yield _changes(item, styles)
    if item.addressee:
        yield Text(text(item.addressee) + "：", ParagraphStyle("a", parent=styles.body, spaceBefore=3 * mm))
    yield from _blocks(item.body, styles)
    if item.signers or item.date:
        lines = [Text(text(line), styles.right) for line in (*item.signers, item.date) if line]
        yield Spacer(0, 5 * mm)
        yield KeepTogether(lines)
    if item.annex:
        yield from _annex(item.annex, styles)
    if item.posted:
        yield Text(text(f"发布日期：{item.posted}"), styles.posted)
    urls = [url for url in (safe_url(u) for u in item.source_urls) if url]
    if urls:
        links = [Text("相关链接：", styles.small)]
        links += [Text(_link(url), styles.small) for url in urls]
        yield Spacer(0, 4 * mm)
        yield KeepTogether(links)
    yield Spacer(0, 10 * mm)


def _link(url: str) -> str:
    """A checked URL as a live link showing itself (quoted for the markup's attribute)."""
    target = xml_escape(url, {'"': "&quot;"})
    return f'<a href="{target}" color="{LINK.hexval()}">{text(url)}</a>'


def _changes(item: IssueItem, styles: Styles) -> Flowable:
    """本期更新: the changed lines in a shaded box ruled on the left, as the print CSS draws it."""
    head = ParagraphStyle("h", parent=styles.changes, textColor=colors.HexColor("#7a5200"))
    lines: list[Flowable] = [Line("本期更新：与上次刊出的版本相比", head, bold=True)]
    for change in changes(item.diff):
        if change.kind == "removed":
            markup = coloured(f"<strike>− {text(change.text)}</strike>", colors.HexColor("#aa1111"))
        else:
            markup = coloured(f"+ {text(change.text)}", colors.HexColor("#176b2c"))
        lines.append(Text(markup, styles.changes))
    more = changes_left_out(item.diff)
    if more:
        lines.append(Text(f"…… 另有 {more} 处改动", styles.changes))
    box = GridTable([[lines]], colWidths=["100%"], splitInRow=ROW_SPLIT_MIN)
    box.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#fff8e1")),
                ("LINEBEFORE", (0, 0), (0, -1), 2.5, colors.HexColor("#f0a500")),
                ("LEFTPADDING", (0, 0), (-1, -1), 3 * mm),
                ("TOPPADDING", (0, 0), (-1, -1), 2 * mm),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2 * mm),
            ]
        )
    )
    box.spaceBefore, box.spaceAfter = 2 * mm, 4 * mm
    return box


def _annex(annex: Annex, styles: Styles) -> Iterator[Flowable]:
    yield Spacer(0, 8 * mm)
    if annex.label:
        yield Line(text(annex.label), ParagraphStyle("l", parent=styles.body, spaceAfter=2 * mm), bold=True)
    if annex.title:
        yield Line(text(annex.title), styles.annex_title, bold=True, keep_ending=True)
    yield from _blocks(annex.blocks, styles)


def _blocks(blocks: tuple[Block, ...], styles: Styles) -> Iterator[Flowable]:
    for block in blocks:
        if isinstance(block, Table):
            yield _table(block, styles)
        elif isinstance(block, AttachmentList):
            yield _attachments(block, styles)
        else:
            yield Text(text(block), styles.para)


def _table(table: Table, styles: Styles) -> Flowable:
    """A notice's table across the column, ruled, each column as wide as its content asks
    (up to :data:`TABLE_COLUMN_CAP` ems), the rest shared out in that proportion."""
    cells = [[Text(text(cell), styles.cell) for cell in row] for row in table.rows]
    size = styles.cell.fontSize
    padding = 3 * mm + size  # the cell's padding, and a character to spare
    widest = [
        max(pdfmetrics.stringWidth(clean(cell), FONT_NAME, size) for cell in column)
        for column in zip(*table.rows, strict=True)
    ]
    if len(widest) * padding > COLUMN_WIDTH:
        raise LayoutError(f"a table of {len(widest)} columns: wider than the page at one character each")
    wants = [min(width, TABLE_COLUMN_CAP * size) + padding for width in widest]
    widths = [f"{100 * want / sum(wants):.3f}%" for want in wants]
    grid = GridTable(cells, colWidths=widths, splitInRow=ROW_SPLIT_MIN)
    grid.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.6, colors.HexColor("#666666")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 1.5 * mm),
                ("RIGHTPADDING", (0, 0), (-1, -1), 1.5 * mm),
                ("TOPPADDING", (0, 0), (-1, -1), 1 * mm),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1 * mm),
            ]
        )
    )
    grid.spaceBefore, grid.spaceAfter = 2 * mm, 3 * mm
    return grid


def _attachments(attachments: AttachmentList, styles: Styles) -> Flowable:
    """附件： then the entries, each under the first, two characters in from the body's edge."""
    label = pdfmetrics.stringWidth("附件：", FONT_NAME, BASE_SIZE)
    rows = [
        ["", "附件：" if n == 0 else "", Text(text(entry), styles.body)]
        for n, entry in enumerate(attachments.entries)
    ]
    widths = [2 * BASE_SIZE, label, COLUMN_WIDTH - 2 * BASE_SIZE - label]
    grid = GridTable(rows, colWidths=widths, splitInRow=ROW_SPLIT_MIN)
    grid.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT_NAME, BASE_SIZE, BASE_SIZE * LINE_HEIGHT),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    grid.spaceBefore, grid.spaceAfter = 3 * mm, 1.2 * mm
    return grid
