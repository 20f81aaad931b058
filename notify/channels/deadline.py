"""An overall deadline on one exchange with a server: connect, send and answer together.

A socket timeout bounds each read, not the exchange: a server trickling a byte every few seconds
never trips it. ``Deadline`` shuts the exchange's connection down when its time is up, which wakes
a read, a write or a TLS handshake blocked on it (in smtplib or httpx) with an error; ``expired``
then says why.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from types import TracebackType


class Deadline:
    """``with Deadline(seconds) as deadline:``, then ``deadline.watch(sock)`` for each socket used."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._copy: socket.socket | None = None
        """A duplicate of the watched socket's descriptor. Wrapping a socket in TLS (STARTTLS, an
        HTTPS connection) moves its descriptor to the new TLS socket and leaves the watched object
        detached, mid-handshake: the duplicate still reaches the connection, whoever holds it."""
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def watch(self, sock: socket.socket | None) -> None:
        """The connection to shut down at the deadline (the newest one; a TLS wrap keeps it)."""
        if sock is None or sock.fileno() < 0:
            return
        with self._lock:
            if self._copy is not None and _same_connection(self._copy, sock):
                return
            self._release()
            self._copy = socket.fromfd(sock.fileno(), sock.family, sock.type)
            if self.expired:
                self._shutdown()

    def __enter__(self) -> Deadline:
        self._timer.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._timer.cancel()
        with self._lock:
            self._release()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            self._shutdown()

    def _shutdown(self) -> None:
        if self._copy is None:
            return
        with contextlib.suppress(OSError):  # the server already closed it: nothing is blocked on it
            self._copy.shutdown(socket.SHUT_RDWR)

    def _release(self) -> None:
        """Close the duplicate: the client's own close then ends the connection."""
        if self._copy is not None:
            self._copy.close()
            self._copy = None


def _same_connection(copy: socket.socket, sock: socket.socket) -> bool:
    """Whether two descriptors are one socket (its inode), whatever their numbers."""
    mine, theirs = os.fstat(copy.fileno()), os.fstat(sock.fileno())
    return (mine.st_dev, mine.st_ino) == (theirs.st_dev, theirs.st_ino)
