"""A chat message's lines: the text escaped for the service, links only to the message's own URLs.

A chat robot gets the message's text/plain form, line by line, each line escaped for its syntax
(:mod:`notify.escape`), so nothing a page wrote can become a link, a mention or markup. Links are
made by the channel, and only to the http(s) URLs the pipeline put in ``message.links`` (each
notice's own address): a line of the text that is exactly one of them becomes that link, and the
summary lists them under their (escaped) titles.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from notify.escape import ESCAPES, link_url
from notify.outgoing import Outgoing

LinkMarkup = Callable[[str, str], str]
"""(label, target) → the service's link; the label is escaped already, the target checked."""


@dataclass(frozen=True)
class Dialect:
    """How one service writes text and links; ``kind`` is its key in :data:`notify.escape.ESCAPES`."""

    kind: str
    link: LinkMarkup
    bullet: str = "- "
    """What opens a link line of the summary."""

    def escape(self, text: str) -> str:
        return ESCAPES[self.kind](text)


def markdown_link(label: str, target: str) -> str:
    """``[label](target)``, the link of WeCom's and DingTalk's Markdown."""
    return f"[{label}]({target})"


def body_lines(message: Outgoing, dialect: Dialect) -> list[str]:
    """The text's lines escaped; a line that is one of the message's own URLs made that link."""
    own = own_urls(message)
    lines = []
    for line in message.text.splitlines():
        target = own.get(line.strip())
        lines.append(dialect.link(target, target) if target else dialect.escape(line))
    return lines


def summary_lines(message: Outgoing, dialect: Dialect) -> list[str]:
    """The summary escaped, then a link line per notice, titled with its escaped title."""
    summary = [dialect.escape(line) for line in (message.summary or message.subject).splitlines()]
    links = [
        dialect.bullet + dialect.link(dialect.escape(link.title), target)
        for link in message.links
        if (target := link_url(link.url))
    ]
    return [*summary, "", *links]


def own_urls(message: Outgoing) -> dict[str, str]:
    """Each of the message's own http(s) URLs, as written → as a link's target."""
    return {link.url: target for link in message.links if (target := link_url(link.url))}
