"""Queueing for SQLite's one writer in the kernel instead of in SQLite's busy handler.

SQLite lets one connection write at a time; a writer that finds the lock taken calls the
busy handler, which sleeps 1, 2, 5, 10 … up to 100 ms between attempts. When the API, the
detect worker and the fuse worker share a file, a waiter so often sleeps on long after the
lock was freed: the processes end up taking turns with idle gaps between them instead of
writing back to back. So each write transaction first takes an exclusive ``flock`` on a
lock file beside the database (``shieldwall.db.lock``): waiters block in the kernel, which
wakes one the moment the holder lets go, and SQLite's own lock is then free at once.

The flock only orders the writers that take it; SQLite's lock still decides who writes,
so a writer without it (``shieldwall db upgrade``, the ``sqlite3`` shell) is as safe as
before, and a deleted lock file costs speed, never correctness. The kernel drops a flock
when its process dies however it dies, so a crash never leaves the lock taken. Threads of
one process queue on a re-entrant thread lock first (a flock is held per open file, which
the threads share); a nested write unit in one thread takes neither twice and meets
SQLite's busy timeout as before, and a thread waits for the others of its process
no longer than that timeout either. Without ``fcntl`` (Windows) there is no flock and the
busy handler alone queues the writers.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from types import TracebackType

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

from shieldwall.model.errors import StoreError

SUFFIX = ".lock"
THREAD_WAIT_SECONDS = 30.0
"""How long a thread waits for another thread of its process, as SQLite's busy timeout
would have: a thread whose transaction waits on another thread's write fails instead of
hanging."""


class WriteLock:
    """Exclusive, re-entrant within a thread, across the threads and processes of a host."""

    def __init__(self, database: Path) -> None:
        self.path = database.with_name(database.name + SUFFIX)
        self._threads = threading.RLock()
        self._depth = 0
        self._descriptor = -1

    def __enter__(self) -> None:
        if not self._threads.acquire(timeout=THREAD_WAIT_SECONDS):
            raise StoreError(
                f"no write turn on {self.path.stem} within {THREAD_WAIT_SECONDS:.0f} s"
            )
        try:
            if self._depth == 0 and fcntl is not None:
                fcntl.flock(self._open(), fcntl.LOCK_EX)  # GIL released while it waits
        except BaseException:
            self._threads.release()
            raise
        self._depth += 1

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._depth -= 1
        try:
            if self._depth == 0 and fcntl is not None:
                fcntl.flock(self._descriptor, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def _open(self) -> int:
        if self._descriptor < 0:
            flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
            self._descriptor = os.open(self.path, flags, 0o600)
        return self._descriptor

    def _forget_in_child(self) -> None:
        """A forked child gets a lock of its own: the parent's open file (and any thread
        lock a parent thread held at the fork) would let both write as one."""
        if self._descriptor >= 0:
            os.close(self._descriptor)  # the parent's flock stays: it holds the same file
        self._descriptor = -1
        self._threads = threading.RLock()
        self._depth = 0


_BY_PATH: dict[Path, WriteLock] = {}
_BY_PATH_LOCK = threading.Lock()


def _after_fork_in_child() -> None:
    global _BY_PATH_LOCK  # a parent thread may have held it at the fork
    _BY_PATH_LOCK = threading.Lock()
    for lock in _BY_PATH.values():
        lock._forget_in_child()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def write_lock(database: Path) -> WriteLock:
    """The one lock of this process for the SQLite file at ``database``."""
    key = database.resolve()
    with _BY_PATH_LOCK:
        found = _BY_PATH.get(key)
        if found is None:
            found = _BY_PATH[key] = WriteLock(key)
        return found
