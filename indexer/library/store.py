"""The extraction store: per-page text keyed by the file's content hash, kept apart from the index.

OCR is the expensive step (1–1.5 s a page), so every finished page is committed here at once:
re-indexing, ``rebuild``, a rename and a crash never OCR a page twice.

Besides its text, every page keeps how it was read (``method``; for OCR the ``recipe``, see
``indexer.extract.ocr.Recipe.version``, and the mean word ``confidence``) and its words with
their boxes (``Boxes``), so that hits can be drawn on the page image without OCR.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from indexer.library.db import connect, connect_readonly
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
CREATE TABLE IF NOT EXISTS page_words (
    hash TEXT NOT NULL,
    page INTEGER NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    dpi INTEGER NOT NULL,
    rotation INTEGER NOT NULL,
    words TEXT NOT NULL,
    PRIMARY KEY (hash, page)
);
CREATE TABLE IF NOT EXISTS reindex_pending (hash TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS notes (
    hash TEXT NOT NULL,
    note TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS notes_by_hash ON notes (hash);
"""
#: Columns added since the first stores were written, with what old rows get.
_ADDED_COLUMNS = {
    "recipe": "TEXT NOT NULL DEFAULT ''",
    "confidence": "REAL",
}
#: What `Store.page_records` tells of a page.
_RECORD = ("page", "text", "method", "recipe", "confidence")
#: OCR'd pages of a store older than recipes were read by the wave-1 recipe (khm+eng, psm 6).
LEGACY_RECIPE = "wave1"


@dataclass(frozen=True)
class Boxes:
    """The words of one page with their boxes.

    Boxes are integer pixels ``[x0, y0, x1, y1]`` (top-left origin, x1/y1 exclusive) of the
    page image of ``width`` x ``height``: the page rendered at ``dpi`` (300) for a PDF, or the
    image file itself (``dpi`` 0) after its EXIF orientation, in both cases turned by
    ``rotation`` degrees clockwise when OCR found the page sideways. Divide by width/height for
    0..1 page coordinates. ``words`` rows are ``[text, confidence 0-100, x0, y0, x1, y1,
    line]``; text-layer words have confidence 100 and line -1 (pdftotext gives no lines).
    """

    width: int
    height: int
    dpi: int
    rotation: int
    words: list[list]

    def upright(self) -> Boxes:
        """The boxes in the page's own frame, as pdfium renders it: OCR may have read the
        image turned by ``rotation`` degrees clockwise, and its boxes are in that image."""
        if not self.rotation:
            return self
        width, height = self.width, self.height  # of the turned image
        turned = []
        for text, confidence, x0, y0, x1, y1, line in self.words:
            if self.rotation == 90:
                box = (y0, width - x1, y1, width - x0)
            elif self.rotation == 180:
                box = (width - x1, height - y1, width - x0, height - y0)
            else:  # 270
                box = (height - y1, x0, height - y0, x1)
            turned.append([text, confidence, *box, line])
        size = (height, width) if self.rotation in (90, 270) else (width, height)
        return Boxes(*size, self.dpi, 0, turned)


class Store:
    """A thin layer over ``store.sqlite``; every write is its own committed transaction."""

    def __init__(self, path: Path):
        self.db: sqlite3.Connection = connect(path, _SCHEMA)
        self._migrate()

    def _migrate(self) -> None:
        """Add the columns a store written by an older version lacks, in one transaction."""
        present = {row[1] for row in self.db.execute("PRAGMA table_info(pages)")}
        missing = [name for name in _ADDED_COLUMNS if name not in present]
        if not missing:
            return
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            present = {row[1] for row in self.db.execute("PRAGMA table_info(pages)")}
            for name in [name for name in _ADDED_COLUMNS if name not in present]:
                self.db.execute(f"ALTER TABLE pages ADD COLUMN {name} {_ADDED_COLUMNS[name]}")
            self.db.execute(
                "UPDATE pages SET recipe = ? WHERE recipe = '' AND method IN ('ocr', 'empty')",
                (LEGACY_RECIPE,),
            )

    @classmethod
    def reader(cls, path: Path) -> Store:
        """The store opened read-only, for the website (which never writes it); missing
        stores raise sqlite3.OperationalError."""
        store = cls.__new__(cls)
        store.db = connect_readonly(path)
        return store

    def close(self) -> None:
        self.db.close()

    def begin_file(self, content_hash: str, pages: int, fonts: list[str]) -> None:
        """Record that a file with this content has ``pages`` pages (kept if already known)."""
        self.db.execute(
            "INSERT OR IGNORE INTO files (hash, pages, fonts) VALUES (?, ?, ?)",
            (content_hash, pages, json.dumps(fonts)),
        )

    def put_notes(self, content_hash: str, notes: list[str]) -> None:
        """Replace what extraction had to say about a file (sentences for the report)."""
        with self.db:
            self.db.execute("BEGIN")
            self.db.execute("DELETE FROM notes WHERE hash = ?", (content_hash,))
            self.db.executemany(
                "INSERT INTO notes (hash, note) VALUES (?, ?)", [(content_hash, n) for n in notes]
            )

    def notes(self, content_hash: str) -> list[str]:
        rows = self.db.execute(
            "SELECT note FROM notes WHERE hash = ? ORDER BY rowid", (content_hash,)
        )
        return [row[0] for row in rows]

    def put_page(
        self,
        content_hash: str,
        page: Page,
        ocr_lang: str = "",
        *,
        recipe: str = "",
        confidence: float | None = None,
        boxes: Boxes | None = None,
    ) -> None:
        """Store one page (text, how it was read, its word boxes) in one transaction."""
        with self.db:
            self.db.execute("BEGIN")
            self.db.execute(
                "INSERT OR REPLACE INTO pages "
                "(hash, page, text, method, quality, ocr_lang, recipe, confidence) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    content_hash,
                    page.number,
                    page.text,
                    page.method,
                    page.quality,
                    ocr_lang,
                    recipe,
                    confidence,
                ),
            )
            self.db.execute(
                "DELETE FROM page_words WHERE hash = ? AND page = ?", (content_hash, page.number)
            )
            if boxes is not None:
                self.db.execute(
                    "INSERT INTO page_words (hash, page, width, height, dpi, rotation, words) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        content_hash,
                        page.number,
                        boxes.width,
                        boxes.height,
                        boxes.dpi,
                        boxes.rotation,
                        json.dumps(boxes.words, ensure_ascii=False, separators=(",", ":")),
                    ),
                )

    def boxes(self, content_hash: str, page: int) -> Boxes | None:
        """A page's words with their boxes, or None when none were kept (an older store)."""
        row = self.db.execute(
            "SELECT width, height, dpi, rotation, words FROM page_words "
            "WHERE hash = ? AND page = ?",
            (content_hash, page),
        ).fetchone()
        return Boxes(*row[:4], json.loads(row[4])) if row else None

    def page_records(self, content_hash: str) -> list[dict]:
        """Every page with how it was read: page, text, method, recipe, confidence."""
        rows = self.db.execute(
            f"SELECT {', '.join(_RECORD)} FROM pages WHERE hash = ? ORDER BY page",
            (content_hash,),
        )
        return [dict(zip(_RECORD, row, strict=True)) for row in rows]

    def page_record(self, content_hash: str, page: int) -> dict | None:
        """One page as `page_records` gives it, or None."""
        row = self.db.execute(
            f"SELECT {', '.join(_RECORD)} FROM pages WHERE hash = ? AND page = ?",
            (content_hash, page),
        ).fetchone()
        return dict(zip(_RECORD, row, strict=True)) if row else None

    def page_total(self, content_hash: str) -> int:
        """How many pages the file of this content has (0 when unknown)."""
        row = self.db.execute("SELECT pages FROM files WHERE hash = ?", (content_hash,)).fetchone()
        return row[0] if row else 0

    def pages_by_recipe(self, hashes: Iterable[str]) -> dict[str, int]:
        """How many OCR'd pages of these contents each recipe read."""
        counts: dict[str, int] = {}
        for content_hash in hashes:
            rows = self.db.execute(
                "SELECT recipe, COUNT(*) FROM pages WHERE hash = ? AND method IN ('ocr', 'empty') "
                "GROUP BY recipe",
                (content_hash,),
            )
            for recipe, count in rows:
                counts[recipe] = counts.get(recipe, 0) + count
        return counts

    def ocr_pages_not_by(self, content_hash: str, recipe: str) -> list[int]:
        """The OCR'd pages (and pages awaiting OCR) of a content not read by ``recipe``."""
        rows = self.db.execute(
            "SELECT page FROM pages WHERE hash = ? AND method IN ('ocr', 'empty', 'skipped') "
            "AND recipe != ? ORDER BY page",
            (content_hash, recipe),
        )
        return [row[0] for row in rows]

    def mark_reindex(self, content_hash: str) -> None:
        """Note that the index holds older text of this content than the store."""
        self.db.execute("INSERT OR IGNORE INTO reindex_pending (hash) VALUES (?)", (content_hash,))

    def reindex_pending(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT hash FROM reindex_pending")}

    def reindexed(self, content_hash: str) -> None:
        self.db.execute("DELETE FROM reindex_pending WHERE hash = ?", (content_hash,))

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
        """How many pages came from the text layer, from legacy-font conversion and from OCR."""
        methods = [Method(m) for m in self.stored_methods(content_hash).values()]
        return {
            "pages_text": methods.count(Method.TEXT),
            "pages_converted": methods.count(Method.CONVERTED),
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
            self.db.execute("DELETE FROM page_words WHERE hash = ?", (content_hash,))
            self.db.execute("DELETE FROM notes WHERE hash = ?", (content_hash,))
            self.db.execute("DELETE FROM files WHERE hash = ?", (content_hash,))
