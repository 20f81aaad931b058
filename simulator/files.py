"""Real small attachment files, generated at start-up, in the formats government sites serve.

PDF uses reportlab's built-in CID font STSong-Light so the Chinese text is extractable
(as from a real text PDF). ``.doc`` files are RTF under a .doc name, as many real
government .doc downloads are. XLS, DOCX and XLSX are produced by xlwt, python-docx and
openpyxl so that format sniffing and text extraction meet the genuine containers.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class FileBlob:
    """Bytes of one served file plus how the server labels them."""

    data: bytes
    content_type: str
    filename: str
    """Name offered in Content-Disposition (the attachment's display name)."""


_FONT = "STSong-Light"
_font_ready = False


def _ensure_font() -> None:
    global _font_ready
    if not _font_ready:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont

        pdfmetrics.registerFont(UnicodeCIDFont(_FONT))
        _font_ready = True


def make_pdf(title: str, paragraphs: Sequence[str]) -> bytes:
    """A text PDF: centred title, then one paragraph per entry."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    _ensure_font()
    body = ParagraphStyle("body", fontName=_FONT, fontSize=11, leading=18, wordWrap="CJK", firstLineIndent=22)
    head = ParagraphStyle("head", parent=body, fontSize=16, leading=26, alignment=1, firstLineIndent=0)
    story = [Paragraph(escape(title), head), Spacer(1, 12)]
    story += [Paragraph(escape(p).replace("\t", "　"), body) for p in paragraphs if p.strip()]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, title=title, author="", creator="", producer="")
    doc.build(story)
    return buf.getvalue()


def _rtf_text(text: str) -> str:
    out = []
    for ch in text:
        code = ord(ch)
        if ch in "\\{}":
            out.append("\\" + ch)
        elif code < 128:
            out.append(ch)
        elif code > 0xFFFF:
            out.append("?")
        else:
            out.append(f"\\u{code if code < 0x8000 else code - 0x10000}?")
    return "".join(out)


def make_rtf(title: str, paragraphs: Sequence[str]) -> bytes:
    """An RTF document (what many gov ``.doc`` links really return)."""
    lines = [
        r"{\rtf1\ansi\ansicpg936\deff0{\fonttbl{\f0\fnil\fcharset134 SimSun;}}",
        r"\viewkind4\uc1\pard\qc\f0\fs32 " + _rtf_text(title) + r"\par",
        r"\pard\fs24",
    ]
    lines += [r"\fi480 " + _rtf_text(p) + r"\par" for p in paragraphs]
    lines.append("}")
    return ("\n".join(lines) + "\n").encode("ascii")


def _rows(paragraphs: Sequence[str]) -> list[list[str]]:
    """Table rows from the annex text: tab-separated cells, one row per paragraph."""
    return [p.split("\t") for p in paragraphs if p.strip()]


def make_xls(title: str, paragraphs: Sequence[str]) -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    sheet.write(0, 0, title)
    for r, row in enumerate(_rows(paragraphs), start=1):
        for c, cell in enumerate(row):
            sheet.write(r, c, cell)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def make_xlsx(title: str, paragraphs: Sequence[str]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append([title])
    for row in _rows(paragraphs):
        sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def make_docx(title: str, paragraphs: Sequence[str]) -> bytes:
    from docx import Document

    doc = Document()
    doc.add_heading(title, level=1)
    for p in paragraphs:
        doc.add_paragraph(p)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


_MAKERS: dict[str, Callable[[str, Sequence[str]], bytes]] = {
    "pdf": make_pdf,
    "doc": make_rtf,
    "xls": make_xls,
    "docx": make_docx,
    "xlsx": make_xlsx,
}


def make_file(kind: str, title: str, paragraphs: Sequence[str], filename: str) -> FileBlob:
    """Build one attachment of the given kind (pdf/doc/xls/docx/xlsx)."""
    return FileBlob(_MAKERS[kind](title, paragraphs), CONTENT_TYPES[kind], filename)
