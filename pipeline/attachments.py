"""附件: files a notice links, and the names its ``附件：`` list gives even when nothing is linked.

A link counts as an attachment when its target is a document file (pdf, doc/docx, xls/xlsx, wps, et,
ofd, zip, rar …) or a CMS download endpoint (Hanweb ``/module/download/downfile.jsp?…&showname=…``).
Names listed in the text are matched to links by a loose key (numbering, 《》, extension and spaces
ignored) so one file is reported once, with the visible name and the absolute URL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import parse_qs, unquote, urlsplit

from pipeline.lexicon import DOWNLOAD_ENDPOINTS, FILE_EXTENSIONS
from pipeline.records import Attachment

_EXT_RE = re.compile(r"\.(" + "|".join(FILE_EXTENSIONS) + r")$", re.I)
_NAME_EXT_RE = re.compile(r"\.(" + "|".join(FILE_EXTENSIONS) + r")\s*$", re.I)
_DOWNLOAD_RE = re.compile(r"(?:" + "|".join(DOWNLOAD_ENDPOINTS) + r")[^/]*$", re.I)
_GENERIC_RE = re.compile(
    r"^(?:附件[0-9０-９一二三四五六七八九十]*|下载|点击下载|点此下载|附件下载|下载附件|文件下载|查看|点击查看|"
    r"此处|这里|点击此处|" + "|".join(FILE_EXTENSIONS) + r")$",
    re.I,
)
_GENERIC_DROP_RE = re.compile(r"[\s\u3000\xa0【】\[\]（）()<>《》：:.．、]")
_ANNEX_LINE_RE = re.compile(
    r"^附[\s\u3000]*件[\s\u3000]*(?P<num>[0-9０-９一二三四五六七八九十]*)[\s\u3000]*"
    r"(?P<sep>[：:、.．\s\u3000]*)(?P<rest>.*)$"
)
_ITEM_RE = re.compile(
    r"^(?:[（(][0-9０-９一二三四五六七八九十]+[)）]|[0-9０-９]+[.．、:：)）]|[一二三四五六七八九十]+、)\s*(?P<name>.+)$"
)
_NUMBER_PREFIX_RE = re.compile(
    r"^(?:附[\s\u3000]*件[\s\u3000]*[0-9０-９一二三四五六七八九十]*[\s\u3000]*[：:、.．]?|"
    r"[（(]?[0-9０-９]+[)）.．、:：]|[一二三四五六七八九十]+、)[\s\u3000]*"
)
_SENTENCE_RE = re.compile(r"[，。；：:！？]")
_KEY_DROP_RE = re.compile(r"[\s\u3000\xa0《》〈〉<>“”\"'‘’「」【】\[\]（）()：:、.．,，;；_\-—]")


@lru_cache(maxsize=4096)
def is_file_url(url: str) -> bool:
    """True for links to a document file or a CMS download endpoint (cached: a page's heuristics ask
    about the same links again and again, and a site's pages share their menus' links)."""
    parts = urlsplit(url)
    if _EXT_RE.search(unquote(parts.path)):
        return True
    if _DOWNLOAD_RE.search(parts.path):
        return True
    query = parse_qs(parts.query)
    return any(
        _EXT_RE.search(value)
        for key in ("filename", "showname", "file", "name")
        for value in query.get(key, [])
    )


def _name_from_url(url: str) -> str:
    """A file's name when its link text is empty or generic: ``showname``, ``filename``, or the path."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    for key in ("showname", "filename", "name", "file"):
        if query.get(key):
            return unquote(query[key][0]).strip()
    return unquote(parts.path.rsplit("/", 1)[-1])


def clean_name(name: str) -> str:
    """An attachment name without the 附件N： / 1. numbering and trailing punctuation."""
    name = _NUMBER_PREFIX_RE.sub("", name.strip(), count=1).strip()
    return name.rstrip("；;。，,").strip()


def strip_extension(name: str) -> str:
    """A file name without its document extension (``通知.pdf`` → ``通知``); other text unchanged."""
    return _NAME_EXT_RE.sub("", name.strip())


def has_extension(text: str) -> bool:
    """True when a text ends in a document file's extension: it names a file."""
    return bool(_NAME_EXT_RE.search(text))


def name_key(name: str) -> str:
    """Loose identity of an attachment name: numbering, brackets, extension and spaces dropped."""
    name = strip_extension(clean_name(name))
    return _KEY_DROP_RE.sub("", name).lower()


def names_from_text(lines: Iterable[str], list_items: Iterable[bool] | None = None) -> list[str]:
    """Attachment names from the ``附件：`` list in the text.

    Forms: ``附件：名称``; ``附件1 名称`` lines; ``附件：`` followed by numbered lines, list items
    (``list_items`` flags them) or, after a bare ``附件：``, short lines without sentence punctuation.
    """
    names: list[str] = []
    flags = iter(list_items) if list_items is not None else None
    mode = ""  # "" outside a list, "numbered" after 附件：名称, "open" after a bare 附件：
    for line in lines:
        is_item = next(flags, False) if flags is not None else False
        text = line.strip()
        m = _ANNEX_LINE_RE.match(text)
        if m and (m.group("sep") or m.group("num")) and _is_list_rest(m.group("rest")):
            rest = m.group("rest").strip()
            if rest:
                names.append(clean_name(rest))
            mode = "numbered" if rest else "open"
            continue
        if mode:
            item = _ITEM_RE.match(text)
            if item and _is_list_rest(item.group("name")):
                names.append(clean_name(item.group("name")))
                continue
            if (is_item or mode == "open") and _is_list_rest(text) and not _SENTENCE_RE.search(text):
                names.append(clean_name(text))
                continue
            mode = ""
    return [name for name in names if name]


def _is_list_rest(rest: str) -> bool:
    """True when the text after 附件 reads as a name, not a sentence mentioning 附件."""
    rest = rest.strip()
    if len(rest) > 100:
        return False
    return not any(ch in rest for ch in "，。！？") or has_extension(rest)


def link_name(text: str, url: str) -> str:
    """The visible name of a file link; the URL's own name when the text is empty or generic."""
    text = text.strip()
    return _name_from_url(url) if is_generic_name(text) else text


def is_generic_name(text: str | None) -> bool:
    """True for link texts that do not name the file: 附件1, 点击下载, 【下载】, doc, pdf, nothing."""
    return bool(_GENERIC_RE.match(_GENERIC_DROP_RE.sub("", text or ""))) or not (text or "").strip()


def collect_attachments(links: Iterable[tuple[str, str]], text_names: Iterable[str]) -> list[Attachment]:
    """Linked files plus names only listed in the text, one entry per file, in text order.

    A text name takes the URL of the link with the same loose key; failing that, of the one link
    whose key contains it or is contained in it (a shortened or extended link text). The name kept
    is the text's, since that is what the notice lists.
    """
    files: list[Attachment] = []
    for text, url in links:
        if is_file_url(url) and all(url != f.url for f in files):
            files.append(Attachment(name=clean_name(link_name(text, url)) or _name_from_url(url), url=url))
    names = _unique(text_names)
    file_keys = [name_key(f.name) for f in files]
    assigned: dict[int, int] = {}
    for i, name in enumerate(names):
        if name_key(name) in file_keys:
            assigned[i] = file_keys.index(name_key(name))
    for i, name in enumerate(names):
        if i in assigned:
            continue
        key = name_key(name)
        free = [
            j for j, other in enumerate(file_keys) if j not in assigned.values() and _contains(key, other)
        ]
        if len(free) == 1:
            assigned[i] = free[0]
    result = [
        Attachment(name=name, url=files[assigned[i]].url if i in assigned else None)
        for i, name in enumerate(names)
    ]
    used = set(assigned.values())
    result += [f for j, f in enumerate(files) if j not in used]
    return result


def _unique(names: Iterable[str]) -> list[str]:
    """Names in order, without repeats (by loose key) or empties."""
    out: list[str] = []
    keys: set[str] = set()
    for name in names:
        key = name_key(name)
        if key and key not in keys:
            keys.add(key)
            out.append(name)
    return out


def _contains(key: str, other: str) -> bool:
    """True when one loose key contains the other (both long enough to mean something)."""
    return min(len(key), len(other)) >= 4 and (key in other or other in key)
