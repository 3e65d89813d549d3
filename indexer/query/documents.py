"""The query layer's document API: one document's metadata and its pages. The website reads
documents through here (and `indexer.query.search`), never through the engine."""

from __future__ import annotations

from pathlib import Path

from indexer.engine import open_engine


def document(index_dir: Path, doc_id: str) -> dict | None:
    """Metadata of one document (id, title, type, year, languages, number, issuer, paths,
    added, updated), or None when no document has that id (or nothing is indexed yet)."""
    engine = open_engine(Path(index_dir))
    return engine.document(doc_id) if engine.exists() else None


def document_pages(index_dir: Path, doc_id: str) -> list[dict]:
    """Every page of a document in order: ``{"page", "text", "method"}``, method being one of
    `indexer.model.Method`."""
    engine = open_engine(Path(index_dir))
    return engine.pages(doc_id) if engine.exists() else []
