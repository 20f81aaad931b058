"""What every CMS family provides: its listing routes and its detail page."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import timedelta

from aiohttp import web

from simulator.body import body_blocks, description, keywords
from simulator.catalog import FLAG_NO_SOURCE, FLAG_PUBDATE_OFF, Page
from simulator.sites import SiteSpec
from simulator.view import SiteView


@dataclass(frozen=True)
class Row:
    """One listing row as a family prints it."""

    href: str
    title: str
    date: str
    index_no: str = ""


class Family(ABC):
    """A CMS family: registers its listing endpoints and renders detail pages."""

    name: str

    @abstractmethod
    def add_routes(self, app: web.Application, view: SiteView) -> None:
        """Listing pages and family-specific endpoints (APIs, data proxies)."""

    @abstractmethod
    def detail(self, view: SiteView, page: Page) -> web.Response:
        """The page of one notice or news item."""

    def home(self, view: SiteView) -> web.Response:
        return view.html(view.render("common/home.html", rows=view.rows()[:8], title=view.site.site_name))


def article_context(view: SiteView, page: Page) -> dict[str, object]:
    """Values shared by the detail templates of the meta-emitting families."""
    site = view.site
    off = FLAG_PUBDATE_OFF in page.flags
    return {
        "page": page,
        "blocks": body_blocks(page),
        "source": "" if FLAG_NO_SOURCE in page.flags else site.agency,
        # One page's PubDate disagrees with the visible date (the reference's metadata trap).
        "pubdate": f"{page.day + timedelta(days=2)} 00:00" if off else f"{page.day} {page.time}",
        "keywords": keywords(page),
        "description": description(page),
        "real_url": f"{site.scheme}://{site.host}{page.path}",
    }


def serve_listing_paths(listing_path: str) -> tuple[str, ...]:
    """The paths a listing answers on: the directory and its ``index`` page."""
    directory = listing_path.rsplit("/", 1)[0] + "/"
    return tuple(dict.fromkeys((listing_path, directory)))


def site_listing_paths(site: SiteSpec) -> tuple[str, ...]:
    """The paths every column listing of ``site`` answers on."""
    return tuple(dict.fromkeys(p for listing in site.listing_paths for p in serve_listing_paths(listing)))


def add_plain_listing(app: web.Application, view: SiteView, template: str) -> None:
    """A one-page listing of the site's rows (title, link, date) rendered by ``template``."""

    async def listing(_: web.Request) -> web.Response:
        rows = [Row(href=p.path, title=p.title, date=p.day.isoformat()) for p in view.rows()]
        return view.html(view.render(template, rows=rows, title=view.site.column))

    for path in site_listing_paths(view.site):
        app.router.add_get(path, listing)
