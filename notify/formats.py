"""The issue's file formats: a registry of renderers keyed by name, in the order they are written.

``html`` (the issue in full as an HTML email), ``text`` (its text/plain version), ``md`` (the
markdown layout), ``pdf`` (A4, cover and 目 录) and ``eml`` (what readers get: the body
``digest.email_body`` asks for, the PDF attached). A renderer sees the formats rendered before it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from notify.issue import Issue
from notify.mail import email_body, issue_message
from notify.render import render_html, render_markdown, render_pdf, render_text


@dataclass(frozen=True)
class Edition:
    """What the renderers of one issue work from; ``rendered`` fills up as they run."""

    issue: Issue
    stem: Path
    """The files' path without suffix: ``out/kuaixun-2026-1101``."""
    sender: str
    recipients: list[str]
    now: datetime
    """The issue's time in the operator's zone (the Date: of its .eml)."""
    rendered: dict[str, bytes] = field(default_factory=dict)


@dataclass(frozen=True)
class Format:
    name: str
    suffix: str
    render: Callable[[Edition], bytes]


def _eml(edition: Edition) -> bytes:
    message = issue_message(
        edition.issue,
        email_body(edition.issue),
        sender=edition.sender,
        to=edition.recipients,
        now=edition.now,
        pdf=edition.rendered["pdf"],
        pdf_name=edition.stem.with_suffix(FORMATS["pdf"].suffix).name,
    )
    return bytes(message)


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("html", ".html", lambda e: render_html(e.issue).encode("utf-8")),
        Format("text", ".txt", lambda e: render_text(e.issue).encode("utf-8")),
        Format("md", ".md", lambda e: render_markdown(e.issue).encode("utf-8")),
        Format("pdf", ".pdf", lambda e: render_pdf(e.issue)),
        Format("eml", ".eml", _eml),
    )
}


@dataclass(frozen=True)
class DigestFiles:
    """The files of one written issue, by format name (``FORMATS``)."""

    label: str
    count: int
    paths: dict[str, Path]

    @property
    def html(self) -> Path:
        return self.paths["html"]

    @property
    def text(self) -> Path:
        return self.paths["text"]

    @property
    def markdown(self) -> Path:
        return self.paths["md"]

    @property
    def pdf(self) -> Path:
        return self.paths["pdf"]

    @property
    def eml(self) -> Path:
        return self.paths["eml"]

    def moved_to(self, folder: Path) -> DigestFiles:
        """The same files, as copied into ``folder``."""
        return replace(self, paths={name: folder / path.name for name, path in self.paths.items()})


def write_formats(edition: Edition, write: Callable[[Path, bytes], None]) -> DigestFiles:
    """Render every format in turn and ``write`` each to ``stem`` + its suffix."""
    paths = {}
    for name, fmt in FORMATS.items():
        edition.rendered[name] = fmt.render(edition)
        paths[name] = edition.stem.with_suffix(fmt.suffix)
        write(paths[name], edition.rendered[name])
    return DigestFiles(edition.issue.label, edition.issue.count, paths)
