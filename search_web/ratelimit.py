"""A storage for the `limits` library (under Flask-Limiter) in the data folder's
``workspace.sqlite``: counted sign-in failures are seen by every gunicorn process and survive
a restart, with nothing to install (the `limits` storages are memory, which each process would
keep on its own, or servers: Redis, Memcached, MongoDB).

Only the moving-window strategy is served: a failure counts for exactly the window's length
("5 failures within 15 minutes"), which is what the sign-in limit needs.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

from limits.storage import MovingWindowSupport, Storage

from indexer.config import DataDir
from indexer.workspace.db import connect_workspace

SCHEME = "ddsearch-sqlite"


def storage_uri(data: DataDir) -> str:
    return f"{SCHEME}://{data.root}"


class SQLiteStorage(Storage, MovingWindowSupport):
    """Hits as (key, time) rows; a window counts the rows of its key younger than it."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.data = DataDir(Path(unquote(urlparse(uri).path)))
        self._local = threading.local()

    @property
    def base_exceptions(self):
        return sqlite3.Error

    def _db(self) -> sqlite3.Connection:
        """A connection per thread and process (a connection must not cross a fork)."""
        db = getattr(self._local, "db", None)
        if db is None or self._local.pid != os.getpid():
            db = self._local.db = connect_workspace(self.data)
            self._local.pid = os.getpid()
        return db

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        if amount > limit:
            return False
        db, now = self._db(), time.time()
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("DELETE FROM attempts WHERE key = ? AND at < ?", (key, now - expiry))
            held = db.execute("SELECT count(*) FROM attempts WHERE key = ?", (key,)).fetchone()[0]
            if held + amount > limit:
                return False
            db.executemany("INSERT INTO attempts (key, at) VALUES (?, ?)", [(key, now)] * amount)
            return True
        finally:
            db.execute("COMMIT")

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        now = time.time()
        oldest, count = (
            self._db()
            .execute(
                "SELECT min(at), count(*) FROM attempts WHERE key = ? AND at >= ?",
                (key, now - expiry),
            )
            .fetchone()
        )
        return (oldest or now), count

    def clear(self, key: str) -> None:
        self._db().execute("DELETE FROM attempts WHERE key = ?", (key,))

    def reset(self) -> int | None:
        return self._db().execute("DELETE FROM attempts").rowcount

    def check(self) -> bool:
        try:
            self._db().execute("SELECT 1")
        except sqlite3.Error:
            return False
        return True

    # The fixed-window strategy's counters: not used (see the module docstring).

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        raise NotImplementedError("this storage serves the moving-window strategy only")

    def get(self, key: str) -> int:
        raise NotImplementedError("this storage serves the moving-window strategy only")

    def get_expiry(self, key: str) -> float:
        raise NotImplementedError("this storage serves the moving-window strategy only")
