"""CMS families: each renders a site's listing and detail pages the way that CMS does."""

from __future__ import annotations

from simulator.families.base import Family
from simulator.families.gkmlpt import GkmlptFamily
from simulator.families.hanweb import HanwebFamily
from simulator.families.hostile import HostileFamily
from simulator.families.jpaas import JpaasFamily
from simulator.families.jsl import JslFamily
from simulator.families.legacy import LegacyFamily
from simulator.families.newsroom import NewsroomFamily
from simulator.families.rs import RsFamily
from simulator.families.trs import TrsFamily
from simulator.families.wordpaste import WordPasteFamily
from simulator.families.xhr import XhrFamily

FAMILIES: dict[str, Family] = {
    f.name: f
    for f in (
        TrsFamily(),
        HanwebFamily(),
        JpaasFamily(),
        LegacyFamily(),
        HostileFamily(),
        # Families the section rules were not tuned on (simulator.unseen).
        WordPasteFamily(),
        GkmlptFamily(),
        NewsroomFamily(),
        # Sites a client passes only by running their JavaScript (simulator.challenged).
        JslFamily(),
        RsFamily(),
        XhrFamily(),
    )
}

__all__ = ["FAMILIES", "Family"]
