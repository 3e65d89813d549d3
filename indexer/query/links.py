"""The query layer's citator API: a document's legal basis, what cites it, what it amends and
what amends it, and the documents that cite one — read from library.sqlite, never written.

The links are resolved over the live documents each time library.sqlite changes (a sync, a
removal, a catalogue correction), and kept per process until it does.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from indexer.library import citator

_CACHE: dict[Path, tuple[tuple, citator.Library]] = {}
_LOCK = threading.Lock()


def _stamp(path: Path) -> tuple:
    """What changes when library.sqlite does (its WAL holds the recent commits)."""
    stamps = []
    for candidate in (path, path.with_name(path.name + "-wal")):
        try:
            stat = candidate.stat()
            stamps.append((stat.st_mtime_ns, stat.st_size))
        except FileNotFoundError:
            stamps.append(None)
    return tuple(stamps)


def _library(path: Path) -> citator.Library | None:
    if not path.is_file():
        return None
    stamp = _stamp(path)
    with _LOCK:
        cached = _CACHE.get(path)
        if cached and cached[0] == stamp:
            return cached[1]
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        try:
            library = citator.load(db)
        finally:
            db.close()
        _CACHE[path] = (stamp, library)
        return library


def document_links(library_path: Path, doc_id: str) -> dict[str, list[dict]]:
    """``legal_basis``, ``cited_by``, ``amends``, ``amended_by`` of a document: each a list of
    ``{id (when resolved), type, number, date, title}`` (all empty for an unknown id)."""
    library = _library(Path(library_path))
    if library is None or library.target(doc_id) is None:
        return {"legal_basis": [], "cited_by": [], "amends": [], "amended_by": []}
    return citator.links(library, doc_id)


def citing(library_path: Path, doc_id: str) -> set[str]:
    """Ids of the documents that cite or amend ``doc_id`` (the ``cites:`` filter)."""
    library = _library(Path(library_path))
    return citator.citing(library, doc_id) if library else set()
