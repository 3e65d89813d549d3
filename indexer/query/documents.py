"""The query layer's document API: one document's metadata and its pages. The website reads
documents through here (and `indexer.query.search`), never through the engine."""

from __future__ import annotations

from pathlib import Path

from indexer.engine.whoosh_backend import index as engine

#: Raised by every reading function when the index was built by another version: the
#: caller tells the user to run `ddsearch rebuild`.
IndexVersionError = engine.IndexVersionError


def document(index_dir: Path, doc_id: str) -> dict | None:
    """Metadata of one document (id, title, type, year, languages, number, issuer, paths,
    added, updated), or None when no document has that id."""
    return engine.get_document(Path(index_dir), doc_id)


def document_pages(index_dir: Path, doc_id: str) -> list[dict]:
    """Every page of a document in order: ``{"page", "text", "method"}``, method being
    "text" (text layer), "converted" (legacy-font text layer), "ocr" or "empty"."""
    return engine.get_page_texts(Path(index_dir), doc_id)
