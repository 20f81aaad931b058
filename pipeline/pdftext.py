"""PDF notices → the same blocks an HTML page gives.

pdfminer.six lays out text lines with their positions; lines are rejoined into paragraphs the way a
公文 is typeset: a paragraph starts with a two-character indent, or after a line that stops short of
the right margin (a heading, a signer, the end of a paragraph). Page numbers (``— 1 —``) are dropped.
Chinese lines are joined without spaces.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from pipeline.content import Block, clean

_PAGE_NUMBER_RE = re.compile(
    r"^[-—－–\s]*\d{1,3}[-—－–\s]*$|^第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?$|^\d+\s*/\s*\d+$"
)
_CJK_END_RE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]$")
_CJK_START_RE = re.compile(r"^[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
_MAX_PAGES = 60


@dataclass(slots=True)
class _Line:
    text: str
    x0: float
    x1: float
    height: float


def _lines(body: bytes) -> list[_Line]:
    """Text lines of every page in reading order (pdfminer's layout analysis)."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTTextContainer, LTTextLine

    lines: list[_Line] = []
    params = LAParams(line_margin=0.3, char_margin=4.0)
    for page in extract_pages(io.BytesIO(body), laparams=params, maxpages=_MAX_PAGES):
        page_lines: list[tuple[float, _Line]] = []
        for element in page:
            if not isinstance(element, LTTextContainer):
                continue
            for line in element:
                if isinstance(line, LTTextLine):
                    text = line.get_text().replace("\n", "").rstrip()
                    if text.strip():
                        item = _Line(text, line.x0, line.x1, line.height)
                        page_lines.append((-line.y1, item))
        page_lines.sort(key=lambda pair: pair[0])
        lines.extend(item for _, item in page_lines)
    return lines


def _join(left: str, right: str) -> str:
    """Join two wrapped line pieces: no space between CJK, one space between Latin words."""
    if _CJK_END_RE.search(left) or _CJK_START_RE.search(right):
        return left + right
    return f"{left} {right}"


def _ends_paragraph(line: _Line | None, left: float, right: float, char: float) -> bool:
    """True when a line closes its paragraph: it stops short of the margin after a sentence end,
    or covers less than ~60% of the width (a heading, a signer)."""
    if line is None:
        return True
    short = line.x1 < right - 2 * char
    if short and line.x0 > left + 1.5 * char:
        return True  # centred (title) or right-aligned (signature) lines stand alone
    closing = line.text.rstrip().endswith(("。", "：", ":", "；", "！", "？"))
    return (short and closing) or line.x1 < left + 0.6 * (right - left)


def paragraphs(lines: list[_Line]) -> list[str]:
    """Rejoin wrapped lines into paragraphs using indentation and short line ends."""
    lines = [line for line in lines if not _PAGE_NUMBER_RE.match(line.text.strip())]
    if not lines:
        return []
    left = min(line.x0 for line in lines)
    right = max(line.x1 for line in lines)
    char = sorted(line.height for line in lines)[len(lines) // 2] or 10.0
    out: list[str] = []
    current = ""
    previous: _Line | None = None
    for line in lines:
        text = line.text.strip()
        if current and (line.x0 - left > 1.5 * char or _ends_paragraph(previous, left, right, char)):
            out.append(current)
            current = ""
        current = _join(current, text) if current else text
        previous = line
    if current:
        out.append(current)
    return [clean(p) for p in out if clean(p)]


def pdf_blocks(body: bytes) -> list[Block]:
    """Blocks of a PDF notice; raises ValueError when the file has no extractable text."""
    lines = _lines(body)
    blocks = [Block("p", text) for text in paragraphs(lines)]
    if not blocks:
        raise ValueError("PDF has no text layer")
    return blocks
