"""Staying inside a chat service's limits: messages per minute, and bytes per message."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Sequence

Fits = Callable[[str], bool]


class RateLimiter:
    """At most ``limit`` sends in any ``window`` seconds; waits when the window is full.

    The services block a robot that goes over (DingTalk for ten minutes), so waiting a few
    seconds here is cheaper than a refused part.
    """

    def __init__(
        self,
        limit: int,
        window: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.limit, self.window = limit, window
        self.clock, self.sleep = clock, sleep
        self.sent: deque[float] = deque()

    def wait(self) -> None:
        now = self.clock()
        while self.sent and now - self.sent[0] >= self.window:
            self.sent.popleft()
        if len(self.sent) >= self.limit:
            self.sleep(self.window - (now - self.sent[0]))
            self.sent.popleft()
        self.sent.append(self.clock())


def pack(lines: Sequence[str], fits: Fits) -> list[str]:
    """The lines joined into as few parts as possible, each one that ``fits``; a long line is cut."""
    parts: list[str] = []
    current: list[str] = []
    for line in lines:
        if fits("\n".join([*current, line])):
            current.append(line)
            continue
        if current:
            parts.append("\n".join(current))
        pieces = [line] if fits(line) else _cut(line, fits)
        parts.extend(pieces[:-1])
        current = [pieces[-1]]
    if current:
        parts.append("\n".join(current))
    return parts


def _cut(line: str, fits: Fits) -> list[str]:
    """A line too long for one part, cut into the longest pieces that fit."""
    pieces = []
    while line:
        low, high = 1, len(line)
        while low < high:
            middle = (low + high + 1) // 2
            low, high = (middle, high) if fits(line[:middle]) else (low, middle - 1)
        pieces.append(line[:low])
        line = line[low:]
    return pieces


def parts_or_summary(body: Sequence[str], summary: Sequence[str], fits: Fits, max_parts: int) -> list[str]:
    """The ``body`` lines in parts that each fit, or the ``summary`` lines when that takes too many."""
    parts = pack(body or [""], fits)
    if len(parts) <= max_parts:
        return parts
    return pack(summary, fits)[:max_parts]


def numbered(subject: str, number: int, total: int) -> str:
    """A part's heading: the subject, with ``(2/3)`` when the message comes in parts."""
    return subject if total == 1 else f"{subject} ({number}/{total})"


def utf8_size(text: str) -> int:
    return len(text.encode("utf-8"))
