"""CMS families: each renders a site's listing and detail pages the way that CMS does."""

from __future__ import annotations

from simulator.families.base import Family
from simulator.families.hanweb import HanwebFamily
from simulator.families.hostile import HostileFamily
from simulator.families.jpaas import JpaasFamily
from simulator.families.legacy import LegacyFamily
from simulator.families.trs import TrsFamily

FAMILIES: dict[str, Family] = {
    f.name: f for f in (TrsFamily(), HanwebFamily(), JpaasFamily(), LegacyFamily(), HostileFamily())
}

__all__ = ["FAMILIES", "Family"]
