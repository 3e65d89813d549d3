"""The query layer's document API: one document's metadata, its pages, and its pages that
match a query. The website reads documents through here and never through the engine."""

from __future__ import annotations

from pathlib import Path

from indexer import engine
from indexer import querylang as ql
from indexer.search import _highlight
from indexer.snippets import snippet

ALL_PAGES = 100_000  # more pages than any document has

#: Raised by every reading function when the index was built by another version: the
#: caller tells the user to run `ddsearch rebuild`.
IndexVersionError = engine.IndexVersionError


def document(index_dir: Path, doc_id: str) -> dict | None:
    """Metadata of one document (id, title, type, year, languages, number, issuer, paths,
    added, updated), or None when no document has that id."""
    return engine.get_document(Path(index_dir), doc_id)


def document_pages(index_dir: Path, doc_id: str) -> list[dict]:
    """Every page of a document in order: ``{"page", "text", "method"}``, method being
    "text" (text layer), "ocr" or "empty"."""
    return engine.get_page_texts(Path(index_dir), doc_id)


def matching_pages(index_dir: Path, doc_id: str, query: str) -> list[dict]:
    """The pages of one document whose text matches the query's words, best first, each as
    ``{"page", "snippet"}`` with the snippet HTML of `indexer.search`; [] without a query."""
    parsed = ql.parse(query)
    if parsed.node is None:
        return []
    node = ql.And((parsed.node, ql.Facet("id", doc_id)))
    outcome = engine.search_documents(Path(index_dir), node, limit=1, pages_per_document=ALL_PAGES)
    highlight = _highlight(parsed.node)
    return [
        {"page": number, "snippet": snippet(text, highlight)}
        for hit in outcome.hits
        for number, text in hit.pages
    ]
