"""URL identity: one notice, one URL, however a listing spells the link."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit

SESSION_PARAMS = re.compile(r"^(jsessionid|sessionid|sid|phpsessid|_t|t|timestamp|random|r)$", re.I)


def normalize_url(url: str) -> str:
    """The canonical form of a notice URL.

    Lower-case host, no default port, no fragment, no ``;jsessionid``, no session or
    cache-busting query parameters, and none of the ``/../`` that a ``../..`` link leaves
    after urljoin (real servers answer those with 400).
    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    port = parts.port
    default = {"http": 80, "https": 443}.get(parts.scheme)
    netloc = host if port in (None, default) else f"{host}:{port}"
    path = re.sub(r";jsessionid=[^/?]*", "", parts.path, flags=re.I)
    path = re.sub(r"^(/\.\.)+(?=/)", "", path) or "/"
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not SESSION_PARAMS.match(k)]
    )
    return parts._replace(netloc=netloc, path=path, query=query, fragment="").geturl()
