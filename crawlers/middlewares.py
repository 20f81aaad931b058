"""Downloader middleware for the cookie challenges some government WAFs put before pages."""

from __future__ import annotations

import re

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, resolve_encoding

CHALLENGE_STATUS = {202, 412, 521}
CHALLENGE_MARKS = re.compile(rb"\$_ts\s*=\s*window|__jsl_clearance|C3VK=|document\.cookie\s*=")
SMALL_BODY = 4096


def is_challenge(response: Response) -> bool:
    """瑞数 412, 加速乐 521, C3VK shells: a status or a small body that only sets a cookie."""
    if response.status in {412, 521}:
        return True
    small = len(response.body) < SMALL_BODY
    return (response.status in CHALLENGE_STATUS or small) and bool(
        CHALLENGE_MARKS.search(response.body[:SMALL_BODY])
    )


class ChallengeRetryMiddleware:
    """Retry a challenged request once, carrying the cookies the challenge set.

    Challenges that only check that the cookie comes back pass; those that need the
    page's JavaScript run fail with a message that names the challenge.
    """

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if not is_challenge(response):
            return response
        if request.meta.get("challenge_retried"):
            raise IgnoreRequest(f"anti-bot challenge (HTTP {response.status}) not passed at {request.url}")
        retry = request.replace(dont_filter=True)
        retry.meta["challenge_retried"] = True
        return retry


class ContradictedCharsetMiddleware:
    """Trust the page over a Content-Type charset that cannot decode it.

    Some sites send ``charset=utf-8`` for GBK pages; Scrapy would believe the header and
    garble every title. When the header's charset fails on the body and the page declares
    another, the header is rewritten to the page's own declaration.
    """

    def process_response(self, request: Request, response: Response) -> Response:
        header = response.headers.get("Content-Type", b"").decode("latin-1")
        declared_by_header = http_content_type_encoding(header)
        if not declared_by_header or not header.lower().startswith("text/html"):
            return response
        try:
            response.body.decode(resolve_encoding(declared_by_header) or declared_by_header)
        except (UnicodeDecodeError, LookupError):
            declared_by_page = html_body_declared_encoding(response.body)
            if declared_by_page:
                fixed = f"text/html; charset={declared_by_page}"
                headers = {**response.headers.to_unicode_dict(), "Content-Type": fixed}
                return response.replace(headers=headers, encoding=declared_by_page)
        return response
