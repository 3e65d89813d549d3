"""The query layer's document API: one document's metadata and its pages. The website reads
documents through here (and `indexer.query.search`), never through the engine."""

from __future__ import annotations

from pathlib import Path

from indexer.engine import open_engine
from indexer.extract import images, sources


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


def file_kind(doc: dict) -> str:
    """What a document's file is: "pdf", "image" (a scan or photo) or "text" (a Word,
    OpenDocument, web, Markdown or text file, which has no page images)."""
    path = (doc.get("paths") or [""])[0]
    if not sources.has_page_images(path):
        return "text"
    return "image" if images.is_image(path) else "pdf"
