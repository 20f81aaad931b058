"""Debian's headless Chromium as the tests start it."""

from __future__ import annotations

from pathlib import Path

from crawlers.settings import CHROMIUM_ARGS

QUIET_FLAGS = ("--headless", *CHROMIUM_ARGS)
"""The crawler's own flags (no sandbox as root, no background connections), headless."""


def chromium(profile: Path, *args: str) -> list[str]:
    """The command line of a headless Chromium with a fresh profile in ``profile``, then ``args``."""
    return ["chromium", *QUIET_FLAGS, f"--user-data-dir={profile}", *args]
