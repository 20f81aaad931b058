"""Debian's headless Chromium as the tests start it."""

from __future__ import annotations

from pathlib import Path

QUIET_FLAGS = (
    "--headless",
    "--no-sandbox",  # root in CI
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these, Chromium's background connections are refused by the closed network.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium(profile: Path, *args: str) -> list[str]:
    """The command line of a headless Chromium with a fresh profile in ``profile``, then ``args``."""
    return ["chromium", *QUIET_FLAGS, f"--user-data-dir={profile}", *args]
