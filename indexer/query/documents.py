"""The query layer's document API: one document's metadata and its pages. The website reads
documents through here (and `indexer.query.search`), never through the engine."""

from __future__ import annotations

from pathlib import Path

from indexer.engine import open_engine
from indexer.extract import images, sources
from indexer.query.places import describe
from indexer.query.search import other_versions


def document(index_dir: Path, doc_id: str) -> dict | None:
    """Metadata of one document (id, title, type, year, languages, number, issuer, paths,
    added, updated; ``places``, each ``{"code", "level", "km", "en"}``; ``other_versions``,
    the same work in another language, each ``{"id", "title", "language"}``), or None when
    no document has that id (or nothing is indexed yet)."""
    engine = open_engine(Path(index_dir))
    meta = engine.document(doc_id) if engine.exists() else None
    if meta is None:
        return None
    return {
        **meta,
        "places": describe(meta["places"]),
        "other_versions": other_versions(engine, meta.get("work", [])),
    }


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
