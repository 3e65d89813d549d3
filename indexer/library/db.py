"""SQLite connections set up for crash safety: WAL journal, full sync, one writer at a time."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def connect(path: Path, schema: str) -> sqlite3.Connection:
    """Open (creating when needed) a database whose every commit survives a kill or power cut."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, timeout=60, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.executescript(schema)
    return connection


def connect_readonly(path: Path) -> sqlite3.Connection:
    """Open an existing database for reading only (the website never writes); a missing one
    raises sqlite3.OperationalError."""
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
