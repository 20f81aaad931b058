"""Sites a client passes only by running their JavaScript: 加速乐, 瑞数 and a list built by XHR.

For the browser-fetch tests only (``kuaixun sim`` serves the 21 plain sites). Each is a TRS site
of the seed web behind one challenge family, serving the same notices at the same paths:

* ``miit``: 加速乐 (``simulator.families.jsl``), as MIIT was in 2021-22 (gov-sites.md §1B);
* ``most``: 瑞数 (``simulator.families.rs``), the 412 of NMPA/NHC and provincial portals, put
  on a seed host because no host of the seeds is reported behind 瑞数;
* ``chinatax``: the list written by a script from a JSON endpoint (``simulator.families.xhr``),
  as chinatax's 法规库 does.

``GovWebThread(seeds=challenged_seeds(), sites=CHALLENGED_SITES, held_back=0)`` serves them.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlsplit

from simulator.seednotice import SeedNotice
from simulator.seeds import load_seeds
from simulator.sites import SiteSpec, site_by_name

JSL = "jsl"
RS = "rs"
XHR = "xhr"
_ROWS = 20
"""The TRS page size: the three families keep TRS paging."""

CHALLENGED_SITES: tuple[SiteSpec, ...] = (
    replace(site_by_name("miit"), family=JSL, page_size=_ROWS, news_count=4),
    replace(site_by_name("most"), family=RS, page_size=_ROWS, news_count=4),
    replace(site_by_name("chinatax"), family=XHR, page_size=_ROWS, news_count=4),
)


def challenged_seeds() -> list[SeedNotice]:
    """The seed notices printed with a link to one of the challenged hosts."""
    hosts = {site.host for site in CHALLENGED_SITES}
    return [s for s in load_seeds() if urlsplit(s.source_url or "").hostname in hosts]
