"""Rendering an issue in its four formats — HTML email, text/plain, Markdown, PDF — from Jinja2 templates.

Everything printed from a notice was scraped from a website, so every format treats it as
hostile text: control and bidi-override characters are dropped and line breaks flattened
(a field cannot forge extra lines), HTML is autoescaped, Markdown is backslash-escaped by
default, and only ``http(s)`` URLs ever become links.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from notify.escape import clean, safe_url
from notify.escape import commonmark as md_escape
from notify.issue import AttachmentList, Issue, Table
from notify.width import display_width, pad

log = logging.getLogger(__name__)

MAX_CHANGE_LINES = 12
"""A revised notice shows at most this many changed lines; the rest is counted, not printed."""
KEPT_TOGETHER = 2
"""Characters that end a title on one line: a wrapped title never ends with one lone character."""
MAX_REASON = 200
"""Characters of ReportLab's layout error logged: it prints the whole flowable."""
COLUMN_GAP = "  "
"""Between the columns of a text table: two spaces set cells apart without drawing rules."""


@dataclass(frozen=True)
class Change:
    """One line of a revision's "what changed" block."""

    kind: str
    """``removed`` or ``added``."""
    text: str


# --------------------------------------------------------------------------- public API


def render_html(issue: Issue, *, summary: bool = False) -> str:
    """The issue as an HTML email: table layout and inline CSS, because mail clients drop
    ``<style>`` and scripts. With ``summary``, only the 目录 with each notice's opening, deadline
    and link (the full issue goes as the PDF)."""
    return _template("digest.html.j2").render(issue=issue, summary=summary)


def render_text(issue: Issue, *, summary: bool = False) -> str:
    """The text/plain version, laid out like the text seeds (or, with ``summary``, the summary)."""
    return _template("digest.txt.j2").render(issue=issue, summary=summary)


def render_markdown(issue: Issue) -> str:
    """The issue in the layout of the markdown seed, for chat channels and archives."""
    return markdown_environment().get_template("digest.md.j2").render(issue=issue)


def render_print_html(issue: Issue) -> str:
    """The HTML the PDF is made from (paged-media CSS only WeasyPrint understands)."""
    return _template("digest.print.html.j2").render(issue=issue)


def render_pdf(issue: Issue) -> bytes:
    """The A4 PDF of the issue, with the CJK font embedded so no reader ever sees boxes: drawn by
    the layout's ``pdf_engine``, or by WeasyPrint (fontconfig's fallback fonts) when ReportLab's
    TrueType font is missing or lacks a character the issue prints."""
    html = render_print_html(issue)
    if issue.layout.pdf_engine == "reportlab":
        from notify import pdf  # imported here: ReportLab is only needed for the PDF

        reason = pdf.cannot_draw(html)
        if reason is None:
            try:
                return pdf.render(issue)
            except pdf.LayoutError as error:  # e.g. a table too wide for the page
                reason = f"ReportLab cannot lay the issue out ({str(error)[:MAX_REASON]}…)"
        log.warning("%s: the PDF is drawn by WeasyPrint", reason)
    _warn_without_cjk_font()
    return pdf_from_print_html(html)


def pdf_from_print_html(html: str) -> bytes:
    """The PDF of a print page; WeasyPrint fetches nothing: no image, stylesheet, ``@import`` or
    ``url()`` a page named can reach a file or a host (the font comes from fontconfig, not a URL)."""
    from weasyprint import HTML  # imported here: it loads pango, which only the PDF needs
    from weasyprint.urls import URLFetcher

    # The print page bundles nothing it would load (its CSS is inline, its font found by family
    # name), so no scheme is allowed: file:, http(s):, data: and relative URLs are all refused.
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=())).write_pdf()


# --------------------------------------------------------------------------- filters


def http_urls(urls: Any) -> list[str]:
    """The safe http(s) URLs among ``urls``; others (``javascript:``, ``data:``, relative) are dropped."""
    return [url for url in (safe_url(u) for u in urls or ()) if url]


def keep_ending(title: Any) -> Markup:
    """A title (HTML) whose last :data:`KEPT_TOGETHER` characters cannot be split by a line
    break, so a wrapped title never leaves one character alone on its last line (…通 / 知)."""
    text = clean(title)
    head, tail = text[:-KEPT_TOGETHER], text[-KEPT_TOGETHER:]
    return escape(head) + Markup('<span style="white-space:nowrap">') + escape(tail) + Markup("</span>")


def text_table(table: Table) -> list[str]:
    """A table as text lines, columns aligned by display width (a Chinese character takes two)."""
    rows = [[clean(cell) for cell in row] for row in table.rows]
    widths = _column_widths(rows)
    return [COLUMN_GAP.join(_padded(row, widths)).rstrip() for row in rows]


def md_table(table: Table) -> list[Markup]:
    """A table as a Markdown pipe table (its first row the header), cells escaped and aligned."""
    rows = [[md_escape(cell) for cell in row] for row in table.rows]
    widths = [max(width, 3) for width in _column_widths(rows)]
    lines = [_md_row(row, widths) for row in rows]
    lines.insert(1, _md_row(["-" * width for width in widths], widths))
    return lines


def md_autolink(url: Any) -> Markup:
    """A ``<url>`` autolink, as the markdown seed prints 相关链接; only ever called on a safe URL."""
    checked = safe_url(url)
    return Markup(f"<{checked}>") if checked else Markup("")


def changes(diff: str | None, limit: int = MAX_CHANGE_LINES) -> list[Change]:
    """The removed and added lines of a unified diff (headers and context left out), at most ``limit``."""
    found: list[Change] = []
    in_hunk = False
    for line in (diff or "").splitlines():
        if line.startswith("@@"):
            in_hunk = True
        if not in_hunk or line.startswith("@@") or line[:1] not in ("-", "+"):
            continue  # the ---/+++ file header, hunk headers and context lines
        text = line[1:].strip()
        if text:
            found.append(Change("removed" if line[0] == "-" else "added", text))
    return found[:limit]


def changes_left_out(diff: str | None, limit: int = MAX_CHANGE_LINES) -> int:
    """How many changed lines :func:`changes` did not show."""
    return max(0, len(changes(diff, limit=10**9)) - limit)


def _column_widths(rows: list[list[str]]) -> list[int]:
    return [max(display_width(row[i]) for row in rows) for i in range(len(rows[0]))]


def _padded(cells: list[str], widths: list[int]) -> list[str]:
    return [pad(cell, width) for cell, width in zip(cells, widths, strict=True)]


def _md_row(cells: list[str], widths: list[int]) -> Markup:
    return Markup("| " + " | ".join(_padded(cells, widths)) + " |")


# --------------------------------------------------------------------------- environments


def _finalize_plain(value: Any) -> Any:
    """Every ``{{ }}`` of the HTML and text templates passes here, so no field can smuggle controls."""
    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    return clean(value)


def _finalize_markdown(value: Any) -> Any:
    """Markdown escapes by default, like HTML autoescaping: only ``Markup`` (autolinks) passes raw."""
    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    return md_escape(value)


def _configure(env: Environment) -> Environment:
    env.filters.update(http_urls=http_urls, changes=changes, changes_left_out=changes_left_out)
    env.filters.update(keep_ending=keep_ending, text_table=text_table, md_table=md_table)
    env.filters.update(md_autolink=md_autolink)
    env.tests.update(table=lambda value: isinstance(value, Table))
    env.tests.update(attachment_list=lambda value: isinstance(value, AttachmentList))
    return env


@cache
def environment() -> Environment:
    """HTML (email and print) and text templates; HTML autoescaped, both cleaned of control characters."""
    return _configure(
        Environment(
            loader=PackageLoader("notify", "templates"),
            autoescape=select_autoescape(["html", "html.j2"], default_for_string=True),
            finalize=_finalize_plain,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,  # the templates ship with the package: no stat() per message rendered
        )
    )


@cache
def markdown_environment() -> Environment:
    """The Markdown template, whose every expression is Markdown-escaped unless marked safe."""
    env = Environment(
        loader=PackageLoader("notify", "templates"),
        autoescape=False,
        finalize=_finalize_markdown,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.globals["hard_break"] = Markup("  ")  # two trailing spaces: a line break inside a paragraph
    return _configure(env)


def _template(name: str) -> Any:
    return environment().get_template(name)


# --------------------------------------------------------------------------- PDF helpers


@cache
def _warn_without_cjk_font() -> None:
    """Say once, loudly, when fontconfig has no Chinese font: the PDF would print boxes."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return
    found = subprocess.run(
        [fc_list, ":lang=zh", "family"], capture_output=True, text=True, check=False
    ).stdout.strip()
    if not found:
        log.warning("no CJK font installed: the PDF will show boxes; run scripts/system-deps.sh")
