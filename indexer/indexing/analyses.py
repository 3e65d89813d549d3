"""Each page's analysis kept between index builds (``analysis.sqlite``), so that `rebuild`,
a schema change or a new engine does not segment Khmer again (khmercut was most of an index
build's analysis, bench/RESULTS.md).

An entry is a page's `PageTokens` keyed by its file's content hash and page number, valid for
the page's text (its sha1) and the analysis version it was made with; any other is made again
and replaced. It is derived data: losing the file costs time, never results. Every batch is
one SQLite transaction (WAL, full sync: `indexer.library.db`), so a kill leaves whole entries
only; `keep_only` drops the entries of contents the library no longer holds.
"""

from __future__ import annotations

import hashlib
import os
import zlib
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

from indexer.extract import lifeline
from indexer.library.db import connect
from indexer.model import Page
from indexer.text.analysis import ANALYSIS_VERSION, PageTokens, page_tokens

_SCHEMA = """
CREATE TABLE IF NOT EXISTS analyses (
    hash TEXT NOT NULL,
    page INTEGER NOT NULL,
    text_hash TEXT NOT NULL,
    version TEXT NOT NULL,
    tokens BLOB NOT NULL,
    PRIMARY KEY (hash, page)
);
"""
#: Pages analysed in other processes at once, when ``jobs`` > 1 (fewer: here).
PARALLEL_FROM = 64


class Analyses:
    """``analysis.sqlite``: the kept analyses of the library's pages."""

    def __init__(self, path: Path):
        self.db = connect(path, _SCHEMA)

    def close(self) -> None:
        self.db.close()

    def analysed(
        self, contents: Iterable[tuple[str, list[Page]]], *, jobs: int = 1, batch: int = 16
    ) -> Iterator[list[Page]]:
        """Each content's pages with their analyses (`Page.tokens`), kept ones read, missing
        ones made (in ``jobs`` processes when many) and kept, one transaction a batch."""
        pool = None
        try:
            for chunk in _chunks(contents, batch):
                chunk = [(h, self._with_kept(h, pages)) for h, pages in chunk]
                missing = [(h, p) for h, pages in chunk for p in pages if p.tokens is None]
                if jobs > 1 and len(missing) >= PARALLEL_FROM and pool is None:
                    # Its workers end with this process, even when it is killed.
                    pool = ProcessPoolExecutor(
                        jobs, initializer=lifeline.follow, initargs=(os.getpid(),)
                    )
                texts = [page.text for _, page in missing]
                analyse = pool.map if pool else map
                made = list(analyse(page_tokens, texts))
                self._keep(missing, made)
                fresh = {(h, p.number): t for (h, p), t in zip(missing, made, strict=True)}
                yield from (
                    [p if p.tokens else replace(p, tokens=fresh[h, p.number]) for p in pages]
                    for h, pages in chunk
                )
        finally:
            if pool is not None:
                pool.shutdown()

    def _with_kept(self, content_hash: str, pages: list[Page]) -> list[Page]:
        rows = self.db.execute(
            "SELECT page, text_hash, tokens FROM analyses WHERE hash = ? AND version = ?",
            (content_hash, ANALYSIS_VERSION),
        )
        kept = {page: (text_hash, tokens) for page, text_hash, tokens in rows}
        return [
            replace(page, tokens=PageTokens.decode(zlib.decompress(kept[page.number][1])))
            if kept.get(page.number, ("",))[0] == _text_hash(page.text)
            else page
            for page in pages
        ]

    def _keep(self, pages: list[tuple[str, Page]], made: list[PageTokens]) -> None:
        if not pages:
            return
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany(
                "INSERT OR REPLACE INTO analyses (hash, page, text_hash, version, tokens) "
                "VALUES (?, ?, ?, ?, ?)",
                [
                    (h, page.number, _text_hash(page.text), ANALYSIS_VERSION, _packed(tokens))
                    for (h, page), tokens in zip(pages, made, strict=True)
                ],
            )

    def keep_only(self, hashes: Iterable[str]) -> int:
        """Drop the entries of contents not in ``hashes`` and of other analysis versions, in
        one transaction; returns how many were dropped."""
        with self.db:
            self.db.execute("BEGIN")
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS live (hash TEXT PRIMARY KEY)")
            self.db.execute("DELETE FROM live")
            self.db.executemany("INSERT OR IGNORE INTO live VALUES (?)", ((h,) for h in hashes))
            dropped = self.db.execute(
                "DELETE FROM analyses WHERE version != ? OR hash NOT IN (SELECT hash FROM live)",
                (ANALYSIS_VERSION,),
            ).rowcount
            self.db.execute("DELETE FROM live")
        return dropped


def _text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _packed(tokens: PageTokens) -> bytes:
    return zlib.compress(tokens.encode(), 1)


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
