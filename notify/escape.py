"""Scraped text made inert in each syntax it is printed in: one function per target, one registry.

Everything a notice says was written by a website, so before it reaches a reader it is made
one line of visible text (no control, zero-width or bidi characters), then neutralised for
what every chat service and autolinker looks for, then escaped for the target's own syntax:

- mentions: every ``@`` becomes the fullwidth ``＠`` (``@all``, ``@所有人``, ``@channel``). A
  zero-width joiner would look the same, but services strip zero-width characters before
  they look for mentions; the fullwidth form survives that and reads the same in Chinese text.
- URL schemes: ``http://`` becomes ``http：//`` and ``javascript:`` (``data:``, ``file:``…)
  ``javascript：``, so neither a Markdown autolinker nor a chat client turns a URL the page
  wrote into a link. The only links are those the pipeline makes from URLs it checked
  (:func:`link_url`): a notice's own address and its attachments.
- the target's syntax: CommonMark has backslash escapes; WeCom's and DingTalk's Markdown and
  Slack's mrkdwn have none for ``[ ] * _ ` ~``, so those become their fullwidth forms
  (``［点击领取补贴］`` cannot open a link); Slack's ``& < >`` become entities, its own rule,
  which also disarms ``<!channel>`` and ``<@U…>``; in WeCom/DingTalk/Feishu ``< >`` become
  fullwidth, which disarms ``<font …>``, ``<@userid>`` and ``<at user_id="all">``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

Escape = Callable[[str], str]

_LINE_BREAKS_RE = re.compile("[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")
_INVISIBLE_RE = re.compile(
    "[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)
_URL_FORBIDDEN_RE = re.compile(r"[\s<>\"'`\\\x00-\x1f\x7f]")
_SCHEME_RE = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*):(?=//)|\b(javascript|vbscript|data|file|mailto):")
"""A scheme an autolinker would follow: any ``x://``, and the dangerous ones without slashes."""
_LINK_SYNTAX = str.maketrans({c: f"%{ord(c):02X}" for c in "()[]|"})
"""Characters of a checked URL that would end a Markdown or Slack link early: percent-encoded."""

_MD_INLINE_RE = re.compile(r"([\\`*_\[\]<>&|~#])")
_MD_ORDERED_RE = re.compile(r"^(\d{1,9})([.)])")
_LEADING_MARK_RE = re.compile(r"^([#>+\-=*]|\d{1,9}[.)])")
"""What opens a heading, quote, list or setext line at the start of a line."""

CHAT_MARKDOWN_SYNTAX = "*_`[]<>~|&"
"""WeCom's and DingTalk's inline syntax: emphasis, code, links, HTML (``<font>``, ``<@id>``) and
its entities, tables."""
SLACK_SYNTAX = "*_~`"
"""mrkdwn's emphasis and code; ``& < >`` are escaped as entities instead."""
FEISHU_SYNTAX = "<>"
"""A post's text element is literal, but ``<at user_id="all">`` is read in text messages and cards."""


def _fullwidth(chars: str) -> dict[int, str]:
    return str.maketrans({c: chr(ord(c) + 0xFEE0) for c in chars})


_CHAT_MARKDOWN = _fullwidth(CHAT_MARKDOWN_SYNTAX)
_SLACK = _fullwidth(SLACK_SYNTAX)
_FEISHU = _fullwidth(FEISHU_SYNTAX)


def clean(value: Any) -> str:
    """``value`` as one line of visible text: no control, zero-width or bidi-override characters."""
    text = _LINE_BREAKS_RE.sub(" ", str(value))
    return _INVISIBLE_RE.sub("", text).replace("\t", " ")


def inert(value: Any) -> str:
    """One visible line in which no mention or URL scheme is left for a parser to find."""
    text = clean(value).replace("@", "＠")
    return _SCHEME_RE.sub(lambda m: f"{m[1] or m[2]}：", text)


def safe_url(url: Any) -> str | None:
    """``url`` if it is an absolute http(s) URL that cannot break out of a link; else None."""
    text = str(url or "").strip()
    if not text or _URL_FORBIDDEN_RE.search(text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return text


def link_url(url: Any) -> str | None:
    """A checked http(s) URL as a chat link's target, with the characters that end a link encoded."""
    checked = safe_url(url)
    return checked.translate(_LINK_SYNTAX) if checked else None


def commonmark(value: Any) -> str:
    """CommonMark (the .md issue, the generic webhook's ``markdown``): backslash escapes."""
    text = _MD_INLINE_RE.sub(r"\\\1", inert(value)).lstrip(" ")
    ordered = _MD_ORDERED_RE.match(text)
    if ordered:
        return f"{ordered[1]}\\{ordered[2]}{text[ordered.end() :]}"
    if text[:1] in ("+", "-", "="):
        return "\\" + text
    return text


def chat_markdown(value: Any) -> str:
    """企业微信 and 钉钉 markdown, which share their syntax and have no escapes: syntax characters
    and a leading block mark (heading, quote, list) become fullwidth; leading spaces go (code block)."""
    return _leading_fullwidth(inert(value).lstrip(" ").translate(_CHAT_MARKDOWN))


def slack(value: Any) -> str:
    """Slack mrkdwn: ``& < >`` as entities, emphasis and code fullwidth, a leading ``>`` fullwidth."""
    text = inert(value).translate(_SLACK)
    if text.lstrip(" ").startswith(">"):
        text = text.replace(">", "＞", 1)  # &gt; at a line's start would still open a quote
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def feishu(value: Any) -> str:
    """飞书 post text: literal, so only mentions, schemes and ``< >`` are neutralised."""
    return inert(value).translate(_FEISHU)


def _leading_fullwidth(text: str) -> str:
    mark = _LEADING_MARK_RE.match(text)
    if not mark:
        return text
    last = mark[1][-1]
    return mark[1][:-1] + chr(ord(last) + 0xFEE0) + text[mark.end() :]


ESCAPES: dict[str, Escape] = {
    "wecom": chat_markdown,
    "dingtalk": chat_markdown,
    "feishu": feishu,
    "slack": slack,
}
"""The escape of each chat webhook type (``channels.webhooks.<name>.type``). The generic webhook
carries the issue's ``markdown``, already CommonMark-escaped by the templates (:func:`commonmark`),
and plain text. Email needs none of these: its HTML is autoescaped by Jinja, its text is plain."""
