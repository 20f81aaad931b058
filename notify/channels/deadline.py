"""An overall deadline on one exchange with a server: connect, send and answer together.

A socket timeout bounds each read, not the exchange: a server trickling a byte every few seconds
never trips it. ``Deadline`` shuts the exchange's socket down when its time is up, which wakes a
read or write blocked on it (in smtplib or httpx) with an error; ``expired`` then says why.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType


class Deadline:
    """``with Deadline(seconds) as deadline:``, then ``deadline.watch(sock)`` for each socket used."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def watch(self, sock: socket.socket | None) -> None:
        """The socket to shut down at the deadline (the newest one: STARTTLS wraps the first)."""
        with self._lock:
            self._sock = sock
            if self.expired:
                self._shutdown()

    def __enter__(self) -> Deadline:
        self._timer.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._timer.cancel()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            self._shutdown()

    def _shutdown(self) -> None:
        if self._sock is None:
            return
        with contextlib.suppress(OSError):  # already closed: nothing is blocked on it
            # the plain socket's shutdown: an SSLSocket's own would drop its TLS state under the reader
            socket.socket.shutdown(self._sock, socket.SHUT_RDWR)
