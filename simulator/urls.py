"""URL shapes: expanding a site's path pattern, deterministic ids, relative links, lookup keys.

Everything here is deterministic (hash-based) so that two runs of the simulator serve the
same URLs and the ground truth written by one run matches the pages served by another.
"""

from __future__ import annotations

import hashlib
import posixpath
from datetime import date
from urllib.parse import parse_qsl, quote, urlencode, urlsplit


def digest(*parts: object) -> str:
    """A stable hex digest of the parts (the simulator's only source of 'randomness')."""
    return hashlib.md5("|".join(map(str, parts)).encode()).hexdigest()


def stable_int(*parts: object, lo: int = 0, hi: int = 10**9) -> int:
    """A stable integer in [lo, hi) derived from the parts."""
    return lo + int(digest(*parts)[:12], 16) % (hi - lo)


def expand(pattern: str, *, day: date, key: str, serial: int, extra: dict[str, str] | None = None) -> str:
    """Fill a site's path pattern (``SiteSpec.detail_pattern`` / ``attach_pattern``).

    Placeholders: y m d (not padded, as in Hanweb ``/art/2019/9/9/``), mm dd yyyymm ymd hms,
    id (``serial``), id5 (its last five digits), hex (32 hex digits), digits12,
    ts (13-digit epoch ms), plus ``extra`` (listing_dir, page_dir, ext, showname, n).
    """
    h = digest(key)
    secs = stable_int(key, "time", lo=8 * 3600, hi=18 * 3600)
    hms = f"{secs // 3600:02d}{secs % 3600 // 60:02d}{secs % 60:02d}"
    epoch_ms = (day.toordinal() - date(1970, 1, 1).toordinal()) * 86_400_000 + (secs - 8 * 3600) * 1000
    values = {
        "y": str(day.year),
        "m": str(day.month),
        "d": str(day.day),
        "mm": f"{day.month:02d}",
        "dd": f"{day.day:02d}",
        "yyyymm": f"{day.year}{day.month:02d}",
        "ymd": day.strftime("%Y%m%d"),
        "hms": hms,
        "id": str(serial),
        "id5": f"{serial % 100000:05d}",
        "hex": h,
        "digits12": str(int(h[:15], 16))[-12:].rjust(12, "0"),
        "ts": str(epoch_ms + stable_int(key, "ms", hi=1000)),
        **(extra or {}),
    }
    return pattern.format(**values)


def showname(filename: str) -> str:
    """URL-encoded file name as Hanweb's downfile.jsp carries it."""
    return quote(filename, safe="")


def page_dir(path: str) -> str:
    """Directory part of a path, with trailing slash."""
    return path.split("?", 1)[0].rsplit("/", 1)[0] + "/"


def relative_href(from_dir: str, to_path: str) -> str:
    """A TRS-style relative link (``./201911/t….html`` or ``../../zcfb/…``) from a directory."""
    rel = posixpath.relpath(to_path.split("?", 1)[0], from_dir.rstrip("/") or "/")
    if to_path.endswith("/"):
        rel += "/"
    query = ("?" + to_path.split("?", 1)[1]) if "?" in to_path else ""
    return (rel if rel.startswith("../") else "./" + rel) + query


def route_key(path: str, query: list[tuple[str, str]] | None = None) -> str:
    """Lookup key for a served resource: the path plus its decoded query in sorted order.

    Hrefs are written percent-encoded while aiohttp hands handlers the decoded query, so
    both sides are normalised through this one function.
    """
    if query is None and "?" in path:
        path, qs = path.split("?", 1)
        query = parse_qsl(qs, keep_blank_values=True)
    return path + ("?" + urlencode(sorted(query)) if query else "")


def split_url(url: str) -> tuple[str, str, str]:
    """(scheme, host, path-with-query) of a seed URL, tolerant of stray spaces and markdown escapes."""
    parts = urlsplit(url.strip().replace("\\_", "_").replace("\\", ""))
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return parts.scheme or "http", parts.netloc.lower(), path
