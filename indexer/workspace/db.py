"""``workspace.sqlite``: accounts, background jobs, sign-in attempts, rejected uploads and the
site's secret."""

from __future__ import annotations

import secrets
import sqlite3

from indexer.config import DataDir
from indexer.library.db import connect

_SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    name TEXT PRIMARY KEY COLLATE NOCASE,
    role TEXT NOT NULL,
    hash TEXT NOT NULL,
    token TEXT NOT NULL,  -- part of the session's user id: a new password ends old sessions
    created REAL NOT NULL,
    changed REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    args TEXT NOT NULL,
    state TEXT NOT NULL,  -- queued, running, done, failed
    who TEXT NOT NULL,
    created REAL NOT NULL,
    not_before REAL NOT NULL DEFAULT 0,
    started REAL,
    finished REAL,
    exit_status INTEGER,
    message TEXT NOT NULL DEFAULT '',
    report TEXT
);
CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs (state, id);
CREATE TABLE IF NOT EXISTS attempts (
    key TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS attempts_by_key ON attempts (key, at);
-- Uploaded files their run could not take, moved to rejected/ (indexer.workspace.rejected).
CREATE TABLE IF NOT EXISTS rejected (
    id INTEGER PRIMARY KEY,
    file TEXT NOT NULL,  -- its name in rejected/
    original TEXT NOT NULL,  -- its name in the library folder
    job INTEGER NOT NULL,
    who TEXT NOT NULL,
    reason TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


def connect_workspace(data: DataDir) -> sqlite3.Connection:
    """The workspace's database, created with its tables when missing."""
    return connect(data.workspace, _SCHEMA)


def secret_key(db: sqlite3.Connection) -> str:
    """The key that signs the forms' CSRF tokens: made once, shared by every process and
    kept across restarts."""
    db.execute(
        "INSERT OR IGNORE INTO settings (name, value) VALUES ('secret_key', ?)",
        (secrets.token_hex(32),),
    )
    return db.execute("SELECT value FROM settings WHERE name = 'secret_key'").fetchone()[0]
