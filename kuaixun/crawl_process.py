"""The crawl process, run from the parent: started, watched, stopped, its log rotated.

Scrapy runs in a child process (Twisted's reactor cannot restart). The child gets an
environment with no secret, a session of its own (a terminal's Ctrl-C or a signal to the
parent's group does not reach it: the parent decides when it stops), the kernel's promise to
kill it when the parent dies (``crawlers.run``), and its own deadline. The parent stops it
— SIGTERM, then SIGKILL after ``crawl.stop_timeout`` — past ``crawl.crawl_timeout`` or when a
stop is requested (``request_stop``: SIGTERM to ``kuaixun crawl``/``run``, or the scheduler).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from types import FrameType
from typing import IO

from crawlers.job import PARENT_ENV, CrawlJob
from kuaixun.config import Config
from store.db import open_private_log, private_dir

LOG_MAX_BYTES = 10 * 1024 * 1024
LOG_KEEP = 3
POLL = 0.25
"""Seconds between looks at the child and its spool: live enough for a person, cheap."""
EXIT_STOPPED = 128 + signal.SIGTERM
"""The exit status of a command stopped by SIGTERM (the shell's convention)."""
_PROXY = "Scrapy's HttpProxyMiddleware sends requests through the operator's proxy"
CRAWL_ENVIRONMENT: dict[str, str] = {
    "PATH": "programs the interpreter and its libraries look up",
    "HOME": "user-level defaults Python and Scrapy read",
    "LANG": "the locale: text encoding of the crawl log",
    "LC_*": "the locale's categories",
    "TZ": "log timestamps in the operator's time zone",
    "TMPDIR": "where temporary files go",
    "PYTHONPATH": "imports when run from a checkout without installation",
    "PYTHONUTF8": "the interpreter's text encoding",
    "PYTHONIOENCODING": "the interpreter's text encoding",
    "SSL_CERT_FILE": "the operator's CA certificates, for https sources",
    "SSL_CERT_DIR": "the operator's CA certificates, for https sources",
    "http_proxy": _PROXY,
    "https_proxy": _PROXY,
    "no_proxy": _PROXY,
    "HTTP_PROXY": _PROXY,
    "HTTPS_PROXY": _PROXY,
    "NO_PROXY": _PROXY,
}
"""The only variables the crawl child gets (name or pattern → why): no SMTP password, webhook token or key."""

_stop = threading.Event()


class StopRequested(Exception):
    """The run was asked to stop (SIGTERM); what was fetched is stored, the run recorded as interrupted."""


def request_stop() -> None:
    """Ask the running crawl to stop: its child is stopped, what it spooled stored, the run recorded
    as interrupted, and ``crawl`` raises ``StopRequested``. Safe from a signal handler or any thread."""
    _stop.set()


def stop_requested() -> bool:
    return _stop.is_set()


def clear_stop() -> None:
    """Forget a stop request (the next run of a long-lived process goes ahead)."""
    _stop.clear()


@contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """While the block runs in the main thread, SIGTERM requests a stop instead of ending the process."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(_signum: int, _frame: FrameType | None) -> None:
        request_stop()

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@dataclass(frozen=True)
class ChildExit:
    """How the crawl process ended: ``problem`` says why when it did not finish on its own."""

    problem: str | None = None
    stopped: bool = False
    """Stopped on request (not by its deadline or a crash)."""


def crawl_command(job_file: Path) -> list[str]:
    """The crawl child's command line."""
    return [sys.executable, "-m", "crawlers.run", str(job_file)]


def crawl_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The crawl child's environment: only the variables of ``CRAWL_ENVIRONMENT``.

    The child parses pages of sites nobody vouches for; what it does not have, it cannot leak.
    """
    return {
        name: value for name, value in environ.items() if any(fnmatchcase(name, p) for p in CRAWL_ENVIRONMENT)
    }


def run_crawl_process(job: CrawlJob, job_file: Path, config: Config, poll: Callable[[], bool]) -> ChildExit:
    """Run the crawl child to its end, calling ``poll`` between looks at it, logging to the data
    dir; the job file goes when it ends. ``poll`` says whether it has more to do at once (then
    the next look at the child does not wait)."""
    job.save(job_file)
    log_path = private_dir(config.data_dir / "logs") / "crawl.log"
    rotate(log_path)
    try:
        with open_private_log(log_path) as log:
            ended = _watch(job_file, config, poll, log)
            if ended.problem:
                log.write(f"crawl {ended.problem}\n")
    finally:
        job_file.unlink(missing_ok=True)
    return ended


def _watch(job_file: Path, config: Config, poll: Callable[[], bool], log: IO[str]) -> ChildExit:
    timeout, stop_timeout = config.crawl.crawl_timeout, config.crawl.stop_timeout
    deadline = time.monotonic() + timeout
    stopping: _Stopping | None = None
    env = crawl_environment(os.environ) | {PARENT_ENV: str(os.getpid())}
    with subprocess.Popen(
        crawl_command(job_file), stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
    ) as child:
        busy = False
        try:
            while not _ended(child, 0 if busy else POLL):
                busy = poll()
                now = time.monotonic()
                if stopping is None and (stop_requested() or now > deadline):
                    stopping = _Stopping(now, on_request=stop_requested(), timeout=timeout)
                    child.terminate()  # Scrapy closes in order: the unfinished sources' reports are spooled
                elif stopping is not None and now > stopping.since + stop_timeout:
                    child.kill()
        finally:
            if child.poll() is None:  # the parent is leaving (an exception): the child goes with it
                child.kill()
                child.wait()
    if stopping is not None:
        return ChildExit(stopping.reason(), stopped=stopping.on_request)
    return ChildExit(_failure(child.returncode))


@dataclass(frozen=True)
class _Stopping:
    """The parent told the child to stop, at ``since`` (monotonic)."""

    since: float
    on_request: bool
    timeout: float

    def reason(self) -> str:
        return "stopped on request (SIGTERM)" if self.on_request else f"stopped after {self.timeout:g} s"


def _failure(returncode: int) -> str | None:
    """Why a crawl process that ended on its own did not succeed; None if it did."""
    if returncode == 0:
        return None
    if returncode < 0:
        return f"process was killed by {signal.Signals(-returncode).name}"
    return f"process crashed (exit status {returncode})"


def _ended(child: subprocess.Popen[bytes], wait: float) -> bool:
    try:
        child.wait(wait)
    except subprocess.TimeoutExpired:
        return False
    return True


def rotate(path: Path, max_bytes: int = LOG_MAX_BYTES, keep: int = LOG_KEEP) -> None:
    """Keep a log that is appended to for months at a bounded size: crawl.log → crawl.log.1 …"""
    if not path.exists() or path.stat().st_size < max_bytes:
        return
    for n in range(keep - 1, 0, -1):
        older = path.with_name(f"{path.name}.{n}")
        if older.exists():
            older.replace(path.with_name(f"{path.name}.{n + 1}"))
    path.replace(path.with_name(f"{path.name}.1"))
