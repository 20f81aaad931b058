"""The failures a command ends on with one line and its own exit code, never a traceback.

Looked up only once a command has failed: the modules that define these errors (the config's
models, the crawl process, the store's driver) are what a read-only command must not load at
start-up just to be ready to catch them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Failure:
    """What the operator reads on stderr, and the exit code a script or monitor reads."""

    line: str
    code: int


def failure_of(exc: Exception) -> Failure | None:
    """A config problem → 2, the run lock held → 3, stopped by SIGTERM → 143, the database's own
    failure (locked, disk full, login refused) → 4; None for anything else (a bug: its traceback)."""
    from kuaixun.config import ConfigError
    from kuaixun.crawl_process import EXIT_STOPPED, StopRequested
    from kuaixun.lock import EXIT_LOCKED, RunLockHeld
    from kuaixun.store_errors import EXIT_STORE, store_problem

    if isinstance(exc, ConfigError):
        return Failure(f"error: {exc}", 2)
    if isinstance(exc, RunLockHeld):
        return Failure(f"error: {exc}", EXIT_LOCKED)
    if isinstance(exc, StopRequested):
        return Failure(f"stopped: {exc}", EXIT_STOPPED)
    problem = store_problem(exc)
    return None if problem is None else Failure(f"error: {problem}", EXIT_STORE)
