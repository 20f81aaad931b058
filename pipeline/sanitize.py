"""Body HTML safe for email: structure only.

Allowed: p, h1–h6, ol/ul/li, table/thead/tbody/tr/th/td, br, strong/b/em, and ``a`` with an absolute
http(s) ``href``. No other attribute survives except ``colspan``/``rowspan`` (digits). Scripts,
styles, frames, forms and event handlers are dropped with their content; any other tag is unwrapped.
"""

from __future__ import annotations

import re
from html import escape
from itertools import groupby

from lxml import etree
from lxml import html as lxml_html

from pipeline.content import SKIP_TAGS, Block, absolute_url

ALLOWED_TAGS = frozenset((
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "ol", "ul", "li", "table", "thead", "tbody", "tr", "th",
    "td", "br", "strong", "b", "em", "a",
))  # fmt: skip
_VOID = {"br"}
_DROP_WITH_CONTENT = SKIP_TAGS | {"title", "form", "frameset", "applet", "base", "style", "script"}
_WS_RE = re.compile(r"[\s\u3000\xa0]+")


def _attributes(el: etree._Element, base_url: str) -> str:
    """The attributes kept on an allowed tag, rendered."""
    if el.tag == "a":
        href = absolute_url(el.get("href"), base_url)
        return f' href="{escape(href)}"' if href else ""
    if el.tag in ("td", "th"):
        out = []
        for name in ("colspan", "rowspan"):
            value = (el.get(name) or "").strip()
            if value.isdigit() and 1 < int(value) < 1000:
                out.append(f' {name}="{int(value)}"')
        return "".join(out)
    return ""


def _render(el: etree._Element, base_url: str, out: list[str]) -> None:
    """Append the sanitized rendering of an element (and its children) to ``out``."""
    tag = el.tag if isinstance(el.tag, str) else None
    if tag is None or tag.lower() in _DROP_WITH_CONTENT:
        return
    tag = tag.lower()
    keep = tag in ALLOWED_TAGS
    attrs = _attributes(el, base_url) if keep else ""
    if tag == "a" and not attrs:
        keep = False
    if keep:
        out.append(f"<{tag}{attrs}>")
    if tag in _VOID:
        return
    if el.text:
        out.append(escape(el.text, quote=False))
    for child in el:
        _render(child, base_url, out)
        if child.tail:
            out.append(escape(child.tail, quote=False))
    if keep:
        out.append(f"</{tag}>")


def sanitize_fragment(fragment: str, base_url: str = "") -> str:
    """Sanitized HTML of an arbitrary fragment (used for tests and for callers holding raw HTML)."""
    if not fragment.strip():
        return ""
    try:
        nodes = lxml_html.fragments_fromstring(fragment)
    except (etree.ParserError, ValueError):
        return escape(fragment, quote=False)
    out: list[str] = []
    for node in nodes:
        if isinstance(node, str):
            out.append(escape(node, quote=False))
        else:
            _render(node, base_url, out)
    return _WS_RE.sub(" ", "".join(out)).strip()


def _block_html(block: Block) -> str:
    """One non-table block as an element."""
    inner = block.html or escape(block.text, quote=False)
    if block.kind == "h":
        level = min(max(block.level, 1), 6)
        return f"<h{level}>{inner}</h{level}>"
    return f"<p>{inner}</p>"


def _group_key(block: Block) -> tuple[str, int]:
    """Consecutive blocks with the same key render as one list or table."""
    if block.kind == "tr":
        return block.kind, block.table
    if block.kind == "li":
        return block.kind, block.level
    return block.kind, -1


def blocks_to_html(blocks: list[Block]) -> str:
    """Structural HTML of a block list: list items grouped in ``ul``, table rows in ``table``."""
    parts: list[str] = []
    for (kind, group_key), group in groupby(blocks, key=_group_key):
        items = list(group)
        if kind == "li":
            tag = "ol" if group_key == 1 else "ul"
            rows = "".join(f"<li>{b.html or escape(b.text, quote=False)}</li>" for b in items)
            parts.append(f"<{tag}>{rows}</{tag}>")
        elif kind == "tr":
            rows = "".join(f"<tr>{b.html}</tr>" for b in items)
            parts.append(f"<table><tbody>{rows}</tbody></table>")
        else:
            parts.extend(_block_html(b) for b in items)
    return "\n".join(parts)
