"""Bytes → text for government pages, without ever returning mojibake.

Chinese government sites often send a ``Content-Type`` charset that contradicts the page (a UTF-8
template served by a server configured for GBK, or the reverse), so no single declaration is trusted:
every declared or guessed charset is tried in order of authority and the first one that decodes
strictly *and* reads like Chinese text wins.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_GB_ALIASES = {"gb2312", "gbk", "gb_2312-80", "x-gbk", "cp936", "ms936", "gb_2312", "csgb2312", "euc-cn"}
_SINGLE_BYTE = {"latin-1", "iso8859-1", "cp1252", "ascii", "iso8859-15", "cp1250", "cp1251", "latin1"}

_META_CHARSET_RE = re.compile(rb"""<meta[^>]{0,300}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HEADER_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_DECL_RE = re.compile(rb"""<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)

_SAMPLE_CHARS = 1500
"""How many non-ASCII characters the mojibake check reads: enough to be sure, cheap on huge pages."""
_SCAN_CHARS = 300_000
_CLEAN = 0.12
"""Mojibake score under which a strict decoding is accepted."""


def normalize_charset(name: str | None) -> str | None:
    """The Python codec for a declared charset, or None when unknown.

    GB2312 and GBK are decoded as GB18030, their superset: pages labelled GB2312 routinely use GBK
    characters (e.g. rare surnames), which a strict GB2312 decoder would reject.
    """
    if not name:
        return None
    label = name.strip().strip("\"'").lower()
    if label in _GB_ALIASES or label.startswith("gb2312"):
        return "gb18030"
    try:
        codec = codecs.lookup(label).name
    except LookupError:
        return None
    if codec in {"gbk", "gb2312"}:
        return "gb18030"
    return codec


def header_charset(content_type: str | None) -> str | None:
    """The charset parameter of an HTTP Content-Type header."""
    if not content_type:
        return None
    match = _HEADER_CHARSET_RE.search(content_type)
    return normalize_charset(match.group(1)) if match else None


def meta_charset(body: bytes) -> str | None:
    """The charset the page declares itself (``<meta charset>``, http-equiv, or XML declaration)."""
    head = body[:4096]
    match = _META_CHARSET_RE.search(head) or _XML_DECL_RE.search(head)
    return normalize_charset(match.group(1).decode("ascii", "ignore")) if match else None


def bom_charset(body: bytes) -> str | None:
    """The encoding a byte-order mark announces; it beats every declaration."""
    if body.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _level1_hanzi() -> frozenset[str]:
    """GB2312 level-1 hanzi: the 3,755 most frequent characters of Chinese prose."""
    chars = set()
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return frozenset(chars)


_LEVEL1 = _level1_hanzi()
_NON_ASCII_RUN_RE = re.compile(r"[^\x00-\x7f]+")
_HANZI_RE = re.compile(r"[\u4e00-\u9fff]")
_BAD_RE = re.compile(r"[\ufffd\x80-\x9f\ue000-\uf8ff\u00c0-\u024f\u3400-\u4dbf]")


def mojibake_score(text: str) -> float:
    """Share of suspicious characters among the non-ASCII ones (0 = clean, 1 = garbage).

    Suspicious: replacement characters, C1 controls, Latin-1 letters (UTF-8 read as Latin-1), private
    use, and rare hanzi. Real Chinese prose is overwhelmingly GB2312 level-1; UTF-8 bytes misread as
    GBK (or the reverse) spread uniformly over rare characters instead (about 12% level-1).
    Only a bounded sample of the non-ASCII characters is read, so huge pages cost the same.
    """
    chars = _NON_ASCII_RUN_RE.findall(text, 0, _SCAN_CHARS)
    sample = "".join(chars)[:_SAMPLE_CHARS]
    total = len(sample)
    if total == 0:
        return 0.0
    bad = len(_BAD_RE.findall(sample))
    hanzi = _HANZI_RE.findall(sample)
    rare = sum(1 for ch in hanzi if ch not in _LEVEL1)
    # Legitimate text has some rare hanzi (names, places): only an excess counts.
    excess_rare = max(0.0, rare - len(hanzi) * 0.25)
    return (bad + excess_rare) / total


def _try_decode(body: bytes, codec: str) -> str | None:
    """Strict decode, or None when the bytes are not valid in that codec."""
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _detected_charset(body: bytes) -> str | None:
    """charset-normalizer's best guess, on a bounded prefix to keep huge pages cheap."""
    try:
        best = from_bytes(body[:200_000]).best()
    except Exception:  # the detector is a heuristic: never let it take the page down
        return None
    return normalize_charset(best.encoding) if best else None


def _candidates(body: bytes, content_type: str | None) -> list[str]:
    """Codecs to try, most authoritative first, without duplicates."""
    order = [
        bom_charset(body),
        header_charset(content_type),
        meta_charset(body),
        "utf-8",
        "gb18030",
    ]
    seen: list[str] = []
    for codec in order:
        if codec and codec not in seen:
            seen.append(codec)
    return seen


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode a page body; returns ``(text, codec used)``.

    Candidates in order of authority (BOM, HTTP header, meta, UTF-8, GB18030, then detection): the
    first that decodes strictly and scores as clean text wins. Single-byte charsets are never used
    for pages with non-ASCII bytes, since a Chinese page can never be Latin-1. When nothing is clean
    (a few corrupt bytes, or a mislabelled page), the least suspicious decoding wins, undecodable
    bytes replaced: a valid-but-garbled strict decoding loses to a nearly clean lossy one.
    """
    if body.isascii():
        return body.decode("ascii", "replace"), "ascii"
    fallbacks: list[tuple[float, str, str]] = []
    candidates = [c for c in _candidates(body, content_type) if c not in _SINGLE_BYTE]
    for codec in candidates:
        found = _clean_decode(body, codec, fallbacks)
        if found is not None:
            return found, codec
    detected = _detected_charset(body)
    if detected and detected not in candidates and detected not in _SINGLE_BYTE:
        found = _clean_decode(body, detected, fallbacks)
        if found is not None:
            return found, detected
    if not fallbacks:
        return body.decode("utf-8", "replace").lstrip("\ufeff"), "utf-8"
    _, codec, text = min(fallbacks, key=lambda item: item[0])
    return text.lstrip("\ufeff"), codec


def _clean_decode(body: bytes, codec: str, fallbacks: list[tuple[float, str, str]]) -> str | None:
    """The text when ``codec`` decodes strictly and cleanly; otherwise None, recording the attempt
    (strict or lossy) with its mojibake score in ``fallbacks``."""
    text = _try_decode(body, codec)
    lossy = text is None
    if lossy:
        try:
            text = body.decode(codec, "replace")
        except LookupError:
            return None
    score = mojibake_score(text)
    if not lossy and score < _CLEAN:
        return text.lstrip("\ufeff")
    fallbacks.append((score, codec, text))
    return None
