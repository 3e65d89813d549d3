"""One writer at a time: an flock'd file that names its holder, so a stale one can be explained.

The kernel drops an flock when its process dies, so a lock left by a killed run is never
stuck; we only tell the librarian that we took it over.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from indexer.errors import IndexBusy


@contextmanager
def writer_lock(path: Path, say: Callable[[str], None]) -> Iterator[None]:
    """Hold the writer lock for the block, or raise IndexBusy naming the running process."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "unknown"
            raise IndexBusy(
                f"another ddsearch process (pid {holder}) is writing to {path.parent}; "
                "wait for it to finish, then run this again"
            ) from None
        previous = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
        if previous:
            say(f"cleared a stale writer lock left by process {previous} (no longer running)")
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        os.fsync(fd)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)


@contextmanager
def index_commit_lock(path: Path) -> Iterator[None]:
    """Wait for, and hold, the lock of bringing the index in line with the state. A run holds
    it only while it commits, so a correction made in the browser during a long run is
    searchable after at most one of the run's commits; and since each writer reads the state
    inside it, the last commit always holds the last state."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing drops the flock
