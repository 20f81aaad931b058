"""One run at a time: an OS file lock beside the store, held by every command that writes it in a run.

``run``, ``crawl``, ``digest send``, ``alerts send-summaries`` and the scheduler's jobs take
``data_dir/run.lock`` with ``flock``; read-only commands never do. The kernel releases a flock
when its holder dies (kill -9, a crash), so a dead holder's lock is free at once; the file still
names it (a holder that ends normally empties it), which is how the next run can say it is gone.
A file lock works alike for a SQLite and a PostgreSQL store, but only among the processes that
share ``data_dir``: two hosts writing one PostgreSQL store must share ``data_dir`` too.
The file is never deleted: a process waiting on a deleted file's inode would lock nothing.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from kuaixun.localtime import local_time, shown_time
from store.db import PRIVATE_FILE, private_dir

Echo = Callable[[str], None]
LOCK_FILE = "run.lock"
EXIT_LOCKED = 3
"""The exit status of a command that found another run holding the lock."""
LOCK_POLL = 5.0
"""Seconds between two tries of a waiting job: a run lasts minutes, a finer poll buys nothing."""


@dataclass(frozen=True)
class Holder:
    """Who holds (or last held) the run lock: written into the lock file when it is taken."""

    pid: int
    host: str
    command: str
    since: datetime
    """Naive UTC, as the store keeps times; the file says it in ``schedule.timezone``."""

    def describe(self, zone: str) -> str:
        return f"pid {self.pid} on {self.host} ({self.command}) since {shown_time(self.since, zone)}"

    def to_text(self, zone: str) -> str:
        since = local_time(self.since, zone).isoformat(timespec="seconds")
        return json.dumps({"pid": self.pid, "host": self.host, "command": self.command, "since": since})

    @classmethod
    def from_text(cls, text: str) -> Holder | None:
        """The holder a lock file names; None for an empty file (released) or one it cannot read."""
        try:
            data = json.loads(text)
            since = datetime.fromisoformat(data["since"]).astimezone(UTC).replace(tzinfo=None)
            return cls(int(data["pid"]), str(data["host"]), str(data["command"]), since)
        except (ValueError, KeyError, TypeError):
            return None


class RunLockHeld(Exception):
    """Another run holds the lock; the message names it (exit status ``EXIT_LOCKED``)."""


def lock_path(data_dir: Path) -> Path:
    return data_dir / LOCK_FILE


@contextmanager
def run_lock(data_dir: Path, command: str, zone: str, echo: Echo, wait: float = 0.0) -> Iterator[Holder]:
    """Hold the run lock of ``data_dir`` while the block runs, as ``command``.

    Held by another: RunLockHeld at once, or after waiting up to ``wait`` seconds (with a line
    saying so). A previous holder that died without releasing it is named in a line.
    """
    path = lock_path(data_dir)
    private_dir(path.parent)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
    try:
        _acquire(fd, path, zone, echo, wait)
        gone = Holder.from_text(_read(fd))
        if gone is not None:
            echo(f"the run lock's previous holder is gone: {gone.describe(zone)}; lock taken over")
        holder = Holder(os.getpid(), socket.gethostname(), command, datetime.now(UTC).replace(tzinfo=None))
        _write(fd, holder.to_text(zone))
        try:
            yield holder
        finally:
            _write(fd, "")  # released in order: the next holder has no one to report gone
    finally:
        os.close(fd)  # closing the last descriptor releases the flock


def _acquire(fd: int, path: Path, zone: str, echo: Echo, wait: float) -> None:
    deadline = time.monotonic() + wait
    said = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            holder = Holder.from_text(_read(fd))
            who = holder.describe(zone) if holder else "a run that has not yet recorded itself"
            if time.monotonic() >= deadline:
                raise RunLockHeld(f"another run holds the lock {path}: {who}") from None
            if not said:
                echo(f"waiting for the run lock {path}: held by {who}")
                said = True
            time.sleep(min(LOCK_POLL, max(0.0, deadline - time.monotonic())))


def _read(fd: int) -> str:
    return os.pread(fd, 4096, 0).decode("utf-8", "replace")


def _write(fd: int, text: str) -> None:
    os.ftruncate(fd, 0)
    os.pwrite(fd, text.encode("utf-8"), 0)
