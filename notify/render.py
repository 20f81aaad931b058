"""Rendering an issue to HTML (email-safe, inline CSS) and plain text, from Jinja2 templates."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape

from notify.issue import Issue


@cache
def environment() -> Environment:
    # Autoescape everywhere: notice text is scraped and must never inject markup.
    return Environment(
        loader=PackageLoader("notify", "templates"),
        autoescape=select_autoescape(["html", "html.j2"], default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_html(issue: Issue) -> str:
    return environment().get_template("digest.html.j2").render(issue=issue)


def render_text(issue: Issue) -> str:
    return environment().get_template("digest.txt.j2").render(issue=issue)
