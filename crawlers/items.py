"""What a crawl hands downstream: fetched notice pages, and per-source outcomes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from typing import Any

NOT_MODIFIED = 304
"""The answer to a conditional request for a page that has not changed."""
LISTING, DETAIL, REVISIT, ROBOTS, ATTACHMENT = "listing", "detail", "revisit", "robots", "attachment"
KINDS = (LISTING, DETAIL, REVISIT, ROBOTS, ATTACHMENT)
"""Why a request was made: a listing page, a new notice page, a known notice fetched again for a
revision, robots.txt, or a notice that is a document file (PDF, DOC …)."""


@dataclass(frozen=True)
class Validators:
    """What a server said identifies its copy of the page at ``url``."""

    url: str
    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


@dataclass
class RequestFigures:
    """Requests one source (or a whole run) cost, by kind, with the 304s among them and the bytes."""

    listing: int = 0
    detail: int = 0
    revisit: int = 0
    robots: int = 0
    attachment: int = 0
    not_modified: int = 0
    """Answers 304: the page is as it was, nothing was sent and nothing is processed."""
    bytes: int = 0
    """Response bodies as received (compressed when the server compressed them)."""
    seconds: float = 0.0
    """From the source's first request to its last answer."""

    @property
    def requests(self) -> int:
        return self.listing + self.detail + self.revisit + self.robots + self.attachment

    def __add__(self, other: RequestFigures) -> RequestFigures:
        sums = {f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        return RequestFigures(**sums)

    @classmethod
    def total(cls, parts: Iterable[RequestFigures]) -> RequestFigures:
        """A run's figures from its sources': sums, but the seconds of the slowest (they run in parallel)."""
        parts = list(parts)
        whole = sum(parts, cls())
        whole.seconds = max((p.seconds for p in parts), default=0.0)
        return whole

    def line(self) -> str:
        """``requests: listing 21, detail 0, revisit 5, robots 21, attachment 0; 47 in all,
        26 not modified (304), 0.1 MB``"""
        kinds = ", ".join(f"{kind} {getattr(self, kind)}" for kind in KINDS)
        unchanged = f", {self.not_modified} not modified (304)" if self.not_modified else ""
        return f"requests: {kinds}; {self.requests} in all{unchanged}, {self.bytes / 1_000_000:.1f} MB"

    def to_json(self) -> dict[str, Any]:
        return asdict(self) | {"requests": self.requests}

    @classmethod
    def of(cls, data: RequestFigures | dict[str, Any]) -> RequestFigures:
        """Figures as read back from the spool (a dict) or already typed."""
        return data if isinstance(data, RequestFigures) else cls(**data)


@dataclass
class FetchedPage:
    """A notice page as fetched: raw bytes and the listing's word on it, nothing interpreted."""

    source: str
    url: str
    """The notice's identity: the listing's link, normalized."""
    final_url: str
    """Where the page was served from after redirects (the base for its relative links)."""
    status: int
    content_type: str | None
    body: bytes
    listing_title: str | None = None
    listing_date: str | None = None
    fetched_at: str = ""


@dataclass
class SourceReport:
    """How one source went in one crawl; ``error`` names what broke when it did."""

    source: str
    listing_pages: int = 0
    links: int = 0
    """Notice links seen on the listing pages."""
    fetched: int = 0
    failed: int = 0
    refused: int = 0
    """Links and redirects not followed: outside the source's origins, or not http(s)."""
    errors: list[str] = field(default_factory=list)
    finished: bool = True
    """False when the crawl closed (its deadline, a stop) before this source was done."""
    unchanged_listings: int = 0
    """Listing pages answered 304 Not Modified: as they were at the last run, so nothing new."""
    requests: RequestFigures = field(default_factory=RequestFigures)
    """What the source cost, by kind of request (``crawlers.costs``)."""

    def __post_init__(self) -> None:
        self.requests = RequestFigures.of(self.requests)  # a dict when read back from the spool

    @property
    def ok(self) -> bool:
        """The listing was read and showed links (a listing with none means the layout changed),
        or it is unchanged since the last run."""
        unchanged = self.listing_pages > 0 and self.unchanged_listings == self.listing_pages
        return self.listing_pages > 0 and (self.links > 0 or unchanged)
