"""Monospace columns for CJK text: wide and full-width characters take two cells."""

from __future__ import annotations

import unicodedata


def display_width(text: str) -> int:
    """Terminal (or fixed-pitch) columns of ``text``: wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    """``text`` followed by spaces up to ``width`` columns."""
    return text + " " * (width - display_width(text))
