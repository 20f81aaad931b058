"""The CMS families' names as config.yaml writes them (``family: trs``), without their readers.

Checking a config needs the names only; ``crawlers.listings.FAMILIES`` maps each to its reader
(and lxml with it), in this order: the sniffing order, families with a signature first.
"""

from __future__ import annotations

TRS, HANWEB, JPAAS, ANHUI_LABEL, GKMLPT, ROWS = "trs", "hanweb", "jpaas", "anhui-label", "gkmlpt", "rows"
NAMES = (HANWEB, JPAAS, ANHUI_LABEL, GKMLPT, TRS, ROWS)
