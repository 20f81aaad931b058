"""What a crawl hands downstream: fetched notice pages, and per-source outcomes."""

from __future__ import annotations

from dataclasses import dataclass, field

from crawlers.costs import RequestFigures


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
