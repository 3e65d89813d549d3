"""The library's state: which files were seen where, and which stable document id each belongs to.

A document is one content (sha256); its id is issued once and never given to another content.
The Whoosh index is derived from this state and the extraction store, so a crash between
writing the state and committing the index is repaired by the next run.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from indexer.library.db import connect, connect_readonly

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    hash TEXT NOT NULL,
    live INTEGER NOT NULL DEFAULT 1,
    added REAL NOT NULL,
    updated REAL NOT NULL,
    detected TEXT NOT NULL DEFAULT '{}',
    overrides TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS documents_by_hash ON documents (hash);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    id TEXT NOT NULL REFERENCES documents (id),
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS files_by_id ON files (id);
"""

HASH_CHUNK = 1 << 20


@dataclass(frozen=True)
class KnownFile:
    path: str
    id: str
    size: int
    mtime_ns: int
    hash: str


@dataclass(frozen=True)
class DocumentRow:
    id: str
    hash: str
    added: float
    updated: float
    detected: dict
    overrides: dict


def file_hash(path: Path) -> str:
    """sha256 of a file's bytes, read in 1 MiB chunks so memory stays flat."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def id_for(content_hash: str, length: int = 10) -> str:
    """A short, link-friendly id derived from the content it was first issued for."""
    digest = bytes.fromhex(content_hash)
    return base64.b32encode(digest).decode("ascii").lower()[:length]


class Library:
    """``library.sqlite``: the files seen and the documents they belong to."""

    def __init__(self, path: Path):
        self.db: sqlite3.Connection = connect(path, _SCHEMA)

    @classmethod
    def reader(cls, path: Path) -> Library:
        """The state opened read-only, for the website; a missing one raises
        sqlite3.OperationalError."""
        library = cls.__new__(cls)
        library.db = connect_readonly(path)
        return library

    def close(self) -> None:
        self.db.close()

    def transaction(self):
        """Group state changes so that a crash applies all or none of them."""
        return _Transaction(self.db)

    def files(self) -> dict[str, KnownFile]:
        rows = self.db.execute("SELECT path, id, size, mtime_ns, hash FROM files")
        return {row[0]: KnownFile(*row) for row in rows}

    def live_document_for_hash(self, content_hash: str) -> str | None:
        row = self.db.execute(
            "SELECT id FROM documents WHERE hash = ? AND live = 1", (content_hash,)
        ).fetchone()
        return row[0] if row else None

    def live_hash(self, doc_id: str) -> str | None:
        """The content of a live document, or None."""
        row = self.db.execute(
            "SELECT hash FROM documents WHERE id = ? AND live = 1", (doc_id,)
        ).fetchone()
        return row[0] if row else None

    def files_of(self, doc_id: str) -> list[KnownFile]:
        """The files seen of one document, as last indexed."""
        rows = self.db.execute(
            "SELECT path, id, size, mtime_ns, hash FROM files WHERE id = ? ORDER BY path", (doc_id,)
        )
        return [KnownFile(*row) for row in rows]

    def paths_of(self, doc_id: str) -> list[str]:
        rows = self.db.execute("SELECT path FROM files WHERE id = ? ORDER BY path", (doc_id,))
        return [row[0] for row in rows]

    def issue_id(self, content_hash: str, now: float, detected: dict) -> str:
        """A new document for this content; an id once issued is never given to other content."""
        length = 10
        while True:
            candidate = id_for(content_hash, length)
            row = self.db.execute(
                "SELECT hash, live FROM documents WHERE id = ?", (candidate,)
            ).fetchone()
            if row is None:
                self.db.execute(
                    "INSERT INTO documents (id, hash, added, updated, detected) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (candidate, content_hash, now, now, json.dumps(detected, ensure_ascii=False)),
                )
                return candidate
            if row[0] == content_hash and not row[1]:
                # The same content comes back: its old links work again.
                self.db.execute(
                    "UPDATE documents SET live = 1, updated = ?, detected = ? WHERE id = ?",
                    (now, json.dumps(detected, ensure_ascii=False), candidate),
                )
                return candidate
            length += 2

    def replace_content(self, doc_id: str, content_hash: str, now: float, detected: dict) -> None:
        """A corrected version of a file: same id, new content."""
        self.db.execute(
            "UPDATE documents SET hash = ?, updated = ?, detected = ?, live = 1 WHERE id = ?",
            (content_hash, now, json.dumps(detected, ensure_ascii=False), doc_id),
        )

    def set_detected(self, doc_id: str, detected: dict) -> None:
        """New detected metadata for the same content (its pages were read again)."""
        self.db.execute(
            "UPDATE documents SET detected = ? WHERE id = ?",
            (json.dumps(detected, ensure_ascii=False), doc_id),
        )

    def set_file(self, path: str, doc_id: str, size: int, mtime_ns: int, content_hash: str) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO files (path, id, size, mtime_ns, hash) VALUES (?, ?, ?, ?, ?)",
            (path, doc_id, size, mtime_ns, content_hash),
        )

    def drop_file(self, path: str) -> str | None:
        """Forget a path; returns the id of a document left with no path (now removed)."""
        row = self.db.execute("SELECT id FROM files WHERE path = ?", (path,)).fetchone()
        if row is None:
            return None
        self.db.execute("DELETE FROM files WHERE path = ?", (path,))
        return self.retire_if_orphan(row[0])

    def retire_if_orphan(self, doc_id: str) -> str | None:
        if self.paths_of(doc_id):
            return None
        self.db.execute("UPDATE documents SET live = 0 WHERE id = ?", (doc_id,))
        return doc_id

    def set_overrides(self, doc_id: str, overrides: dict) -> None:
        self.db.execute(
            "UPDATE documents SET overrides = ? WHERE id = ?",
            (json.dumps(overrides, ensure_ascii=False, sort_keys=True), doc_id),
        )

    def live_documents(self) -> list[DocumentRow]:
        rows = self.db.execute(
            "SELECT id, hash, added, updated, detected, overrides FROM documents "
            "WHERE live = 1 ORDER BY id"
        )
        return [
            DocumentRow(doc_id, h, added, updated, json.loads(det), json.loads(ovr))
            for doc_id, h, added, updated, det, ovr in rows
        ]


class _Transaction:
    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, kind, value, traceback):
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")
        return False
