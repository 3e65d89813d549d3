"""The library's state: which files were seen where, and which stable document id each belongs to.

A document is one content (sha256); its id is issued once and never given to another content.
A record without a file (a printed book on the resource centre's shelf) is a document with no
content yet (hash ''): it gets its content, keeping its id, when a file is attached to it. A
withdrawn document stays in the library but not on the public site. The Whoosh index is
derived from this state and the extraction store, so a crash between writing the state and
committing the index is repaired by the next run.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
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
-- The cells of each document's catalog.csv row when that row was last applied: an index run
-- applies only the cells the spreadsheet changed since, so corrections made in the browser
-- in between are not undone (catalog.merge_sheet).
CREATE TABLE IF NOT EXISTS sheet_cells (
    id TEXT PRIMARY KEY REFERENCES documents (id),
    cells TEXT NOT NULL
);
-- A file saved for a record without a file: the run that indexes this path gives its content
-- to that record (same id, same catalogue values) instead of issuing a new document.
-- The change log (indexer.library.changelog): who changed what, when, before -> after.
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    who TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    details TEXT NOT NULL
);
-- The folders indexed (a directory given to `ddsearch index`): where the workspace saves
-- uploaded files unless told otherwise.
CREATE TABLE IF NOT EXISTS roots (
    path TEXT PRIMARY KEY,
    last REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS attachments (
    path TEXT PRIMARY KEY,
    id TEXT NOT NULL REFERENCES documents (id)
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

#: Columns added after the first release, with their definitions: added to an older file on open.
_ADDED_COLUMNS = {"documents": {"withdrawn": "INTEGER NOT NULL DEFAULT 0"}}
#: The content hash of a record without a file.
NO_CONTENT = ""
#: Catalogue fields that say a printed copy is on a shelf: a document losing its last file
#: becomes a record again instead of leaving the library.
HOLDING_FIELDS = ("call_number", "shelf")

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
    withdrawn: bool = False

    @property
    def is_record(self) -> bool:
        """A record without a file: catalogue values only, no content."""
        return self.hash == NO_CONTENT


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
        _add_columns(self.db)

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

    def served_hash(self, doc_id: str) -> str | None:
        """The content of a document the public site shows (live, not withdrawn, with a
        file), or None."""
        columns = {name for _, name, *_ in self.db.execute("PRAGMA table_info(documents)")}
        withdrawn = "AND withdrawn = 0" if "withdrawn" in columns else ""  # a reader of an old file
        row = self.db.execute(
            f"SELECT hash FROM documents WHERE id = ? AND live = 1 AND hash != '' {withdrawn}",
            (doc_id,),
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
        """A document left with no file leaves the library; one whose catalogue says a printed
        copy is on a shelf becomes a record without a file again (not retired: None)."""
        if self.paths_of(doc_id):
            return None
        row = self.db.execute("SELECT overrides FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row and any(json.loads(row[0]).get(name) for name in HOLDING_FIELDS):
            self.db.execute(
                "UPDATE documents SET hash = ?, detected = '{}' WHERE id = ?", (NO_CONTENT, doc_id)
            )
            return None
        self.db.execute("UPDATE documents SET live = 0 WHERE id = ?", (doc_id,))
        return doc_id

    def new_record(self, now: float, overrides: dict) -> str:
        """A record without a file, with its catalogue values; its id is issued as a
        document's is (from a random digest), never given to anything else."""
        digest = hashlib.sha256(os.urandom(32)).hexdigest()
        length = 10
        while self.db.execute(
            "SELECT 1 FROM documents WHERE id = ?", (candidate := id_for(digest, length),)
        ).fetchone():
            length += 2
        self.db.execute(
            "INSERT INTO documents (id, hash, added, updated, overrides) VALUES (?, ?, ?, ?, ?)",
            (candidate, NO_CONTENT, now, now, json.dumps(overrides, ensure_ascii=False)),
        )
        return candidate

    def attach(self, path: str, doc_id: str) -> None:
        """The file at ``path`` is a scanned copy of record ``doc_id``: the run that indexes it
        gives its content to the record."""
        self.db.execute(
            "INSERT OR REPLACE INTO attachments (path, id) VALUES (?, ?)", (path, doc_id)
        )

    def detach(self, path: str) -> None:
        """The file at ``path`` is no longer a record's scan (it was rejected and moved away):
        a later file of that name is a document of its own."""
        self.db.execute("DELETE FROM attachments WHERE path = ?", (path,))

    def take_attachment(self, path: str, content_hash: str, now: float, detected: dict) -> str:
        """The record a new file at ``path`` was attached to, now holding this content; ''
        when no record waits for this path (or it has had a file since)."""
        row = self.db.execute("SELECT id FROM attachments WHERE path = ?", (path,)).fetchone()
        if row is None:
            return ""
        self.db.execute("DELETE FROM attachments WHERE path = ?", (path,))
        waiting = self.db.execute(
            "SELECT 1 FROM documents WHERE id = ? AND live = 1 AND hash = ?", (row[0], NO_CONTENT)
        ).fetchone()
        if not waiting:
            return ""
        self.replace_content(row[0], content_hash, now, detected)
        return row[0]

    def note_root(self, folder: str) -> None:
        """Remember a folder as indexed now."""
        self.db.execute(
            "INSERT OR REPLACE INTO roots (path, last) VALUES (?, strftime('%s', 'now'))",
            (folder,),
        )

    def last_root(self) -> str | None:
        """The folder indexed most recently, or None."""
        row = self.db.execute("SELECT path FROM roots ORDER BY last DESC, path LIMIT 1").fetchone()
        return row[0] if row else None

    def set_withdrawn(self, doc_id: str, withdrawn: bool) -> None:
        self.db.execute("UPDATE documents SET withdrawn = ? WHERE id = ?", (int(withdrawn), doc_id))

    def sheet_cells(self, doc_id: str) -> dict:
        """The cells of the document's catalog.csv row when it was last applied ({}: none)."""
        row = self.db.execute("SELECT cells FROM sheet_cells WHERE id = ?", (doc_id,)).fetchone()
        return json.loads(row[0]) if row else {}

    def set_sheet_cells(self, doc_id: str, cells: dict) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO sheet_cells (id, cells) VALUES (?, ?)",
            (doc_id, json.dumps(cells, ensure_ascii=False, sort_keys=True)),
        )

    def set_overrides(self, doc_id: str, overrides: dict) -> None:
        self.db.execute(
            "UPDATE documents SET overrides = ? WHERE id = ?",
            (json.dumps(overrides, ensure_ascii=False, sort_keys=True), doc_id),
        )

    def live_documents(self) -> list[DocumentRow]:
        """Every document in the library (withdrawn ones and records without a file too)."""
        rows = self.db.execute(
            "SELECT id, hash, added, updated, detected, overrides, withdrawn FROM documents "
            "WHERE live = 1 ORDER BY id"
        )
        return [
            DocumentRow(doc_id, h, added, updated, json.loads(det), json.loads(ovr), bool(out))
            for doc_id, h, added, updated, det, ovr, out in rows
        ]

    def live_document(self, doc_id: str) -> DocumentRow | None:
        """One document of the library, or None."""
        row = self.db.execute(
            "SELECT id, hash, added, updated, detected, overrides, withdrawn FROM documents "
            "WHERE live = 1 AND id = ?",
            (doc_id,),
        ).fetchone()
        if row is None:
            return None
        doc_id, h, added, updated, det, ovr, out = row
        return DocumentRow(doc_id, h, added, updated, json.loads(det), json.loads(ovr), bool(out))


def _add_columns(db: sqlite3.Connection) -> None:
    """Bring a library file of an older ddsearch up to date (columns added since)."""
    for table, columns in _ADDED_COLUMNS.items():
        present = {name for _, name, *_ in db.execute(f"PRAGMA table_info({table})")}
        for name, definition in columns.items():
            if name not in present:
                with contextlib.suppress(sqlite3.OperationalError):  # added meanwhile
                    db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {definition}")


class _Transaction:
    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, kind, value, traceback):
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")
        return False
