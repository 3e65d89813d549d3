"""A bounded folder of derived files (page images, searchable PDFs) shared by server processes.

Files are named by what they were made from (a content hash, a page, a size), so a re-indexed
document never meets a stale file. A write goes to a temporary file renamed into place
(`os.replace`), so a reader in another process sees a whole file or none; a hit touches the
file's mtime, and when the folder outgrows its bound the least recently used files go first.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from indexer.errors import RendererBusy

#: Default bound of the cache folder.
MAX_BYTES = 1 << 30
#: Eviction brings the folder down to this share of the bound, so it is not run on every put.
LOW_WATER = 0.9


class DiskCache:
    """Files under ``root`` by name, at most ``max_bytes`` of them (least recently used go)."""

    def __init__(self, root: Path, max_bytes: int = MAX_BYTES):
        self.root = Path(root)
        self.max_bytes = max_bytes

    def get(self, name: str) -> Path | None:
        """The cached file, marked as just used; None on a miss."""
        path = self.root / name
        try:
            os.utime(path)
        except FileNotFoundError:
            return None
        return path

    def put(self, name: str, data: bytes) -> Path:
        """Store ``data`` atomically as ``name`` and evict what the bound no longer holds."""
        self.root.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.root, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide it from other users
            os.replace(temporary, self.root / name)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.evict()
        return self.root / name

    def evict(self) -> int:
        """Delete the least recently used files while the folder is over its bound; how many."""
        entries = []
        for entry in os.scandir(self.root):
            if entry.is_file() and not entry.name.endswith(".lock"):
                try:
                    stat = entry.stat()
                except FileNotFoundError:  # another process evicted it
                    continue
                entries.append((stat.st_mtime, stat.st_size, entry.path))
        total = sum(size for _, size, _ in entries)
        if total <= self.max_bytes:
            return 0
        deleted = 0
        for _, size, path in sorted(entries):
            if total <= self.max_bytes * LOW_WATER:
                break
            Path(path).unlink(missing_ok=True)
            total -= size
            deleted += 1
        return deleted


#: pdfium is not thread-safe: one thread of a process uses it at a time.
_PDFIUM = threading.Lock()
#: Threads of a process that may render or wait to: the others answer RendererBusy at once,
#: so that requests for images never hold every server thread from the searches.
RENDER_THREADS = 1  # of gunicorn's 4 per process (search_web.server.THREADS)
_ADMITTED = threading.BoundedSemaphore(RENDER_THREADS)
POLL_SECONDS = 0.02
BUSY = "Every page renderer is busy: reload the page in a moment."


@contextmanager
def render_slot(folder: Path, slots: int, wait: float) -> Iterator[None]:
    """For a page-sized render: one of ``slots`` render slots shared by every process using
    ``folder`` (advisory locks on slot files), then this process's pdfium, waiting at most
    ``wait`` seconds in all; RendererBusy at once when RENDER_THREADS threads of this process
    already render or wait."""
    if not _ADMITTED.acquire(blocking=False):
        raise RendererBusy(BUSY)
    try:
        deadline = time.monotonic() + wait
        with _slot(folder, slots, deadline), pdfium_lock(deadline - time.monotonic()):
            yield
    finally:
        _ADMITTED.release()


@contextmanager
def pdfium_lock(wait: float) -> Iterator[None]:
    """This process's pdfium, waited for at most ``wait`` seconds: all a small render (a
    thumbnail, about 10 ms) takes, so a result list's thumbnails come one after another
    instead of being turned away."""
    if not _PDFIUM.acquire(timeout=max(wait, 0.0)):
        raise RendererBusy(BUSY)
    try:
        yield
    finally:
        _PDFIUM.release()


@contextmanager
def _slot(folder: Path, slots: int, deadline: float) -> Iterator[None]:
    """One of the machine-wide slots: an exclusive advisory lock on a slot file."""
    folder.mkdir(parents=True, exist_ok=True)
    while True:
        for slot in range(slots):
            with open(folder / f"render-{slot}.lock", "a") as handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue
                try:
                    yield
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)
                return
        if time.monotonic() > deadline:
            raise RendererBusy(BUSY)
        time.sleep(POLL_SECONDS)
