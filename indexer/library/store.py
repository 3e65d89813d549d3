"""The extraction store: per-page text keyed by the file's content hash, kept apart from the index.

OCR is the expensive step (1–1.5 s a page), so every finished page is committed here at once:
re-indexing, ``rebuild``, a rename and a crash never OCR a page twice.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from indexer.library.db import connect
from indexer.model import Method, Page

_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    hash TEXT PRIMARY KEY,
    pages INTEGER NOT NULL,
    fonts TEXT NOT NULL DEFAULT '[]',
    complete INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS pages (
    hash TEXT NOT NULL,
    page INTEGER NOT NULL,
    text TEXT NOT NULL,
    method TEXT NOT NULL,
    quality REAL NOT NULL,
    ocr_lang TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (hash, page)
);
"""


class Store:
    """A thin layer over ``store.sqlite``; every write is its own committed transaction."""

    def __init__(self, path: Path):
        self.db: sqlite3.Connection = connect(path, _SCHEMA)

    def close(self) -> None:
        self.db.close()

    def begin_file(self, content_hash: str, pages: int, fonts: list[str]) -> None:
        """Record that a file with this content has ``pages`` pages (kept if already known)."""
        self.db.execute(
            "INSERT OR IGNORE INTO files (hash, pages, fonts) VALUES (?, ?, ?)",
            (content_hash, pages, json.dumps(fonts)),
        )

    def put_page(self, content_hash: str, page: Page, ocr_lang: str = "") -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO pages (hash, page, text, method, quality, ocr_lang) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (content_hash, page.number, page.text, page.method, page.quality, ocr_lang),
        )

    def finish_file(self, content_hash: str) -> None:
        self.db.execute("UPDATE files SET complete = 1 WHERE hash = ?", (content_hash,))

    def complete_hashes(self, redo_skipped: bool) -> set[str]:
        """Contents fully extracted; with ``redo_skipped``, not counting pages left for OCR."""
        rows = self.db.execute("SELECT hash FROM files WHERE complete = 1")
        complete = {row[0] for row in rows}
        if redo_skipped:
            rows = self.db.execute("SELECT DISTINCT hash FROM pages WHERE method = 'skipped'")
            complete -= {row[0] for row in rows}
        return complete

    def page_counts(self, content_hash: str) -> dict[str, int]:
        """How many pages came from the text layer and how many from OCR, for reports."""
        methods = [Method(m) for m in self.stored_methods(content_hash).values()]
        return {
            "pages_text": methods.count(Method.TEXT),
            "pages_ocr": sum(m.is_ocr_done for m in methods),
            "pages_awaiting_ocr": methods.count(Method.SKIPPED),
        }

    def stored_methods(self, content_hash: str) -> dict[int, str]:
        """Page number → method for the pages already extracted from this content."""
        rows = self.db.execute("SELECT page, method FROM pages WHERE hash = ?", (content_hash,))
        return dict(rows.fetchall())

    def pages(self, content_hash: str) -> list[Page]:
        rows = self.db.execute(
            "SELECT page, text, method, quality FROM pages WHERE hash = ? ORDER BY page",
            (content_hash,),
        )
        return [
            Page(number, text, Method(method), quality) for number, text, method, quality in rows
        ]

    def forget(self, content_hash: str) -> None:
        """Drop what was extracted from a content that turned out not to be what was read."""
        with self.db:
            self.db.execute("BEGIN")
            self.db.execute("DELETE FROM pages WHERE hash = ?", (content_hash,))
            self.db.execute("DELETE FROM files WHERE hash = ?", (content_hash,))
